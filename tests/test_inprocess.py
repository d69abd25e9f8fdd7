"""Notebooks run in process (the batch report): outputs as a kernel sends them, parameters injected as
papermill injects them, a failing cell named in the error."""
from __future__ import annotations

import nbformat
import pytest

from helpers.batch.inprocess import NotebookCellError, run_notebook


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("n = 1", metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, str(path))
    return path


def test_outputs_parameters_and_a_fresh_namespace(tmp_path):
    src = _notebook(tmp_path / "a.ipynb", "print(n * 2)", "n + 40", "n + 1;",
                    "import matplotlib.pyplot as plt\nplt.plot([1, 2]);", "from IPython.display import Markdown\n"
                    "display(Markdown('**hi**'))", "'leftover' in dir()")
    run_notebook(src, tmp_path / "out.ipynb", {"n": 2}, cwd=tmp_path)
    nb = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4)
    assert nb.metadata["papermill"]["parameters"] == {"n": 2}
    injected = nb.cells[1]
    assert injected.metadata["tags"] == ["injected-parameters"] and "n = 2" in injected.source
    outs = [c.outputs for c in nb.cells[2:]]
    assert outs[0] == [nbformat.v4.new_output("stream", name="stdout", text="4\n")]
    assert outs[1][0].output_type == "execute_result" and outs[1][0].data["text/plain"] == "42"
    assert outs[2] == []  # a trailing ; hides the value, as in Jupyter
    assert "image/png" in outs[3][0].data
    assert outs[4][0].data["text/markdown"] == "**hi**"
    run_notebook(_notebook(tmp_path / "b.ipynb", "leftover = 1"), tmp_path / "b-out.ipynb", {}, cwd=tmp_path)
    run_notebook(src, tmp_path / "out2.ipynb", {"n": 2}, cwd=tmp_path)
    again = nbformat.read(str(tmp_path / "out2.ipynb"), as_version=4)
    assert again.cells[-1].outputs[0].data["text/plain"] == "False"  # no names left from another notebook


def test_a_failing_cell_is_named_and_recorded(tmp_path):
    src = _notebook(tmp_path / "a.ipynb", "x = 1", "1 / 0", "never = True")
    with pytest.raises(NotebookCellError, match=r"cell 4 .*ZeroDivisionError"):
        run_notebook(src, tmp_path / "out.ipynb", {}, cwd=tmp_path)
    nb = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4)
    assert nb.cells[3].outputs[-1].output_type == "error" and nb.cells[4].outputs == []
