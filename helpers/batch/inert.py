"""Buyer text made inert for spreadsheets: a cell a spreadsheet would run as a formula gets a leading '."""
from __future__ import annotations

import numpy as np

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_STARTS_FORMULA = np.zeros(256, dtype=bool)
_STARTS_FORMULA[[ord(c) for c in _FORMULA_START]] = True  # all ASCII: a UTF-8 text's first byte tells


def neutralise(value):
    """Spreadsheet formula injection: text that a spreadsheet would run is prefixed with '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def as_given(value):
    """The inverse of `neutralise`: a written cell as the case gave it, for what shows text without
    running it (the HTML report, which escapes it). The ' before a formula character is taken off.

    One text is ambiguous: a text that itself began with ' followed by a formula character ("'=A1",
    "'-5") is written unchanged (it does not start with a formula character), so it reads back
    without its ': "'=A1" is shown as "=A1". The written cell cannot tell the two apart."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def neutralise_column(values):
    """`neutralise` over a whole text column (Arrow does the work); returns an Arrow array.

    Only the rows a spreadsheet would run are rebuilt; a column with none comes back as it is."""
    import pyarrow as pa
    import pyarrow.compute as pc
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(
        np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.large_string())  # dictionary-encoded texts, or an empty column of nulls
    risky = _risky(arr)
    if not risky.any():
        return arr
    quoted = pc.binary_join_element_wise(pa.scalar("'", arr.type), arr, pa.scalar("", arr.type))
    return pc.if_else(pa.array(risky), quoted, arr)


def _risky(arr) -> np.ndarray:
    """Which cells start with a character of _FORMULA_START, read from each cell's first byte in the
    Arrow buffers (a regex over a column of long messages costs 30x more); a null is not risky."""
    from ..iorw.textcols import edge_bytes
    first, _, length = edge_bytes(arr)
    return _STARTS_FORMULA[first] & (length > 0)
