"""The case contract: every field's type, enum, range and date checks, with errors naming the field."""
from __future__ import annotations

import datetime as dt

import pytest

from helpers import recommend
from helpers.core.case import parse_case
from helpers.core.exceptions import CaseError
from helpers.core.fields import FIELDS

from support import minimal_case

BAD_VALUES = {
    "decimal": ["abc", True, "12,50", "$5", float("inf")],
    "int": [2.5, "x", True],
    "bool": ["maybe", 2, "yes please"],
    "date": ["2026-02-30", "31/12/2026", 20261201, "2026-1-5"],
    "enum": ["bogus", 3],
    "currency": ["US", "dollars", 12],
    "language": ["english!", "e", "12"],
    "country": ["USA", "1"],
    "string": [["a", "list"], {"a": 1}],
}
CASES = [(f.name, bad) for f in FIELDS for bad in BAD_VALUES[f.kind]]


@pytest.mark.parametrize("field,bad", CASES, ids=[f"{f}={b!r}" for f, b in CASES])
def test_a_bad_value_is_rejected_naming_case_and_field(field, bad):
    case = minimal_case(case_id="CASE-7")
    case[field] = bad
    with pytest.raises(CaseError) as err:
        parse_case(case, as_of=dt.date(2026, 11, 1))
    assert field in err.value.fields
    if field != "case_id":
        assert "CASE-7" in str(err.value)
    assert field in str(err.value)


@pytest.mark.parametrize("field,value", [("order_value", 0), ("order_value", -3), ("item_cost", -0.01),
                                          ("shipping_cost", -1), ("return_shipping_cost", -2),
                                          ("promised_delivery_days", -1), ("buyer_prior_disputes", -1)])
def test_out_of_range_numbers_are_rejected(field, value):
    with pytest.raises(CaseError) as err:
        parse_case(minimal_case(**{field: value}))
    assert err.value.fields == [field]


@pytest.mark.parametrize("field", ["case_id", "dispute_type", "order_value"])
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_required_fields_must_be_present(field, empty):
    case = minimal_case()
    case[field] = empty
    with pytest.raises(CaseError) as err:
        parse_case(case)
    assert field in err.value.fields and "required" in str(err.value)


@pytest.mark.parametrize("fields,bad_field", [
    ({"order_date": "2026-10-10", "ship_date": "2026-10-01"}, "ship_date"),
    ({"ship_date": "2026-10-10", "delivery_date": "2026-10-01"}, "delivery_date"),
    ({"order_date": "2026-12-01"}, "order_date"),
    ({"tracking_status": "in_transit"}, "ship_date"),
])
def test_impossible_date_combinations_are_rejected(fields, bad_field):
    with pytest.raises(CaseError) as err:
        parse_case(minimal_case(**fields), as_of=dt.date(2026, 11, 1))
    assert bad_field in err.value.fields


def test_every_problem_is_reported_not_just_the_first():
    with pytest.raises(CaseError) as err:
        parse_case(minimal_case(order_value="x", platform="wish", buyer_photos="perhaps"))
    assert set(err.value.fields) == {"order_value", "platform", "buyer_photos"}


def test_unknown_field_is_named_with_a_suggestion():
    with pytest.raises(CaseError, match="did you mean 'order_value'"):
        parse_case({**minimal_case(), "odrer_value": 3})


def test_a_misspelt_enum_gets_a_suggestion():
    with pytest.raises(CaseError, match="did you mean 'damaged'"):
        parse_case(minimal_case(dispute_type="damagd"))


@pytest.mark.parametrize("text,value", [("true", True), ("Yes", True), ("1", True), (1, True), ("FALSE", False),
                                        ("no", False), ("0", False), (0.0, False), (True, True)])
def test_booleans_accept_the_contract_spellings(text, value):
    assert parse_case(minimal_case(insured=text))["insured"] is value


def test_defaults_fill_empty_cells_and_unknown_stays_unknown():
    case = parse_case(minimal_case(item_resellable="", currency=None), as_of=dt.date(2026, 11, 1))
    assert case["currency"] == "USD" and case["platform"] == "other" and case["tracking_status"] == "none"
    assert case["buyer_prior_disputes"] == 0 and case["buyer_photos"] is False
    assert case["item_resellable"] is None and case["listing_error"] is None


def test_values_are_normalised_not_reinterpreted():
    case = parse_case(minimal_case(currency="eur", buyer_language="zh-CN", buyer_country="br",
                                   dispute_type=" Damaged ", order_id=81000012.0, order_value="12.50"))
    assert (case["currency"], case["buyer_language"], case["buyer_country"]) == ("EUR", "zh", "BR")
    assert case["dispute_type"] == "damaged" and case["order_id"] == "81000012" and case["order_value"] == 12.5


def test_review_date_defaults_to_today_and_the_batch_date_wins():
    assert parse_case(minimal_case())["as_of_date"] == dt.date.today()
    batch_day = dt.date(2026, 1, 2)
    assert parse_case(minimal_case(as_of_date="2026-01-01"), as_of=batch_day)["as_of_date"] == batch_day


def test_a_non_object_case_is_a_clear_error():
    with pytest.raises(CaseError, match="object of fields"):
        parse_case(["not", "a", "case"])


def test_a_rule_tying_fields_together_is_reported_with_the_other_faults():
    """A user fixed buyer_photos, ran again, and only then learnt that ship_date was before order_date."""
    case = minimal_case(case_id="M3", ship_date="2026-09-01", order_date="2026-10-01", buyer_photos="x")
    with pytest.raises(CaseError) as raised:
        parse_case(case)
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("buyer_photos", raised.value.problems[0].message), ("ship_date", "2026-09-01 is before order_date 2026-10-01")]


@pytest.mark.parametrize("fields, faulty", [
    # a ship date that cannot be read is not an empty one ("is empty (not shipped) but tracking_status is …")
    ({"ship_date": "yesterday", "tracking_status": "delivered"}, ["ship_date"]),
    # nor is a review date that cannot be read a date that every other date is after
    ({"as_of_date": "31/31/2026", "order_date": "2026-10-01"}, ["as_of_date"]),
])
def test_a_field_that_cannot_be_read_draws_no_rule_about_it(fields, faulty):
    with pytest.raises(CaseError) as raised:
        parse_case(minimal_case(**fields))
    assert raised.value.fields == faulty


@pytest.mark.parametrize("value", [46302, "46302", 46302.0])
def test_a_spreadsheet_day_number_in_a_date_field_says_which_date_it_stands_for(value):
    """A date cell formatted as General reaches the file as Excel's day number: "46302 is not a date in
    the form YYYY-MM-DD" left the seller guessing; the message names the date (Excel's day 0 is
    1899-12-30) and the fix. It is still rejected: nothing is coerced."""
    case = {"case_id": "S1", "dispute_type": "damaged", "order_value": 10, "ship_date": value}
    with pytest.raises(CaseError) as caught:
        recommend(case, as_of="2026-11-01")
    problem = caught.value.problems[0]
    assert problem.field == "ship_date"
    assert "looks like a spreadsheet's day number for 2026-10-07: format the column as a date" in problem.text("en")
    assert "2026-10-07 的日期序号" in problem.text("zh")
    with pytest.raises(CaseError, match="is not a date in the form YYYY-MM-DD — fix"):  # not a day number: as before
        recommend({**case, "ship_date": "12"}, as_of="2026-11-01")


def test_a_count_that_is_no_number_asks_for_a_count_not_an_amount():
    """buyer_prior_disputes: 'two' was told to "use a plain number such as 12.50, no currency sign"."""
    with pytest.raises(CaseError) as caught:
        recommend({"case_id": "P1", "dispute_type": "damaged", "order_value": 10, "buyer_prior_disputes": "two"},
                  as_of="2026-11-01")
    problem = caught.value.problems[0]
    assert problem.text("en") == "'two' is not a whole number (write a count such as 3)"
    assert problem.text("zh") == "'two' 不是整数（请写成 3 这样的次数）"
