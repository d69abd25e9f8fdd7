"""Buyer messages: language choice, platform rules, sandboxing, and the values they print."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers import recommend
from helpers.cli import main
from helpers.playbook.messages import LANGUAGES, clean_value

from support import AS_OF, minimal_case

IN_TRANSIT = dict(order_date="2026-10-20", ship_date="2026-10-21", promised_delivery_days=20,
                  tracking_status="in_transit", tracking_number="LP1", carrier="Cainiao")


def rec(**fields):
    return recommend(minimal_case(**{**IN_TRANSIT, **fields}), as_of=AS_OF)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_buyer_gets_their_language(lang):
    r = rec(buyer_language=lang, platform="ebay")
    assert r.message_language == lang and r.message_note == ""


def test_chinese_message_is_chinese():
    r = rec(buyer_language="zh", platform="taobao", buyer_name="李娜")
    assert "李娜" in r.message and any("\u4e00" <= ch <= "\u9fff" for ch in r.message.replace("李娜", ""))


def test_the_platform_rule_wins_over_the_buyer_language():
    r = rec(buyer_language="ru", platform="aliexpress")
    assert r.message_language == "en" and r.message_note == "AliExpress requires messages in English: the message is in English."
    # the note is in the language the recommendation was asked in: labels, never codes
    zh = recommend(minimal_case(**{**IN_TRANSIT, "buyer_language": "ru", "platform": "aliexpress"}), as_of=AS_OF, lang="zh")
    assert zh.message_note == "速卖通要求使用英语发送消息，因此消息为英语。"
    assert len(r.message) <= 1500 and r.message_max_chars == 1500


def test_a_language_without_templates_falls_back_to_english_and_says_so():
    r = rec(buyer_language="de", platform="ebay")
    # the language by its name (CLDR), never its code ("no de text")
    assert r.message_language == "en" and r.message_note == "This message has no German text yet: it is shown in English."
    zh = recommend(minimal_case(**{**IN_TRANSIT, "buyer_language": "de", "platform": "ebay"}), as_of=AS_OF, lang="zh")
    assert zh.message_note == "此消息暂无德语版本，已改用英语。"


@pytest.mark.parametrize("tag", ["zh-TW", "zh_HK", "zh-Hant", "zh-Hant-MO"])
def test_a_traditional_chinese_buyer_is_told_the_message_is_in_simplified_characters(tag):
    r = rec(buyer_language=tag, platform="ebay")
    # a buyer with no name on file is greeted as 亲爱的顾客 ("dear customer"): 亲 alone is mainland
    # Taobao slang, out of place for a Taiwanese or Hong Kong buyer on eBay
    assert r.message_language == "zh" and r.message.startswith("亲爱的顾客，您好"), r.message
    assert r.message_note == "This message has no Traditional Chinese text yet: it is shown in Simplified Chinese."
    zh = recommend(minimal_case(**{**IN_TRANSIT, "buyer_language": tag, "platform": "ebay"}), as_of=AS_OF, lang="zh")
    assert zh.message_note == "此消息暂无繁体中文版本，已改用简体中文。"


@pytest.mark.parametrize("tag", ["zh", "zh-CN", "zh-Hans", "zh-SG"])
def test_a_simplified_chinese_buyer_gets_the_chinese_text_without_a_note(tag):
    r = rec(buyer_language=tag, platform="ebay")
    assert (r.message_language, r.message_note) == ("zh", "")


def test_a_template_expression_in_a_buyer_name_is_greeted_verbatim():
    r = rec(buyer_name="{{ 7*7 }}", platform="ebay")
    assert "{{ 7*7 }}" in r.message and "49" not in r.message


def test_html_in_a_buyer_name_stays_plain_text():
    name = '<img src=x onerror="window.__xss=1">'
    assert name in rec(buyer_name=name).message  # escaping is the display's job; the message is text


def test_case_values_fill_the_message_and_unknown_ones_get_the_language_default():
    r = rec(buyer_name="Emma", order_id="A-77", shop_name="Sunrise")
    assert "Emma" in r.message and "A-77" in r.message and "Sunrise" in r.message and "LP1" in r.message
    anonymous = rec()
    assert "customer" in anonymous.message


def test_long_or_multiline_values_are_cut_and_flattened():
    assert clean_value("a\nb\tc", "buyer_name") == "a b c"
    assert len(clean_value("x" * 500, "buyer_name")) == 60 and len(clean_value("x" * 500, "shop_name")) == 80


def test_a_refund_message_states_the_amount_in_the_case_currency():
    r = recommend(minimal_case(dispute_type="cancellation", order_value=25, currency="EUR", order_date="2026-10-30"),
                  as_of=AS_OF)
    assert r.resolution == "cancel_refund" and "€25.00" in r.message


@pytest.mark.parametrize("currency, language, written", [
    ("CNY", "zh", "¥299.00"), ("USD", "zh", "US$299.00"), ("USD", "en", "US$299.00"), ("CNY", "en", "CN¥299.00"),
    ("EUR", "fr", "299,00\xa0€"), ("USD", "es", "299,00\xa0US$"), ("BRL", "pt", "R$\xa0299,00"),
    ("RUB", "ru", "299,00\xa0₽"), ("JPY", "en", "JP¥299")])
def test_a_buyer_reads_the_amount_as_their_language_writes_money(tmp_path, currency, language, written):
    """A Chinese buyer read "退款 299.00 CNY"; amounts now carry the currency's sign where the buyer's
    language puts it (CLDR), never a bare $ (US$, not the Australian or Canadian dollar). The batch
    writes the same text."""
    case = minimal_case(case_id="Y1", dispute_type="cancellation", order_value=299, currency=currency,
                        order_date="2026-10-30", buyer_language=language)
    message = recommend(case, as_of=AS_OF).message
    assert written in message and f" {currency}" not in message, message
    pd.DataFrame([case]).to_csv(tmp_path / "c.csv", index=False)
    assert main(["batch", str(tmp_path / "c.csv"), "--out", str(tmp_path / "o"), "--as-of", AS_OF.isoformat(),
                 "--no-report"]) == 0
    recs = pd.read_csv(tmp_path / "o" / "recommendations.csv", dtype=str, keep_default_na=False)
    assert recs.loc[0, "message"] == message


def test_a_chinese_message_names_the_platform_in_chinese():
    """'根据Taobao平台的规则' read oddly to a buyer on Taobao; other languages keep the name on file."""
    case = minimal_case(case_id="Z1", dispute_type="cancellation", order_value=268, currency="CNY", platform="taobao",
                        buyer_language="zh", cancel_reason="changed_mind", ship_date="2026-09-20",
                        delivery_date="2026-09-25", tracking_status="delivered", as_of_date="2026-11-01")
    zh = recommend(case)
    assert zh.rule_id == "can_outside_window"
    assert "根据淘宝平台的规则" in zh.message and "Taobao" not in zh.message
    en = recommend({**case, "buyer_language": "en"})
    assert "Taobao" in en.message


def test_a_long_registered_shop_name_signs_the_message_whole():
    """It was cut at 40 characters: 'Shenzhen Huaqiang Electronic Technology…'."""
    shop = "Shenzhen Huaqiang Electronic Technology Co., Ltd. Official Store"
    r = rec(buyer_language="en", platform="aliexpress", shop_name=shop,
            buyer_name="Maria Fernanda de los Santos Rodriguez-Villanueva")
    assert r.message.rstrip().endswith(shop) and "Maria Fernanda de los Santos Rodriguez-Villanueva" in r.message


@pytest.mark.parametrize("lang, ui", [("zh-CN", "zh"), ("ZH", "zh"), ("zh_TW", "zh"), ("en-GB", "en")])
def test_the_ui_language_is_read_whatever_its_region(lang, ui):
    assert recommend(minimal_case(**IN_TRANSIT), as_of=AS_OF, lang=lang).ui_language == ui


def test_a_ui_language_the_toolkit_has_not_is_said():
    from helpers.core.exceptions import UsageError
    with pytest.raises(UsageError, match="'fr' is not a UI language: use one of en, zh"):
        recommend(minimal_case(**IN_TRANSIT), as_of=AS_OF, lang="fr")


def test_a_branch_that_ends_a_line_keeps_the_line_break_after_it(tmp_path):
    """trim_blocks dropped the break after every block tag: a trainer's "Dear X,{% if platform == 'ebay' %}
    (eBay){% endif %}" ran into the next line of the message. A tag alone on its line still leaves no line."""
    from support import copy_playbook, edit_file
    pb = copy_playbook(tmp_path)
    edit_file(pb / "messages" / "nr_customs_wait.yaml", "en: |\n  Dear {{ buyer_name }},\n",
              "en: |\n  Dear {{ buyer_name }},{% if platform == 'ebay' %} (eBay){% endif %}\n")
    case = minimal_case(dispute_type="not_received", tracking_status="customs_hold", tracking_number="LX1",
                        order_date="2026-10-20", ship_date="2026-10-21", platform="ebay", buyer_name="Ana")
    ebay = recommend(case, as_of=AS_OF, playbook=pb).message
    other = recommend({**case, "platform": "amazon"}, as_of=AS_OF, playbook=pb).message
    assert ebay.startswith("Dear Ana, (eBay)\nThank you") and other.startswith("Dear Ana,\nThank you"), (ebay, other)
    assert "\n\n" not in ebay  # the bundled texts' tags alone on their lines leave no empty line
