"""Unit tests of the pure core, each against values worked out by hand: conditions (every operator,
unknown values), costs and alternatives, money rounding, levers, derived facts; and the atomic
writer's failure path."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from helpers.advice.recommend import recommend
from helpers.core.case import parse_case, to_columns
from helpers.core.conditions import ConditionParser
from helpers.core.costs import money, money_or_none
from helpers.core.exceptions import OutputError
from helpers.core.facts import derive
from helpers.core.levers import LEVERS, apply
from helpers.iorw.atomic import atomic_write

T, F = True, False
NAN = math.nan


def condition(spec, params=None):
    problems = []
    cond = ConditionParser(Path("rules.yaml"), params or {"limit": 20.0}, problems).parse(spec, 7)
    return cond, problems


# --- conditions ------------------------------------------------------------------------------

# order_value of four cases: below, at, above the threshold, and unknown
VALUES = {"order_value": np.array([10.0, 20.0, 30.0, NAN])}


@pytest.mark.parametrize("spec,expected", [
    ({"order_value": 20}, [F, T, F, F]),                    # name: value means eq
    ({"order_value": {"eq": 20}}, [F, T, F, F]),
    ({"order_value": {"ne": 20}}, [T, F, T, T]),             # unknown is "not equal"
    ({"order_value": {"in": [10, 30]}}, [T, F, T, F]),
    ({"order_value": {"not_in": [10, 30]}}, [F, T, F, T]),   # unknown is "not in"
    ({"order_value": {"gt": 20}}, [F, F, T, F]),             # unknown never satisfies a comparison
    ({"order_value": {"gte": 20}}, [F, T, T, F]),
    ({"order_value": {"lt": 20}}, [T, F, F, F]),
    ({"order_value": {"lte": 20}}, [T, T, F, F]),
    ({"order_value": {"gte": "$limit"}}, [F, T, T, F]),      # a parameter stands for its value
    ({"order_value": {"gt": 10, "lt": 30}}, [F, T, F, F]),   # two operators: both must hold
    ({"order_value": {"known": True}}, [T, T, T, F]),
    ({"order_value": {"known": False}}, [F, F, F, T]),
    ({"not": {"order_value": {"gt": 20}}}, [T, T, F, T]),    # not: the unknown case is "not greater"
    ({"any": [{"order_value": {"lt": 15}}, {"order_value": {"known": False}}]}, [T, F, F, T]),
    ({"all": [{"order_value": {"gte": 10}}, {"order_value": {"lte": 20}}]}, [T, T, F, F]),
])
def test_every_operator_on_a_number_with_an_unknown(spec, expected):
    cond, problems = condition(spec)
    assert problems == []
    assert cond.mask(VALUES).tolist() == expected


@pytest.mark.parametrize("spec,expected", [
    ({"buyer_photos": True}, [T, F, F]),
    ({"buyer_photos": False}, [F, T, F]),      # an unknown is neither true nor false
    ({"buyer_photos": {"ne": True}}, [F, T, T]),
    ({"buyer_photos": {"known": False}}, [F, F, T]),
])
def test_a_yes_no_field_with_an_unknown(spec, expected):
    cond, problems = condition(spec)
    assert problems == [] and cond.mask({"buyer_photos": np.array([1.0, 0.0, NAN])}).tolist() == expected


def test_an_enum_field_compares_by_value():
    from helpers.core.fields import FIELD_BY_NAME
    choices = FIELD_BY_NAME["tracking_status"].choices
    column = np.array([float(choices.index("lost")), float(choices.index("delivered")), NAN])
    cond, _ = condition({"tracking_status": {"in": ["lost", "stalled"]}})
    assert cond.mask({"tracking_status": column}).tolist() == [T, F, F]
    cond, _ = condition({"tracking_status": {"not_in": ["lost", "stalled"]}})
    assert cond.mask({"tracking_status": column}).tolist() == [F, T, T]


@pytest.mark.parametrize("spec,says", [
    ({"order_value": {"about": 20}}, "unknown operator 'about' for order_value"),
    ({"buyer_photos": {"gt": 1}}, "`gt` compares numbers, but buyer_photos is a bool"),
    ({"order_value": {"gte": "$no_such"}}, "unknown parameter $no_such"),
    ({"buyer_name": "Bob"}, "unknown field or fact 'buyer_name'"),
    ({"tracking_status": "misplaced"}, "'misplaced' is not a value of tracking_status"),
    ({"order_value": {"known": "yes"}}, "`known` takes true or false"),
    ({"order_value": {"in": []}}, "`in` needs a non-empty list"),
])
def test_a_condition_that_cannot_work_is_a_located_problem(spec, says):
    _, problems = condition(spec)
    assert len(problems) == 1 and says in problems[0].message and problems[0].line == 7, problems


# --- costs, alternatives and money -------------------------------------------------------------

# order 40, item 10, shipping 5, return shipping 8, resellable: every option's refund and cost by hand
CASE = {"case_id": "K1", "dispute_type": "damaged", "order_value": 40, "item_cost": 10, "shipping_cost": 5,
        "return_shipping_cost": 8, "item_resellable": True, "buyer_photos": True, "damage_severity": "cosmetic",
        "order_date": "2026-10-01", "ship_date": "2026-10-02", "delivery_date": "2026-10-09",
        "tracking_status": "delivered", "as_of_date": "2026-10-12"}
BY_HAND = {  # resolution: (refund, est_cost); no packing photos, so a lost platform case is likely (0.8)
    # expected cost = cost if accepted + chance the buyer goes to the platform × 0.8 × the order value (40)
    "request_evidence": (0.0, 6.4),   # 0 + 0.2 × 0.8 × 40
    "reship": (0.0, 16.6),            # a new item (10) and its shipping (5), + 0.05 × 0.8 × 40
    "exchange": (0.0, 14.6),          # shipping out (5) and back (8); the returned item resells; + 1.6
    "partial_refund": (8.0, 12.8),    # the chosen rule (cosmetic damage): 20% of 40, within the profit of 25; + 0.15 × 0.8 × 40
    "return_refund": (40.0, 38.0),    # 40 back plus return shipping 8, less the resold item 10; the dispute ends
    "refund_keep_item": (40.0, 40.0),
    "escalate": (0.0, 32.0),          # at the platform for sure: 1 × 0.8 × 40
}


def test_every_alternative_has_its_hand_computed_refund_and_cost():
    rec = recommend(CASE)
    assert (rec.rule_id, rec.resolution) == ("dmg_cosmetic", "partial_refund")
    got = {a["resolution"]: (a["refund_amount"], a["est_cost"]) for a in rec.alternatives}
    assert got == BY_HAND
    # as an option beside another decision, a partial refund is the 30% goodwill share: 12
    rec = recommend({**CASE, "damage_severity": "functional"})
    offered = [a for a in rec.alternatives if a["resolution"] == "partial_refund"]
    assert rec.resolution != "partial_refund" and offered[0]["refund_amount"] == 12.0
    assert offered[0]["est_cost"] == 16.8  # 12 + 0.15 × 0.8 × 40
    assert [a["resolution"] for a in rec.alternatives if a["chosen"]] == [rec.resolution]


def test_unknown_costs_give_unknown_estimates_and_unknown_resale_counts_as_lost():
    rec = recommend({**CASE, "return_shipping_cost": None, "item_resellable": None})
    got = {a["resolution"]: (a["refund_amount"], a["est_cost"]) for a in rec.alternatives}
    assert got["return_refund"] == (40.0, None)      # the return's shipping is unknown
    assert got["exchange"] == (0.0, None)
    assert got["reship"] == (0.0, 16.6)              # needs no return
    rec = recommend({**CASE, "item_resellable": None})
    got = {a["resolution"]: a["est_cost"] for a in rec.alternatives}
    assert got["return_refund"] == 48.0 and got["exchange"] == 24.6  # the returned item is not resold (23 + 1.6)


def test_cancellation_costs_depend_on_whether_the_goods_left():
    case = {"case_id": "K2", "dispute_type": "cancellation", "order_value": 40, "item_cost": 10,
            "shipping_cost": 5, "return_shipping_cost": 8, "item_resellable": True, "order_date": "2026-10-01",
            "as_of_date": "2026-10-02", "cancel_reason": "changed_mind"}
    unshipped = {a["resolution"]: a["est_cost"] for a in recommend(case).alternatives}
    assert unshipped["cancel_refund"] == 25.0          # the money back, less the item kept in stock and the postage saved
    shipped = {a["resolution"]: a["est_cost"] for a in recommend({**case, "ship_date": "2026-10-02"}).alternatives}
    assert shipped["cancel_refund"] == 38.0            # it comes back at the seller's cost and resells


def test_money_rounds_as_people_do_and_keeps_unknowns():
    got = money([0.125, 2.675, 1.005, 12.344999, 7.0, NAN])
    assert got[:5].tolist() == [0.12, 2.67, 1.0, 12.34, 7.0] and math.isnan(got[5])
    assert money_or_none(NAN) is None and money_or_none(None) is None and money_or_none(3.14159) == 3.14


# --- levers -------------------------------------------------------------------------------------

def test_a_lever_says_what_would_change_in_both_languages():
    photos = next(lv for lv in LEVERS if lv.field == "seller_packing_photos")
    assert photos.sentence("Send it again", "Submit evidence to the platform") == \
        "With your packing photos and weight on file this would be “Submit evidence to the platform”, not “Send it again”."
    assert photos.sentence("补发", "提交证据，申请平台介入", "zh") == "如果有发货前的包裹照片和称重记录，建议将是「提交证据，申请平台介入」而不是「补发」。"


def test_pulling_a_lever_changes_only_rows_where_the_fact_differs():
    photos = next(lv for lv in LEVERS if lv.field == "seller_packing_photos")
    cols = {"seller_packing_photos": np.array([0.0, 1.0, NAN]), "order_value": np.array([1.0, 2.0, 3.0])}
    pulled, changed = apply(photos, cols)
    assert pulled["seller_packing_photos"].tolist() == [1.0, 1.0, 1.0]
    assert changed.tolist() == [T, F, T]            # learning an unknown fact counts as a change
    assert pulled["order_value"] is cols["order_value"]
    later = next(lv for lv in LEVERS if lv.field == "as_of_date")
    pulled, changed = apply(later, {"as_of_date": np.array([100.0, 200.0])})
    assert pulled["as_of_date"].tolist() == [100.0 + later.value, 200.0 + later.value] and changed.all()


# --- facts --------------------------------------------------------------------------------------

def facts_of(window, **fields):
    case = {"case_id": "F1", "dispute_type": "not_as_described", "order_value": 40, "order_date": "2026-10-01",
            "ship_date": "2026-10-03", "promised_delivery_days": 10, "as_of_date": "2026-11-01", **fields}
    cols = to_columns([parse_case(case)])
    return {k: v[0].item() for k, v in derive(cols, np.array([window], dtype=float)).items()}


def test_derived_facts_by_hand():
    f = facts_of(15.0, item_cost=10, shipping_cost=5, return_shipping_cost=12)
    assert (f["shipped"], f["has_tracking_number"]) == (1.0, 0.0)
    assert (f["days_since_order"], f["days_since_shipping"]) == (31.0, 29.0)
    assert f["days_past_promise"] == 19.0             # promised by 10-13, reviewed 11-01
    assert f["days_since_receipt"] == 19.0            # no delivery date: ship date + promise
    assert f["within_return_window"] == 0.0           # 19 days > 15
    assert (f["margin"], f["margin_share"]) == (25.0, 0.625)
    assert (f["return_costs_more_than_item"], f["costs_known"]) == (1.0, 1.0)
    assert math.isnan(f["days_since_delivery"])


def test_facts_are_unknown_when_their_inputs_are():
    f = facts_of(NAN, delivery_date="2026-10-20", tracking_number="LP1")
    assert f["days_since_receipt"] == 12.0 and f["days_since_delivery"] == 12.0  # the delivery date wins
    assert math.isnan(f["within_return_window"])      # the platform has no window on file
    assert math.isnan(f["margin"]) and math.isnan(f["return_costs_more_than_item"])
    assert (f["costs_known"], f["has_tracking_number"]) == (0.0, 1.0)
    assert facts_of(30.0, delivery_date="2026-10-20")["within_return_window"] == 1.0


# --- the atomic writer's failure path -------------------------------------------------------------

def leftovers(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), ValueError("a bug in the writer")])
def test_a_failed_write_keeps_the_original_and_leaves_no_temporary_file(tmp_path, error):
    path = tmp_path / "results.csv"
    path.write_text("the finished results\n", encoding="utf-8")

    def half_then_fail(tmp):
        Path(tmp).write_text("half a fi", encoding="utf-8")
        raise error
    expected = OutputError if isinstance(error, OSError) else ValueError
    with pytest.raises(expected) as raised:
        atomic_write(path, half_then_fail)
    assert path.read_text(encoding="utf-8") == "the finished results\n"
    assert leftovers(tmp_path) == []
    if expected is OutputError:
        assert f"cannot write {path}: No space left on device" in str(raised.value) and raised.value.exit_code == 4


def test_a_write_into_a_file_posing_as_a_folder_is_an_output_error(tmp_path):
    blocker = tmp_path / "report"
    blocker.write_text("a file", encoding="utf-8")
    with pytest.raises(OutputError, match=f"{blocker} is a file, not a folder"):
        atomic_write(blocker / "summary.json", lambda tmp: Path(tmp).write_text("{}"))
    assert blocker.read_text(encoding="utf-8") == "a file"


def test_a_successful_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("old\n", encoding="utf-8")
    atomic_write(path, lambda tmp: Path(tmp).write_text("new\n", encoding="utf-8"))
    assert path.read_text(encoding="utf-8") == "new\n" and leftovers(tmp_path) == []


def test_rate_column_looks_up_each_rows_code_and_leaves_the_unknown_empty():
    from helpers.core.money import rate_column
    rates = {"USD": 1, "CNY": 7.1, "EUR": 0.92}
    codes = np.array(["CNY", "USD", "", "EUR", "GBP", "CNY", "usd"], dtype=object)
    np.testing.assert_array_equal(rate_column(rates, codes), [7.1, 1.0, np.nan, 0.92, np.nan, 7.1, np.nan])
    assert rate_column(rates, np.array([], dtype=object)).shape == (0,)
