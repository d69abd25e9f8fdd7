"""The decision engine: a playbook applied to engine columns, all rows at once.

`decide` is the one code path: `recommend()` calls it with one row, the batch with a million.
It returns arrays (one entry per row); turning them into a Recommendation or a table is the
caller's job.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .costs import UNIT, est_costs, refund_amounts
from .facts import FACTS, KNOWN_TRACKING, derive
from .fields import DISPUTE_TYPES, EVIDENCE, PLATFORMS
from .levers import LEVERS, apply
from .money import MONEY_NAMES, rate_column, unit_column

FLOOR_SHARE = "partial_refund_floor_share"  # parameters.yaml: the least a partial refund capped at the profit offers
RATE = "currency_rate"  # engine column: units of the row's currency per 1 base currency (NaN: no rate)


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


# derive() reads these fields: a change to any of them may change every derived fact.
_FACT_INPUTS = frozenset({"as_of_date", "order_date", "ship_date", "delivery_date", "promised_delivery_days",
                          "order_value", "item_cost", "shipping_cost", "return_shipping_cost", "tracking_number",
                          "platform"})


FACT_NAMES = frozenset(f.name for f in FACTS)


@lru_cache(maxsize=4096)
def condition_names(cond) -> frozenset:
    """Every field or fact a condition tree tests. Worked out once per condition (they are immutable):
    each decision asks it of every rule, and for one case that walk was a fifth of `recommend`."""
    if cond is None:
        return frozenset()
    if hasattr(cond, "parts"):
        return frozenset().union(*(condition_names(p) for p in cond.parts))
    return frozenset({cond.name})


def _table_names(table) -> set:
    return set().union(*(condition_names(r.when) for r in table.rules))


def match(pb, cols: dict, only: tuple | None = None) -> tuple[np.ndarray, dict]:
    """The first matching rule (global index) per row, and the columns with the derived facts.

    `only` limits the work to those dispute types (other rows keep -1): a caller that knows the
    rest cannot change uses it to skip them.
    """
    allcols, view = rules_view(pb, cols)
    return first_rules(pb, view, only), allcols


def rules_view(pb, cols: dict) -> tuple[dict, dict]:
    """(the columns with the derived facts, the same as rules see them: amounts in base currency)."""
    facts = derive(cols, platform_column(pb, cols, "no_reason_return_days"), claim_window(pb, cols))
    allcols = {**cols, **facts}
    return allcols, in_base(pb, allcols)


def first_rules(pb, view: dict, only: tuple | None = None) -> np.ndarray:
    """The first matching rule (global index) per row of `view` (see rules_view); -1 for rows of a
    dispute type outside `only`."""
    n = len(view["dispute_type"])
    chosen = np.full(n, -1, dtype=np.int64)
    offset = 0
    for code, dt in enumerate(DISPUTE_TYPES):
        table = pb.tables[dt]
        rows = np.flatnonzero(view["dispute_type"] == code) if only is None or dt in only else ()
        if len(rows):
            # only the columns this table tests are cut down to its rows
            sub = {k: view[k][rows] for k in _table_names(table)} if len(rows) < n else view
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
    return chosen


def in_base(pb, allcols: dict) -> dict:
    """The columns as rules see them: every amount in the base currency of the shop's rate table."""
    rate = allcols[RATE] if RATE in allcols else rate_column(pb.rates, allcols["currency"])
    out = dict(allcols)
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in MONEY_NAMES:
            out[name] = allcols[name] / rate
    return out


def claim_window(pb, cols) -> np.ndarray:
    """Days from receipt (or the promised date) in which a claim is taken up: the platform's window
    where a source gives one (platforms.yaml), else the shop's own policy (parameters.yaml)."""
    window = platform_column(pb, cols, "buyer_claim_window_days")
    return np.where(np.isnan(window), pb.params.get("shop_claim_window_days", np.nan), window)


_COST_INPUTS = ("order_value", "item_cost", "shipping_cost", "return_shipping_cost", "item_resellable", "ship_date",
                "tracking_status",
                "dispute_type", "proof_of_delivery", "seller_packing_photos", "listing_error", "mismatch",
                "chat_history", RATE, UNIT)


def _by_rule(rules, chosen, cols, margin, params):
    """Refund and cost per row, each computed on the rows its rule decided (element-wise, so equal);
    rules with the same resolution and refund terms are computed together, one pass per such group."""
    n = len(chosen)
    refund, cost = np.zeros(n), np.zeros(n)
    groups = {}
    for i, rule in enumerate(rules):
        groups.setdefault((rule.resolution, rule.refund_share, rule.within_profit), []).append(i)
    group_of = np.full(len(rules) + 1, -1)  # [-1]: a row without a rule (none once validated) gets none
    for g, members in enumerate(groups.values()):
        group_of[members] = g
    row_group = group_of[chosen]
    order = np.argsort(row_group, kind="stable")
    bounds = np.searchsorted(row_group[order], np.arange(len(groups) + 1))
    for g, (resolution, share, within_profit) in enumerate(groups):
        rows = order[bounds[g]:bounds[g + 1]]
        if len(rows) == 0:
            continue
        sub = {k: cols[k][rows] for k in _COST_INPUTS}
        r = refund_amounts(resolution, sub, share, within_profit, margin[rows], params.get(FLOOR_SHARE, 0.0))
        refund[rows] = r
        cost[rows] = est_costs(resolution, sub, r, params)
    return refund, cost


class _Alternatives(Mapping):
    """resolution -> (refund, cost) arrays, computed when first read (the batch table never reads them)."""

    def __init__(self, resolutions, cols, share, margin, params):
        self._keys, self._cols, self._share, self._margin, self._done = tuple(resolutions), cols, share, margin, {}
        self._params = params

    def __getitem__(self, res):
        if res not in self._keys:
            raise KeyError(res)
        if res not in self._done:
            alt_refund = refund_amounts(res, self._cols, self._share, True, self._margin,
                                        self._params.get(FLOOR_SHARE, 0.0))
            self._done[res] = (alt_refund, est_costs(res, self._cols, alt_refund, self._params))
        return self._done[res]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)


def decide(pb, cols: dict, *, explain: bool = True) -> Decisions:
    rules = list(pb.all_rules())
    if RATE not in cols:  # once: levers never change the currency (a batch gives the column it made)
        cols = {**cols, RATE: rate_column(pb.rates, cols["currency"])}
    if UNIT not in cols:  # likewise
        cols = {**cols, UNIT: unit_column(pb.whole_units, cols["currency"])}
    allcols, view = rules_view(pb, cols)
    chosen = first_rules(pb, view)
    n = len(chosen)
    margin = allcols["margin"]
    refund, cost = _by_rule(rules, chosen, cols, margin, pb.params)

    flag_ids = list(pb.risk_flags)
    flags = np.zeros((n, len(flag_ids)), dtype=bool)
    for j, fid in enumerate(flag_ids):
        flags[:, j] = pb.risk_flags[fid]["when"].mask(view)

    evidence_ids = list(EVIDENCE)
    missing = np.zeros((n, len(evidence_ids)), dtype=bool)
    wanted = np.array([[e in r.evidence for e in evidence_ids] for r in rules] or [[False] * len(evidence_ids)])
    wanted_here = wanted[np.maximum(chosen, 0)]
    for j, e in enumerate(evidence_ids):
        field = EVIDENCE[e][0]
        if not wanted[:, j].any():
            continue
        if field is None:
            have = np.zeros(n, dtype=bool)
        elif field == "tracking_number":
            have = allcols["has_tracking_number"] == 1.0
        else:
            have = allcols[field] == 1.0
            if e == "listing_check":
                have = ~np.isnan(allcols[field])  # checked, whatever it found
        missing[:, j] = wanted_here[:, j] & ~have

    seen = []
    for dt in DISPUTE_TYPES:
        seen += [res for res in pb.tables[dt].alternatives if res not in seen]
    alternatives = _Alternatives(seen, cols, pb.params.get("goodwill_partial_share", 0.3), margin, pb.params)

    lever = np.full(n, -1, dtype=np.int64)
    lever_rule = np.full(n, -1, dtype=np.int64)
    if explain:
        _explain(pb, rules, cols, view, chosen, lever, lever_rule)
    return Decisions(chosen, rules, refund, cost, flags, flag_ids, missing, evidence_ids, alternatives,
                     lever, lever_rule, allcols)


def _tested_so_far(pb) -> list:
    """Per rule (in all_rules order): the names it or any rule before it in its table tests."""
    out = []
    for dt in DISPUTE_TYPES:
        seen = set()
        for rule in pb.tables[dt].rules:
            seen |= condition_names(rule.when)
            out.append(frozenset(seen))
    return out


def _explain(pb, rules, cols, view, chosen, lever, lever_rule):
    """The first lever (in LEVERS order) that changes each row's resolution, and the rule it leads to.

    A lever is tried only on rows still without one whose value it changes and whose match can
    move: the first matching rule stays the first unless it, or a rule before it, tests what the
    lever changes (its field, or any fact when the field is one facts are made of). Skipping the
    other rows leaves every result as trying them would. A lever on a field no fact is made of
    leaves the derived facts as they are: its rows are taken from `view` (the columns as rules see
    them) with only that field changed, and nothing is derived again.
    """
    res_names = sorted({r.resolution for r in rules})
    res_code = np.array([res_names.index(r.resolution) for r in rules] + [-1])  # [-1]: no rule (index -1)
    now = res_code[chosen]
    tested = {dt: _table_names(pb.tables[dt]) for dt in DISPUTE_TYPES}
    # text columns are slow to index: where no lever changes the tracking number, the rows pulled
    # for a lever take its fact (a float) instead; the currency is never pulled (RATE, made once
    # per decide, holds what rules need of it, and no lever changes either)
    inputs = _FACT_INPUTS | {"dispute_type", RATE}
    if "tracking_number" not in {lv.field for lv in LEVERS}:
        cols = {**cols, KNOWN_TRACKING: (cols["tracking_number"] != "").astype(np.float64)}
        inputs = (inputs - {"tracking_number"}) | {KNOWN_TRACKING}
    so_far = _tested_so_far(pb)
    for k, lv in enumerate(LEVERS):
        todo = lever < 0
        if not todo.any():
            break
        touched = {lv.field} | (FACT_NAMES if lv.field in _FACT_INPUTS else set())
        only = tuple(dt for dt in DISPUTE_TYPES if tested[dt] & touched)
        if not only:
            continue
        movable = np.array([bool(names & touched) for names in so_far] + [True])  # [-1]: no rule, try it
        _, changed = apply(lv, cols)
        rows = np.flatnonzero(todo & changed & movable[chosen])
        if not len(rows):
            continue
        if lv.field in _FACT_INPUTS:
            needed = inputs | set().union(*(tested[dt] for dt in only))
            pulled, _ = apply(lv, {name: v[rows] for name, v in cols.items() if name in needed})
            new_rule, _ = match(pb, pulled, only)
        else:
            needed = {"dispute_type", lv.field} | set().union(*(tested[dt] for dt in only))
            pulled, _ = apply(lv, {name: view[name][rows] for name in needed})
            new_rule = first_rules(pb, pulled, only)
        hit = res_code[new_rule] != now[rows]
        lever[rows[hit]] = k
        lever_rule[rows[hit]] = new_rule[hit]
