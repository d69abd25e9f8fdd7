"""What each resolution is expected to cost the seller, against the sale going through as made.

expected cost = cost if the buyer accepts
              + chance the buyer takes it to the platform × chance the seller loses there
                × cost of losing there
Cost if accepted = money paid back + extra shipping + value of goods not recovered (an unknown
item_resellable counts as not resellable). Cost of losing at the platform = a full refund with the
goods not recovered (goods that have not left the seller, see `goods_left`: the lost margin) + the
platform's penalty. The chances are the shop's assumptions in parameters.yaml (`dispute_chance_*`,
`lose_chance_*`): tune them.
A cost whose inputs are unknown is NaN; `cost_inputs` names the inputs each option needs.
"""
from __future__ import annotations

import numpy as np

from .fields import DISPUTE_TYPES, FIELD_BY_NAME

_NO_REFUND = ("wait", "request_evidence", "decline", "escalate", "reship", "exchange")
# The parameter holding the chance that the buyer takes each option to the platform (1: the seller does).
TAKE_CHANCE = {"decline": "dispute_chance_decline", "wait": "dispute_chance_wait",
               "request_evidence": "dispute_chance_wait", "partial_refund": "dispute_chance_partial",
               "reship": "dispute_chance_replace", "exchange": "dispute_chance_replace", "escalate": 1.0}
# Evidence that decides each dispute type at the platform (held = "strong"); README: "Cost model".
_QUALITY = tuple(float(FIELD_BY_NAME["mismatch"].choices.index(m)) for m in ("quality", "function", "counterfeit"))
_LABEL_ONLY = float(FIELD_BY_NAME["tracking_status"].choices.index("pre_transit"))


def money(x) -> np.ndarray:
    """Amounts to the cent as Python's round(x, 2) gives them (numpy's round differs on rare halves);
    NaN (unknown) stays NaN. The one rounding of every amount a user reads."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # 1e308 overflows when scaled: Python's round takes it
        out = np.round(x, 2)
        odd = np.flatnonzero((out != x) & ~np.isnan(x))
    out[odd] = [round(float(v), 2) for v in x[odd]]
    return out


def money_or_none(x) -> float | None:
    """One amount as `money` rounds it, None when unknown (a Recommendation's fields)."""
    if x is None:
        return None
    value = float(money(np.array([x], dtype=np.float64))[0])
    return None if value != value else value


UNIT = "currency_unit"  # engine column: the smallest amount of the row's currency (0.01, or 1 for JPY)


def refund_amounts(resolution: str, cols: dict, share, within_profit, margin, floor=0.0) -> np.ndarray:
    """The refund for `resolution` per row, as the contract fixes it. `floor`: the least share of the
    order value a partial refund capped at the profit still offers (an offer of cents on a thin margin
    invites the dispute it is meant to settle), never more than the uncapped share."""
    value = cols["order_value"]
    if resolution in _NO_REFUND:
        return np.zeros_like(value)
    unit = cols[UNIT] if UNIT in cols else np.full(len(value), 0.01)
    if resolution != "partial_refund":
        # all of it, to the currency's smallest unit and never above it: 299.999 CNY (no one pays a
        # tenth of a fen) is refunded 299.99, not 300.00. The count of units is rounded to 6 decimals
        # before the floor: 19.99 is 1998.9999999999998 cents and 223,696.36 is 22,369,635.999999996
        # (a fixed 1e-9 was too small from there up: a cent was lost); an amount too large to count
        # in units (1e308) is refunded as it is
        with np.errstate(over="ignore", invalid="ignore"):
            units = np.round(value / unit, 6)
            return np.where(np.isfinite(units), np.floor(units) * unit, value)
    amount = value * share
    if within_profit:
        # the articles: a refund within the order's profit often earns a good review
        with np.errstate(invalid="ignore"):
            capped = np.where(margin > 0, np.minimum(amount, margin), amount)
            capped = np.maximum(capped, np.minimum(amount, floor * value))
        amount = np.where(np.isnan(capped), amount, capped)
    # strictly between 0 and the order value, to the currency's smallest unit (the cent; the yen, a
    # currency without cents); an order under two units has no such amount, and its refund is all of it
    with np.errstate(over="ignore"):  # an absurd amount (1e308) overflows when scaled: clipped to the order's
        amount = np.clip(np.round(amount, 2), 0.01, np.maximum(value - 0.01, 0.01))
    whole = unit == 1.0
    if whole.any():  # most batches have no such currency: the whole-unit rounding only where needed
        amount[whole] = np.clip(np.round(amount[whole]), 1.0, np.maximum(value[whole] - 1.0, 1.0))
    return np.where(value >= 2 * unit, amount, value)


def cost_inputs(resolution: str, left: bool) -> tuple:
    """The case fields the cost of `resolution` needs (the chart names the unknown ones); `left`: the
    goods have left the seller (see `goods_left`)."""
    if resolution in ("reship",):
        return ("item_cost", "shipping_cost")
    if resolution == "exchange":
        return ("item_cost", "shipping_cost", "return_shipping_cost")
    if resolution == "return_refund" or (resolution == "cancel_refund" and left):
        return ("return_shipping_cost",)
    if resolution == "cancel_refund" or (resolution in TAKE_CHANCE and not left):
        return ("item_cost",)  # an unshipped order's loss is its margin (unknown postage counts as 0: the cautious view)
    return ()


def goods_left(cols: dict) -> np.ndarray:
    """Rows whose goods have left the seller: shipped, and not a label the carrier has yet to collect
    (pre_transit: the parcel is most likely still on the seller's shelf, so cancelling it costs the
    margin, not a return; costed as a return it looked dearer than it is)."""
    return ~np.isnan(cols["ship_date"]) & (cols["tracking_status"] != _LABEL_ONLY)


def strong_evidence(cols: dict) -> np.ndarray:
    """Rows where the seller holds the evidence that decides its dispute type at the platform:
    proof of delivery (not received), packing photos and weight (damaged), a listing checked right
    and no quality complaint (not as described: platforms make sellers pay in over 80% of quality
    disputes, article 001), the saved conversation (cancellation)."""
    dt = cols["dispute_type"]
    code = {name: float(i) for i, name in enumerate(DISPUTE_TYPES)}
    return (((dt == code["not_received"]) & (cols["proof_of_delivery"] == 1.0))
            | ((dt == code["damaged"]) & (cols["seller_packing_photos"] == 1.0))
            | ((dt == code["not_as_described"]) & (cols["listing_error"] == 0.0) & ~np.isin(cols["mismatch"], _QUALITY))
            | ((dt == code["cancellation"]) & (cols["chat_history"] == 1.0)))


def accepted_costs(resolution: str, cols: dict, refund: np.ndarray) -> np.ndarray:
    """What the seller loses if the buyer accepts `resolution`."""
    value, item, ship, ret = (cols[k] for k in ("order_value", "item_cost", "shipping_cost", "return_shipping_cost"))
    resellable = cols["item_resellable"] == 1.0
    kept_goods = np.where(resellable, item, 0.0)
    left = goods_left(cols)
    if resolution in ("wait", "request_evidence", "decline", "escalate"):
        return np.zeros_like(value)
    if resolution == "reship":
        return item + ship
    if resolution == "exchange":
        return ship + ret + item - kept_goods
    if resolution == "partial_refund":
        return refund.copy()
    if resolution in ("full_refund", "refund_keep_item"):
        return value.copy()
    if resolution == "return_refund":
        return value + ret - kept_goods
    # cancel_refund: goods still here stay in stock and the postage is saved; sent ones come back at the seller's cost
    return np.where(left, value + ret - kept_goods, _unshipped_loss(cols))


def _unshipped_loss(cols):
    """The margin of an order whose goods are still here: the sale's value less the goods kept and the
    postage saved (unknown postage counts as none saved; a label already made, as spent)."""
    labelled = cols["tracking_status"] == _LABEL_ONLY
    saved = np.where(labelled, 0.0, np.nan_to_num(cols["shipping_cost"], nan=0.0))
    return cols["order_value"] - cols["item_cost"] - saved


def platform_loss(cols: dict, params: dict) -> np.ndarray:
    """What losing at the platform costs: a full refund, goods not recovered, the platform's penalty."""
    value = cols["order_value"]
    rate = cols["currency_rate"] if "currency_rate" in cols else np.ones_like(value)
    penalty = float(params.get("platform_penalty", 0.0)) * rate  # the parameter is in the base currency
    return np.where(goods_left(cols), value, _unshipped_loss(cols)) + penalty


def est_costs(resolution: str, cols: dict, refund: np.ndarray, params: dict | None = None) -> np.ndarray:
    """Expected cost per row (NaN where an input it needs is unknown)."""
    params = params or {}
    cost = accepted_costs(resolution, cols, refund)
    take = TAKE_CHANCE.get(resolution)
    if take is not None:
        chance = take if isinstance(take, float) else float(params.get(take, 0.0))
        lose = np.where(strong_evidence(cols), params.get("lose_chance_strong_evidence", 0.0),
                        params.get("lose_chance_weak_evidence", 0.0))
        if chance:
            cost = cost + chance * lose * platform_loss(cols, params)
    return np.round(cost, 2)
