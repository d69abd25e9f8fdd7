"""Backtest: the playbook's recommendation beside what the team did and how each case ended.

The history is read, mapped and validated exactly as a batch is (`runner.load_cases`,
`read.validate_frame`) and decided by the same `decide` and `recommendation_table`, so every
recommendation here is the batch's. Every input row ends in backtest.csv or errors.csv.

Figures (summary.json, helpers.batch.backtest_figures) count closed cases only: `open` or empty
outcomes are listed, never counted as won or lost. Money is summed per currency, never across.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .health import case_columns, labels
from .weeks import iso_dates

BACKTEST_COLUMNS = ("row", "case_id", "dispute_type", "platform", "currency", "order_value", "sku", "product_title",
                    "mismatch", "week", "recommended", "rule_id", "refund_amount", "est_cost", "action_taken",
                    "followed", "outcome", "amount_paid", "closed_date", "review_left")


@dataclass
class BacktestOptions:
    history: str
    out: str
    as_of: _dt.date | None = None
    playbook: str | None = None
    params: dict = field(default_factory=dict)      # --set: applied to every setting compared
    grid: tuple | None = None                       # (name, [values]) from --grid
    columns: str | None = None                      # mapping file
    min_cases: int = 10                             # smallest group a ranking trusts
    orders: str | None = None                       # --orders N or an orders file
    lang: str = "en"                                # the report's language (--lang)


def decided_history(opts: BacktestOptions):
    """(Validated, cols of the valid rows, row indexes, the playbook under --set, its table, the
    rows' own review dates)."""
    from ..core.engine import decide
    from ..playbook.loader import load_playbook
    from .read import validate_frame
    from .runner import Options, load_cases
    from .table import recommendation_table
    frame = load_cases(Options(cases=opts.history, out=opts.out, columns=opts.columns))
    v = validate_frame(frame, as_of=opts.as_of)
    pb = load_playbook(opts.playbook, opts.params or None)
    rows = np.flatnonzero(v.valid)
    cols = {name: a[rows] for name, a in v.cols.items()}
    table = recommendation_table(pb, cols, decide(pb, cols, explain=False), "en", render=False)
    return v, cols, rows, pb, table, v.own_as_of[rows]


def backtest_frame(cols: dict, rows: np.ndarray, table, dates):
    """backtest.csv: one line per decided row, the recommendation beside what was done."""
    import pandas as pd
    action = labels("action_taken", cols["action_taken"])
    health = {k: np.asarray(v, dtype=object) for k, v in case_columns(cols, dates).items()}  # as text, like the rest
    recommended = table["resolution"].astype(str).to_numpy(dtype=object)
    followed = np.where(action == "", "", np.where(action == recommended, "yes", "no"))
    return pd.DataFrame({
        "row": rows + 2, "case_id": table["case_id"].to_numpy(dtype=object),
        "currency": table["currency"].to_numpy(dtype=object), "order_value": cols["order_value"], **health,
        "recommended": recommended,
        "rule_id": table["rule_id"].astype(str), "refund_amount": table["refund_amount"],
        "est_cost": table["est_cost"], "action_taken": action, "followed": followed,
        "outcome": labels("outcome", cols["outcome"]), "amount_paid": cols["amount_paid"],
        "closed_date": iso_dates(cols["closed_date"]), "review_left": labels("review_left", cols["review_left"]),
    }, columns=list(BACKTEST_COLUMNS))


def run_backtest(opts: BacktestOptions) -> dict:
    """Decide the history, write backtest.csv, errors.csv, products.csv, summary.json (and grid.csv)."""
    from ..iorw.atomic import atomic_write, write_json_atomic
    from .backtest_figures import summarise
    from .health import products_table
    from .orders import dispute_rates, load_orders
    from .backtest_grid import compare_settings
    from .read import error_table
    from .write import csv_bytes, safe_frame
    out = Path(opts.out)
    orders = load_orders(opts.orders)
    v, cols, rows, pb, table, dates = decided_history(opts)
    bt = backtest_frame(cols, rows, table, dates)
    text = ("case_id", "sku", "product_title")
    atomic_write(out / "backtest.csv", lambda p: Path(p).write_bytes(csv_bytes(safe_frame(bt, text), True)))
    errors = error_table(v.problems, lang=opts.lang)
    atomic_write(out / "errors.csv", lambda p: Path(p).write_bytes(
        csv_bytes(safe_frame(errors, ("case_id", "field", "message")), True)))
    products = products_table(bt)
    atomic_write(out / "products.csv", lambda p: Path(p).write_bytes(csv_bytes(safe_frame(products, ("sku",)), True)))
    # the playbook as an absolute path and the language: the report, run in the output folder, takes its labels and words from them
    summary = {"input": str(opts.history), "columns": opts.columns, "params": opts.params, "lang": opts.lang,
               "playbook": str(Path(opts.playbook).resolve()) if opts.playbook else "",
               "rows": int(v.n), "decided": int(len(rows)), "rejected": len(v.problems),
               **summarise(bt, opts.min_cases), "dispute_rates": dispute_rates(bt, orders, pb.dispute_rate_targets)}
    grid = compare_settings(cols, bt, opts)
    if grid is not None:
        summary["grid"] = grid
        import pandas as pd
        flat = pd.DataFrame([_flat_setting(s) for s in grid["settings"]])
        atomic_write(out / "grid.csv", lambda p: Path(p).write_bytes(csv_bytes(flat, True)))
    elif _previous_grid(out):  # a grid of an earlier backtest here is stale; a grid.csv of the user's is left alone
        (out / "grid.csv").unlink(missing_ok=True)
    write_json_atomic(out / "summary.json", summary)
    return summary


def _previous_grid(out: Path) -> bool:
    """Whether the backtest summary already in `out` records a grid (then grid.csv is that run's)."""
    import json
    try:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and "grid" in summary


def _flat_setting(setting: dict) -> dict:
    """One grid setting as one row of plain cells: a figure per currency or per resolution becomes a
    column of its own (observed_cost_USD_total, resolutions_reship), never a JSON text in a cell that a
    spreadsheet cannot sum."""
    row = {}
    for key, value in setting.items():
        if key == "params":
            continue
        if not isinstance(value, dict):
            row[key] = value
            continue
        for part, inner in sorted(value.items()):
            if isinstance(inner, dict):
                row.update({f"{key}_{part}_{name}": figure for name, figure in inner.items()})
            else:
                row[f"{key}_{part}"] = inner
    return row
