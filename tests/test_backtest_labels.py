"""The backtest report for people: `backtest --lang`, labels instead of codes, whole tables, legends
beside the bars. Every expected value is worked out by hand from the four-row history below."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.batch import backtest_report as br
from helpers.cli.commands import main

from support import HISTORY_CANCEL, HISTORY_NAD

CODES = ("cancel_refund", "request_evidence", "full_refund", "platform_for_buyer", "buyer_withdrew",
         "resolved_with_buyer", "not_as_described", "cancellation", "aliexpress", "amazon", "team_paid",
         "saved_vs_estimate", "bad_share", "followed_cases", "the playbook as it is")


# --set wait_grace_days=10 changes none of history()'s decisions. By hand, over N1, N2, C1: lost N1 1 (the
# platform ruled for the buyer), N2 as the followed N1 (1), C1 0: 2/3; cost share N1 0/40, N2 as N1 (0),
# C1 30/30: 1/3. Score 1.0000 for both the setting and the playbook as it is.
NO_DIFFERENCE_ZH = "没有任何设置有差别：每种设置的得分都是 1.0000，与现行手册相同 — 保持现行手册不变"


def history():
    """N1, N2: not as described without photos (playbook: request_evidence, est_cost 4); C1, C2:
    unshipped out-of-stock cancellations (playbook: cancel_refund). N1 and C1 followed the playbook,
    N2 gave a full refund (paid nothing in the end: 4 saved against the estimate), C2 is still open."""
    nad, can = dict(HISTORY_NAD), dict(HISTORY_CANCEL)
    closed = {"closed_date": "2026-10-31"}
    return pd.DataFrame([
        {**nad, **closed, "case_id": "N1", "platform": "amazon", "currency": "USD", "action_taken": "request_evidence",
         "outcome": "platform_for_buyer", "amount_paid": "0"},
        {**nad, **closed, "case_id": "N2", "platform": "ebay", "currency": "EUR", "action_taken": "full_refund",
         "outcome": "resolved_with_buyer", "amount_paid": "0"},
        {**can, **closed, "case_id": "C1", "platform": "aliexpress", "currency": "USD", "action_taken": "cancel_refund",
         "outcome": "buyer_withdrew", "amount_paid": "30"},
        {**can, "case_id": "C2", "platform": "aliexpress", "currency": "USD", "outcome": "open"},
    ]).fillna("")


def run(folder, *options):
    folder.mkdir(exist_ok=True)
    history().to_csv(folder / "history.csv", index=False)
    assert main(["backtest", str(folder / "history.csv"), "--out", str(folder / "out"), "--set", "wait_grace_days=10",
                 "--min-cases", "1", *options]) == 0
    return folder / "out"


@pytest.fixture(scope="module")
def zh(tmp_path_factory):
    return run(tmp_path_factory.mktemp("zh"), "--lang", "zh")


@pytest.fixture(scope="module")
def zh_backtest(zh):
    return br.load_backtest(zh)


def rows(table) -> list:
    return [table.frame.columns.tolist()] + table.frame.to_numpy().tolist()


def test_the_language_is_recorded_for_the_report_and_english_stays_the_default(zh, tmp_path):
    assert json.loads((zh / "summary.json").read_text(encoding="utf-8"))["lang"] == "zh"
    en = run(tmp_path, "--no-report")
    summary = json.loads((en / "summary.json").read_text(encoding="utf-8"))
    assert (summary["lang"], summary["playbook"], summary["rows"]) == ("en", "", 4)


def test_the_chinese_report_names_every_code_and_keeps_no_english_heading(zh):
    html = (zh / "report.html").read_text(encoding="utf-8")
    for heading in ("回测报告", "手册建议 × 实际处理", "按（手册建议，实际处理）统计的结果与金额", "实付与按手册处理的对比",
                    "按手册处理却常输的规则", "没有按手册处理且结果更好", "参数设置对比"):
        assert heading in html, heading
    for code in CODES + ("Backtest report", "Settings compared", "Best:"):
        assert code not in html, code
    assert NO_DIFFERENCE_ZH in json.dumps(json.loads((zh / "report.ipynb").read_text("utf-8")),
                                                     ensure_ascii=False)


def test_the_headline_is_in_the_run_language(zh_backtest):
    assert br.headline(zh_backtest) == (
        "来自 `history.csv` 的 **4 行**：**4 个已决定**，**0 行被拒绝**（见 errors.csv）；**3 个已结案**，"
        "**1 个未结案或没有结果**（列在 summary.json 中，不计入任何结果统计）。团队在 **2** 个案例中按手册处理，"
        "在 **1** 个案例中采取了其他方案。")


def test_the_tables_show_labels_and_no_index_column(zh_backtest):
    b = zh_backtest
    assert rows(br.section_agreement(b)[0]) == [["手册建议", "取消订单并退款", "全额退款", "先收集证据"],
                                                ["取消订单并退款", 1, 0, 0], ["先收集证据", 0, 1, 1]]
    assert rows(br.section_pairs(b)[0]) == [
        ["手册建议", "实际处理", "币种", "已结案例数", "结果（所有币种）", "实付"],
        ["取消订单并退款", "取消订单并退款", "USD", 1, "买家撤诉 1", 30.0],
        ["先收集证据", "全额退款", "EUR", 1, "与买家协商解决 1", 0.0],
        ["先收集证据", "先收集证据", "USD", 1, "平台判买家胜 1", 0.0]]
    assert rows(br.section_cost(b)[0]) == [
        ["币种", "团队实付", "团队实付未知（案例数）", "按手册：实际", "按手册：预计", "按手册：合计", "按手册的成本未知（案例数）"],
        ["EUR", 0.0, 0, 0.0, 4.0, 4.0, 0], ["USD", 30.0, 0, 30.0, 0.0, 30.0, 0]]
    assert rows(br.section_losing_rules(b)[0]) == [  # each rule by its title first (the id finds it in the playbook)
        ["规则", "规则编号", "手册建议", "平台", "按手册处理的案例数", "平台判买家胜", "差评数", "结果不利的占比"],
        ["尚无照片", "nad_no_photos", "先收集证据", "亚马逊", 1, 1, 0, 1.0],
        ["缺货，尚未发货", "can_out_of_stock", "取消订单并退款", "速卖通", 1, 0, 0, 0.0]]
    from helpers.batch.backtest_command import summary_lines
    assert "  规则“尚无照片”[nad_no_photos]（亚马逊）：按其建议处理的 1 个案例中有 100% 以平台判买家胜或差评告终" in \
        summary_lines(b.summary, b.labels)
    count, table = br.section_departed(b)
    assert count.data == "**1 个案例**。"
    assert rows(table) == [["案例编号", "平台", "纠纷类型", "币种", "手册建议", "预计成本", "实际处理方案", "结果", "实付金额",
                            "比预计节省"],
                           ["N2", "eBay", "商品与描述不符", "EUR", "先收集证据", 4.0, "全额退款", "与买家协商解决", 0.0, 4.0]]
    grid, best = br.section_grid(b)
    assert grid.frame["设置"].tolist() == ["现行手册", "wait_grace_days=10"]
    assert best.data == NO_DIFFERENCE_ZH


def test_english_headings_are_words_not_summary_keys(tmp_path):
    b = br.load_backtest(run(tmp_path, "--no-report"))
    assert br.section_cost(b)[0].frame.columns.tolist() == [
        "currency", "team paid", "team's amount unknown (cases)", "playbook: observed", "playbook: estimated",
        "playbook: total", "playbook's cost unknown (cases)"]
    assert rows(br.section_agreement(b)[0])[1] == ["Cancel the order and refund", 1, 0, 0]
    assert br.section_pairs(b)[0].frame["outcomes (all currencies)"].tolist() == [
        "Buyer withdrew 1", "Settled with the buyer 1", "Platform ruled for the buyer 1"]
    assert br.section_grid(b)[0].frame["setting"].tolist() == ["playbook as it is", "wait_grace_days=10"]


def test_a_long_table_is_shown_whole():
    """70 (recommended, done) pairs and an outcome text of more than pandas' 50 characters: every row
    and every character, no row number."""
    outcomes = {"platform_for_buyer": 1, "resolved_with_buyer": 2, "buyer_withdrew": 3, "platform_for_seller": 4}
    pairs = [{"recommended": "wait", "done": f"action {k}", "cases": 10, "outcomes": outcomes, "negative_reviews": 0,
              "paid": {"USD": {"total": 1.0, "cases": 10, "unknown": 0}}} for k in range(70)]
    b = br.Backtest(None, pd.DataFrame(), {"by_pair": pairs})
    html = br.section_pairs(b)[0]._repr_html_()
    assert html.count("<tr") == 71 and "..." not in html and "…" not in html
    assert ("Buyer withdrew 3, Platform ruled for the buyer 1, Platform ruled for you 4, Settled with the buyer 2"
            in html)
    assert html.index("<th>recommended</th>") < html.index("<th>done</th>") and "<th></th>" not in html


def test_the_charts_speak_the_run_language_with_legends_beside(zh_backtest):
    import matplotlib.pyplot as plt
    b = zh_backtest
    fig = br.chart_agreement(b)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["取消订单并退款", "全额退款", "先收集证据"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["取消订单并退款", "先收集证据"]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("手册建议 × 实际处理（案例数）", "实际处理", "手册建议")
    for fig, texts in ((br.chart_cost(b), ["实际", "预计"]),
                       (br.chart_grid(b), ["在平台上判输的比例", "成本占比", "得分（越低越好）"])):
        fig.canvas.draw()
        legend = next(a.get_legend() for a in fig.axes if a.get_legend())
        axes = legend.axes
        assert [t.get_text() for t in legend.get_texts()] == texts
        assert legend.get_window_extent().x0 >= axes.get_window_extent().x1  # beside the plot, not over it
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["现行手册", "wait_grace_days=10"]
    assert fig.axes[0].get_title() == "参数设置对比；最佳：现行手册"
    plt.close("all")


def test_a_pairs_outcomes_are_shown_once_not_once_per_currency():
    """A (recommended, done) pair paid in two currencies: its outcomes (counted across currencies) on its
    first line only; repeated, the CNY line's outcomes added up to more cases than it had."""
    b = br.Backtest(None, None, {"by_pair": [{"recommended": "reship", "done": "full_refund",
                                              "outcomes": {"buyer_withdrew": 4, "platform_for_buyer": 1},
                                              "paid": {"CNY": {"cases": 2, "unknown": 0, "total": 88.68},
                                                       "USD": {"cases": 3, "unknown": 0, "total": 126.32}}}]}, lang="zh")
    table = br.pairs_table(b, {"buyer_withdrew": "买家撤诉", "platform_for_buyer": "平台判买家胜"})
    assert list(table["outcomes (all currencies)"]) == ["买家撤诉 4，平台判买家胜 1", ""]
    assert list(table["closed cases"]) == [2, 3]


def grid_summary(verdict, best=None, tied=(), set_lines=()):
    """A grid's summary by hand: the playbook as it is at 0.6703, wait_grace_days=10 and =12 at 0.6500."""
    rows = [{"setting": "the playbook as it is", "score": 0.6703}, {"setting": "wait_grace_days=10", "score": 0.65},
            {"setting": "wait_grace_days=12", "score": 0.65}]
    return {"grid": {"settings": rows, "verdict": verdict, "best": best, "tied": list(tied),
                     "set_lines": list(set_lines)}}


@pytest.mark.parametrize("lang, verdict, best, tied, set_lines, text, title", [
    ("en", "better", "wait_grace_days=10", (), ["--set wait_grace_days=10"],
     "Best: `wait_grace_days=10`, score 0.6500 (the playbook as it is: 0.6703) — `--set wait_grace_days=10`",
     "wait_grace_days=10"),
    ("zh", "better", "wait_grace_days=10", (), ["--set wait_grace_days=10"],
     "最佳：`wait_grace_days=10`，得分 0.6500（现行手册：0.6703） — `--set wait_grace_days=10`", "wait_grace_days=10"),
    ("en", "keep", "the playbook as it is", (), [],
     "Best: the playbook as it is, score 0.6703: no setting scores lower — keep the playbook as it is",
     "playbook as it is"),
    ("zh", "keep", "the playbook as it is", (), [], "最佳：现行手册，得分 0.6703：没有任何设置的得分更低 — 保持现行手册不变",
     "现行手册"),
    ("en", "tie", None, ("wait_grace_days=10", "wait_grace_days=12"), [],
     "No single best: `wait_grace_days=10`, `wait_grace_days=12` tie at score 0.6500, lower than the playbook as it "
     "is (0.6703); the history cannot tell them apart, so no --set line is given", "a tie"),
    ("zh", "tie", None, ("wait_grace_days=10", "wait_grace_days=12"), [],
     "无法选出唯一的最佳设置：`wait_grace_days=10`、`wait_grace_days=12` 得分同为 0.6500，低于现行手册（0.6703）；"
     "历史无法区分它们，因此不给出 --set 建议", "并列"),
])
def test_the_reports_verdict_is_the_terminals(lang, verdict, best, tied, set_lines, text, title):
    """The report said "Best: `wait_grace_days=14`" for a setting that scored worse than the playbook as it
    is, which the grid never showed; a tie named the first of the equals best."""
    b = br.Backtest(None, None, grid_summary(verdict, best, tied, set_lines), lang=lang)
    assert br.best_text(b) == text
    assert br.best_name(b.summary["grid"], b.labels) == title
