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


def _money(frame, keys: list, value: str):
    """Per group of `keys`: the known values' total (rounded), how many known, how many unknown."""
    v = frame[value].astype(float)
    g = frame.assign(_known=v.notna(), _v=v.fillna(0.0)).groupby(keys, sort=True)
    return g.agg(total=("_v", "sum"), cases=("_known", "sum"), n=("_known", "size"))


def _money_dict(row) -> dict:
    return {"total": round(float(row.total), 2), "cases": int(row.cases), "unknown": int(row.n - row.cases)}


def per_currency(currency, values) -> dict:
    """{currency: {"total", "cases", "unknown"}}: known values summed within each currency."""
    import pandas as pd
    s = pd.DataFrame({"currency": np.asarray(currency, dtype=object), "v": np.asarray(values, dtype=float)})
    return {str(cur): _money_dict(row) for cur, row in _money(s, ["currency"], "v").iterrows()}


def agreement(bt) -> dict:
    """Recommended × done: {recommended: {done: cases}}, over rows whose action is known."""
    return nested_counts(bt[bt["action_taken"] != ""], "recommended", "action_taken")


def by_pair(bt) -> list:
    """Outcome counts and money paid per (recommended, done), closed cases only."""
    pair = ["recommended", "action_taken"]
    closed = bt.loc[closed_mask(bt) & (bt["action_taken"] != ""),
                    pair + ["outcome", "review_left", "currency", "amount_paid"]]
    outcomes = closed.groupby(pair + ["outcome"], sort=True).size()
    negative = closed[closed["review_left"] == "negative"].groupby(pair).size()
    paid = _money(closed, pair + ["currency"], "amount_paid")
    rows = []
    for (rec, done), n in closed.groupby(pair, sort=True).size().items():
        counts = outcomes.loc[(rec, done)].sort_values(ascending=False, kind="stable")
        rows.append({"recommended": rec, "done": done, "cases": int(n),
                     "outcomes": {k: int(v) for k, v in counts.items()},
                     "negative_reviews": int(negative.get((rec, done), 0)),
                     "paid": {str(cur): _money_dict(r) for cur, r in paid.loc[(rec, done)].iterrows()}})
    return rows


def cost_comparison(bt) -> dict:
    """Per currency: what the team paid, and what following the playbook would have cost
    (observed where the team followed it, estimated by the cost model where it did not).

    Each side is the total of the cases where it is known (an empty amount_paid, an unknown est_cost
    are counted apart, never as 0); where either side is unknown for some case, the two totals cover
    different cases, so `both_known_*` compare them over the cases where both are known."""
    closed = bt[closed_mask(bt) & (bt["action_taken"] != "")]
    followed = closed["followed"] == "yes"
    team = per_currency(closed["currency"], closed["amount_paid"])
    observed = per_currency(closed["currency"][followed], closed["amount_paid"][followed])
    estimated = per_currency(closed["currency"][~followed], closed["est_cost"][~followed])
    playbook_cost = closed["amount_paid"].where(followed, closed["est_cost"])
    both = closed["amount_paid"].notna() & playbook_cost.notna()
    both_team = per_currency(closed["currency"][both], closed["amount_paid"][both])
    both_playbook = per_currency(closed["currency"][both], playbook_cost[both])
    out = {}
    for cur in sorted(team):
        o = observed.get(cur, {"total": 0.0, "cases": 0, "unknown": 0})
        e = estimated.get(cur, {"total": 0.0, "cases": 0, "unknown": 0})
        out[cur] = {"cases": team[cur]["cases"] + team[cur]["unknown"],
                    "team_paid": team[cur]["total"], "team_paid_unknown": team[cur]["unknown"],
                    "playbook_observed": o["total"], "playbook_observed_cases": o["cases"],
                    "playbook_observed_unknown": o["unknown"],
                    "playbook_estimated": e["total"], "playbook_estimated_cases": e["cases"],
                    "playbook_estimated_unknown": e["unknown"],
                    "playbook_estimate_unknown": o["unknown"] + e["unknown"],
                    "playbook_total": round(o["total"] + e["total"], 2),
                    "both_known_cases": both_team.get(cur, {"cases": 0})["cases"],
                    "both_known_team_paid": both_team.get(cur, {"total": 0.0})["total"],
                    "both_known_playbook": both_playbook.get(cur, {"total": 0.0})["total"]}
    return out


def losing_rules(bt, min_cases: int) -> list:
    """Rules (per platform) whose advice, when followed, most often ended platform_for_buyer or in
    a negative review; groups of at least `min_cases` closed followed cases, worst first."""
    part = bt.loc[closed_mask(bt) & (bt["followed"] == "yes"), ["rule_id", "platform", "outcome", "review_left"]]
    lost, negative = part["outcome"] == "platform_for_buyer", part["review_left"] == "negative"
    g = part[["rule_id", "platform"]].assign(lost=lost, negative=negative, bad=lost | negative) \
        .groupby(["rule_id", "platform"], sort=True).agg(n=("lost", "size"), lost=("lost", "sum"),
                                                          negative=("negative", "sum"), bad=("bad", "sum"))
    rows = [{"rule_id": rule, "platform": platform, "followed_cases": int(r.n), "platform_for_buyer": int(r.lost),
             "negative_reviews": int(r.negative), "bad_share": round(int(r.bad) / int(r.n), 4)}
            for (rule, platform), r in g[g["n"] >= min_cases].iterrows()]
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
