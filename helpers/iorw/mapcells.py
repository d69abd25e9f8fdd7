"""The mapping's work on one column: words looked up, dates in the mapping's format, blanks filled.

Each works on Arrow strings when the column is a CSV's text (see textcols), once per distinct cell
where the result depends on the cell alone; a spreadsheet's mixed column takes the same steps on
its text cells. A cell the mapping cannot turn into a contract value stays as the file has it, and
`notes` receives why, for the row's error message.
"""
from __future__ import annotations

import datetime as _dt
import functools

import numpy as np

from ..core.reasons import Reason
from .datetext import rolled_over, strict_iso
from .textcols import as_text, distinct, is_arrow_text, per_distinct, positions, put_back, spread, text_cells, text_column

# the date forms exports use, most specific first (a mapping's `dates:` takes any strptime format)
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d",
                "%Y/%m/%d", "%Y-%m-%d %H:%M:%S %z", "%d-%b-%Y", "%b-%d-%y", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y")


def fitting_date_formats(samples) -> list:
    """Every format of DATE_FORMATS that reads each of the sample texts (empty ones left out)."""
    texts = {s.strip() for s in samples if isinstance(s, str) and s.strip()}
    if not texts:
        return []
    fits = []
    for fmt in DATE_FORMATS:
        try:
            for t in texts:
                _dt.datetime.strptime(t, fmt)
        except ValueError:
            continue
        fits.append(fmt)
    return fits


def is_blank(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def map_words(series, lookup, name=None, choices=(), notes=None, encoded=None):
    """Cells replaced by the lookup where it knows them (after trimming); other cells unchanged,
    unless the lookup has a `*` entry: then every other non-empty cell takes its value. With
    `choices`, a cell left that is none of them gets a note. `encoded`: distinct(series), if known."""
    other = "*" in lookup

    def word(v):
        key = v.strip() if isinstance(v, str) else v
        if key in lookup and key != "*":
            return lookup[key]
        return lookup["*"] if other and isinstance(v, str) and v.strip() else v
    uniques, codes = encoded or distinct(series)
    values = [word(u) for u in uniques] + [word(None)]
    if choices and not other and notes is not None:
        unknown = [k for k, v in enumerate(values[:-1]) if isinstance(v, str) and v.strip()
                   and v.strip().lower() not in choices]
        if unknown:
            known = list(lookup)[:8] + (["…"] if len(lookup) > 8 else [])
            for i in np.flatnonzero(np.isin(codes, unknown)):
                notes[(int(i), name)] = Reason("not_mapped_choice", value=repr(series.iat[i]), choices=list(choices),
                                               known=known, name=name)
    return spread(series, values, codes)


def fill_blanks(series, values):
    """`series` with its empty cells (missing, or only spaces) taken from `values` (Arrow, null where
    it has nothing)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if is_arrow_text(series) and (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        arr, _ = text_cells(series)
        blank = pc.fill_null(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0), True)
        return text_column(pc.if_else(pc.and_(blank, pc.is_valid(values)), values.cast(arr.type), arr), series.index)
    take = per_distinct(series, is_blank).astype(bool) & pc.is_valid(values).to_numpy(zero_copy_only=False)
    col = series.astype(object)
    col[take] = np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)[take]
    return as_text(col)


def parse_dates(series, name, fmt, notes):
    """Text cells in the mapping's format as ISO dates (Arrow's strptime, vectorised); typed dates
    from spreadsheets pass; a cell in another format stays, with a note quoting the format."""
    import pyarrow as pa
    import pyarrow.compute as pc
    raw, where = text_cells(series)
    if len(raw) == 0:
        return series
    text = pc.utf8_trim_whitespace(raw)
    local = fmt
    if "%z" in fmt:  # the date where the order was made: drop the offset, never convert to UTC
        local = fmt.replace("%z", "").strip()
        text = pc.replace_substring_regex(text, r"\s*(?:[+-]\d{2}:?\d{2}|Z)$", "")
    parsed = strict_iso(text, local)
    impossible = ()
    if parsed is None:
        parsed = pc.strptime(text, format=local, unit="s", error_is_null=True)
        impossible = np.flatnonzero(rolled_over(text, parsed, local))
        if len(impossible):  # February 30th is no date, whatever strptime rolled it over to
            keep = np.ones(len(parsed), dtype=bool)
            keep[impossible] = False
            parsed = pc.if_else(pa.array(keep), parsed, pa.scalar(None, parsed.type))
    days = pc.dictionary_encode(parsed.cast(pa.date32()))  # ISO text once per distinct day
    iso = days.dictionary.cast(pa.large_string()).take(days.indices)
    out = put_back(series, iso if parsed.null_count == 0 else pc.coalesce(iso, raw), where)
    if parsed.null_count > raw.null_count:
        failed = np.flatnonzero(pc.fill_null(pc.greater(pc.utf8_length(text), 0), False).to_numpy(zero_copy_only=False)
                                & ~pc.is_valid(parsed).to_numpy(zero_copy_only=False))
        rows = positions(raw, where)
        example = _dt.datetime(2026, 10, 3, 14, 22, 10, tzinfo=_dt.timezone(_dt.timedelta(hours=8))).strftime(fmt)
        for k in failed:
            notes[(int(rows[k]), name)] = Reason("not_date_format", value=repr(series.iat[rows[k]]), fmt=repr(fmt),
                                                 example=example)
        for k in impossible:
            notes[(int(rows[k]), name)] = Reason("no_such_date", value=repr(series.iat[rows[k]]), fmt=repr(fmt))
    return out


def country_codes(series):
    """Countries written out as CLDR names them in Chinese or English (意大利, 義大利, Italy) as their
    ISO codes; other cells unchanged (the contract's check names what is still not a code). An export
    names a buyer's country in words, and a mapping lists only some: one it left out rejected the case."""
    return map_words(series, _country_names())


@functools.lru_cache(maxsize=1)
def _country_names() -> dict:
    from babel import Locale
    names = {}
    for locale in ("en", "zh_Hant", "zh"):  # Simplified last: its name wins where two scripts write it alike
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                names[name] = code
    return names
