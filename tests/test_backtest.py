"""Histories and the backtest (issue 13): record-only contract fields, planted truths found,
every row accounted for, open cases out of outcome figures, money never summed across currencies."""
from __future__ import annotations

import hashlib
import json
import shutil

import pandas as pd
import pytest

from helpers import recommend
from helpers.batch.backtest import BacktestOptions, run_backtest
from helpers.batch import backtest_grid
from helpers.batch.backtest_grid import AS_IT_IS, parse_grid
from helpers.batch.history import (GRID_BEST, GRID_PARAM, LOSING_PLATFORM, LOSING_RULE, SIZE_SKU, generate_history,
                                   write_history)
from helpers.cli.commands import main
from helpers.core.exceptions import CaseError, PlaybookError, UsageError
from helpers.core.paths import PLAYBOOK_DIR
from helpers.playbook.loader import load_playbook

from support import AS_OF, HISTORY_CANCEL, HISTORY_NAD, ROOT

RECORD = {"sku": "SKU-9", "product_title": "Blue shirt", "action_taken": "full_refund", "outcome": "platform_for_buyer",
          "amount_paid": "12.5", "closed_date": "2026-10-20", "review_left": "negative"}


def nad_case(**over):
    return {"case_id": "R1", "dispute_type": "not_as_described", "order_value": 40, "buyer_photos": True,
            "mismatch": "size", "listing_error": True, "order_date": "2026-10-01", "as_of_date": AS_OF.isoformat(),
            "item_cost": 10, "shipping_cost": 5, "return_shipping_cost": 8, **over}


# --- the contract extension -------------------------------------------------------------------

def test_record_fields_are_accepted_and_change_no_decision():
    plain = recommend(nad_case()).to_dict()
    with_record = recommend(nad_case(**RECORD)).to_dict()
    assert with_record == plain
    assert plain["resolution"] == "return_refund"  # the listing was wrong: take it back and refund


@pytest.mark.parametrize("field, value, words", [
    ("closed_date", "2026-09-30", "before order_date 2026-10-01"),
    ("closed_date", "2026-11-02", "after the review date"),
    ("outcome", "won", "is not one of resolved_with_buyer"),
    ("action_taken", "refund", "is not one of wait"),
    ("amount_paid", "-1", "must be at least 0"),
    ("review_left", "great", "is not one of positive, neutral, negative"),
])
def test_bad_record_fields_are_named(field, value, words):
    with pytest.raises(CaseError) as err:
        recommend(nad_case(**{**RECORD, field: value}))
    assert err.value.problems[0].field == field and words in str(err.value)


def test_a_rule_may_not_test_a_record_field(tmp_path):
    folder = tmp_path / "pb"
    shutil.copytree(PLAYBOOK_DIR, folder)
    path = folder / "not_as_described.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      - buyer_photos: false\n", "      - outcome: open\n", 1), encoding="utf-8")
    with pytest.raises(PlaybookError) as err:
        load_playbook(folder)
    assert "outcome" in str(err.value)


# --- a hand-written history: the figures by hand ------------------------------------------------

def small_history():
    """N* are not-as-described without photos (playbook: request_evidence, expected cost 4.00 with the
    bundled parameters); C* are cancellations of unshipped out-of-stock orders (playbook:
    cancel_refund, est_cost 30 − 10 goods back in stock − 5 postage not spent = 15)."""
    nad, can = dict(HISTORY_NAD), dict(HISTORY_CANCEL)
    closed = {"closed_date": "2026-10-31"}
    rows = [
        {**nad, **closed, "case_id": "N1", "currency": "USD", "action_taken": "request_evidence",
         "outcome": "platform_for_seller", "amount_paid": "0", "review_left": "negative"},
        {**nad, **closed, "case_id": "N2", "currency": "EUR", "action_taken": "full_refund",
         "outcome": "resolved_with_buyer", "amount_paid": "40"},
        {**can, **closed, "case_id": "C1", "currency": "USD", "action_taken": "partial_refund",
         "outcome": "resolved_with_buyer", "amount_paid": "5"},
        {**can, **closed, "case_id": "C2", "currency": "EUR", "action_taken": "cancel_refund",
         "outcome": "resolved_with_buyer", "amount_paid": "20"},
        {**can, "case_id": "C3", "currency": "USD", "action_taken": "cancel_refund", "outcome": "open"},
        {**can, **closed, "case_id": "C4", "currency": "USD", "action_taken": "cancel_refund",
         "outcome": "platform_for_buyer", "amount_paid": "30"},
        {**can, "case_id": "BAD", "currency": "USD", "closed_date": "2026-10-01", "outcome": "chargeback"},
    ]
    return pd.DataFrame(rows).fillna("")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    small_history().to_csv(folder / "history.csv", index=False)
    summary = run_backtest(BacktestOptions(str(folder / "history.csv"), str(folder / "out")))
    return folder / "out", summary


def test_every_row_is_decided_or_in_errors(small):
    out, s = small
    bt = pd.read_csv(out / "backtest.csv", keep_default_na=False)
    errors = pd.read_csv(out / "errors.csv", keep_default_na=False)
    assert sorted(bt["row"].tolist() + errors["row"].tolist()) == list(range(2, 9))
    assert errors.to_dict("records") == [{"row": 8, "case_id": "BAD", "field": "closed_date",
                                          "message": "closed_date: 2026-10-01 is before order_date 2026-10-30"}]
    assert (s["rows"], s["decided"], s["rejected"]) == (7, 6, 1)
    assert dict(zip(bt["case_id"], bt["followed"])) == {"N1": "yes", "N2": "no", "C1": "no", "C2": "yes",
                                                        "C3": "yes", "C4": "yes"}


def test_open_cases_are_listed_but_left_out_of_outcome_figures(small):
    _, s = small
    assert s["open_cases"] == ["C3"] and (s["closed"], s["open"]) == (5, 1)
    assert s["outcomes"] == {"resolved_with_buyer": 3, "platform_for_seller": 1, "platform_for_buyer": 1}
    pair = next(p for p in s["by_pair"] if (p["recommended"], p["done"]) == ("cancel_refund", "cancel_refund"))
    assert pair["cases"] == 2 and pair["outcomes"] == {"resolved_with_buyer": 1, "platform_for_buyer": 1}
    assert s["agreement"] == {"request_evidence": {"request_evidence": 1, "full_refund": 1},
                              "cancel_refund": {"cancel_refund": 3, "partial_refund": 1}}


def test_money_is_never_summed_across_currencies(small):
    _, s = small
    pair = next(p for p in s["by_pair"] if (p["recommended"], p["done"]) == ("cancel_refund", "cancel_refund"))
    assert {c: v["total"] for c, v in pair["paid"].items()} == {"EUR": 20.0, "USD": 30.0}
    usd, eur = s["cost"]["USD"], s["cost"]["EUR"]
    assert (usd["team_paid"], usd["playbook_observed"], usd["playbook_estimated"], usd["playbook_total"]) == \
        (35.0, 30.0, 15.0, 45.0)  # N1 0 + C1 5 + C4 30; followed N1 + C4; estimated C1's cancel_refund 15
    assert (eur["team_paid"], eur["playbook_observed"], eur["playbook_estimated"], eur["playbook_total"]) == \
        (60.0, 20.0, 4.0, 24.0)  # N2 40 + C2 20; followed C2; estimated N2's request_evidence 4


def test_departures_that_did_better_are_found(small):
    _, s = small
    better = s["departed_and_better"]
    assert better["cases"] == 1 and better["top"][0]["case_id"] == "C1"
    assert better["saved_vs_estimate"] == {"USD": {"total": 10.0, "cases": 1, "unknown": 0}}  # 15 − 5


# --- generated histories: the planted truths ----------------------------------------------------

def test_the_same_seed_gives_the_same_history(tmp_path):
    a, b, c = (write_history(tmp_path / f"{k}.csv", 300, seed) for k, seed in (("a", 4), ("b", 4), ("c", 5)))
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    frame = pd.read_csv(a, dtype=str, keep_default_na=False)
    closed = frame[frame["closed_date"] != ""]
    assert (closed["closed_date"] >= closed["order_date"]).all() and (closed["closed_date"] <= closed["as_of_date"]).all()


@pytest.fixture(scope="module", params=[11, 12])
def generated(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"gen{request.param}")
    generate_history(3000, request.param).to_csv(folder / "history.csv", index=False)
    before = playbook_digest()
    summary = run_backtest(BacktestOptions(str(folder / "history.csv"), str(folder / "out"),
                                           grid=parse_grid(f"{GRID_PARAM}=4..16:2")))
    assert playbook_digest() == before  # the grid never changes the playbook files
    return folder, summary


def playbook_digest():
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(PLAYBOOK_DIR.rglob("*.yaml")))).hexdigest()


def test_the_listing_with_a_size_problem_is_found(generated):
    _, s = generated
    assert [(r["sku"], r["mismatch"]) for r in s["listings_to_fix"]] == [(SIZE_SKU, "size")]


def test_the_rule_that_loses_on_one_platform_is_found(generated):
    _, s = generated
    worst = s["losing_rules"][0]
    assert (worst["rule_id"], worst["platform"]) == (LOSING_RULE, LOSING_PLATFORM) and worst["bad_share"] > 0.7
    elsewhere = [r for r in s["losing_rules"] if r["rule_id"] == LOSING_RULE and r["platform"] != LOSING_PLATFORM]
    assert elsewhere and all(r["bad_share"] < 0.6 for r in elsewhere)


def test_the_grid_picks_the_planted_best_value(generated):
    _, s = generated
    grid = s["grid"]
    assert grid["best"] == f"{GRID_PARAM}={GRID_BEST}" and grid["set_lines"] == [f"--set {GRID_PARAM}={GRID_BEST}"]
    assert grid["verdict"] == "better" and grid["settings"][0]["setting"] == AS_IT_IS
    assert [r["params"][GRID_PARAM] for r in grid["settings"][1:]] == [4, 6, 8, 10, 12, 14, 16]
    lost = [r["lost_share"] for r in grid["settings"][1:]]
    assert lost[-1] > lost[3]  # waiting past the planted limit loses on the platform
    for r in grid["settings"]:  # money per currency, observed and estimated apart
        assert set(r["observed_cost"]) == set(r["estimated_cost"]) == {"CNY", "EUR", "USD"}


def test_every_generated_row_is_accounted_for_and_agrees_with_the_batch(generated):
    from helpers.batch.runner import Options, run
    folder, s = generated
    bt = pd.read_csv(folder / "out" / "backtest.csv", keep_default_na=False)
    assert s["rows"] == 3000 and len(bt) + s["rejected"] == 3000 and bt["row"].is_unique
    # every generated row honours the contract: a cancelled loss-making order's negative cost was
    # written as amount_paid, and 20-25 rows in 3000 were rejected for it (amount_paid ≥ 0)
    assert s["rejected"] == 0, (folder / "out" / "errors.csv").read_text()
    run(Options(cases=str(folder / "history.csv"), out=str(folder / "batch"), render=False, explain=False,
                report=False))
    batch = pd.read_csv(folder / "batch" / "recommendations.csv", keep_default_na=False)
    assert bt["recommended"].tolist() == batch["resolution"].tolist()
    assert bt["rule_id"].tolist() == batch["rule_id"].tolist()
    assert bt["est_cost"].astype(str).tolist() == batch["est_cost"].astype(str).tolist()
    weeks = s["disputes_per_week"]
    assert len(weeks) >= 10 and sum(sum(w.values()) for w in weeks.values()) == len(bt)


# --- the command line ---------------------------------------------------------------------------

def test_the_command_line_writes_the_files_and_prints_the_best_setting(tmp_path, capsys):
    assert main(["samples", "--history", "--out", str(tmp_path / "h.csv"), "--count", "400", "--seed", "3"]) == 0
    code = main(["backtest", str(tmp_path / "h.csv"), "--out", str(tmp_path / "out"), "--set", "wait_grace_days=30",
                 "--no-report"])
    printed = capsys.readouterr().out
    assert code == 0 and "wait_grace_days=30" in printed and "best:" in printed
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"backtest.csv", "errors.csv", "products.csv",
                                                            "summary.json", "grid.csv"}
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["rows"] == 400
    # plain cells a spreadsheet can sum: a figure per currency and per resolution, no JSON text
    grid = pd.read_csv(tmp_path / "out" / "grid.csv")
    setting = json.loads((tmp_path / "out" / "summary.json").read_text())["grid"]["settings"][0]
    row = grid.iloc[0]
    for cur, figures in setting["observed_cost"].items():
        assert row[f"observed_cost_{cur}_total"] == pytest.approx(figures["total"])
        assert row[f"observed_cost_{cur}_cases"] == figures["cases"]
    assert {c for c in grid.columns if c.startswith("resolutions_")} == {f"resolutions_{r}" for r in setting["resolutions"]}
    assert not grid.astype(str).apply(lambda col: col.str.startswith("{")).any().any()


def test_a_file_of_open_cases_is_told_to_be_no_history(tmp_path, capsys):
    """Cases without action_taken printed "followed the playbook in 0 cases and did something else in 0"
    and nothing more. A history says it no further: no such line."""
    assert main(["backtest", str(ROOT / "samples" / "cases.csv"), "--out", str(tmp_path / "o"), "--no-report"]) == 0
    assert "no row records what the team did (action_taken)" in capsys.readouterr().out
    assert main(["backtest", str(ROOT / "samples" / "history.csv"), "--out", str(tmp_path / "h"), "--no-report"]) == 0
    assert "no row records" not in capsys.readouterr().out


@pytest.mark.parametrize("spec", ["wait_grace_days", "wait_grace_days=5..1:1", "wait_grace_days=1..5:0",
                                  "wait_grace_days=0..1000:1"])
def test_a_malformed_grid_is_a_usage_error(spec):
    with pytest.raises(UsageError):
        parse_grid(spec)


def test_an_unknown_grid_parameter_exits_2(tmp_path, capsys):
    write_history(tmp_path / "h.csv", 50, 1)
    assert main(["backtest", str(tmp_path / "h.csv"), "--out", str(tmp_path / "o"), "--grid", "nope=1..2:1",
                 "--no-report"]) == 2
    assert "unknown playbook parameter 'nope'" in capsys.readouterr().err


def test_a_grid_with_values_its_parameter_cannot_take_exits_2_before_any_work(tmp_path, capsys):
    """The grid ran 0.8 and 0.9, then stopped at 1 with "the playbook has errors" (exit 3), its files half written."""
    write_history(tmp_path / "h.csv", 50, 1)
    assert main(["backtest", str(tmp_path / "h.csv"), "--out", str(tmp_path / "o"), "--grid",
                 "goodwill_partial_share=0.8..1.2:0.1", "--no-report"]) == 2
    assert ("--grid: goodwill_partial_share cannot be 1, 1.1, 1.2: it must be a number more than 0 and less than 1 "
            "— choose FROM..TO within that (see playbook/parameters.yaml)") in capsys.readouterr().err
    assert not (tmp_path / "o" / "backtest.csv").exists()


def test_the_report_shows_every_section_and_the_planted_truths_without_code(generated):
    from helpers.batch.backtest_report import SECTIONS, render
    folder, _ = generated
    _, html = render(folder / "out")
    text = html.read_text(encoding="utf-8")
    for title in SECTIONS:
        assert title.replace("×", "&times;") in text or title in text, title
    assert SIZE_SKU in text and f"--set {GRID_PARAM}={GRID_BEST}" in text and LOSING_RULE in text
    assert "load_backtest" not in text and "Traceback" not in text  # code hidden, no failed cell
    assert text.count("<img") >= 4 or text.count("image/png") >= 4  # the charts


def test_a_mapped_export_is_read_as_the_batch_reads_it(tmp_path):
    """A history with its own headers and outcome words, through a --columns mapping."""
    frame = small_history().rename(columns={"case_id": "纠纷单号", "outcome": "结果", "action_taken": "处理方式"})
    frame["结果"] = frame["结果"].replace({"platform_for_buyer": "平台判买家胜", "resolved_with_buyer": "协商解决"})
    frame.to_csv(tmp_path / "export.csv", index=False)
    (tmp_path / "map.yaml").write_text(
        "columns:\n  纠纷单号: case_id\n  结果: outcome\n  处理方式: action_taken\n"
        + "".join(f"  {c}: {c}\n" for c in frame.columns if c not in ("纠纷单号", "结果", "处理方式"))
        + "values:\n  outcome:\n    平台判买家胜: platform_for_buyer\n    协商解决: resolved_with_buyer\n",
        encoding="utf-8")
    s = run_backtest(BacktestOptions(str(tmp_path / "export.csv"), str(tmp_path / "out"), columns=str(tmp_path / "map.yaml")))
    assert s["outcomes"] == {"resolved_with_buyer": 3, "platform_for_seller": 1, "platform_for_buyer": 1}
    assert s["open_cases"] == ["C3"] and s["rejected"] == 1


def test_without_closed_cases_the_grid_names_no_best_setting(tmp_path):
    from helpers.batch.backtest_report import render
    (tmp_path / "h.csv").write_text("case_id,dispute_type,order_value\nX1,damaged,5\nX2,nope,5\n", encoding="utf-8")
    s = run_backtest(BacktestOptions(str(tmp_path / "h.csv"), str(tmp_path / "out"),
                                     grid=parse_grid("wait_grace_days=5..6:1")))
    assert (s["decided"], s["rejected"], s["closed"], s["open_cases"]) == (1, 1, 0, ["X1"])
    assert s["grid"]["best"] is None and s["grid"]["set_lines"] == []
    assert all(r["score"] is None for r in s["grid"]["settings"])
    _, html = render(tmp_path / "out")
    assert "Best: cannot tell" in html.read_text(encoding="utf-8")


def test_a_grid_csv_of_the_users_is_left_alone_and_a_stale_grid_is_removed(tmp_path, capsys):
    """Every backtest without --grid deleted grid.csv from its folder, whoever had written it."""
    out = tmp_path / "o"
    out.mkdir()
    (out / "grid.csv").write_text("the analyst's own grid")
    history = str(ROOT / "samples" / "history.csv")
    assert main(["backtest", history, "--out", str(out), "--no-report"]) == 0
    assert (out / "grid.csv").read_text() == "the analyst's own grid"
    assert main(["backtest", history, "--out", str(out), "--no-report", "--grid", "wait_grace_days=5..7:2"]) == 0
    assert (out / "grid.csv").read_text() != "the analyst's own grid"
    assert main(["backtest", history, "--out", str(out), "--no-report"]) == 0
    assert not (out / "grid.csv").exists()  # the earlier run's grid, stale now


# --- the grid's verdict: the playbook as it is is always a setting, and the one to beat ---------

def scored(*scores):
    """Grid rows by hand: the playbook as it is first (its score the first), then settings s1, s2, ..."""
    return [{"setting": AS_IT_IS if k == 0 else f"s{k}", "score": v} for k, v in enumerate(scores)]


@pytest.mark.parametrize("scores, verdict, best, tied", [
    ((0.67, 0.66, 0.68), "better", "s1", []),            # one setting scores lower than the playbook as it is
    ((0.67, 0.68, 0.69), "keep", AS_IT_IS, []),          # --grid wait_grace_days=14..16:2 on samples/history.csv
    ((0.67, 0.671, 0.67, 0.67), "keep", AS_IT_IS, []),   # the current value among them ties, never wins
    ((0.67, 0.67, 0.67), "no difference", AS_IT_IS, []),  # a parameter the history never tests
    ((0.67, 0.60, 0.60, 0.65), "tie", None, ["s1", "s2"]),  # two settings equal: the history cannot choose
    ((None, None, None), "unknown", None, []),            # no closed case with an action
    # sums in another order differ in the last bits: 0.1 + 0.2 against 0.3 is no better score
    ((0.30000000000000004, 0.3, 0.31), "keep", AS_IT_IS, []),
])
def test_a_setting_is_advised_only_when_it_beats_the_playbook_as_it_is_and_every_other(scores, verdict, best, tied):
    """The grid left the playbook as it is out: `--grid wait_grace_days=14..16:2` named 14 best (score
    0.6805) although the playbook as it is scored 0.6703, `stalled_days=8..12:2` named the current 10,
    and a parameter that moves nothing still got a `--set` line."""
    got_verdict, got_best, got_tied = backtest_grid.choose(scored(*scores))
    assert (got_verdict, got_best and got_best["setting"], [r["setting"] for r in got_tied]) == (verdict, best, tied)


@pytest.mark.parametrize("lang, verdict, keep, row", [
    ("en", "no setting differs: each scores 0.8000, as the playbook as it is does", "  (keep the playbook as it is)",
     "  playbook as it is: 0 decisions change, lost on the platform 30.0%, cost share 50.0%, score 0.8000"),
    ("zh", "没有任何设置有差别：每种设置的得分都是 0.8000，与现行手册相同", "  （保持现行手册不变）",
     "  现行手册：0 个决定改变，平台判输 30.0%，成本占比 50.0%，得分 0.8000"),
])
def test_a_grid_that_moves_nothing_says_so_and_advises_no_set_line(tmp_path, capsys, lang, verdict, keep, row):
    """small_history has no parcel in transit: stalled_days changes no decision. By hand, over the five
    closed cases with an action (N1, N2, C1, C2, C4): lost N1 0, C2 0, C4 1 observed; N2 as the followed
    N1 (0), C1 as C2 and C4 (0.5): 1.5 / 5 = 0.3. Cost share N1 0/40, C2 20/30, C4 30/30; N2 as N1 (0),
    C1 as C2 and C4 (5/6): 2.5 / 5 = 0.5. Score 0.8000 for every setting and the playbook as it is."""
    small_history().to_csv(tmp_path / "h.csv", index=False)
    out = tmp_path / "out"
    assert main(["backtest", str(tmp_path / "h.csv"), "--out", str(out), "--no-report", "--grid",
                 "stalled_days=9..11:1", "--lang", lang]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert row in printed
    assert printed[-3:-1] == [verdict, keep] and "--set" not in "\n".join(printed)
    grid = pd.read_csv(out / "grid.csv")
    assert grid["setting"].tolist() == [AS_IT_IS, "stalled_days=9", "stalled_days=10", "stalled_days=11"]
    assert grid["score"].tolist() == [0.8] * 4
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["grid"]
    assert (summary["verdict"], summary["best"], summary["set_lines"]) == ("no difference", AS_IT_IS, [])


# --- money the history does not give: unknown, never 0 --------------------------------------------

def without_amounts(history, *case_ids):
    """small_history with amount_paid blank in `case_ids`, or with no amount_paid column without them."""
    if not case_ids:
        return history.drop(columns="amount_paid")
    return history.assign(amount_paid=history["amount_paid"].where(~history["case_id"].isin(case_ids), ""))


@pytest.mark.parametrize("lang, blank, lines", [
    # no amount_paid column: USD's N1, C1, C4 and EUR's N2, C2 paid unknown; the playbook's side is known only
    # where the team departed (C1: cancel_refund est. 15; N2: request_evidence est. 4)
    ("en", (), ["  EUR: team paid: unknown (no amount paid in any of its 2 cases); following the playbook: unknown "
                "observed + 4.00 estimated = 4.00 in 1 of 2 cases (1 unknown); no case has both known, so the two "
                "are not compared",
                "  USD: team paid: unknown (no amount paid in any of its 3 cases); following the playbook: unknown "
                "observed + 15.00 estimated = 15.00 in 1 of 3 cases (2 unknown); no case has both known, so the two "
                "are not compared"]),
    ("zh", (), ["  EUR：团队实付：未知（2 个案例都没有实付金额）；按手册：实际 未知 + 预计 4.00 = 4.00（2 个案例中已知 1 个，"
                "未知 1 个）；没有两者都已知的案例，因此不作对比",
                "  USD：团队实付：未知（3 个案例都没有实付金额）；按手册：实际 未知 + 预计 15.00 = 15.00（3 个案例中已知 1 个，"
                "未知 2 个）；没有两者都已知的案例，因此不作对比"]),
    # C4 (followed, USD 30) blank: the team's 5.00 is N1 0 + C1 5, the playbook's 15.00 is N1 0 observed + C1 15
    # estimated; both known in N1 and C1
    ("en", ("C4",), ["  EUR: team paid 60.00; following the playbook: 20.00 observed + 4.00 estimated = 24.00",
                     "  USD: team paid 5.00 in 2 of 3 cases (1 unknown); following the playbook: 0.00 observed + "
                     "15.00 estimated = 15.00 in 2 of 3 cases (1 unknown); over the 2 cases where both are known: "
                     "team paid 5.00, following the playbook 15.00"]),
])
def test_an_unknown_amount_paid_is_said_to_be_unknown_not_zero(tmp_path, capsys, lang, blank, lines):
    """A history without amount_paid printed "USD: team paid 0.00" beside the playbook's 1,389.77, and
    summary.json's team_paid_unknown: 156 was said nowhere."""
    without_amounts(small_history(), *blank).to_csv(tmp_path / "h.csv", index=False)
    assert main(["backtest", str(tmp_path / "h.csv"), "--out", str(tmp_path / "o"), "--no-report", "--lang", lang]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line for line in printed if line.startswith(("  EUR", "  USD"))] == lines


def test_the_reports_money_table_says_unknown_and_compares_like_for_like(tmp_path):
    from helpers.batch import backtest_report as br
    without_amounts(small_history()).to_csv(tmp_path / "h.csv", index=False)
    run_backtest(BacktestOptions(str(tmp_path / "h.csv"), str(tmp_path / "o")))
    table = br.section_cost(br.load_backtest(tmp_path / "o"))[0].frame
    assert table.columns.tolist() == ["currency", "team paid", "team's amount unknown (cases)", "playbook: observed",
                                      "playbook: estimated", "playbook: total", "playbook's cost unknown (cases)",
                                      "both known (cases)", "both known: team paid", "both known: playbook"]
    assert table.to_numpy().tolist() == [["EUR", "unknown", 2, "unknown", 4.0, 4.0, 1, 0, "unknown", "unknown"],
                                         ["USD", "unknown", 3, "unknown", 15.0, 15.0, 2, 0, "unknown", "unknown"]]


def test_one_changed_decision_is_said_in_the_singular():
    """"stalled_days=8: 1 decisions change" (samples/history.csv, --grid stalled_days=8..12:2)."""
    from helpers.batch.backtest_command import summary_lines
    rows = [{"setting": AS_IT_IS, "changed": 0, "score": 0.5, "lost_share": 0.1, "cost_share": 0.4},
            {"setting": "stalled_days=8", "changed": 1, "score": 0.6, "lost_share": 0.1, "cost_share": 0.5},
            {"setting": "stalled_days=12", "changed": 2, "score": 0.7, "lost_share": 0.1, "cost_share": 0.6}]
    summary = {"rows": 3, "decided": 3, "rejected": 0, "closed": 3, "open": 0, "followed": 3, "departed": 0,
               "cost": {}, "losing_rules": [], "listings_to_fix": [],
               "grid": {"settings": rows, "verdict": "keep", "best": AS_IT_IS, "tied": [], "set_lines": []}}
    lines = summary_lines(summary)
    assert "  stalled_days=8: 1 decision changes, lost on the platform 10.0%, cost share 50.0%, score 0.6000" in lines
    assert "  stalled_days=12: 2 decisions change, lost on the platform 10.0%, cost share 60.0%, score 0.7000" in lines


def test_an_estimate_no_case_gives_is_unknown_not_zero():
    """Every departed case's cost unknown: "50.00 observed + 0.00 estimated = 50.00 in 3 of 5 cases"."""
    from helpers.batch.backtest_command import cost_line
    from helpers.batch.report_words import Labels
    c = {"cases": 5, "team_paid": 80.0, "team_paid_unknown": 0, "playbook_observed": 50.0, "playbook_observed_cases": 3,
         "playbook_observed_unknown": 0, "playbook_estimated": 0.0, "playbook_estimated_cases": 0,
         "playbook_estimated_unknown": 2, "playbook_estimate_unknown": 2, "playbook_total": 50.0,
         "both_known_cases": 3, "both_known_team_paid": 30.0, "both_known_playbook": 50.0}
    line = cost_line("USD", c, Labels("en"))
    assert "50.00 observed + unknown estimated" in line and "0.00 estimated" not in line, line
