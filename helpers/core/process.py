"""What a command-line process sets for itself: before numpy and pyarrow are first imported, and
for the processes it starts."""
from __future__ import annotations

import contextlib
import os

NUMPY_HUGEPAGE = "NUMPY_MADVISE_HUGEPAGE"
ARROW_HUGEPAGE = "MIMALLOC_ALLOW_THP"  # pyarrow's default allocator is mimalloc
BLAS_THREADS = "OPENBLAS_NUM_THREADS"
# OpenBLAS takes its thread count from the first of these that is set
BLAS_THREAD_SETTINGS = (BLAS_THREADS, "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def tune_numeric_libraries() -> None:
    """numpy and Arrow without transparent huge pages, and one BLAS thread, unless the user chose otherwise.

    numpy (for every large array) and Arrow's allocator, mimalloc, ask Linux for transparent huge
    pages. Where the kernel compacts memory to find them when a page is first touched
    (`defrag=madvise`, a common default), a fresh page waits on it: touching 512 MB of new Arrow
    memory took 0.06 s when free huge pages were at hand and 0.9–1.2 s when they were not, against a
    steady 0.17 s with ordinary pages. With numpy's off, a 1M-case batch ran 12% faster (4.58 s against
    5.21 s); with Arrow's off too, another 11% (3.86 s against 4.35 s, kernel CPU 1.1 against 2.0 s).

    numpy's OpenBLAS starts a thread per core when numpy is imported, and they spin before they
    sleep: ~110 ms of CPU time in every process that imports numpy (182 against 72 ms for
    `import numpy`), taken from the reading and deciding beside them. Nothing here multiplies large
    matrices, so one thread is all BLAS needs — what Dask sets for its workers too.

    numpy, mimalloc and OpenBLAS read these when they are loaded, so they are set before; the
    processes a run starts (report, Dask workers, kernels) inherit them. A user who set any of them
    keeps theirs."""
    os.environ.setdefault(NUMPY_HUGEPAGE, "0")
    os.environ.setdefault(ARROW_HUGEPAGE, "0")
    if not any(name in os.environ for name in BLAS_THREAD_SETTINGS):
        os.environ[BLAS_THREADS] = "1"


# A terminal sends Ctrl-C to every process of the command: each helper process a command starts (the
# report's, Dask workers) printed a KeyboardInterrupt traceback under the command's one-line
# "interrupted", though the command stops them itself. The two ways below start them deaf to it.

@contextlib.contextmanager
def interrupt_kept_from_forks():
    """SIGINT blocked while processes are forked (also from threads started inside, which keep it
    blocked): they inherit the blocked signal and never receive it, and a Ctrl-C meanwhile waits and
    arrives here once it is unblocked. A spawned process does not inherit it (the exec unblocks it).
    POSIX only."""
    import signal
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextlib.contextmanager
def signal_handled(signum, handler):
    """`handler` for `signum` while the block runs, then the handler before. Only the main thread can
    set a handler: elsewhere nothing changes."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signum, handler)
    try:
        yield
    finally:
        signal.signal(signum, before)


def interrupt_ignored_by_spawned():
    """SIGINT ignored while a process is spawned: an ignored signal stays ignored through exec, and
    Python leaves it so, from the new interpreter's first instruction. A Ctrl-C in those few
    milliseconds is lost here too, so keep the block short (one `start()`). Main thread only."""
    import signal
    return signal_handled(signal.SIGINT, signal.SIG_IGN)
