"""Buyer text made inert for spreadsheets: a cell a spreadsheet would run as a formula gets a leading '."""
from __future__ import annotations

import numpy as np

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Spreadsheet formula injection: text that a spreadsheet would run is prefixed with '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
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
    risky = pc.fill_null(pc.match_substring_regex(arr, r"^[=+\-@\t\r]"), False)
    if not pc.any(risky).as_py():
        return arr
    quoted = pc.binary_join_element_wise(pa.scalar("'", arr.type), arr, pa.scalar("", arr.type))
    return pc.if_else(risky, quoted, arr)
