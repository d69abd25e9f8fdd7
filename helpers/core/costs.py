"""What each resolution costs the seller, against the sale going through as made.

Cost = money paid back + extra shipping + the value of goods not recovered. Unknown inputs give an
unknown (NaN) cost, except item_resellable: unknown counts as not resellable (the cautious view).
"""
from __future__ import annotations

import numpy as np

_ZERO = ("wait", "request_evidence", "decline", "escalate")


def money(x) -> np.ndarray:
    """Amounts to the cent as Python's round(x, 2) gives them (numpy's round differs on rare halves);
    NaN (unknown) stays NaN. The one rounding of every amount a user reads."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore"):
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


def refund_amounts(resolution: str, cols: dict, share, within_profit, margin) -> np.ndarray:
    """The refund for `resolution` per row, as the contract fixes it."""
    value = cols["order_value"]
    if resolution in _ZERO or resolution in ("reship", "exchange"):
        return np.zeros_like(value)
    if resolution != "partial_refund":
        return value.copy()
    amount = value * share
    if within_profit:
        # the articles: a refund within the order's profit often earns a good review
        with np.errstate(invalid="ignore"):
            capped = np.where(margin > 0, np.minimum(amount, margin), amount)
        amount = np.where(np.isnan(capped), amount, capped)
    # strictly between 0 and the order value, to the cent
    amount = np.round(amount, 2)
    return np.clip(amount, np.minimum(0.01, value / 2), np.maximum(value - 0.01, value / 2))


def est_costs(resolution: str, cols: dict, refund: np.ndarray) -> np.ndarray:
    value, item, ship, ret = (cols[k] for k in ("order_value", "item_cost", "shipping_cost", "return_shipping_cost"))
    resellable = cols["item_resellable"] == 1.0
    kept_goods = np.where(resellable, item, 0.0)
    if resolution in _ZERO:
        cost = np.zeros_like(value)
    elif resolution == "reship":
        cost = item + ship
    elif resolution == "exchange":
        cost = ship + ret + item - kept_goods
    elif resolution == "partial_refund":
        cost = refund.copy()
    elif resolution in ("full_refund", "refund_keep_item"):
        cost = value.copy()
    elif resolution == "return_refund":
        cost = value + ret - kept_goods
    else:  # cancel_refund: unshipped goods stay in stock; shipped ones come back at the seller's cost
        shipped = ~np.isnan(cols["ship_date"])
        cost = np.where(shipped, value + ret - kept_goods, value - item)
    return np.round(cost, 2)

