"""Policy what-if: the same cases under the playbook as it is and with changed parameters.

The batch decides each chunk under both policies; `compare_chunk` counts the decisions that
change (from what to what) and sums refunds and estimated costs per currency (amounts in
different currencies are never added together). `summarise` adds the chunks up for
whatif.json, the CLI summary and the report's what-if section.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from .report_words import counted_word

CHANGE_COLUMNS = ("row", "case_id", "dispute_type", "platform", "currency", "baseline_resolution", "resolution",
                  "baseline_rule_id", "rule_id", "baseline_refund", "refund_amount", "baseline_est_cost", "est_cost")


def _sums(currency, values, counted=None) -> dict:
    """Per currency: the total of the known values (of the `counted` rows only, when given), how many
    rows that total holds, how many were unknown, and how many rows there were."""
    import pandas as pd
    s = pd.DataFrame({"currency": currency, "v": values})
    known = s.dropna() if counted is None else s[counted]
    totals, held = known.groupby("currency")["v"].sum(), known.groupby("currency").size()
    unknown, rows = s[s["v"].isna()].groupby("currency").size(), s.groupby("currency").size()
    return {c: {"total": float(totals.get(c, 0.0)), "counted": int(held.get(c, 0)), "unknown": int(unknown.get(c, 0)),
                "cases": int(rows.get(c, 0))} for c in sorted(set(s["currency"]))}


def compare_chunk(table, base, cols):
    """(JSON-able stats, frame of the changed cases) for one chunk; `table` is the changed policy's."""
    import pandas as pd
    from ..core.costs import money
    base_res = np.array([r.resolution for r in base.rules], dtype=object)[base.rule]
    base_rule = np.array([r.id for r in base.rules], dtype=object)[base.rule]
    res = table["resolution"].astype(str).to_numpy(dtype=object)
    currency = table["currency"].astype(str).to_numpy(dtype=object)
    base_refund, base_cost = money(base.refund), money(base.est_cost)
    changed = (res != base_res) | (table["refund_amount"].to_numpy() != base_refund)
    policy_cost = table["est_cost"].to_numpy(dtype=float)
    both_known = ~np.isnan(base_cost) & ~np.isnan(policy_cost)
    stats = {
        "cases": int(len(res)), "changed": int(changed.sum()),
        "transitions": dict(Counter(f"{a}|{b}" for a, b in zip(base_res[changed], res[changed]))),
        "baseline_resolutions": dict(Counter(base_res.tolist())),
        "resolutions": dict(Counter(res.tolist())),
        # like for like: a case whose cost is unknown under either policy is in neither total (its
        # known side alone counted as a change of that whole amount)
        "cost": {"baseline": _sums(currency, base_cost, both_known), "policy": _sums(currency, policy_cost, both_known)},
        "refund": {"baseline": _sums(currency, base_refund), "policy": _sums(currency, table["refund_amount"].to_numpy())},
    }
    rows = np.flatnonzero(changed)
    frame = pd.DataFrame({
        "row": table["row"].to_numpy()[rows], "case_id": table["case_id"].to_numpy(dtype=object)[rows],
        "dispute_type": table["dispute_type"].astype(str).to_numpy(dtype=object)[rows],
        "platform": table["platform"].astype(str).to_numpy(dtype=object)[rows], "currency": currency[rows],
        "baseline_resolution": base_res[rows], "resolution": res[rows], "baseline_rule_id": base_rule[rows],
        "rule_id": table["rule_id"].astype(str).to_numpy(dtype=object)[rows], "baseline_refund": base_refund[rows],
        "refund_amount": table["refund_amount"].to_numpy()[rows], "baseline_est_cost": base_cost[rows],
        "est_cost": table["est_cost"].to_numpy()[rows]}, columns=list(CHANGE_COLUMNS))
    return stats, frame


def _add(into: dict, sums: dict):
    for cur, v in sums.items():
        slot = into.setdefault(cur, {"total": 0.0, "counted": 0, "unknown": 0, "cases": 0})
        for key in slot:
            slot[key] += v.get(key, 0)  # a chunk's stats of an earlier run (--resume) lack counted and cases


def summarise(params: dict, chunks: list, cases: int) -> dict:
    """whatif.json: the changed parameters, how many decisions change, from what to what, money per currency."""
    transitions, base_res, res = Counter(), Counter(), Counter()
    money = {"cost": {"baseline": {}, "policy": {}}, "refund": {"baseline": {}, "policy": {}}}
    for c in chunks:
        transitions.update(c["transitions"])
        base_res.update(c["baseline_resolutions"])
        res.update(c["resolutions"])
        for kind in money:
            for side in ("baseline", "policy"):
                _add(money[kind][side], c[kind][side])
    # a chunk written before the counts of cases (a --resume of an earlier run's folder) leaves them out
    counted = all("cases" in v for c in chunks for v in c["refund"]["policy"].values())
    by_currency = []
    for cur in sorted(set(money["cost"]["baseline"]) | set(money["cost"]["policy"])):
        row = {"currency": cur}
        for kind in ("cost", "refund"):
            b, p = money[kind]["baseline"].get(cur, {}), money[kind]["policy"].get(cur, {})
            row[f"baseline_{kind}"] = round(b.get("total", 0.0), 2)
            row[f"policy_{kind}"] = round(p.get("total", 0.0), 2)
            row[f"{kind}_delta"] = round(p.get("total", 0.0) - b.get("total", 0.0), 2)
        row["cases_cost_unknown"] = money["cost"]["policy"].get(cur, {}).get("unknown", 0)
        # each side's cases of unknown cost; the totals leave out every case unknown on either side
        row["baseline_cases_cost_unknown"] = money["cost"]["baseline"].get(cur, {}).get("unknown", 0)
        if counted:  # the cases, and those whose cost is known under both policies (what the cost totals hold)
            row["cases"] = money["refund"]["policy"].get(cur, {}).get("cases", 0)
            row["cases_cost_compared"] = money["cost"]["policy"].get(cur, {}).get("counted", 0)
        by_currency.append(row)
    return {"params": params, "cases": cases, "changed": sum(c["changed"] for c in chunks),
            "transitions": [{"from": k.split("|")[0], "to": k.split("|")[1], "cases": n}
                            for k, n in transitions.most_common()],
            "baseline_resolutions": dict(base_res.most_common()), "resolutions": dict(res.most_common()),
            "by_currency": by_currency}


def summary_lines(w: dict, labels: dict | None = None, lang: str = "en", whole_units=frozenset()) -> list:
    """The what-if in a few lines in `lang`; with `labels` (resolution -> words) each change is named
    by its labels, the resolution column's values in brackets; amounts of a currency in `whole_units`
    (the playbook's: JPY) without decimals."""
    from .report_words import Labels
    words = Labels(lang, whole_units=frozenset(whole_units))
    labels = labels or {}
    setting = ", ".join(f"{k}={v:g}" for k, v in w["params"].items())
    share = w["changed"] / w["cases"] if w["cases"] else 0.0
    lines = [words.word(counted_word("console: what-if", w["changed"]), setting=setting, changed=w["changed"],
                        cases=w["cases"], share=f"{share:.1%}")]
    for t in w["transitions"][:12]:
        was, now = labels.get(t["from"]), labels.get(t["to"])
        named = f"{was} -> {now} [{t['from']} -> {t['to']}]" if was and now else f"{t['from']} -> {t['to']}"
        lines.append(f"  {named}{'：' if lang == 'zh' else ': '}{t['cases']}")
    return lines + [money_line(r, words) for r in w["by_currency"]]


def money_line(r: dict, words) -> str:
    """One currency's estimated cost and refunds under both policies (whatif.json's `by_currency`). The
    cost compares the cases whose cost is known under both; when some are not, it says over how many
    it is, and when none is, that it is unknown: never 0.00 -> 0.00."""
    cur = r["currency"]
    refunds = words.money(r["refund_delta"], cur, sign="+")
    cases, compared = r.get("cases"), r.get("cases_cost_compared")
    if cases is None or compared == cases:  # every cost known (or a whatif.json written before these counts)
        return words.word("console: what-if money", currency=cur, before=words.money(r["baseline_cost"], cur),
                          after=words.money(r["policy_cost"], cur), delta=words.money(r["cost_delta"], cur, sign="+"),
                          refunds=refunds)
    if not compared:
        return words.word(counted_word("console: what-if money unknown", cases), currency=cur, cases=f"{cases:,}",
                          refunds=refunds)
    return words.word("console: what-if money partly", currency=cur, before=words.money(r["baseline_cost"], cur),
                      after=words.money(r["policy_cost"], cur), delta=words.money(r["cost_delta"], cur, sign="+"),
                      compared=f"{compared:,}", cases=f"{cases:,}", refunds=refunds)
