"""CSV cells in GBK or GB18030 turned into text column by column, decoding as little as possible.

Chinese Excel saves CSV in GBK (GB18030 is its superset). In these encodings every byte below 0x40
is the ASCII character it looks like (a two-byte character's second byte is 0x40 or more; the
four-byte ones use digits), so commas, semicolons, tabs, quotes and line breaks can be found in the
bytes as they are and the cells cut out before decoding. Then a column of plain ASCII (ids, dates,
numbers) is already UTF-8 and needs no decoding; a column with few distinct cells (reasons,
carriers, shop names, buyers) is decoded once per distinct cell; a column of ASCII between the same
non-ASCII start and end (`￥1,132.00`) has that start and end decoded once; any other column is
decoded in one call to the codec over its bytes, with a separator between cells to find them again.
"""
from __future__ import annotations

import numpy as np

# codecs.lookup() names of the encodings read this way, and the separators they keep intact
# (`|` is 0x7C, which can be the second byte of a GBK character).
CELL_WISE = ("gbk", "gb18030", "gb2312", "windows-936")  # windows-936: GBK with a euro sign (helpers.iorw.windows936)
SAFE_SEPARATORS = (",", ";", "\t")
_FEW = 1_000          # distinct cells a column may have (or a quarter of its cells) to be decoded per distinct cell
_SAMPLE = 5_000
PARALLEL_MIN_ROWS = 100_000


def cell_wise(encoding: str, sep: str) -> bool:
    """The bytes can be cut into cells before decoding."""
    return encoding in CELL_WISE and sep in SAFE_SEPARATORS


def text_columns(table, encoding: str):
    """The table's columns, read as strings without checking them, as text (large strings);
    UnicodeDecodeError if a cell is not valid text in `encoding` (the caller then decodes the whole
    file to name the line). Long tables use two threads (Arrow's kernels release the GIL)."""
    import pyarrow as pa
    if table.num_rows >= PARALLEL_MIN_ROWS and table.num_columns > 1:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(2) as pool:
            columns = list(pool.map(lambda col: _column_text(col, encoding), table.columns))
    else:
        columns = [_column_text(col, encoding) for col in table.columns]
    return pa.table(columns, names=table.column_names)


def _column_text(col, encoding: str):
    """A column as the reader made it (in chunks) as text: all-ASCII chunks are taken as they are."""
    import pyarrow as pa
    if all(_is_ascii(chunk) for chunk in col.chunks):
        return pa.chunked_array([chunk.view(pa.string()) for chunk in col.chunks], pa.string()).cast(pa.large_string())
    return _text(col.combine_chunks(), encoding)


def _is_ascii(chunk) -> bool:
    """A chunk of 32-bit-offset strings (as the CSV reader gives them), no cell missing, all ASCII."""
    import pyarrow as pa
    if chunk.null_count or not pa.types.is_string(chunk.type):
        return False
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
    if not len(chunk) or offsets[-1] == offsets[0]:
        return True
    return bool(np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]].max() < 0x80)


def _text(arr, encoding: str):
    import pyarrow as pa
    import pyarrow.compute as pc
    arr = arr.view(pa.binary()).cast(pa.large_binary()) if not pa.types.is_large_binary(arr.type) else arr
    if arr.null_count:
        return pa.array([None if b is None else b.decode(encoding) for b in arr.to_pylist()], pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]] if len(arr) else np.zeros(0, np.uint8)
    if not len(data) or data.max() < 0x80:
        return arr.view(pa.large_string())  # ASCII is UTF-8 already
    if len(pc.unique(arr.slice(0, _SAMPLE))) <= _SAMPLE // 2:  # cells repeat: decode each distinct one once
        enc = pc.dictionary_encode(arr)
        if len(enc.dictionary) <= max(_FEW, len(arr) // 4):
            words = [b.decode(encoding) for b in enc.dictionary.to_pylist()]
            return pa.array(words, pa.large_string()).take(enc.indices)
    framed = _framed_ascii(arr, offsets, data, encoding)
    if framed is not None:
        return framed
    return _decode_joined(arr, offsets, data, encoding)


def _framed_ascii(arr, offsets, data, encoding: str):
    """Cells that are ASCII between the same non-ASCII start and end in every cell (`￥1,132.00`,
    `12.50元`): the start and end decoded once, the ASCII between kept as it is; else None.

    The start is the first cell's leading run of bytes from 0x80 up, the end its trailing run; each
    must decode on its own (so it ends on a character boundary: a cell starts on one), and what lies
    between must be ASCII in every cell, which GBK and GB18030 write as ASCII."""
    import pyarrow as pa
    import pyarrow.compute as pc
    first = bytes(data[offsets[0] - offsets[0]:offsets[1] - offsets[0]])
    lead = len(first) - len(first.lstrip(bytes(range(0x80, 0x100))))
    trail = len(first) - len(first.rstrip(bytes(range(0x80, 0x100))))
    if lead == len(first):
        return None
    head, tail = first[:lead], first[len(first) - trail:]
    try:
        head_text, tail_text = head.decode(encoding), tail.decode(encoding)
    except UnicodeDecodeError:
        return None
    lengths = np.diff(offsets)
    if lengths.min() < lead + trail:
        return None
    starts = offsets[:-1] - offsets[0]
    for part, at in ((head, starts), (tail, starts + lengths - trail)):
        for k, byte in enumerate(part):
            if not np.all(data[at + k] == byte):
                return None
    # every byte from 0x80 up is one of those: what lies between is ASCII
    if np.count_nonzero(data >= 0x80) != len(lengths) * (lead + trail):
        return None
    out = arr.cast(pa.large_binary())
    if lead:
        out = pc.binary_replace_slice(out, 0, lead, head_text.encode("utf-8"))
    if trail:
        out = pc.binary_replace_slice(out, -trail, np.iinfo(np.int64).max, tail_text.encode("utf-8"))
    return out.view(pa.large_string())


def _decode_joined(arr, offsets, data, encoding: str):
    """All cells decoded in one codec call, a NUL byte between cells to cut them apart again."""
    import pyarrow as pa
    n = len(arr)
    cuts = offsets[1:-1] - offsets[0]
    text = np.insert(data, cuts, 0).tobytes().decode(encoding).encode("utf-8")
    utf8 = np.frombuffer(text, dtype=np.uint8)
    seps = np.flatnonzero(utf8 == 0)
    if len(seps) != n - 1:  # a cell holds a NUL itself: decode cell by cell
        return pa.array([b.decode(encoding) for b in arr.to_pylist()], pa.large_string())
    bounds = np.concatenate(([0], seps - np.arange(n - 1), [len(utf8) - (n - 1)])).astype(np.int64)
    body = np.delete(utf8, seps)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(bounds), pa.py_buffer(body))
