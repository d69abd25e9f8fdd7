"""Product and shop health: disputes by SKU × dispute type × mismatch, the listings to fix and the
disputes per week, for the batch and the backtest alike (one place for each).

The figures are made from a frame with one line per decided case and the columns of
`case_columns`. A figure the input cannot support (no `sku` column, no dates of its own) is
said to be missing, never shown as an empty or invented table: `health_summary` records what the
input held, and the reports read it.
"""
from __future__ import annotations

import numpy as np

from ..core.fields import FIELD_BY_NAME
from .weeks import day_codes, mondays

LISTING_MIN_CASES = 5        # not-as-described disputes a SKU needs before its mismatches are read
LISTING_SHARE = 0.75         # share of them with one mismatch that makes it a listing to fix
HEALTH_COLUMNS = ("dispute_type", "platform", "sku", "product_title", "mismatch", "week")


def sorted_categorical(codes: np.ndarray, names: list):
    """Rows holding codes into `names` (-1: none) as a categorical whose categories are in the order
    the texts sort, so grouping by it orders groups as grouping by the texts would."""
    import pandas as pd
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names) + 1, dtype=np.int64)
    rank[order] = np.arange(len(names))
    rank[-1] = -1
    return pd.Categorical.from_codes(rank[codes], categories=[names[k] for k in order])


def coded(name: str, codes: np.ndarray):
    """Engine codes of an enum column as a categorical of its values ('' for unknown); no string per row."""
    choices = list(FIELD_BY_NAME[name].choices) + [""]
    return sorted_categorical(np.where(np.isnan(codes), len(choices) - 1, codes).astype(np.int64), choices)


def labels(name: str, codes: np.ndarray) -> np.ndarray:
    """Engine codes of an enum column back to its values ('' for unknown), as text per row."""
    return np.asarray(coded(name, codes), dtype=object)


def _weeks(dates):
    """Each date's Monday (ISO; '' where unknown) as a categorical."""
    codes, texts = day_codes(mondays(dates))
    return sorted_categorical(np.where(codes < 0, len(texts), codes), texts + [""])


def case_columns(cols: dict, dates) -> dict:
    """The health columns of the decided cases as categoricals (their texts are made once each):
    `cols` the validated columns of those rows, `dates` their own review dates (ordinals)."""
    import pandas as pd
    return {"dispute_type": coded("dispute_type", cols["dispute_type"]), "platform": coded("platform", cols["platform"]),
            "sku": pd.Categorical(cols["sku"]), "product_title": pd.Categorical(cols["product_title"]),
            "mismatch": coded("mismatch", cols["mismatch"]), "week": _weeks(dates)}


def products_table(frame):
    """products.csv: disputes by SKU × dispute type × mismatch (cases with a SKU)."""
    part = frame[frame["sku"] != ""]
    return part.groupby(["sku", "dispute_type", "mismatch"], observed=True).size().rename("disputes").reset_index()


def listings_to_fix(frame) -> list:
    """SKUs whose not-as-described disputes mostly share one mismatch (the fix is the listing)."""
    nad = frame[(frame["dispute_type"] == "not_as_described") & (frame["sku"] != "") & (frame["mismatch"] != "")]
    rows = []
    for sku, g in nad.groupby("sku", sort=True, observed=True):
        if len(g) < LISTING_MIN_CASES:
            continue
        counts = g["mismatch"].value_counts()
        share = counts.iloc[0] / len(g)
        if share >= LISTING_SHARE:
            titles = g["product_title"][g["product_title"] != ""]
            rows.append({"sku": sku, "product_title": titles.iloc[0] if len(titles) else "",
                         "not_as_described": int(len(g)), "mismatch": counts.index[0], "share": round(float(share), 4)})
    return sorted(rows, key=lambda r: (-r["share"], -r["not_as_described"], r["sku"]))


def nested_counts(frame, outer: str, inner: str) -> dict:
    """{outer value: {inner value: rows}}, sorted by the outer value."""
    out: dict = {}
    for (a, b), n in frame.groupby([outer, inner], observed=True).size().items():
        out.setdefault(a, {})[b] = int(n)
    return dict(sorted(out.items()))


def per_week(frame) -> dict:
    """Disputes per week (Monday of the row's own review date) by dispute type; undated rows left out."""
    return nested_counts(frame[frame["week"] != ""], "week", "dispute_type")


def health_frame(cols: dict, dates):
    """The decided cases' health columns as a DataFrame of categoricals (what the batch counts; grouped
    with observed=True, in the texts' order)."""
    import pandas as pd
    return pd.DataFrame(case_columns(cols, dates), columns=list(HEALTH_COLUMNS))


def health_summary(frame) -> dict:
    """What summary.json says about products and weeks, with what the input held to say it."""
    with_sku = int((frame["sku"] != "").sum())
    dated = int((frame["week"] != "").sum())
    return {"health": {"cases": int(len(frame)), "with_sku": with_sku, "with_date": dated,
                       "not_as_described_with_sku_and_mismatch": int(
                           ((frame["dispute_type"] == "not_as_described") & (frame["sku"] != "")
                            & (frame["mismatch"] != "")).sum()),
                       "listing_rule": {"min_cases": LISTING_MIN_CASES, "share": LISTING_SHARE}},
            "listings_to_fix": listings_to_fix(frame), "disputes_per_week": per_week(frame)}


def health_figures(cols: dict, rows, dates, orders, pb) -> tuple:
    """(the summary.json entries, the products.csv table or None): products, weeks and, with
    `--orders`, the dispute rates against the playbook's targets. Reads no output of the batch's
    decisions, so the batch works it out while it decides."""
    from .orders import dispute_rates, load_orders
    frame = health_frame({k: cols[k][rows] for k in ("dispute_type", "platform", "sku", "product_title", "mismatch")},
                         dates)
    summary = health_summary(frame)
    table = products_table(frame) if summary["health"]["with_sku"] else None
    summary["dispute_rates"] = dispute_rates(frame, load_orders(orders), pb.dispute_rate_targets)
    return summary, table


def write_products(folder, table) -> None:
    """products.csv in `folder` (nothing when the input had no SKUs)."""
    from pathlib import Path

    from ..iorw.atomic import atomic_write
    from .write import csv_bytes, safe_frame
    if table is not None:
        atomic_write(Path(folder) / "products.csv",
                     lambda p: Path(p).write_bytes(csv_bytes(safe_frame(table, ("sku",)), True)))
