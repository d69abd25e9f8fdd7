"""Run a notebook inside this process, as a kernel would, without starting one.

A batch's review report is a fixed notebook of our own code: starting a fresh kernel for it (and
importing pandas and matplotlib there again) cost seconds per batch. Here its cells run in an IPython
shell in this process, outputs are captured as the kernel would send them (display data, streams,
the inline backend's PNG figures, errors), and parameters are injected as papermill does (a tagged
cell after the `parameters` cell, recorded in the notebook's metadata).
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from ..core.exceptions import OutputError


def skip_iri_grammars() -> None:
    """nbformat imports jsonschema, whose format checkers import rfc3987_syntax when it is installed
    (jupyter-events pulls it in), and that compiles 38 Lark grammars at import: seconds, for the
    "iri" format no notebook schema uses. Before jsonschema is first imported, leave that checker out;
    jsonschema skips it as it does when the package is absent."""
    import sys
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


class NotebookCellError(OutputError):
    """A cell of a notebook run in process raised; the message names the cell and the error."""


def inject_parameters(nb, parameters: dict, input_path=None, output_path=None) -> None:
    """papermill's parameter injection: a cell tagged injected-parameters after the `parameters` cell."""
    import nbformat
    source = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    at = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), 0)
    nb.cells.insert(at, cell)
    nb.metadata["papermill"] = {"parameters": dict(parameters), "input_path": str(input_path or ""),
                                "output_path": str(output_path or ""), "environment_variables": {}}


_SHELL = None
_RESULTS: list = []


def _shell():
    """One IPython shell per process, with the inline backend and no history file."""
    global _SHELL
    if _SHELL is None:
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config
        config = Config()
        config.HistoryManager.enabled = False
        _SHELL = InteractiveShell.instance(config=config)
        from IPython.core.pylabtools import activate_matplotlib
        from matplotlib_inline.backend_inline import configure_inline_support
        inline = "module://matplotlib_inline.backend_inline"
        activate_matplotlib(inline)  # what %matplotlib inline does: figures shown as PNG after each cell
        configure_inline_support(_SHELL, inline)
        # pyplot's own post-execute hook draws every figure, which the inline backend then draws again
        # to print it as PNG (twice, for the tight bounding box): the first draw shows nothing
        import matplotlib.pyplot as plt
        redraw = getattr(plt, "_draw_all_if_interactive", None)  # matplotlib's own name: may change
        if redraw in _SHELL.events.callbacks["post_execute"]:
            _SHELL.events.unregister("post_execute", redraw)
        # a cell's last value becomes an execute_result, as a kernel sends it (not "Out[n]:" on stdout)
        _SHELL.displayhook.write_output_prompt = lambda: None
        _SHELL.displayhook.write_format_data = lambda data, metadata=None: _RESULTS.append((data, metadata or {}))
    return _SHELL


# JupyterLab's page without the scripts it fetches from a CDN: a report is tables, text and PNG charts,
# read offline too. MathJax also typeset any text between two dollar signs, so a rejected row's
# "'US $1278.82' is not a number …; '$5' …" showed as a formula.
REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js_requirejs %}{% endblock html_head_js_requirejs %}
{% block html_head_js_mathjax %}{% endblock html_head_js_mathjax %}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
"""


@cache
def html_exporter():
    """The report's HTML exporter (code hidden), made once: its templates are compiled on first use."""
    from nbconvert import HTMLExporter
    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                        raw_template=REPORT_TEMPLATE)


def warm_up() -> None:
    """Do once what every report run needs first: the shell with its inline backend, pandas with its
    plotting (a frame drawn, matplotlib's fonts loaded), nbformat and nbconvert with the HTML
    exporter's templates and HTML parser (a tiny export with a table output)."""
    skip_iri_grammars()
    import io

    import matplotlib.pyplot as plt
    import nbformat
    import pandas as pd
    _shell()
    fig, ax = plt.subplots(figsize=(1, 1))
    frame = pd.DataFrame({"a": [1, 2]}, index=["x", "y"])
    frame.plot.barh(stacked=True, ax=ax)
    ax.set_title("x")
    fig.tight_layout()
    fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    plt.close(fig)
    table = nbformat.v4.new_output("display_data", data={"text/html": frame.to_html(), "text/plain": "x"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x\n\n| a |\n|---|\n| 1 |"),
                                         nbformat.v4.new_code_cell("x", outputs=[table])])
    html_exporter().from_notebook_node(nb)


@contextmanager
def _in_folder(folder):
    """In `folder`, with the process as it was afterwards: IPython installs its namespace as
    __main__ (multiprocessing's spawn, used by the per-case runner, needs the real one back) and may
    set the display and exception hooks."""
    here, main = os.getcwd(), sys.modules.get("__main__")
    hooks = sys.displayhook, sys.excepthook
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)
        if main is not None:
            sys.modules["__main__"] = main
        sys.displayhook, sys.excepthook = hooks


def execute(nb, cwd) -> None:
    """Run every code cell of `nb` in a fresh namespace; fill in its outputs; raise at the first error."""
    import nbformat
    from IPython.utils.capture import capture_output
    count = 0
    with _in_folder(cwd):
        shell = _shell()
        shell.reset(new_session=False)
        sys.modules["__main__"] = shell.user_module  # what a kernel's cells see as __main__ (until the end)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            _RESULTS.clear()
            with capture_output() as cap:  # store_history: IPython reads a trailing ; from the history
                result = shell.run_cell(cell.source, store_history=True, silent=False)
            outputs = []
            if cap.stdout:
                outputs.append(nbformat.v4.new_output("stream", name="stdout", text=cap.stdout))
            if cap.stderr:
                outputs.append(nbformat.v4.new_output("stream", name="stderr", text=cap.stderr))
            for out in cap.outputs:
                outputs.append(nbformat.v4.new_output("display_data", data=out.data, metadata=out.metadata or {}))
            for data, metadata in _RESULTS:
                outputs.append(nbformat.v4.new_output("execute_result", data=data, metadata=metadata,
                                                      execution_count=count))
            error = result.error_before_exec or result.error_in_exec
            if error is not None:
                outputs.append(nbformat.v4.new_output("error", ename=type(error).__name__, evalue=str(error),
                                                      traceback=[]))
            cell.outputs, cell.execution_count = outputs, count
            if error is not None:
                raise NotebookCellError(f"cell {index + 1} of the notebook raised {type(error).__name__}: {error}")


def report_html(nb) -> str:
    """An executed report notebook as HTML (code hidden), titled by its first heading (the browser's
    tab said "Notebook")."""
    body, _ = html_exporter().from_notebook_node(nb, resources={"metadata": {"name": _first_heading(nb)}})
    return body


def _first_heading(nb) -> str:
    """The first level-1 heading of a notebook: a Markdown cell's, or a cell's Markdown output's."""
    for cell in nb.cells:
        texts = ([cell.source] if cell.cell_type == "markdown" else
                 [str(out.get("data", {}).get("text/markdown", "")) for out in cell.get("outputs", ())])
        for text in texts:
            if text.startswith("# "):
                return text.splitlines()[0][2:].strip()
    return "Dispute Playbook"


def run_notebook(path, output, parameters: dict, cwd) -> None:
    """Read the notebook at `path`, inject `parameters`, run it here, write it to `output`."""
    import nbformat
    nb = nbformat.read(str(path), as_version=4)
    inject_parameters(nb, parameters, path, output)
    try:
        execute(nb, cwd)
    finally:
        nbformat.write(nb, str(Path(output)))
