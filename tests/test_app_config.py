"""The app's settings as Voila's own executor and kernel managers see them (no server started): what
pages run, how long a page's kernel may take to deliver a cell's outputs, that a dead kernel is not
restarted; and which kernels the app shuts down as dead (Voila's kernel manager stood in for)."""
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


def test_kernels_are_never_restarted_blank_under_a_rendered_page():
    """A kernel that dies stays dead (helpers.app.voila_app.end_dead_kernels shuts it down): the
    kernel managers Voila makes under this app's config do not restart it."""
    from jupyter_client.manager import AsyncKernelManager
    app = DisputeApp()
    app.initialize([str(NOTEBOOKS), "--no-browser"])
    assert AsyncKernelManager(config=app.config).autorestart is False


class _Kernel:
    def __init__(self, alive: bool, shutting_down: bool = False):
        self.alive, self.shutting_down = alive, shutting_down

    async def is_alive(self):
        return self.alive


class _Pool:
    """A finished pool entry of Voila's: its kernel warmed up."""

    def __init__(self, kernel_id):
        self.kernel_id = kernel_id

    def done(self):
        return True

    def exception(self):
        return None

    def result(self):
        return {"kernel_id": self.kernel_id}


class _KernelManager:
    """What end_dead_kernels uses of Voila's kernel manager: kernels, the pools, shut down, refill."""

    def __init__(self, kernels: dict, pools: dict):
        import logging
        self.kernels, self._pools, self.log = kernels, pools, logging.getLogger("test")
        self.shut, self.filled = [], []

    def list_kernel_ids(self):
        return list(self.kernels)

    def get_kernel(self, kernel_id):
        return self.kernels[kernel_id]

    async def shutdown_kernel(self, kernel_id, now=False):
        self.shut.append(kernel_id)
        del self.kernels[kernel_id]

    def fill_if_needed(self, delay=None, notebook_name=None):
        self.filled.append(notebook_name)


def test_dead_kernels_are_shut_down_and_their_pool_warms_another_but_a_closing_page_is_left_alone():
    import asyncio

    from helpers.app.voila_app import end_dead_kernels
    km = _KernelManager({"page": _Kernel(True), "warm-dead": _Kernel(False), "page-dead": _Kernel(False),
                         "closing": _Kernel(False, shutting_down=True), "warm": _Kernel(True)},
                        {"damaged.ipynb": [_Pool("warm-dead")], "start.ipynb": [_Pool("warm")]})
    assert asyncio.run(end_dead_kernels(km)) == 2
    assert km.shut == ["warm-dead", "page-dead"]  # not "closing": its page's own shutdown is under way
    assert km.filled == ["damaged.ipynb"]
    assert asyncio.run(end_dead_kernels(km)) == 0 and km.shut == ["warm-dead", "page-dead"]
