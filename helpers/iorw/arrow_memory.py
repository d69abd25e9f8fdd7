"""Where Arrow takes its memory from during a batch.

A batch allocates and frees the same large buffers chunk after chunk (parsed columns, message
texts, CSV pieces). pyarrow's default pool on Linux is mimalloc, which hands a freed large buffer
back to the system at once, so the next chunk faults the same pages in afresh: on a 1M-case run with
messages that was 3-4 of its ~10 CPU-seconds in the kernel. jemalloc keeps freed pages for reuse for
a second (pyarrow's setting) and the kernel's share fell to ~1.5-2 CPU-seconds, with a lower peak
(docs/benchmarks.md, 8 Dec)."""
from __future__ import annotations


def use_reusing_pool() -> str:
    """Make jemalloc Arrow's default pool where this pyarrow has it; returns the pool's backend name
    (the default pool stays where jemalloc is not built in, e.g. Windows wheels)."""
    import pyarrow as pa
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # pyarrow's ArrowNotImplementedError is one
        pass
    return pa.default_memory_pool().backend_name
