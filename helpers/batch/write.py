"""The batch's write path: buyer text made inert for spreadsheets, results as CSV and XLSX.

Everything a batch writes goes through here: `safe_frame`/`neutralise_column` prefix text a
spreadsheet would run as a formula with ', `csv_bytes` lays a frame out as CSV (pyarrow's writer),
`write_xlsx` turns the finished CSV into the workbook with numbers as numbers and text as text.
"""
from __future__ import annotations

import functools
from pathlib import Path

from ..iorw.atomic import atomic_write
from .inert import neutralise, neutralise_column  # noqa: F401  (the write path's; importable from here)

def to_arrow(frame, decode: bool = True):
    """A results frame as an Arrow table of strings and doubles; `decode=False` keeps repeated texts
    (categoricals) dictionary-encoded, which Arrow's CSV writer writes as it writes the texts.
    An Arrow table is returned as it is."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if isinstance(frame, pa.Table):
        return frame
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # a text column without a text (no rows: a Dask part whose every row was rejected) is inferred
    # as Arrow's null type; such a part file made the folder of parts unreadable as one table
    table = pa.table([c.cast(pa.string()) if pa.types.is_null(c.type) else c for c in table.columns],
                     names=table.column_names)
    if not decode:
        return table
    columns = []
    for col in table.columns:
        if pa.types.is_dictionary(col.type):
            col = pc.cast(col, pa.large_string())
        elif pa.types.is_string(col.type):
            col = col.cast(pa.large_string())
        columns.append(col)
    return pa.table(columns, names=table.column_names)


def safe_table(frame, text_columns):
    """The frame as an Arrow table with its buyer-supplied text neutralised (numbers stay numbers)."""
    table = to_arrow(frame, decode=False)
    for c in text_columns:
        j = table.column_names.index(c)
        table = table.set_column(j, c, neutralise_column(table.column(j)))
    return table


def safe_frame(frame, text_columns):
    """The frame with its buyer-supplied text neutralised, as a pandas frame (numbers stay numbers)."""
    import pandas as pd
    import pyarrow as pa
    out = frame.copy()
    for c in text_columns:
        col = out[c]
        # Arrow-backed strings hand over their Arrow array through the public __arrow_array__ protocol
        arr = pa.array(col.array) if hasattr(col.array, "__arrow_array__") else col.to_numpy(dtype=object)
        out[c] = pd.arrays.ArrowStringArray(neutralise_column(arr).cast("large_string"))
    return out


def _csv_options(header: bool):
    import pyarrow.csv as pcsv
    return pcsv.WriteOptions(include_header=header, quoting_style="needed")


_SMALL_TEXT_MAX = (1 << 31) - 1  # the most bytes of text an Arrow `string` array (32-bit offsets) holds


def _for_writer(table):
    """The table as Arrow's CSV writer takes it fastest, the same cells: texts as `string` (32-bit
    offsets) where they fit, dictionaries with `string` values. The writer turns every column into
    `string` batch by batch (1,024 rows at a time); a large string, or a dictionary of them, costs it
    a conversion more per batch. 1M results rows alone: 0.71-0.77 s against 0.72-1.46 s; whole 1M
    batches, alternating, decisions only: medians 3.48 s against 3.89 s (8 runs each)."""
    import pyarrow as pa
    columns = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind) and pa.types.is_large_string(kind.value_type) \
                and all(c.dictionary.nbytes <= _SMALL_TEXT_MAX for c in column.chunks):
            column = pa.chunked_array([pa.DictionaryArray.from_arrays(c.indices, c.dictionary.cast(pa.string()))
                                       for c in column.chunks], type=pa.dictionary(kind.index_type, pa.string()))
        elif pa.types.is_large_string(kind) and all(c.nbytes <= _SMALL_TEXT_MAX for c in column.chunks):
            column = column.cast(pa.string())  # a column's chunks keep one type: all of them, or none
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def csv_bytes(frame, header: bool) -> bytes:
    """A frame (or Arrow table) as CSV (pyarrow's writer: text quoted, empty cells for missing)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    sink = pa.BufferOutputStream()
    pcsv.write_csv(_for_writer(to_arrow(frame, decode=False)), sink, _csv_options(header))
    return sink.getvalue().to_pybytes()


def write_csv(frame, path, header: bool = True, durable: bool = False) -> None:
    """A frame (or Arrow table) as a CSV file, written by Arrow straight to the file (then fsynced if durable)."""
    import pyarrow.csv as pcsv
    pcsv.write_csv(_for_writer(to_arrow(frame, decode=False)), str(path), _csv_options(header))
    if durable:
        fsync_path(path)


def fsync_path(path) -> None:
    """Make a finished file durable before it is renamed into place."""
    import os
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_SYNC_FILE_RANGE_WRITE = 2  # <fcntl.h>: start writing the range out, wait for nothing


def start_writeback(path, offset: int, length: int) -> bool:
    """Ask the kernel to start writing a range of the file to disk now, without waiting (Linux's
    sync_file_range, as databases use it), so the fsync that makes the whole file durable at the end
    finds most of it written already (`length` 0: to the end of the file). False where the call does
    not exist (nothing is lost: the fsync then writes everything)."""
    import os
    call = _sync_file_range()
    if call is None:
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        return call(fd, offset, length, _SYNC_FILE_RANGE_WRITE) == 0
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=1)
def _sync_file_range():
    """libc's sync_file_range, looked up once; None where there is none (not Linux)."""
    import ctypes
    try:
        call = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    call.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    return call


class CsvPart:
    """A CSV file grown chunk by chunk under a temporary name (Arrow appends straight to the file);
    truncated to `offset` (the manifest's last finished chunk) on resume. Each chunk starts on its way
    to the disk as soon as it is appended (start_writeback); the file is durable at `finish`, or with
    `durable` after every chunk too (a power cut then loses at most one chunk)."""

    def __init__(self, path: Path, offset: int, durable: bool = False):
        import os
        self.path = Path(path)
        self.durable = durable
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            os.ftruncate(fd, offset)
        finally:
            os.close(fd)
        self.size = offset

    def append(self, frame, header: bool) -> int:
        """Append rows (header only when asked); returns the file's size after them."""
        import pyarrow as pa
        import pyarrow.csv as pcsv
        with pa.OSFile(str(self.path), "a") as f:
            pcsv.write_csv(_for_writer(to_arrow(frame, decode=False)), f, _csv_options(header))
        size = self.path.stat().st_size
        if self.durable:
            fsync_path(self.path)
        else:
            start_writeback(self.path, self.size, size - self.size)
        self.size = size
        return self.size

    def finish(self) -> None:
        fsync_path(self.path)

    def close(self) -> None:
        """Nothing stays open between chunks; kept so callers can close in `finally`."""


def write_xlsx(csv_path: Path, xlsx_path: Path, sheet: str = "recommendations", numeric=None) -> None:
    """recommendations.xlsx from the finished CSV: numbers as numbers, text as inert text (helpers.batch.xlsx).
    Columns of repeated texts are dictionary-encoded by the CSV reader itself (they become shared strings)."""
    import csv

    import pyarrow as pa
    import pyarrow.csv as pcsv

    from .xlsx import INLINE, NUMERIC, write_sheet
    numeric = NUMERIC if numeric is None else numeric
    with open(csv_path, encoding="utf-8", newline="") as f:
        names = next(csv.reader(f))
    text, repeated = pa.large_string(), pa.dictionary(pa.int32(), pa.large_string())
    types = {n: text if n in numeric or n in INLINE else repeated for n in names}
    convert = pcsv.ConvertOptions(column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False)
    parse = pcsv.ParseOptions(newlines_in_values=True)
    try:
        table = pcsv.read_csv(csv_path, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid:
        # a row longer than Arrow's block (a cell of megabytes: "straddles two block boundaries"); the
        # file as one block reads any row (one thread: only for such a file)
        block = max(1 << 20, Path(csv_path).stat().st_size + 1)
        table = pcsv.read_csv(csv_path, read_options=pcsv.ReadOptions(block_size=block), parse_options=parse,
                              convert_options=convert)

    def write(tmp):
        # each piece starts on its way to the disk as it is written, so the fsync finds most of it there
        write_sheet(table, tmp, sheet, after_piece=lambda: start_writeback(tmp, 0, 0), numeric=numeric)
        fsync_path(tmp)
    atomic_write(xlsx_path, write)
