"""The batch review report: the numbers and charts behind notebooks/batch_review.ipynb.

The notebook only calls these functions, so everything it shows is tested here. `render_report`
runs the notebook in this process (the run folder as its parameter, injected as papermill does) and
saves it as report.ipynb and report.html (code hidden), both written atomically.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from ..core.paths import NOTEBOOKS_DIR
from ..core.fields import FIELD_BY_NAME
from ..core.reasons import PROBLEM_MARKS
from ..playbook.labels import country_name, ui
from .inert import as_given
from .report_words import SECTION_TEXT, SECTIONS, WORDS, Labels, column_heading, labels_for  # noqa: F401  (SECTIONS: importable from here)

NOTEBOOK = NOTEBOOKS_DIR / "batch_review.ipynb"
REFUNDING = ("partial_refund", "full_refund", "return_refund", "refund_keep_item", "cancel_refund")
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
    lang: str = "en"  # the run's language (summary.json), for every label and heading of the report
    _labels: "Labels | None" = field(default=None, repr=False)

    @property
    def labels(self) -> "Labels":
        if self._labels is None:
            self._labels = labels_for(self.summary, self.lang)
        return self._labels


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
    return Run(folder, recs, errors, summary, whatif, changes, "zh" if summary.get("lang") == "zh" else "en")


# ---- what the notebook displays: headings, labelled tables in full, a sentence for an empty section ----

def heading(run: Run, section: str):
    """The section's heading and opening sentence in the run's language (Markdown)."""
    from IPython.display import Markdown
    en, zh = SECTION_TEXT[section]
    name, *intro = (section, *en) if len(en) == 1 else en
    if run.lang == "zh":
        name, *intro = zh
    level = "#" if section == "title" else "##"
    return Markdown(f"{level} {name}\n\n" + "\n".join(intro))


class Table:
    """A table shown whole: every row, every character of every cell (HTML-escaped), no index column."""

    def __init__(self, frame):
        self.frame = frame

    def _repr_html_(self):
        import pandas as pd
        with pd.option_context("display.max_colwidth", None):
            return self.frame.to_html(index=False, escape=True, na_rep="", border=1, max_rows=None, max_cols=None)

    def __repr__(self):
        import pandas as pd
        with pd.option_context("display.max_colwidth", None):
            return self.frame.to_string(index=False, max_rows=None, max_cols=None)


def sentence(text: str):
    from IPython.display import Markdown
    return Markdown(html.escape(text, quote=False))


# a field a reason names; as_of_date is named beside its words already ("after the review date (as_of_date)").
# Only names with an underscore: a one-word name is a word of the prose too ("no currency sign", "the
# carrier"), and an English report showed "no Currency sign"
_FIELD_CODE = re.compile(r"\b(?:" + "|".join(sorted({f for f in FIELD_BY_NAME if "_" in f} - {"as_of_date"},
                                                     key=len, reverse=True)) + r")\b")
# errors.csv's message: "field: reason" joined by "; ", in a Chinese run "field：reason" joined by "；"
# (helpers.batch.read.error_table writes it with these marks)
_PROBLEM_FIELD = re.compile("(^|{})".format("|".join(re.escape(semi) for _, semi in PROBLEM_MARKS.values()))
                            + r"(\(?[a-z_]+\)?)"
                            + "(?:{})".format("|".join(re.escape(colon) for colon, _ in PROBLEM_MARKS.values())))


_QUOTED = re.compile(r"('[^']*')")


def rejected_message(message: str, lab: Labels) -> str:
    """An errors.csv message with the field before each problem named by its label, and a field a
    reason names ("is before order_date") too; the reasons stay as written, in the run's language (a
    column the contract does not know keeps its name; values the case gave, in quotes, stay as given)."""
    colon = ui("colon", lab.lang)
    named = _PROBLEM_FIELD.sub(lambda m: f"{m[1]}{lab.field.get(m[2], m[2])}{colon}", as_given(message))
    return "".join(part if _QUOTED.fullmatch(part) else _FIELD_CODE.sub(lambda m: lab.field.get(m[0], m[0]), part)
                   for part in _QUOTED.split(named))


def _value_labels(lab: Labels) -> dict:
    flags = lambda v: ("；" if lab.lang == "zh" else "; ").join(lab.flag.get(f, f) for f in v.split("; ")) if v else v  # noqa: E731
    fields = lambda v: ("、" if lab.lang == "zh" else ", ").join(lab.field.get(f, f) for f in as_given(v).split(", "))  # noqa: E731
    return {"resolution": lab.resolution, "from": lab.resolution, "to": lab.resolution,
            "dispute_type": {**lab.dispute_type, "all": lab.word("all")}, "platform": lab.platform,
            "mismatch": lab.mismatch, "risk_flags": flags, "field": fields,
            "message": lambda v: rejected_message(v, lab), "case_id": as_given,
            "buyer_country": lambda v: lab.word("unknown") if v == "(unknown)" else country_name(v, lab.lang),
            "status": {k: lab.word(k) for k in ("no target set", "above target", "within target", "cannot tell")}}


# numbers as a reader of the report reads them: money with thousands separators and the currency's
# decimals (a whole amount of yen has none), changes with their sign, shares as percentages
MONEY_COLUMNS = ("refund_total", "est_cost_total", "order_value", "baseline_cost", "policy_cost", "baseline_refund",
                 "policy_refund")
CHANGE_COLUMNS = ("cost_delta", "refund_delta")
SHARE_COLUMNS = ("refund_rate", "return_rate", "refund_share_of_value", "share_of_cases")


def _readable_numbers(out, whole_units) -> None:
    import pandas as pd
    currency = out["currency"] if "currency" in out.columns else pd.Series("", index=out.index)
    for column in out.columns:
        if column in MONEY_COLUMNS or column in CHANGE_COLUMNS:
            sign = "+" if column in CHANGE_COLUMNS else ""
            out[column] = [("" if pd.isna(v) else f"{v:{sign},.0f}" if cur in whole_units else f"{v:{sign},.2f}")
                           for v, cur in zip(out[column], currency)]
        elif column in SHARE_COLUMNS:
            out[column] = ["" if pd.isna(v) else f"{v:.1%}" for v in out[column]]


def labelled(frame, lab: Labels, whole_units=frozenset()):
    """`frame` for people: codes in the known columns as their labels, case ids and errors.csv's
    texts as the case gave them (without the files' spreadsheet-safety '), amounts and shares as
    people write them, the index (when it says something) as a first column, column names in the
    run's language."""
    out = frame.copy()
    named = out.index.name is not None or any(n is not None for n in out.index.names)
    out = out.reset_index(drop=not named)  # a row number says nothing; a named index (sku, week) is a column
    _readable_numbers(out, whole_units)
    for column, names in _value_labels(lab).items():
        if column in out.columns:
            values = out[column].astype(object)
            out[column] = values.map(names) if callable(names) else values.map(lambda v, n=names: n.get(v, v))
    out.columns = [column_heading(c, lab.lang) for c in out.columns]
    out.columns.name = None
    return out


def show(run: Run, frame):
    return Table(labelled(frame, run.labels, shop_playbook(run).whole_units))


def no_rows_note(run: Run) -> list:
    """The sentence that replaces a section of counts the run cannot support, or [] when it can."""
    if not len(run.recs):
        return [sentence(run.labels.word("no rows" if not len(run.errors) else "no decided"))]
    return []


def type_resolution_table(table, lab: Labels):
    """by_type_and_resolution's crosstab, named: dispute types (rows) and resolutions (columns) by their labels."""
    names = {**lab.resolution, **lab.dispute_type, "total": lab.word("total")}
    out = table.rename(index=names, columns=names)
    out.index.name = column_heading("dispute_type", lab.lang)
    out.columns.name = None
    return out


def section_type_resolution(run: Run) -> list:
    return no_rows_note(run) or [Table(type_resolution_table(by_type_and_resolution(run.recs), run.labels).reset_index())]


def section_money(run: Run) -> list:
    return no_rows_note(run) or [show(run, money_by_platform_currency(run.recs))]


def section_rates(run: Run) -> list:
    return no_rows_note(run) or [show(run, rates_by_country(run.recs, rates=shop_rates(run)))]


def risk_flag_table(recs, lab: Labels):
    counts = risk_flag_counts(recs)
    return counts.assign(id=[lab.flag.get(f, f) for f in counts["id"]],
                         meaning=[lab.flag_text.get(f, f) for f in counts["id"]]).rename(columns={"id": "risk_flag"})


def shop_playbook(run: Run):
    """The run's playbook: its exchange rates (amounts of several currencies are compared or added in
    its base) and its currencies without cents."""
    from ..playbook.validate import load_checked
    return load_checked(run.summary.get("playbook") or None)


def shop_rates(run: Run) -> dict:
    return shop_playbook(run).rates


def section_risk(run: Run) -> list:
    if not len(run.recs):
        return no_rows_note(run)
    counts = risk_flag_table(run.recs, run.labels)
    if not len(counts):
        return [sentence(run.labels.word("no flagged"))]
    shown = risk_flagged(run.recs, rates=shop_rates(run))
    parts = [show(run, counts), show(run, shown)]
    total = int((run.recs["risk_flags"] != "").sum())
    if total > len(shown):  # the list is cut: say so, and where the rest are
        parts.append(sentence(run.labels.word("flagged cut", shown=len(shown), total=total)))
    return parts


def section_missing(run: Run) -> list:
    if not len(run.recs):
        return no_rows_note(run)
    missing = missing_evidence(run.recs, run.lang)
    if not len(missing):
        return [sentence(run.labels.word("no missing"))]
    return [show(run, missing[["evidence", "cases", "share_of_cases"]])]


def section_health(run: Run, parts: list) -> list:
    """A health_report section (Markdown and tables) with its tables labelled; an empty input says so."""
    import pandas as pd
    if not len(run.recs):
        return no_rows_note(run)
    lab, out = run.labels, []
    for part in parts:
        if isinstance(part, pd.DataFrame):
            names = {**lab.dispute_type}
            names.update({f"{d} / {m}": f"{lab.dispute_type.get(d, d)} / {lab.mismatch.get(m, m)}"
                          for c in part.columns if isinstance(c, str) and " / " in c for d, m in [c.split(" / ", 1)]})
            part = show(run, part.rename(columns=names))
        out.append(part)
    return out


def section_rejected(run: Run) -> list:
    if not len(run.errors):
        return [sentence(run.labels.word("no rows" if not len(run.recs) else "no rejected"))]
    return [show(run, rejected_by_field(run.errors)), show(run, rejected_rows(run.errors))]


def section_whatif(run: Run) -> list:
    from IPython.display import Markdown
    out = [Markdown(whatif_headline(run))]
    if run.whatif:
        out += [show(run, whatif_transitions(run)), show(run, whatif_money(run))]
    return out


def headline(run: Run) -> str:
    s = run.summary
    rows = s.get("rows", len(run.recs) + len(run.errors))
    name = Path(s.get("input", "?")).name
    if run.lang == "zh":
        text = (f"来自 `{name}` 的 **{rows:,} 行**，处理日期 **{s.get('as_of', '?')}**：**{len(run.recs):,} 个已决定**，"
                f"**{len(run.errors):,} 行被拒绝**（见“被拒绝的行”）。")
        if s.get("params"):
            text += "按修改后的政策决定：" + "、".join(f"`{k}={v:g}`" for k, v in s["params"].items()) + "。"
        return text
    text = (f"**{rows:,} rows** from `{name}`, reviewed as of **{s.get('as_of', '?')}**: "
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


def rates_by_country(recs, min_cases: int = 1, rates: dict | None = None):
    """Per buyer country: cases, refund rate, return rate (return_refund) and refunds as a share of
    sales. The share adds amounts in the base currency of the shop's rate table (`rates`): 710 CNY
    refunded of a 710 CNY and a 100 USD order is half of sales, not 710/810. Without `rates`, a
    country whose cases are in more than one currency has no share."""
    import pandas as pd
    per_base = in_base_divisor(recs, rates)
    r = recs.assign(buyer_country=recs["buyer_country"].replace("", "(unknown)"),
                    refunded=recs["resolution"].isin(REFUNDING), returned=recs["resolution"].eq("return_refund"),
                    refund_base=recs["refund_amount"] / per_base, value_base=recs["order_value"] / per_base)
    g = r.groupby("buyer_country")
    share = g["refund_base"].sum() / g["value_base"].sum()
    if not rates:
        share = share.where(g["currency"].nunique() <= 1)
    out = pd.DataFrame({"cases": g.size(), "refund_rate": g["refunded"].mean(), "return_rate": g["returned"].mean(),
                        "refund_share_of_value": share})
    out = out[out["cases"] >= min_cases].sort_values("cases", ascending=False)
    return out.round(3).reset_index()


def _split_counts(column):
    import pandas as pd
    items = column[column != ""].str.split("; ").explode()
    return items.value_counts().rename_axis("id").reset_index(name="cases") if len(items) else \
        pd.DataFrame({"id": [], "cases": []})


def risk_flag_counts(recs):
    return _split_counts(recs["risk_flags"])


def in_base_divisor(recs, rates: dict | None):
    """Per row, what its amounts are divided by to be in the base currency of `rates` (1.0 without)."""
    return recs["currency"].map({code: float(rate) for code, rate in rates.items()}) if rates else 1.0


def risk_flagged(recs, limit: int = 25, rates: dict | None = None):
    """The flagged cases, most flags first, then the largest orders: compared in the base currency of
    the shop's rate table (`rates`; 266.59 CNY is not more than 210.00 USD), else as written."""
    flagged = recs[recs["risk_flags"] != ""].copy()
    flagged["flags"] = flagged["risk_flags"].str.count("; ") + 1
    flagged["value_in_base"] = flagged["order_value"] / in_base_divisor(flagged, rates)
    flagged = flagged.sort_values(["flags", "value_in_base"], ascending=False, kind="stable")
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
    """The money per currency under both policies; the costs left empty where no case's cost is known
    under both policies (the totals would read as 0)."""
    import pandas as pd
    if not run.whatif:
        return None
    table = pd.DataFrame(run.whatif["by_currency"])
    if "cases_cost_compared" in table.columns:
        none = table["cases_cost_compared"] == 0
        table.loc[none, ["baseline_cost", "policy_cost", "cost_delta"]] = float("nan")
    return table


def whatif_headline(run: Run) -> str:
    zh = run.lang == "zh"
    if not run.whatif:
        return ("本次运行没有政策模拟：运行批量时加上 `--set PARAM=VALUE` 即可对比修改后的政策。" if zh else
                "This run has no what-if: run the batch with `--set PARAM=VALUE` to compare a changed policy.")
    if zh:
        w = run.whatif
        setting = "、".join(f"{k}={v:g}" for k, v in w["params"].items())
        share = w["changed"] / w["cases"] if w["cases"] else 0.0
        return f"政策模拟 {setting}：{w['cases']} 个决定中有 {w['changed']} 个改变（{share:.1%}）"
    from .whatif import summary_lines
    return summary_lines(run.whatif)[0]


# ---- charts (matplotlib figures; the notebook shows them) ----

def new_figure(width=7.5, height=3.6):
    import matplotlib.pyplot as plt

    from ..iorw.fonts import use_cjk_fallback
    use_cjk_fallback()  # labels may be Chinese (a --lang zh run, a playbook's own words)
    fig, ax = plt.subplots(figsize=(width, height))
    return fig, ax


def chart_type_resolution(table, labels: Labels | None = None):
    """`table`: by_type_and_resolution's; with `labels`, dispute types and resolutions are named by them."""
    body = table.drop(index="total", columns="total", errors="ignore")
    if body.empty:
        return None
    word = labels.word if labels else lambda k: WORDS[k][0]
    if labels:
        body = type_resolution_table(body, labels)
    fig, ax = new_figure(width=10)
    # eleven resolutions outnumber the default ten colours: tab20 keeps every one distinct
    body.plot.barh(stacked=True, ax=ax, width=0.7, colormap="tab20")
    ax.set_xlabel(word("cases"))
    ax.set_ylabel("")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars, never over them
    ax.set_title(word("Resolution by dispute type"))
    fig.tight_layout()
    return fig


def chart_counts(frame, label, value, title):
    if frame is None or frame.empty:
        return None
    fig, ax = new_figure(height=max(2.0, 0.35 * len(frame) + 1))
    ax.barh(frame[label][::-1].astype(str), frame[value][::-1])
    ax.set_title(title)
    fig.tight_layout()
    return fig


def chart_country_rates(rates, top: int = 12, labels: Labels | None = None):
    if rates.empty:
        return None
    word = labels.word if labels else lambda k: WORDS[k][0]
    fig, ax = new_figure()
    head = rates.head(top).set_index("buyer_country")[["refund_rate", "return_rate"]]
    lang = labels.lang if labels else "en"
    head = head.rename(index=lambda c: word("unknown") if c == "(unknown)" else country_name(c, lang),
                       columns={c: word(c) for c in head.columns})
    head = head.rename_axis(word("buyer_country"))
    head.plot.bar(ax=ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars: inside, it hid the top of one
    ax.set_ylabel(word("share of cases"))
    title = word("Refund and return rate by buyer country")
    if len(rates) > top:  # the table below lists every country; the chart the most frequent
        title += (labels.word("most cases", n=top) if labels else WORDS["most cases"][0].format(n=top))
    ax.set_title(title)
    fig.tight_layout()
    return fig


def chart_whatif(run: Run):
    import numpy as np
    fig, ax = new_figure()
    lab = run.labels
    base, new = run.whatif["baseline_resolutions"], run.whatif["resolutions"]
    names = sorted(set(base) | set(new))
    x = np.arange(len(names))
    ax.bar(x - 0.2, [base.get(n, 0) for n in names], 0.4, label=lab.word("playbook as it is"))
    ax.bar(x + 0.2, [new.get(n, 0) for n in names], 0.4, label=lab.word("changed policy"))
    ax.set_xticks(x, [lab.resolution.get(n, n) for n in names], rotation=35, ha="right", fontsize=8)
    ax.set_ylabel(lab.word("cases"))
    ax.legend()
    ax.set_title(lab.word("Decisions under both policies"))
    fig.tight_layout()
    return fig


def chart_missing(run: Run, top: int = 10):
    missing = missing_evidence(run.recs, run.lang)
    return chart_counts(missing.head(top), "evidence", "cases", run.labels.word("Missing evidence (cases)"))


def chart_weeks(run: Run):
    """health_report's weekly chart (its titles in the run's language) with the dispute types named."""
    from .health_report import chart_weeks as weeks_chart
    lab = run.labels
    weeks = {w: {lab.dispute_type.get(t, t): n for t, n in types.items()}
             for w, types in (run.summary.get("disputes_per_week") or {}).items()}
    return weeks_chart({**run.summary, "lang": run.lang, "disputes_per_week": weeks})


def render_report(folder, notebook=NOTEBOOK, timeout: int = 600) -> tuple[Path, Path]:
    """Run the review notebook on a finished run folder; save report.ipynb and report.html.

    The notebook runs in this process (helpers.batch.inprocess), not in a fresh kernel: the same
    cells, outputs and HTML, without seconds of kernel start per batch. `timeout` is kept for
    callers of the papermill version; cells here are our own code over one run's files."""
    from .inprocess import report_html, run_notebook, skip_iri_grammars
    skip_iri_grammars()
    import nbformat

    from ..iorw.atomic import atomic_write
    folder = Path(folder).resolve()
    ipynb, html = folder / "report.ipynb", folder / "report.html"
    atomic_write(ipynb, lambda tmp: run_notebook(notebook, tmp, {"out_dir": str(folder)}, cwd=folder))
    body = report_html(nbformat.read(ipynb, as_version=4))
    atomic_write(html, lambda tmp: Path(tmp).write_text(body, encoding="utf-8"))
    return ipynb, html
