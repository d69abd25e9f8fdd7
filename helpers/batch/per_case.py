"""Per-case audit notebooks: the dispute type's notebook executed once per case, in parallel.

`papermill` once per case starts a Python, a kernel and a client each time (about two seconds).
Here each worker process starts one kernel and one client and keeps them: before each notebook
the kernel's namespace is reset (`%reset -f`) and its execution counter set back to 1, then the
notebook, parameterised exactly as papermill does it (an `injected-parameters` cell after the
`parameters` cell), is executed by nbclient. Outputs equal a fresh kernel's (a test compares).
A failing notebook is saved with its error and recorded in notebook_errors.csv; the others go on.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import multiprocessing as mp
import re
from pathlib import Path

from ..core.fields import FIELDS, NUMERIC_KINDS
from ..core.paths import NOTEBOOKS_DIR

# IPython counts this cell after it ran, so the next cell is number 1 again
_RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
          "get_ipython().execution_count = 0\n"
          "__import__('gc').freeze()  # what survives is the kernel's own; later collections skip it\n")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def notebook_name(case_id: str) -> str:
    """A file name for a case_id: readable, and distinct even when two ids clean up alike."""
    safe = _UNSAFE.sub("_", case_id).strip("._")[:80] or "case"
    if safe != case_id:
        safe += "-" + hashlib.sha256(case_id.encode()).hexdigest()[:8]
    return safe + ".ipynb"


def case_parameters(cols: dict, i: int) -> dict:
    """Row i of engine columns as contract values for a parameters cell (None: unknown)."""
    out = {}
    for f in FIELDS:
        v = cols[f.name][i]
        if f.kind in NUMERIC_KINDS or f.kind == "enum":
            if v != v:  # NaN
                out[f.name] = None
            elif f.kind == "date":
                out[f.name] = _dt.date.fromordinal(int(v)).isoformat()
            elif f.kind == "enum":
                out[f.name] = f.choices[int(v)]
            elif f.kind == "bool":
                out[f.name] = bool(v)
            elif f.kind == "int":
                out[f.name] = int(v)
            else:
                out[f.name] = float(v)
        else:
            out[f.name] = v if v != "" else None
    return out


class Runner:
    """One started kernel and client, reused for notebook after notebook."""

    def __init__(self, kernel_name: str = "python3", timeout: int = 300):
        import nbformat
        from jupyter_core.utils import run_sync
        from nbclient import NotebookClient
        self.timeout, self.kernel_name = timeout, kernel_name
        # nbclient starts the kernel and client (and drives them on its own event loop from then on)
        starter = NotebookClient(nbformat.v4.new_notebook(), kernel_name=kernel_name, timeout=timeout,
                                 extra_arguments=["--HistoryManager.hist_file=:memory:"])
        starter.km = starter.create_kernel_manager()
        run_sync(starter.async_start_new_kernel)()
        run_sync(starter.async_start_new_kernel_client)()
        self.km, self.kc = starter.km, starter.kc
        reset = nbformat.v4.new_notebook()
        reset.cells = [nbformat.v4.new_code_cell(_RESET)]
        self._reset_nb = reset

    def _reset(self):
        """An empty namespace and execution count 1, as in a fresh kernel."""
        self._client(self._reset_nb, 60).execute(cleanup_kc=False)

    def _client(self, nb, timeout, **kw):
        from nbclient import NotebookClient
        client = NotebookClient(nb, km=self.km, timeout=timeout, kernel_name=self.kernel_name, **kw)
        client.kc = self.kc  # the constructor takes no client: without this each notebook starts one
        return client

    def run(self, source: Path, parameters: dict, output: Path, cwd: Path | None = None):
        """Execute `source` with `parameters` into `output`; returns None or the error text."""
        from nbclient.exceptions import CellExecutionError
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook
        nb = load_notebook_node(str(source))  # papermill's reader: every cell gets its tags list
        nb = parameterize_notebook(nb, {**parameters, "PAPERMILL_OUTPUT_PATH": str(output)}, kernel_name=self.kernel_name)
        self._reset()
        client = self._client(nb, self.timeout, resources={"metadata": {"path": str(cwd or output.parent)}})
        error = None
        try:
            client.execute(cleanup_kc=False)
        except CellExecutionError as exc:
            error = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        except Exception as exc:  # a dead kernel or a timeout: record it, start afresh for the next case
            error = f"{type(exc).__name__}: {exc}"
            self.restart()
        _write_notebook(client.nb, output)
        return error

    def restart(self):
        self.close()
        self.__init__(self.kernel_name, self.timeout)

    def close(self):
        from jupyter_core.utils import run_sync
        try:
            self.kc.stop_channels()
        finally:
            run_sync(self.km.shutdown_kernel)(now=True)


def _write_notebook(nb, output: Path):
    import nbformat

    from ..iorw.atomic import atomic_write
    atomic_write(output, lambda tmp: nbformat.write(nb, tmp))


def _worker(tasks, results):
    """A worker process: one Runner, tasks until the None sentinel, then the kernel is shut down."""
    runner = Runner()
    try:
        while True:
            task = tasks.get()
            if task is None:
                break
            row, case_id, source, params, output = task
            try:
                error = runner.run(Path(source), params, Path(output))
            except Exception as exc:  # noqa: BLE001 — one case never stops the others
                error = f"{type(exc).__name__}: {exc}"
            results.put((row, case_id, output, error))
    finally:
        runner.close()


def run_notebooks(jobs: list, workers: int = 2, progress=None) -> list:
    """jobs: (row, case_id, source notebook, parameters, output path); returns (row, case_id, output, error)."""
    if not jobs:
        return []
    ctx = mp.get_context("spawn")
    tasks, results = ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(tasks, results), daemon=True) for _ in range(max(1, min(workers, len(jobs))))]
    for p in procs:
        p.start()
    for job in jobs:
        tasks.put(tuple(str(x) if isinstance(x, Path) else x for x in job))
    for _ in procs:
        tasks.put(None)
    out = []
    for _ in jobs:
        out.append(results.get())
        if progress is not None:
            progress.update(1)
    for p in procs:
        p.join()
    return sorted(out)


def run_for_batch(opts, validated) -> list:
    """--per-case-notebooks: OUT/cases/<case_id>.ipynb for every case the batch decided, from the run's
    own checked cases (`validated`: review dates included), under its playbook and --set parameters,
    so each audit notebook decides exactly as its recommendations.csv row. Failures in notebook_errors.csv."""
    import numpy as np
    import pandas as pd

    from .runner import progress_bar
    from .write import csv_bytes, safe_frame
    from ..iorw.atomic import atomic_write
    from .read import FIRST_ROW
    out = Path(opts.out)
    folder = out / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    playbook = str(Path(opts.playbook).resolve()) if opts.playbook else None
    jobs = []
    for i in np.flatnonzero(validated.valid):
        params = case_parameters(validated.cols, i)
        params.update(interactive=False, ui_language=opts.lang, playbook=playbook,
                      playbook_params=dict(opts.params or {}))
        source = NOTEBOOKS_DIR / f"{params['dispute_type']}.ipynb"
        jobs.append((int(i) + FIRST_ROW, params["case_id"], source, params, folder / notebook_name(params["case_id"])))
    bar = progress_bar(opts, len(jobs))
    try:
        results = run_notebooks(jobs, opts.workers, bar)
    finally:
        bar.close()
    failed = [{"row": r, "case_id": c, "field": "(notebook)", "message": f"{e}; the notebook is saved at {p}"}
              for r, c, p, e in results if e]
    errors = pd.DataFrame(failed, columns=["row", "case_id", "field", "message"])
    atomic_write(out / "notebook_errors.csv",
                  lambda tmp: Path(tmp).write_bytes(csv_bytes(safe_frame(errors, ("case_id", "message")), True)))
    return [f"per-case notebooks: {len(results) - len(failed)} ran, {len(failed)} failed"
            + (" (see notebook_errors.csv)" if failed else "") + f" -> {folder}"]
