"""Policy replay on a history: `backtest --set P=V` and `--grid P=A..B:STEP`.

Each setting re-decides the same valid rows with `decide` (vectorised, no messages) under the
playbook with changed parameters; the playbook files are never touched. Per setting, over the
closed cases with a known action:

- observed: where the setting's recommendation is what the team did, the history's outcome and
  amount paid;
- estimated, elsewhere: the loss rate and cost share (amount paid / order value) of the cases
  where the team followed the same rule on the same platform under this setting (else the same
  rule on any platform; else the cost model's est_cost and no loss figure);
- score = average cost share + share lost on the platform (a lost case costs the order and counts
  against the shop's defect rate); lower is better.
The playbook as it is is always the first setting, the one to beat: `choose` names a setting best
only when it scores lower than the playbook as it is and than every other setting.
Money is given per currency; the score is a share, so no currencies are ever added together.
"""
from __future__ import annotations

import re

import numpy as np

from ..core.exceptions import UsageError
from ..core.fields import PLATFORMS
from .backtest_figures import LOST, closed_mask, per_currency

GRID_MAX_SETTINGS = 100
AS_IT_IS = "the playbook as it is"  # the setting a --set run is compared with (the report names it in its language)
_GRID = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(-?[0-9.]+)\s*\.\.\s*(-?[0-9.]+)\s*:\s*([0-9.]+)\s*$")


def parse_grid(spec: str | None):
    """`PARAM=A..B:STEP` as (name, [A, A+STEP, ... ≤ B]); a malformed one is a UsageError."""
    if not spec:
        return None
    m = _GRID.match(spec)
    try:
        name, a, b, step = m.group(1), float(m.group(2)), float(m.group(3)), float(m.group(4))
    except (AttributeError, ValueError):
        raise UsageError(f"--grid needs PARAM=FROM..TO:STEP, got {spec!r} — e.g. --grid wait_grace_days=2..20:2") from None
    if step <= 0 or b < a:
        raise UsageError(f"--grid {spec!r}: TO must be at least FROM and STEP more than 0")
    count = int(np.floor((b - a) / step + 1e-9)) + 1
    if count > GRID_MAX_SETTINGS:
        raise UsageError(f"--grid {spec!r} gives {count} settings; at most {GRID_MAX_SETTINGS}: use a larger STEP")
    return name, [round(a + k * step, 10) for k in range(count)]


def refuse_out_of_range(pb, grid) -> None:
    """A grid with values its parameter cannot take is refused before any work, as --set refuses them
    (exit 2): a setting of 1 for a partial refund's share stopped the whole grid as a playbook error."""
    from ..playbook.loader import range_words
    if not grid:
        return
    name, values = grid
    limits = pb.limits(name)  # an unknown name: UnknownParameterError, an option error too
    bad = [v for v in values if pb.value_problem(name, v)]
    if bad:
        raise UsageError(f"--grid: {name} cannot be {', '.join(f'{v:g}' for v in bad)}: it must be a number "
                         f"{range_words(limits)} — choose FROM..TO within that (see playbook/parameters.yaml)")


def settings_of(params: dict, grid) -> list | None:
    if grid:
        name, values = grid
        return [{**params, name: v} for v in values]
    return [dict(params)] if params else None


def _group_means(keys, values, size):
    """(mean of the known values per key, their count per key)."""
    known = ~np.isnan(values)
    n = np.bincount(keys[known], minlength=size).astype(float)
    total = np.bincount(keys[known], weights=values[known], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / n, n


def _estimate(rule, platform, followed, observed, n_rules):
    """Per row: the observed value where followed, else the followed mean of (rule, platform), else
    of the rule, else NaN."""
    cell = rule * len(PLATFORMS) + platform
    size = n_rules * len(PLATFORMS)
    obs = np.where(followed, observed, np.nan)
    cell_mean, cell_n = _group_means(cell, obs, size)
    rule_mean, rule_n = _group_means(rule, obs, n_rules)
    guess = np.where(cell_n[cell] > 0, cell_mean[cell], np.where(rule_n[rule] > 0, rule_mean[rule], np.nan))
    return np.where(followed, observed, guess)


def evaluate(d, view: dict) -> dict:
    """One setting's figures; `view` holds the history's arrays (see compare_settings)."""
    from .table import money
    res = np.array([r.resolution for r in d.rules], dtype=object)[d.rule]
    rule = d.rule.astype(np.int64)
    est = money(d.est_cost)
    ev = view["evaluable"]
    followed = res[ev] == view["action"][ev]
    value, paid, currency = view["value"][ev], view["paid"][ev], view["currency"][ev]
    lost = _estimate(rule[ev], view["platform"][ev], followed, view["lost"][ev], len(d.rules))
    share = _estimate(rule[ev], view["platform"][ev], followed, paid / value, len(d.rules))
    share = np.where(np.isnan(share) & ~followed, est[ev] / value, share)
    lost_share = float(np.nanmean(lost)) if np.isfinite(lost).any() else None
    cost_share = float(np.nanmean(share)) if np.isfinite(share).any() else None
    score = None if lost_share is None or cost_share is None else round(cost_share + lost_share, 4)
    return {"changed": int((res != view["baseline"]).sum()), "followed": int(followed.sum()),
            "not_followed": int((~followed).sum()),
            "observed_cost": per_currency(currency[followed], paid[followed]),
            "estimated_cost": per_currency(currency[~followed], est[ev][~followed]),
            "lost_observed": int(np.nansum(np.where(followed, view["lost"][ev], 0))),
            "lost_share": lost_share and round(lost_share, 4), "cost_share": cost_share and round(cost_share, 4),
            "score": score, "resolutions": _counts(res)}


def _counts(res) -> dict:
    names, n = np.unique(res.astype(str), return_counts=True)
    return {str(k): int(v) for k, v in zip(names, n)}


def compare_settings(cols: dict, bt, opts) -> dict | None:
    """grid.json's content (also in summary.json): every setting against the playbook as it is."""
    from ..core.engine import decide
    from ..playbook.loader import load_playbook
    settings = settings_of(opts.params, opts.grid)
    if settings is None:
        return None
    base = load_playbook(opts.playbook)
    d0 = decide(base, cols, explain=False)
    closed = closed_mask(bt).to_numpy()
    action = bt["action_taken"].to_numpy(dtype=object)
    outcome = bt["outcome"].to_numpy(dtype=object)
    view = {"evaluable": closed & (action != ""), "action": action,
            "lost": np.isin(outcome, LOST).astype(float), "value": cols["order_value"],
            "paid": bt["amount_paid"].to_numpy(dtype=float), "currency": bt["currency"].to_numpy(dtype=object),
            "platform": cols["platform"].astype(np.int64),
            "baseline": np.array([r.resolution for r in d0.rules], dtype=object)[d0.rule]}
    rows = [{"setting": AS_IT_IS, "params": {}, **evaluate(d0, view)}]  # every setting is weighed against it
    for s in settings:
        rows.append({"setting": ", ".join(f"{k}={v:g}" for k, v in s.items()), "params": s,
                     **evaluate(decide(base.with_params(s), cols, explain=False), view)})
    verdict, best, tied = choose(rows)
    return {"settings": rows, "verdict": verdict, "best": best and best["setting"],
            "best_params": best and best["params"], "tied": [r["setting"] for r in tied],
            "set_lines": [f"--set {k}={v:g}" for k, v in best["params"].items()] if verdict == "better" else [],
            "explained": "score = average cost share (amount paid / order value; observed where the setting's "
                         "advice is what the team did, else estimated from the cases that followed the same rule) "
                         "+ share lost on the platform; lowest is best"}


def choose(rows: list) -> tuple:
    """(verdict, the best row or None, the rows tied for best) of `rows`, the playbook as it is first.

    A setting is advised only when it scores strictly lower than the playbook as it is and than every
    other setting: a setting that merely equals the playbook as it is (its own current value, or a
    parameter the history never tests) is no reason to change anything, and among equal settings the
    history cannot choose. Verdicts: "better" (one setting wins), "keep" (none scores lower than the
    playbook as it is), "no difference" (every setting scores what the playbook as it is does),
    "tie" (several settings share the lowest score, below the playbook as it is), "unknown" (no score)."""
    as_it_is, settings = rows[0], [r for r in rows[1:] if r["score"] is not None]
    if not settings:
        return "unknown", None, []

    def score(r):  # sums taken in another order differ in the last bits: equal to 1e-9 is equal
        return None if r["score"] is None else round(r["score"], 9)
    lowest, baseline = min(score(r) for r in settings), score(as_it_is)
    if baseline is not None and lowest >= baseline:
        same = all(score(r) == baseline for r in settings)
        return ("no difference" if same else "keep"), as_it_is, []
    tied = [r for r in settings if score(r) == lowest]
    return ("better", tied[0], []) if len(tied) == 1 else ("tie", None, tied)


KEEP = ("keep", "no difference")  # the verdicts that advise keeping the playbook as it is


def verdict_sentence(grid: dict, lab, quote=str) -> str:
    """The grid's verdict in one sentence, in the language of `lab` (report_words.Labels): the terminal
    and the report say it with the same words; the report passes `quote` to set setting names in code
    type. The `--set` lines (or the advice to keep the playbook) follow it, apart."""
    verdict, settings = grid.get("verdict"), grid["settings"]
    scores = {r["setting"]: r["score"] for r in settings}
    baseline = _score_text(scores.get(AS_IT_IS), lab)
    if verdict == "better":
        return lab.word("console: best", setting=quote(grid["best"]), score=_score_text(scores[grid["best"]], lab),
                        baseline=baseline)
    if verdict == "tie":
        names = lab.word("list separator").join(quote(s) for s in grid["tied"])
        return lab.word("console: best tie", settings=names, score=_score_text(scores[grid["tied"][0]], lab),
                        baseline=baseline)
    if verdict in KEEP:
        return lab.word(f"console: best {verdict}", baseline=baseline)
    return lab.word("console: best unknown")


def _score_text(score, lab) -> str:
    """A score as the grid's lines print it (four decimals), or the word for unknown."""
    return lab.word("unknown") if score is None else f"{score:.4f}"


def best_name(grid: dict, lab) -> str:
    """The best setting in a few words (a chart's title): its name, the playbook as it is, a tie, or cannot tell."""
    as_it_is = lab.word("playbook as it is")
    return {"better": grid["best"], "keep": as_it_is, "no difference": as_it_is,
            "tie": lab.word("a tie")}.get(grid.get("verdict"), lab.word("cannot tell"))
