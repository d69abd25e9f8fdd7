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
from helpers.playbook.labels import FIELD_TEXT, field_label, guide

from browser_support import notebook_parameters
from support import AS_OF, CHART_CASE, CHART_ROWS

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
    assert set(FIELD_TEXT) == set(FIELD_BY_NAME)
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
    for widget, cls in ((r.report, "dp-report"), (r.message, "dp-message"), (r.count, "dp-char-count"),
                        (r.language, "dp-message-language"), (form.guide, "dp-guide")):
        assert cls in classes(widget)
    rec = form.recommend()  # the report's parts carry theirs inside the one HTML widget
    for cls in (f"dp-resolution dp-res-{rec.resolution}", "dp-rationale", "dp-evidence", "dp-risk-flags",
                "dp-next-steps", "dp-cost-chart"):
        assert f'class="{cls}"' in r.report.value
    assert repr(form.widget) == "DisputePlaybookApp(damaged)"


def test_problems_show_next_to_the_field_as_the_user_types():
    form = DisputeForm(damaged_case())
    assert all(label.value == "" for label in form.errors.values())
    form.inputs["order_value"].value = "-5"
    assert form.errors["order_value"].value == "Must be more than 0."
    assert "dp-invalid" in form.inputs["order_value"]._dom_classes  # outlined in red
    assert form.form_error.value == "Fix the 1 field(s) marked in red, then press Recommend: Order value."
    assert all(v.value == "" for k, v in form.errors.items() if k != "order_value")
    form.inputs["order_value"].value = "12,50"
    assert "Enter a number such as 1250.50" in form.errors["order_value"].value
    form.inputs["order_value"].value = "140"
    assert form.errors["order_value"].value == "" and form.form_error.value == ""
    assert "dp-invalid" not in form.inputs["order_value"]._dom_classes
    form.inputs["ship_date"].value = form.inputs["order_date"].value.replace(day=1, month=9)
    order = form.inputs["order_date"].value
    # the label of the other field, and dates as the picker shows them (mm/dd/yyyy), not ISO
    assert form.errors["ship_date"].value == f"09/01/2026 is before the order date ({order:%m/%d/%Y})."
    form.inputs["ship_date"].value = None  # delivered but never shipped
    assert form.errors["ship_date"].value == "Empty, but the tracking status is “Delivered”: add the ship date."
    form.inputs["currency"].value = "dollars"
    assert form.errors["currency"].value == "Enter a 3-letter currency code such as USD or EUR."


def test_every_problem_shows_at_once_in_the_ui_language():
    form = DisputeForm(damaged_case(), "zh")
    form.inputs["order_value"].value = "abc"  # a field's own problem ...
    form.inputs["ship_date"].value = None  # ... does not hide a cross-field one
    assert form.errors["order_value"].value == "请输入数字，如 1250.50（不带货币符号或千位分隔符）。"
    assert form.errors["ship_date"].value == "为空，但物流状态为“已签收”：请填写发货日期。"
    assert form.form_error.value == "请先修正标红的 2 个字段，再点击“给出建议”：订单金额、发货日期。"
    assert form.result.prompt.layout.display == "none"  # no "fill in the case" under the errors


def test_an_implausible_amount_is_a_warning_not_an_error():
    form = DisputeForm(damaged_case())
    form.inputs["order_value"].value = "1e12"
    assert form.errors["order_value"].value == ("1,000,000,000,000.00 USD is unusually high for one order: "
                                                "check the amount (it is still decided).")
    assert "dp-doubtful" in form.inputs["order_value"]._dom_classes and form.form_error.value == ""
    assert form.recommend() is not None
    from helpers.ui.present import money
    assert money(1234567.5, "USD", "zh") == money(1234567.5, "USD", "en") == "1,234,567.50 USD"


def test_an_amount_is_judged_implausible_in_the_base_currency():
    """158,000 KRW (about 110 USD) is an ordinary order: no warning (it was one, in cents); 158,000 USD is one."""
    form = DisputeForm({**damaged_case(), "currency": "KRW"}, "zh")
    form.inputs["order_value"].value = "158000"
    assert form.errors["order_value"].value == "" and "dp-doubtful" not in form.inputs["order_value"]._dom_classes
    form.inputs["order_value"].value = "158000000000"
    assert form.errors["order_value"].value == "158,000,000,000 KRW 对一笔订单来说异常高，请检查金额（仍会给出建议）。"


def test_a_bad_case_gets_no_recommendation_and_no_traceback():
    form = DisputeForm(damaged_case())
    form.inputs["order_value"].value = "abc"
    assert form.recommend() is None
    assert form.result.body.layout.display == "none" and "Enter a number" in form.errors["order_value"].value


def test_recommend_shows_what_recommend_returns():
    form = DisputeForm(damaged_case(platform="aliexpress", seller_packing_photos=False, return_shipping_cost=None))
    rec = form.recommend()
    expected = recommend(form.values())
    assert rec.to_dict() == expected.to_dict()
    r, p = form.result, form.result.parts
    assert r.body.layout.display is None
    resolution = p[f"dp-resolution dp-res-{expected.resolution}"]  # the id is a class ...
    assert f">Resolution: {html.escape(expected.alternatives[0]['label'])}</span>" in resolution  # ... the label shows
    assert all(part in r.report.value for part in p.values())
    assert r.message.value == expected.message
    assert r.count.value == f"{len(expected.message)} / 1500 characters"
    assert html.escape(expected.rationale) in p["dp-rationale"]
    assert expected.risk_flag_text and expected.next_steps  # the loops below check something
    for flag in expected.risk_flag_text:
        assert html.escape(flag) in p["dp-risk-flags"]
    for step in expected.next_steps:
        assert html.escape(step["text"]) in p["dp-next-steps"]
        if step["deadline"]:
            shown = "{1}/{2}/{0}".format(*step["deadline"].split("-"))  # as the date pickers show dates
            assert f"(by {shown})" in p["dp-next-steps"]
    # rule dmg_carrier_insured wants the buyer's photos and a tracking number; this case has both
    assert "✓ photos or video of the problem from the buyer" in p["dp-evidence"]
    assert "✓ a valid tracking number" in p["dp-evidence"] and "✗" not in p["dp-evidence"]
    assert p["dp-cost-chart"].count('class="dp-chart-row') == len(expected.alternatives)
    unknown = [a for a in expected.alternatives if a["est_cost"] is None]
    assert unknown and all(html.escape(a["label"]) in p["dp-cost-note"] for a in unknown)
    # the note names the very input each unknown cost lacks: here the return shipping cost
    assert all(a["cost_unknown"] == ["return_shipping_cost"] for a in unknown) and "Return shipping" in p["dp-cost-note"]


def chart_rows(chart_html: str) -> list[tuple[str, float, str]]:
    """(label as read, bar width %, amount) for each row of the cost chart's HTML."""
    import re
    rows = re.findall(r'<th[^>]*>(.*?)</th>.*?class="dp-chart-bar"[^>]*?width:([\d.]+)%.*?<td class="dp-chart-amount"[^>]*>(.*?)</td>', chart_html)
    return [(html.unescape(re.sub("<[^>]+>", "", label)), float(width), html.unescape(amount))
            for label, width, amount in rows]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cost_chart_shows_each_option_and_its_cost_for_a_hand_worked_case(lang):
    from helpers.ui.notebook_run import teaching_example
    form = DisputeForm({**teaching_example("cancellation"), **CHART_CASE}, lang)
    form.recommend()
    chart = form.result.parts["dp-cost-chart"]
    assert chart_rows(chart) == CHART_ROWS[lang]  # labels in the UI language, bars to the dearest option
    assert ("Estimated cost of each option" if lang == "en" else "各方案预计成本") in chart
    assert "cancel_refund" not in chart and "return_shipping_cost" not in chart  # no internal codes
    note = form.result.parts["dp-cost-note"]
    assert note == ("Cost unknown until you enter — Return and refund: Return shipping" if lang == "en"
                    else "成本未知，需填写——退货退款：退货运费")


def test_the_cost_chart_formats_large_amounts_and_escapes_labels():
    from types import SimpleNamespace

    from helpers.ui.cost_chart import bar_widths, cost_chart_html
    rec = SimpleNamespace(currency="EUR", alternatives=[
        {"label": "<b>A</b>", "est_cost": 1234567.5, "chosen": False},
        {"label": "B", "est_cost": 0.0, "chosen": True}])
    assert chart_rows(cost_chart_html(rec, "en")) == [("<b>A</b>", 100.0, "1,234,567.50 EUR"), ("B ◀ chosen", 0.0, "0.00 EUR")]
    assert bar_widths([None, 0.0, -5.0]) == [0.0, 0.0, 0.0] and bar_widths([50.0, 200.0]) == [25.0, 100.0]
    # an option that saves money (cancelling an order sold at a loss) says so: it read "-48.10 CNY"
    saving = SimpleNamespace(currency="CNY", alternatives=[{"label": "A", "est_cost": -48.1, "chosen": True},
                                                            {"label": "B", "est_cost": 1.53, "chosen": False}])
    assert chart_rows(cost_chart_html(saving, "en")) == [("A ◀ chosen", 0.0, "a saving of 48.10 CNY"), ("B", 100.0, "1.53 CNY")]
    assert chart_rows(cost_chart_html(saving, "zh"))[0][2] == "节省 48.10 CNY"
    # an expected cost in yen is shown to the whole yen (it read "2,499.20 JPY")
    yen = SimpleNamespace(currency="JPY", alternatives=[{"label": "A", "est_cost": 2499.2, "chosen": True},
                                                         {"label": "B", "est_cost": 6180.0, "chosen": False}])
    assert [amount for _, _, amount in chart_rows(cost_chart_html(yen, "en"))] == ["2,499 JPY", "6,180 JPY"]


def test_the_warmed_up_form_shows_the_decision_made_before_the_page_opened_and_decides_edits_anew():
    form = DisputeForm(damaged_case(), "zh")
    form.warm_up()  # in the app, the preheated kernel does this
    first = form.recommend()
    assert first is form.recommend() and first.to_dict() == recommend(form.values(), lang="zh").to_dict()
    form.lang_switch.value = "en"
    assert form.result.rec.to_dict() == recommend(form.values(), lang="en").to_dict()
    form.inputs["order_value"].value = "300"
    changed = form.recommend()
    assert changed.to_dict() == recommend(form.values(), lang="en").to_dict() and changed.est_cost != first.est_cost


def test_the_checklist_marks_missing_evidence():
    form = DisputeForm(damaged_case(platform="aliexpress", seller_packing_photos=False, tracking_number=None))
    assert form.recommend().rule_id == "dmg_carrier_insured"
    assert "✓ photos or video of the problem from the buyer" in form.result.parts["dp-evidence"]
    assert "✗ a valid tracking number" in form.result.parts["dp-evidence"]


def test_editing_the_case_hides_the_stale_result():
    form = DisputeForm(damaged_case())
    form.recommend()
    form.inputs["insured"].value = False
    assert form.result.body.layout.display == "none" and form.result.rec is None and form.result.report.value == ""
    assert form.recommend().rule_id == recommend(form.values()).rule_id


def test_the_ui_language_switch_changes_every_label_help_text_and_the_guide():
    form = DisputeForm(damaged_case())
    form.recommend()
    form.lang_switch.value = "zh"
    for name, widget in form.inputs.items():
        assert widget.description.startswith(field_label(name, "zh")), name
        assert widget.tooltip == (FIELD_TEXT[name][3] or FIELD_TEXT[name][1]), name  # help, else the label: never "null"
    assert form.inputs["item_cost"].description == "商品成本（USD）"
    assert guide("damaged")["zh"]["title"] in form.guide.value
    assert form.button.description == "给出建议"
    assert ("外观瑕疵", "cosmetic") in form.inputs["damage_severity"].options
    assert form.result.rec.ui_language == "zh"
    assert form.result.parts["dp-rationale"].endswith(html.escape(recommend(form.values(), lang="zh").rationale))
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
    assert form.result.message.value == english
    assert form.result.note.value == "AliExpress requires messages in English: the message is in English."
    form.lang_switch.value = "zh"
    form.result.language.value = "zh"
    assert form.result.note.value == "速卖通要求使用英语发送消息，因此消息为英语。"


def test_an_edited_message_survives_a_language_switch_and_recommend_until_the_user_replaces_it():
    form = DisputeForm(damaged_case(platform="shopify"))
    generated = form.recommend().message
    mine = generated + "\nPS: written by me."
    form.result.message.value = mine
    form.lang_switch.value = "zh"  # the UI language: the case is decided again
    assert form.result.message.value == mine and form.result.replace.layout.display is None
    assert form.result.kept.value == "你对消息的修改已保留。本案例的新文本已生成："
    form.recommend()
    form.result.language.value = "fr"  # another message language: still asks first
    assert form.result.message.value == mine
    form.result.use_new_text()  # what the button does
    assert form.result.message.value == recommend({**form.values(), "buyer_language": "fr"}, lang="zh").message
    assert form.result.replace.layout.display == "none" and form.result.kept.value == ""


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
    html_values = [form.result.report.value, form.guide.value]
    assert html.escape(XSS) in form.result.parts["dp-case-summary"]
    assert not any("<img" in v or "<b>W1" in v for v in html_values)
    md = recommendation_markdown(rec)
    assert "<img" not in md and "&lt;img src=x onerror=\"window.\\_\\_xss=1\"&gt;" in md


# --- next steps: dated where the platform or the shop's policy fixes a date, and fitting the case ---

def test_next_steps_carry_the_shops_own_dates_and_fit_the_case():
    base = {"case_id": "NS-1", "order_value": 40, "currency": "USD", "platform": "aliexpress",
            "order_date": "2026-10-01", "as_of_date": "2026-10-10", "buyer_request": "cancel"}
    out_of_stock = recommend({**base, "dispute_type": "cancellation", "cancel_reason": "out_of_stock"})
    wrong_address = recommend({**base, "dispute_type": "cancellation", "cancel_reason": "wrong_address"})
    steps = {s["action"]: s["deadline"] for s in out_of_stock.next_steps}
    assert steps.get("refund_now") == "2026-10-11"  # parameters.yaml refund_days: 1
    assert "restock_check" in steps  # out of stock: fix the stock count ...
    assert "restock_check" not in [s["action"] for s in wrong_address.next_steps]  # ... not for a wrong address
    wrong_item = recommend({**base, "dispute_type": "not_as_described", "buyer_request": "exchange",
                            "ship_date": "2026-10-02", "delivery_date": "2026-10-06", "tracking_status": "delivered",
                            "wrong_item_sent": True, "mismatch": "other", "buyer_photos": True})
    actions = [s["action"] for s in wrong_item.next_steps]
    assert "improve_packing" not in actions and "check_picking" in actions  # no "review your packing"
    reship = next(s for s in wrong_item.next_steps if s["action"] == "reship_now")
    assert reship["deadline"] == "2026-10-12"  # parameters.yaml reship_days: 2


def test_a_playbook_broken_while_the_page_is_open_is_told_on_the_page_and_the_form_recovers(tmp_path, monkeypatch):
    """A trainer edits the playbook while trainees have the form open. A mistake in the edit is shown
    in the form (lead-in in the UI language, then file and line) where before a widget callback raised
    into the server's log and the Recommend button seemed dead; fixing the file brings the form back."""
    from support import copy_playbook
    pb = copy_playbook(tmp_path)
    monkeypatch.setenv("DISPUTE_PLAYBOOK_DIR", str(pb))
    monkeypatch.setenv("DISPUTE_PLAYBOOK_CACHE", str(tmp_path / "cache"))
    table = pb / "damaged.yaml"
    good = table.read_text(encoding="utf-8")
    form = DisputeForm(damaged_case(), "zh")
    form.button.click()
    assert form.result.rec.resolution == "reship" and form.form_error.value == ""
    table.write_text(good.replace("    resolution: request_evidence", "    resolution: [request_evidence", 1), encoding="utf-8")
    form.result.language.value = "es"  # the message asked for in another language: decided again
    assert form.form_error.value.startswith("修正以下问题之前无法给出建议") and form.result.rec is None
    form.inputs["buyer_name"].value = "Li"  # an edit checks the form: the playbook is read again
    told = form.form_error.value
    assert told.startswith("修正以下问题之前无法给出建议（请告知培训老师）：the playbook has errors"), told
    assert f"{table}:24: is not valid YAML" in told
    assert form.result.rec is None and form.result.report.value == ""
    form.button.click()
    assert form.result.rec is None and form.form_error.value == told
    opened = DisputeForm(damaged_case(), "en")  # a page opened now: its labels, and the problem
    assert opened.button.description == "Recommend"
    assert opened.form_error.value.startswith("No recommendation can be made until this is fixed (tell your trainer): ")
    table.write_text(good, encoding="utf-8")
    form.inputs["buyer_name"].value = "Wang"
    assert form.form_error.value == ""
    form.button.click()
    assert form.result.rec.resolution == "reship"


def test_a_guide_edited_while_the_page_is_open_shows_and_a_broken_one_is_told(tmp_path, monkeypatch):
    """Guides are part of the playbook a trainer edits: an edit shows at the page's next relabel, as
    the rules' edits do, and a broken guide names its file and line on the form."""
    from support import copy_playbook
    pb = copy_playbook(tmp_path)
    monkeypatch.setenv("DISPUTE_PLAYBOOK_DIR", str(pb))
    monkeypatch.setenv("DISPUTE_PLAYBOOK_CACHE", str(tmp_path / "cache"))
    path = pb / "guides" / "damaged.yaml"
    form = DisputeForm(damaged_case(), "en")
    assert "<h3>Damaged or incomplete (商品损坏或缺损)</h3>" in form.guide.value
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title: "Damaged or incomplete (商品损坏或缺损)"', 'title: "Broken on arrival"', 1),
                    encoding="utf-8")
    form.lang_switch.value = "zh"
    form.lang_switch.value = "en"
    assert "<h3>Broken on arrival</h3>" in form.guide.value and form.form_error.value == ""
    path.write_text(text.replace('title: "Damaged', 'title: ["Damaged', 1), encoding="utf-8")
    form.lang_switch.value = "zh"
    assert form.form_error.value.startswith("修正以下问题之前无法给出建议（请告知培训老师）：the playbook has errors")
    assert f"{path}:4: is not valid YAML" in form.form_error.value  # YAML finds it a line on
    assert form.button.description == "给出建议"  # every label but the guide is in place
    opened = DisputeForm(damaged_case(), "en")  # a page opened on the broken guide says so too
    assert opened.form_error.value.startswith("No recommendation can be made until this is fixed")
    assert f"{path}:4: is not valid YAML" in opened.form_error.value



def test_a_guide_item_yaml_reads_as_a_mapping_is_told_on_the_form_not_a_traceback(tmp_path, monkeypatch):
    """`- Check the label: void it` is valid YAML but a mapping, not a text: the form's guide raised
    TypeError from html.escape (a traceback in the notebook). Now it is told as every playbook
    mistake is, with its file, line and fix."""
    from support import copy_playbook
    pb = copy_playbook(tmp_path)
    monkeypatch.setenv("DISPUTE_PLAYBOOK_DIR", str(pb))
    monkeypatch.setenv("DISPUTE_PLAYBOOK_CACHE", str(tmp_path / "cache"))
    path = pb / "guides" / "damaged.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("        - "))
    lines[at] = "        - Check the label: void it\n"
    path.write_text("".join(lines), encoding="utf-8")
    form = DisputeForm(damaged_case(), "en")
    assert form.form_error.value.startswith("No recommendation can be made until this is fixed")
    assert f"{path}:{at + 1}: en: section 1, item 1 is not a text" in form.form_error.value
    assert "put the item in quotes" in form.form_error.value


def test_the_start_page_names_a_guide_broken_by_an_edit_and_shows_it_again_once_fixed(tmp_path, monkeypatch):
    from support import copy_playbook

    from helpers.ui.notebook_run import start_page
    pb = copy_playbook(tmp_path)
    monkeypatch.setenv("DISPUTE_PLAYBOOK_DIR", str(pb))
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    path = pb / "guides" / "process.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("  title: ", "  title: [", 1), encoding="utf-8")
    start_page("zh", interactive=True)
    switch, page = shown[0].children
    assert page.value.startswith('<div class="dp-start-error"><b>修正以下问题之前无法显示本页（请告知培训老师）：</b>'
                                 "<pre>the playbook has errors"), page.value
    assert f"{path}:" in page.value and "is not valid YAML" in page.value
    path.write_text(good, encoding="utf-8")
    switch.value = "en"
    assert page.value.startswith("<h3>") and 'class="dp-link-damaged"' in page.value


@pytest.mark.parametrize("lang, says", [("en", "CHF has no exchange rate in the shop's table"),
                                        ("zh", "店铺汇率表（parameters.yaml 的 exchange_rates）中没有 CHF 的汇率")])
def test_a_currency_without_a_rate_is_said_next_to_its_field_in_the_page_language(lang, says):
    """The Chinese page showed "修正以下问题之前无法给出建议：case NAD-2001: currency: CHF has no exchange
    rate …" in English, in the page's error bar, with the currency field not outlined."""
    from helpers.ui.notebook_run import teaching_example
    form = DisputeForm({**teaching_example("not_as_described"), "currency": "CHF"}, lang)
    assert form.recommend() is None
    assert form.errors["currency"].value.startswith(says)
    assert "dp-invalid" in form.inputs["currency"]._dom_classes
    assert ("币种" if lang == "zh" else "Currency") in form.form_error.value and "CHF has" not in form.form_error.value


@pytest.mark.parametrize("lang, label, note", [
    ("en", "Traditional Chinese", "This message has no Traditional Chinese text yet: it is shown in Simplified Chinese."),
    ("zh", "繁体中文", "此消息暂无繁体中文版本，已改用简体中文。")])
def test_the_buyer_language_picker_offers_traditional_chinese_and_says_what_it_gets(lang, label, note):
    """A trainee with a Taiwanese buyer found no Traditional Chinese in the picker, picked Chinese, and
    was never told the buyer would read Simplified characters."""
    from helpers.ui.notebook_run import teaching_example
    form = DisputeForm({**teaching_example("not_received"), "platform": "ebay"}, lang)
    picker = form.inputs["buyer_language"]
    assert (label, "zh-Hant") in picker.options
    picker.value = "zh-Hant"
    rec = form.recommend()
    assert rec.message_language == "zh" and rec.message_note == note


@pytest.mark.parametrize("lang, says", [
    ("en", "Still the teaching example's: Order number 8100004, Shop name Sunny Home Store"),
    ("zh", "以下仍是教学示例的内容：订单号 8100004、店铺名称 Sunny Home Store")])
def test_the_example_names_left_in_an_edited_case_are_named_before_they_reach_a_buyer(lang, says):
    """A trainee who typed their own case over the teaching example but not its order number and shop
    got a buyer message with the example's "8100004" and "Sunny Home Store", and no word about it."""
    from helpers.ui.notebook_run import teaching_example
    form = DisputeForm(teaching_example("not_received"), lang, example=True)
    opened = form.example_note.value
    assert "8100004" not in opened  # untouched, the form is the example: the usual note
    form.inputs["order_value"].value = "55"
    assert says in html.unescape(form.example_note.value)
    assert "8100004" in form.recommend().message  # what the warning is about
    for name, mine in (("order_id", "A-1"), ("shop_name", "My Shop"), ("buyer_name", ""), ("tracking_number", ""),
                       ("carrier", "")):
        form.inputs[name].value = mine
    assert form.example_note.value == opened
