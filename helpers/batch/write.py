"""The batch's write path: buyer text made inert for spreadsheets, results as CSV and XLSX.

Everything a batch writes goes through here: `safe_frame`/`neutralise_column` prefix text a
spreadsheet would run as a formula with ', `csv_bytes` lays a frame out as CSV (pyarrow's writer),
`write_xlsx` turns the finished CSV into the workbook with numbers as numbers and text as text.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..iorw.atomic import atomic_write

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Spreadsheet formula injection: text that a spreadsheet would run is prefixed with '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise_column(values):
    """`neutralise` over a whole text column (Arrow does the work); returns an Arrow array."""
    import pyarrow as pa
    import pyarrow.compute as pc
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(
        np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    risky = pc.match_substring_regex(arr, r"^[=+\-@\t\r]")
    quoted = pc.binary_join_element_wise(pa.scalar("'", pa.large_string()), arr, pa.scalar("", pa.large_string()))
    return pc.if_else(pc.fill_null(risky, False), quoted, arr)


def to_arrow(frame):
    """A results frame as an Arrow table of plain strings and doubles (categoricals decoded)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = []
    for col in table.columns:
        if pa.types.is_dictionary(col.type):
            col = pc.cast(col, pa.large_string())
        elif pa.types.is_string(col.type):
            col = col.cast(pa.large_string())
        columns.append(col)
    return pa.table(columns, names=table.column_names)


def csv_bytes(frame, header: bool) -> bytes:
    """A frame as CSV (pyarrow's writer: quotes only where needed, empty cells for missing)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    sink = pa.BufferOutputStream()
    pcsv.write_csv(to_arrow(frame), sink, pcsv.WriteOptions(include_header=header, quoting_style="needed"))
    return sink.getvalue().to_pybytes()


def safe_frame(frame, text_columns):
    """The frame with its buyer-supplied text neutralised (numbers stay numbers)."""
    import pandas as pd
    import pyarrow as pa
    out = frame.copy()
    for c in text_columns:
        col = out[c]
        # Arrow-backed strings hand over their Arrow array through the public __arrow_array__ protocol
        arr = pa.array(col.array) if hasattr(col.array, "__arrow_array__") else col.to_numpy(dtype=object)
        out[c] = pd.arrays.ArrowStringArray(neutralise_column(arr))
    return out


def write_xlsx(csv_path: Path, xlsx_path: Path) -> None:
    """recommendations.xlsx from the finished CSV: numbers as numbers, text as inert text."""
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    numeric = {"order_value", "refund_amount", "est_cost"}

    def write(tmp):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("recommendations")
        for j, name in enumerate(frame.columns, start=1):
            ws.column_dimensions[get_column_letter(j)].width = 60 if name in ("rationale", "message") else 16
        ws.append(list(frame.columns))
        columns = [(name in numeric, frame[name].tolist()) for name in frame.columns]
        for i in range(len(frame)):
            row = []
            for is_number, values in columns:
                cell = values[i]
                if is_number:
                    row.append(float(cell) if cell != "" else None)
                else:  # already neutralised in the CSV; control characters are not allowed in XLSX
                    row.append(neutralise(ILLEGAL_CHARACTERS_RE.sub(" ", cell)))
            ws.append(row)
        wb.save(tmp)
    atomic_write(xlsx_path, write)
