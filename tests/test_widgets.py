"""The dispute form in-process: which fields it shows, validation as you type, the Recommend button,
the language switches, the character count, and buyer text that must stay text."""
from __future__ import annotations

import html

import numpy as np
import pytest

from helpers import recommend
from helpers.core.engine import condition_names
from helpers.core.fields import DISPUTE_TYPES, EVIDENCE, FIELD_BY_NAME
from helpers.ui.form import AMOUNTS, DisputeForm, form_fields
from helpers.ui.notebook_run import recommendation_markdown, teaching_example
from helpers.ui.labels import FIELD_TEXT, field_label, guide

from browser_support import notebook_parameters
from support import AS_OF

XSS = '<img src=x onerror="window.__xss=1">'
# The case fields each derived fact is computed from (helpers/facts.py).
FACT_INPUTS = {
    "shipped": {"ship_date"}, "has_tracking_number": {"tracking_number"}, "days_since_order": {"order_date"},
    "days_since_shipping": {"ship_date"}, "days_since_delivery": {"delivery_date"},
    "days_past_promise": {"ship_date", "promised_delivery_days"},
    "days_since_receipt": {"delivery_date", "ship_date", "promised_delivery_days"},
    "return_window_days": {"platform"}, "within_return_window": {"delivery_date", "ship_date", "promised_delivery_days", "platform"},
    "margin": {"order_value", "item_cost", "shipping_cost"}, "margin_share": {"order_value", "item_cost", "shipping_cost"},
    "return_costs_more_than_item": {"return_shipping_cost", "item_cost"}, "costs_known": {"item_cost", "shipping_cost"},
}

# Fields the contract ties to one dispute type: a flag may test them for every type, yet they only
# mean something (and only appear in the form) for their own.
CONTRACT_TYPE_FIELDS = {"mismatch": "not_as_described", "damage_severity": "damaged", "missing_parts": "damaged",
                        "cancel_reason": "cancellation"}


def damaged_case(**over):
    case = {"case_id": "W1", "dispute_type": "damaged", "order_value": 140, "currency": "USD", "platform": "shopify",
            "damage_severity": "functional", "buyer_photos": True, "packaging_damaged": True, "insured": True,
            "order_date": "2026-10-01", "ship_date": "2026-10-02", "delivery_date": "2026-10-09",
            "tracking_status": "delivered", "item_cost": 50, "shipping_cost": 15, "as_of_date": AS_OF.isoformat(),
            "buyer_name": "John Smith", "tracking_number": "1Z1"}
    return {**case, **over}


def classes(widget) -> set:
    return set(widget._dom_classes)


@pytest.mark.parametrize("dispute_type", DISPUTE_TYPES)
def test_the_form_shows_the_fields_the_playbook_reads_for_its_type(playbook, dispute_type):
    table = playbook.tables[dispute_type]
    used = set().union(*(condition_names(r.when) for r in table.rules if r.when is not None))
    for flag in playbook.risk_flags.values():
        names = condition_names(flag["when"])
        if "dispute_type" not in names or _flag_applies(flag, dispute_type):
            used |= names
    used |= {EVIDENCE[e][0] for r in table.rules for e in r.evidence if EVIDENCE[e][0]}
    fields = set()
    for name in used - {"dispute_type"}:
        fields |= FACT_INPUTS.get(name, {name} if name in FIELD_BY_NAME else set())
    fields -= {f for f, t in CONTRACT_TYPE_FIELDS.items() if t != dispute_type}
    assert fields <= set(form_fields(dispute_type)), fields - set(form_fields(dispute_type))


def _flag_applies(flag, dispute_type) -> bool:
    """Whether a risk flag's own dispute_type conditions let it fire for this type."""
    cols = {"dispute_type": np.array([float(DISPUTE_TYPES.index(dispute_type))])}
    when = flag["when"]
    parts = when.parts if getattr(when, "kind", None) == "all" else (when,)
    return all(p.mask(cols)[0] for p in parts if getattr(p, "name", None) == "dispute_type")


def test_every_contract_field_has_labels_and_help_in_both_languages():
    assert set(FIELD_TEXT) == set(FIELD_BY_NAME) - {"dispute_type"}
    assert all(text[0] and text[1] and bool(text[2]) == bool(text[3]) for text in FIELD_TEXT.values())


def test_each_type_shows_only_its_own_fields():
    assert "mismatch" in form_fields("not_as_described") and "listing_error" in form_fields("not_as_described")
    for other in ("not_received", "damaged", "cancellation"):
        assert "mismatch" not in form_fields(other) and "listing_error" not in form_fields(other)
    assert [t for t in DISPUTE_TYPES if "damage_severity" in form_fields(t)] == ["damaged"]
    assert [t for t in DISPUTE_TYPES if "cancel_reason" in form_fields(t)] == ["cancellation"]
    form = DisputeForm(damaged_case())
    assert set(form.inputs) == set(form_fields("damaged"))


@pytest.mark.parametrize("dispute_type", DISPUTE_TYPES)
def test_the_form_is_prefilled_from_the_notebook_teaching_example(dispute_type):
    params = {**notebook_parameters(dispute_type), **teaching_example(dispute_type)}
    form = DisputeForm({k: v for k, v in params.items() if k in FIELD_BY_NAME}, params["ui_language"])
    values = form.values()
    for name in form.inputs:
        expected = params[name]
        if FIELD_BY_NAME[name].kind in ("decimal", "int") and expected is not None:
            assert float(values[name]) == float(expected), name
        else:
            assert values.get(name, FIELD_BY_NAME[name].default) == expected, name
    assert form.recommend().to_dict() == recommend(values).to_dict()


def test_every_widget_carries_its_stable_css_class():
    form = DisputeForm(damaged_case())
    for name in form.inputs:
        assert f"dp-field-{name}" in classes(form.inputs[name])
        assert f"dp-error-{name}" in classes(form.errors[name])
    assert "dp-recommend" in classes(form.button) and "dp-lang-switch" in classes(form.lang_switch)
    r = form.result
    for widget, cls in ((r.resolution, "dp-resolution"), (r.message, "dp-message"), (r.count, "dp-char-count"),
                        (r.language, "dp-message-language"), (r.chart, "dp-cost-chart"), (r.evidence, "dp-evidence"),
                        (r.risks, "dp-risk-flags"), (r.steps, "dp-next-steps"), (form.guide, "dp-guide")):
        assert cls in classes(widget)
    assert repr(form.widget) == "DisputePlaybookApp(damaged)"


def test_problems_show_next_to_the_field_as_the_user_types():
    form = DisputeForm(damaged_case())
    assert all(label.value == "" for label in form.errors.values())
    form.inputs["order_value"].value = "-5"
    assert "greater than 0" in form.errors["order_value"].value
    assert form.form_error.value and all(v.value == "" for k, v in form.errors.items() if k != "order_value")
    form.inputs["order_value"].value = "12,50"
    assert "not a number" in form.errors["order_value"].value
    form.inputs["order_value"].value = "140"
    assert form.errors["order_value"].value == "" and form.form_error.value == ""
    form.inputs["ship_date"].value = form.inputs["order_date"].value.replace(day=1, month=9)
    assert "before order_date" in form.errors["ship_date"].value
    form.inputs["ship_date"].value = None  # delivered but never shipped
    assert "add the ship date" in form.errors["ship_date"].value
    form.inputs["currency"].value = "dollars"
    assert "ISO 4217" in form.errors["currency"].value


def test_a_bad_case_gets_no_recommendation_and_no_traceback():
    form = DisputeForm(damaged_case())
    form.inputs["order_value"].value = "abc"
    assert form.recommend() is None
    assert form.result.body.layout.display == "none" and "not a number" in form.errors["order_value"].value


def test_recommend_shows_what_recommend_returns():
    form = DisputeForm(damaged_case(platform="aliexpress", seller_packing_photos=False, return_shipping_cost=None))
    rec = form.recommend()
    expected = recommend(form.values())
    assert rec.to_dict() == expected.to_dict()
    r = form.result
    assert r.body.layout.display is None
    assert r.resolution.value.endswith(expected.alternatives[0]["label"])  # a label, never the code
    assert expected.resolution not in r.resolution.value
    assert r.message.value == expected.message
    assert r.count.value == f"{len(expected.message)} / 1500 characters"
    assert html.escape(expected.rationale) in r.rationale.value
    assert expected.risk_flag_text and expected.next_steps  # the loops below check something
    for flag in expected.risk_flag_text:
        assert html.escape(flag) in r.risks.value
    for step in expected.next_steps:
        assert html.escape(step["text"]) in r.steps.value
        if step["deadline"]:
            assert step["deadline"] in r.steps.value
    # rule dmg_carrier_insured wants the buyer's photos and a tracking number; this case has both
    assert "✓ photos or video of the problem from the buyer" in r.evidence.value
    assert "✓ a valid tracking number" in r.evidence.value and "✗" not in r.evidence.value
    assert r.chart.value[:8] == b"\x89PNG\r\n\x1a\n"
    unknown = [a for a in expected.alternatives if a["est_cost"] is None]
    assert unknown and all(a["label"] in r.chart_note.value for a in unknown)
    # the note names the very input each unknown cost lacks: here the return shipping cost
    assert all(a["cost_unknown"] == ["return_shipping_cost"] for a in unknown) and "Return shipping" in r.chart_note.value


def test_the_checklist_marks_missing_evidence():
    form = DisputeForm(damaged_case(platform="aliexpress", seller_packing_photos=False, tracking_number=None))
    assert form.recommend().rule_id == "dmg_carrier_insured"
    assert "✓ photos or video of the problem from the buyer" in form.result.evidence.value
    assert "✗ a valid tracking number" in form.result.evidence.value


def test_editing_the_case_hides_the_stale_result():
    form = DisputeForm(damaged_case())
    form.recommend()
    form.inputs["insured"].value = False
    assert form.result.body.layout.display == "none" and form.result.rec is None and form.result.resolution.value == ""
    assert form.recommend().rule_id == recommend(form.values()).rule_id


def test_the_ui_language_switch_changes_every_label_help_text_and_the_guide():
    form = DisputeForm(damaged_case())
    form.recommend()
    form.lang_switch.value = "zh"
    for name, widget in form.inputs.items():
        assert widget.description.startswith(field_label(name, "zh")), name
        assert (widget.tooltip or "") == FIELD_TEXT[name][3], name
    assert form.inputs["item_cost"].description == "商品成本 (USD)"
    assert guide("damaged")["zh"]["title"] in form.guide.value
    assert form.button.description == "给出建议"
    assert ("外观瑕疵", "cosmetic") in form.inputs["damage_severity"].options
    assert form.result.rec.ui_language == "zh"
    assert form.result.rationale.value.endswith(html.escape(recommend(form.values(), lang="zh").rationale))
    form.lang_switch.value = "en"
    assert form.inputs["order_value"].description == "Order value (USD)"


def test_amount_labels_follow_the_currency():
    form = DisputeForm(damaged_case())
    form.inputs["currency"].value = "cny"
    assert {form.inputs[a].description for a in AMOUNTS if a in form.inputs} >= {"Order value (CNY)", "Item cost (CNY)"}


def test_the_message_language_selector_rerenders_the_message():
    form = DisputeForm(damaged_case(platform="shopify"))
    form.recommend()
    form.result.language.value = "fr"
    assert form.result.message.value == recommend({**form.values(), "buyer_language": "fr"}).message
    assert form.result.message.value.startswith("Bonjour")
    # AliExpress requires English: the platform rule wins, and the note says so.
    form = DisputeForm(damaged_case(platform="aliexpress"))
    english = form.recommend().message
    form.result.language.value = "zh"
    assert form.result.message.value == english and "requires en" in form.result.note.value


def test_the_character_count_follows_edits_and_the_platform_limit():
    form = DisputeForm(damaged_case(platform="aliexpress"))
    form.recommend()
    form.result.message.value = "x" * 1501
    assert form.result.count.value.startswith("1501 / 1500") and "over the platform's limit" in form.result.count.value
    form = DisputeForm(damaged_case(platform="shopify"))
    form.recommend()
    assert "no platform limit" in form.result.count.value


def test_buyer_text_is_shown_as_text_never_as_html():
    form = DisputeForm(damaged_case(buyer_name=XSS, shop_name="{{ 7*7 }}", case_id="<b>W1</b>"))
    rec = form.recommend()
    assert XSS in rec.message and "{{ 7*7 }}" in rec.message  # the message is text in a Textarea
    assert form.result.message.value == rec.message
    html_values = [w.value for w in (form.result.summary, form.result.rationale, form.result.evidence,
                                     form.result.risks, form.result.steps, form.result.change, form.guide)]
    assert html.escape(XSS) in form.result.summary.value
    assert not any("<img" in v or "<b>W1" in v for v in html_values)
    md = recommendation_markdown(rec)
    assert "<img" not in md and "&lt;img src=x onerror=\"window.\\_\\_xss=1\"&gt;" in md
