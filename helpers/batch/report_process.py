"""The review report's own process, started with the batch and kept warm until the results are ready.

Rendering the report needs IPython, matplotlib and nbconvert: over a second of imports, which on a
small batch cost more than the batch itself. `start()` begins a process that does those imports
while the batch runs (on the other core); `render(folder)` then hands it the finished run folder and
waits for report.ipynb and report.html, made by the same `render_report` as in process, so the files
are the same. Without a started process (or if it died) `render` renders here, in this process.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..core.process import interrupt_ignored_by_spawned

_WARM = None


def _serve(conn) -> None:
    """The report process: import what the report needs, then render each folder it is sent."""
    from . import report  # noqa: F401  (pandas and the report's functions)
    from .inprocess import warm_up
    warm_up()
    while True:
        try:
            folder = conn.recv()
        except EOFError:  # the batch is gone (killed): nothing to render, nothing to say
            os._exit(0)
        if folder is None:
            # every report it made is written and closed (atomic_write); tearing down IPython,
            # matplotlib and nbconvert's modules would keep the batch waiting half a second for nothing
            conn.close()
            os._exit(0)
        conn.send(render_here(Path(folder)))


def render_here(folder: Path) -> str:
    """Render the review report into `folder`; '' or what failed (the results stand without it)."""
    from .report import render_report
    try:
        render_report(folder)
    except Exception as exc:  # noqa: BLE001 — the results are complete; say what failed and how to retry
        return f"{type(exc).__name__}: {' '.join(str(exc).split())[-300:]}"
    return ""


class ReportProcess:
    def __init__(self):
        import multiprocessing as mp
        ctx = mp.get_context("spawn")  # a fresh interpreter: no threads or locks inherited from the batch
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child,), daemon=True, name="dispute-playbook-report")
        with interrupt_ignored_by_spawned():  # Ctrl-C: the batch stops this process, which says nothing
            self.proc.start()
        child.close()

    def render(self, folder: Path) -> str | None:
        """'' or what failed; None when the process is gone (the caller renders in process)."""
        try:
            self.conn.send(str(folder))
            return self.conn.recv()
        except (EOFError, OSError):
            return None

    def close(self) -> None:
        try:
            self.conn.send(None)
        except (EOFError, OSError):
            pass
        self.proc.join(timeout=10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def start() -> None:
    """Start the warm report process (once); the batch calls this before it begins."""
    global _WARM
    if _WARM is None:
        _WARM = ReportProcess()


def stop() -> None:
    global _WARM
    if _WARM is not None:
        _WARM.close()
        _WARM = None


def render(folder: Path) -> str:
    """The report of a finished run folder, by the warm process when one was started, else here."""
    if _WARM is not None:
        outcome = _WARM.render(folder)
        if outcome is not None:
            return outcome
        stop()
    return render_here(Path(folder))
