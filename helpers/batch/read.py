"""Reading a batch and validating it column by column, with the same verdicts as `parse_case`.

Each contract column is factorised: its distinct values are parsed once with the scalar parser
(`helpers.case`), so a value is accepted, defaulted or rejected exactly as `parse_case` would,
and the verdicts are spread back over the rows. Columns with very many distinct values (ids,
tracking numbers, unrounded money) take a vectorised path for the plain values and the scalar
parser for the rest. A row with any problem is handed to `parse_case` itself, so its error
message is the one `recommend()` would raise; tests hold the two readers to each other.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.case import FIELD_PARSERS, SHIPPED_STATUSES, BadValue, check_range, is_unknown, parse_case, to_columns
from ..core.exceptions import CaseError, FieldProblem, InputFileError
from ..core.fields import FIELD_BY_NAME, FIELDS, NUMERIC_KINDS
from ..core.reasons import PROBLEM_MARKS, Reason
from ..iorw.tables import READERS, ROW_PROBLEM, read_table  # noqa: F401  (the batch's reader, importable from here)

OK, UNKNOWN, BAD = 0, 1, 2
FIRST_ROW = 2  # row 1 of a spreadsheet is the header; errors.csv counts rows as the analyst sees them
# A column longer than this whose values are mostly distinct (ids, tracking numbers, unrounded money)
# takes the vectorised path where its kind has one: parsing each distinct value costs more there.
UNIQUE_PATH_MAX = 5_000
# Kinds whose columns hold few distinct texts in any real batch (codes, yes/no, dates, small counts):
# read dictionary-encoded where the reader can, so each distinct text is parsed and hashed once.
REPEATED_KINDS = ("enum", "bool", "date", "int", "currency", "language", "country")


def repeated_fields() -> frozenset:
    """The contract fields whose columns are read dictionary-encoded (REPEATED_KINDS)."""
    return frozenset(f.name for f in FIELDS if f.kind in REPEATED_KINDS)


def _parse_one(field, value):
    """(status, parsed) for one cell, exactly as parse_case treats it."""
    if is_unknown(value):
        return UNKNOWN, None
    try:
        parsed = FIELD_PARSERS[field.name](value)
    except BadValue:
        return BAD, None
    if field.kind in ("decimal", "int") and check_range(field, parsed):
        return BAD, None
    return OK, parsed


def _encode(field, value):
    """A parsed value as the engine stores it (see case.to_columns)."""
    if field.kind in NUMERIC_KINDS or field.kind == "enum":
        if value is None:
            return np.nan
        if field.kind == "date":
            return float(value.toordinal())
        if field.kind == "enum":
            return float(field.choices.index(value))
        return float(value)
    return "" if value is None else value


def _empty(field, n):
    return np.full(n, np.nan) if field.kind in NUMERIC_KINDS or field.kind == "enum" else np.full(n, "", dtype=object)


def _by_uniques(field, values):
    """(status, encoded) for a sequence of cells, parsing each distinct value once.

    Distinct values are grouped by type too, because 1, 1.0 and True are equal in Python but
    not to the parser (True is no number; 1.0 is text "1").
    """
    import pandas as pd
    n = len(values)
    if isinstance(values, pd.Series) and values.dtype != object:
        groups = [(slice(None), values)]
    else:
        arr = np.asarray(values, dtype=object)
        # dtype=object: left to infer, pandas reads [datetime, nan] as datetimes and maps them to
        # Timestamp and NaT, types the cells do not have (their groups then came out empty and 2-D)
        # grouped by the codes of the types (comparing with a type such as numpy's array class does not
        # give a mask)
        type_codes, kinds = pd.factorize(pd.Series(arr, dtype=object).map(type))
        groups = [(slice(None), arr)] if len(kinds) == 1 else \
            [(where, arr[where]) for where in (np.flatnonzero(type_codes == k) for k in range(len(kinds)))]
    if len(groups) != 1 or _unhashable(groups[0][1]):  # one group (the usual case) returns its own arrays
        status = np.full(n, UNKNOWN, dtype=np.int8)
        encoded = _empty(field, n)
    for where, part in groups:
        if _unhashable(part):  # a list, a mapping, bytes (JSONL, Parquet): no field's value; parse_case names it
            status[where] = BAD
            continue
        codes, uniques = _factorize(part)
        uniques = uniques.tolist() if hasattr(uniques, "tolist") else list(uniques)
        u_status = np.empty(len(uniques) + 1, dtype=np.int8)
        u_value = _empty(field, len(uniques) + 1)
        for k, u in enumerate(uniques):
            st, parsed = _parse_one(field, u)
            u_status[k] = st
            u_value[k] = _encode(field, parsed)
        u_status[-1], u_value[-1] = UNKNOWN, _encode(field, None)  # code -1: a missing cell
        if isinstance(where, slice):
            return u_status[codes], (_text_of(u_value, codes) if field.kind == "string" else u_value[codes])
        status[where] = u_status[codes]
        encoded[where] = u_value[codes]
    return status, (text_values(encoded) if field.kind == "string" else encoded)


def _unhashable(part) -> bool:
    """A group of cells of one type that is no scalar (lists, mappings, arrays: what JSONL and Parquet's
    nested columns hold) or raw bytes: nothing a case field takes, and not to be hashed."""
    if isinstance(part, np.ndarray) and part.dtype == object and len(part):
        first = part[0]
        return isinstance(first, (list, dict, tuple, set, np.ndarray, bytes, bytearray)) or type(first).__hash__ is None
    return False


def text_values(values):
    """A text field's engine values as an Arrow-backed pandas array (pandas' "str" dtype): text
    fields are held so however a column was read, and the writer and messages take them as they are."""
    import pandas as pd
    return pd.array(values, dtype="str")


def _text_of(u_value, codes):
    """u_value[codes] (code -1: the last entry) as text_values, taken by Arrow: no Python object per row."""
    import pyarrow as pa
    index = np.where(codes < 0, len(u_value) - 1, codes)
    return text_values(pa.array(u_value, type=pa.large_string()).take(pa.array(index)))


def _blank_text(n: int):
    """n empty texts as text_values, made from Arrow buffers (all offsets 0)."""
    import pyarrow as pa
    offsets = pa.py_buffer(np.zeros(n + 1, dtype=np.int64))
    return text_values(pa.LargeStringArray.from_buffers(n, offsets, pa.py_buffer(b"")))


def _factorize(values):
    """(codes, distinct values) with -1 for missing cells (Arrow's dictionary encoding for text). A
    column read dictionary-encoded has its codes already: its parts' dictionaries are made one."""
    import pandas as pd
    import pyarrow as pa
    arr = values.array if isinstance(values, pd.Series) else values
    if isinstance(getattr(arr, "dtype", None), pd.ArrowDtype) and pa.types.is_dictionary(arr.dtype.pyarrow_dtype):
        return _dictionary_codes(arr.__arrow_array__())  # the public Arrow protocol: the chunks as they are
    return pd.factorize(values, use_na_sentinel=True)


def _dictionary_codes(chunked):
    """(codes, distinct values) of a chunked Arrow dictionary array: the chunks' dictionaries unified
    into one, its indices as codes (-1 for a missing cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    unified = chunked.unify_dictionaries()
    if unified.num_chunks == 0:
        return np.empty(0, dtype=np.intp), []
    parts = [pc.fill_null(c.indices, -1) if c.null_count else c.indices for c in unified.chunks]
    codes = np.concatenate([p.to_numpy() for p in parts]).astype(np.intp, copy=False)
    return codes, unified.chunk(0).dictionary.to_pylist()


def _is_text(series) -> bool:
    import pandas as pd
    return isinstance(series.dtype, pd.StringDtype) or (series.dtype == object and series.map(type).eq(str).all())


# Cells whose ends are printable ASCII need no strip; Python's idea of whitespace is wider than
# Arrow's (\x1c-\x1f, \x85, ...), so anything else goes through the scalar parser.
_PRINTABLE = np.zeros(256, dtype=bool)
_PRINTABLE[0x21:0x7f] = True
_PLAIN_NUMBER = r"^[0-9]+(?:\.[0-9]+)?$"


def _vectorised_text(field, series):
    """High-cardinality text (ids, tracking numbers): plain cells as they are, the rest parsed.
    A cell is plain when its first and last bytes are printable ASCII (then `strip` keeps it as it
    is), read from the Arrow buffers; anything else goes through the scalar parser.

    The values stay the Arrow-backed array they were read into, as every text field is held
    (`text_values`): no Python string per row — making them was most of this column's time, and a
    million ids take ~60 MB as Python strings."""
    import pyarrow as pa

    from ..iorw.textcols import edge_bytes
    text = series.astype("str")
    if text.hasnans:  # a missing cell (Parquet, spreadsheets) is empty text, as parse_case reads it
        text = text.fillna("")
    first, last, length = edge_bytes(pa.array(text.array))
    plain = (length > 0) & _PRINTABLE[first] & _PRINTABLE[last]
    empty = length == 0
    status = np.where(empty, UNKNOWN, OK).astype(np.int8)
    encoded = text.array
    rest = np.flatnonzero(~plain & ~empty)
    if len(rest):
        st, enc = _by_uniques(field, series.iloc[rest].to_numpy(dtype=object))
        encoded = encoded.copy()
        status[rest], encoded[rest] = st, enc
    return status, encoded


def _vectorised_number(field, series):
    """High-cardinality money: plain decimals converted by Arrow (correctly rounded, like float())."""
    import pyarrow as pa
    import pyarrow.compute as pc
    text = series.astype("str")
    plain = text.str.match(_PLAIN_NUMBER, na=False).to_numpy(dtype=bool)
    arr = pa.array(text.where(plain, None), type=pa.large_string())
    values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    ok = plain & _in_range(field, values)
    if field.kind == "int":
        ok &= np.floor(values) == values
    status = np.where(ok, OK, BAD).astype(np.int8)
    encoded = np.where(ok, values, np.nan)
    rest = np.flatnonzero(~plain)
    if len(rest):
        st, enc = _by_uniques(field, series.iloc[rest].to_numpy(dtype=object))
        status[rest], encoded[rest] = st, enc
    return status, encoded


def _in_range(field, x):
    with np.errstate(invalid="ignore"):
        if field.minimum is None:
            return np.isfinite(x)
        return (x > field.minimum) if field.exclusive_minimum else (x >= field.minimum)


def _vectorised_float(field, series):
    """A float64 column (Parquet) for a number field: NaN is unknown, inf is not a number."""
    x = series.to_numpy(dtype=np.float64)
    status = np.where(np.isnan(x), UNKNOWN, np.where(np.isfinite(x) & _in_range(field, x), OK, BAD)).astype(np.int8)
    if field.kind == "int":
        with np.errstate(invalid="ignore"):
            status[(status == OK) & (np.floor(x) != x)] = BAD
    return status, np.where(status == OK, x, np.nan)


def _many_distinct(series, unique_max) -> bool:
    """Worth the vectorised path: a long column whose values are mostly distinct (ids, amounts)."""
    if unique_max == 0:
        return True
    if len(series) <= unique_max:
        return False
    sample = series.iloc[:20_000]  # a part of a larger file, or a small batch: the first rows tell
    return sample.nunique() > len(sample) // 2


def parse_column(field, series, unique_max=None):
    """(status per row, engine-encoded values per row) for one contract column of any dtype."""
    unique_max = UNIQUE_PATH_MAX if unique_max is None else unique_max
    if field.kind in ("decimal", "int") and series.dtype.kind == "f":
        status, encoded = _vectorised_float(field, series)
    elif field.kind in ("string", "decimal", "int") and _is_text(series) and _many_distinct(series, unique_max):
        status, encoded = (_vectorised_text if field.kind == "string" else _vectorised_number)(field, series)
    else:
        status, encoded = _by_uniques(field, series)
    if field.default is not None:
        encoded[status == UNKNOWN] = _encode(field, field.default)
    return status, encoded


PARALLEL_MIN_ROWS = 100_000  # below this, threads cost more than they give


def _parse_columns(frame, unique_max, dedupe: bool = True) -> tuple[dict, bool]:
    """parse_column for every contract column present, and (with `dedupe`) whether the parsed
    case_ids of all rows are distinct; long frames on two threads (Arrow's hashing and the vectorised
    passes release the GIL, so two columns are checked at once, and the ids are hashed beside the
    other columns)."""
    names = [f for f in FIELDS if f.name in frame.columns]

    def parse(field):
        status, encoded = parse_column(field, frame[field.name], unique_max)
        return status, encoded, dedupe and field.name == "case_id" and _all_distinct(encoded)
    if len(frame) < PARALLEL_MIN_ROWS:
        out = {f.name: parse(f) for f in names}
    else:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(2) as pool:
            futures = {f.name: pool.submit(parse, f) for f in names}
            out = {name: fut.result() for name, fut in futures.items()}
    distinct = "case_id" in out and out["case_id"][2]
    return {name: (st, enc) for name, (st, enc, _) in out.items()}, distinct


def _all_distinct(ids) -> bool:
    """No two rows have the same id (Arrow's hashing: no Python string per row)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    return len(pc.unique(pa.array(ids, type=pa.large_string()))) == len(ids)


@dataclass
class Validated:
    """A batch laid out as engine columns (all rows), and which rows passed."""
    n: int
    cols: dict              # field -> array over all rows, as case.to_columns lays them out (text fields
                            # Arrow-backed: text_values, where to_columns gives object arrays of the same texts)
    valid: np.ndarray       # rows that become recommendations
    field_bad: np.ndarray   # n × len(FIELDS): the field has a problem (field problems, then cross-field)
    problems: dict          # row index -> CaseError (parse_case's own, or the duplicate rule's)
    first_of: dict          # row index of a later duplicate -> row index of the decided one
    own_as_of: np.ndarray   # each row's own as_of_date as parsed (ordinals, NaN where it has none),
                            # even when --as-of fixed the run's: the week a dispute came up is the row's


def cross_field_bad(cols) -> dict:
    """Rows breaking each cross-field rule of case.cross_field_checks, by (the field it names, the
    field it ties it to)."""
    order, ship, deliv, as_of = (cols[k] for k in ("order_date", "ship_date", "delivery_date", "as_of_date"))
    closed = cols["closed_date"]
    shipped_codes = [float(FIELD_BY_NAME["tracking_status"].choices.index(s)) for s in SHIPPED_STATUSES]
    with np.errstate(invalid="ignore"):
        return {("ship_date", "order_date"): ship < order,
                ("delivery_date", "ship_date"): deliv < ship,
                ("delivery_date", "order_date"): np.isnan(ship) & (deliv < order),
                ("closed_date", "order_date"): closed < order,
                ("order_date", "as_of_date"): order > as_of,
                ("ship_date", "as_of_date"): ship > as_of,
                ("delivery_date", "as_of_date"): deliv > as_of,
                ("closed_date", "as_of_date"): closed > as_of,
                ("ship_date", "tracking_status"): np.isin(cols["tracking_status"], shipped_codes) & np.isnan(ship)}


def validate_frame(frame, *, as_of: _dt.date | None = None, unique_max=None, today=None,
                   first_row: int = FIRST_ROW, dedupe: bool = True) -> Validated:
    """Validate every row of `frame` (contract columns; others are ignored) in one pass per column.

    `first_row` is the row number of the frame's first row (a part of a larger file starts later);
    `dedupe=False` leaves duplicate case_ids to the caller (the Dask engine finds them across parts).
    """
    n = len(frame)
    cols, status = {}, {}
    parsed, ids_distinct = _parse_columns(frame, unique_max, dedupe)
    for field in FIELDS:
        if field.name in frame.columns:
            st, enc = parsed[field.name]
        else:
            st, enc = np.full(n, UNKNOWN, dtype=np.int8), (_blank_text(n) if field.kind == "string" else _empty(field, n))
            if field.default is not None:
                enc[:] = _encode(field, field.default)
        cols[field.name], status[field.name] = enc, st
    own_as_of = cols["as_of_date"].copy()
    if as_of is not None:
        cols["as_of_date"] = np.full(n, float(as_of.toordinal()))
    else:
        today = today or _dt.date.today()
        cols["as_of_date"] = np.where(np.isnan(cols["as_of_date"]), float(today.toordinal()), cols["as_of_date"])
    field_bad = np.empty((n, len(FIELDS)), dtype=bool, order="F")  # filled column by column
    any_field = np.zeros(n, dtype=bool)
    for j, field in enumerate(FIELDS):
        # bad, or (required) unknown: a status is OK, UNKNOWN or BAD
        (np.not_equal(status[field.name], OK, out=field_bad[:, j]) if field.required
         else np.equal(status[field.name], BAD, out=field_bad[:, j]))
        any_field |= field_bad[:, j]
    index = {f.name: j for j, f in enumerate(FIELDS)}
    valid = ~any_field
    # as parse_case: a rule about a field that cannot be read says nothing. All crossings are found
    # before any is marked (the field-level verdicts), looking only at the rows a rule flags: few
    crossings = []
    for (name, other), mask in cross_field_bad(cols).items():
        rows = np.flatnonzero(mask)
        if len(rows):
            crossings.append((index[name], rows[~field_bad[rows, index[name]] & ~field_bad[rows, index[other]]]))
    for j, rows in crossings:
        field_bad[rows, j] = True
        valid[rows] = False
    ragged = (frame[ROW_PROBLEM] != "").to_numpy() if ROW_PROBLEM in frame.columns else np.zeros(n, dtype=bool)
    valid &= ~ragged
    problems = _scalar_verdicts(frame, np.flatnonzero(~valid & ~ragged), as_of, cols, valid, first_row)
    for i in np.flatnonzero(ragged):
        case_id = frame["case_id"].iat[i] if "case_id" in frame.columns else None
        problems[int(i)] = CaseError([FieldProblem(case_id or None, "(row)", frame[ROW_PROBLEM].iat[i],
                                                   int(i) + first_row)])
    first_of = _duplicates(cols["case_id"], valid, problems, first_row) if dedupe and not ids_distinct else {}
    return Validated(n, cols, valid, field_bad, problems, first_of, own_as_of)


def contract_records(frame, rows):
    """The given rows as dicts of contract fields, boxed as `frame.to_dict('records')` boxes them."""
    names = [c for c in frame.columns if c in FIELD_BY_NAME]
    return frame.iloc[rows][names].to_dict("records")


def _scalar_verdicts(frame, rows, as_of, cols, valid, first_row) -> dict:
    """parse_case on every suspect row: its message is the one recommend() gives.

    Should the scalar parser accept a row the columns flagged (the tests say it cannot), the
    scalar verdict wins and the row's columns are taken from it.
    """
    problems, accepted, cases = {}, [], []
    if not len(rows):
        return problems
    for i, record in zip(rows, contract_records(frame, rows)):
        try:
            cases.append(parse_case(record, as_of=as_of, row=int(i) + first_row))
        except CaseError as exc:
            problems[int(i)] = exc
            continue
        accepted.append(int(i))
    if accepted:  # one assignment per column: a text column (Arrow-backed) is rebuilt once, not per row
        for k, v in to_columns(cases).items():
            cols[k][accepted] = v
        valid[accepted] = True
    return problems


def duplicate_error(case_id, row: int, first_row: int) -> CaseError:
    """The error of a later row repeating a decided case_id (both as row numbers)."""
    return CaseError([FieldProblem(case_id, "case_id", Reason("duplicate", first_row=first_row), row)])


def _duplicates(case_ids, valid, problems, first_row=FIRST_ROW) -> dict:
    """The first valid row of a case_id is decided; later valid rows with it are rejected."""
    import pandas as pd
    rows = np.flatnonzero(valid)
    if not len(rows) or _all_distinct(case_ids[rows]):
        return {}  # the usual case costs no Python string hashing
    ids = pd.Series(case_ids[rows], dtype=object)
    later = ids.duplicated(keep="first").to_numpy()
    first_of = {}
    if not later.any():
        return first_of
    firsts = ids.duplicated(keep=False).to_numpy() & ~later
    first_index = dict(zip(ids[firsts], rows[firsts]))
    for i in rows[later]:
        cid = case_ids[i]
        first = int(first_index[cid])
        first_of[int(i)] = first
        valid[i] = False
        problems[int(i)] = duplicate_error(cid, int(i) + first_row, first + first_row)
    return first_of


def error_table(problems: dict, first_row: int = FIRST_ROW, lang: str = "en"):
    """errors.csv: one line per rejected row (row, case_id, field, message), in row order; the
    message in the run's language (`--lang`: the contract's checks are worded in Chinese too)."""
    import pandas as pd
    colon, semicolon = PROBLEM_MARKS["zh" if lang == "zh" else "en"]
    rows = []
    for i in sorted(problems):
        exc = problems[i]
        first = exc.problems[0]
        rows.append({"row": first.row if first.row is not None else i + first_row, "case_id": exc.case_id,
                     "field": ", ".join(dict.fromkeys(p.field for p in exc.problems)),
                     "message": semicolon.join(f"{p.field}{colon}{p.text(lang)}" for p in exc.problems)})
    return pd.DataFrame(rows, columns=["row", "case_id", "field", "message"])
