"""Reading a table of cases from a file: CSV (any common encoding), XLSX/XLS, Parquet, JSONL.

Every cell comes as the file gives it: text from CSV, typed values from spreadsheets and Parquet.
A CSV is decoded first (the encoding named by the mapping, else detected: UTF-8, UTF-8 with BOM,
UTF-16, GBK/GB18030 via charset-normalizer) and its records are delimited independently of the
parser (helpers.iorw.csvrows), so a broken quote or a ragged row is rejected on its own line and
never swallows the rows after it. `frame.attrs["rows"]` holds each row's line number as a
spreadsheet shows it (the header is `header_row`).
"""
from __future__ import annotations

import codecs
from pathlib import Path

from ..core.exceptions import InputFileError
from .csvrows import ROW_PROBLEM, line_numbers, read_csv_bytes  # noqa: F401  (ROW_PROBLEM: the validator reads it)

READERS = (".csv", ".xlsx", ".xlsm", ".xls", ".parquet", ".jsonl")
# East Asian codecs charset-normalizer may name for short Chinese text. The exports this toolkit
# reads come from Chinese platforms, so such bytes are read as GB18030 (a superset of GB2312 and
# GBK) when they decode as it; a Big5, Shift-JIS or EUC-KR file names its encoding in the mapping.
_EAST_ASIAN = ("gb", "hz", "big5", "euc", "cp949", "cp932", "shift_jis", "johab", "iso2022", "cp950")
_DETECT_BYTES = 1 << 18


def plain_os_error(exc: OSError) -> str:
    """An OS error in words a user reads (no "[Errno 21]")."""
    import errno
    words = {errno.ENOENT: "no such file", errno.EISDIR: "is a folder, not a file",
             errno.EACCES: "permission denied", errno.EPERM: "permission denied",
             errno.ENOTDIR: "a part of the path is not a folder", errno.ENOSPC: "the disk is full",
             errno.EROFS: "the disk is read-only", errno.ENAMETOOLONG: "the name is too long"}
    return words.get(exc.errno, (exc.strerror or str(exc)).lower())


def detect_encoding(data: bytes) -> str | None:
    """The text encoding of a CSV's bytes: a BOM decides, then strict UTF-8, then charset-normalizer."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    sample = data[:_DETECT_BYTES]
    best = from_bytes(sample).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    if name.startswith(_EAST_ASIAN):
        try:
            data.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            pass
    return name


def decode_csv(path: Path, data: bytes, encoding: str | None) -> bytes:
    """The CSV's bytes as UTF-8 without a BOM."""
    named = encoding
    encoding = encoding or detect_encoding(data)
    if encoding == "utf-8" and not named:
        return data  # detect_encoding decoded it as strict UTF-8 already
    if encoding is None:
        raise InputFileError(path, "its text encoding cannot be recognised",
                             "save it as UTF-8 CSV, or name the encoding in the mapping (`encoding: gbk`)")
    if encoding in ("utf-8", "utf8") and not data.startswith(codecs.BOM_UTF8):
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError as exc:
            raise _undecodable(path, data, exc, "utf-8", named) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(path, data, exc, encoding, named) from None
    except LookupError:
        raise InputFileError(path, f"unknown text encoding {encoding!r}",
                             "use a codec name such as utf-8, gbk, gb18030 or utf-16") from None
    return text.lstrip("\ufeff").encode("utf-8")


def _undecodable(path, data, exc, encoding, named):
    line = data.count(b"\n", 0, exc.start) + 1
    how = "the mapping says" if named else "it looks like"
    return InputFileError(path, f"line {line} is not valid {encoding} text ({how} {encoding})",
                          "name the right encoding in the mapping (`encoding: gbk`, `gb18030`, `utf-16`), "
                          "or save the file as UTF-8 CSV")


HEADER_SCAN_LINES = 20


def find_header_row(lines, expected) -> int:
    """The 1-based line (of the first few) naming the most expected headers; 1 when none does."""
    best, best_hits = 1, 0
    expected = {str(e).strip() for e in expected}
    for k, cells in enumerate(lines[:HEADER_SCAN_LINES], start=1):
        hits = len({str(c).strip() for c in cells if c is not None} & expected)
        if hits > best_hits:
            best, best_hits = k, hits
    return best


def _csv_head(text_bytes: bytes) -> list:
    import csv
    head = text_bytes[:1 << 16].decode("utf-8", errors="replace").split("\n")[:HEADER_SCAN_LINES]
    return [next(csv.reader([line]), []) for line in head]


def read_table(path, sheet=0, *, encoding: str | None = None, header_row: int | None = 1, expected=()):
    """Every cell as the file gives it; a file that cannot be read is one InputFileError.

    `header_row=None`: the header is the line among the first 20 that names the most of the
    `expected` headers (title rows above it are skipped)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise InputFileError(path, f"unsupported file type {suffix or '(none)'!r}", f"use one of {', '.join(READERS)}")
    try:
        if suffix == ".csv":
            data = decode_csv(path, path.read_bytes(), encoding)
            if header_row is None:
                header_row = find_header_row(_csv_head(data), expected)
            frame = read_csv_bytes(path, data, header_row)
        else:
            frame = _read_other(path, suffix, sheet, header_row, expected)
    except OSError as exc:
        raise InputFileError(path, plain_os_error(exc), "check the path") from None
    except InputFileError:
        raise
    except Exception as exc:  # noqa: BLE001 — each reader fails its own way (zip, Arrow, JSON)
        raise InputFileError(path, f"cannot be read as {suffix} ({type(exc).__name__}: {str(exc).strip()})",
                             "check that the file is what its name says and is not damaged") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["headers"] = list(frame.columns)
    return frame


def require_contract_columns(frame, path, mapped: bool) -> None:
    """Columns absent (not empty) for a required field: one clear error pointing at a mapping."""
    from ..core.fields import FIELDS
    missing = [f.name for f in FIELDS if f.required and f.name not in frame.columns]
    if not missing:
        return
    headers = [h for h in frame.attrs.get("headers", frame.columns) if h != ROW_PROBLEM]
    shown = ", ".join(headers[:25]) + (", …" if len(headers) > 25 else "")
    how = ("add them to the mapping's `columns:`" if mapped else
           "map the export's headers with `--columns MAPPING.yaml` or a preset (`--columns aliexpress`, "
           "`taobao`, `douyin`, `ebay`, `amazon`, `shopify`)")
    raise InputFileError(path, f"has no column for {', '.join(missing)} (the required contract fields); "
                         f"the headers found are: {shown}",
                         f"{how}; `dispute-playbook columns {path}` suggests a mapping "
                         "(fields: docs/contract.md)")


def _read_other(path: Path, suffix: str, sheet, header_row, expected):
    import numpy as np
    import pandas as pd
    if suffix in (".xlsx", ".xlsm", ".xls"):
        engine = "calamine" if suffix == ".xls" else "openpyxl"
        if header_row is None:
            head = pd.read_excel(path, dtype=object, engine=engine, sheet_name=sheet, header=None,
                                 nrows=HEADER_SCAN_LINES)
            header_row = find_header_row(head.values.tolist(), expected)
        frame = pd.read_excel(path, dtype=object, engine=engine, sheet_name=sheet, header=header_row - 1)
        frame.attrs["rows"] = line_numbers(np.arange(len(frame)) + header_row + 1)
        return frame
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_json(path, lines=True, dtype=False)
    frame.attrs["rows"] = line_numbers(np.arange(len(frame)) + 2)
    return frame
