"""The case contract (v1), declared once.

Every other module (the scalar parser, the batch reader, the engine, the widgets, the generator)
reads these declarations, so a field is added here and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass

from .names import DISPUTE_TYPES, PLATFORMS  # noqa: F401  (kept importable from here)
TRACKING_STATUSES = ("none", "pre_transit", "in_transit", "stalled", "customs_hold", "delivered",
                     "returned_to_sender", "lost")
BUYER_REQUESTS = ("full_refund", "partial_refund", "return_refund", "exchange", "reship", "cancel",
                  "unspecified")
MISMATCHES = ("color", "size", "function", "quality", "counterfeit", "other")
DAMAGE_SEVERITIES = ("cosmetic", "functional", "unusable")
CANCEL_REASONS = ("changed_mind", "out_of_stock", "shipping_delay", "wrong_address", "price_error",
                  "duplicate_order")
RESOLUTIONS = ("wait", "request_evidence", "reship", "exchange", "partial_refund", "full_refund",
               "return_refund", "refund_keep_item", "cancel_refund", "decline", "escalate")
# Resolutions whose refund is the whole order value, and those that refund nothing (contract).
FULL_REFUND_RESOLUTIONS = ("full_refund", "cancel_refund", "return_refund", "refund_keep_item")
NO_REFUND_RESOLUTIONS = ("wait", "request_evidence", "reship", "exchange", "decline", "escalate")
# extension (README, issue 13): how a closed case ended, and the review the buyer left.
OUTCOMES = ("resolved_with_buyer", "buyer_withdrew", "platform_for_seller", "platform_for_buyer", "chargeback",
            "open")
REVIEWS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # string | enum | decimal | int | bool | date | currency | language | country
    required: bool = False
    default: object = None
    choices: tuple = ()
    minimum: float | None = None
    exclusive_minimum: bool = False
    help: str = ""


FIELDS: tuple[Field, ...] = (
    Field("case_id", "string", required=True, help="unique within a batch"),
    Field("dispute_type", "enum", required=True, choices=DISPUTE_TYPES),
    Field("order_value", "decimal", required=True, minimum=0, exclusive_minimum=True,
          help="what the buyer paid, item and shipping"),
    Field("currency", "currency", default="USD"),
    Field("platform", "enum", default="other", choices=PLATFORMS),
    Field("item_cost", "decimal", minimum=0, help="seller's cost of the goods"),
    Field("shipping_cost", "decimal", minimum=0, help="what sending a replacement would cost"),
    Field("return_shipping_cost", "decimal", minimum=0, help="what a return would cost the seller"),
    Field("order_date", "date"),
    Field("ship_date", "date", help="empty: not shipped yet"),
    Field("delivery_date", "date", help="when the carrier shows it delivered"),
    Field("as_of_date", "date", help="the day the case is reviewed (default: today)"),
    Field("promised_delivery_days", "int", minimum=0, help="delivery promise, from ship_date"),
    Field("tracking_status", "enum", default="none", choices=TRACKING_STATUSES),
    Field("buyer_request", "enum", default="unspecified", choices=BUYER_REQUESTS),
    Field("buyer_photos", "bool", default=False),
    Field("seller_packing_photos", "bool", default=False),
    Field("proof_of_delivery", "bool", default=False),
    Field("chat_history", "bool", default=False),
    Field("item_resellable", "bool"),
    Field("mismatch", "enum", choices=MISMATCHES),
    Field("listing_error", "bool"),
    # extension (README): the seller checked and a different item or variant than ordered was sent (错发)
    Field("wrong_item_sent", "bool", help="seller checked: a different item or variant was sent"),
    Field("damage_severity", "enum", choices=DAMAGE_SEVERITIES),
    Field("missing_parts", "bool", default=False),
    Field("packaging_damaged", "bool"),
    Field("insured", "bool", default=False),
    Field("cancel_reason", "enum", choices=CANCEL_REASONS),
    Field("buyer_prior_disputes", "int", default=0, minimum=0),
    Field("review_threat", "bool", default=False),
    Field("buyer_name", "string"),
    Field("shop_name", "string"),
    Field("order_id", "string"),
    Field("tracking_number", "string"),
    Field("carrier", "string"),
    Field("buyer_language", "language", default="en"),
    Field("buyer_country", "country"),
    # extension (README, issue 13): the product and, for a closed case, what was done and how it ended.
    # Record-only: carried into histories and reports; no rule tests them and no message shows them.
    Field("sku", "string", help="the seller's product code"),
    Field("product_title", "string", help="the listing's title"),
    Field("action_taken", "enum", choices=RESOLUTIONS, help="closed case: the resolution the team chose"),
    Field("outcome", "enum", choices=OUTCOMES, help="closed case: how it ended (open: still running)"),
    Field("amount_paid", "decimal", minimum=0, help="closed case: what the seller paid out, in the case currency"),
    Field("closed_date", "date", help="closed case: the day it ended"),
    Field("review_left", "enum", choices=REVIEWS, help="the review the buyer left (empty: none)"),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}


def closest_field(name: str, cutoff: float = 0.6) -> str | None:
    """The contract field a misspelt name most likely means (`buyer_photo` → `buyer_photos`), or None."""
    from .spelling import closest
    return closest(name, FIELD_BY_NAME, cutoff)

# How the engine stores each kind in its columns: numbers and booleans as float64 with NaN for
# "unknown" (so an unknown never satisfies a comparison), dates as day numbers, enums as str.
NUMERIC_KINDS = ("decimal", "int", "bool", "date")

# Fields that only travel into messages and reports; rules may not test them (buyer text is data).
MESSAGE_ONLY = ("buyer_name", "shop_name", "order_id", "tracking_number", "carrier")
# Fields that record what happened (histories, issue 13): rules may not test them and messages never
# show them, so they cannot change a decision.
RECORD_ONLY = ("sku", "product_title", "action_taken", "outcome", "amount_paid", "closed_date", "review_left")

# Evidence the playbook can ask for: the case field that says the seller has it, and its labels.
EVIDENCE = {
    "buyer_photos": ("buyer_photos", "photos or video of the problem from the buyer",
                     "买家提供的问题照片或视频"),
    "seller_packing_photos": ("seller_packing_photos", "your photos and weight of the parcel before shipping",
                              "发货前的包裹照片和称重记录"),
    "proof_of_delivery": ("proof_of_delivery", "proof of delivery (signature, photo or carrier confirmation)",
                          "签收证明（签名、照片或承运商确认）"),
    "chat_history": ("chat_history", "the saved conversation with the buyer", "与买家的聊天记录"),
    "tracking_number": ("tracking_number", "a valid tracking number", "有效的物流单号"),
    "listing_check": ("listing_error", "your check of the listing against the item", "核对商品详情页与实物"),
    "return_tracking": (None, "tracking of the buyer's return parcel", "买家退货的物流单号"),
}
