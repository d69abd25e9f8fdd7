"""The batch review report in the run's language: the shop-health sentences, the rejected rows' fields
by their labels, and case ids as the case gave them (the files' spreadsheet-safety ' taken off).
Expected sentences are written out by hand."""
from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from helpers.batch import health_report as hr
from helpers.batch import report
from helpers.cli import main

FORMULA_ID = '=HYPERLINK("http://x","<b>y</b>")'
SHOP = pd.DataFrame([  # review dates of their own: weeks (Monday) 2026-10-19 and 2026-10-26; K4 has none
    {"case_id": FORMULA_ID, "dispute_type": "not_as_described", "order_value": "20", "platform": "ebay", "sku": "=S1",
     "mismatch": "size", "as_of_date": "2026-10-20", "buyer_prior_disputes": "5"},
    {"case_id": "K2", "dispute_type": "not_as_described", "order_value": "20", "platform": "ebay", "sku": "S2",
     "mismatch": "color", "as_of_date": "2026-10-27"},
    {"case_id": "K3", "dispute_type": "not_received", "order_value": "20", "platform": "amazon", "as_of_date": "2026-10-27"},
    {"case_id": "K4", "dispute_type": "not_received", "order_value": "20", "platform": "ebay"},
    {"case_id": "-B<i>", "dispute_type": "lost", "order_value": "x", "platform": "ebay"},
])


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):
    """A --lang zh run with its report: 4 decided (2 with a SKU, 3 dated), 1 rejected; orders by week
    and platform leave out K4 (no date: not placed, it may be one of eBay's) and K3 (amazon, not in the
    orders file): 2 counted of 300 orders."""
    folder = tmp_path_factory.mktemp("zh")
    SHOP.to_csv(folder / "cases.csv", index=False)
    (folder / "orders.csv").write_text("week,platform,orders\n2026-10-19,ebay,100\n2026-10-26,ebay,200\n")
    assert main(["batch", str(folder / "cases.csv"), "--out", str(folder / "out"), "--as-of", "2026-11-01",
                 "--lang", "zh", "--orders", str(folder / "orders.csv")]) == 0
    return folder / "out"


def _markdown(ipynb) -> list:
    nb = nbformat.read(ipynb, as_version=4)
    return [o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "text/markdown" in o.get("data", {})]


@pytest.mark.slow
def test_a_zh_reports_shop_health_sentences_are_chinese(zh_run):
    shown = _markdown(zh_run / "report.ipynb")
    assert "4 个已决定的案例中有 2 个注明了 SKU（共 2 个 SKU），按纠纷数从多到少：" in shown
    assert ("没有哪个 SKU 有 5 起或以上“与描述不符”纠纷、且其中 75% 或以上属于同一种不符之处：没有需要特别修改的详情页。"
            in shown)
    assert "按每个案例自身 `as_of_date`（处理日期）所在的周统计；1 个没有该日期的案例未计入。" in shown
    assert ("每单纠纷数（orders.csv：300 个订单；计入 2 个已决定的案例）。未计入：1 个案例没有自己的处理日期，因此不知道属于哪一周；"
            "1 个案例所在的周和平台组合在订单文件中没有订单数。含有无法归入的纠纷时，纠纷率可能高于已归入纠纷所显示的数值：此时只给出"
            "下限（“至少”）或记为未知，只有当下限也高于目标时才判定为高于目标。未设目标：店铺可在 `playbook/parameters.yaml` 的 "
            "`dispute_rate_targets` 中自行设定（总体及各纠纷类型）。") in shown
    assert "按平台（订单数来自订单文件）：" in shown and "按周（订单数来自订单文件）：" in shown
    text = (zh_run / "report.html").read_text(encoding="utf-8")
    assert "<td>（未知）</td>" in text  # no case gave a buyer country: the rates by country say so in Chinese
    for english in ("(unknown)", "decided cases name a SKU", "No SKU has", "By the week", "Disputes per order", "Left out",
                    "No target is set", "Per platform", "Per week", "without a review date", "does not name"):
        assert english not in text, english


@pytest.mark.slow
def test_a_zh_report_shows_case_ids_and_skus_as_the_case_gave_them_escaped(zh_run):
    # the files keep the spreadsheet-safety ' (analysts open them in spreadsheets)
    assert pd.read_csv(zh_run / "recommendations.csv")["case_id"].iloc[0] == "'" + FORMULA_ID
    assert pd.read_csv(zh_run / "errors.csv")["case_id"].tolist() == ["'-B<i>"]
    text = (zh_run / "report.html").read_text(encoding="utf-8")
    assert '<td>=HYPERLINK("http://x","&lt;b&gt;y&lt;/b&gt;")</td>' in text   # a risk-flagged case (5 disputes)
    assert "<td>-B&lt;i&gt;</td>" in text and "<td>=S1</td>" in text          # a rejected row; products.csv's SKU
    assert "'=HYPERLINK" not in text and "'-B" not in text and "'=S1" not in text
    assert "<b>y</b>" not in text and "<i>" not in text


@pytest.mark.slow
def test_a_zh_reports_rejected_rows_name_fields_by_their_chinese_labels(zh_run):
    text = (zh_run / "report.html").read_text(encoding="utf-8")
    assert "<td>纠纷类型、订单金额</td>" in text
    assert ("<td>纠纷类型：'lost' 不在可选值中：not_received、not_as_described、damaged、cancellation；"
            "订单金额：'x' 不是数字（") in text  # the reasons in Chinese too (errors.csv words them so in a zh run)
    assert "<td>dispute_type" not in text and "order_value:" not in text


def _errors_run(tmp_path, lang):
    messages = ["ship_date: 2026-10-01 is before order_date 2026-10-10", "(row): has 1 cell but the header has 3",
                "colour: is not a field of the case contract; did you mean 'color'?; order_value: is required but empty"]
    if lang == "zh-run":  # the reasons of the contract's checks in Chinese; the file's structure still in English
        lang, messages = "zh", ["ship_date：2026-10-01 早于 order_date（2026-10-10）", "(row)：has 1 cell but the header has 3",
                                "colour：不是案例约定中的字段；是不是 'color'？；order_value：必填，但为空"]
    errors = pd.DataFrame({"row": [2, 3, 4], "case_id": ["'=1+1", "C2", "C3"],
                           "field": ["ship_date", "(row)", "colour, order_value"], "message": messages})
    return report.Run(tmp_path, pd.DataFrame(), errors, {"lang": lang}, None, None, lang)


@pytest.mark.parametrize("lang, fields, messages", [
    ("en", ["Ship date", "(whole row)", "colour, Order value"],
     ["Ship date: 2026-10-01 is before Order date 2026-10-10", "(whole row): has 1 cell but the header has 3",
      "colour: is not a field of the case contract; did you mean 'color'?; Order value: is required but empty"]),
    ("zh", ["发货日期", "（整行）", "colour、订单金额"],
     ["发货日期：2026-10-01 is before 下单日期 2026-10-10", "（整行）：has 1 cell but the header has 3",
      "colour：is not a field of the case contract; did you mean 'color'?; 订单金额：is required but empty"]),
    ("zh-run", ["发货日期", "（整行）", "colour、订单金额"],  # errors.csv as a zh run writes it
     ["发货日期：2026-10-01 早于 下单日期（2026-10-10）", "（整行）：has 1 cell but the header has 3",
      "colour：不是案例约定中的字段；是不是 'color'？；订单金额：必填，但为空"]),
])
def test_rejected_rows_name_each_problems_field_by_its_label(tmp_path, lang, fields, messages):
    """A column the contract does not know (colour) keeps its name; the reasons stay as errors.csv words them,
    a field they name (order_date) by its label too."""
    by_field, rows = (t.frame for t in report.section_rejected(_errors_run(tmp_path, lang)))
    assert rows.iloc[:, 1].tolist() == ["=1+1", "C2", "C3"]
    assert rows.iloc[:, 2].tolist() == fields
    assert rows.iloc[:, 3].tolist() == messages
    assert sorted(by_field.iloc[:, 0]) == sorted(["(whole row)", "Order value", "Ship date", "colour"] if lang == "en"
                                                 else ["（整行）", "发货日期", "订单金额", "colour"])


HEALTH = {"health": {"cases": 40, "with_sku": 30, "with_date": 0, "not_as_described_with_sku_and_mismatch": 0,
                     "listing_rule": {"min_cases": 5, "share": 0.75}},
          "listings_to_fix": [], "disputes_per_week": {}, "dispute_rates": None}


def _sentences(summary, products):
    return [m.data for part in (hr.products_section(summary, products), hr.listings_section(summary),
                                hr.weeks_section(summary), hr.rates_section(summary))
            for m in part if hasattr(m, "data")]


def test_the_health_sections_say_what_the_input_lacks_in_the_runs_language():
    """A backtest's summary has no `lang`: English, as before; a zh run's says it in Chinese."""
    products = pd.DataFrame({"sku": [f"S{i}" for i in range(21)], "dispute_type": "damaged", "mismatch": "",
                             "disputes": 1})
    assert _sentences(HEALTH, products) == [
        "30 of 40 decided cases name a SKU (21 SKUs); the 20 with the most disputes below, every one in the run's "
        "`products.csv`.",
        "No not-as-described case names both a `sku` and a `mismatch`, so no listing can be singled out.",
        "The input gives no `as_of_date` of its own for any case (a review date set with `--as-of` says nothing about "
        "when a dispute came up), so disputes cannot be counted per week.",
        "No order count given, so no dispute rate: run with `--orders N` (orders in the period) or `--orders FILE` "
        "(an orders export, see docs/contract.md)."]
    assert _sentences({**HEALTH, "lang": "zh"}, products) == [
        "40 个已决定的案例中有 30 个注明了 SKU（共 21 个 SKU）；下表列出纠纷最多的 20 个，全部 SKU 见本次运行的 `products.csv`。",
        "没有任何“与描述不符”的案例同时注明 `sku`（商品编码）和 `mismatch`（不符之处），因此无法找出需修改的详情页。",
        "输入中没有任何案例自带 `as_of_date`（处理日期；用 `--as-of` 统一设定的日期说明不了纠纷何时发生），因此无法按周统计纠纷。",
        "未提供订单数，因此没有纠纷率：请用 `--orders N`（该期间的订单数）或 `--orders FILE`（订单导出文件，见 docs/contract.md）运行。"]
    assert _sentences({"lang": "zh", "health": None}, products) == [
        "本次运行未统计：Dask 引擎尚不按商品和周统计（请用 `--engine pandas` 运行批量）。"]


def test_the_weekly_chart_is_titled_in_the_runs_language():
    summary = {"lang": "zh", "disputes_per_week": {"2026-10-19": {"damaged": 2}, "2026-10-26": {"damaged": 1}}}
    ax = hr.chart_weeks(summary).axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("每周各类型纠纷数", "周（周一）", "纠纷数")


@pytest.mark.parametrize("written, given", [
    ("'=HYPERLINK(1)", "=HYPERLINK(1)"), ("'+31 6 123", "+31 6 123"), ("'-5", "-5"), ("'@me", "@me"),
    ("'\tx", "\tx"), ("'plain", "'plain"), ("plain", "plain"), ("'", "'"), ("", ""), (None, None), (5.0, 5.0),
])
def test_as_given_takes_off_the_spreadsheet_safety_quote(written, given):
    from helpers.batch.inert import as_given
    assert as_given(written) == given


def test_as_given_undoes_neutralise_but_for_a_text_that_began_with_a_quote_and_a_formula_character():
    from helpers.batch.inert import as_given, neutralise
    assert [as_given(neutralise(v)) for v in ("=A1", "-B<i>", "K2", "'K3")] == ["=A1", "-B<i>", "K2", "'K3"]
    assert neutralise("'=A1") == "'=A1" and as_given("'=A1") == "=A1"  # the one ambiguity: its own ' is lost
