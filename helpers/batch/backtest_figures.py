"""The backtest's figures from backtest.csv's frame: what summary.json and the report show.

Outcome figures count closed cases only (an outcome other than `open` or empty); money is
totalled per currency and never across currencies. "Observed" is what the history says was
paid; "estimated" is the cost model's est_cost of the playbook's recommendation, used only where
the team did something else.
"""
from __future__ import annotations

import numpy as np

from .health import health_summary, nested_counts

LOST = ("platform_for_buyer", "chargeback")
GOOD = ("resolved_with_buyer", "buyer_withdrew", "platform_for_seller")


def closed_mask(bt) -> np.ndarray:
    return (bt["outcome"] != "") & (bt["outcome"] != "open")


def per_currency(currency, values) -> dict:
    """{currency: {"total", "cases", "unknown"}}: known values summed within each currency."""
    import pandas as pd
    s = pd.DataFrame({"currency": np.asarray(currency, dtype=object), "v": np.asarray(values, dtype=float)})
    out = {}
    for cur, part in s.groupby("currency", sort=True):
        known = part["v"].dropna()
        out[str(cur)] = {"total": round(float(known.sum()), 2), "cases": int(len(known)),
                         "unknown": int(part["v"].isna().sum())}
    return out


def agreement(bt) -> dict:
    """Recommended × done: {recommended: {done: cases}}, over rows whose action is known."""
    return nested_counts(bt[bt["action_taken"] != ""], "recommended", "action_taken")


def by_pair(bt) -> list:
    """Outcome counts and money paid per (recommended, done), closed cases only."""
    closed = bt[closed_mask(bt) & (bt["action_taken"] != "")]
    rows = []
    for (rec, done), part in closed.groupby(["recommended", "action_taken"], sort=True):
        rows.append({"recommended": rec, "done": done, "cases": int(len(part)),
                     "outcomes": {k: int(v) for k, v in part["outcome"].value_counts().items()},
                     "negative_reviews": int((part["review_left"] == "negative").sum()),
                     "paid": per_currency(part["currency"], part["amount_paid"])})
    return rows


def cost_comparison(bt) -> dict:
    """Per currency: what the team paid, and what following the playbook would have cost
    (observed where the team followed it, estimated by the cost model where it did not)."""
    closed = bt[closed_mask(bt) & (bt["action_taken"] != "")]
    followed = closed["followed"] == "yes"
    team = per_currency(closed["currency"], closed["amount_paid"])
    observed = per_currency(closed["currency"][followed], closed["amount_paid"][followed])
    estimated = per_currency(closed["currency"][~followed], closed["est_cost"][~followed])
    out = {}
    for cur in sorted(team):
        o = observed.get(cur, {"total": 0.0, "cases": 0, "unknown": 0})
        e = estimated.get(cur, {"total": 0.0, "cases": 0, "unknown": 0})
        out[cur] = {"team_paid": team[cur]["total"], "team_paid_unknown": team[cur]["unknown"],
                    "playbook_observed": o["total"], "playbook_observed_cases": o["cases"],
                    "playbook_estimated": e["total"], "playbook_estimated_cases": e["cases"],
                    "playbook_estimate_unknown": o["unknown"] + e["unknown"],
                    "playbook_total": round(o["total"] + e["total"], 2)}
    return out


def losing_rules(bt, min_cases: int) -> list:
    """Rules (per platform) whose advice, when followed, most often ended platform_for_buyer or in
    a negative review; groups of at least `min_cases` closed followed cases, worst first."""
    part = bt[closed_mask(bt) & (bt["followed"] == "yes")]
    rows = []
    for (rule, platform), g in part.groupby(["rule_id", "platform"], sort=True):
        if len(g) < min_cases:
            continue
        lost = int((g["outcome"] == "platform_for_buyer").sum())
        negative = int((g["review_left"] == "negative").sum())
        bad = int(((g["outcome"] == "platform_for_buyer") | (g["review_left"] == "negative")).sum())
        rows.append({"rule_id": rule, "platform": platform, "followed_cases": int(len(g)),
                     "platform_for_buyer": lost, "negative_reviews": negative, "bad_share": round(bad / len(g), 4)})
    return sorted(rows, key=lambda r: (-r["bad_share"], -r["followed_cases"], r["rule_id"], r["platform"]))


def departed_and_better(bt) -> dict:
    """Closed cases where the team did something else, it ended well, and it paid less than the
    playbook's estimated cost (observed against estimated, same case, same currency)."""
    part = bt[closed_mask(bt) & (bt["followed"] == "no") & bt["outcome"].isin(GOOD)]
    with np.errstate(invalid="ignore"):
        better = part[part["amount_paid"] < part["est_cost"]]
    better = better.assign(saved_vs_estimate=(better["est_cost"] - better["amount_paid"]).round(2))
    better = better.sort_values(["saved_vs_estimate", "case_id"], ascending=[False, True])
    keep = ["case_id", "platform", "dispute_type", "currency", "recommended", "est_cost", "action_taken", "outcome",
            "amount_paid", "saved_vs_estimate"]
    return {"cases": int(len(better)), "saved_vs_estimate": per_currency(better["currency"], better["saved_vs_estimate"]),
            "top": better[keep].head(50).to_dict("records")}


def summarise(bt, min_cases: int) -> dict:
    closed = closed_mask(bt)
    is_open = ~closed
    return {
        "closed": int(closed.sum()), "open": int(is_open.sum()),
        "open_cases": bt["case_id"][is_open].tolist(),
        "with_action": int((bt["action_taken"] != "").sum()),
        "followed": int((bt["followed"] == "yes").sum()), "departed": int((bt["followed"] == "no").sum()),
        "agreement": agreement(bt),
        "outcomes": {k: int(v) for k, v in bt["outcome"][closed].value_counts().items()},
        "by_pair": by_pair(bt),
        "cost": cost_comparison(bt),
        "losing_rules": losing_rules(bt, min_cases)[:20],
        "departed_and_better": departed_and_better(bt),
        **health_summary(bt),
    }
