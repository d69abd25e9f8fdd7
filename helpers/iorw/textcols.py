"""Columns of cells as Arrow strings, for the mapping's vectorised work.

A CSV column arrives as pandas' string dtype, which is Arrow already: it is handed to Arrow's
kernels whole, without a copy, and comes back the same way. A spreadsheet column mixes text with
typed cells (numbers, dates): only its text cells are handed over, with their positions, and the
results are put back in their places. Work done per distinct value (words, blanks) uses Arrow's
dictionary encoding, so a column of 200,000 cells with 4 distinct words costs 4 lookups.
"""
from __future__ import annotations

import numpy as np


def is_arrow_text(series) -> bool:
    import pandas as pd
    return isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"


def text_cells(series):
    """(Arrow strings, their row positions or None): a text column whole (missing cells are null);
    of any other column its text cells, typed and missing cells left out."""
    import pyarrow as pa
    if series.dtype != object:  # pandas' string dtypes: Arrow already (or after a conversion)
        try:
            arr = pa.array(series, from_pandas=True)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
                return arr.cast(pa.large_string()), None
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    is_text = np.fromiter((isinstance(v, str) for v in series), dtype=bool, count=len(series))
    where = np.flatnonzero(is_text)
    return pa.array(series.to_numpy(dtype=object)[where], type=pa.large_string()), where


def string_buffers(arr) -> tuple:
    """(offsets as numpy, data bytes as uint8 numpy or None) of one Arrow string array, as they lie
    in its buffers (no copy): cell i is data[offsets[i]:offsets[i + 1]]."""
    import pyarrow as pa
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=width)[arr.offset:arr.offset + len(arr) + 1] \
        if buffers[1] is not None and len(buffers[1]) else np.zeros(1, dtype=width)
    return offsets, (np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else None)


def edge_bytes(arr) -> tuple:
    """(first byte, last byte, length in bytes) of every cell of an Arrow text array, chunked or not,
    read from its buffers without making a string; a missing cell has length -1. Whether a cell
    starts or ends with an ASCII character is read exactly from its bytes: in UTF-8 no byte of a
    longer character is below 0x80."""
    import pyarrow as pa
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    firsts, lasts, lengths = [], [], []
    for chunk in chunks:
        offsets, data = string_buffers(chunk)
        length = np.diff(offsets).astype(np.int64)
        first, last = np.zeros(len(chunk), dtype=np.uint8), np.zeros(len(chunk), dtype=np.uint8)
        filled = length > 0
        if filled.any():
            first[filled] = data[offsets[:-1][filled]]
            last[filled] = data[offsets[1:][filled] - 1]
        if chunk.null_count:
            missing = ~chunk.is_valid().to_numpy(zero_copy_only=False)
            length[missing], first[missing], last[missing] = -1, 0, 0
        firsts.append(first)
        lasts.append(last)
        lengths.append(length)
    if not chunks:
        return np.zeros(0, np.uint8), np.zeros(0, np.uint8), np.zeros(0, np.int64)
    return np.concatenate(firsts), np.concatenate(lasts), np.concatenate(lengths)


def positions(arr, where):
    """Row positions of the cells of `arr` (as text_cells gave them)."""
    return np.arange(len(arr)) if where is None else where


def put_back(series, arr, where):
    """`series` with its text cells (as text_cells gave them) replaced by `arr`."""
    import pyarrow as pa
    if where is None:
        return text_column(arr, series.index)
    out = series.astype(object) if series.dtype != object else series.copy()
    out.iloc[where] = arr.to_numpy(zero_copy_only=False)
    return as_text(out)


def text_column(arr, index):
    """Arrow strings as a pandas column of the string dtype (no copy)."""
    import pyarrow as pa
    out = pa.chunked_array([arr.cast(pa.large_string())]).to_pandas()
    out.index = index
    return out


def as_text(series):
    """A column of text (and missing cells) in pandas' string dtype, as the readers give it, so the
    validator takes its fast path; a column holding other values stays as it is."""
    import pandas as pd
    values = pd.unique(series.to_numpy(dtype=object))
    if all(v is None or isinstance(v, str) for v in values):
        return series.astype("str")
    return series


def distinct(series):
    """(distinct cells as Python values, code per row into them; -1 for a missing cell)."""
    import pandas as pd
    import pyarrow.compute as pc
    if is_arrow_text(series):
        arr, _ = text_cells(series)
        enc = pc.dictionary_encode(arr)
        return enc.dictionary.to_pylist(), enc.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return (uniques.tolist() if hasattr(uniques, "tolist") else list(uniques)), codes


def per_distinct(series, fn) -> np.ndarray:
    """`fn` of each cell (missing cells as None), computed once per distinct cell: an object array."""
    uniques, codes = distinct(series)
    values = np.empty(len(uniques) + 1, dtype=object)
    for k, u in enumerate(uniques):
        values[k] = fn(u)
    values[-1] = fn(None)
    return values[codes]


def spread(series, values, codes):
    """A column from one value per distinct cell (`values`, the last for a missing cell) and each row's
    code (-1: missing): text stays in pandas' Arrow string dtype, yes/no values take pandas' boolean
    dtype, anything else is kept as objects."""
    import pandas as pd
    import pyarrow as pa
    kinds = {type(v) for v in values if v is not None}
    codes = np.where(codes < 0, len(values) - 1, codes)
    if kinds <= {str} or kinds <= {bool}:
        flags = bool(kinds) and kinds <= {bool}
        taken = pa.array(values, type=pa.bool_() if flags else pa.large_string()).take(pa.array(codes))
        if not flags:
            return text_column(taken, series.index)
        out = pa.chunked_array([taken]).to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
        out.index = series.index
        return out
    boxed = np.empty(len(values), dtype=object)
    boxed[:] = values
    return pd.Series(boxed[codes], index=series.index, dtype=object)


_HASH_BASE = np.uint64(0x100000001B3)  # the FNV prime: odd, so every byte position counts


def _powers(n: int) -> np.ndarray:
    """_HASH_BASE ** k for k < n, wrapping at 64 bits."""
    out = np.full(max(n, 1), _HASH_BASE, dtype=np.uint64)
    out[0] = 1
    with np.errstate(over="ignore"):
        return np.multiply.accumulate(out)


def text_hashes(arr) -> np.ndarray:
    """A 64-bit hash of every cell of an Arrow text array (a missing cell hashes as ""), worked out
    from its bytes in a few numpy passes, with no Python string made. Equal texts hash alike in any
    array; a collision is possible, so whoever finds equal hashes compares the texts."""
    import pyarrow as pa
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    offsets, data = string_buffers(arr.cast(pa.large_string()))
    offsets = offsets.astype(np.int64)
    length = np.diff(offsets)
    out = length.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    if data is not None and offsets[-1] > offsets[0]:
        body = data[offsets[0]:offsets[-1]].astype(np.uint64)
        starts = offsets[:-1] - offsets[0]
        position = np.arange(len(body), dtype=np.int64) - np.repeat(starts, length)
        with np.errstate(over="ignore"):
            weighted = body * _powers(int(length.max()))[position]
            filled = length > 0
            out[filled] += np.add.reduceat(weighted, starts[filled])
            # splitmix64's finaliser: nearby sums end far apart
            out ^= out >> np.uint64(30)
            out *= np.uint64(0xBF58476D1CE4E5B9)
            out ^= out >> np.uint64(27)
            out *= np.uint64(0x94D049BB133111EB)
            out ^= out >> np.uint64(31)
    return out


def spread_cells(values, where, n: int):
    """An Arrow text array of the text cells' values (text_cells' `where`) as the whole column's:
    null at the other cells."""
    import numpy as np
    import pyarrow as pa
    full = np.full(n, None, dtype=object)
    full[where] = values.to_numpy(zero_copy_only=False)
    return pa.array(full, pa.large_string())
