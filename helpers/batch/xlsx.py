"""recommendations.xlsx at close to the cost of the CSV: the sheet's rows are made by Arrow, a column
at a time, and streamed into the workbook's zip; XlsxWriter makes everything else (workbook, styles,
column widths, the header row), so the file is the one Excel, LibreOffice and openpyxl expect.

Text cells are inline strings (text, never a formula: a cell a spreadsheet would run already carries
its ' from the CSV), numbers are numbers, a missing number is an empty cell.
"""
from __future__ import annotations

import io
import re
import zipfile

import numpy as np

NUMERIC = ("order_value", "refund_amount", "est_cost")
WIDE = ("rationale", "message")
INLINE = ("case_id", "message", "row")  # texts that rarely repeat: inline strings, not shared
ROWS_PER_PIECE = 20_000   # rows turned into XML at once: bounds the memory, not the speed
_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # not allowed in XML 1.0 (openpyxl's ILLEGAL_CHARACTERS_RE)
_SPECIAL = r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]"
_ORDINARY = bytes(b for b in range(256) if not re.fullmatch(_SPECIAL.encode(), bytes([b])))
_BLOCK = 1 << 16
_SHEET = "xl/worksheets/sheet1.xml"
_STRINGS = "xl/sharedStrings.xml"


def column_letter(j: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def _template(names, sheet: str) -> bytes:
    """An XlsxWriter workbook with the header row and column widths; its sheet gets the rows later."""
    import xlsxwriter
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    ws = wb.add_worksheet(sheet)
    for j, name in enumerate(names):
        ws.set_column(j, j, 60 if name in WIDE else 16)
    ws.write_row(0, 0, list(names))
    wb.close()
    return buf.getvalue()


EXCEL_CELL_CHARS = 32_767  # the most characters an Excel cell holds; a longer one makes Excel repair the file
CUT_MARK = " … [cut: the whole text is in the CSV]"


def _within_excel(col):
    """Cells longer than Excel takes, cut with a mark saying where the whole text is (the CSV beside)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    lengths = pc.utf8_length(col)
    longest = pc.max(lengths).as_py()
    if longest is None or longest <= EXCEL_CELL_CHARS:
        return col
    keep = EXCEL_CELL_CHARS - len(CUT_MARK) - 64  # room for the ' and escapes added after, and wide characters
    s = pa.large_string()
    cut = pc.binary_join_element_wise(pc.utf8_slice_codeunits(col, 0, keep), pa.scalar(CUT_MARK, s), pa.scalar("", s))
    return pc.if_else(pc.greater(lengths, EXCEL_CELL_CHARS), cut, col.cast(s))


def _inert(col):
    """Text as XML character data and never a formula: characters XML forbids become spaces, a cell a
    spreadsheet would run gets its ' (as in the CSV), & < > \r are escaped, and a cell longer than
    Excel holds is cut, saying so."""
    import pyarrow.compute as pc

    from .inert import neutralise_column
    col = neutralise_column(_within_excel(col))
    if not _has_special(col):  # most columns need nothing
        return col
    col = pc.replace_substring_regex(col, _ILLEGAL, " ")
    for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        col = pc.replace_substring(col, old, new)
    return col


def _has_special(col) -> bool:
    """Whether any cell holds a byte of _SPECIAL (all ASCII, so never part of a UTF-8 sequence): the
    column's bytes are scanned with `bytes.translate`, which deletes the others (4x faster than a
    regex over the cells), a block at a time so no copy of the column is made."""
    import pyarrow as pa
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    for chunk in chunks:
        data = _string_bytes(chunk)
        for start in range(0, len(data), _BLOCK):
            if bytes(data[start:start + _BLOCK]).translate(None, _ORDINARY):
                return True
    return False


def _wrap(values, before, after):
    import pyarrow as pa
    import pyarrow.compute as pc
    s = pa.large_string()
    return pc.binary_join_element_wise(pa.scalar(before, s), values, pa.scalar(after, s), pa.scalar("", s))


def _dictionary_column(col):
    """(dictionary, int64 codes) of a dictionary-encoded column (its chunks' dictionaries unified)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    col = col.unify_dictionaries() if isinstance(col, pa.ChunkedArray) else pa.chunked_array([col])
    if col.num_chunks == 0:
        return pa.array([], pa.large_string()), pa.array([], pa.int64())
    dictionary = col.chunk(0).dictionary.cast(pa.large_string())
    codes = pa.chunked_array([c.indices for c in col.chunks], col.type.index_type).combine_chunks()
    return dictionary, pc.cast(codes, pa.int64())


class _Layout:
    """How each column becomes cells. Dictionary-encoded texts (rules, labels, flags: few distinct
    values) are shared strings: the column's cells are its codes looked up in a small table of ready
    `<c t="s">` elements. Other texts (case ids, messages) are inline strings; numbers are numbers and
    a missing number an empty `<c/>`. Cells carry no `r` (the spec's default: the next column), rows do."""

    def __init__(self, table, shared_before: int, numeric=NUMERIC):
        import pyarrow as pa
        import pyarrow.compute as pc
        s = pa.large_string()
        self.columns, self.shared = [], []
        offset = shared_before
        for name in table.column_names:
            col = table.column(name)
            if pa.types.is_dictionary(col.type) and name not in numeric:
                dictionary, codes = _dictionary_column(col)
                self.shared.append(_inert(dictionary))
                cells = pa.array([f'<c t="s"><v>{offset + k}</v></c>' for k in range(len(dictionary))], s)
                self.columns.append(("lookup", (cells, codes)))
                offset += len(dictionary)
                continue
            col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
            col = col.cast(s)
            if name in numeric:
                self.columns.append(("number", (col, pc.equal(col, ""))))
            else:
                self.columns.append(("inline", _inert(col)))
        self.shared_count = offset

    def rows(self, start: int, size: int, first_row: int):
        """The `<row>` elements of rows start..start+size, one string per row."""
        import pyarrow as pa
        import pyarrow.compute as pc
        s = pa.large_string()
        rownum = pc.cast(pa.array(np.arange(first_row, first_row + size, dtype=np.int64)), s)
        parts = [pa.scalar('<row r="', s), rownum, pa.scalar('">', s)]
        for kind, col in self.columns:
            if kind == "lookup":
                cells, codes = col
                parts.append(cells.take(codes.slice(start, size)))
            elif kind == "number":
                values, missing = (c.slice(start, size) for c in col)
                cells = _wrap(values, "<c><v>", "</v></c>")
                parts.append(pc.if_else(missing, pa.scalar("<c/>", s), cells))
            else:
                parts += [pa.scalar('<c t="inlineStr"><is><t xml:space="preserve">', s), col.slice(start, size),
                          pa.scalar("</t></is></c>", s)]
        parts.append(pa.scalar("</row>", s))
        return pc.binary_join_element_wise(*parts, pa.scalar("", s))

    def shared_strings(self) -> list:
        return [_string_bytes(_wrap(d, '<si><t xml:space="preserve">', "</t></si>")) for d in self.shared]


def _string_bytes(arr) -> memoryview:
    """The concatenated bytes of an Arrow string array without nulls (its data buffer, not copied)."""
    from ..iorw.textcols import string_buffers
    offsets, data = string_buffers(arr)
    return memoryview(data[offsets[0]:offsets[-1]]) if data is not None else memoryview(b"")


def write_sheet(table, path, sheet: str = "recommendations", after_piece=None, numeric=NUMERIC) -> None:
    """`table` (every cell text; `numeric` columns hold numbers as text, "" when missing) as a workbook.
    `after_piece()`, if given, is called each time a piece of the sheet is in the file (the caller
    starts it on its way to the disk)."""
    template = _template(table.column_names, sheet)
    last = f"{column_letter(len(table.column_names) - 1)}{len(table) + 1}"
    header = len(table.column_names)
    layout = _Layout(table, header, numeric)
    with zipfile.ZipFile(io.BytesIO(template)) as src, \
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info.filename).decode("utf-8")
            if info.filename == _SHEET:
                head, tail = data.split("</sheetData>", 1)
                head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', head, count=1)
                pieces = (layout.rows(start, min(ROWS_PER_PIECE, len(table) - start), start + 2)
                          for start in range(0, len(table), ROWS_PER_PIECE))
                _stream(dst, info, head, (_string_bytes(p) for p in pieces), "</sheetData>" + tail, after_piece)
            elif info.filename == _STRINGS:
                head, tail = data.split("</sst>", 1)
                used = header + len(table) * len(layout.shared)
                head = re.sub(r'count="\d+" uniqueCount="\d+"', f'count="{used}" uniqueCount="{layout.shared_count}"',
                              head, count=1)
                _stream(dst, info, head, layout.shared_strings(), "</sst>" + tail)
            else:
                dst.writestr(info, data)


def _stream(dst, info, head: str, body, tail: str, after_piece=None) -> None:
    """One zip entry from pieces; each piece is written (its CRC taken) in a thread while the next one
    is made."""
    from concurrent.futures import ThreadPoolExecutor

    def put(chunk):
        out.write(chunk)
        if after_piece is not None:
            dst.fp.flush()
            after_piece()
    with dst.open(zipfile.ZipInfo(info.filename, date_time=info.date_time), "w", force_zip64=True) as out, \
            ThreadPoolExecutor(1) as pool:
        out.write(head.encode("utf-8"))
        pending = None
        for chunk in body:
            if pending is not None:
                pending.result()
            pending = pool.submit(put, chunk)
        if pending is not None:
            pending.result()
        out.write(tail.encode("utf-8"))
