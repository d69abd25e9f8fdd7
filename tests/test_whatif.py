"""--set PARAM=VALUE: the batch under a changed policy, compared with the playbook as it is."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers import recommend
from helpers.cli import main
from helpers.core.exceptions import ParameterValueError

from support import AS_OF


def _case(case_id, value, **kw):
    return {"case_id": case_id, "dispute_type": "not_received", "order_value": value, "currency": "USD",
            "platform": "ebay", "order_date": "2026-10-01", "ship_date": "2026-10-02", "delivery_date": "2026-10-10",
            "tracking_status": "delivered", "proof_of_delivery": "false", **kw}


def test_raising_the_keep_item_limit_changes_the_expected_decisions(tmp_path, capsys):
    cases = [_case("LOW", 12), _case("MID", 20), _case("MID2", 25, currency="EUR"), _case("HIGH", 80)]
    path = tmp_path / "cases.csv"
    pd.DataFrame(cases).to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--as-of", "2026-11-01", "--no-report",
                 "--set", "keep_item_max_value=30"]) == 0
    printed = capsys.readouterr().out
    assert "what-if keep_item_max_value=30: 2 of 4 decisions change (50.0%)" in printed
    assert "  Ask for evidence first -> Full refund [request_evidence -> full_refund]: 2" in printed.splitlines()
    w = json.loads((out / "whatif.json").read_text())
    assert w["changed"] == 2 and w["transitions"] == [{"from": "request_evidence", "to": "full_refund", "cases": 2}]
    money = {r["currency"]: r for r in w["by_currency"]}
    # full refund (the value) instead of asking for evidence (expected cost: 20% dispute chance × 80% lose
    # chance without proof × the value): USD 20 - 3.20, EUR 25 - 4.00
    assert money["USD"]["cost_delta"] == 16.8 and money["EUR"]["cost_delta"] == 21.0
    changes = pd.read_csv(out / "whatif_changes.csv", dtype={"case_id": str})
    assert list(changes["case_id"]) == ["MID", "MID2"] and list(changes["row"]) == [3, 4]
    recs = pd.read_csv(out / "recommendations.csv", dtype=str, keep_default_na=False).set_index("case_id")
    for c in cases:  # the batch under the changed policy is recommend() under it
        rec = recommend(c, as_of=AS_OF, params={"keep_item_max_value": 30})
        assert recs.loc[c["case_id"], "resolution"] == rec.resolution
        assert recs.loc[c["case_id"], "rule_id"] == rec.rule_id


def test_a_chinese_what_if_says_it_in_chinese(tmp_path, capsys):
    """--lang zh: the terminal's what-if lines in Chinese (they were English), and whatif.json counts the
    cases of unknown cost on both sides, which the totals leave out."""
    cases = [_case("LOW", 12), _case("MID", 20), _case("MID2", 25, currency="EUR"), _case("HIGH", 80)]
    path = tmp_path / "cases.csv"
    pd.DataFrame(cases).to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--as-of", "2026-11-01", "--no-report", "--lang", "zh",
                 "--set", "keep_item_max_value=30"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert "政策模拟 keep_item_max_value=30：4 个决定中有 2 个改变（50.0%）" in printed
    assert "  先收集证据 -> 全额退款 [request_evidence -> full_refund]：2" in printed
    assert "  USD：预计成本 28.00 -> 44.80（+16.80），退款 +20.00" in printed  # the +16.80 the English test above works out
    money = {r["currency"]: r for r in json.loads((out / "whatif.json").read_text())["by_currency"]}
    assert (money["USD"]["cases_cost_unknown"], money["USD"]["baseline_cases_cost_unknown"]) == (0, 0)


def test_an_unknown_parameter_is_refused(tmp_path, capsys):
    path = tmp_path / "cases.csv"
    pd.DataFrame([_case("A", 10)]).to_csv(path, index=False)
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--set", "no_such_param=3"]) == 2
    assert "unknown playbook parameter 'no_such_param'" in capsys.readouterr().err


@pytest.mark.parametrize("setting, words", [
    ("keep_item_max_value=nan", "'keep_item_max_value' is nan; it must be a number of 0 or more"),
    ("wait_grace_days=inf", "'wait_grace_days' is inf; it must be a number of 0 or more"),
    ("shop_claim_window_days=-1", "'shop_claim_window_days' is -1; it must be a number of 0 or more"),
    ("dispute_chance_decline=-0.9", "'dispute_chance_decline' is -0.9; it must be a number from 0 to 1"),
    ("lose_chance_weak_evidence=3", "'lose_chance_weak_evidence' is 3; it must be a number from 0 to 1"),
    # `max: 1` let --set give 1, and the batch then stopped with "the playbook has errors" (exit 3)
    ("goodwill_partial_share=1", "'goodwill_partial_share' is 1; it must be a number more than 0 and less than 1 "
     "(a partial refund's share: 1 would refund the whole order, 0 nothing)"),
    ("cosmetic_partial_share=0", "'cosmetic_partial_share' is 0; it must be a number more than 0 and less than 1 "
     "(a partial refund's share: 1 would refund the whole order, 0 nothing)")])
def test_a_parameter_out_of_its_range_is_refused(tmp_path, capsys, setting, words):
    """NaN and infinity were written into summary.json (which strict JSON readers then refused), and a
    chance of 3 or of -0.9 gave negative expected costs, all with exit 0."""
    path = tmp_path / "cases.csv"
    pd.DataFrame([_case("A", 10)]).to_csv(path, index=False)
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--set", setting]) == 2
    assert f"--set: parameter {words}" in capsys.readouterr().err
    assert not (tmp_path / "o" / "summary.json").exists()
    with pytest.raises(ParameterValueError, match="must be a number"):
        recommend(_case("A", 10), as_of=AS_OF, params=dict([setting.split("=")]))


def test_validate_names_the_line_of_a_chance_above_one(tmp_path, capsys):
    from support import copy_playbook, edit_file
    pb = copy_playbook(tmp_path)
    edit_file(pb / "parameters.yaml", "dispute_chance_decline:\n  value: 0.5", "dispute_chance_decline:\n  value: 1.5")
    assert main(["validate", "--playbook", str(pb)]) == 1
    line = next(i for i, text in enumerate((pb / "parameters.yaml").read_text().splitlines(), 1) if text.strip() == "value: 1.5")
    assert (f"parameters.yaml:{line}: parameter 'dispute_chance_decline' is 1.5; it must be a number from 0 to 1"
            in capsys.readouterr().out)


def test_a_negative_window_is_one_error_on_its_line_not_a_rule_that_can_never_fire(tmp_path, capsys):
    """wait_grace_days: -7 was blamed on a rule (nr_late_within_grace "can never fire"), far from the slip."""
    from support import copy_playbook, edit_file
    pb = copy_playbook(tmp_path)
    edit_file(pb / "parameters.yaml", "wait_grace_days:\n  value: 7", "wait_grace_days:\n  value: -7")
    assert main(["validate", "--playbook", str(pb)]) == 1
    out = capsys.readouterr().out
    assert "parameter 'wait_grace_days' is -7" in out and "1 error(s)" in out and "never fire" not in out, out


def test_the_cost_change_compares_only_cases_known_under_both_policies(tmp_path, capsys):
    """An exchange of unknown cost (no item or shipping cost on file) that the changed policy refunds
    (21.89 EUR, its order value) was counted as +21.89: its unknown side as nothing."""
    case = {"case_id": "U1", "dispute_type": "damaged", "order_value": 21.89, "currency": "EUR",
            "return_shipping_cost": 20.69, "order_date": "2026-10-15", "ship_date": "2026-10-16",
            "delivery_date": "2026-11-01", "tracking_status": "delivered", "buyer_request": "exchange",
            "buyer_photos": True, "seller_packing_photos": True, "proof_of_delivery": True, "chat_history": True,
            "damage_severity": "functional", "missing_parts": False, "insured": False}
    path = tmp_path / "cases.csv"
    pd.DataFrame([case]).to_csv(path, index=False)
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--as-of", "2026-11-01", "--no-report",
                 "--set", "keep_item_max_value=30"]) == 0
    assert ("EUR: estimated cost unknown (its one case has no cost known under both policies), refunds +21.89"
            in capsys.readouterr().out)
    eur = json.loads((tmp_path / "o" / "whatif.json").read_text())["by_currency"][0]
    assert (eur["baseline_cases_cost_unknown"], eur["cases_cost_unknown"], eur["cost_delta"]) == (1, 0, 0.0)
    changes = pd.read_csv(tmp_path / "o" / "whatif_changes.csv")
    assert changes[["baseline_resolution", "resolution", "est_cost"]].values.tolist() == [["exchange", "refund_keep_item", 21.89]]


UNKNOWN_COST = {"case_id": "U1", "dispute_type": "damaged", "order_value": 21.89, "currency": "EUR",
                "return_shipping_cost": 20.69, "order_date": "2026-10-15", "ship_date": "2026-10-16",
                "delivery_date": "2026-11-01", "tracking_status": "delivered", "buyer_request": "exchange",
                "buyer_photos": True, "seller_packing_photos": True, "proof_of_delivery": True, "chat_history": True,
                "damage_severity": "functional", "missing_parts": False, "insured": False}


@pytest.mark.parametrize("lang, lines", [
    ("en", ["what-if keep_item_max_value=30: 1 of 1 decisions changes (100.0%)",
            "  JPY: estimated cost unknown (its one case has no cost known under both policies), refunds +3,000"]),
    ("zh", ["政策模拟 keep_item_max_value=30：1 个决定中有 1 个改变（100.0%）",
            "  JPY：预计成本未知（该币种仅有的 1 个案例在两种政策下的成本并非都已知），退款 +3,000"]),
])
def test_an_unknown_cost_is_said_unknown_and_yen_has_no_decimals(tmp_path, capsys, lang, lines):
    """The one JPY case's cost is unknown (no item or shipping cost): the terminal said "JPY：预计成本 0.00 ->
    0.00（+0.00）" and "1 decisions change". ¥3,000 is 20 USD at 150 yen to the dollar, over the 15 USD
    limit and under 30: its exchange becomes a refund of the order, ¥3,000, written as the toolkit writes
    yen elsewhere: without decimals."""
    path = tmp_path / "cases.csv"
    pd.DataFrame([{**UNKNOWN_COST, "currency": "JPY", "order_value": 3000, "return_shipping_cost": 2800}]
                 ).to_csv(path, index=False)
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--as-of", "2026-11-01", "--no-report",
                 "--set", "keep_item_max_value=30", "--lang", lang]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert lines[0] in printed and lines[1] in printed


def test_a_cost_known_for_some_cases_says_over_how_many(tmp_path, capsys):
    """U1's cost is unknown, MID2's known: request_evidence (expected cost 20% × 80% × 25 = 4.00) becomes a
    full refund (25.00). Refunds: U1 +21.89 and MID2 +25.00."""
    path = tmp_path / "cases.csv"
    pd.DataFrame([UNKNOWN_COST, _case("MID2", 25, currency="EUR")]).to_csv(path, index=False)
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--as-of", "2026-11-01", "--no-report",
                 "--set", "keep_item_max_value=30"]) == 0
    assert ("  EUR: estimated cost 4.00 -> 25.00 (+21.00) over the 1 of 2 cases whose cost is known under both "
            "policies, refunds +46.89") in capsys.readouterr().out.splitlines()
