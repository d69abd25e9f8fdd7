"""What every local Dask worker of a run sets up when it starts (a worker the nanny restarts too), and
what the user reads when one dies."""
from __future__ import annotations

import contextlib
import logging
import sys

from distributed import WorkerPlugin


class CalmWorker(WorkerPlugin):
    """Ctrl-C is the client's alone. A terminal sends it to every process of the command, and each
    worker printed a KeyboardInterrupt traceback under our one-line "interrupted" (the client stops
    its workers when it is interrupted); Dask's warnings about the tasks that stop cancelled are kept
    out of the user's terminal too (errors still show)."""

    idempotent = True

    def setup(self, worker) -> None:
        import signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a worker runs its plugins on its main thread
        logging.getLogger("distributed").setLevel(logging.ERROR)
        logging.getLogger("distributed.worker").addFilter(RetriedHeartbeats())
        from ..iorw.arrow_memory import use_reusing_pool
        use_reusing_pool()  # a worker decides and writes chunk after chunk, as the pandas engine does


class RetriedHeartbeats(logging.Filter):
    """A worker's "Failed to communicate with scheduler during heartbeat" (with Dask's traceback) when
    the scheduler, in the command's busy process, answers late: Dask tries again, and a scheduler that
    is really gone ends the run with its own error."""

    def filter(self, record) -> bool:
        return not record.getMessage().startswith("Failed to communicate with scheduler during heartbeat")


RESTARTED = ("dispute-playbook: a Dask worker stopped (killed, or out of memory) and was started again; "
             "the rows it was deciding are decided again")


class RestartsSaidPlainly(logging.Filter):
    """Dask's "Restarting worker (status=Status.running)", timestamped, in our words instead: the run
    goes on and no row is lost."""

    def filter(self, record) -> bool:
        if record.getMessage().startswith("Restarting worker"):
            print(RESTARTED, file=sys.stderr, flush=True)
            return False
        return True


@contextlib.contextmanager
def cluster_logs_in_plain_words():
    """While a local cluster runs (its scheduler and nannies live in this process): a worker's restart
    in our words, and the scheduler's and client's own notes about the tasks it lost and recomputes
    ("Removing worker … caused the cluster to lose already computed task(s)", "Couldn't gather keys",
    "rescheduling") kept out of the user's terminal — the run goes on, and a task that fails for good
    reaches the user as its error."""
    nanny = logging.getLogger("distributed.nanny")
    restarts = RestartsSaidPlainly()
    # Dask's own callbacks failing while it stops on a Ctrl-C ("Exception in callback … sync.<locals>.cancel:
    # NameError", a race in distributed.utils.sync) log through tornado with a traceback; they run after
    # this block has ended, so the command keeps them quiet for the rest of its life
    logging.getLogger("tornado.application").setLevel(logging.CRITICAL)
    quiet = [logging.getLogger(name) for name in ("distributed.scheduler", "distributed.client")]
    levels = [logger.level for logger in quiet]
    nanny.addFilter(restarts)
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        nanny.removeFilter(restarts)
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)
