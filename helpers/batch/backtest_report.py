"""The backtest report: the tables and charts behind notebooks/backtest_report.ipynb.

The notebook only calls these functions on a finished backtest folder; `render` runs it and saves
report.ipynb and report.html (code hidden) beside backtest.csv, with the batch report's own renderer.
What people read is in the run's language (summary.json's `lang`, from `backtest --lang`): headings
and sentences, and codes as their labels, through the batch report's own `labelled` and `Table`
(every row and every character shown, no index column). The plain tables (`agreement_table`,
`pairs_table`, ...) keep the codes, for notebooks/backtest.ipynb's explorer and for filtering.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..core.paths import NOTEBOOKS_DIR
from ..playbook.labels import ui
from .backtest_grid import AS_IT_IS, KEEP, best_name, verdict_sentence
from .report import Table, heading, labelled, new_figure, no_rows_note, sentence
from .report_words import BACKTEST_SECTIONS, BACKTEST_TITLE, HEALTH_SECTIONS, Labels, labels_for

NOTEBOOK = NOTEBOOKS_DIR / "backtest_report.ipynb"
SECTIONS = (*BACKTEST_SECTIONS[:-1], *HEALTH_SECTIONS, BACKTEST_SECTIONS[-1])
# summary.json's keys as English words, which report_words.COLUMNS_ZH turns into Chinese (column_heading
# writes the other column codes in words)
HEADINGS = {"team_paid": "team paid", "playbook_observed": "playbook: observed",
            "playbook_estimated": "playbook: estimated", "playbook_total": "playbook: total",
            "playbook_estimate_unknown": "playbook's cost unknown (cases)", "followed_cases": "followed cases",
            "team_paid_unknown": "team's amount unknown (cases)", "both_known_cases": "both known (cases)",
            "both_known_team_paid": "both known: team paid", "both_known_playbook": "both known: playbook",
            "followed": "cases done as advised", "platform_for_buyer": "platform ruled for the buyer",
            "negative_reviews": "negative reviews", "bad_share": "share that ended badly",
            "saved_vs_estimate": "saved against the estimate", "changed": "decisions changed",
            "lost_share": "share lost on the platform", "cost_share": "cost share"}


@dataclass
class Backtest:
    folder: Path
    bt: object        # DataFrame of backtest.csv
    summary: dict
    errors: object = None   # DataFrame of errors.csv (load_backtest reads it)
    lang: str = "en"        # the run's language (summary.json), for every label, heading and sentence
    _labels: "Labels | None" = field(default=None, repr=False)

    @property
    def recs(self):
        """The decided rows, under the name the batch report's sections count them by."""
        return self.bt

    @property
    def labels(self) -> Labels:
        if self._labels is None:
            self._labels = labels_for(self.summary, self.lang)
        return self._labels


def load_backtest(folder) -> Backtest:
    import pandas as pd
    folder = Path(folder)
    bt = pd.read_csv(folder / "backtest.csv", keep_default_na=False,
                     na_values={c: [""] for c in ("order_value", "refund_amount", "est_cost", "amount_paid")})
    errors = pd.read_csv(folder / "errors.csv", dtype=str, keep_default_na=False)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return Backtest(folder, bt, summary, errors, "zh" if summary.get("lang") == "zh" else "en")


def headline(b: Backtest) -> str:
    s = b.summary
    if b.lang == "zh":
        return (f"来自 `{Path(s['input']).name}` 的 **{s['rows']:,} 行**：**{s['decided']:,} 个已决定**，"
                f"**{s['rejected']:,} 行被拒绝**（见 errors.csv）；**{s['closed']:,} 个已结案**，**{s['open']:,} 个未结案或"
                f"没有结果**（列在 summary.json 中，不计入任何结果统计）。团队在 **{s['followed']:,}** 个案例中按手册处理，"
                f"在 **{s['departed']:,}** 个案例中采取了其他方案。")
    return (f"**{s['rows']:,} rows** from `{Path(s['input']).name}`: **{s['decided']:,} decided**, "
            f"**{s['rejected']:,} rejected** (errors.csv); **{s['closed']:,} closed**, **{s['open']:,} open or "
            f"without outcome** (listed in summary.json, left out of every outcome figure). The team followed "
            f"the playbook in **{s['followed']:,}** cases and did something else in **{s['departed']:,}**.")


def title(b: Backtest):
    """The report's title and opening paragraph in the run's language (Markdown)."""
    from IPython.display import Markdown
    return Markdown(heading(b, BACKTEST_TITLE).data[1:])  # heading() writes "## ": the title is the page's one "#"


def agreement_table(b: Backtest):
    import pandas as pd
    table = pd.DataFrame(b.summary["agreement"]).T.fillna(0).astype(int)
    table.index.name, table.columns.name = "recommended", "done"
    return table.sort_index().sort_index(axis=1)


def pairs_table(b: Backtest, outcome_names: dict | None = None):
    """One line per (recommended, done, currency): closed cases, outcomes (named by `outcome_names` when
    given), money paid (never across currencies)."""
    import pandas as pd
    names = outcome_names or {}
    rows = []
    comma = "，" if b.lang == "zh" else ", "
    for p in b.summary["by_pair"]:
        outcomes = comma.join(f"{names.get(k, k)} {v}" for k, v in sorted(p["outcomes"].items()))
        for i, (cur, money) in enumerate(p["paid"].items()):
            # the pair's outcomes once, on its first currency's line: repeated, they read as that currency's
            rows.append({"recommended": p["recommended"], "done": p["done"], "currency": cur,
                         "closed cases": money["cases"] + money["unknown"],
                         "outcomes (all currencies)": outcomes if i == 0 else "", "paid": money["total"]})
    return pd.DataFrame(rows)


COST_COUNTS = ("team_paid_unknown", "playbook_estimate_unknown", "both_known_cases")  # cases, not money
BOTH_KNOWN = ["both_known_cases", "both_known_team_paid", "both_known_playbook"]


def cost_table(b: Backtest):
    """Per currency: the team's paid total and the playbook's, each over the cases where it is known
    (empty where no case is: never 0), how many cases each leaves out and, when any does, both over
    the cases where both are known."""
    import numpy as np
    import pandas as pd
    columns = ["team_paid", "team_paid_unknown", "playbook_observed", "playbook_estimated", "playbook_total",
               "playbook_estimate_unknown"]
    table = pd.DataFrame(b.summary["cost"]).T
    if table.empty:
        return table.reindex(columns=columns)
    if table[["team_paid_unknown", "playbook_estimate_unknown"]].to_numpy().any():
        columns += BOTH_KNOWN
    cases = table["cases"]
    table["team_paid"] = table["team_paid"].where(table["team_paid_unknown"] < cases, np.nan)
    for side in ("observed", "estimated"):  # a side no case gives is unknown, never 0
        table[f"playbook_{side}"] = table[f"playbook_{side}"].where(
            (table[f"playbook_{side}_cases"] > 0) | (table[f"playbook_{side}_unknown"] == 0), np.nan)
    table["playbook_total"] = table["playbook_total"].where(table["playbook_estimate_unknown"] < cases, np.nan)
    for column in BOTH_KNOWN[1:]:
        table[column] = table[column].where(table["both_known_cases"] > 0, np.nan)
    table = table.reindex(columns=columns)
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


def setting_name(b: Backtest, setting: str) -> str:
    """A grid setting as people read it: `name=value` as typed after --set, the playbook as it is in words."""
    return b.labels.word("playbook as it is") if setting == AS_IT_IS else setting


def best_text(b: Backtest) -> str:
    """The grid's verdict as the terminal says it (backtest_grid.verdict_sentence), then the `--set`
    lines to paste or the advice to keep the playbook as it is."""
    grid, lab = b.summary["grid"], b.labels
    text = verdict_sentence(grid, lab, quote=lambda s: f"`{setting_name(b, s)}`")
    advice = (" ".join(f"`{line}`" for line in grid["set_lines"]) or
              (lab.word("keep the playbook") if grid.get("verdict") in KEEP else ""))
    return f"{text[:1].upper()}{text[1:]}" + (f" — {advice}" if advice else "")


# ---- what the notebook displays: labelled tables in full, a sentence for an empty section ----

def _choices(lab: Labels, field_name: str) -> dict:
    """code -> label of one of the form's choice fields (outcome, review_left)."""
    from ..playbook.labels import CHOICE_TEXT, choice_label
    return {code: choice_label(field_name, code, lab.lang) for code in CHOICE_TEXT[field_name]}


def show(b: Backtest, frame) -> Table:
    """`frame` for people: resolutions, outcomes and reviews by their labels, summary keys as words,
    then the batch report's labelling (platforms, dispute types, mismatches; Chinese headings)."""
    lab = b.labels
    names = {"recommended": lab.resolution, "done": lab.resolution, "action_taken": lab.resolution,
             "outcome": _choices(lab, "outcome"), "review_left": _choices(lab, "review_left")}
    out = frame.rename(columns=HEADINGS)
    for column in set(names) & set(out.columns):
        out[column] = out[column].astype(object).map(lambda v, n=names[column]: n.get(v, v))
    return Table(labelled(out, lab))


def _or_sentence(b: Backtest, table, key: str) -> list:
    """[the table shown], or the sentence saying why there is none."""
    return [show(b, table)] if len(table) else (no_rows_note(b) or [sentence(b.labels.word(key))])


def section_agreement(b: Backtest) -> list:
    table = agreement_table(b)
    return _or_sentence(b, table.rename(columns=b.labels.resolution).reset_index() if len(table) else table, "no action")


def section_pairs(b: Backtest) -> list:
    return _or_sentence(b, pairs_table(b, _choices(b.labels, "outcome")), "no closed action")


def section_cost(b: Backtest) -> list:
    import pandas as pd
    table = cost_table(b).astype(object)
    unknown = b.labels.word("an unknown amount")
    for column in table.columns:  # counts: the transposed table made them floats; an amount no case gives, in words
        table[column] = [int(v) if column in COST_COUNTS else unknown if pd.isna(v) else float(v)
                         for v in table[column]]
    return _or_sentence(b, table, "no closed action")


def section_losing_rules(b: Backtest) -> list:
    """The losing rules by their titles, each with its id (to find it in the playbook) and the resolution it
    recommends."""
    table = listed(b, "losing_rules")
    if len(table):
        advice = dict(zip(b.bt["rule_id"].astype(str), b.bt["recommended"]))
        table.insert(0, "rule_title", table["rule_id"].map(lambda r: b.labels.rule.get(r, r)))
        table.insert(2, "recommended", table["rule_id"].map(advice))
    return _or_sentence(b, table, "no losing rules")


def section_departed(b: Backtest) -> list:
    from IPython.display import Markdown
    cases, top = b.summary["departed_and_better"]["cases"], listed(b, "departed_and_better")
    if b.lang == "zh":
        text = f"**{cases:,} 个案例**" + (f"；下表列出比预计节省最多的 {len(top)} 个。" if len(top) < cases else "。")
    else:
        text = f"**{cases:,} cases**" + (f"; the {len(top)} that saved the most against the estimate below." if
                                         len(top) < cases else ".")
    return [Markdown(text)] + ([show(b, top)] if len(top) else [])


def section_grid(b: Backtest) -> list:
    from IPython.display import Markdown
    table = grid_table(b)
    if table is None:
        return [Markdown(b.labels.word("no grid"))]
    table["setting"] = table["setting"].map(lambda s: setting_name(b, s))
    return [show(b, table), Markdown(best_text(b))]


# ---- charts (matplotlib figures, with the batch report's CJK-ready new_figure) ----

def chart_agreement(b: Backtest):
    table = agreement_table(b)
    if table.empty:
        return None
    lab = b.labels
    fig, ax = new_figure(9, 0.45 * len(table) + 2.4)
    ax.imshow(table.to_numpy(), cmap="Blues")
    ax.set_xticks(range(len(table.columns)), [lab.resolution.get(c, c) for c in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(len(table.index)), [lab.resolution.get(r, r) for r in table.index])
    for i in range(len(table.index)):
        for j in range(len(table.columns)):
            ax.text(j, i, int(table.iat[i, j]), ha="center", va="center", fontsize=8)
    ax.set_xlabel(lab.word("done"))
    ax.set_ylabel(lab.word("recommended"))
    ax.set_title(lab.word("Recommended × done (cases)"))
    fig.tight_layout()
    return fig


def chart_cost(b: Backtest):
    table = cost_table(b)
    if table.empty:
        return None
    word = b.labels.word
    fig, _ = new_figure(8.5, 3.2)
    fig.clear()
    for k, (cur, row) in enumerate(table.iterrows()):
        ax = fig.add_subplot(1, len(table), k + 1)
        c = b.summary["cost"][cur]
        observed = 0.0 if row.isna()["playbook_observed"] else row["playbook_observed"]
        ax.bar([word("team paid")], [0.0 if row.isna()["team_paid"] else row["team_paid"]], color="#4c72b0")
        ax.bar([word("playbook")], [observed], color="#55a868", label=word("observed"))
        ax.bar([word("playbook")], [row["playbook_estimated"]], bottom=[observed], color="#c7e9c0",
               hatch="//", label=word("estimated"))
        ax.set_title(cur)
        if row.isna()["team_paid"]:  # no bar is not a bar of 0
            ax.text(0, 0, word("an unknown amount"), ha="center", va="bottom")
        if c["team_paid_unknown"] or c["playbook_estimate_unknown"]:  # bars of different cases: say which
            ax.set_xlabel(word("chart known cases", team=c["cases"] - c["team_paid_unknown"],
                               playbook=c["cases"] - c["playbook_estimate_unknown"], cases=c["cases"]), fontsize=8)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))  # beside the last currency's bars
    fig.suptitle(word("Paid against the playbook"))
    fig.tight_layout()
    return fig


def chart_grid(b: Backtest):
    table = grid_table(b)
    if table is None:
        return None
    word = b.labels.word
    fig, ax = new_figure()
    settings = [setting_name(b, s) for s in table["setting"]]
    ax.plot(settings, table["lost_share"], marker="o", label=word("share lost on the platform"))
    ax.plot(settings, table["cost_share"], marker="o", label=word("cost share"))
    ax.plot(settings, table["score"], marker="o", label=word("score (lower is better)"))
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the lines, never over them
    ax.set_title(f"{word('Settings compared; best')}{ui('colon', b.lang)}{best_name(b.summary['grid'], b.labels)}")
    fig.tight_layout()
    return fig


def render(folder, timeout: int = 600):
    """report.ipynb and report.html in the backtest folder."""
    from .report import render_report
    return render_report(folder, notebook=NOTEBOOK, timeout=timeout)
