"""What a command-line process sets for itself before numpy is first imported."""
from __future__ import annotations

import os

NUMPY_HUGEPAGE = "NUMPY_MADVISE_HUGEPAGE"
BLAS_THREADS = "OPENBLAS_NUM_THREADS"
# OpenBLAS takes its thread count from the first of these that is set
BLAS_THREAD_SETTINGS = (BLAS_THREADS, "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def tune_numpy() -> None:
    """numpy without transparent huge pages and with one BLAS thread, unless the user chose otherwise.

    numpy asks Linux for huge pages for every large array (madvise). Where the kernel compacts
    memory to find them when a page is first touched (`defrag=madvise`, a common default), every
    fresh array waits on it: a 1M-case batch spent about 1 s more CPU time in the kernel and ran
    12% slower with them (5.21 s against 4.58 s, 5 interleaved runs each).

    numpy's OpenBLAS starts a thread per core when numpy is imported, and they spin before they
    sleep: ~110 ms of CPU time in every process that imports numpy (182 against 72 ms for
    `import numpy`), taken from the reading and deciding beside them. Nothing here multiplies large
    matrices, so one thread is all BLAS needs — what Dask sets for its workers too.

    numpy and OpenBLAS read these when numpy is imported, so they are set before; the processes a
    run starts (report, Dask workers, kernels) inherit them. A user who set any of them keeps theirs."""
    os.environ.setdefault(NUMPY_HUGEPAGE, "0")
    if not any(name in os.environ for name in BLAS_THREAD_SETTINGS):
        os.environ[BLAS_THREADS] = "1"
