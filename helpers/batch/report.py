"""The batch review report: the numbers and charts behind notebooks/batch_review.ipynb.

The notebook only calls these functions, so everything it shows is tested here. `render_report`
runs the notebook in this process (the run folder as its parameter, injected as papermill does) and
saves it as report.ipynb and report.html (code hidden), both written atomically.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from ..core.paths import NOTEBOOKS_DIR
from .health_report import SECTIONS as HEALTH_SECTIONS

NOTEBOOK = NOTEBOOKS_DIR / "batch_review.ipynb"
REFUNDING = ("partial_refund", "full_refund", "return_refund", "refund_keep_item", "cancel_refund")
SECTIONS = ("Cases by dispute type and resolution", "Refunds and estimated cost by platform and currency",
            "Rates by buyer country", "Risk-flagged cases", "Most often missing evidence", *HEALTH_SECTIONS,
            "Rejected rows", "Policy what-if")
_READ = ["case_id", "dispute_type", "platform", "currency", "order_value", "buyer_country", "resolution",
         "refund_amount", "est_cost", "rule_id", "missing_evidence", "risk_flags"]


@dataclass
class Run:
    folder: Path
    recs: object      # DataFrame (no message text: a million messages are not needed for counts)
    errors: object
    summary: dict
    whatif: dict | None
    changes: object | None


def load_run(folder) -> Run:
    import pandas as pd
    folder = Path(folder)
    text = {c: str for c in _READ if c not in ("order_value", "refund_amount", "est_cost")}
    if (folder / "recommendations.csv").exists():
        recs = pd.read_csv(folder / "recommendations.csv", usecols=_READ, dtype=text, keep_default_na=False,
                           na_values={"order_value": [""], "refund_amount": [""], "est_cost": [""]})
    elif any((folder / "recommendations").glob("part-*.parquet")):  # the Dask engine's partitioned Parquet
        recs = pd.read_parquet(folder / "recommendations", columns=_READ)
        recs[list(text)] = recs[list(text)].fillna("").astype(str)
    else:  # the Dask engine on a file of no rows: no part
        recs = pd.DataFrame({c: pd.Series(dtype=object if c in text else float) for c in _READ})
    errors = pd.read_csv(folder / "errors.csv", dtype={"case_id": str, "field": str, "message": str}, keep_default_na=False)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8")) if (folder / "summary.json").exists() else {}
    whatif = json.loads((folder / "whatif.json").read_text(encoding="utf-8")) if (folder / "whatif.json").exists() else None
    changes = None
    if whatif and (folder / "whatif_changes.csv").exists():
        changes = pd.read_csv(folder / "whatif_changes.csv", keep_default_na=False)
    return Run(folder, recs, errors, summary, whatif, changes)


def headline(run: Run) -> str:
    s = run.summary
    rows = s.get("rows", len(run.recs) + len(run.errors))
    text = (f"**{rows:,} rows** from `{Path(s.get('input', '?')).name}`, reviewed as of **{s.get('as_of', '?')}**: "
            f"**{len(run.recs):,} decided**, **{len(run.errors):,} rejected** (see *Rejected rows*).")
    if s.get("params"):
        text += " Decided under a changed policy: " + ", ".join(f"`{k}={v:g}`" for k, v in s["params"].items()) + "."
    return text


def by_type_and_resolution(recs):
    """Cases per dispute type (rows) and resolution (columns), with totals."""
    import pandas as pd
    return pd.crosstab(recs["dispute_type"], recs["resolution"], margins=True, margins_name="total")


def money_by_platform_currency(recs):
    """Cases, refund total and estimated cost per platform and currency (currencies are never added up)."""
    g = recs.groupby(["platform", "currency"])
    out = g.agg(cases=("case_id", "size"), refunded_cases=("refund_amount", lambda s: int((s > 0).sum())),
                refund_total=("refund_amount", "sum"), est_cost_total=("est_cost", "sum"),
                cost_unknown=("est_cost", lambda s: int(s.isna().sum())))
    return out.round(2).reset_index()


def rates_by_country(recs, min_cases: int = 1):
    """Per buyer country: cases, refund rate, return rate (return_refund) and refunds as a share of sales."""
    import pandas as pd
    r = recs.assign(buyer_country=recs["buyer_country"].replace("", "(unknown)"),
                    refunded=recs["resolution"].isin(REFUNDING), returned=recs["resolution"].eq("return_refund"))
    g = r.groupby("buyer_country")
    out = pd.DataFrame({"cases": g.size(), "refund_rate": g["refunded"].mean(), "return_rate": g["returned"].mean(),
                        "refund_share_of_value": g["refund_amount"].sum() / g["order_value"].sum()})
    out = out[out["cases"] >= min_cases].sort_values("cases", ascending=False)
    return out.round(3).reset_index()


def _split_counts(column):
    import pandas as pd
    items = column[column != ""].str.split("; ").explode()
    return items.value_counts().rename_axis("id").reset_index(name="cases") if len(items) else \
        pd.DataFrame({"id": [], "cases": []})


def risk_flag_counts(recs):
    return _split_counts(recs["risk_flags"])


def risk_flagged(recs, limit: int = 25):
    """The flagged cases, most flags first."""
    flagged = recs[recs["risk_flags"] != ""].copy()
    flagged["flags"] = flagged["risk_flags"].str.count("; ") + 1
    flagged = flagged.sort_values(["flags", "order_value"], ascending=False)
    return flagged[["case_id", "dispute_type", "platform", "resolution", "order_value", "currency", "risk_flags"]].head(limit)


def missing_evidence(recs, lang: str = "en"):
    """Evidence the playbook wanted and the cases lacked, most often missing first, with its label."""
    from ..core.fields import EVIDENCE
    counts = _split_counts(recs["missing_evidence"])
    counts["evidence"] = [EVIDENCE[i][2 if lang == "zh" else 1] if i in EVIDENCE else i for i in counts["id"]]
    counts["share_of_cases"] = (counts["cases"] / max(len(recs), 1)).round(3)
    return counts


def rejected_by_field(errors):
    import pandas as pd
    if not len(errors):
        return pd.DataFrame({"field": [], "rows": []})
    fields = errors["field"].str.split(", ").explode()
    return fields.value_counts().rename_axis("field").reset_index(name="rows")


def rejected_rows(errors, limit: int = 50):
    return errors.head(limit)


def whatif_transitions(run: Run):
    import pandas as pd
    if not run.whatif:
        return None
    return pd.DataFrame(run.whatif["transitions"], columns=["from", "to", "cases"])


def whatif_money(run: Run):
    import pandas as pd
    if not run.whatif:
        return None
    return pd.DataFrame(run.whatif["by_currency"])


def whatif_headline(run: Run) -> str:
    if not run.whatif:
        return "This run has no what-if: run the batch with `--set PARAM=VALUE` to compare a changed policy."
    from .whatif import summary_lines
    return summary_lines(run.whatif)[0]


# ---- charts (matplotlib figures; the notebook shows them) ----

def _figure(width=7.5, height=3.6):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(width, height))
    return fig, ax


def chart_type_resolution(table):
    body = table.drop(index="total", columns="total", errors="ignore")
    if body.empty:
        return None
    fig, ax = _figure()
    # eleven resolutions outnumber the default ten colours: tab20 keeps every one distinct
    body.plot.barh(stacked=True, ax=ax, width=0.7, colormap="tab20")
    ax.set_xlabel("cases")
    ax.set_ylabel("")
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    ax.set_title("Resolution by dispute type")
    fig.tight_layout()
    return fig


def chart_counts(frame, label, value, title):
    if frame.empty:
        return None
    fig, ax = _figure(height=max(2.0, 0.35 * len(frame) + 1))
    ax.barh(frame[label][::-1].astype(str), frame[value][::-1])
    ax.set_title(title)
    fig.tight_layout()
    return fig


def chart_country_rates(rates, top: int = 12):
    if rates.empty:
        return None
    fig, ax = _figure()
    head = rates.head(top).set_index("buyer_country")[["refund_rate", "return_rate"]]
    head.plot.bar(ax=ax)
    ax.set_ylabel("share of cases")
    ax.set_title("Refund and return rate by buyer country")
    fig.tight_layout()
    return fig


def chart_whatif(run: Run):
    import numpy as np
    fig, ax = _figure()
    base, new = run.whatif["baseline_resolutions"], run.whatif["resolutions"]
    names = sorted(set(base) | set(new))
    x = np.arange(len(names))
    ax.bar(x - 0.2, [base.get(n, 0) for n in names], 0.4, label="playbook as it is")
    ax.bar(x + 0.2, [new.get(n, 0) for n in names], 0.4, label="changed policy")
    ax.set_xticks(x, names, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel("cases")
    ax.legend()
    ax.set_title("Decisions under both policies")
    fig.tight_layout()
    return fig


def render_report(folder, notebook=NOTEBOOK, timeout: int = 600) -> tuple[Path, Path]:
    """Run the review notebook on a finished run folder; save report.ipynb and report.html.

    The notebook runs in this process (helpers.batch.inprocess), not in a fresh kernel: the same
    cells, outputs and HTML, without seconds of kernel start per batch. `timeout` is kept for
    callers of the papermill version; cells here are our own code over one run's files."""
    from .inprocess import html_exporter, run_notebook, skip_iri_grammars
    skip_iri_grammars()
    import nbformat

    from ..iorw.atomic import atomic_write
    folder = Path(folder).resolve()
    ipynb, html = folder / "report.ipynb", folder / "report.html"
    atomic_write(ipynb, lambda tmp: run_notebook(notebook, tmp, {"out_dir": str(folder)}, cwd=folder))
    body, _ = html_exporter().from_notebook_node(nbformat.read(ipynb, as_version=4))
    atomic_write(html, lambda tmp: Path(tmp).write_text(body, encoding="utf-8"))
    return ipynb, html
