"""The backtest report: the tables and charts behind notebooks/backtest_report.ipynb.

The notebook only calls these functions on a finished backtest folder; `render` runs it with
papermill and saves report.ipynb and report.html (code hidden) beside backtest.csv, with the
batch report's own renderer.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..core.paths import NOTEBOOKS_DIR
from .health_report import SECTIONS as HEALTH_SECTIONS

NOTEBOOK = NOTEBOOKS_DIR / "backtest_report.ipynb"
SECTIONS = ("Recommended × done", "Outcomes and money by (recommended, done)", "Paid against the playbook",
            "Rules that lose when followed", "Departed from the playbook and did better", *HEALTH_SECTIONS,
            "Settings compared")


@dataclass
class Backtest:
    folder: Path
    bt: object        # DataFrame of backtest.csv
    summary: dict


def load_backtest(folder) -> Backtest:
    import pandas as pd
    folder = Path(folder)
    bt = pd.read_csv(folder / "backtest.csv", keep_default_na=False,
                     na_values={c: [""] for c in ("order_value", "refund_amount", "est_cost", "amount_paid")})
    return Backtest(folder, bt, json.loads((folder / "summary.json").read_text(encoding="utf-8")))


def headline(b: Backtest) -> str:
    s = b.summary
    return (f"**{s['rows']:,} rows** from `{Path(s['input']).name}`: **{s['decided']:,} decided**, "
            f"**{s['rejected']:,} rejected** (errors.csv); **{s['closed']:,} closed**, **{s['open']:,} open or "
            f"without outcome** (listed in summary.json, left out of every outcome figure). The team followed "
            f"the playbook in **{s['followed']:,}** cases and did something else in **{s['departed']:,}**.")


def agreement_table(b: Backtest):
    import pandas as pd
    table = pd.DataFrame(b.summary["agreement"]).T.fillna(0).astype(int)
    table.index.name, table.columns.name = "recommended", "done"
    return table.sort_index().sort_index(axis=1)


def pairs_table(b: Backtest):
    """One line per (recommended, done, currency): closed cases, outcomes, money paid (never across currencies)."""
    import pandas as pd
    rows = []
    for p in b.summary["by_pair"]:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(p["outcomes"].items()))
        for cur, money in p["paid"].items():
            rows.append({"recommended": p["recommended"], "done": p["done"], "currency": cur,
                         "closed cases": money["cases"] + money["unknown"], "outcomes (all currencies)": outcomes,
                         "paid": money["total"]})
    return pd.DataFrame(rows)


def cost_table(b: Backtest):
    import pandas as pd
    columns = ["team_paid", "playbook_observed", "playbook_estimated", "playbook_total", "playbook_estimate_unknown"]
    table = pd.DataFrame(b.summary["cost"]).T.reindex(columns=columns)
    table.index.name = "currency"
    return table


def listed(b: Backtest, key: str):
    import pandas as pd
    value = b.summary[key]
    return pd.DataFrame(value["top"] if isinstance(value, dict) else value)


def grid_table(b: Backtest):
    import pandas as pd
    grid = b.summary.get("grid")
    if not grid:
        return None
    return pd.DataFrame([{k: r[k] for k in ("setting", "changed", "followed", "lost_share", "cost_share", "score")}
                         for r in grid["settings"]])


def best_text(b: Backtest) -> str:
    grid = b.summary["grid"]
    if grid["best"] is None:
        return "Best: cannot tell — the history has no closed case with a recorded `action_taken`."
    lines = " ".join(f"`{line}`" for line in grid["set_lines"]) or "keep the playbook as it is"
    return f"Best: `{grid['best']}` — {lines}"


def _figure(width=7.5, height=3.6):
    import matplotlib.pyplot as plt
    return plt.subplots(figsize=(width, height))


def chart_agreement(b: Backtest):
    table = agreement_table(b)
    if table.empty:
        return None
    fig, ax = _figure(7.5, 0.45 * len(table) + 1.8)
    ax.imshow(table.to_numpy(), cmap="Blues")
    ax.set_xticks(range(len(table.columns)), table.columns, rotation=45, ha="right")
    ax.set_yticks(range(len(table.index)), table.index)
    for i in range(len(table.index)):
        for j in range(len(table.columns)):
            ax.text(j, i, int(table.iat[i, j]), ha="center", va="center", fontsize=8)
    ax.set_xlabel("done")
    ax.set_ylabel("recommended")
    ax.set_title("Recommended × done (cases)")
    fig.tight_layout()
    return fig


def chart_cost(b: Backtest):
    table = cost_table(b)
    if table.empty:
        return None
    fig, _ = _figure(7.5, 3.2)
    fig.clear()
    for k, (cur, row) in enumerate(table.iterrows()):
        ax = fig.add_subplot(1, len(table), k + 1)
        ax.bar(["team paid"], [row["team_paid"]], color="#4c72b0")
        ax.bar(["playbook"], [row["playbook_observed"]], color="#55a868", label="observed")
        ax.bar(["playbook"], [row["playbook_estimated"]], bottom=[row["playbook_observed"]], color="#c7e9c0",
               hatch="//", label="estimated")
        ax.set_title(cur)
        if k == 0:
            fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=8)
    fig.suptitle("Paid against the playbook, per currency (estimated part hatched)")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def chart_grid(b: Backtest):
    table = grid_table(b)
    if table is None:
        return None
    fig, ax = _figure()
    ax.plot(table["setting"], table["lost_share"], marker="o", label="share lost on the platform")
    ax.plot(table["setting"], table["cost_share"], marker="o", label="cost share")
    ax.plot(table["setting"], table["score"], marker="o", label="score (lower is better)")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=8)
    ax.set_title(f"Settings compared; best: {b.summary['grid']['best'] or 'cannot tell'}")
    fig.tight_layout()
    return fig


def render(folder, timeout: int = 600):
    """report.ipynb and report.html in the backtest folder."""
    from .report import render_report
    return render_report(folder, notebook=NOTEBOOK, timeout=timeout)
