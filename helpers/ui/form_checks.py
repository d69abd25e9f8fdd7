"""The form's checks, worded for the person at the form: every problem at once (a field's own and
the cross-field ones), named by the field's label, dates as the date pickers show them, in the UI
language; and warnings for amounts that are allowed but probably mistyped.

The rules themselves are the contract's (helpers.core.case): this module only words them.
"""
from __future__ import annotations

import datetime as _dt

from ..core.case import FIELD_PARSERS, BadValue, cross_field_checks
from ..core.fields import FIELD_BY_NAME
from ..playbook.labels import choice_label, field_label

AMOUNTS = ("order_value", "item_cost", "shipping_cost", "return_shipping_cost")

WORDS = {  # key -> (en, zh)
    "required": ("Required: fill this in.", "必填，请填写。"),
    "decimal": ("Enter a number such as 1250.50 (no currency sign or thousands separator).",
                "请输入数字，如 1250.50（不带货币符号或千位分隔符）。"),
    "int": ("Enter a whole number such as 3.", "请输入整数，如 3。"),
    "date": ("Enter a date.", "请输入日期。"),
    "currency": ("Enter a 3-letter currency code such as USD or EUR.", "请输入三位货币代码，如 USD、EUR。"),
    "other": ("This value cannot be used here.", "此值无法使用。"),
    "enum": ("Choose one of: {choices}.", "请从以下选项中选择：{choices}。"),
    "greater": ("Must be more than {limit}.", "必须大于 {limit}。"),
    "at_least": ("Must be {limit} or more.", "不能小于 {limit}。"),
    "before": ("{value} is before the {other} ({other_value}).", "{value} 早于{other}（{other_value}）。"),
    "after_review": ("{value} is after the {other} ({other_value}).", "{value} 晚于{other}（{other_value}）。"),
    "shipped_no_date": ("Empty, but the {other} is “{other_value}”: add the ship date.",
                        "为空，但{other}为“{other_value}”：请填写发货日期。"),
    "implausible": ("{value} is unusually high for one order: check the amount (it is still decided).",
                    "{value} 对一笔订单来说异常高，请检查金额（仍会给出建议）。"),
    "summary": ("Fix the {n} field(s) marked in red, then press Recommend: {names}.",
                "请先修正标红的 {n} 个字段，再点击“给出建议”：{names}。"),
}


def word(key: str, lang: str, **values) -> str:
    en, zh = WORDS[key]
    return (zh if lang == "zh" else en).format(**values)


def form_date(value: _dt.date, lang: str) -> str:
    """A date as the form's date pickers show it: 09/30/2026 in English, 2026/09/30 in Chinese."""
    return value.strftime("%Y/%m/%d" if lang == "zh" else "%m/%d/%Y")


def form_money(amount: float, lang: str, currency: str = "", whole_units=()) -> str:
    """An amount with thousands separators (the same in both UI languages), then its currency; a
    currency without cents (`whole_units`: JPY, KRW) shows a whole amount without them."""
    from ..core.money import amount_text
    return amount_text(amount, currency, whole_units, thousands=True) + (f" {currency}" if currency else "")


def _number(x) -> str:
    return f"{x:g}"


def field_problems(raw: dict, fields, lang: str, base: dict | None = None) -> tuple[dict, dict]:
    """(problems, typed): per field, the list of its problems in `lang`; and the values that parsed.

    `raw` holds the form's values (None = empty); `base` the case's other fields (the parameters)."""
    problems: dict[str, list[str]] = {}
    typed: dict = {}
    for name in fields:
        value, f = raw.get(name), FIELD_BY_NAME[name]
        if value in (None, ""):
            if f.required:
                problems.setdefault(name, []).append(word("required", lang))
            continue
        try:
            parsed = FIELD_PARSERS[name](value)
        except BadValue:
            if f.kind == "enum":  # a headless case can give any text; the form's dropdowns cannot
                choices = ("、" if lang == "zh" else ", ").join(choice_label(name, c, lang) for c in f.choices)
                problems.setdefault(name, []).append(word("enum", lang, choices=choices))
            else:
                problems.setdefault(name, []).append(word(f.kind if f.kind in WORDS else "other", lang))
            continue
        if f.kind in ("decimal", "int") and f.minimum is not None:
            if f.exclusive_minimum and parsed <= f.minimum:
                problems.setdefault(name, []).append(word("greater", lang, limit=_number(f.minimum)))
            elif parsed < f.minimum:
                problems.setdefault(name, []).append(word("at_least", lang, limit=_number(f.minimum)))
        typed[name] = parsed
    context = {**_typed_base(base or {}), **typed}
    for name, kind, other, value, other_value in cross_field_checks(context):
        if name not in fields:
            continue
        shown = (form_date(other_value, lang) if isinstance(other_value, _dt.date)
                 else choice_label(other, other_value, lang))
        problems.setdefault(name, []).append(word(
            kind, lang, value=form_date(value, lang) if isinstance(value, _dt.date) else "",
            other=field_label(other, lang).lower() if lang == "en" else field_label(other, lang), other_value=shown))
    return problems, typed


def _typed_base(base: dict) -> dict:
    out = {}
    for name, value in base.items():
        if name in FIELD_PARSERS and value not in (None, ""):
            try:
                out[name] = FIELD_PARSERS[name](value)
            except BadValue:
                pass
    return out


def amount_warnings(typed: dict, lang: str, ceiling: float, rates: dict | None = None, whole_units=()) -> dict:
    """Amounts above `ceiling` (parameters.yaml: implausible_amount, in the base currency of the shop's
    rate table `rates`): allowed, but probably mistyped. 158,000 KRW is an ordinary order, not 158,000 USD."""
    currency = str(typed.get("currency") or "USD")
    per_base = float((rates or {}).get(currency) or 1.0)
    return {name: word("implausible", lang, value=form_money(typed[name], lang, currency, whole_units))
            for name in AMOUNTS if isinstance(typed.get(name), (int, float)) and typed[name] / per_base > ceiling}


def summary(problems: dict, lang: str) -> str:
    """The line beside Recommend: how many fields to fix, by label."""
    if not problems:
        return ""
    names = ("、" if lang == "zh" else ", ").join(field_label(n, lang) for n in problems)
    return word("summary", lang, n=len(problems), names=names)
