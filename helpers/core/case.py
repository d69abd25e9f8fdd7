"""Parse and validate one case against the contract, and lay cases out as engine columns.

`parse_case` is the scalar reader (a JSON object, a dict, a table row as a dict); the batch layer
has a vectorised reader that must agree with it, and the tests hold the two to each other.
"""
from __future__ import annotations

import datetime as _dt
import math
import re

from .exceptions import CaseError, FieldProblem
from .fields import FIELD_BY_NAME, FIELDS, NUMERIC_KINDS, closest_field
from .money import CURRENCY_NAMES, is_iso_currency
from .reasons import Reason

TRUE_WORDS = frozenset({"true", "yes", "1", "y", "t"})
FALSE_WORDS = frozenset({"false", "no", "0", "n", "f"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def is_unknown(value) -> bool:
    """An empty cell: None, '', whitespace, NaN, pandas NA/NaT."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    # pandas.NA / NaT without importing pandas: both refuse bool() or equal nothing
    return type(value).__name__ in ("NAType", "NaTType")


class BadValue(Exception):
    """One value a field parser refuses; callers turn it into a FieldProblem naming case and field."""

    def __init__(self, kind: str, **values):
        self.reason = Reason(kind, **values)
        super().__init__(str(self.reason))


def _parse_bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        word = v.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise BadValue("not_bool", value=repr(v))


def _parse_number(v):
    if isinstance(v, bool):
        raise BadValue("bool_not_number", value=repr(v))
    if isinstance(v, (int, float)):
        x = float(v)
    elif isinstance(v, str) and _NUMBER.match(v.strip()):
        x = float(v.strip())
    elif type(v).__name__ == "Decimal" or hasattr(v, "__float__") and not isinstance(v, str):
        x = float(v)
    else:
        raise BadValue("not_number", value=repr(v))
    if math.isnan(x) or math.isinf(x):
        raise BadValue("not_finite", value=repr(v))
    return x


def _parse_int(v):
    try:
        x = _parse_number(v)
    except BadValue as exc:
        if exc.reason.kind == "not_number":  # "such as 12.50" is no count
            raise BadValue("not_count", value=repr(v)) from None
        raise
    if x != int(x):
        raise BadValue("not_whole", value=repr(v))
    return int(x)


def _parse_date(v):
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str) and _ISO_DATE.match(v.strip()):
        try:
            return _dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
        raise BadValue("not_real_date", value=repr(v))
    serial = _excel_serial(v)
    if serial is not None:
        raise BadValue("date_serial", value=repr(v), date=serial.isoformat())
    raise BadValue("not_date", value=repr(v))


EXCEL_EPOCH = _dt.date(1899, 12, 30)  # Excel's day 0 (its 1900 system, leap-day bug included)


def _excel_serial(v):
    """The date a whole number between 1 Jan 1990 and 31 Dec 2100 stands for when it is a
    spreadsheet's day count (a date cell formatted as General: 46302 for 2026-10-07); else None."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    if not x.is_integer() or not 32874 <= x <= 73415:
        return None
    return EXCEL_EPOCH + _dt.timedelta(days=int(x))


def _parse_string(v):
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # spreadsheets read order numbers as floats
    if isinstance(v, (int, float)):
        return str(v)
    raise BadValue("not_text", value=repr(v))


TRADITIONAL_CHINESE = "zh-Hant"
_TRADITIONAL_SUBTAGS = frozenset({"hant", "tw", "hk", "mo"})  # the script, or where it is written


def language_tag(code: str) -> str:
    """The language a message is chosen by: the primary subtag (en-GB → en, zh-CN → zh), except that
    Chinese written in Traditional characters (zh-TW, zh-HK, zh-MO, zh-Hant) stays apart as zh-Hant,
    so its buyer is told when the message is in Simplified characters."""
    parts = re.split(r"[-_]", code)
    primary = parts[0].lower()
    if primary == "zh" and any(p.lower() in _TRADITIONAL_SUBTAGS for p in parts[1:]):
        return TRADITIONAL_CHINESE
    return primary


def _parse_pattern(pattern, kind, normalise):
    def parse(v):
        s = _parse_string(v)
        if not pattern.match(s):
            raise BadValue(kind, value=repr(v))
        return normalise(s)
    return parse


def _parse_enum(field):
    def parse(v):
        s = _parse_string(v).lower()
        if s in field.choices:
            return s
        from .spelling import closest  # only on the error path: keeps start-up light
        hint = closest(s, field.choices)
        if hint:
            raise BadValue("not_choice_hint", value=repr(v), choices=field.choices, hint=repr(hint))
        raise BadValue("not_choice", value=repr(v), choices=field.choices)
    return parse


def _parse_currency(v):
    code = _parse_pattern(_CURRENCY, "not_currency_form", str.upper)(v)
    code = CURRENCY_NAMES.get(code, code)
    if not is_iso_currency(code):
        raise BadValue("not_iso_currency", value=repr(v))
    return code


_PARSERS = {
    "bool": _parse_bool,
    "decimal": _parse_number,
    "int": _parse_int,
    "date": _parse_date,
    "string": _parse_string,
    "currency": _parse_currency,
    "language": _parse_pattern(_LANGUAGE, "not_language", lambda s: language_tag(s)),
    "country": _parse_pattern(_COUNTRY, "not_country", str.upper),
}
FIELD_PARSERS = {f.name: (_parse_enum(f) if f.kind == "enum" else _PARSERS[f.kind]) for f in FIELDS}


def check_range(field, value):
    if field.minimum is None or value is None:
        return None
    if field.exclusive_minimum and value <= field.minimum:
        return Reason("greater", value=f"{value:g}", limit=f"{field.minimum:g}")
    if value < field.minimum:
        return Reason("at_least", value=f"{value:g}", limit=f"{field.minimum:g}")
    return None


SHIPPED_STATUSES = ("in_transit", "stalled", "customs_hold", "delivered", "returned_to_sender", "lost")


def cross_field_checks(case: dict) -> list[tuple[str, str, str, object, object]]:
    """Rules that tie fields together, as data: (field, kind, other field, value, other value);
    kind is "before" (value is before the other field's), "after_review" or "shipped_no_date"
    (other is tracking_status). The form words them in the UI language; see cross_field_problems."""
    out = []
    order, ship, deliv, as_of = (case.get(k) for k in ("order_date", "ship_date", "delivery_date", "as_of_date"))
    if order and ship and ship < order:
        out.append(("ship_date", "before", "order_date", ship, order))
    if ship and deliv and deliv < ship:
        out.append(("delivery_date", "before", "ship_date", deliv, ship))
    if order and deliv and not ship and deliv < order:
        out.append(("delivery_date", "before", "order_date", deliv, order))
    closed = case.get("closed_date")
    if order and closed and closed < order:
        out.append(("closed_date", "before", "order_date", closed, order))
    for name, when in (("order_date", order), ("ship_date", ship), ("delivery_date", deliv), ("closed_date", closed)):
        if when and as_of and when > as_of:
            out.append((name, "after_review", "as_of_date", when, as_of))
    if case.get("tracking_status") in SHIPPED_STATUSES and not ship:
        out.append(("ship_date", "shipped_no_date", "tracking_status", None, case["tracking_status"]))
    return out


def cross_field_problems(case: dict, faulty=frozenset()) -> list[tuple[str, Reason]]:
    """Rules that tie fields together; (field, Reason) pairs. Shared with the batch reader.
    A rule about a field in `faulty` (its own value cannot be read), or tying it to one, says
    nothing: that field's value is unknown here, not empty or early."""
    return [(field, Reason(kind, value=value, other=other, other_value=other_value))
            for field, kind, other, value, other_value in cross_field_checks(case)
            if field not in faulty and other not in faulty]


def parse_case(data, *, as_of: _dt.date | None = None, row: int | None = None,
               ignore_unknown_fields: bool = False) -> dict:
    """Validate one case and return it with every contract field typed and defaulted.

    Raises CaseError naming the case and every faulty field. `as_of` (the batch's --as-of)
    overrides the case's own as_of_date; with neither, the review date is today.
    """
    if not isinstance(data, dict):
        raise CaseError([FieldProblem(None, "(case)", f"a case must be an object of fields, not {type(data).__name__}", row)])
    raw_id = data.get("case_id")
    try:  # the id names the case in every problem: one that is not text (b"P1", a list) is named as it is
        case_id = None if is_unknown(raw_id) else _parse_string(raw_id)
    except BadValue:
        case_id = repr(raw_id)
    problems = []
    if not ignore_unknown_fields:
        for key in data:
            if key not in FIELD_BY_NAME:
                hint = closest_field(key)
                reason = Reason("not_a_field_hint", hint=repr(hint)) if hint else Reason("not_a_field")
                problems.append(FieldProblem(case_id, str(key), reason, row))
    case = {}
    for field in FIELDS:
        value = data.get(field.name)
        if is_unknown(value):
            if field.required:
                problems.append(FieldProblem(case_id, field.name, Reason("required"), row))
            case[field.name] = field.default
            continue
        try:
            parsed = FIELD_PARSERS[field.name](value)
        except BadValue as bad:
            problems.append(FieldProblem(case_id, field.name, bad.reason, row))
            case[field.name] = None
            continue
        range_problem = check_range(field, parsed) if field.kind in ("decimal", "int") else None
        if range_problem:
            problems.append(FieldProblem(case_id, field.name, range_problem, row))
        case[field.name] = parsed
    if as_of is not None:
        case["as_of_date"] = as_of
    elif case["as_of_date"] is None:
        case["as_of_date"] = _dt.date.today()
    # every field at fault at once: the rules tying fields together too (a user fixed buyer_photos,
    # ran again, and only then learnt that ship_date was before order_date)
    problems += [FieldProblem(case_id, f, m, row) for f, m in cross_field_problems(case, {p.field for p in problems})]
    if problems:
        raise CaseError(problems)
    return case


def to_columns(cases: list[dict]):
    """Lay parsed cases out as the engine's columns.

    Everything a rule may test becomes float64 with NaN for unknown: numbers, booleans (1/0),
    dates (day ordinals) and enums (the value's index in its choices). Text stays as object arrays.
    """
    import numpy as np
    cols = {}
    for field in FIELDS:
        values = [c[field.name] for c in cases]
        if field.kind == "date":
            values = [None if v is None else v.toordinal() for v in values]
        elif field.kind == "enum":
            values = [None if v is None else field.choices.index(v) for v in values]
        if field.kind in NUMERIC_KINDS or field.kind == "enum":
            cols[field.name] = np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)
        else:
            cols[field.name] = np.array(["" if v is None else v for v in values], dtype=object)
    return cols

