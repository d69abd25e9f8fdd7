"""Product and shop health as report sections, for the batch review and the backtest report alike.

Each `*_section` returns what a notebook cell displays (Markdown and tables); a figure the input
cannot support is replaced by a sentence saying why, never by an empty table. The figures are the
ones summary.json and products.csv hold (helpers.batch.health, helpers.batch.orders).
"""
from __future__ import annotations

from pathlib import Path

SECTIONS = ("Disputes by product", "Listings to fix", "Disputes per week", "Dispute rate against target")
TOP_SKUS = 20


def _md(text):
    from IPython.display import Markdown
    return Markdown(text)


def products_frame(folder):
    """products.csv as written by the run (empty frame when the input had no SKU)."""
    import pandas as pd
    path = Path(folder) / "products.csv"
    if not path.exists():
        return pd.DataFrame({"sku": [], "dispute_type": [], "mismatch": [], "disputes": []})
    return pd.read_csv(path, dtype={"sku": str, "dispute_type": str, "mismatch": str}, keep_default_na=False)


def products_pivot(products, top: int = TOP_SKUS):
    """SKU (rows, most disputes first) × dispute type / mismatch (columns): disputes."""
    if not len(products):
        return products
    p = products.assign(kind=products["dispute_type"] + products["mismatch"].map(lambda m: f" / {m}" if m else ""))
    table = p.pivot_table(index="sku", columns="kind", values="disputes", aggfunc="sum", fill_value=0)
    table["total"] = table.sum(axis=1)
    table = table.sort_values(["total"], ascending=False, kind="stable").head(top)
    table.columns.name = "dispute type / mismatch"
    return table


def products_section(summary: dict, products) -> list:
    """`products`: products.csv's table (products_frame(folder), or health.products_table of a frame)."""
    h = summary.get("health")
    if h is None:
        return [_md("Not counted for this run: the Dask engine does not count products and weeks yet "
                    "(run the batch with `--engine pandas`).")]
    if not h["with_sku"]:
        return [_md(f"None of the {h['cases']:,} decided cases has a `sku`, so disputes cannot be counted by "
                    "product. Add the seller's product code to the input (or map the export's SKU column with "
                    "`--columns`).")]
    skus = products["sku"].nunique()
    text = (f"{h['with_sku']:,} of {h['cases']:,} decided cases name a SKU ({skus:,} SKUs); "
            + (f"the {TOP_SKUS} with the most disputes below, every one in the run's `products.csv`." if skus > TOP_SKUS
               else "by the most disputes:"))
    return [_md(text), products_pivot(products)]


def listings_section(summary: dict) -> list:
    import pandas as pd
    h = summary.get("health")
    if h is None:
        return []
    rule = h["listing_rule"]
    if not h["not_as_described_with_sku_and_mismatch"]:
        return [_md("No not-as-described case names both a `sku` and a `mismatch`, so no listing can be singled out.")]
    if not summary["listings_to_fix"]:
        return [_md(f"No SKU has {rule['min_cases']} or more not-as-described disputes with {rule['share']:.0%} or more "
                    "of them about the same mismatch: no listing stands out.")]
    return [_md(f"SKUs with at least {rule['min_cases']} not-as-described disputes, {rule['share']:.0%} or more of them "
                "about one mismatch: fix the listing (photos, size chart, description)."),
            pd.DataFrame(summary["listings_to_fix"])]


def weeks_table(summary: dict):
    import pandas as pd
    table = pd.DataFrame(summary.get("disputes_per_week") or {}).T.fillna(0).astype(int).sort_index()
    table.index.name = "week (Monday)"
    return table


def weeks_section(summary: dict) -> list:
    h = summary.get("health")
    if h is None:
        return []
    if not h["with_date"]:
        return [_md("The input gives no `as_of_date` of its own for any case (a review date set with `--as-of` says "
                    "nothing about when a dispute came up), so disputes cannot be counted per week.")]
    table = weeks_table(summary)
    undated = h["cases"] - h["with_date"]
    text = f"By the week of each case's own `as_of_date`; {undated:,} cases without one are left out." if undated else \
        "By the week of each case's own `as_of_date`."
    if len(table) == 1:
        text += f" All dated cases fall in one week ({table.index[0]}): a trend needs cases from several weeks."
    return [_md(text), table]


def chart_weeks(summary: dict):
    table = weeks_table(summary)
    if len(table) < 2:
        return None
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    table.plot(ax=ax, marker="o")
    ax.set_xlabel("week (Monday)")
    ax.set_ylabel("disputes")
    ax.set_title("Disputes per week by type")
    fig.tight_layout()
    return fig


def rates_table(rates: dict, key: str = "by_type"):
    import pandas as pd
    table = pd.DataFrame(rates[key])
    if len(table):
        table["rate"] = table["rate"].map(lambda r: "" if r is None or r != r else f"{r:.2%}")
        table["target"] = table["target"].map(lambda t: "" if t is None or t != t else f"{t:.2%}")
    return table


def rates_section(summary: dict) -> list:
    rates = summary.get("dispute_rates")
    if summary.get("health") is None:
        return []
    if rates is None:
        return [_md("No order count given, so no dispute rate: run with `--orders N` (orders in the period) or "
                    "`--orders FILE` (an orders export, see docs/contract.md).")]
    text = (f"Disputes per order ({rates['source']}: {rates['orders']:,} orders; {rates['disputes_counted']:,} "
            "decided cases counted).")
    if rates["left_out"]:
        text += f" Left out: {'; '.join(rates['left_out_because'])}."
    if all(r["target"] is None for r in rates["by_type"]):
        text += (" No target is set: the shop sets its own in `playbook/parameters.yaml`, `dispute_rate_targets` "
                 "(overall and per dispute type).")
    out = [_md(text), rates_table(rates)]
    if rates["by_platform"]:
        out += [_md("Per platform (orders from the orders file):"), rates_table(rates, "by_platform")]
    if rates["by_week"]:
        out += [_md("Per week (orders from the orders file):"), rates_table(rates, "by_week")]
    return out
