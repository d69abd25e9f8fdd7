"""Synthetic closed-case histories with planted truths (`dispute-playbook samples --history`).

The cases are `samples.generate`'s, spread over HISTORY_WEEKS weeks, decided by the bundled
playbook; the team's action, the outcome, the money paid and the review are then drawn so that
three facts are true of the history, for the backtest to find:

- SIZE_SKU: every not-as-described dispute of this SKU is about the size (a listing to fix);
- LOSING_RULE on LOSING_PLATFORM: when the team followed that rule there, the platform mostly
  ruled for the buyer;
- GRID_PARAM: late parcels still moving arrive when the team waits up to GRID_BEST days past the
  promise and are lost on the platform after that, so a grid over wait_grace_days is best at
  GRID_BEST.

The same count and seed give the same file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.fields import RESOLUTIONS
from .samples import generate

SIZE_SKU = "SKU-017"
LOSING_RULE, LOSING_PLATFORM = "dmg_no_photos", "ebay"
GRID_PARAM, GRID_BEST = "wait_grace_days", 10
GRID_RULES = ("nr_late_within_grace", "nr_late_beyond_grace_refund", "nr_late_beyond_grace_reship")
HISTORY_WEEKS = 12
SKUS = tuple(f"SKU-{k:03d}" for k in range(1, 41))
_DATE_FIELDS = ("order_date", "ship_date", "delivery_date", "as_of_date")
_NO_PAY = ("wait", "request_evidence", "decline", "escalate")


def _shift_weeks(cols: dict, weeks: np.ndarray) -> None:
    """Move each row's dates back by its number of weeks (its facts, all relative, stay the same)."""
    for name in _DATE_FIELDS:
        text = np.asarray(cols[name], dtype=object)
        known = text != ""
        days = np.array(text[known], dtype="datetime64[D]") - (weeks[known] * 7).astype("timedelta64[D]")
        text = text.copy()
        text[known] = np.datetime_as_string(days, unit="D")
        cols[name] = text


def _late_parcels(cols: dict, rng, chosen: np.ndarray) -> None:
    """Make the chosen not-received cases parcels still moving, 1 to 3 × GRID_BEST days past the promise."""
    k = int(chosen.sum())
    order = np.array(cols["order_date"][chosen], dtype="datetime64[D]")
    ship = order + rng.integers(1, 4, k).astype("timedelta64[D]")
    promise = rng.choice([7, 10, 15, 20], k)
    late = rng.integers(1, 3 * GRID_BEST + 1, k)
    cols["ship_date"][chosen] = np.datetime_as_string(ship, unit="D")
    cols["delivery_date"][chosen] = ""
    cols["as_of_date"][chosen] = np.datetime_as_string(ship + (promise + late).astype("timedelta64[D]"), unit="D")
    cols["promised_delivery_days"][chosen] = promise
    cols["tracking_status"][chosen] = "in_transit"
    cols["proof_of_delivery"][chosen] = "false"
    cols["tracking_number"][chosen] = np.char.add("LT", np.char.zfill(np.flatnonzero(chosen).astype(str), 9))
    cols["carrier"][chosen] = "YunExpress"
    value = np.asarray(cols["order_value"], dtype=float)[chosen]
    cols["item_cost"][chosen] = np.round(value * 0.4, 2)  # a reship costs half the order
    cols["shipping_cost"][chosen] = np.round(value * 0.1, 2)


def generate_history(count: int, seed: int = 7):
    """A history as a DataFrame of contract columns, text as a CSV export would hold it."""
    import pandas as pd

    from ..core.engine import decide
    from ..playbook.loader import load_playbook
    from .read import validate_frame
    rng = np.random.default_rng([seed, 13])
    cols = {k: np.array(v, dtype=object) if not isinstance(v, np.ndarray) or v.dtype.kind in "US" else v.copy()
            for k, v in generate(count, seed).items()}
    n = count
    _late_parcels(cols, rng, (cols["dispute_type"] == "not_received") & (rng.random(n) < 0.3))
    weeks = rng.integers(0, HISTORY_WEEKS, n)
    _shift_weeks(cols, weeks)
    nad = cols["dispute_type"] == "not_as_described"
    sku = np.array(SKUS, dtype=object)[rng.integers(0, len(SKUS), n)]
    sku[nad & (rng.random(n) < 0.06)] = SIZE_SKU
    cols["mismatch"] = np.where(nad & (sku == SIZE_SKU), "size", cols["mismatch"])
    cols["sku"] = sku
    cols["product_title"] = np.char.add("Product ", np.char.replace(sku.astype(str), "SKU-", ""))
    frame = pd.DataFrame(cols)

    v = validate_frame(frame)
    d = decide(load_playbook(), v.cols, explain=False)
    recommended = np.array([r.resolution for r in d.rules], dtype=object)[d.rule]
    rule_id = np.array([r.id for r in d.rules], dtype=object)[d.rule]
    value = v.cols["order_value"]

    # what the team did: mostly the playbook, else another resolution
    other = np.array(RESOLUTIONS, dtype=object)[rng.integers(0, len(RESOLUTIONS), n)]
    action = np.where(rng.random(n) < 0.7, recommended, other)
    late = d.facts["days_past_promise"]
    grid_cases = np.isin(rule_id, GRID_RULES) & (late > 0) & (late <= 3 * GRID_BEST)
    settled = np.where(recommended == "wait", "full_refund", recommended)
    action = np.where(grid_cases, np.where(rng.random(n) < 0.8, "wait", settled), action)
    followed = action == recommended

    # how it ended: settled resolutions mostly settle; the no-pay ones go either way
    u = rng.random(n)
    no_pay = np.isin(action, _NO_PAY)
    outcome = np.where(no_pay, np.select([u < .35, u < .65, u < .85], ["platform_for_seller", "buyer_withdrew",
                                                                       "platform_for_buyer"], "resolved_with_buyer"),
                       np.select([u < .88, u < .93, u < .97], ["resolved_with_buyer", "buyer_withdrew",
                                                               "platform_for_seller"], "platform_for_buyer"))
    waited = grid_cases & (action == "wait")
    outcome = np.where(waited, np.where(late <= GRID_BEST, "buyer_withdrew", "platform_for_buyer"),
                       np.where(grid_cases, "resolved_with_buyer", outcome))
    losing = (rule_id == LOSING_RULE) & (cols["platform"] == LOSING_PLATFORM)
    outcome = np.where(losing & followed, np.where(rng.random(n) < 0.85, "platform_for_buyer", "platform_for_seller"),
                       np.where(losing, "resolved_with_buyer", outcome))
    outcome = np.where(rng.random(n) < 0.04, "open", outcome)

    paid = np.zeros(n)
    for res in RESOLUTIONS:
        rows = action == res
        if res in d.alternatives and rows.any():
            refund, cost = d.alternatives[res][:2]
            paid[rows] = np.where(np.isnan(cost[rows]), refund[rows], cost[rows])
        elif rows.any():  # a resolution this type does not offer: the contract's refund for it
            paid[rows] = 0.0 if res in _NO_PAY + ("reship", "exchange") else value[rows]
    paid = np.where(np.isin(outcome, ["platform_for_buyer", "chargeback"]), value, paid)
    paid = np.where(np.isin(outcome, ["buyer_withdrew", "platform_for_seller"]), 0.0, paid)
    # what the seller paid out is never below nothing: the cost model's cost of cancelling a loss-making
    # order is negative (its margin), and as amount_paid such a row broke the contract (≥ 0)
    paid = np.maximum(paid, 0.0)
    is_open = outcome == "open"

    as_of = np.array(cols["as_of_date"], dtype="datetime64[D]")
    order = np.array(cols["order_date"], dtype="datetime64[D]")
    closed = np.maximum(as_of - rng.integers(0, 4, n).astype("timedelta64[D]"), order)
    r = rng.random(n)
    bad_end = np.isin(outcome, ["platform_for_buyer", "chargeback"])
    review = np.where(bad_end, np.where(r < 0.5, "negative", ""),
                      np.select([r < .05, r < .12, r < .5], ["negative", "neutral", "positive"], ""))

    frame["action_taken"] = action
    frame["outcome"] = outcome
    frame["amount_paid"] = np.where(is_open, "", np.char.mod("%.2f", np.round(paid, 2)).astype(object))
    frame["closed_date"] = np.where(is_open, "", np.datetime_as_string(closed, unit="D").astype(object))
    frame["review_left"] = np.where(is_open, "", review)
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.map(lambda v: f"{v:.10g}" if isinstance(v, float) else str(v))


def write_history(out, count: int = 1000, seed: int = 7) -> Path:
    """A generated history to .csv, .parquet or .jsonl (by the file's ending), every cell as text."""
    from ..core.exceptions import UsageError
    from .samples import write_samples
    if count < 1:
        raise UsageError(f"--count must be 1 or more for a history, not {count}")
    return write_samples(out, count, seed, make=generate_history)
