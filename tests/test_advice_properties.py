"""Properties of the advice over thousands of generated cases (hypothesis draws 30 batches of 40
cases per property, decided together by the engine `recommend()` uses):

- buyer_name, shop_name, order_id or carrier never change the resolution;
- more seller evidence (packing photos, proof of delivery, chat history) never raises the refund;
- more prior disputes never raise it;
- the same case in another currency, at the shop's rate, gets the same resolution;
- a later review date for a parcel still not delivered never lowers it.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import recommend
from helpers.core.case import parse_case, to_columns
from helpers.core.engine import decide
from helpers.playbook.loader import load_playbook

from support import AS_OF
from test_properties import cases

BATCH = 40
MANY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])
batches = st.lists(cases(), min_size=BATCH, max_size=BATCH)
PB = load_playbook()


def decided(raw_cases):
    """(resolutions, refunds) of the cases, through the same engine as recommend()."""
    parsed = [parse_case(c, as_of=None if c.get("as_of_date") else AS_OF) for c in raw_cases]
    d = decide(PB, to_columns(parsed), explain=False)
    return [d.rules[i].resolution for i in d.rule], d.refund


def test_the_engine_path_here_is_recommend():
    case = {"case_id": "P1", "dispute_type": "damaged", "order_value": 60, "buyer_photos": True,
            "damage_severity": "functional", "platform": "ebay"}
    resolution, refund = decided([case])
    rec = recommend(case, as_of=AS_OF)
    assert (resolution[0], float(refund[0])) == (rec.resolution, rec.refund_amount) == ("reship", 0.0)


@MANY
@given(batches, st.data())
def test_message_only_fields_never_change_the_resolution(batch, data):
    other = [{**c, **{k: data.draw(st.one_of(st.none(), st.text(min_size=1, max_size=20).filter(str.strip)))
                      for k in ("buyer_name", "shop_name", "order_id", "carrier")}} for c in batch]
    assert decided(batch)[0] == decided(other)[0]


@MANY
@given(batches, st.sampled_from(["seller_packing_photos", "proof_of_delivery", "chat_history"]))
def test_more_seller_evidence_never_raises_the_refund(batch, evidence):
    before = decided([{**c, evidence: False} for c in batch])[1]
    after = decided([{**c, evidence: True} for c in batch])[1]
    assert np.all(after <= before + 1e-9), [(c, b, a) for c, b, a in zip(batch, before, after) if a > b][:1]


@MANY
@given(batches, st.integers(1, 10))
def test_more_prior_disputes_never_raise_the_refund(batch, more):
    before = decided(batch)[1]
    after = decided([{**c, "buyer_prior_disputes": c["buyer_prior_disputes"] + more} for c in batch])[1]
    assert np.all(after <= before + 1e-9)


def _near_a_threshold(case) -> bool:
    usd = case["order_value"] / PB.rates[case["currency"]]
    return any(abs(usd - PB.params[p]) < 0.05 for p in ("keep_item_max_value", "high_value_order"))


@MANY
@given(batches, st.sampled_from(["USD", "EUR", "CNY", "GBP", "JPY", "RUB"]))
def test_the_same_case_in_another_currency_gets_the_same_resolution(batch, target):
    assume(not any(_near_a_threshold(c) for c in batch))  # a cent's rounding must not decide the case
    moved = []
    for c in batch:
        factor = PB.rates[target] / PB.rates[c["currency"]]
        moved.append({**c, "currency": target, **{k: c[k] * factor for k in
                                                  ("order_value", "item_cost", "shipping_cost", "return_shipping_cost")
                                                  if c[k] is not None}})
    assert decided(batch)[0] == decided(moved)[0]


@MANY
@given(batches, st.integers(1, 90))
def test_a_later_review_never_lowers_the_refund_for_a_parcel_not_delivered(batch, days):
    waiting = [{**c, "dispute_type": "not_received", "as_of_date": AS_OF.isoformat()}
               for c in batch if c["tracking_status"] != "delivered"]
    assume(waiting)
    later = [{**c, "as_of_date": (AS_OF + dt.timedelta(days=days)).isoformat()} for c in waiting]
    assert np.all(decided(later)[1] >= decided(waiting)[1] - 1e-9)


@pytest.mark.parametrize("currency,value", [("USD", 100), ("CNY", 710), ("EUR", 92), ("JPY", 15000)])
def test_one_hundred_dollars_is_decided_alike_in_every_currency(currency, value):
    case = {"case_id": "FX", "dispute_type": "not_as_described", "order_value": value, "currency": currency,
            "buyer_photos": True, "listing_error": True, "mismatch": "size"}
    assert recommend(case, as_of=AS_OF).resolution == "return_refund"
