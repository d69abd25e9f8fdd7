"""Column mappings: a platform export's headers and values onto the case contract.

    encoding:   codec of a CSV export (absent: detected)            e.g. gbk
    delimiter:  a CSV's cell separator (absent: sniffed)            e.g. ";"  (or "\t", ",", "|")
    header_row: the line holding the headers (title rows above)     e.g. 2
    columns:    {export header: field, or [field, ...]}             e.g. 订单号: [case_id, order_id]
    values:     {field: {export value: contract value}}             e.g. 未收到货: not_received
    booleans:   {export word: true/false}  for every yes/no field   e.g. 是: true
    dates:      {field: strptime format}   date or date-time        e.g. "%Y-%m-%d %H:%M:%S"
    amounts:    {money field: auto | dot | comma}  the decimal mark (default auto, every money field)
    constants:  {field: value}             for cells the export leaves empty or lacks

A mapping is a YAML file or a built-in preset (helpers/iorw/presets/<name>.yaml). Every problem
of a mapping file is reported at once, each as `mapping file X line N: …`. A cell value the
mapping does not know passes on unchanged, so the contract's checks name it in errors.csv (with
a note saying what the mapping knows): nothing is guessed or silently coerced.
"""
from __future__ import annotations

import codecs
import datetime as _dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.case import FIELD_PARSERS, BadValue
from ..core.exceptions import MappingError
from ..core.spelling import closest
from ..core.fields import FIELD_BY_NAME
from ..core.reasons import Reason
from .amounts import MONEY_FIELDS, MODES, parse_amounts
from .csvrows import DELIMITERS, ROW_PROBLEM
from .mapcells import country_codes, fill_blanks, fitting_date_formats, map_words, parse_dates
from .textcols import distinct, spread_cells, text_cells, text_column

SECTIONS = ("encoding", "delimiter", "header_row", "columns", "values", "booleans", "dates", "amounts", "constants")
SCALARS = ("encoding", "delimiter", "header_row")
PRESET_DIR = Path(__file__).with_name("presets")
PRESETS = ("aliexpress", "taobao", "douyin", "ebay", "amazon", "shopify")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Mapping:
    path: str = ""
    encoding: str | None = None
    delimiter: str | None = None   # None: sniffed from the file
    header_row: int | None = None  # None: the line that holds the mapped headers (title rows skipped)
    columns: dict = field(default_factory=dict)   # header -> [fields]
    values: dict = field(default_factory=dict)
    booleans: dict = field(default_factory=dict)
    dates: dict = field(default_factory=dict)
    amounts: dict = field(default_factory=dict)
    constants: dict = field(default_factory=dict)

    def __getitem__(self, key):  # older callers read sections like a dict
        return getattr(self, key)


def _near(word, choices) -> str:
    hint = closest(word, choices)
    return f"; did you mean {hint!r}?" if hint else ""


def resolve(name_or_path) -> Path:
    """A preset name (`taobao`) or a mapping file's path."""
    text = str(name_or_path)
    if text.lower() in PRESETS and not Path(text).exists():
        return PRESET_DIR / f"{text.lower()}.yaml"
    path = Path(text)
    if not path.exists():
        hint = _near(text, PRESETS) if "/" not in text and not text.endswith((".yaml", ".yml")) else ""
        raise MappingError(f"mapping file {text}: no such file, and not a preset ({', '.join(PRESETS)}){hint}")
    return path


@functools.lru_cache(maxsize=1)
def preset_headers() -> dict:
    """{preset: the export headers it maps}."""
    return {name: frozenset(load_mapping(name).columns) for name in PRESETS}


def closest_preset(headers) -> tuple | None:
    """(preset, how many of these headers it knows) for the preset knowing the most, at least 3."""
    headers = {str(h).strip() for h in headers}
    name, known = max(preset_headers().items(), key=lambda kv: len(kv[1] & headers))
    return (name, len(known & headers)) if len(known & headers) >= 3 else None


def load_mapping(path) -> Mapping:
    """The mapping, checked whole: every problem is listed at once with its line."""
    from ..core.yamlio import line_of, load_yaml
    path = resolve(path)
    if path.is_dir():
        raise MappingError(f"mapping file {path}: is a folder, not a file")
    data, err = load_yaml(path)
    if err:
        raise MappingError(f"mapping file {path}" + (f" line {err.line}" if err.line else "") + f": {err.message}")
    data = data if data is not None else {}
    problems = []

    def bad(line, message):
        problems.append((line or 0, message))

    if not isinstance(data, dict):
        raise MappingError(f"mapping file {path} line 1: a mapping holds the sections {', '.join(SECTIONS)}")
    m = Mapping(path=str(path))
    for key in data:
        if key not in SECTIONS:
            bad(line_of(data, key), f"unknown section {key!r}{_near(key, SECTIONS)} (sections: {', '.join(SECTIONS)})")
        elif key not in SCALARS and data[key] is not None and not isinstance(data[key], dict):
            bad(line_of(data, key), f"{key}: must map names to values (`name: value` lines under it)")
    sec = {k: (data.get(k) if isinstance(data.get(k), dict) else {}) for k in SECTIONS if k not in SCALARS}

    def known(name, line, where):
        if name in FIELD_BY_NAME:
            return True
        bad(line, f"{where}: {name!r} is not a field of the case contract{_near(name, FIELD_BY_NAME)}")
        return False

    if "encoding" in data:
        try:
            m.encoding = codecs.lookup(str(data["encoding"])).name
        except LookupError:
            bad(line_of(data, "encoding"), f"encoding: {data['encoding']!r} is not a text encoding"
                + _near(data["encoding"], ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16")))
    if "delimiter" in data:
        sep = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}.get(data["delimiter"], data["delimiter"])
        if sep not in DELIMITERS:
            bad(line_of(data, "delimiter"), f"delimiter: {data['delimiter']!r} is not a cell separator a CSV export uses "
                "(use one of \",\", \";\", \"\\t\" for a tab, \"|\")")
        else:
            m.delimiter = sep
    if "header_row" in data:
        h = data["header_row"]
        if isinstance(h, bool) or not isinstance(h, int) or h < 1:
            bad(line_of(data, "header_row"), f"header_row: {h!r} must be a line number, 1 or more")
        else:
            m.header_row = h
    fed = {}
    for header, names in sec["columns"].items():
        line = line_of(sec["columns"], header)
        names = list(names) if isinstance(names, list) else [names]
        ok = []
        for name in names:
            if not isinstance(name, str):
                bad(line, f"columns: {header}: {name!r} is not a field name")
            elif known(name, line, f"columns: {header}"):
                if name in fed:
                    bad(line, f"columns: {name} is fed by both {fed[name]!r} and {header!r}; keep one")
                fed[name] = header
                ok.append(name)
        m.columns[str(header).strip()] = ok
    for name, table in sec["values"].items():
        line = line_of(sec["values"], name)
        if not known(name, line, "values"):
            continue
        if not isinstance(table, dict):
            bad(line, f"values: {name}: must map export values to contract values")
            continue
        f = FIELD_BY_NAME[name]
        for word, value in table.items():
            if value is None:  # `其他: null` / `"*": null`: the value means "unknown"
                continue
            try:
                FIELD_PARSERS[name](value)
            except Exception:  # noqa: BLE001 — the contract parser's verdict: not a value of this field
                choices = f.choices or (("true", "false") if f.kind == "bool" else ())
                bad(line_of(table, word, line), f"values: {name}: {word}: {value!r} is not a {name} value"
                    + (f"{_near(value, choices)} (use one of {', '.join(choices)})" if choices else ""))
        m.values[name] = {str(k).strip(): v for k, v in table.items()}
    for word, flag in sec["booleans"].items():
        if not isinstance(flag, bool):
            bad(line_of(sec["booleans"], word), f"booleans: {word!r} must map to true or false, not {flag!r}")
        m.booleans[str(word).strip()] = flag
    for name, fmt in sec["dates"].items():
        line = line_of(sec["dates"], name)
        if not known(name, line, "dates"):
            continue
        if FIELD_BY_NAME[name].kind != "date":
            bad(line, f"dates: {name} is not a date field")
        elif not _format_ok(fmt):
            bad(line, f"dates: {name}: {fmt!r} is not a strptime date format such as \"%Y-%m-%d %H:%M:%S\"")
        else:
            m.dates[name] = fmt
    for name, mode in sec["amounts"].items():
        line = line_of(sec["amounts"], name)
        if not known(name, line, "amounts"):
            continue
        if name not in MONEY_FIELDS:
            bad(line, f"amounts: {name} is not a money field ({', '.join(MONEY_FIELDS)})")
        elif mode not in MODES:
            bad(line, f"amounts: {name}: {mode!r} must be one of {', '.join(MODES)}{_near(mode, MODES)}")
        else:
            m.amounts[name] = mode
    for name, value in sec["constants"].items():
        line = line_of(sec["constants"], name)
        if not known(name, line, "constants"):
            continue
        try:
            FIELD_PARSERS[name](value)
        except Exception as exc:  # noqa: BLE001 — the contract parser's own message
            f = FIELD_BY_NAME[name]
            bad(line, f"constants: {name}: {exc}" if f.kind == "enum" else f"constants: {name}: {value!r} is not valid: {exc}")
        m.constants[name] = value
    if problems:
        raise MappingError("\n".join(f"mapping file {path}" + (f" line {ln}" if ln else "") + f": {msg}"
                                     for ln, msg in sorted(problems, key=lambda p: p[0])))
    return m


def _format_ok(fmt) -> bool:
    if not isinstance(fmt, str) or "%" not in fmt:
        return False
    sample = _dt.datetime(2026, 10, 3, 14, 22, 10, tzinfo=_dt.timezone(_dt.timedelta(hours=8)))
    try:
        return _dt.datetime.strptime(sample.strftime(fmt), fmt).date() == sample.date()
    except ValueError:
        return False


PARALLEL_MIN_ROWS = 100_000  # below this, a second thread costs more than it gives


def _field_column(name, col, mapping, notes, encoded):
    """One contract field's column through the mapping: words, yes/no words, dates, amounts."""
    f = FIELD_BY_NAME[name]
    found = sure = None
    if name in mapping.values:
        col = map_words(col, mapping.values[name], name, f.choices, notes, encoded)
    if f.kind == "country":
        col = country_codes(col)
    if mapping.booleans and f.kind == "bool":
        col = map_words(col, mapping.booleans)
    if name in mapping.dates:
        col = parse_dates(col, name, mapping.dates[name], notes)
    if name in MONEY_FIELDS:
        col, found, sure = parse_amounts(col, mapping.amounts.get(name, "auto"), name, notes, sure=True)
    return col, found, sure


def apply_mapping(frame, mapping, notes: dict | None = None):
    """The export as contract columns. `notes` (if given) receives {(row index, field): message}
    explaining cells the mapping could not turn into contract values (a date in another format,
    an amount that is no amount), for the row's error message. Long exports are mapped on two
    threads (Arrow's kernels release the GIL), a field a column."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    if isinstance(mapping, dict):
        mapping = Mapping(**{k: v for k, v in mapping.items() if k in SECTIONS},)
        mapping.columns = {h: (v if isinstance(v, list) else [v]) for h, v in mapping.columns.items()}
    notes = {} if notes is None else notes
    headers = [str(c).strip() for c in frame.columns]
    attrs = dict(frame.attrs)
    frame = frame.set_axis(headers, axis=1)
    frame.attrs = {}  # pandas deep-copies attrs into every column taken out: leave them behind
    # an export may leave optional columns out; the ones that fill required fields must be there
    absent = [h for h, names in mapping.columns.items() if h not in headers
              and any(FIELD_BY_NAME[n].required and n not in headers for n in names)]
    if absent:
        raise MappingError(f"mapping file {mapping.path or '(given)'}: the input file has no column "
                           f"{', '.join(absent)}; its headers are: {', '.join(h for h in headers if h != ROW_PROBLEM)} "
                           "— check `header_row` "
                           "and the column names (`dispute-playbook columns FILE` lists them)")
    out, source = {}, {}
    for h in headers:
        if h in FIELD_BY_NAME and h not in out:
            out[h], source[h] = frame[h], h
    for h, names in mapping.columns.items():
        if h in headers:
            for n in names:
                out[n], source[n] = frame[h], h
    # a column feeding several fields' words is encoded once
    fed = [source[n] for n in mapping.values if n in out]
    encoded = {h: distinct(frame[h]) for h in set(fed) if fed.count(h) > 1}
    names = [n for n in out if n in mapping.values or n in mapping.dates or n in MONEY_FIELDS
             or (mapping.booleans and FIELD_BY_NAME[n].kind == "bool")]

    def one(name):
        return _field_column(name, out[name], mapping, notes, encoded.get(source[name]) if name in mapping.values else None)
    if len(frame) >= PARALLEL_MIN_ROWS and len(names) > 1:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(2) as pool:
            done = dict(zip(names, pool.map(one, names)))
    else:
        done = {name: one(name) for name in names}
    codes, signed = None, {}
    for name in names:
        out[name], found, sure = done[name]
        if found is not None:
            codes = found if codes is None else pc.coalesce(codes, found)
            signed[name] = sure
    _other_currency_signs(out, signed, codes, {n: frame[source[n]] for n in signed}, notes)
    n = len(frame)
    if codes is not None and codes.null_count < len(codes):
        if "currency" not in out:
            out["currency"] = text_column(codes, frame.index)
        else:
            out["currency"] = fill_blanks(out["currency"], codes)
    for name, value in mapping.constants.items():
        filler = pa.repeat(value, n)
        if name in out:
            out[name] = fill_blanks(out[name], filler)
        else:
            out[name] = text_column(filler, frame.index) if isinstance(value, str) else pd.Series(value, frame.index)
    _date_format_hints(out, mapping, notes)
    if ROW_PROBLEM in frame.columns:  # a row the CSV reader found broken stays rejected after mapping
        out[ROW_PROBLEM] = frame[ROW_PROBLEM]
    out = pd.DataFrame(out, index=frame.index)
    out.attrs = attrs
    return out


def _other_currency_signs(out, signed: dict, signs, raw: dict, notes: dict) -> None:
    """Amounts whose sign names another currency than their row's are rejected, not read as the
    row's currency: `US $1,278.82` in a row whose currency column says EUR, `US $90.00` beside an order
    value of `￥100.00`. The row's currency is its currency column's code, else its first amount's
    sign's (`signs`); `signed` holds per money field the code of each sign that names one currency
    (a `$` may be any dollar the currency column says). The cell goes back to the text the file has
    (the contract's check rejects it) with a note saying why."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    signed = {name: sure for name, sure in signed.items() if sure.null_count < len(sure)}
    if not signed:
        return
    row_code = None
    if "currency" in out:
        column, where = text_cells(out["currency"])
        if len(column):  # each distinct cell read as the contract reads it (rmb, " usd"), once
            enc = pc.dictionary_encode(column)
            codes = pa.array([_currency_code(c) for c in enc.dictionary.to_pylist()], pa.large_string()).take(enc.indices)
            row_code = codes if where is None else spread_cells(codes, where, len(out["currency"]))
    row_code = signs if row_code is None else pc.coalesce(row_code, signs)
    for name, sure in signed.items():
        other = np.flatnonzero(pc.fill_null(pc.not_equal(sure, row_code), False).to_numpy(zero_copy_only=False))
        if not len(other):
            continue
        column = out[name].astype(object)
        for i, sign, code in zip(other.tolist(), sure.take(pa.array(other)).to_pylist(), row_code.take(pa.array(other)).to_pylist()):
            column.iat[i] = raw[name].iat[i]
            notes[(i, name)] = Reason("amount_other_currency", value=repr(raw[name].iat[i]), sign=sign, currency=code)
        out[name] = column


def _currency_code(cell):
    """A currency cell as the contract reads it (its ISO code), or None for one it refuses."""
    try:
        return FIELD_PARSERS["currency"](cell) if cell else None
    except BadValue:  # the contract names what is wrong with it; here it is simply no code
        return None


HINT_SAMPLES = 2000  # distinct cells a date format is guessed from


def _date_format_hints(out, mapping, notes) -> None:
    """A date column the mapping gives no `dates:` format for, none of whose text cells is an ISO date
    (every date of the file fails the same way): each of its rows' notes names the `dates:` line
    that reads them all, with the format guessed from the cells when only one fits."""
    import pyarrow.compute as pc
    from .textcols import positions
    for name in [n for n in out if FIELD_BY_NAME[n].kind == "date" and n not in mapping.dates]:
        raw, where = text_cells(out[name])
        if len(raw) == 0:
            continue
        text = pc.utf8_trim_whitespace(raw)
        filled = pc.fill_null(pc.greater(pc.utf8_length(text), 0), False)
        first = pc.index(filled, True).as_py()
        if first < 0 or _ISO_DAY.match(text[first].as_py()):
            continue  # no date, or the first is ISO: the column is not wholly in another form
        if pc.any(pc.match_substring_regex(text, _ISO_DAY.pattern)).as_py():
            continue  # some are ISO: the others are mistakes of their own
        cells = pc.filter(text, filled)
        samples = pc.unique(cells)[:HINT_SAMPLES].to_pylist()
        fits = fitting_date_formats(samples)
        options = [f'`{name}: "{f}"`' for f in fits]
        kind, values = (("date_form_one", {"fmt": fits[0]}) if len(fits) == 1 else
                        ("date_form_some", {"options": {"en": " or ".join(options), "zh": " 或 ".join(options)}}) if fits
                        else ("date_form_none", {}))
        rows = positions(raw, where)
        for k in np.flatnonzero(filled.to_numpy(zero_copy_only=False)):
            notes[(int(rows[k]), name)] = Reason(kind, value=repr(out[name].iat[rows[k]]), name=name, **values)
