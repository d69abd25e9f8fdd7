"""The review report: its numbers (helpers.batch.report) and the notebook papermill runs into HTML."""
from __future__ import annotations

import json
import re
import subprocess

import nbformat
import pandas as pd
import pytest

from helpers.batch import report
from helpers.cli import main

from support import ROOT

pytestmark = pytest.mark.slow  # runs notebooks or large batches


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "review"
    assert main(["batch", str(ROOT / "samples" / "cases.csv"), "--out", str(out), "--as-of", "2026-11-01",
                 "--no-report", "--set", "keep_item_max_value=30"]) == 0
    return out


def test_report_tables_add_up(sample_run):
    run = report.load_run(sample_run)
    table = report.by_type_and_resolution(run.recs)
    assert table.loc["total", "total"] == len(run.recs) == run.summary["decided"]
    money = report.money_by_platform_currency(run.recs)
    assert money["cases"].sum() == len(run.recs)
    for (platform, cur), group in run.recs.groupby(["platform", "currency"]):
        row = money[(money.platform == platform) & (money.currency == cur)].iloc[0]
        assert row["refund_total"] == pytest.approx(group["refund_amount"].sum(), abs=0.01)
    rates = report.rates_by_country(run.recs)
    us = run.recs[run.recs["buyer_country"] == "US"]
    row = rates.set_index("buyer_country").loc["US"]
    assert row["cases"] == len(us)
    assert row["return_rate"] == pytest.approx((us["resolution"] == "return_refund").mean(), abs=1e-3)
    missing = report.missing_evidence(run.recs)
    assert missing["cases"].is_monotonic_decreasing and missing["evidence"].str.len().gt(0).all()
    flagged = report.risk_flagged(run.recs, limit=1000)
    assert len(flagged) == (run.recs["risk_flags"] != "").sum()
    assert report.rejected_by_field(run.errors)["rows"].sum() >= len(run.errors)
    assert report.whatif_transitions(run)["cases"].sum() == run.whatif["changed"] > 0


def test_report_notebook_runs_under_papermill_with_every_section(sample_run):
    ipynb, html = report.render_report(sample_run)
    text = html.read_text(encoding="utf-8")
    for section in report.SECTIONS:
        assert section in text, section
    assert text.count("data:image/png;base64") >= 5  # the charts
    assert "from helpers import report" not in text  # code hidden
    assert "Ask for evidence first" in text and "keep_item_max_value=30" in text
    nb = nbformat.read(ipynb, as_version=4)
    assert nb.metadata["papermill"]["parameters"] == {"out_dir": str(sample_run.resolve())}
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def test_readme_setup_command_writes_every_output(tmp_path):
    out = tmp_path / "sample-review"
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "dispute-playbook"), "batch", "samples/cases.csv", "--out", str(out),
                           "--as-of", "2026-11-01"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    for name in ("recommendations.csv", "errors.csv", "recommendations.xlsx", "report.ipynb", "report.html"):
        assert (out / name).stat().st_size > 0, name
    rows = len(pd.read_csv(ROOT / "samples" / "cases.csv", dtype=str))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows"] == rows == summary["decided"] + summary["rejected"]
    assert "Policy what-if" in (out / "report.html").read_text(encoding="utf-8")
    assert "This run has no what-if" in (out / "report.html").read_text(encoding="utf-8")


def test_an_empty_batch_still_gets_its_report(tmp_path):
    src = tmp_path / "empty.csv"
    src.write_text("case_id,dispute_type,order_value\n")
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out)]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "0 decided" in text and all(section in text for section in report.SECTIONS)
    # README: a section the input cannot support says so in a sentence, never as an empty table
    assert "<table" not in text
    assert text.count("The input has no rows, so there is nothing to count here.") == 10  # all but the what-if


def test_the_warm_report_process_renders_the_same_report_and_a_dead_one_falls_back(sample_run, tmp_path):
    """The batch starts the report's process before it begins; the report it renders is the one made
    in process (only the injected cell's random id differs); if that process is gone, the report is
    rendered in process instead."""
    import re
    import shutil

    from helpers.batch import report_process
    here, warm, fallback = (tmp_path / name for name in ("here", "warm", "fallback"))
    for folder in (here, warm, fallback):
        shutil.copytree(sample_run, folder)
    assert report_process.render_here(here) == ""
    report_process.start()
    try:
        assert report_process.render(warm) == ""
        report_process._WARM.proc.kill()
        report_process._WARM.proc.join()
        assert report_process.render(fallback) == ""  # the dead process noticed, the report made here
        assert report_process._WARM is None
    finally:
        report_process.stop()

    def same(path):
        text = path.read_text(encoding="utf-8")
        return re.sub(r'id="cell-id=[0-9a-f]+"', "", text.replace(str(path.parent.resolve()), "RUN"))
    assert same(warm / "report.html") == same(here / "report.html") == same(fallback / "report.html")
    assert "Risk-flagged cases" in same(warm / "report.html")


def _cells(text):
    import re
    return set(re.findall(r"<t[dh]>([^<]*)</t[dh]>", text))


def test_a_zh_run_reports_labels_in_chinese_never_codes(tmp_path):
    out = tmp_path / "zh"
    assert main(["batch", str(ROOT / "samples" / "cases.csv"), "--out", str(out), "--as-of", "2026-11-01",
                 "--lang", "zh", "--no-report"]) == 0
    _, html = report.render_report(out)
    text = html.read_text(encoding="utf-8")
    assert "<title>批量审阅</title>" in text  # the browser's tab said "Notebook"
    assert "helpers.batch" not in text  # a reader is told where the numbers come from, not the module
    assert text.count("所在的周统计") == 1  # the weekly section said it twice
    cells = _cells(text)
    assert {"取消订单并退款", "仅退款，买家保留商品", "订单未达", "商品损坏或缺损", "速卖通", "淘宝", "无发货证据",
            "多次纠纷；无发货证据", "纠纷类型", "合计"} <= cells
    assert not {"cancel_refund", "refund_keep_item", "not_received", "damaged", "aliexpress", "taobao",
                "no_packing_evidence", "total"} & cells
    assert "no_packing_evidence" not in text and "cancel_refund" not in text
    for heading in ("批量审阅", "纠纷处理结果", "有风险提示的案例", "被拒绝的行", "政策模拟"):
        assert f"{heading}<a class" in text, heading  # rendered as headings
    run = report.load_run(out)
    fig = report.chart_type_resolution(report.by_type_and_resolution(run.recs), run.labels)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "取消订单并退款" in legend and "cancel_refund" not in legend
    assert {t.get_text() for t in ax.get_yticklabels()} == {"订单未达", "商品与描述不符", "商品损坏或缺损", "订单取消或退款"}
    assert ax.get_title() == "各纠纷类型的处理方案"


def test_a_playbook_given_as_a_relative_path_labels_the_report(tmp_path, monkeypatch):
    """--playbook playbook from the project folder: the report, which runs inside the output folder,
    finds the same playbook (summary.json recorded the path as typed and the report failed)."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "rel"
    assert main(["batch", "samples/cases.csv", "--out", str(out), "--as-of", "2026-11-01",
                 "--playbook", "playbook", "--lang", "zh"]) == 0
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["playbook"] == str(ROOT / "playbook")
    assert "取消订单并退款" in (out / "report.html").read_text(encoding="utf-8")


def test_report_tables_are_whole_without_an_index_and_buyer_text_stays_inert(tmp_path):
    """70 countries (more than pandas' 60 displayed rows), a rejected row's message of 152 characters with
    markup in it: every country, the whole message (escaped), no row numbers."""
    folder = tmp_path / "run"
    folder.mkdir()
    countries = [f"C{i:02d}" for i in range(70)]
    recs = pd.DataFrame({"case_id": [f"K{i}" for i in range(70)], "dispute_type": "damaged", "platform": "ebay",
                         "currency": "USD", "order_value": 10.0, "buyer_country": countries, "resolution": "reship",
                         "refund_amount": 0.0, "est_cost": 4.0, "rule_id": "r", "missing_evidence": "", "risk_flags": ""})
    recs.loc[0, "risk_flags"] = "no_packing_evidence"
    recs.to_csv(folder / "recommendations.csv", index=False)
    message = "order_value: '<script>alert(1)</script>' is not a number (use a plain number such as 12.50, " + "x" * 60
    assert len(message) == 152
    pd.DataFrame({"row": [72, 73], "case_id": ["<b>B1</b>", "B2"], "field": ["order_value", "order_value"],
                  "message": [message, "order_value: missing"]}).to_csv(folder / "errors.csv", index=False)
    (folder / "summary.json").write_text(json.dumps({
        "input": "cases.csv", "as_of": "2026-11-01", "params": {}, "rows": 72, "decided": 70, "rejected": 2, "lang": "en",
        "health": {"cases": 70, "with_sku": 0, "with_date": 0, "not_as_described_with_sku_and_mismatch": 0,
                   "listing_rule": {"min_cases": 5, "share": 0.75}},
        "listings_to_fix": [], "disputes_per_week": {}, "dispute_rates": None}))
    _, html = report.render_report(folder)
    text = html.read_text(encoding="utf-8")
    cells = _cells(text)
    assert set(countries) <= cells
    assert "rows ×" not in text and "<td>...</td>" not in text
    assert "Order value: '&lt;script&gt;alert(1)&lt;/script&gt;' is not a number (use a plain number such as 12.50, " \
        + "x" * 60 in text
    assert "<script>alert(1)" not in text and "<b>B1</b>" not in text and "&lt;b&gt;B1&lt;/b&gt;" in text
    # no index column (0, 1, 2 … 69): the only whole numbers are counts (0, 1, 2, 70) and errors.csv's rows 72, 73
    assert {c for c in cells if c.isdigit()} == {"0", "1", "2", "70", "72", "73"}
    assert {"Send it again", "Damaged or incomplete", "eBay", "No packing evidence", "Order value"} <= cells
    # no script from elsewhere: MathJax typeset a message's text between two dollar signs
    # ("'US $1278.82' … '$5'") as a formula, and the page fetched require.js and MathJax from a CDN
    assert re.findall(r"<script[^>]*\bsrc=", text) == [] and "mathjax" not in text.lower(), re.findall(r"<script[^>]*>", text)
    assert not re.findall(r"""(?:src|href)=["']https?://""", text)


def test_buyer_countries_are_named_in_the_run_language():
    from helpers.batch.report_words import Labels
    frame = pd.DataFrame({"buyer_country": ["US", "GB", "(unknown)", "C7"], "cases": [3, 2, 1, 1],
                          "refund_rate": [0.5, 0.0, 1.0, 0.0], "return_rate": [0.0, 0.5, 0.0, 0.0]})
    assert list(report.labelled(frame, Labels("zh"))["买家国家"]) == ["美国", "英国", "（未知）", "C7"]
    assert list(report.labelled(frame, Labels("en"))["buyer country"]) == ["United States", "United Kingdom",
                                                                          "(unknown)", "C7"]
    fig = report.chart_country_rates(frame, labels=Labels("zh"))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["美国", "英国", "（未知）", "C7"]


def test_flagged_cases_rank_orders_in_the_base_currency_and_a_cut_list_says_so(sample_run):
    import pandas as pd
    recs = pd.DataFrame({"case_id": ["A", "B", "C", "D", "E"], "dispute_type": "damaged", "platform": "ebay",
                         "resolution": "reship", "order_value": [266.59, 210.00, 99.39, 101.84, 5.0],
                         "currency": ["CNY", "USD", "USD", "CNY", "USD"],
                         "risk_flags": ["high_value", "high_value", "high_value", "high_value", "a; b"]})
    ranked = report.risk_flagged(recs, rates={"USD": 1, "CNY": 7.25})
    assert list(ranked["case_id"]) == ["E", "B", "C", "A", "D"]  # most flags, then 210 USD > 99.39 USD > 36.77 USD
    run = report.load_run(sample_run)
    total = int((run.recs["risk_flags"] != "").sum())
    assert total > 25
    said = report.section_risk(run)[-1].data
    assert said.startswith(f"The 25 with the most flags and the largest orders (in the shop's base currency) of {total} "
                           "flagged cases")


def test_a_country_chart_of_the_most_frequent_says_so():
    import pandas as pd
    from helpers.batch.report_words import Labels
    rates = pd.DataFrame({"buyer_country": [f"C{i}" for i in range(13)], "cases": range(13, 0, -1),
                          "refund_rate": 0.1, "return_rate": 0.2})
    assert report.chart_country_rates(rates, labels=Labels("zh")).axes[0].get_title() == \
        "各买家国家的退款率与退货率（案例最多的 12 个）"  # the table lists all 13: a reader missed one in the chart
    assert report.chart_country_rates(rates.head(12), labels=Labels("en")).axes[0].get_title() == \
        "Refund and return rate by buyer country"


def test_refunds_as_a_share_of_sales_are_added_in_one_currency():
    """China's share added 710 CNY refunded to a 710 CNY and a 100 USD order raw (710/810 = 0.877);
    at the shop's rates it is 100 USD of 200 USD."""
    import pandas as pd
    recs = pd.DataFrame({"case_id": ["a", "b", "c"], "buyer_country": ["CN", "CN", "US"],
                         "resolution": ["full_refund", "wait", "partial_refund"], "currency": ["CNY", "USD", "USD"],
                         "order_value": [710.0, 100.0, 50.0], "refund_amount": [710.0, 0.0, 10.0]})
    shares = report.rates_by_country(recs, rates={"USD": 1, "CNY": 7.1}).set_index("buyer_country")
    assert shares.loc["CN", "refund_share_of_value"] == 0.5 and shares.loc["US", "refund_share_of_value"] == 0.2
    unconverted = report.rates_by_country(recs).set_index("buyer_country")
    assert pd.isna(unconverted.loc["CN", "refund_share_of_value"]) and unconverted.loc["US", "refund_share_of_value"] == 0.2


@pytest.mark.parametrize("lang, message, shown", [
    ("en", "ship_date: 2026-10-01 is before order_date 2026-10-10; order_value: 'order_date' is not a number",
     "Ship date: 2026-10-01 is before Order date 2026-10-10; Order value: 'order_date' is not a number"),
    ("zh", "ship_date：2026-10-01 早于 order_date（2026-10-10）；delivery_date：2026-11-09 晚于审核日期 as_of_date（2026-11-01）",
     "发货日期：2026-10-01 早于 下单日期（2026-10-10）；签收日期：2026-11-09 晚于审核日期 as_of_date（2026-11-01）"),
    # a one-word field is a word of the prose too: "no Currency sign" in the middle of a sentence
    ("en", "order_value: 'abc' is not a number (use a plain number such as 12.50, no currency sign); "
           "currency: 'XYZ' is not an ISO 4217 currency code",
     "Order value: 'abc' is not a number (use a plain number such as 12.50, no currency sign); "
     "Currency: 'XYZ' is not an ISO 4217 currency code")])
def test_a_rejected_rows_reason_names_the_other_field_by_its_label_too(lang, message, shown):
    """The report said "发货日期：2026-10-01 早于 order_date（2026-10-10）": a label, then a code. A value the
    case gave (in quotes) stays as given."""
    from helpers.batch.report_words import labels_for
    assert report.rejected_message(message, labels_for({}, lang)) == shown


def test_report_tables_write_money_and_shares_as_people_read_them():
    """Totals showed as 1143.94 and 35.0, rates as 0.381; a yen total carries no decimals."""
    import pandas as pd
    from helpers.batch.report_words import labels_for
    frame = pd.DataFrame({"currency": ["USD", "JPY"], "refund_total": [1143.94, 35000.0], "cost_delta": [29.06, -600.0],
                          "refund_rate": [0.381, float("nan")]})
    table = report.labelled(frame, labels_for({}, "en"), whole_units=frozenset({"JPY"}))
    assert table.values.tolist() == [["USD", "1,143.94", "+29.06", "38.1%"], ["JPY", "35,000", "-600", ""]]
