"""Money cells as exports write them: `US $1,278.82`, `￥1,132.00`, `1.234,56 €`, `CNY 88`.

The currency sign or code is taken off (and reported, so the case currency can come from it) and
the thousands separators removed, in either decimal convention: `auto` reads the last of `.` and
`,` as the decimal mark when both appear, a lone `,` followed by exactly three digits (in groups)
as thousands, any other lone `,` as the decimal mark; `dot` and `comma` fix the convention. The
work is vectorised (Arrow string kernels): cells that start with the sign the column's first amount
starts with are read first (the usual export), the rest in the general way; a cell that is no
amount stays as it was, so the contract's check names it, with a note saying what was expected.
"""
from __future__ import annotations

import re

from ..core.reasons import Reason
from .textcols import positions, put_back, spread_cells, text_cells

MONEY_FIELDS = ("order_value", "item_cost", "shipping_cost", "return_shipping_cost",
                "amount_paid")  # a closed case's (history): what the seller paid out, in the case's currency
MODES = ("auto", "dot", "comma")
# Longest first, so "US $" wins over "$". `$` alone and `¥` are read as the usual currency of
# exports that write them (US dollars; yuan on Chinese platforms); a currency column overrides them.
# Every other sign names one currency: a cell whose sign names another currency than its row's
# (the currency column, or another amount's sign) is rejected, never read in the row's currency.
SIGNS = {"US$": "USD", "USD": "USD", "HK$": "HKD", "HKD": "HKD", "A$": "AUD", "AU$": "AUD", "AUD": "AUD",
         "C$": "CAD", "CA$": "CAD", "CAD": "CAD", "NZ$": "NZD", "NZD": "NZD", "MX$": "MXN", "MXN": "MXN",
         "R$": "BRL", "BRL": "BRL", "S$": "SGD", "SGD": "SGD", "NT$": "TWD", "TWD": "TWD", "CHF": "CHF",
         "CN¥": "CNY", "RMB": "CNY", "CNY": "CNY", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY", "JP¥": "JPY",
         "KRW": "KRW", "₩": "KRW", "RUB": "RUB", "₽": "RUB", "INR": "INR", "₹": "INR",
         "€": "EUR", "£": "GBP", "￥": "CNY", "¥": "CNY", "元": "CNY", "$": "USD"}
UNSURE_SIGNS = frozenset({"$", "¥", "￥"})  # the currency they are read as is a guess
_SIGN_RE = "(?P<sign>" + "|".join(sorted((s.replace("$", r"\$") for s in SIGNS), key=len, reverse=True)) + ")"
_PLAIN = r"^-?[0-9]+(\.[0-9]+)?$"


# The usual shape, checked in one pass: a sign or code before or after a number whose thousands
# are grouped by `,` and whose decimal mark is `.`; the sign's characters then trim off the ends.
_NUMBER_DOT = r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_SIGN_ANY = "(?i:" + "|".join(r"\s*".join(re.escape(c) for c in sign) for sign in sorted(SIGNS, key=len, reverse=True)) + ")"
_COMMON = rf"^\s*(?:{_SIGN_ANY}\s*{_NUMBER_DOT}|{_NUMBER_DOT}\s*{_SIGN_ANY}?)\s*$"
_SPACE = " \t\n\r\f\v"
_SIGN_CHARS = "".join(sorted({c for s in SIGNS for c in s + s.lower()})) + _SPACE


def parse_amounts(series, mode: str, name: str, notes: dict, sure: bool = False):
    """(the column with amounts as plain decimal text, the ISO code of each cell's sign or null), and
    with `sure` a third array: the code only where the sign names one currency (not `$` or `¥`).

    Typed cells (numbers from a spreadsheet) and cells that are no amount stay as they were; the
    latter get a note for the row's error message."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    arr, where = text_cells(series)
    if len(arr) == 0:
        nothing = pa.nulls(len(series), pa.large_string())
        return (series, nothing, nothing) if sure else (series, nothing)
    raw, arr = arr, pc.utf8_trim_whitespace(arr)
    number = found = pa.nulls(len(arr), pa.large_string())
    todo = pc.fill_null(pc.not_equal(pc.utf8_length(arr), 0), False).to_numpy(zero_copy_only=False)
    if mode != "comma":
        usual = _usual_sign(arr)
        if usual is not None:  # the sign the column starts with, written as its first amount writes it
            text, code = usual
            after = pc.utf8_ltrim_whitespace(pc.utf8_slice_codeunits(arr, len(text)))
            plain = pc.fill_null(pc.and_(pc.starts_with(arr, text), pc.match_substring_regex(after, _NUMBER_ONLY)), False)
            number = pc.if_else(plain, pc.replace_substring(after, ",", ""), number)
            found = pc.if_else(plain, pa.scalar(text, pa.large_string()), found)
            todo &= ~plain.to_numpy(zero_copy_only=False)
        others = np.flatnonzero(todo)
        if len(others):
            sub = arr.take(pa.array(others))
            common = pc.fill_null(pc.match_substring_regex(sub, _COMMON), False)
            where_common = others[common.to_numpy(zero_copy_only=False)]
            sub = sub.filter(common)
            number = _scatter(number, where_common, pc.replace_substring(pc.utf8_trim(sub, _SIGN_CHARS), ",", ""))
            found = _scatter(found, where_common, pc.utf8_trim(sub, "0123456789.,-" + _SPACE))
            todo[where_common] = False
    rest = np.flatnonzero(todo)
    if len(rest):
        sub = arr.take(pa.array(rest))
        upper = pc.utf8_upper(pc.replace_substring_regex(sub, r"\s+", ""))
        sign = pc.struct_field(pc.extract_regex(upper, _SIGN_RE), [0])
        bare = pc.replace_substring_regex(upper, _SIGN_RE.replace("?P<sign>", ""), "")
        bare = _decimal(pc.replace_substring_regex(bare, r"['’]", ""), mode)  # 1'234.50
        ok = pc.fill_null(pc.match_substring_regex(bare, _PLAIN), False)
        back = np.full(len(arr), -1)
        back[rest] = np.arange(len(rest))
        back = pa.array(back, mask=back < 0)
        number = pc.coalesce(number, pc.if_else(ok, bare, None).take(back))
        found = pc.coalesce(found, pc.if_else(ok, pc.cast(sign, pa.large_string()), None).take(back))
    rows = positions(arr, where)
    for k in np.flatnonzero(todo & ~pc.is_valid(number).to_numpy(zero_copy_only=False)):
        notes[(int(rows[k]), name)] = Reason("not_amount", value=repr(series.iat[rows[k]]))
    result = put_back(series, pc.coalesce(number, raw), where)  # no amount: the cell as the file has it
    codes = list(_sign_codes(found))[: 2 if sure else 1]
    if where is not None:
        codes = [spread_cells(c, where, len(series)) for c in codes]
    return (result, *codes)


_NUMBER_ONLY = rf"^{_NUMBER_DOT}$"


def _usual_sign(arr):
    """(the sign as the column's first amount writes it, its ISO code) when that amount starts with
    one; cells starting with the same text are the usual shape's quick case."""
    first = next((v for v in arr.slice(0, 100).to_pylist() if v), None)
    if first is None:
        return None
    m = re.match(_SIGN_ANY, first)
    if m is None:
        return None
    code = SIGNS.get("".join(m.group(0).split()).upper())
    return (m.group(0), code) if code else None


def _scatter(base, rows, values):
    """`base` with the given rows (ascending) set to `values`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    if not len(rows):
        return base
    back = np.full(len(base), -1)
    back[rows] = np.arange(len(rows))
    return pc.coalesce(values.take(pa.array(back, mask=back < 0)), base)


def _sign_codes(signs):
    """(the ISO code of each sign text, the same where the sign names one currency only: not one of
    UNSURE_SIGNS); null where there is none. Looked up once per distinct sign."""
    import pyarrow as pa
    import pyarrow.compute as pc
    enc = pc.dictionary_encode(signs)
    keys = ["".join(str(s).split()).upper() if s else "" for s in enc.dictionary.to_pylist()]
    codes = [SIGNS.get(k) if k else None for k in keys]
    sure = [None if k in UNSURE_SIGNS else c for k, c in zip(keys, codes)]
    return tuple(pa.array(table, pa.large_string()).take(enc.indices) for table in (codes, sure))


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
