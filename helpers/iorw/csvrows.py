"""CSV records delimited on their own, so a broken quote never merges rows.

A record is one physical line unless a quoted cell holds a line break. The rows are counted from
the lines, independently of the parser: when every line closes its quotes and has no stray quote,
pyarrow reads the file and must give exactly one row per non-blank line. A UTF-8 file without any
quote or stray carriage return (the usual export) is counted from its bytes alone (block by block,
no scan by line; read_plain_file reads it from the disk so) and must give one row per line; any
disagreement takes the slower paths below. Otherwise the lines are cut into records so that the fewest lines are broken: a quote left open joins the next lines only
if the joined record is valid CSV with the header's number of cells and joining breaks fewer lines
(on a tie: none of the joined lines is a complete row by itself); else the line that opened it is
rejected on its own (its problem in ROW_PROBLEM) and reading goes on from the next line. A row with too many or too few cells, or a stray quote, is rejected the same
way. Every row keeps its line number (`frame.attrs["rows"]`), so rows in = results + errors.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np

from ..core.exceptions import InputFileError
from ..core.reasons import Reason
from .transcode import text_columns

ROW_PROBLEM = "__row_problem__"  # a column only the careful path adds: why a row cannot be read
# A quote with a non-delimiter on both sides: a quote inside an unquoted cell, or a closing quote
# followed by more text. Neither occurs in valid CSV (a quote inside a quoted cell is doubled).
_STRAY_TEXT = re.compile(r'[^,"\r\n]"[^,"\r\n]')
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
DELIMITERS_ZH = {",": "逗号", ";": "分号", "\t": "制表符", "|": "竖线"}
_LONE_CR = re.compile(r"\r(?!\n)")
_CR_MARK = "\ue000"
# why a line is not a row of cases (helpers.core.reasons words them in English and Chinese)
UNCLOSED = Reason("row_unclosed")
STRAY = Reason("row_stray")
# the csv module refuses a cell over 128 KiB ("field larger than field limit"), which read as a stray
# quote: a valid row with a long note was rejected for a quote it did not have. Any size a line can be
csv.field_size_limit(2**31 - 1)


def _ragged(k, n, sep=","):
    if k == 1 and n > 1:  # a line of text among the records: a title or footer an export adds ("4 record(s) downloaded")
        return Reason("row_text_line", n=n)
    return Reason("row_cells", k=k, n=n, delimiter={"en": DELIMITERS[sep], "zh": DELIMITERS_ZH[sep]})


def _stray_text(sep):
    return _STRAY_TEXT if sep == "," else re.compile(rf'[^{re.escape(sep)}"\r\n]"[^{re.escape(sep)}"\r\n]')


def header_cells(path, line: str, sep=",") -> list:
    """The column names of a header line (repeats renamed `name.1`); a broken or empty header is an error."""
    if line.count('"') % 2 or _stray_text(sep).search(line):
        raise InputFileError(path, "the header line has an unpaired or stray quote (\")",
                             "fix the header line; no row can be read safely until it is")
    names = next(csv.reader([line.rstrip("\r\n")], delimiter=sep), [])
    if not any(n.strip() for n in names):
        raise InputFileError(path, "the header line is empty",
                             "the first line (or `header_row` of the mapping) must hold the column names")
    out, seen = [], {}
    for name in (n.strip() for n in names):
        k = seen.get(name, 0)
        seen[name] = k + 1
        out.append(name if k == 0 else f"{name}.{k}")  # a repeated header keeps its cells, renamed
    return out


def _split_lines(body: bytes, encoding="utf-8") -> list:
    """Physical lines, each with its line break (only \n ends a line; \r\n keeps its \r)."""
    return [line for line in re.split(r"(?<=\n)", body.decode(encoding)) if line]


def read_csv_bytes(path: Path, data: bytes, header_row: int = 1, sep: str = ",", encoding: str = "utf-8",
                   repeated=()):
    """A frame of text cells, one row per record, from CSV bytes whose header is line `header_row`,
    cells separated by `sep`. The bytes are UTF-8, or in an encoding helpers.iorw.transcode reads
    cell by cell (GBK, GB18030: a byte below 0x40 is always the ASCII character, so quotes, line
    breaks and separators are found in the bytes as they are). The columns named in `repeated`
    come dictionary-encoded when Arrow reads UTF-8 (see _arrow_table)."""
    pos = 0
    for _ in range(header_row - 1):
        nl = data.find(b"\n", pos)
        if nl < 0:
            raise InputFileError(path, f"has fewer than {header_row} lines, so line {header_row} cannot be the header",
                                 "check `header_row` in the mapping")
        pos = nl + 1
    nl = data.find(b"\n", pos)
    header_line = data[pos:] if nl < 0 else data[pos:nl + 1]
    header = header_cells(path, header_line.decode(encoding), sep)
    first_line = header_row + 1
    start = len(data) if nl < 0 else nl + 1
    if encoding == "utf-8":
        frame = _plain_frame(data, start, header, first_line, sep, repeated)
        if frame is not None:
            return frame
    body = memoryview(data)[start:]  # the bytes after the header, where they lie (no copy)
    frame = _fast(body, header, first_line, sep, encoding, quoted=data.find(b'"', start) >= 0, repeated=repeated)
    if frame is None:
        frame = _careful(_split_lines(bytes(body), encoding), header, first_line, sep)
    return frame


class LineNumbers(np.ndarray):
    """Read-only row numbers kept in `frame.attrs`: pandas deep-copies attrs into every frame or
    column derived from the frame, so these hand themselves over instead of being copied."""

    def __deepcopy__(self, memo):
        return self


def line_numbers(values) -> LineNumbers:
    out = np.array(values, dtype=np.int64).view(LineNumbers)
    out.flags.writeable = False
    return out


def _plain_frame(data: bytes, start: int, header: list, first_line: int, sep=",", repeated=()):
    """The frame of UTF-8 bytes whose lines after `start` are its records (see _plain_lines), or None.
    Arrow reads the bytes where they are, as large strings (pandas takes them without a copy)."""
    if data.find(b'"', start) >= 0:
        return None  # quoted cells (a memchr): not worth a parse that would be dropped

    def lines():
        stream = io.BytesIO(data)  # shares the bytes, no copy
        stream.seek(start)
        return _plain_lines(stream)
    return _parsed_beside(lambda: _arrow_table(pa_buffer(memoryview(data)[start:]), header, sep, large=True,
                                               repeated=repeated), lines, header, first_line)


def read_plain_file(path: Path, start: int, header: list, first_line: int, sep=",", repeated=()):
    """The frame of a UTF-8 file whose lines after byte `start` are its records (see _plain_lines), or
    None for any other file. Arrow reads the file itself from `start` while its lines are counted
    here block by block, so the file's bytes are never held whole (a 240 MB export: 0.15 s and 240 MB
    less than reading it into memory first). Arrow checks the cells are UTF-8; a cell that is not
    makes this None (the caller reads the file the general way)."""
    def parse():
        import pyarrow as pa
        with pa.OSFile(str(path)) as f:
            f.seek(start)
            return _arrow_table(f, header, sep, large=True, repeated=repeated)

    def lines():
        with open(path, "rb", buffering=0) as f:
            f.seek(start)
            return _plain_lines(f)
    return _parsed_beside(parse, lines, header, first_line)


SCAN_BLOCK = 8 << 20  # bytes counted at a time: a block stays in the cache for its three passes


def _plain_lines(stream):
    """The indices of the lines from the stream's position on, when the bytes alone show one record
    per line: no quote, no carriage return outside a CRLF, a first line that is not blank; else None
    (also for no line at all). Read block by block. pyarrow skips blank lines, so a later blank line
    gives fewer rows than this count, and the caller then reads the file line by line."""
    lines = cr = crlf = 0
    previous = b""
    buffer = bytearray(SCAN_BLOCK)
    while True:
        size = stream.readinto(buffer)
        if not size:
            break
        block = buffer if size == len(buffer) else memoryview(buffer)[:size].tobytes()
        if not previous and (block.startswith(b"\n") or block.startswith(b"\r\n")):
            return None
        if block.find(b'"') >= 0:
            return None
        if previous == b"\r" and block.startswith(b"\n"):
            crlf += 1  # a CRLF cut by the block boundary
        if block.find(b"\r") >= 0:
            cr += block.count(b"\r")
            crlf += block.count(b"\r\n")
        lines += block.count(b"\n")
        previous = block[-1:]
    if not previous or cr != crlf:
        return None
    return np.arange(lines + (previous != b"\n"))


def _parsed_beside(parse, record_lines, header: list, first_line: int):
    """The frame Arrow parses (`parse`: a table, or None for a ragged row) when `record_lines` (the
    indices of the lines holding a record each, or None) agrees with it row for row, else None.
    The parse runs on a thread of its own while the lines are checked here (both release the GIL),
    and pandas is imported meanwhile (~0.2 s the frame needs)."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        parsed = pool.submit(parse)
        lines = record_lines()
        if lines is None:
            return None  # leaving the pool waits for the parse; whatever it gave or raised is dropped
        import pandas as pd
        if len(lines) == 0:
            frame = pd.DataFrame({h: pd.Series([], dtype=object) for h in header})
            frame.attrs["rows"] = line_numbers([])
            return frame
        table = parsed.result()
    if table is None or table.num_rows != len(lines):
        return None
    frame = arrow_frame(table.rename_columns(header))
    frame.attrs["rows"] = line_numbers(lines + first_line)
    return frame


def arrow_frame(table):
    """A pandas frame over an Arrow table's columns without a copy: text as pandas' Arrow-backed
    strings, dictionary-encoded text as Arrow-backed dictionary columns (pandas' own categoricals
    would re-code every cell: 0.1-0.4 s for a million rows of 30 such columns)."""
    import pandas as pd
    import pyarrow as pa
    return table.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_dictionary(t) else None)


def _fast(body, header: list, first_line: int, sep=",", encoding="utf-8", quoted: bool = True, repeated=()):
    """pyarrow's reading (and decoding) when the lines alone show every record is one line; else None.
    `quoted=False`: the caller found no quote in the body (a memchr, cheaper than an array pass)."""
    return _parsed_beside(lambda: _arrow_table(pa_buffer(body), header, sep, encoding, repeated=repeated),
                          lambda: _record_lines(np.frombuffer(body, dtype=np.uint8), sep, quoted), header, first_line)


MARK_BLOCK = 1 << 18  # bytes searched for line breaks and quotes at a time: the masks stay in the cache


def _record_lines(arr, sep=",", quoted: bool = True):
    """The indices of the non-blank lines when each of them is a whole record (no line leaves a
    quote open, no stray quote), else None. A line leaves a quote open when an odd number of quotes
    comes before its line break (or the end). Searched a block at a time into one reused mask: a
    mask of the whole body would be fresh memory the size of the file, slower than the search."""
    mask = np.empty(min(len(arr), MARK_BLOCK), dtype=bool)
    breaks, quotes_before = [], 0
    for start in range(0, len(arr), MARK_BLOCK):
        block = arr[start:start + MARK_BLOCK]
        here = mask[:len(block)]
        nl = np.flatnonzero(np.equal(block, 10, out=here))
        if quoted:
            quotes = np.flatnonzero(np.equal(block, 34, out=here))
            # a block without quotes still breaks lines inside a quote a block before opened
            if len(nl) and np.any((np.searchsorted(quotes, nl) + quotes_before) & 1):
                return None  # some line leaves a quote open
            if len(quotes) and _stray_quote(arr, quotes + start, sep):
                return None
            quotes_before += len(quotes)
        breaks.append(nl + start)
    if quotes_before & 1:
        return None  # the last line leaves a quote open
    nl = np.concatenate(breaks) if breaks else np.empty(0, dtype=np.int64)
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [len(arr)]))
    length = ends - starts
    cr = np.zeros(len(starts), dtype=bool)
    has = length > 0
    cr[has] = arr[np.minimum(ends[has] - 1, len(arr) - 1)] == 13
    blank = (length == 0) | ((length == 1) & cr)
    return np.flatnonzero(~blank)


def pa_buffer(body):
    """Bytes (or a view of them) as an Arrow reader over them where they lie: Arrow reads it without
    the GIL, which it does not for a Python file object."""
    import pyarrow as pa
    return pa.BufferReader(pa.py_buffer(body))


def _arrow_table(source, header: list, sep=",", encoding="utf-8", large: bool = False, repeated=()):
    """The body (an Arrow readable: pa_buffer, or a file at the body's start) as an Arrow table of
    the header's text columns (large strings with `large`: pandas takes those without a copy), one
    row per line, or None for a ragged row, or for a cell that is not UTF-8 when `encoding` is UTF-8
    (Arrow checks it); UnicodeDecodeError when a cell is not text in another `encoding`.

    A UTF-8 column named in `repeated` (a column of few distinct texts: codes, yes/no, dates) is
    dictionary-encoded while it is parsed, so each distinct text is kept once and the cells become
    codes, which the validation takes as they are. 1M cases with 27 such columns: the parse costs
    0.27 CPU-seconds more, the validation 0.46 less, and the batch's peak memory is 250 MB lower."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    names = [f"c{j}" for j in range(len(header))]
    text = pa.large_string() if large else pa.string()
    coded = {f"c{j}" for j, h in enumerate(header) if h in repeated} if encoding == "utf-8" else set()
    try:
        table = pcsv.read_csv(
            source,
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.dictionary(pa.int32(), text) if c in coded else text for c in names},
                check_utf8=encoding == "utf-8",
                null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None  # a ragged row: the careful path rejects it on its own
    return table if encoding == "utf-8" else text_columns(table, encoding)


def _stray_quote(arr, quotes, sep=",") -> bool:
    """Some quote has a non-delimiter on both sides (what _STRAY matches), found from the quotes alone."""
    delimiting = np.zeros(256, dtype=bool)
    delimiting[[ord(sep), ord('"'), ord("\r"), ord("\n")]] = True
    inner = quotes[(quotes > 0) & (quotes < len(arr) - 1)]
    return bool(np.any(~delimiting[arr[inner - 1]] & ~delimiting[arr[inner + 1]]))


def _parse(text: str, n: int, sep=","):
    """(cells, problem) for one record's text."""
    body = text.rstrip("\r\n")
    if body.count('"') % 2:
        return None, UNCLOSED
    if _stray_text(sep).search(body):
        return None, STRAY
    lone_cr = "\r" in body and _LONE_CR.search(body)
    if lone_cr:  # a bare CR inside a cell is data (the csv module would end the record there)
        body = _LONE_CR.sub(_CR_MARK, body)
    try:
        rows = list(csv.reader(io.StringIO(body, newline=""), strict=True, delimiter=sep))
    except csv.Error:
        return None, STRAY
    if len(rows) != 1:
        return None, UNCLOSED
    cells = [c.replace(_CR_MARK, "\r") for c in rows[0]] if lone_cr else rows[0]
    if len(cells) != n:
        return cells, _ragged(len(cells), n, sep)
    return cells, None


def _segments(lines: list, n: int, sep=","):
    """Where each record starts and ends, chosen so that the fewest lines are broken.

    From line i a record is either line i alone or, when line i leaves a quote open, lines i..e up
    to the next line that closes it (only if together they are valid CSV with n cells). Walking back
    from the end, best[i] is the fewest broken records from line i on; a join wins when it breaks
    fewer, and on a tie only if no joined line starts a valid record of its own (else an open quote
    would swallow that row). Returns per start: (end, cells, problem) for the chosen record."""
    m = len(lines)
    odd = [line.count('"') % 2 for line in lines]
    closer, next_odd = [None] * m, None
    for i in range(m - 1, -1, -1):
        closer[i] = next_odd if odd[i] else i
        if odd[i]:
            next_odd = i
    best, choice, starts_valid = [0] * (m + 1), [None] * m, [False] * m
    for i in range(m - 1, -1, -1):
        if not lines[i].strip("\r\n"):
            best[i], choice[i] = best[i + 1], None
            continue
        cells, problem = _parse(lines[i], n, sep)
        alone = (i, cells, problem), (problem is not None) + best[i + 1]
        chosen, cost = alone
        e = closer[i]
        if e is not None and e > i:
            joined_cells, joined_problem = _parse("".join(lines[i:e + 1]), n, sep)
            if joined_problem is None:
                joined = best[e + 1]
                swallows = any(starts_valid[k] for k in range(i + 1, e + 1))
                if joined < cost or (joined == cost and not swallows):
                    chosen, cost = (e, joined_cells, None), joined
        if chosen[2] is None:
            starts_valid[i] = True
        elif odd[i]:
            chosen = (i, cells, problem if problem is not None else UNCLOSED)
        best[i], choice[i] = cost, chosen
    return choice


def _careful(lines: list, header: list, first_line: int, sep=","):
    """One row per record (see _segments); a broken line becomes a row of its own with its problem."""
    import pandas as pd
    n = len(header)
    rows, problems, numbers = [], [], []
    choice = _segments(lines, n, sep)
    i = 0
    while i < len(lines):
        if choice[i] is None:  # a blank line
            i += 1
            continue
        j, cells, problem = choice[i]
        if problem is not None:
            problems.append(problem)  # a Reason: the row's FieldProblem tells it in the run's language
            cells = (cells if cells is not None else lines[i].rstrip("\r\n").replace('"', "").split(sep))
            cells = (list(cells) + [""] * n)[:n]
        else:
            problems.append("")
        rows.append(cells)
        numbers.append(first_line + i)
        i = j + 1
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else \
        pd.DataFrame({h: pd.Series([], dtype=object) for h in header})
    frame[ROW_PROBLEM] = problems
    frame.attrs["rows"] = line_numbers(numbers)
    return frame
