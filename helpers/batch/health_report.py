"""Product and shop health as report sections, for the batch review and the backtest report alike.

Each `*_section` returns what a notebook cell displays (Markdown and tables); a figure the input
cannot support is replaced by a sentence saying why, never by an empty table. The figures are the
ones summary.json and products.csv hold (helpers.batch.health, helpers.batch.orders).
"""
from __future__ import annotations

from pathlib import Path

from .report_words import HEALTH_SECTIONS as SECTIONS, Labels  # noqa: F401  (SECTIONS: importable from here)

TOP_SKUS = 20


def _md(text):
    from IPython.display import Markdown
    return Markdown(text)


def _words(summary: dict):
    """The words of the run's language (summary.json's `lang`; a backtest's summary has none: English)."""
    return Labels(summary.get("lang") or "en")


def products_frame(folder):
    """products.csv as written by the run (empty frame when the input had no SKU), each SKU as the
    case gave it (the file's spreadsheet-safety ' taken off: this is for showing, escaped)."""
    import pandas as pd

    from .inert import as_given
    path = Path(folder) / "products.csv"
    if not path.exists():
        return pd.DataFrame({"sku": [], "dispute_type": [], "mismatch": [], "disputes": []})
    products = pd.read_csv(path, dtype={"sku": str, "dispute_type": str, "mismatch": str}, keep_default_na=False)
    return products.assign(sku=products["sku"].map(as_given))


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
    h, lab = summary.get("health"), _words(summary)
    if h is None:
        return [_md(lab.word("health not counted"))]
    if not h["with_sku"]:
        return [_md(lab.word("no sku", cases=h["cases"]))]
    skus = products["sku"].nunique()
    text = lab.word("skus, the top" if skus > TOP_SKUS else "skus, all", with_sku=h["with_sku"], cases=h["cases"],
                    skus=skus, top=TOP_SKUS)
    return [_md(text), products_pivot(products)]


def listings_section(summary: dict) -> list:
    import pandas as pd
    h, lab = summary.get("health"), _words(summary)
    if h is None:
        return []
    rule = h["listing_rule"]
    if not h["not_as_described_with_sku_and_mismatch"]:
        return [_md(lab.word("no listing data"))]
    if not summary["listings_to_fix"]:
        return [_md(lab.word("no listing stands out", **rule))]
    return [_md(lab.word("listings to fix", **rule)), pd.DataFrame(summary["listings_to_fix"])]


def weeks_table(summary: dict):
    import pandas as pd
    table = pd.DataFrame(summary.get("disputes_per_week") or {}).T.fillna(0).astype(int).sort_index()
    table.index.name = "week (Monday)"
    return table


def weeks_section(summary: dict) -> list:
    h, lab = summary.get("health"), _words(summary)
    if h is None:
        return []
    if not h["with_date"]:
        return [_md(lab.word("no dates"))]
    table = weeks_table(summary)
    undated = h["cases"] - h["with_date"]
    text = lab.word("by week, undated left out", undated=undated) if undated else lab.word("by week")
    if len(table) == 1:
        text += lab.word("one week", week=table.index[0])
    return [_md(text), table]


def chart_weeks(summary: dict):
    table = weeks_table(summary)
    if len(table) < 2:
        return None
    import matplotlib.pyplot as plt

    from ..iorw.fonts import use_cjk_fallback
    use_cjk_fallback()  # its words, and the dispute types the batch report names, may be Chinese
    lab = _words(summary)
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    table.plot(ax=ax, marker="o")
    ax.set_xlabel(lab.word("week (Monday)"))
    ax.set_ylabel(lab.word("disputes"))
    ax.set_title(lab.word("Disputes per week by type"))
    fig.tight_layout()
    return fig


def rates_table(rates: dict, key: str = "by_type", lab=None):
    """One of the rates' lists as a table: rates and targets as percentages; a rate with disputes that
    could not be placed as "at least" its lower bound, or unknown (the column `not_placed` says how
    many, when any were)."""
    import pandas as pd
    lab = lab or Labels("en")
    table = pd.DataFrame(rates[key])
    if len(table):
        table["rate"] = [_rate_text(r, lab) for r in rates[key]]
        table["target"] = table["target"].map(lambda t: "" if t is None or t != t else f"{t:.2%}")
        table = table.drop(columns=[c for c in ("rate_at_least", "not_placed") if c in table.columns
                                    and (c == "rate_at_least" or not table[c].any())])
    return table


def _rate_text(row: dict, lab) -> str:
    if row.get("not_placed"):
        at_least = row["rate_at_least"]
        return lab.word("an unknown amount") if at_least is None else lab.word("at least", rate=f"{at_least:.2%}")
    return "" if row["rate"] is None else f"{row['rate']:.2%}"


def left_out_reasons(rates: dict, lab) -> list:
    """Why disputes were left out of the rates, in the run's language (summary.json's `left_out_by`
    counts; a summary written before it had them gives its English `left_out_because`)."""
    if "left_out_by" not in rates:
        return rates["left_out_because"]
    return [lab.word(f"left out: {why}", n=n) for why, n in rates["left_out_by"].items()]


def rates_section(summary: dict) -> list:
    rates, lab = summary.get("dispute_rates"), _words(summary)
    if summary.get("health") is None:
        return []
    if rates is None:
        return [_md(lab.word("no orders"))]
    text = lab.word("rates counted", source=rates["source"], orders=rates["orders"], counted=rates["disputes_counted"])
    if rates["left_out"]:
        reasons = lab.word("reason separator").join(left_out_reasons(rates, lab))
        text += lab.word("left out", reasons=reasons)
    if rates.get("not_placed"):
        text += lab.word("not placed")
    if all(r["target"] is None for r in rates["by_type"]):
        text += lab.word("no target")
    out = [_md(text), rates_table(rates, lab=lab)]
    if rates["by_platform"]:
        out += [_md(lab.word("per platform")), rates_table(rates, "by_platform", lab)]
    if rates["by_week"]:
        out += [_md(lab.word("per week")), rates_table(rates, "by_week", lab)]
    return out
