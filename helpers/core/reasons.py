"""Why a case's value is refused, in English and Chinese: one table for the contract's checks.

A check raises or returns a `Reason` (a kind from REASONS and the values its words take) instead of
a finished sentence, so a Chinese run's rejected rows read in Chinese (errors.csv, the review report)
while the English stays word for word what it was. Values are shown as the case gave them (codes,
dates, the cell's own text): they are what the user finds in the file.
"""
from __future__ import annotations

REASONS = {  # kind -> (English, Chinese)
    "required": ("is required but empty", "必填，但为空"),
    "not_a_field": ("is not a field of the case contract", "不是案例约定中的字段"),
    "not_a_field_hint": ("is not a field of the case contract; did you mean {hint}?",
                         "不是案例约定中的字段；是不是 {hint}？"),
    "not_bool": ("{value} is not a boolean; use true/false, yes/no or 1/0",
                 "{value} 不是是/否值；请用 true/false、yes/no 或 1/0"),
    "bool_not_number": ("{value} is a boolean, not a number", "{value} 是是/否值，不是数字"),
    "not_number": ("{value} is not a number (use a plain number such as 12.50, no currency sign or thousands separator)",
                   "{value} 不是数字（请写成 12.50 这样的纯数字，不带货币符号和千位分隔符）"),
    "not_finite": ("{value} is not a finite number", "{value} 不是有限的数字"),
    "not_count": ("{value} is not a whole number (write a count such as 3)", "{value} 不是整数（请写成 3 这样的次数）"),
    "not_whole": ("{value} is not a whole number", "{value} 不是整数"),
    "not_real_date": ("{value} is not a real date", "{value} 不是真实存在的日期"),
    "date_serial": ("{value} is not a date in the form YYYY-MM-DD; it looks like a spreadsheet's day number for {date}: "
                    "format the column as a date (YYYY-MM-DD) in the spreadsheet and export it again",
                    "{value} 不是 YYYY-MM-DD 格式的日期；它像是电子表格里 {date} 的日期序号：请在表格中把这一列设为日期格式"
                    "（YYYY-MM-DD）后重新导出"),
    "not_date": ("{value} is not a date in the form YYYY-MM-DD", "{value} 不是 YYYY-MM-DD 格式的日期"),
    "not_text": ("{value} is not text", "{value} 不是文本"),
    "not_language": ("{value} is not a language code such as en or zh", "{value} 不是语言代码（如 en、zh）"),
    "not_country": ("{value} is not a 2-letter ISO 3166 country code such as US",
                    "{value} 不是两位 ISO 3166 国家代码（如 US）"),
    "not_currency_form": ("{value} is not a 3-letter ISO 4217 currency code such as USD",
                          "{value} 不是三位 ISO 4217 货币代码（如 USD）"),
    "not_iso_currency": ("{value} is not an ISO 4217 currency code (such as USD, EUR, CNY)",
                         "{value} 不是 ISO 4217 货币代码（如 USD、EUR、CNY）"),
    "not_choice": ("{value} is not one of {choices}", "{value} 不在可选值中：{choices}"),
    "not_choice_hint": ("{value} is not one of {choices}; did you mean {hint}?",
                        "{value} 不在可选值中：{choices}；是不是 {hint}？"),
    "greater": ("{value} must be greater than {limit}", "{value} 必须大于 {limit}"),
    "at_least": ("{value} must be at least {limit}", "{value} 不能小于 {limit}"),
    "before": ("{value} is before {other} {other_value}", "{value} 早于 {other}（{other_value}）"),
    "after_review": ("{value} is after the review date (as_of_date) {other_value}",
                     "{value} 晚于审核日期 as_of_date（{other_value}）"),
    "shipped_no_date": ("is empty (not shipped) but tracking_status is {other_value}; add the ship date",
                        "为空（未发货），但 tracking_status 为 {other_value}；请填写发货日期"),
    "duplicate": ("appears more than once in this batch; row {first_row} has it and was decided",
                  "在本批次中出现不止一次；第 {first_row} 行已有此 case_id，并已给出建议"),
    "no_rate": ("{code} has no exchange rate in the shop's table (parameters.yaml, exchange_rates); add "
                "`{code}: <units per 1 of the base currency>` there, or give the case in a currency it has",
                "店铺汇率表（parameters.yaml 的 exchange_rates）中没有 {code} 的汇率；请在其中添加 "
                "`{code}: <每 1 单位基准货币折合的数额>`，或改用表中已有的货币"),
    # a cell a column mapping cannot read (helpers.iorw): said in place of the contract's reason
    "amount_other_currency": ("{value} is in {sign} but the case is in {currency}; give the amount in {currency}, "
                              "or put the case in {sign}",
                              "{value} 是 {sign}，而案例的货币是 {currency}；请用 {currency} 填写金额，或把案例货币改为 {sign}"),
    "not_amount": ("{value} is not an amount (a number with an optional currency sign and thousands separators, "
                   "e.g. US $1,278.82, ￥1,132.00 or 1.234,56 €)",
                   "{value} 不是金额（数字，可带货币符号和千位分隔符，如 US $1,278.82、￥1,132.00 或 1.234,56 €）"),
    "not_mapped_choice": ("{value} is not one of {choices}, nor a value the mapping knows ({known}); add it under "
                          "`values: {name}:` in the mapping",
                          "{value} 不在可选值中：{choices}，也不是映射文件认识的值（{known}）；请在映射文件的 "
                          "`values: {name}:` 下添加它"),
    "not_date_format": ("{value} does not match the mapping's date format {fmt} (e.g. {example})",
                        "{value} 不符合映射文件的日期格式 {fmt}（如 {example}）"),
    "no_such_date": ("{value} is not a date that exists (a day past the month's end, or a second past 59), read as {fmt}",
                     "{value} 不是存在的日期（超出当月天数，或秒数超过 59），按 {fmt} 读取"),
    "date_form_one": ('{value} is not a date in the form YYYY-MM-DD; add `{name}: "{fmt}"` under `dates:` in the '
                      "mapping (every {name} of the file is in that form)",
                      '{value} 不是 YYYY-MM-DD 格式的日期；请在映射文件的 `dates:` 下添加 `{name}: "{fmt}"`'
                      "（文件中的 {name} 都是这种格式）"),
    "date_form_some": ("{value} is not a date in the form YYYY-MM-DD; name its form under `dates:` in the mapping, "
                       "one of {options} (the {name} cells fit each; check which the export means)",
                       "{value} 不是 YYYY-MM-DD 格式的日期；请在映射文件的 `dates:` 下写明它的格式，{options} 之一"
                       "（{name} 的单元格符合其中每一种；请核对导出文件用的是哪一种）"),
    "date_form_none": ("{value} is not a date in the form YYYY-MM-DD; name its form under `dates:` in the mapping as "
                       'a strptime format, e.g. `{name}: "%d.%m.%Y"` for 03.10.2026 (docs/contract.md, column mappings)',
                       "{value} 不是 YYYY-MM-DD 格式的日期；请在映射文件的 `dates:` 下用 strptime 格式写明它的格式，"
                       '如 03.10.2026 写作 `{name}: "%d.%m.%Y"`（见 docs/contract.md 的列映射部分）'),
    # a line of a CSV file that is not a row of cases (helpers.iorw.csvrows)
    "row_text_line": ("has 1 cell but the header has {n}: a line of text rather than a case (a title or footer the "
                      "export adds?); it is not decided — if it is a case, give it every column",
                      "只有 1 个单元格，而表头有 {n} 个：这是一行文字而不是案例（导出文件加的标题或页脚？）；"
                      "不会给出建议——如果它是案例，请补全每一列"),
    "row_cells": ("has {k} cells but the header has {n}; fix the row (a {delimiter} inside a value needs quotes)",
                  "有 {k} 个单元格，而表头有 {n} 个；请修正这一行（值里的{delimiter}需要用引号括起来）"),
    "row_unclosed": ('a quoted cell opened on this line is never closed (an unpaired "); close the quote or remove '
                     "it; the rows after it were read on their own",
                     "这一行开始的带引号单元格一直没有闭合（引号不成对）；请补上或删去引号；其后的各行已分别读取"),
    # a line of a JSON Lines file that is not a case (helpers.iorw.tables)
    "jsonl_not_json": ("is not JSON ({error}); write the case as one JSON object on one line",
                       "不是 JSON（{error}）；请把案例写成一行一个 JSON 对象"),
    "jsonl_not_object": ("is {value}, not a JSON object; write the case as one object on one line, "
                         '{{"case_id": "A1", ...}}',
                         '是 {value}，不是 JSON 对象；请把案例写成一行一个对象，如 {{"case_id": "A1", ...}}'),
    "row_stray": ('has a quote (") inside a cell that is not quoted as CSV requires; quote the whole cell and double '
                  'the quote inside it (""), or remove it',
                  "某个单元格里有引号（\"），但这个单元格没有按 CSV 的要求加引号；请给整个单元格加上引号并把其中的引号写两遍"
                  "（\"\"），或删去这个引号"),
}
_LIST_JOIN = {"en": ", ", "zh": "、"}
# how a row's problems are written one after another: "field: reason; field: reason" (errors.csv)
PROBLEM_MARKS = {"en": (": ", "; "), "zh": ("：", "；")}


def _worded(value, lang: str):
    """A value as `lang` shows it: a list joined as the language lists things, a word given in each
    language ({"en": "comma", "zh": "逗号"}) in that one, anything else as it is."""
    if isinstance(value, (list, tuple)):
        return _LIST_JOIN[lang].join(map(str, value))
    if isinstance(value, dict):
        return value[lang]
    return value


class Reason:
    """What is wrong with one value: a kind of REASONS and the values its words take."""

    __slots__ = ("kind", "values")

    def __init__(self, kind: str, **values):
        if kind not in REASONS:
            raise KeyError(f"no words for the reason {kind!r}")  # a bug: every kind is worded in both languages
        self.kind, self.values = kind, values

    def text(self, lang: str = "en") -> str:
        lang = "zh" if lang == "zh" else "en"
        words = REASONS[self.kind][lang == "zh"]
        return words.format(**{k: _worded(v, lang) for k, v in self.values.items()})

    def __str__(self):
        return self.text("en")

    def __repr__(self):
        return f"Reason({self.kind!r}, {self.values!r})"
