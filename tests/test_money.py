"""Money in one currency: thresholds carry their currency, the shop's rate table converts cases,
a currency without a rate is a clear error (errors.csv in a batch), codes are ISO 4217."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from helpers import recommend
from helpers.cli import main
from helpers.core.exceptions import CaseError, PlaybookError
from helpers.playbook.loader import collect, load_playbook

from support import AS_OF, ROOT


def nad(value, currency, **more):
    return {"case_id": "M1", "dispute_type": "not_as_described", "order_value": value, "currency": currency,
            "buyer_photos": True, "listing_error": True, "mismatch": "size", **more}


def test_a_threshold_compares_in_its_own_currency():
    # keep_item_max_value is USD 15: CNY 100 (about USD 14) is under it, USD 100 is not
    assert recommend(nad(100, "CNY"), as_of=AS_OF).resolution == "refund_keep_item"
    assert recommend(nad(100, "USD"), as_of=AS_OF).resolution == "return_refund"
    # high_value_order is USD 200: CNY 299 is not high value, CNY 1500 (about USD 211) is
    assert "high_value" not in recommend(nad(299, "CNY"), as_of=AS_OF).risk_flags
    assert "high_value" in recommend(nad(1500, "CNY"), as_of=AS_OF).risk_flags


def test_refunds_stay_in_the_case_currency():
    rec = recommend(nad(100, "CNY"), as_of=AS_OF)
    assert rec.currency == "CNY" and rec.refund_amount == 100.0


@pytest.mark.parametrize("code", ["XYZ", "ABC", "US1"])
def test_a_made_up_currency_code_is_refused(code):
    with pytest.raises(CaseError) as raised:
        recommend(nad(20, code), as_of=AS_OF)
    assert "currency" in str(raised.value) and "ISO 4217" in str(raised.value)


def test_a_currency_without_a_rate_names_the_case_and_field():
    with pytest.raises(CaseError) as raised:
        recommend(nad(20, "CHF"), as_of=AS_OF)  # real ISO code, not in the shop's table
    text = str(raised.value)
    assert "case M1" in text and "currency" in text and "CHF" in text and "exchange_rates" in text


def test_a_batch_sends_a_currency_without_a_rate_to_errors_csv(tmp_path):
    rows = [nad(20, "USD", case_id="OK1"), nad(20, "CHF", case_id="NO-RATE"), nad(20, "CNY", case_id="OK2")]
    pd.DataFrame(rows).to_csv(tmp_path / "in.csv", index=False)
    assert main(["batch", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out"), "--as-of", "2026-11-01",
                 "--no-report"]) == 0
    recs = pd.read_csv(tmp_path / "out" / "recommendations.csv")
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert sorted(recs["case_id"]) == ["OK1", "OK2"]
    assert errors[["row", "case_id", "field"]].values.tolist() == [[3, "NO-RATE", "currency"]]
    assert "exchange rate" in errors["message"].iat[0]


def test_the_rate_table_is_checked_against_iso_4217(tmp_path):
    shutil.copytree(ROOT / "playbook", tmp_path / "pb")
    path = tmp_path / "pb" / "parameters.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    HKD: 7.8", "    XYZ: 3"), encoding="utf-8")
    _, problems = collect(tmp_path / "pb")
    assert any("'XYZ' is not an ISO 4217 currency code" in p.message for p in problems)
    with pytest.raises(PlaybookError):
        load_playbook(tmp_path / "pb")


def test_a_rate_change_in_the_table_moves_the_threshold(tmp_path):
    shutil.copytree(ROOT / "playbook", tmp_path / "pb")
    path = tmp_path / "pb" / "parameters.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    CNY: 7.1", "    CNY: 5"), encoding="utf-8")
    # CNY 100 at 5 per USD is USD 20: over the USD 15 keep-the-item threshold now
    assert recommend(nad(100, "CNY"), as_of=AS_OF, playbook=tmp_path / "pb").resolution == "return_refund"


def test_a_batch_looks_each_currency_up_once_with_the_same_rates():
    import numpy as np

    from helpers.batch.currency import rates_by_code
    rates = {"USD": 1, "EUR": 0.5, "CNY": 7.25}
    got, unit = rates_by_code(rates, {"JPY"}, np.array(["EUR", "USD", "JPY", "EUR", "CNY"], dtype=object))
    np.testing.assert_array_equal(got, [0.5, 1.0, np.nan, 0.5, 7.25])
    np.testing.assert_array_equal(unit, [0.01, 0.01, 1.0, 0.01, 0.01])  # JPY has no cents
    assert [a.shape for a in rates_by_code(rates, {"JPY"}, np.array([], dtype=object))] == [(0,), (0,)]


JPY_CASE = dict(case_id="J1", dispute_type="not_as_described", order_value=1999, currency="JPY", platform="ebay",
                ship_date="2026-10-03", delivery_date="2026-10-20", tracking_status="delivered",
                as_of_date="2026-10-24", buyer_photos=True, listing_error=False, mismatch="quality")


@pytest.mark.parametrize("currency, value, refund, said", [
    ("JPY", 1999, 600.0, "JP¥600"),      # 30% of 1,999 yen is 599.70, which nobody can pay
    ("KRW", 25555, 7666.0, "₩7,666"),  # 7,666.5 won: to the whole won (half to even, as every amount)
    ("USD", 20, 6.0, "US$6.00"),         # a currency with cents keeps them, also on a whole amount
])
def test_a_currency_without_cents_is_refunded_in_whole_units(tmp_path, currency, value, refund, said):
    from helpers import recommend
    from helpers.cli import main
    case = {**JPY_CASE, "currency": currency, "order_value": value}
    rec = recommend(case)
    assert (rec.resolution, rec.refund_amount) == ("partial_refund", refund)
    assert f"partial refund of {said}" in rec.message
    # the batch gives what recommend() gives
    src = tmp_path / "cases.csv"
    pd.DataFrame([case]).to_csv(src, index=False)
    assert main(["batch", str(src), "--out", str(tmp_path / "o"), "--no-report"]) == 0
    row = pd.read_csv(tmp_path / "o" / "recommendations.csv", keep_default_na=False).iloc[0]
    assert (row["refund_amount"], row["message"]) == (refund, rec.message)


def test_the_rate_table_names_its_currencies_without_cents(tmp_path):
    """validate checks whole_units against ISO 4217: KRW left out would be refunded in fractions of a won."""
    import shutil
    from helpers.playbook.validate import validate
    from support import ROOT
    shutil.copytree(ROOT / "playbook", tmp_path / "pb")
    path = tmp_path / "pb" / "parameters.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("whole_units: [JPY, KRW]", "whole_units: [JPY, USD]"),
                    encoding="utf-8")
    errors, _ = validate(tmp_path / "pb")
    assert sorted(p.message for p in errors) == [
        "exchange_rates: KRW has no cents (ISO 4217), so its refunds must be whole amounts",
        "exchange_rates: USD has cents (ISO 4217), so it is not one of the whole_units"]


@pytest.mark.parametrize("language, value, said", [
    ("en", 4000, "partial refund of €1,200.00"),
    ("zh", 4000, "€1,200.00"),
    ("es", 4000, "1.200,00\xa0€"),          # a Spanish buyer reads 1.200 as one thousand two hundred
    ("fr", 4000, "1\u202f200,00\xa0€"),     # French: narrow no-break space, decimal comma
    ("ru", 4000, "1\xa0200,00\xa0€"),
    ("pt", 4000, "€\xa01.200,00"),
    ("es", 19.99, "6,00\xa0€"),             # under a thousand: only the decimal mark is the language's
    ("en", 19.99, "partial refund of €6.00"),
])
def test_a_message_writes_amounts_as_the_buyers_language_does(tmp_path, language, value, said):
    case = {**JPY_CASE, "currency": "EUR", "order_value": value, "buyer_language": language}
    rec = recommend(case)
    assert (rec.message_language, rec.refund_amount) == (language, round(value * 0.3, 2))
    assert said in rec.message
    src = tmp_path / "cases.csv"
    pd.DataFrame([case, {**case, "case_id": "J2", "order_value": 19.99, "buyer_language": "es"}]).to_csv(src, index=False)
    assert main(["batch", str(src), "--out", str(tmp_path / "o"), "--no-report"]) == 0
    rows = pd.read_csv(tmp_path / "o" / "recommendations.csv", keep_default_na=False)
    assert rows["message"].iloc[0] == rec.message  # the batch writes what recommend() writes
    assert "6,00\xa0€" in rows["message"].iloc[1]


def test_amount_text_in_a_language():
    from helpers.core.money import amount_text
    assert amount_text(20000000, "JPY", ("JPY",), language="zh") == "20,000,000"
    assert amount_text(1278.82, "USD", (), language="de") == "1.278,82"
    assert amount_text(1278.82, "USD", (), language="pl") == "1\xa0278,82"
    assert amount_text(1278.82, "USD", (), language="tlh") == "1,278.82"  # unknown to CLDR: as English
    assert amount_text(1278.82, "USD", ()) == "1278.82"  # no language: plain, as files hold amounts


@pytest.mark.parametrize("written, code", [("RMB", "CNY"), ("rmb", "CNY"), ("NTD", "TWD"), ("cny", "CNY")])
def test_a_currency_written_by_its_common_name_is_read_as_its_code(tmp_path, written, code):
    """Chinese shops write the yuan as RMB: every such case was rejected as "not an ISO 4217 code"."""
    case = {"case_id": "M1", "dispute_type": "not_received", "order_value": 40, "currency": written, "platform": "ebay"}
    if code == "CNY":
        assert recommend(case, as_of=AS_OF).currency == code
    else:
        with pytest.raises(CaseError, match="TWD has no exchange rate"):
            recommend(case, as_of=AS_OF)
    pd.DataFrame([case, {**case, "case_id": "M2", "currency": "XYZ"}]).to_csv(tmp_path / "c.csv", index=False)
    main(["batch", str(tmp_path / "c.csv"), "--out", str(tmp_path / "o"), "--as-of", AS_OF.isoformat(), "--no-report"])
    recs = pd.read_csv(tmp_path / "o" / "recommendations.csv", dtype=str, keep_default_na=False)
    errors = pd.read_csv(tmp_path / "o" / "errors.csv", dtype=str, keep_default_na=False)
    if code == "CNY":
        assert list(recs["currency"]) == [code] and list(errors["case_id"]) == ["M2"]
    else:  # the bundled rate table has no TWD: the case is rejected for that, naming the code it was read as
        assert recs.empty and "TWD has no exchange rate" in errors.set_index("case_id").loc["M1", "message"]


@pytest.mark.parametrize("value, currency, refund", [(299.999, "CNY", 299.99), (19.99, "USD", 19.99),
                                                     (600.5, "JPY", 600.0), (0.1 + 0.2, "EUR", 0.3)])
def test_a_full_refund_is_never_above_what_the_buyer_paid(value, currency, refund):
    """299.999 CNY typed in the form was refunded 300.00 CNY, "全额退款 ¥300.00": more than the order value."""
    case = {"case_id": "F1", "dispute_type": "not_received", "order_value": value, "currency": currency,
            "platform": "taobao", "ship_date": "2026-08-20", "tracking_status": "lost", "tracking_number": "X",
            "buyer_request": "full_refund"}
    rec = recommend(case, as_of=AS_OF)
    assert rec.resolution == "full_refund" and rec.refund_amount == refund and rec.refund_amount <= value


@pytest.mark.parametrize("value, refund, said", [
    (223696.36, 223696.36, "CN¥223,696.36"),     # 22,369,635.999999996 fen: a cent was lost
    (1234567.89, 1234567.89, "CN¥1,234,567.89"),
    (299.999, 299.99, "CN¥299.99"),               # no one pays a tenth of a fen: never above the order
    (19.99, 19.99, "CN¥19.99"),
])
def test_a_full_refund_is_the_order_value_to_the_cent(value, refund, said):
    from helpers import recommend
    case = dict(case_id="F1", dispute_type="cancellation", order_value=value, currency="CNY",
                cancel_reason="out_of_stock", buyer_request="cancel", as_of_date="2026-11-01")
    rec = recommend(case)
    assert (rec.resolution, rec.refund_amount) == ("cancel_refund", refund)
    assert said in rec.message


def test_an_amount_too_large_to_count_in_cents_is_refunded_as_it_is_not_as_infinity():
    import json
    from helpers import recommend
    rec = recommend(dict(case_id="F2", dispute_type="cancellation", order_value=1e308, cancel_reason="out_of_stock",
                         as_of_date="2026-11-01"))
    assert rec.refund_amount == 1e308 and "inf" not in rec.message
    json.loads(json.dumps(rec.to_dict(), allow_nan=False))  # valid JSON: no Infinity


def test_a_partial_refund_capped_at_a_thin_profit_is_still_a_real_offer():
    """Capped at the order's profit, a US$60 quality claim with US$0.50 of profit was offered US$0.50;
    the floor (partial_refund_floor_share, 0.1) makes it US$6.00, never above the rule's own share."""
    from helpers import recommend
    case = dict(case_id="T1", dispute_type="not_as_described", platform="ebay", order_value=60, item_cost=58,
                shipping_cost=1.5, buyer_photos=True, mismatch="quality", listing_error=False, tracking_status="delivered",
                ship_date="2026-10-03", delivery_date="2026-10-20", as_of_date="2026-10-24")
    rec = recommend(case)
    assert (rec.rule_id, rec.refund_amount) == ("nad_quality_claim", 6.0)
    assert "partial refund of US$6.00" in rec.message
    roomy = recommend({**case, "item_cost": 20, "shipping_cost": 5})  # 35 of profit: 30% of 60 is within it
    assert roomy.refund_amount == 18.0
    some = recommend({**case, "item_cost": 50, "shipping_cost": 2})  # 8 of profit: above the floor, the cap holds
    assert some.refund_amount == 8.0
    assert recommend(case, params={"partial_refund_floor_share": 0}).refund_amount == 0.5  # the floor is the shop's


def test_a_currency_code_before_the_amount_is_kept_apart_from_the_digits():
    """CLDR's currency spacing, which Babel leaves out: "RUB3,200.00" in an English message."""
    from helpers.core.money import money_text
    assert money_text(3200, "RUB", frozenset(), "en") == "RUB\u00a03,200.00"
    assert money_text(12, "CHF", frozenset(), "zh") == "CHF\u00a012.00"
    assert money_text(12, "USD", frozenset(), "en") == "US$12.00"  # a symbol: no space
    assert money_text(1200, "JPY", frozenset({"JPY"}), "en") == "JP¥1,200"
    assert money_text(12, "BRL", frozenset(), "pt") == "R$\u00a012,00"  # Portuguese's own pattern, unchanged
