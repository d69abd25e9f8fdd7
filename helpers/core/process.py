"""What a command-line process sets for itself before numpy is first imported."""
from __future__ import annotations

import os

NUMPY_HUGEPAGE = "NUMPY_MADVISE_HUGEPAGE"


def tune_numpy_memory() -> None:
    """Large numpy arrays without transparent huge pages, unless the user chose otherwise.

    numpy asks Linux for huge pages for every large array (madvise). Where the kernel compacts
    memory to find them when a page is first touched (`defrag=madvise`, a common default), every
    fresh array waits on it: a 1M-case batch spent about 1 s more CPU time in the kernel and ran
    12% slower with them (5.21 s against 4.58 s, 5 interleaved runs each). numpy reads the setting
    when it is imported, so it is set before; the processes a run starts (report, Dask workers,
    kernels) inherit it. A user who set NUMPY_MADVISE_HUGEPAGE keeps their value."""
    os.environ.setdefault(NUMPY_HUGEPAGE, "0")
