"""Property-based tests over generated valid cases: what must hold for every case, not just examples."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import recommend
from helpers.core.fields import FIELD_BY_NAME, FULL_REFUND_RESOLUTIONS, NO_REFUND_RESOLUTIONS, RESOLUTIONS
from helpers.playbook.messages import LANGUAGES

from support import AS_OF

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
money = st.floats(min_value=0.01, max_value=5000, allow_nan=False).map(lambda x: round(x, 2))
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731 — "unknown" is a value of every optional field
choice = lambda name: st.sampled_from(FIELD_BY_NAME[name].choices)  # noqa: E731
# buyer text without the markers the message test looks for ("None": a Python None printed into a message)
plain_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60).filter(
    lambda s: "{" not in s and "%" not in s and "None" not in s)


@st.composite
def cases(draw, buyer_text=plain_text):
    order_ago = draw(st.integers(0, 200))
    order_date = AS_OF - dt.timedelta(days=order_ago)
    shipped = draw(st.booleans())
    ship_date = order_date + dt.timedelta(days=draw(st.integers(0, order_ago))) if shipped else None
    delivery_date = None
    status = "none"
    if shipped:
        status = draw(st.sampled_from(FIELD_BY_NAME["tracking_status"].choices))
        if status == "delivered" and draw(st.booleans()):
            delivery_date = ship_date + dt.timedelta(days=draw(st.integers(0, (AS_OF - ship_date).days)))
    case = {
        "case_id": draw(st.text(min_size=1, max_size=12).filter(str.strip)),
        "dispute_type": draw(choice("dispute_type")), "order_value": draw(money),
        "platform": draw(choice("platform")), "currency": draw(st.sampled_from(["USD", "EUR", "CNY", "RUB"])),
        "order_date": order_date.isoformat(), "ship_date": ship_date and ship_date.isoformat(),
        "delivery_date": delivery_date and delivery_date.isoformat(), "tracking_status": status,
        "promised_delivery_days": draw(maybe(st.integers(0, 60))),
        "buyer_request": draw(choice("buyer_request")), "mismatch": draw(maybe(choice("mismatch"))),
        "damage_severity": draw(maybe(choice("damage_severity"))), "cancel_reason": draw(maybe(choice("cancel_reason"))),
        "buyer_prior_disputes": draw(st.integers(0, 12)),
        "buyer_language": draw(st.sampled_from(["en", "zh", "es", "ru", "pt", "fr", "de", "ja"])),
        "buyer_name": draw(maybe(buyer_text)), "shop_name": draw(maybe(buyer_text)),
        "order_id": draw(maybe(buyer_text)), "tracking_number": draw(maybe(buyer_text)), "carrier": draw(maybe(buyer_text)),
    }
    for name in ("item_cost", "shipping_cost", "return_shipping_cost"):
        case[name] = draw(maybe(money))
    for name in ("buyer_photos", "seller_packing_photos", "proof_of_delivery", "chat_history", "item_resellable",
                 "listing_error", "missing_parts", "packaging_damaged", "insured", "review_threat"):
        case[name] = draw(maybe(st.booleans()))
    return case


@SETTINGS
@given(cases())
def test_one_complete_recommendation_with_a_refund_the_contract_allows(playbook, case):
    rec = recommend(case, as_of=AS_OF, playbook=playbook)
    assert rec.resolution in RESOLUTIONS
    assert rec.rule_id in {r.id for r in playbook.tables[case["dispute_type"]].rules}
    value = case["order_value"]
    assert 0 <= rec.refund_amount <= value
    if rec.resolution in NO_REFUND_RESOLUTIONS:
        assert rec.refund_amount == 0
    elif rec.resolution in FULL_REFUND_RESOLUTIONS:
        assert rec.refund_amount == value
    elif value >= 0.02:
        assert 0 < rec.refund_amount < value
    else:  # a one-cent order: no cent lies strictly between 0 and it; the smallest refund is that cent
        assert rec.refund_amount == value
    assert rec.rationale and rec.actions and rec.message and rec.template_id
    if rec.est_cost is not None:  # a cancelled unshipped order can save the goods and the postage, never more
        assert -(case["item_cost"] or 0) - (case["shipping_cost"] or 0) <= rec.est_cost <= value + sum(case[k] or 0 for k in (
            "item_cost", "shipping_cost", "return_shipping_cost"))


@SETTINGS
@given(cases())
def test_messages_leave_no_placeholder_and_keep_platform_rules(playbook, case):
    rec = recommend(case, as_of=AS_OF, playbook=playbook)
    for marker in ("{{", "}}", "{%", "%}", "\x00", "None"):
        assert marker not in rec.message
    if case["platform"] == "aliexpress":
        assert rec.message_language == "en" and len(rec.message) <= 1500
    elif case["buyer_language"] in LANGUAGES:
        assert rec.message_language == case["buyer_language"] and not rec.message_note
    else:
        assert rec.message_language == "en" and "it is shown in English" in rec.message_note


@SETTINGS
@given(cases())
def test_buyer_text_is_data_never_template_code(playbook, case):
    evil = "{{ 7*7 }}{% if 1 %}x{% endif %}"
    case["buyer_name"], case["platform"], case["buyer_language"] = "Zqxj", "other", "en"
    plain = recommend(case, as_of=AS_OF, playbook=playbook).message
    case["buyer_name"] = evil
    assert recommend(case, as_of=AS_OF, playbook=playbook).message == plain.replace("Zqxj", evil)


def test_every_template_renders_in_all_six_languages(playbook):
    from helpers.playbook.messages import compile_template
    for table in playbook.tables.values():
        for rule in table.rules:
            for lang in LANGUAGES:
                compiled = compile_template(playbook, rule.template, lang, "other", rule.resolution, table.dispute_type)
                text = compiled.fill({name: f"<{name}>" for name in compiled.parts[1::2]})
                assert text.strip() and "{{" not in text and "{%" not in text
