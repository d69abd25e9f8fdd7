"""Money cells as exports write them: `US $1,278.82`, `￥1,132.00`, `1.234,56 €`, `CNY 88`.

The currency sign or code is taken off (and reported, so the case currency can come from it) and
the thousands separators removed, in either decimal convention: `auto` reads the last of `.` and
`,` as the decimal mark when both appear, a lone `,` followed by exactly three digits (in groups)
as thousands, any other lone `,` as the decimal mark; `dot` and `comma` fix the convention. The
work is vectorised (Arrow string kernels); a cell that is no amount stays as it was, so the
contract's check names it, with a note saying what was expected.
"""
from __future__ import annotations

MONEY_FIELDS = ("order_value", "item_cost", "shipping_cost", "return_shipping_cost")
MODES = ("auto", "dot", "comma")
# Longest first, so "US $" wins over "$". `$` alone and `¥` are read as the usual currency of
# exports that write them (US dollars; yuan on Chinese platforms); a currency column overrides.
SIGNS = {"US$": "USD", "USD": "USD", "HK$": "HKD", "HKD": "HKD", "A$": "AUD", "AUD": "AUD", "C$": "CAD",
         "CAD": "CAD", "CN¥": "CNY", "RMB": "CNY", "CNY": "CNY", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY",
         "€": "EUR", "£": "GBP", "￥": "CNY", "¥": "CNY", "元": "CNY", "$": "USD"}
_SIGN_RE = "(?P<sign>" + "|".join(sorted((s.replace("$", r"\$") for s in SIGNS), key=len, reverse=True)) + ")"
_PLAIN = r"^-?[0-9]+(\.[0-9]+)?$"


def parse_amounts(series, mode: str, name: str, notes: dict):
    """(cells as plain decimal text where they are amounts, ISO codes of the signs found)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    codes = pd.Series([None] * len(series), index=series.index, dtype=object)
    arr, where = text_cells(series)
    if len(where) == 0:
        return series, codes
    arr = pc.utf8_trim_whitespace(arr)
    plain = pc.match_substring_regex(arr, _PLAIN if mode != "comma" else r"^-?[0-9]+$").to_numpy(zero_copy_only=False)
    empty = (pc.utf8_length(arr).to_numpy(zero_copy_only=False) == 0)
    todo = ~plain & ~empty
    result = series.astype(object) if series.dtype != object else series.copy()
    result.iloc[where[plain]] = arr.filter(pa.array(plain)).to_numpy(zero_copy_only=False)
    if not todo.any():
        return result, codes
    sub = arr.filter(pa.array(todo))
    upper = pc.utf8_upper(pc.replace_substring_regex(sub, r"\s+", ""))
    sign = pc.extract_regex(upper, _SIGN_RE)
    found = pc.struct_field(sign, [0])
    rest = pc.replace_substring_regex(upper, _SIGN_RE.replace("?P<sign>", ""), "")
    rest = pc.replace_substring_regex(rest, r"['’]", "")  # 1'234.50
    number = _decimal(rest, mode)
    ok = pc.fill_null(pc.match_substring_regex(number, _PLAIN), False).to_numpy(zero_copy_only=False)
    rows = where[todo]
    values = number.to_numpy(zero_copy_only=False)
    result.iloc[rows[ok]] = values[ok]
    signs = pa.array(list(SIGNS), pa.string())
    iso = pa.array(list(SIGNS.values()), pa.string())
    found_codes = iso.take(pc.index_in(found, signs)).to_numpy(zero_copy_only=False)
    codes.iloc[rows[ok]] = found_codes[ok]
    for i in rows[~ok]:
        notes[(int(i), name)] = (f"{series.iat[i]!r} is not an amount (a number with an optional currency sign "
                                 "and thousands separators, e.g. US $1,278.82, ￥1,132.00 or 1.234,56 €)")
    return result, codes


def text_cells(series):
    """(Arrow strings of the text cells, their row positions): typed cells (numbers, dates from a
    spreadsheet) and missing ones are left out."""
    import numpy as np
    import pyarrow as pa
    if series.dtype != object:  # pandas' string dtypes: Arrow already, missing cells are null
        try:
            arr = pa.array(series, from_pandas=True)
            if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
                where = np.flatnonzero(arr.is_valid().to_numpy(zero_copy_only=False))
                return arr.cast(pa.string()).filter(arr.is_valid()), where
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    is_text = np.fromiter((isinstance(v, str) for v in series), dtype=bool, count=len(series))
    where = np.flatnonzero(is_text)
    return pa.array(series.to_numpy(dtype=object)[where], type=pa.string()), where


def _decimal(rest, mode):
    """Text with the thousands separators removed and `.` as the decimal mark."""
    import pyarrow.compute as pc
    if mode == "dot":
        return pc.replace_substring(rest, ",", "")
    if mode == "comma":
        return pc.replace_substring(pc.replace_substring(rest, ".", ""), ",", ".")
    dot, comma = pc.find_substring_regex(rest, r"\.[^.]*$"), pc.find_substring_regex(rest, r",[^,]*$")
    both = pc.and_(pc.greater_equal(dot, 0), pc.greater_equal(comma, 0))
    comma_last = pc.greater(comma, dot)
    as_dot = pc.replace_substring(rest, ",", "")
    as_comma = pc.replace_substring(pc.replace_substring(rest, ".", ""), ",", ".")
    only_comma = pc.and_(pc.less(dot, 0), pc.greater_equal(comma, 0))
    thousands_comma = pc.match_substring_regex(rest, r"^-?[0-9]{1,3}(,[0-9]{3})+$")
    thousands_dot = pc.match_substring_regex(rest, r"^-?[0-9]{1,3}(\.[0-9]{3}){2,}$")
    use_comma = pc.or_(pc.and_(both, comma_last), pc.and_(only_comma, pc.invert(thousands_comma)))
    out = pc.if_else(use_comma, as_comma, as_dot)
    return pc.if_else(thousands_dot, pc.replace_substring(rest, ".", ""), out)
