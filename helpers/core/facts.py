"""Derived facts: computed once per case from its fields, and testable by rules by name.

Each fact is declared once here with the words a trainee reads; `derive` computes all of them
over engine columns (float64 arrays, NaN = unknown), so one case and a million take the same path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fact:
    name: str
    kind: str  # number | bool
    en: str
    zh: str


FACTS = (
    Fact("shipped", "bool", "the order has a ship date", "订单已发货"),
    Fact("has_tracking_number", "bool", "a tracking number is on file", "有物流单号"),
    Fact("days_since_order", "number", "days from the order to the review date", "下单至今天数"),
    Fact("days_since_shipping", "number", "days from shipping to the review date", "发货至今天数"),
    Fact("days_since_delivery", "number", "days from delivery to the review date", "签收至今天数"),
    Fact("days_past_promise", "number", "days the parcel is late against the delivery promise (negative: still within it)",
         "超出承诺时效的天数（负数表示仍在时效内）"),
    Fact("delivered_days_past_promise", "number", "days the parcel was delivered after the promised date "
         "(zero or negative: on time; unknown without a delivery date)",
         "签收日期超出承诺时效的天数（零或负数表示按时送达；无签收日期则未知）"),
    Fact("days_since_receipt", "number", "days since the buyer received the item (delivery date, else ship date + promise)",
         "买家收货至今天数（签收日期，否则按发货日期加承诺时效）"),
    Fact("return_window_days", "number", "the platform's no-reason return window, in days (unknown if the platform has none on file)",
         "平台无理由退货期限（天）"),
    Fact("within_return_window", "bool", "the buyer is still inside the platform's no-reason return window",
         "仍在平台无理由退货期内"),
    Fact("claim_window_days", "number", "days after receipt (or the promised delivery) in which a claim is taken up: "
         "the platform's window where a source gives one, else the shop's policy (shop_claim_window_days)",
         "收货（或承诺送达）后可受理投诉的天数：平台有出处的期限，否则按店铺政策（shop_claim_window_days）"),
    Fact("within_claim_window", "bool", "the claim came within that window", "投诉在该期限内提出"),
    Fact("margin", "number", "the order's profit: order value less item and shipping cost", "订单利润：订单金额减去商品和运费成本"),
    Fact("margin_share", "number", "the profit as a share of the order value", "利润占订单金额的比例"),
    Fact("return_costs_more_than_item", "bool", "a return would cost more than the item itself", "退货运费高于商品成本"),
    Fact("costs_known", "bool", "item cost and shipping cost are both known", "商品成本和运费均已知"),
)
FACT_BY_NAME = {f.name: f for f in FACTS}


# A caller that has already compared the tracking numbers with "" (a Python-object column, slow to
# compare and to index) may pass the result under this name instead of the numbers.
KNOWN_TRACKING = "has_tracking_number"


def _known(x):
    return ~np.isnan(x)


def _as_flag(mask, known):
    """A boolean fact as float: 1/0, NaN where its inputs are unknown."""
    out = mask.astype(np.float64)
    out[~known] = np.nan
    return out


def derive(cols: dict, return_window_days: np.ndarray, claim_window_days: np.ndarray | None = None) -> dict:
    """All derived facts for the columns; the windows are per row, from the platform or the shop's policy."""
    if claim_window_days is None:
        claim_window_days = np.full(len(cols["order_value"]), np.nan)
    as_of, order, ship, deliv = cols["as_of_date"], cols["order_date"], cols["ship_date"], cols["delivery_date"]
    promise = cols["promised_delivery_days"]
    expected = ship + promise
    received = np.where(_known(deliv), deliv, expected)
    since_receipt = as_of - received
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = cols["order_value"] - cols["item_cost"] - cols["shipping_cost"]
        margin_share = margin / cols["order_value"]
        ret_vs_item = cols["return_shipping_cost"] > cols["item_cost"]
        within = since_receipt <= return_window_days
        within_claim = since_receipt <= claim_window_days
    facts = {
        "shipped": _known(ship).astype(np.float64),
        "has_tracking_number": cols[KNOWN_TRACKING] if KNOWN_TRACKING in cols
        else (cols["tracking_number"] != "").astype(np.float64),
        "days_since_order": as_of - order,
        "days_since_shipping": as_of - ship,
        "days_since_delivery": as_of - deliv,
        "days_past_promise": as_of - expected,
        "delivered_days_past_promise": deliv - expected,
        "days_since_receipt": since_receipt,
        "return_window_days": return_window_days,
        "within_return_window": _as_flag(within, _known(since_receipt) & _known(return_window_days)),
        "claim_window_days": claim_window_days,
        "within_claim_window": _as_flag(within_claim, _known(since_receipt) & _known(claim_window_days)),
        "margin": margin,
        "margin_share": margin_share,
        "return_costs_more_than_item": _as_flag(ret_vs_item, _known(cols["return_shipping_cost"]) & _known(cols["item_cost"])),
        "costs_known": (_known(cols["item_cost"]) & _known(cols["shipping_cost"])).astype(np.float64),
    }
    return facts
