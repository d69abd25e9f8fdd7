"""`--orders`: the shop's order count, so disputes become a dispute rate per type against the
targets the shop sets in parameters.yaml (`dispute_rate_targets`).

`--orders 2400` is the number of orders of the period the cases come from. `--orders FILE` is an
orders export (.csv, .xlsx, .parquet, .jsonl; docs/contract.md, "Orders file"): one line per count,
with the column `orders` and, optionally, `week` (any day of the week) and `platform`. With weeks,
only disputes whose own review date falls in a week the file counts are set against its orders;
with platforms, only disputes on a platform the file names. Disputes left out are counted and said.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.exceptions import InputFileError, UsageError
from ..core.fields import DISPUTE_TYPES, PLATFORMS

ORDER_COLUMNS = ("orders", "week", "platform")


@dataclass
class Orders:
    source: str
    counts: object            # DataFrame: week ('' when the file has none), platform ('' idem), orders
    by_week: bool
    by_platform: bool

    @property
    def total(self) -> int:
        return int(self.counts["orders"].sum())


def _whole(path, line, column, text) -> int:
    try:
        value = float(str(text).replace(",", "").strip())
    except ValueError:
        value = -1.0
    if value < 0 or value != int(value):
        raise InputFileError(path, f"line {line}, column {column}: {text!r} is not a whole number of orders (0 or more)",
                             "write the count of orders, e.g. 1200")
    return int(value)


def _looks_like_number(text: str) -> bool:
    """`-5`, `12.5`, `1e3`, `+3`: meant as a count, not a file."""
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def load_orders(value) -> Orders | None:
    """`--orders` as given: a whole number, or a file; None when not given. Any bad cell fails the
    run (exit 2) naming the file, line and column: a rate on a wrong count would mislead."""
    if value is None or str(value).strip() == "":
        return None
    import pandas as pd
    text = str(value).strip()
    if text.replace(",", "").isdigit() and int(text.replace(",", "")) > 0:
        n = int(text.replace(",", ""))
        return Orders(f"--orders {n}", pd.DataFrame({"week": [""], "platform": [""], "orders": [n]}), False, False)
    from ..iorw.tables import read_table
    path = Path(text)
    if not path.exists() and _looks_like_number(text):
        raise UsageError(f"--orders {text}: the number of orders must be a positive whole number "
                         "— give the orders of the period the cases come from, e.g. --orders 1200, or an orders file")
    if not path.is_file():
        raise InputFileError(path, "is neither a number of orders nor an orders file",
                             "give --orders 1200 or the path of an orders export (docs/contract.md, \"Orders file\")")
    frame = read_table(path, expected=ORDER_COLUMNS)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "orders" not in frame.columns:
        raise InputFileError(path, f"has no `orders` column (it has: {', '.join(map(str, frame.columns))})",
                             "name the column with the order counts `orders`; `week` and `platform` are optional")
    counts = pd.DataFrame({"orders": [_whole(path, i + 2, "orders", x) for i, x in enumerate(frame["orders"])]})
    counts["week"] = _weeks(path, frame) if "week" in frame.columns else ""
    counts["platform"] = _platforms(path, frame) if "platform" in frame.columns else ""
    counts = counts.groupby(["week", "platform"], as_index=False)["orders"].sum()
    return Orders(path.name, counts, "week" in frame.columns, "platform" in frame.columns)


def _weeks(path, frame) -> list:
    import pandas as pd

    from .weeks import week_of
    text = frame["week"].astype(str).str.strip().str.slice(0, 10)
    days = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        line = int(np.flatnonzero(days.isna().to_numpy())[0]) + 2
        raise InputFileError(path, f"line {line}, column week: {frame['week'].iat[line - 2]!r} is not a date YYYY-MM-DD",
                             "give any day of the week the count is for, e.g. 2026-10-05")
    ordinals = days.map(lambda d: float(d.toordinal())).to_numpy(dtype=float)
    return list(week_of(ordinals))


def _platforms(path, frame) -> list:
    names = frame["platform"].astype(str).str.strip().str.lower()
    for i, name in enumerate(names):
        if name not in PLATFORMS:
            raise InputFileError(path, f"line {i + 2}, column platform: {name!r} is not one of {', '.join(PLATFORMS)}",
                                 "use the contract's platform names")
    return list(names)


def _status(rate, target) -> str:
    if target is None:
        return "no target set"
    return "above target" if rate is not None and rate > target else "within target"


def _rate_rows(disputes, orders: int, targets: dict, **keys) -> list:
    """One line for all types together and one per dispute type seen."""
    rows = []
    for dtype in ("all",) + tuple(t for t in DISPUTE_TYPES if t in set(disputes["dispute_type"])):
        n = int(len(disputes)) if dtype == "all" else int((disputes["dispute_type"] == dtype).sum())
        rate = round(n / orders, 6) if orders else None
        target = targets.get("overall" if dtype == "all" else dtype)
        rows.append({**keys, "dispute_type": dtype, "disputes": n, "orders": int(orders), "rate": rate,
                     "target": target, "status": _status(rate, target)})
    return rows


def dispute_rates(frame, orders: Orders | None, targets: dict) -> dict | None:
    """Disputes per order, by type (and by platform and week when the orders file has them),
    against the shop's targets; None without --orders. `frame` has the health columns."""
    if orders is None:
        return None
    counts = orders.counts
    keep = np.ones(len(frame), dtype=bool)
    reasons, left_out_by = [], {}  # the reasons in words, and the same as counts (the report words them in its language)
    if orders.by_week:
        inside = frame["week"].isin(set(counts["week"])).to_numpy()
        if (~inside).any():
            left_out_by["week"] = int((~inside).sum())
            reasons.append(f"{left_out_by['week']} without a review date in a week the orders file counts")
        keep &= inside
    if orders.by_platform:
        named = frame["platform"].isin(set(counts["platform"])).to_numpy()
        if (keep & ~named).any():
            left_out_by["platform"] = int((keep & ~named).sum())
            reasons.append(f"{left_out_by['platform']} on a platform the orders file does not name")
        keep &= named
    counted = frame[keep]
    out = {"source": orders.source, "orders": orders.total, "disputes_counted": int(keep.sum()),
           "left_out": int((~keep).sum()), "left_out_because": reasons, "left_out_by": left_out_by,
           "by_type": _rate_rows(counted, orders.total, targets), "by_platform": [], "by_week": []}
    if orders.by_platform:
        for platform, n in counts.groupby("platform")["orders"].sum().items():
            out["by_platform"] += _rate_rows(counted[counted["platform"] == platform], int(n), targets, platform=platform)
    if orders.by_week:
        for week, n in counts.groupby("week")["orders"].sum().items():
            out["by_week"] += _rate_rows(counted[counted["week"] == week], int(n), targets, week=week)
    return out
