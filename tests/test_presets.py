"""Built-in presets on their messy sample exports (samples/exports/), reviewed end to end.

Expected values are read off the sample rows by hand (scripts/make_sample_exports.py): the 16-19
digit order numbers, the amounts behind their currency signs, the rows a blank cell or an unknown
value sends to errors.csv, with the line numbers a spreadsheet shows (title line = 1)."""
from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from helpers.cli import main

from support import ROOT

EXPORTS = ROOT / "samples" / "exports"
AS_OF = "2026-11-01"


def review(tmp_path, preset, name):
    out = tmp_path / preset
    assert main(["batch", str(EXPORTS / name), "--columns", preset, "--out", str(out), "--as-of", AS_OF,
                 "--no-report"]) == 0
    recs = pd.read_csv(out / "recommendations.csv", dtype=str, keep_default_na=False).set_index("case_id")
    errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)
    return recs, errors


def test_aliexpress_xlsx_with_title_row_us_dollar_signs_and_datetimes(tmp_path):
    recs, errors = review(tmp_path, "aliexpress", "aliexpress_orders.xlsx")
    assert len(recs) + len(errors) == 6
    lost = recs.loc["3051234567890001"]
    assert (lost["order_value"], lost["currency"], lost["resolution"]) == ("1278.82", "USD", "full_refund")
    assert recs.loc["3051234567890002", "resolution"] == "cancel_refund"       # 取消订单, not shipped
    assert set(recs["platform"]) == {"aliexpress"}
    assert list(errors["row"]) == ["5", "7", "8"]                              # title line 1, header line 2
    assert errors.loc[0, "message"] == "order_value: is required but empty"
    assert "'假货' is not one of" in errors.loc[1, "message"] and "values: dispute_type" in errors.loc[1, "message"]
    assert "'2026/10/01' does not match the mapping's date format '%Y-%m-%d %H:%M:%S' (e.g. 2026-10-03 14:22:10)" \
        in errors.loc[2, "message"]


def test_taobao_gbk_csv_with_yuan_signs_and_19_digit_order_numbers(tmp_path):
    raw = (EXPORTS / "taobao_refunds.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                                                    # really GBK
    recs, errors = review(tmp_path, "taobao", "taobao_refunds.csv")
    assert len(recs) + len(errors) == 6
    assert recs.loc["TB-R001", "order_value"] == "1132" and recs.loc["TB-R001", "currency"] == "CNY"
    assert recs.loc["TB-R005", "order_value"] == "2380.5"
    assert recs.loc["TB-R003", "resolution"] == "cancel_refund"                # 拍错/多拍 before shipping
    assert set(recs["platform"]) == {"taobao"}
    assert list(errors["case_id"]) == ["TB-R004"] and errors.loc[0, "row"] == "6"
    assert errors.loc[0, "field"] == "dispute_type"


def test_douyin_gb18030_csv_keeps_19_digit_ids_as_text(tmp_path):
    recs, errors = review(tmp_path, "douyin", "douyin_aftersales.csv")
    assert len(recs) + len(errors) == 5
    assert "7301234567890123401" in recs.index                                 # not 7.301234567890124e18
    assert recs.loc["7301234567890123405", "order_value"] == "2099"
    assert recs.loc["7301234567890123403", "resolution"] == "cancel_refund"
    assert list(errors["case_id"]) == ["7301234567890123404"] and errors.loc[0, "field"] == "order_value"


def test_douyin_order_numbers_reach_the_buyer_message_exactly(tmp_path):
    out = tmp_path / "d"
    assert main(["batch", str(EXPORTS / "douyin_aftersales.csv"), "--columns", "douyin", "--out", str(out),
                 "--as-of", AS_OF, "--no-report"]) == 0
    recs = pd.read_csv(out / "recommendations.csv", dtype=str, keep_default_na=False)
    assert recs["message"].str.contains("6923456789012345601").any()


def test_ebay_blank_first_line_dollar_amounts_and_footer_lines(tmp_path):
    recs, errors = review(tmp_path, "ebay", "ebay_orders.csv")
    assert len(recs) + len(errors) == 6                                        # 4 orders + 2 footer lines
    assert recs.loc["12-10234-56789", "order_value"] == "1278.82"
    assert recs.loc["12-10234-56790", "resolution"] == "cancel_refund"
    assert list(errors["row"]) == ["6", "7", "8"]
    assert list(errors["field"].str.split(", ").str[0]) == ["case_id", "(row)", "(row)"]  # footers: 1 cell of 12
    assert errors.loc[1, "message"].startswith("(row): has 1 cell but the header has 12: a line of text rather than a "
                                               "case (a title or footer the export adds?)")  # not "fix the comma"
    assert "needs quotes" not in errors.loc[1, "message"]


def test_amazon_comma_decimals_and_currency_column(tmp_path):
    recs, errors = review(tmp_path, "amazon", "amazon_returns.csv")
    assert len(recs) + len(errors) == 4
    assert recs.loc["302-1234567-1234567", ["order_value", "currency"]].tolist() == ["1234.56", "EUR"]
    assert recs.loc["302-1234567-1234569", ["order_value", "currency"]].tolist() == ["89", "EUR"]   # from "89,00 €"
    assert list(errors["case_id"]) == ["302-1234567-1234570"]
    assert "does not match the mapping's date format '%d-%b-%Y'" in errors.loc[0, "message"]


def test_shopify_line_item_rows_and_time_zones(tmp_path):
    recs, errors = review(tmp_path, "shopify", "shopify_orders.csv")
    assert len(recs) + len(errors) == 4
    assert recs.loc["#1002", ["order_value", "currency", "resolution"]].tolist() == ["1045", "CAD", "cancel_refund"]
    assert list(errors["case_id"]) == ["#1001"] and errors.loc[0, "row"] == "5"  # the multi-line note is one row


def test_the_samples_are_what_the_script_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_sample_exports", ROOT / "scripts" / "make_sample_exports.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(tmp_path)
    for path in sorted(tmp_path.glob("*.csv")):
        assert path.read_bytes() == (EXPORTS / path.name).read_bytes(), path.name
    fresh = pd.read_excel(tmp_path / "aliexpress_orders.xlsx", header=None, dtype=object, engine="openpyxl")
    stored = pd.read_excel(EXPORTS / "aliexpress_orders.xlsx", header=None, dtype=object, engine="openpyxl")
    pd.testing.assert_frame_equal(fresh, stored)


def test_aliexpress_collected_is_in_transit_not_yet_collected_is_a_label_and_countries_are_read_by_name(tmp_path):
    """已揽收 (the carrier has collected it) was read as pre_transit (a label made, not collected), and the
    trainee was told to hand the parcel to the carrier; 待揽收 (not yet collected) was refused. A country
    the preset does not list (意大利) rejected the whole case."""
    rows = ["AliExpress 订单导出", "订单号,订单金额,下单时间,发货时间,物流单号,收货国家,纠纷原因,物流状态,买家诉求",
            "A1,US $30.00,2026-10-20 10:00:00,2026-10-21 10:00:00,LX1,意大利,未收到货,已揽收,",
            "A2,US $30.00,2026-10-20 10:00:00,2026-10-21 10:00:00,LX2,Netherlands,未收到货,待揽收,",
            "A3,US $30.00,2026-10-20 10:00:00,2026-10-21 10:00:00,LX3,義大利,未收到货,运输中,",
            "A4,US $30.00,2026-10-20 10:00:00,2026-10-21 10:00:00,LX4,火星,未收到货,运输中,"]
    (tmp_path / "ali.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    out = tmp_path / "o"
    assert main(["batch", str(tmp_path / "ali.csv"), "--columns", "aliexpress", "--out", str(out), "--as-of", AS_OF,
                 "--no-report"]) == 0
    recs = pd.read_csv(out / "recommendations.csv", dtype=str, keep_default_na=False).set_index("case_id")
    assert recs["buyer_country"].to_dict() == {"A1": "IT", "A2": "NL", "A3": "IT"}
    from helpers.iorw.mapping import apply_mapping, load_mapping
    from helpers.iorw.tables import read_table
    mapping = load_mapping("aliexpress")
    cases = apply_mapping(read_table(tmp_path / "ali.csv", encoding=mapping.encoding, header_row=mapping.header_row,
                                     expected=set(mapping.columns), sep=mapping.delimiter), mapping)
    assert cases["tracking_status"].tolist() == ["in_transit", "pre_transit", "in_transit", "in_transit"]
    errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)
    assert errors["case_id"].tolist() == ["A4"] and errors.loc[0, "field"] == "buyer_country"


TAOBAO_REASONS = {  # 退款原因 as Taobao's refund form offers it → (dispute_type, cancel_reason)
    "缺货": ("cancellation", "out_of_stock"), "未按约定时间发货": ("cancellation", "shipping_delay"),
    "多拍/拍错/不想要": ("cancellation", "changed_mind"), "我不想要了": ("cancellation", "changed_mind"),
    "地址填写错误": ("cancellation", "wrong_address"), "快递/物流一直未送到": ("not_received", ""),
    "快递/物流无跟踪记录": ("not_received", ""), "收到商品少件或破损": ("damaged", ""), "货物破损已拒签": ("damaged", ""),
}


@pytest.mark.parametrize("preset, headers, ordered", [
    ("taobao", "退款编号,订单编号,买家实际支付金额,订单付款时间,退款原因,退款类型", "2026-10-28 10:00:00"),
    ("douyin", "售后单号,订单编号,订单实付金额,下单时间,售后原因,售后类型", "2026/10/28 10:00:00")])
def test_the_refund_reasons_chinese_platforms_offer_are_read_not_rejected(tmp_path, preset, headers, ordered):
    """缺货 (out of stock), 未按约定时间发货 (not shipped in time) and the other reasons a Taobao or Douyin buyer
    picks sent every such row to errors.csv ("a value the mapping does not know")."""
    rows = [headers] + [f"T{i},{1000 + i},￥30.00,{ordered},{reason},仅退款"
                        for i, reason in enumerate(TAOBAO_REASONS)]
    (tmp_path / "t.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    out = tmp_path / "o"
    assert main(["batch", str(tmp_path / "t.csv"), "--columns", preset, "--out", str(out), "--as-of", AS_OF,
                 "--no-report"]) == 0
    from helpers.iorw.mapping import apply_mapping, load_mapping
    from helpers.iorw.tables import read_table
    mapping = load_mapping(preset)
    cases = apply_mapping(read_table(tmp_path / "t.csv", encoding=mapping.encoding, header_row=mapping.header_row,
                                     expected=set(mapping.columns), sep=mapping.delimiter), mapping)
    read = list(zip(cases["dispute_type"], cases["cancel_reason"].fillna("")))
    assert read == list(TAOBAO_REASONS.values())
    errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)
    assert errors.empty, errors.to_string()
    recs = pd.read_csv(out / "recommendations.csv", dtype=str, keep_default_na=False).set_index("case_id")
    assert recs.loc["T0", "rule_id"] == "can_out_of_stock"
