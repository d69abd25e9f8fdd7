"""The facts a seller could change or learn, tried one at a time to find the nearest one that
would change the decision ("with packing photos on file this would be escalate, not refund").
Evidence the seller can gather comes first, then facts about the buyer, then time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fields import FIELD_BY_NAME


@dataclass(frozen=True)
class Lever:
    field: str
    value: object  # the changed value in contract terms
    en: str
    zh: str

    def sentence(self, now: str, to: str, lang: str = "en") -> str:
        """What would change, as a reader sees it; `now` and `to` are the resolutions' labels (advice's
        change_text gives them): "With proof of delivery this would be “Decline…”, not “Full refund”"."""
        if lang == "zh":
            return f"{self.zh}，建议将是「{to}」而不是「{now}」。"
        return f"{self.en[0].upper()}{self.en[1:]} this would be “{to}”, not “{now}”."

    def encoded(self):
        f = FIELD_BY_NAME[self.field]
        if f.kind == "enum":
            return float(f.choices.index(self.value))
        return float(self.value)


LEVERS = (
    Lever("seller_packing_photos", True, "with your packing photos and weight on file", "如果有发货前的包裹照片和称重记录"),
    Lever("proof_of_delivery", True, "with proof of delivery", "如果有签收证明"),
    Lever("buyer_photos", True, "once the buyer sends photos", "买家提供照片后"),
    Lever("chat_history", True, "with the conversation saved", "如果保存了聊天记录"),
    Lever("insured", True, "with the shipment insured", "如果包裹有保险"),
    Lever("listing_error", True, "if your check finds the listing was wrong", "如果核对发现商品描述有误"),
    Lever("listing_error", False, "if your check shows the listing was right", "如果核对证明商品描述无误"),
    Lever("wrong_item_sent", True, "if your check finds a wrong item was sent", "如果核对发现发错了商品"),
    Lever("packaging_damaged", True, "if the outer packaging arrived damaged", "如果外包装到货时已破损"),
    Lever("item_resellable", True, "if the item can be sold again", "如果商品可以二次销售"),
    Lever("item_resellable", False, "if the item cannot be sold again", "如果商品无法二次销售"),
    Lever("tracking_status", "delivered", "if tracking showed it delivered", "如果物流显示已签收"),
    Lever("review_threat", False, "without the bad-review threat", "如果买家没有以差评相威胁"),
    Lever("buyer_prior_disputes", 0, "for a buyer with no earlier disputes", "如果买家以前没有纠纷"),
    Lever("as_of_date", 7, "a week from now", "一周之后"),  # value: days added to the review date
)


def apply(lever: Lever, cols: dict) -> tuple[dict, np.ndarray]:
    """Columns with the lever pulled, and the rows where it actually changes something."""
    current = cols[lever.field]
    if lever.field == "as_of_date":
        return {**cols, "as_of_date": current + lever.value}, np.ones(len(current), dtype=bool)
    new = lever.encoded()
    changed = current != new  # NaN != new is True: learning an unknown fact counts
    return {**cols, lever.field: np.full(len(current), new)}, changed
