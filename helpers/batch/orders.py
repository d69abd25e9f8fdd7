"""`--orders`: the shop's order count, so disputes become a dispute rate per type against the
targets the shop sets in parameters.yaml (`dispute_rate_targets`).

`--orders 2400` is the number of orders of the period the cases come from. `--orders FILE` is an
orders export (.csv, .xlsx, .parquet, .jsonl; docs/contract.md, "Orders file"): one line per count,
with the column `orders` and, optionally, `week` (any day of the week) and `platform`. A dispute
counts against the orders of its own cell: its (week, platform) when the file has both columns, its
week or its platform when it has one. A dispute in a cell the file has no count for is rightly left
out; one whose week or platform is unknown but might fall in a counted cell is "not placed": the
rates it may belong to are then a lower bound or unknown, and never judged within target. Disputes
left out are counted and said, with why.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.exceptions import InputFileError, UsageError
from ..core.fields import DISPUTE_TYPES, PLATFORMS
from .report_words import Labels

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
    frame = read_table(path, header_row=None, expected=ORDER_COLUMNS)  # a title line above the header is skipped
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "orders" not in frame.columns:
        raise InputFileError(path, f"has no `orders` column (it has: {', '.join(map(str, frame.columns))})",
                             "name the column with the order counts `orders`; `week` and `platform` are optional")
    counts = pd.DataFrame({"orders": [_whole(path, _line(frame, i), "orders", x) for i, x in enumerate(frame["orders"])]})
    counts["week"] = _weeks(path, frame) if "week" in frame.columns else ""
    counts["platform"] = _platforms(path, frame) if "platform" in frame.columns else ""
    counts = counts.groupby(["week", "platform"], as_index=False)["orders"].sum()
    return Orders(path.name, counts, "week" in frame.columns, "platform" in frame.columns)


def _line(frame, i: int) -> int:
    """Row i's line in the file as a spreadsheet numbers it (a title line above the header counts)."""
    rows = frame.attrs.get("rows")
    return int(rows[i]) if rows is not None and i < len(rows) else i + 2


def _weeks(path, frame) -> list:
    import pandas as pd

    from .weeks import week_of
    text = frame["week"].astype(str).str.strip().str.slice(0, 10)
    days = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        i = int(np.flatnonzero(days.isna().to_numpy())[0])
        raise InputFileError(path, f"line {_line(frame, i)}, column week: {frame['week'].iat[i]!r} is not a date YYYY-MM-DD",
                             "give any day of the week the count is for, e.g. 2026-10-05")
    ordinals = days.map(lambda d: float(d.toordinal())).to_numpy(dtype=float)
    return list(week_of(ordinals))


def _platforms(path, frame) -> list:
    names = frame["platform"].astype(str).str.strip().str.lower()
    for i, name in enumerate(names):
        if name not in PLATFORMS:
            raise InputFileError(path, f"line {_line(frame, i)}, column platform: {name!r} is not one of {', '.join(PLATFORMS)}",
                                 "use the contract's platform names")
    return list(names)


def _status(rate, at_least, not_placed: int, target) -> str:
    """The verdict against the target, only where the figures support one: a rate with disputes that
    could not be placed (no date, no platform) is a lower bound, which can only show a rate above."""
    if target is None:
        return "no target set"
    if not_placed:
        return "above target" if at_least is not None and at_least > target else "cannot tell"
    if rate is None:
        return "cannot tell"  # no orders counted: no rate to judge
    return "above target" if rate > target else "within target"


def _rate_rows(disputes, not_placed, orders: int, targets: dict, **keys) -> list:
    """One line for all types together and one per dispute type seen. `disputes` are set against the
    `orders`; `not_placed` are disputes that may belong to them too but could not be placed (no date,
    no platform): with any, the rate is unknown, or at least the rate of the disputes placed."""
    rows = []
    seen = {*disputes["dispute_type"].unique(), *not_placed["dispute_type"].unique()}
    for dtype in ("all",) + tuple(t for t in DISPUTE_TYPES if t in seen):
        n, m = (int(len(f)) if dtype == "all" else int((f["dispute_type"] == dtype).sum())
                for f in (disputes, not_placed))
        rate = round(n / orders, 6) if orders else None
        at_least = rate if m and n else None
        rate = None if m else rate
        target = targets.get("overall" if dtype == "all" else dtype)
        rows.append({**keys, "dispute_type": dtype, "disputes": n, "orders": int(orders), "rate": rate,
                     "rate_at_least": at_least, "not_placed": m, "target": target,
                     "status": _status(rate, at_least, m, target)})
    return rows


def _placed(frame, orders: Orders) -> tuple:
    """(counted, not placed) masks of `frame`'s disputes against the orders file's cells: a dispute
    counts against the orders of its own (week, platform) cell only (its week, or its platform, when
    the file counts by one of them). One whose week or platform is unknown is not placed when some cell
    the file counts could hold it; every other dispute is outside the file's counts, rightly left out."""
    import pandas as pd
    dims = [k for k, on in (("week", orders.by_week), ("platform", orders.by_platform)) if on]
    if not dims:  # --orders N: every dispute counts
        return np.ones(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool)
    cells = set(zip(*(orders.counts[k].astype(str) for k in dims)))
    # each distinct (week, platform) of the disputes is placed once: a million rows hold a few dozen
    factors = [pd.factorize(frame[k], use_na_sentinel=False) for k in dims]
    combined = np.zeros(len(frame), dtype=np.int64)
    for codes, texts in factors:
        combined = combined * len(texts) + codes
    distinct, rows = np.unique(combined, return_inverse=True)
    placed = np.array([_place(_cell_of(int(c), factors), cells) for c in distinct], dtype=bool).reshape(-1, 2)
    return placed[rows, 0], placed[rows, 1]


def _cell_of(combined: int, factors: list) -> tuple:
    """The (week, platform) texts of a combined code ('' where unknown)."""
    cell = []
    for codes, texts in reversed(factors):
        combined, code = divmod(combined, len(texts))
        cell.append("" if texts[code] is None or texts[code] != texts[code] else str(texts[code]))
    return tuple(reversed(cell))


def _place(cell: tuple, cells: set) -> tuple:
    """(counted, not placed) for one dispute cell ('' where its week or platform is unknown)."""
    if all(cell):
        return cell in cells, False
    could = any(all(a in ("", b) for a, b in zip(cell, counted)) for counted in cells)
    return False, could


def dispute_rates(frame, orders: Orders | None, targets: dict) -> dict | None:
    """Disputes per order, by type (and by platform and week when the orders file has them),
    against the shop's targets; None without --orders. `frame` has the health columns."""
    if orders is None:
        return None
    counts = orders.counts
    counted_mask, not_placed_mask = _placed(frame, orders)
    outside = ~counted_mask & ~not_placed_mask
    left_out_by = {}  # why disputes were left out, as counts (the reports word them in their language)
    if not_placed_mask.any():
        undated = not_placed_mask & (frame["week"] == "").to_numpy() if orders.by_week else 0
        left_out_by["not placed: no date"] = int(np.sum(undated))
        left_out_by["not placed: no platform"] = int(not_placed_mask.sum() - np.sum(undated))
    if outside.any():
        left_out_by[f"outside: {_dimensions(orders)}"] = int(outside.sum())
    left_out_by = {why: n for why, n in left_out_by.items() if n}
    counted, not_placed = frame[counted_mask], frame[not_placed_mask]
    out = {"source": orders.source, "orders": orders.total, "disputes_counted": int(counted_mask.sum()),
           "left_out": int((~counted_mask).sum()), "not_placed": int(not_placed_mask.sum()),
           "left_out_because": [Labels("en").word(f"left out: {why}", n=n) for why, n in left_out_by.items()],
           "left_out_by": left_out_by,
           "by_type": _rate_rows(counted, not_placed, orders.total, targets), "by_platform": [], "by_week": []}
    for key, group in (("platform", "by_platform"), ("week", "by_week")):
        if getattr(orders, f"by_{key}"):
            for value, n in counts.groupby(key)["orders"].sum().items():
                maybe = not_placed[not_placed[key].isin([value, ""])]  # could be of this group
                out[group] += _rate_rows(counted[counted[key] == value], maybe, int(n), targets, **{key: value})
    return out


def _dimensions(orders: Orders) -> str:
    """What the orders file counts by: "cell" (week and platform), "week" or "platform"."""
    return "cell" if orders.by_week and orders.by_platform else "week" if orders.by_week else "platform"

