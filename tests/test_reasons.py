"""Why a row is rejected, in the run's language: the contract's checks worded in English and Chinese
(helpers.core.reasons), errors.csv's message in `--lang`, and the English word for word as before."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers.cli import main
from helpers.core.reasons import REASONS, Reason

ROWS = ("case_id,dispute_type,order_value,order_date,ship_date,currency,buyer_photos,tracking_status\n"
        "A1,not_received,-5,2026-10-10,,USD,,\n"
        "A2,not_recieved,30,2026-13-01,,USD,,\n"
        "A3,damaged,abc,2026-10-10,2026-10-01,US,maybe,\n"
        "A4,damaged,30,2026-10-10,,XYZ,,delivered\n"
        "A5,damaged,30,2026-10-10,,USD,,\n"
        "A5,damaged,30,2026-10-10,,USD,,\n"
        ",cancellation,30,2026-10-10,,USD,,\n")

EXPECTED = {  # written by hand: the English is what errors.csv said before the Chinese was added
    "en": ["order_value: -5 must be greater than 0",
           "dispute_type: 'not_recieved' is not one of not_received, not_as_described, damaged, cancellation; "
           "did you mean 'not_received'?; order_date: '2026-13-01' is not a real date",
           "order_value: 'abc' is not a number (use a plain number such as 12.50, no currency sign or thousands "
           "separator); currency: 'US' is not a 3-letter ISO 4217 currency code such as USD; buyer_photos: 'maybe' "
           "is not a boolean; use true/false, yes/no or 1/0; ship_date: 2026-10-01 is before order_date 2026-10-10",
           "currency: 'XYZ' is not an ISO 4217 currency code (such as USD, EUR, CNY); ship_date: is empty (not "
           "shipped) but tracking_status is delivered; add the ship date",
           "case_id: appears more than once in this batch; row 6 has it and was decided",
           "case_id: is required but empty"],
    "zh": ["order_value：-5 必须大于 0",
           "dispute_type：'not_recieved' 不在可选值中：not_received、not_as_described、damaged、cancellation；"
           "是不是 'not_received'？；order_date：'2026-13-01' 不是真实存在的日期",
           "order_value：'abc' 不是数字（请写成 12.50 这样的纯数字，不带货币符号和千位分隔符）；currency：'US' 不是三位 "
           "ISO 4217 货币代码（如 USD）；buyer_photos：'maybe' 不是是/否值；请用 true/false、yes/no 或 1/0；"
           "ship_date：2026-10-01 早于 order_date（2026-10-10）",
           "currency：'XYZ' 不是 ISO 4217 货币代码（如 USD、EUR、CNY）；ship_date：为空（未发货），但 tracking_status 为 "
           "delivered；请填写发货日期",
           "case_id：在本批次中出现不止一次；第 6 行已有此 case_id，并已给出建议",
           "case_id：必填，但为空"],
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_errors_csv_gives_each_rows_reasons_in_the_runs_language(tmp_path, lang):
    """A Chinese seller running `--lang zh` read every rejected row's reason in English."""
    (tmp_path / "cases.csv").write_text(ROWS, encoding="utf-8")
    assert main(["batch", str(tmp_path / "cases.csv"), "--out", str(tmp_path / "o"), "--as-of", "2026-11-01",
                 "--lang", lang, "--no-report"]) == 0
    errors = pd.read_csv(tmp_path / "o" / "errors.csv", dtype=str, keep_default_na=False)
    assert errors["row"].tolist() == ["2", "3", "4", "5", "7", "8"] and errors["case_id"].tolist()[-1] == ""
    assert errors["message"].tolist() == EXPECTED[lang]
    assert errors["field"].tolist()[1:3] == ["dispute_type, order_date", "order_value, currency, buyer_photos, ship_date"]


def test_every_reason_has_words_in_both_languages_and_no_unknown_kind_is_accepted():
    for kind, (en, zh) in REASONS.items():
        assert en and zh and en != zh, kind
        assert set(_names(en)) == set(_names(zh)), kind  # both languages say the same values
    assert Reason("not_choice", value="'x'", choices=("a", "b")).text("zh") == "'x' 不在可选值中：a、b"
    assert Reason("not_choice", value="'x'", choices=("a", "b")).text("fr") == "'x' is not one of a, b"
    both = Reason("date_form_some", value="'01/02/2026'", name="order_date",
                  options={"en": '`order_date: "%m/%d/%Y"` or `order_date: "%d/%m/%Y"`',
                           "zh": '`order_date: "%m/%d/%Y"` 或 `order_date: "%d/%m/%Y"`'})
    assert both.text("zh") == ("'01/02/2026' 不是 YYYY-MM-DD 格式的日期；请在映射文件的 `dates:` 下写明它的格式，"
                               '`order_date: "%m/%d/%Y"` 或 `order_date: "%d/%m/%Y"` 之一（order_date 的单元格符合其中每一种；'
                               "请核对导出文件用的是哪一种）")
    with pytest.raises(KeyError):
        Reason("no_such_reason")


def _names(words):
    import string
    return [name for _, name, _, _ in string.Formatter().parse(words) if name]


@pytest.mark.slow
def test_the_dask_engine_words_the_reasons_as_the_pandas_engine_does(tmp_path):
    import io
    frame = pd.read_csv(io.StringIO(ROWS), dtype=str, keep_default_na=False)
    frame.to_parquet(tmp_path / "cases.parquet", index=False)
    for engine in ("pandas", "dask"):
        assert main(["batch", str(tmp_path / "cases.parquet"), "--out", str(tmp_path / engine), "--as-of", "2026-11-01",
                     "--lang", "zh", "--no-report", "--engine", engine]) == 0
    assert (tmp_path / "dask" / "errors.csv").read_text(encoding="utf-8") == \
        (tmp_path / "pandas" / "errors.csv").read_text(encoding="utf-8")
    assert pd.read_csv(tmp_path / "dask" / "errors.csv")["message"].tolist() == EXPECTED["zh"]


@pytest.mark.parametrize("lang, reasons", [
    ("en", ["(row): has 1 cell but the header has 3: a line of text rather than a case (a title or footer the export "
            "adds?); it is not decided — if it is a case, give it every column",
            "(row): has 4 cells but the header has 3; fix the row (a comma inside a value needs quotes)",
            "(row): has a quote (\") inside a cell that is not quoted as CSV requires; quote the whole cell and double "
            "the quote inside it (\"\"), or remove it"]),
    ("zh", ["(row)：只有 1 个单元格，而表头有 3 个：这是一行文字而不是案例（导出文件加的标题或页脚？）；不会给出建议——如果它是案例，"
            "请补全每一列",
            "(row)：有 4 个单元格，而表头有 3 个；请修正这一行（值里的逗号需要用引号括起来）",
            "(row)：某个单元格里有引号（\"），但这个单元格没有按 CSV 的要求加引号；请给整个单元格加上引号并把其中的引号写两遍"
            "（\"\"），或删去这个引号"]),
])
def test_a_line_that_is_not_a_row_of_cases_is_told_in_the_runs_language(tmp_path, lang, reasons):
    """The CSV's structure (a footer line, a row with a cell too many, a stray quote), written by hand."""
    (tmp_path / "cases.csv").write_text("case_id,dispute_type,order_value\nK1,damaged,30\nK2,damaged,30,9\n"
                                        'K3,da"ma"ged,30\n4 record(s) downloaded\n', encoding="utf-8")
    assert main(["batch", str(tmp_path / "cases.csv"), "--out", str(tmp_path / "o"), "--as-of", "2026-11-01",
                 "--lang", lang, "--no-report"]) == 0
    errors = pd.read_csv(tmp_path / "o" / "errors.csv", dtype=str, keep_default_na=False)
    assert errors["row"].tolist() == ["3", "4", "5"]
    assert errors["message"].tolist() == [reasons[1], reasons[2], reasons[0]]


@pytest.mark.parametrize("lang, reasons", [
    ("en", ["order_date: '2026-02-30 10:00:00' is not a date that exists (a day past the month's end, or a second "
            "past 59), read as '%Y-%m-%d %H:%M:%S'",
            "order_value: '约八十元' is not an amount (a number with an optional currency sign and thousands "
            "separators, e.g. US $1,278.82, ￥1,132.00 or 1.234,56 €)"]),
    ("zh", ["order_date：'2026-02-30 10:00:00' 不是存在的日期（超出当月天数，或秒数超过 59），按 '%Y-%m-%d %H:%M:%S' 读取",
            "order_value：'约八十元' 不是金额（数字，可带货币符号和千位分隔符，如 US $1,278.82、￥1,132.00 或 1.234,56 €）"]),
])
def test_a_cell_the_column_mapping_cannot_read_is_told_in_the_runs_language(tmp_path, lang, reasons):
    """A Taobao export as Chinese Excel saves it (GBK, CRLF), read with the bundled mapping."""
    rows = ["退款编号,订单编号,买家实际支付金额,订单付款时间,退款原因,退款类型",
            "TB-1,4001,￥120.00,2026-09-01 08:00:00,未收到货,仅退款",
            "TB-2,4002,￥80.00,2026-02-30 10:00:00,未收到货,仅退款",
            "TB-3,4003,约八十元,2026-09-01 08:00:00,未收到货,仅退款"]
    (tmp_path / "taobao.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    assert main(["batch", str(tmp_path / "taobao.csv"), "--columns", "taobao", "--out", str(tmp_path / "o"),
                 "--as-of", "2026-11-01", "--lang", lang, "--no-report"]) == 0
    errors = pd.read_csv(tmp_path / "o" / "errors.csv", dtype=str, keep_default_na=False)
    assert errors["case_id"].tolist() == ["TB-2", "TB-3"] and errors["message"].tolist() == reasons
