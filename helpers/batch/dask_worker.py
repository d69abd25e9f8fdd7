"""What every local Dask worker of a run sets up when it starts (a worker the nanny restarts too)."""
from __future__ import annotations

from distributed import WorkerPlugin


class CalmWorker(WorkerPlugin):
    """Ctrl-C is the client's alone. A terminal sends it to every process of the command, and each
    worker printed a KeyboardInterrupt traceback under our one-line "interrupted" (the client stops
    its workers when it is interrupted); Dask's warnings about the tasks that stop cancelled are kept
    out of the user's terminal too (errors still show)."""

    idempotent = True

    def setup(self, worker) -> None:
        import logging
        import signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a worker runs its plugins on its main thread
        logging.getLogger("distributed").setLevel(logging.ERROR)
