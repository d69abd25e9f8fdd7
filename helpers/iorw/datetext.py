"""Date cells in a mapping's format, read strictly: a date that does not exist is no date.

Arrow's strptime is fast but lenient: it rolls an impossible date over ("2026-02-30" becomes
2026-03-02, "Feb-30-26" too, a 61st second the next minute), where Python's strptime refuses
them. Here the ISO shapes are read by Arrow's strict ISO 8601 cast when every cell has exactly
the format's shape (4x faster than strptime), and any other format's parsed values are checked
against the numbers the cells hold wherever a roll-over could have happened.
"""
from __future__ import annotations

import re

import numpy as np

# formats whose cells Arrow's ISO cast reads exactly: their shape, digit by digit
_ISO_SHAPES = {"%Y-%m-%d": "dddd-dd-dd", "%Y-%m-%d %H:%M:%S": "dddd-dd-dd dd:dd:dd",
               "%Y-%m-%dT%H:%M:%S": "dddd-dd-ddTdd:dd:dd"}
# numeric directives as regex groups, to compare a cell's own numbers with what strptime made of them
_NUMBERS = {"Y": r"(?P<Y>\d{4})", "y": r"(?P<y>\d{2})", "m": r"(?P<m>\d{1,2})", "d": r"(?P<d>\d{1,2})",
            "H": r"(?P<H>\d{1,2})", "M": r"(?P<M>\d{1,2})", "S": r"(?P<S>\d{1,2})"}


def strict_iso(text, fmt: str):
    """Timestamps (seconds) of `text` (Arrow strings, no nulls) when `fmt` is an ISO shape and every
    cell is empty or has exactly that shape and is a real date and time; else None (the caller then
    uses strptime)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    shape = _ISO_SHAPES.get(fmt)
    if shape is None or text.null_count or not len(text):
        return None
    from .textcols import string_buffers
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    offsets, data = string_buffers(text)
    width = len(shape)
    lengths = np.diff(offsets)
    empty = lengths == 0  # no date (a blank ship date): null, as strptime makes it
    if data is None or empty.all() or np.any(lengths[~empty] != width):
        return None
    cells = data[offsets[0]:offsets[-1]].reshape(-1, width)
    lowest = np.array([ord("0") if c == "d" else ord(c) for c in shape], dtype=np.uint8)  # byte by byte
    highest = np.array([ord("9") if c == "d" else ord(c) for c in shape], dtype=np.uint8)
    if np.any(cells < lowest) or np.any(cells > highest):
        return None
    if empty.any():
        text = pc.if_else(pa.array(empty), pa.scalar(None, text.type), text)
    try:
        return pc.cast(text, pa.timestamp("s"))  # strict: February 30th raises
    except pa.ArrowInvalid:
        return None


def rolled_over(text, parsed, fmt: str) -> np.ndarray:
    """Rows whose parsed value is not what the cell says (strptime rolled an impossible day or second
    over). Only rows where a roll-over can land are checked: days 1-3 of a month, seconds 0-1."""
    import pyarrow as pa
    import pyarrow.compute as pc
    n = len(parsed)
    out = np.zeros(n, dtype=bool)
    pattern, names = _pattern(fmt)
    if pattern is None or "d" not in names and "S" not in names:
        return out
    landed = pc.less_equal(pc.day(parsed), 3)
    if "S" in names:
        landed = pc.or_(landed, pc.less_equal(pc.second(parsed), 1))
    rows = np.flatnonzero(pc.fill_null(landed, False).to_numpy(zero_copy_only=False))
    if not len(rows):
        return out
    index = pa.array(rows)
    said = pc.extract_regex(pc.take(text, index), pattern)
    got = pc.take(parsed, index)
    parts = {"Y": pc.year, "y": pc.year, "m": pc.month, "d": pc.day, "H": pc.hour, "M": pc.minute, "S": pc.second}
    wrong = np.zeros(len(rows), dtype=bool)
    for name in names:
        number = pc.cast(pc.struct_field(said, name), pa.int64())  # null where the pattern did not match
        value = parts[name](got)
        if name == "y":  # two digits: the year within its century (integer division)
            value = pc.subtract(value, pc.multiply(pc.divide(value, 100), 100))
        wrong |= pc.fill_null(pc.not_equal(number, value), False).to_numpy(zero_copy_only=False)
    out[rows[wrong]] = True
    return out


def _pattern(fmt: str):
    """(a regex matching the format with its numeric fields as named groups, their names), or
    (None, ()) when a numeric field appears twice."""
    out, names, k = ["^"], [], 0
    while k < len(fmt):
        c = fmt[k]
        if c == "%" and k + 1 < len(fmt):
            d = fmt[k + 1]
            if d in _NUMBERS:
                if d in names:
                    return None, ()
                names.append(d)
                out.append(_NUMBERS[d])
            elif d == "%":
                out.append("%")
            else:
                out.append(r".+?")  # month names, weekdays, AM/PM: not compared
            k += 2
        else:
            out.append(r"\s+" if c.isspace() else re.escape(c))
            k += 1
    out.append("$")
    return "".join(out), tuple(names)
