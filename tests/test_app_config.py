"""The app's settings as Voila's own executor sees them (no server started): what pages run and how
long a page's kernel may take to deliver a cell's outputs."""
from __future__ import annotations

import nbformat
from voila.execute import VoilaExecutor

from helpers.app.voila_app import DisputeApp
from browser_support import NOTEBOOKS


def test_a_busy_server_waits_for_a_cells_outputs_and_skips_developer_cells():
    """nbclient's default drops outputs that arrive more than 4 s after the cell ran: under load (a
    room opening pages while the pool warms) the page then came without its form. Seen in CI and
    reproduced with two CPU hogs beside the browser tests; the executor Voila builds must wait."""
    app = DisputeApp()
    app.initialize([str(NOTEBOOKS), "--no-browser"])
    executor = VoilaExecutor(nbformat.v4.new_notebook(), config=app.config)
    assert executor.iopub_timeout >= 60
    assert 60 <= executor.timeout <= 300  # a missed wake-up for a cell's reply ends (nbclient#312)
    assert executor.skip_cells_with_tag == "jupyter-only"
