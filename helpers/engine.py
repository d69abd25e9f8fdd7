"""The decision engine: a playbook applied to engine columns, all rows at once.

`decide` is the one code path: `recommend()` calls it with one row, the batch with a million.
It returns arrays (one entry per row); turning them into a Recommendation or a table is the
caller's job.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .costs import est_costs, refund_amounts
from .facts import derive
from .fields import DISPUTE_TYPES, EVIDENCE, PLATFORMS
from .levers import LEVERS, apply


@dataclass
class Decisions:
    rule: np.ndarray          # index into `rules` (-1: no table for the row, cannot happen once validated)
    rules: list               # every rule of the playbook, in table order
    refund: np.ndarray
    est_cost: np.ndarray
    flags: np.ndarray         # n × len(flag_ids) booleans
    flag_ids: list
    missing: np.ndarray       # n × len(EVIDENCE) booleans
    evidence_ids: list
    alternatives: dict        # resolution -> (refund array, cost array, applies-mask)
    lever: np.ndarray         # index into LEVERS of the nearest change, -1 for none
    lever_rule: np.ndarray    # the rule that lever would lead to
    facts: dict


def platform_column(pb, cols, fact):
    """A platform fact per row (NaN where the platform has no value on file)."""
    table = np.array([_num(pb.platforms.get(p, {}).get(fact)) for p in PLATFORMS])
    code = cols["platform"]
    out = np.full(len(code), np.nan)
    known = ~np.isnan(code)
    out[known] = table[code[known].astype(int)]
    return out


def _num(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else np.nan


def match(pb, cols: dict) -> tuple[np.ndarray, dict]:
    """The first matching rule (global index) per row, and the derived facts."""
    facts = derive(cols, platform_column(pb, cols, "no_reason_return_days"))
    allcols = {**cols, **facts}
    rules = list(pb.all_rules())
    n = len(cols["order_value"])
    chosen = np.full(n, -1, dtype=np.int64)
    offset = 0
    for code, dt in enumerate(DISPUTE_TYPES):
        table = pb.tables[dt]
        rows = np.flatnonzero(cols["dispute_type"] == code)
        if len(rows):
            sub = {k: v[rows] for k, v in allcols.items()} if len(rows) < n else allcols
            pending = np.ones(len(rows), dtype=bool)
            picked = np.full(len(rows), -1, dtype=np.int64)
            for rule in table.rules:
                hit = pending if rule.when is None else pending & rule.when.mask(sub)
                picked[hit] = offset + rule.index
                pending &= ~hit
                if not pending.any():
                    break
            chosen[rows] = picked
        offset += len(table.rules)
    return chosen, allcols


def _by_rule(rules, chosen, fn, n):
    """Apply `fn(rule, row_mask)` for every rule that decided some rows; concatenate by row."""
    out = np.zeros(n)
    for i in np.unique(chosen):
        if i >= 0:
            rows = chosen == i
            out[rows] = fn(rules[i], rows)[rows]
    return out


def decide(pb, cols: dict, *, explain: bool = True) -> Decisions:
    rules = list(pb.all_rules())
    chosen, allcols = match(pb, cols)
    n = len(chosen)
    margin = allcols["margin"]

    def refund_of(rule, _rows):
        return refund_amounts(rule.resolution, cols, rule.refund_share, rule.within_profit, margin)

    refund = _by_rule(rules, chosen, refund_of, n)
    cost = _by_rule(rules, chosen, lambda r, _m: est_costs(r.resolution, cols, refund), n)

    flag_ids = list(pb.risk_flags)
    flags = np.zeros((n, len(flag_ids)), dtype=bool)
    for j, fid in enumerate(flag_ids):
        flags[:, j] = pb.risk_flags[fid]["when"].mask(allcols)

    evidence_ids = list(EVIDENCE)
    missing = np.zeros((n, len(evidence_ids)), dtype=bool)
    wanted = np.array([[e in r.evidence for e in evidence_ids] for r in rules] or [[False] * len(evidence_ids)])
    for j, e in enumerate(evidence_ids):
        field = EVIDENCE[e][0]
        if field is None:
            have = np.zeros(n, dtype=bool)
        elif field == "tracking_number":
            have = allcols["has_tracking_number"] == 1.0
        else:
            have = allcols[field] == 1.0
            if e == "listing_check":
                have = ~np.isnan(allcols[field])  # checked, whatever it found
        missing[:, j] = wanted[np.maximum(chosen, 0), j] & ~have

    alternatives = {}
    for code, dt in enumerate(DISPUTE_TYPES):
        for res in pb.tables[dt].alternatives:
            if res in alternatives:
                continue
            share = pb.params.get("goodwill_partial_share", 0.3)
            alt_refund = refund_amounts(res, cols, share, True, margin)
            alternatives[res] = (alt_refund, est_costs(res, cols, alt_refund))

    lever = np.full(n, -1, dtype=np.int64)
    lever_rule = np.full(n, -1, dtype=np.int64)
    if explain:
        resolution_now = np.array([rules[i].resolution for i in chosen], dtype=object)
        for k, lv in enumerate(LEVERS):
            todo = lever < 0
            if not todo.any():
                break
            pulled, changed = apply(lv, cols)
            new_rule, _ = match(pb, pulled)
            new_res = np.array([rules[i].resolution for i in new_rule], dtype=object)
            hit = todo & changed & (new_res != resolution_now)
            lever[hit] = k
            lever_rule[hit] = new_rule[hit]
    return Decisions(chosen, rules, refund, cost, flags, flag_ids, missing, evidence_ids, alternatives,
                     lever, lever_rule, allcols)
