"""Reading a table of cases from a file: CSV (any common encoding), XLSX/XLS, Parquet, JSONL.

Every cell comes as the file gives it: text from CSV, typed values from spreadsheets and Parquet.
A UTF-8 CSV whose records are its lines (no quote; LF or CRLF line ends: the usual export) is parsed
by Arrow straight from the file (read_plain_utf8). Any other CSV is decoded first (the encoding
named by the mapping, else detected: UTF-8, UTF-8 with BOM, UTF-16, GBK/GB18030 via
charset-normalizer) and its records are delimited independently of the
parser (helpers.iorw.csvrows), so a broken quote or a ragged row is rejected on its own line and
never swallows the rows after it. `frame.attrs["rows"]` holds each row's line number as a
spreadsheet shows it (the header is `header_row`).
"""
from __future__ import annotations

import codecs
from pathlib import Path

from ..core.exceptions import InputFileError
from ..core.fields import FIELD_BY_NAME
from .csvrows import ROW_PROBLEM, arrow_frame, line_numbers, read_csv_bytes  # noqa: F401  (ROW_PROBLEM: the validator reads it)
from .windows936 import NAME as WINDOWS_936, shown, windows_936

READERS = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet", ".jsonl")
# East Asian codecs charset-normalizer may name for short Chinese text. The exports this toolkit
# reads come from Chinese platforms, so such bytes are read as GB18030 (a superset of GB2312 and
# GBK) when they decode as it; a Big5, Shift-JIS or EUC-KR file names its encoding in the mapping.
_EAST_ASIAN = ("gb", "hz", "big5", "euc", "cp949", "cp932", "shift_jis", "johab", "iso2022", "cp950")
_DETECT_BYTES = 1 << 16


def plain_os_error(exc: OSError) -> str:
    """An OS error in words a user reads (no "[Errno 21]")."""
    import errno
    words = {errno.ENOENT: "no such file", errno.EISDIR: "is a folder, not a file",
             errno.EACCES: "permission denied", errno.EPERM: "permission denied",
             errno.ENOTDIR: "a part of the path is not a folder", errno.ENOSPC: "the disk is full",
             errno.EROFS: "the disk is read-only", errno.ENAMETOOLONG: "the name is too long"}
    return words.get(exc.errno, (exc.strerror or str(exc)).lower())


def is_utf8(data: bytes) -> bool:
    """Whether the bytes are strict UTF-8, as Python's decoder judges it, checked by Arrow's validator
    where they lie: no text is made (a 240 MB export: 15 ms, where decoding takes 0.3 s and as much
    memory again)."""
    import numpy as np
    import pyarrow as pa
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def detect_encoding(data: bytes) -> str | None:
    """The text encoding of a CSV's bytes: a BOM decides, then strict UTF-8, then charset-normalizer
    on a sample around the first byte that is not UTF-8 (the rest is checked as it is decoded)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    no_bom = _utf16_without_bom(data[:4096])
    if no_bom:
        return no_bom
    if is_utf8(data):
        return "utf-8"
    bad = _first_not_utf8(data)
    if bad is None:
        return "utf-8"
    start = max(0, data.rfind(b"\n", 0, max(0, bad - _DETECT_BYTES // 4)) + 1)
    from charset_normalizer import from_bytes
    sample = data[start:start + _DETECT_BYTES]
    if start + _DETECT_BYTES < len(data) and b"\n" in sample:
        sample = sample[:sample.rfind(b"\n") + 1]  # whole lines: no character cut in two
    if _utf8_chinese_line(sample):  # the file mixes encodings: read as UTF-8, its bad line is named
        return "utf-8"
    if _chinese_windows(sample):
        return WINDOWS_936
    best = from_bytes(sample).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    if not name.startswith(_EAST_ASIAN) and _looks_like_gb2312(sample):
        return "gb18030"
    if name.startswith(_EAST_ASIAN):
        try:
            sample.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            pass
    return name


def _chinese_windows(sample: bytes) -> bool:
    """The sample is GBK as Chinese Windows writes it, with a euro sign (the byte 0x80, which no other
    Chinese encoding has): it reads as WINDOWS_936 and its other characters look like GB2312's."""
    if b"\x80" not in sample:
        return False
    try:
        sample.decode(WINDOWS_936)
    except UnicodeDecodeError:
        return False
    # the euro byte already rules out a Latin code page: most (not all) characters need be GB2312's
    return _looks_like_gb2312(sample.decode(WINDOWS_936).replace("\u20ac", "").encode("gb18030"), share=0.8)


def _utf8_chinese_line(sample: bytes) -> bool:
    """A line of the sample is Chinese written in UTF-8 (valid UTF-8 with two hanzi or more): the file
    is UTF-8 with a row pasted in from a GBK one. Read as GB18030 it was decoded whole, and its UTF-8
    rows came out garbled (李娜 as 鏉庡▏) without a word; read as UTF-8, the line that fails is named.
    A GBK line rarely reads as UTF-8: a hanzi is three bytes there, the last two of 0x80-0xBF."""
    for line in sample.split(b"\n"):
        if max(line, default=0) < 0xE4:
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if sum("\u4e00" <= c <= "\u9fff" for c in text) >= 2:
            return True
    return False


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 saved without its byte-order mark, known by its zero bytes: a CSV's headers, ids, dates
    and separators are ASCII, each a zero byte beside its code (after it little-endian, before it
    big-endian). Read as UTF-8 (NUL is valid there) its headers came out as 'c a s e _ i d'."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    odd, even = head[1:2 * pairs:2].count(0), head[0:2 * pairs:2].count(0)
    if odd >= pairs * 0.4 and even <= pairs * 0.05:
        return "utf-16-le"
    if even >= pairs * 0.4 and odd <= pairs * 0.05:
        return "utf-16-be"
    return None


def _first_not_utf8(data: bytes) -> int | None:
    """Where (within 3 bytes) the first byte that is not UTF-8 is; None if there is none. Decoded a
    block at a time: decoding the whole file to learn that its first line is GBK took 21 ms for 28 MB,
    most of it making room for the text."""
    decoder = codecs.getincrementaldecoder("utf-8")()  # a character cut between blocks is no error
    view = memoryview(data)
    for pos in range(0, len(data), _DETECT_BYTES):
        try:
            decoder.decode(view[pos:pos + _DETECT_BYTES], final=pos + _DETECT_BYTES >= len(data))
        except UnicodeDecodeError as exc:
            return max(0, pos + exc.start - 3)  # exc.start counts up to 3 bytes held from the block before
    return None


def _looks_like_gb2312(sample: bytes, share: float = 1.0) -> bool:
    """The sample reads as GB18030 and its every character outside ASCII is a two-byte one of
    GB2312's rows (both bytes 0xA1-0xFE: the common hanzi and Chinese punctuation). Latin text
    rarely has two such bytes in a row; a short Chinese export can look like a Latin-2 one to a
    statistical detector (seen with charset-normalizer 3.5 on a few `|`-separated rows). `share`: the
    least share of them that must be (a GBK name such as 王喆 uses a character outside GB2312)."""
    try:
        text = sample.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return False
    pairs = sum(len(b) == 2 and b[0] >= 0xA1 and b[1] >= 0xA1 for b in (c.encode("gb18030") for c in wide))
    return pairs >= share * len(wide)


def decode_csv(path: Path, data: bytes, encoding: str | None, named: bool | None = None) -> bytes:
    """The CSV's bytes as UTF-8 without a BOM (`named`: the encoding comes from the mapping)."""
    named = bool(encoding) if named is None else named
    encoding = encoding or detect_encoding(data)
    if encoding is None:
        raise InputFileError(path, "its text encoding cannot be recognised",
                             "save it as UTF-8 CSV, or name the encoding in the mapping (`encoding: gbk`)")
    if encoding in ("utf-8", "utf8") and not data.startswith(codecs.BOM_UTF8):
        try:
            if not is_utf8(data):
                data.decode("utf-8")  # raises, naming where
            return data
        except UnicodeDecodeError as exc:
            raise _undecodable(path, data, exc, "utf-8", named) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if not _euro_of_windows(encoding, exc):
            raise _undecodable(path, data, exc, encoding, named) from None
        return decode_csv(path, data, WINDOWS_936, named)  # a euro sign past the sample: Windows' GBK
    except LookupError:
        raise InputFileError(path, f"unknown text encoding {encoding!r}",
                             "use a codec name such as utf-8, gbk, gb18030 or utf-16") from None
    return text.lstrip("\ufeff").encode("utf-8")


def _euro_of_windows(encoding: str, exc: UnicodeDecodeError) -> bool:
    """The byte GBK or GB18030 could not decode is 0x80, the euro sign of Windows' GBK (code page 936)."""
    return encoding in ("gbk", "gb18030", "gb2312") and isinstance(exc.object, (bytes, bytearray, memoryview)) \
        and bytes(exc.object[exc.start:exc.start + 1]) == b"\x80"


def _undecodable(path, data, exc, encoding, named):
    line = data.count(b"\n", 0, exc.start) + 1
    how = "the mapping says" if named else "it looks like"
    return InputFileError(path, f"line {line} is not valid {shown(encoding)} text ({how} {shown(encoding)})",
                          "name the right encoding in the mapping (`encoding: gbk`, `gb18030`, `utf-16`), "
                          "or save the file as UTF-8 CSV")


HEADER_SCAN_LINES = 20
_HEAD_BYTES = 1 << 16
SEPARATORS = (",", "\t", ";", "|")


def find_header_row(lines, expected) -> int:
    """The 1-based line (of the first few) naming the most expected headers. When none names any,
    the first line with the most filled cells (a title line above the header has fewer)."""
    filled, hits = _header_hits(lines, expected)
    if hits and max(hits) > 0:
        return hits.index(max(hits)) + 1
    widths = [len(cells) for cells in filled]
    return widths.index(max(widths)) + 1 if widths and max(widths) > 0 else 1


def _header_hits(lines, expected) -> tuple[list, list]:
    """(the filled cells of each of the first lines, how many expected headers each names)."""
    expected = {str(e).strip() for e in expected}
    filled = [[str(c).strip() for c in cells if c is not None and str(c).strip() and str(c) != "nan"]
              for cells in lines[:HEADER_SCAN_LINES]]
    return filled, [len(set(cells) & expected) for cells in filled]


def cases_sheet(heads: dict, expected):
    """Of a workbook's sheets (name -> its first lines), the one whose header names the most expected
    headers: the cases, where a summary sheet comes first; the first sheet when none names more."""
    names = list(heads)
    best = [max(_header_hits(heads[n], expected)[1], default=0) for n in names]
    return names[best.index(max(best))] if names and max(best) > best[0] else (names[0] if names else 0)


def sniff_separator(head: str, expected=()) -> str:
    """The cell separator of CSV text (its first lines): of comma, tab, semicolon and vertical bar,
    the one whose header line names the most `expected` headers; failing that, the one that cuts
    the most records into the same number (above one) of cells, then the most cells; else comma."""
    import csv
    import io
    from collections import Counter
    expected = {str(e).strip() for e in expected}
    text = head[:head.rfind("\n") + 1] if len(head) >= _HEAD_BYTES - 4 and "\n" in head else head
    best, best_score = ",", (0, 0, 0)
    for sep in SEPARATORS:
        hits = max((len({c.strip() for c in cells} & expected) for cells in head_rows(text, sep)), default=0)
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        except csv.Error:  # a stray carriage return: judge the lines one by one
            records = head_rows(text, sep)
        counts = Counter(len(r) for r in records if any(c.strip() for c in r))
        width, times = max(counts.items(), key=lambda kv: (kv[1], kv[0]), default=(1, 0))
        score = (hits, times, width) if width > 1 or hits > 1 else (0, 0, 0)
        if score > best_score:
            best, best_score = sep, score
    return best


def head_rows(head: str, sep: str) -> list:
    """The first lines of CSV text cut into cells."""
    return [_cells(line, sep) for line in head.split("\n")[:HEADER_SCAN_LINES]]


def _cells(line: str, sep: str) -> list:
    import csv
    try:
        return next(csv.reader([line.rstrip("\r")], delimiter=sep), [])
    except csv.Error:  # a stray carriage return: the structure check deals with it
        return line.split(sep)


def read_csv_file(path: Path, data: bytes, *, encoding=None, header_row=1, expected=(), sep=None, repeated=()):
    """A CSV's rows (see csvrows): decoded, its separator sniffed and its header found when not given."""
    from .transcode import cell_wise
    named = bool(encoding)
    encoding = encoding or detect_encoding(data)
    if encoding is None:
        raise InputFileError(path, "its text encoding cannot be recognised",
                             "save it as UTF-8 CSV, or name the encoding in the mapping (`encoding: gbk`)")
    try:
        encoding = windows_936(codecs.lookup(encoding).name)  # a mapping's gbk is read as Windows writes it
    except LookupError:
        raise InputFileError(path, f"unknown text encoding {encoding!r}",
                             "use a codec name such as utf-8, gbk, gb18030 or utf-16") from None
    if b"\n" not in data and b"\r" in data and not encoding.startswith("utf-16"):
        # Excel for Mac's "CSV (Macintosh)" ends its lines with a bare CR: no line feed anywhere, so
        # every CR is a line's end (the csv module refused it: "new-line character seen in unquoted field")
        data = data.replace(b"\r", b"\n")
    sep, header_row = _layout(data[:_HEAD_BYTES].decode(encoding, errors="replace"), expected, sep, header_row)
    if cell_wise(encoding, sep):
        try:
            return read_csv_bytes(path, data, header_row, sep, encoding, repeated)
        except UnicodeDecodeError as exc:  # decoded whole below, which names the line
            if _euro_of_windows(encoding, exc):  # a euro sign past the sample the encoding was told from
                encoding = WINDOWS_936
                try:
                    return read_csv_bytes(path, data, header_row, sep, encoding, repeated)
                except UnicodeDecodeError:
                    pass
    if encoding == "utf-8" and not named and is_utf8(data):  # 15 ms for 240 MB; a file that mixes encodings is not
        return read_csv_bytes(path, data, header_row, sep, repeated=repeated)
    return read_csv_bytes(path, decode_csv(path, data, encoding, named), header_row, sep, repeated=repeated)


def _layout(head: str, expected, sep, header_row) -> tuple:
    """(separator, header line) of a CSV from its first bytes as text: each as given, else found."""
    head = head.lstrip("\ufeff")
    sep = sep or sniff_separator(head, set(expected) | set(FIELD_BY_NAME))
    if header_row is None:
        header_row = find_header_row(head_rows(head, sep), expected)
    return sep, header_row


def read_plain_utf8(path: Path, *, encoding=None, header_row=1, expected=(), sep=None, repeated=()):
    """The frame read_csv_file gives for a UTF-8 CSV whose records are its lines (the usual export),
    read without holding the file's bytes (helpers.iorw.csvrows.read_plain_file); None for any other
    file, which read_csv_file then reads. Everything up to the header line must be strict UTF-8 here,
    and Arrow checks every cell after it."""
    from .csvrows import header_cells, read_plain_file
    if encoding and codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        return None
    with open(path, "rb") as f:
        head = f.read(_HEAD_BYTES)
    if b"\x00" in head:  # no UTF-8 export holds a zero byte; UTF-16 without a BOM does (detect_encoding)
        return None
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    try:
        head[:head.rfind(b"\n") + 1].decode("utf-8")  # whole lines: a character cut at the end is no error
    except UnicodeDecodeError:
        return None  # another encoding (a GBK export): not worth finding its header twice
    sep, header_row = _layout(head.decode("utf-8", errors="replace"), expected, sep, header_row)
    pos = bom
    for _ in range(header_row):  # to the end of the header line, within the first bytes
        nl = head.find(b"\n", pos)
        if nl < 0:
            return None
        line, pos = head[pos:nl + 1], nl + 1
    if head.find(b'"', pos) >= 0:
        return None  # quoted cells: the general reader (spares Arrow a parse of the whole file for nothing)
    header = header_cells(path, line.decode("utf-8"), sep)
    return read_plain_file(path, pos, header, header_row + 1, sep, repeated)


def read_table(path, sheet=0, *, encoding: str | None = None, header_row: int | None = 1, expected=(),
               sep: str | None = None, repeated=()):
    """Every cell as the file gives it; a file that cannot be read is one InputFileError.

    `header_row=None`: the header is the line among the first 20 that names the most of the
    `expected` headers (title rows above it are skipped). `sep`: a CSV's cell separator (sniffed
    when not given). `repeated`: headers of columns with few distinct texts, which a UTF-8 CSV and
    the text columns of a Parquet file give dictionary-encoded (Arrow-backed pandas columns of the
    same texts: smaller, and their distinct values come with them; other files give them as they give
    any column)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise InputFileError(path, f"unsupported file type {suffix or '(none)'!r}", f"use one of {', '.join(READERS)}",
                             zh=(f"不支持的文件类型 {suffix or '（无）'!r}", f"请使用 {'、'.join(READERS)} 之一"))
    try:
        if suffix in (".csv", ".tsv"):
            layout = dict(encoding=encoding, header_row=header_row, expected=expected,
                          sep=sep or ("\t" if suffix == ".tsv" else None), repeated=repeated)
            frame = read_plain_utf8(path, **layout)
            if frame is None:
                frame = read_csv_file(path, path.read_bytes(), **layout)
            frame = _without_blank_rows(frame)
        else:
            frame = _read_other(path, suffix, sheet, header_row, expected, repeated)
    except OSError as exc:
        raise InputFileError(path, plain_os_error(exc), "check the path") from None
    except InputFileError:
        raise
    except Exception as exc:  # noqa: BLE001 — each reader fails its own way (zip, Arrow, JSON)
        why = f"{type(exc).__name__}: {str(exc).strip()}"
        raise InputFileError(path, f"cannot be read as {suffix} ({why})",
                             "check that the file is what its name says and is not damaged",
                             zh=(f"无法按 {suffix} 读取（{why}）", "请确认文件确实是其扩展名所示的格式，且没有损坏")) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["headers"] = list(frame.columns)
    return frame


def require_contract_columns(frame, path, mapped: bool, preset: tuple | None = None) -> None:
    """Columns absent (not empty) for a required field: one clear error pointing at a mapping
    (`preset`: the built-in preset that knows the most of the headers, and how many)."""
    from ..core.fields import FIELDS
    missing = [f.name for f in FIELDS if f.required and f.name not in frame.columns]
    if not missing:
        return
    headers = [h for h in frame.attrs.get("headers", frame.columns) if h != ROW_PROBLEM]
    shown = ", ".join(headers[:25]) + (", …" if len(headers) > 25 else "")
    if mapped:
        how = "add them to the mapping's `columns:`"
        how_zh = "请把它们加到映射文件的 `columns:` 下"
    elif preset:
        how = (f"the `{preset[0]}` preset knows {preset[1]} of these headers: add `--columns {preset[0]}`, "
               "or map the headers with `--columns MAPPING.yaml`")
        how_zh = (f"内置预设 `{preset[0]}` 认识其中 {preset[1]} 个表头：请加上 `--columns {preset[0]}`，"
                  "或用 `--columns 映射文件.yaml` 映射表头")
    else:
        how = ("map the export's headers with `--columns MAPPING.yaml` or a preset (`--columns aliexpress`, "
               "`taobao`, `douyin`, `ebay`, `amazon`, `shopify`)")
        how_zh = ("请用 `--columns 映射文件.yaml` 或内置预设（`--columns aliexpress`、`taobao`、`douyin`、`ebay`、"
                  "`amazon`、`shopify`）映射导出文件的表头")
    raise InputFileError(path, f"has no column for {', '.join(missing)} (the required contract fields); "
                         f"the headers found are: {shown}",
                         f"{how}; `dispute-playbook columns {path}` suggests a mapping "
                         "(fields: docs/contract.md)",
                         zh=(f"没有必填字段 {'、'.join(missing)} 的列；文件中的表头是：{shown}",
                             f"{how_zh}；`dispute-playbook columns {path}` 可以给出建议的映射（字段见 docs/contract.md）"))


def repeated_headers(headers) -> dict:
    """{header: [1-based column numbers]} of every header the file gives more than once. Readers keep
    each column, naming a repeat `name.1`, `name.2` (pandas does so for a workbook, the CSV reader
    likewise); a Parquet file may repeat a name outright; stripping spaces may make two names one."""
    import re
    seen: dict = {}
    for j, name in enumerate(str(h) for h in headers):
        m = re.fullmatch(r"(.+)\.(\d+)", name)
        base = m.group(1) if m and m.group(1) in seen else name
        seen.setdefault(base, []).append(j + 1)
    return {name: cols for name, cols in seen.items() if len(cols) > 1}


def refuse_repeated_headers(frame, path, used) -> None:
    """A header the run reads (a contract field, or a mapped export header) given twice is an error:
    which of the two columns holds the case's value (its amount, its id) cannot be told, and taking
    the first decided refunds from the wrong column without a word. Other headers may repeat."""
    repeats = {h: cols for h, cols in repeated_headers(frame.attrs.get("headers", frame.columns)).items() if h in used}
    if repeats:
        said = "; ".join(f"{h!r} in columns {', '.join(map(str, cols[:-1]))} and {cols[-1]}" for h, cols in repeats.items())
        raise InputFileError(path, f"has the same header more than once: {said}",
                             "keep one column of each (delete or rename the others) and run again")


def parquet_file(path, repeated=()):
    """A Parquet file whose text columns named in `repeated` are read as dictionaries straight from
    its dictionary pages (each distinct text decoded once, as the CSV reader gives such columns),
    where reading them as texts would make every cell and validation hash it again."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    schema = pq.read_schema(path)
    coded = [f.name for f in schema if f.name in repeated and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
    return pq.ParquetFile(path, read_dictionary=coded)


def _read_other(path: Path, suffix: str, sheet, header_row, expected, repeated=()):
    import numpy as np
    import pandas as pd
    if suffix in (".xlsx", ".xlsm", ".xls"):
        engine = "calamine" if suffix == ".xls" else "openpyxl"
        chosen = None  # the sheet read, when it is not the first
        if header_row is None:
            heads = pd.read_excel(path, dtype=object, engine=engine, sheet_name=None if sheet == 0 else sheet,
                                  header=None, nrows=HEADER_SCAN_LINES)
            if isinstance(heads, dict):  # every sheet's head: the cases may follow a summary sheet
                heads = {name: head.values.tolist() for name, head in heads.items()}
                sheet = cases_sheet(heads, expected)
                chosen = sheet if heads and sheet != next(iter(heads)) else None
                head = heads[sheet] if heads else []
            else:
                head = heads.values.tolist()
            header_row = find_header_row(head, expected)
        frame = pd.read_excel(path, dtype=object, engine=engine, sheet_name=sheet, header=header_row - 1)
        frame.attrs["rows"] = line_numbers(np.arange(len(frame)) + header_row + 1)
        frame = _without_blank_rows(frame)  # a wholly blank row is no row, as a blank line of a CSV is not
        if chosen is not None:
            frame.attrs["sheet"] = chosen  # the run says which sheet it read
        return frame
    if suffix == ".parquet":
        frame = arrow_frame(parquet_file(path, repeated).read())
    else:
        try:
            frame = pd.read_json(path, lines=True, dtype=False)
        except (ValueError, TypeError):  # TypeError: a line of JSON that is no object (`null`, `[1, 2]`)
            return read_jsonl_lines(path)
    frame.attrs["rows"] = line_numbers(np.arange(len(frame)) + 2)
    return frame


def read_jsonl_lines(path: Path):
    """A JSON Lines file read line by line, for one pandas refuses whole: a line that is not a JSON
    object is a rejected row (its reason in ROW_PROBLEM, as for a broken CSV row) and the other
    lines are read; a file none of whose lines is an object is no JSON Lines file (ValueError).
    Rows are numbered as the fast path numbers them: the n-th case is row n + 1."""
    import json

    import pandas as pd

    from ..core.reasons import Reason
    records, problems = [], []
    with open(path, encoding="utf-8-sig") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                value, problem = None, Reason("jsonl_not_json", error=getattr(exc, "msg", str(exc)))
            else:
                problem = "" if isinstance(value, dict) else Reason("jsonl_not_object", value=line.strip()[:40])
            records.append(value if isinstance(value, dict) else {})
            problems.append(problem)
    if "" not in problems:
        raise ValueError("no line of it is a JSON object (one case per line, e.g. {\"case_id\": \"A1\", ...})")
    frame = pd.DataFrame.from_records(records)
    frame[ROW_PROBLEM] = problems
    frame.attrs["rows"] = line_numbers(range(2, len(records) + 2))
    return frame


def _without_blank_rows(frame):
    """The rows less the wholly blank ones: a sheet's blank row, a CSV's line of only separators
    (`,,,`: a blank row of a sheet saved by Excel as CSV). They are no rows, as a blank line is not.
    Only rows whose first cell is empty or spaces are looked at: a cheap test over one column
    (~10 ms a million rows of text)."""
    import numpy as np
    if not len(frame) or not len(frame.columns):
        return frame
    first = frame.iloc[:, 0]
    try:
        spaces = (first.eq("").fillna(False) | first.str.isspace().fillna(False).astype(bool)).to_numpy(dtype=bool)
    except (AttributeError, TypeError, ValueError, NotImplementedError):  # not text only (a sheet's numbers)
        spaces = first.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    empty = spaces | first.isna().to_numpy(dtype=bool)
    candidates = np.flatnonzero(empty)
    if not len(candidates):
        return frame
    cells = frame.iloc[candidates].drop(columns=[ROW_PROBLEM], errors="ignore")
    blank = candidates[~_filled_rows(cells)]
    if not len(blank):
        return frame
    keep = np.ones(len(frame), dtype=bool)
    keep[blank] = False
    attrs = dict(frame.attrs)
    out = frame[keep].reset_index(drop=True)
    out.attrs = attrs
    if attrs.get("rows") is not None:
        out.attrs["rows"] = line_numbers(np.asarray(attrs["rows"])[keep])
    return out


def _filled_rows(frame):
    """Per row of a sheet, whether any cell holds something (not empty, NaN or only spaces)."""
    import numpy as np
    filled = np.zeros(len(frame), dtype=bool)
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        spaces = column.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
        filled |= ~(column.isna().to_numpy(dtype=bool) | spaces)
    return filled
