"""notebooks/backtest.ipynb's logic: a history decided in memory, sliced by platform, dispute type
and period, and shown with the backtest report's own tables and charts.

`load` decides the history exactly as `dispute-playbook backtest` does (helpers.batch.backtest),
writing nothing; `slice_history` and `figures` are plain functions over its frame (tested without a
browser); `Explorer` only wires three widgets to them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ALL = "all"


@dataclass
class History:
    source: str
    bt: object          # DataFrame: backtest.csv's rows
    rows: int           # input rows
    rejected: int       # rows in errors (see `errors`)
    errors: object      # DataFrame: errors.csv's rows
    min_cases: int
    playbook: str = ""  # the playbook folder (absolute; "" for the bundled one): its labels name the codes
    params: dict | None = None


def load(history, params=None, as_of=None, columns=None, playbook=None, min_cases: int = 10) -> History:
    """The history decided under the playbook (with `params` as `--set` gives them); nothing written."""
    import datetime as _dt

    from ..batch.backtest import BacktestOptions, backtest_frame, decided_history
    from ..batch.read import error_table
    day = _dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    opts = BacktestOptions(history=str(history), out=".", as_of=day, playbook=playbook,
                           params={k: float(v) for k, v in (params or {}).items()}, columns=columns)
    v, cols, rows, _, table, dates = decided_history(opts)
    return History(str(history), backtest_frame(cols, rows, table, dates), int(v.n), len(v.problems),
                   error_table(v.problems), min_cases, str(Path(playbook).resolve()) if playbook else "", opts.params)


def weeks(h: History) -> list:
    return sorted(w for w in set(h.bt["week"]) if w)


def choices(h: History) -> dict:
    """What each widget offers, as (label, value): 'all' and the values the history holds, by their labels."""
    lab = labels(h)
    return {"platform": [(ALL, ALL)] + [(lab.platform.get(p, p), p) for p in sorted(set(h.bt["platform"]))],
            "dispute_type": [(ALL, ALL)] + [(lab.dispute_type.get(t, t), t) for t in sorted(set(h.bt["dispute_type"]))],
            "weeks": weeks(h)}


def labels(h: History):
    """The words for the codes the history holds (report_words.Labels of its playbook, in English)."""
    from ..batch.report_words import labels_for
    return labels_for({"playbook": h.playbook, "params": h.params})


def slice_history(bt, platform: str = ALL, dispute_type: str = ALL, period: tuple | None = None):
    """The cases of one platform / dispute type / range of weeks (first, last Monday, inclusive)."""
    keep = bt["platform"].eq(platform) if platform != ALL else bt["platform"].notna()
    if dispute_type != ALL:
        keep &= bt["dispute_type"].eq(dispute_type)
    if period is not None:
        keep &= bt["week"].between(period[0], period[1]) & bt["week"].ne("")
    return bt[keep]


def figures(h: History, part):
    """The report's summary (helpers.batch.backtest_figures) for a slice, as a report Backtest."""
    from ..batch.backtest_figures import summarise
    from ..batch.backtest_report import Backtest
    summary = {"input": h.source, "rows": h.rows, "decided": int(len(h.bt)), "rejected": h.rejected,
               "playbook": h.playbook, "params": h.params, **summarise(part, h.min_cases)}
    return Backtest(None, part, summary)


def headline(h: History, b) -> str:
    """The whole history in one sentence (nothing is written from the notebook: no file is named)."""
    s = b.summary
    return (f"**{h.rows:,} rows** from `{Path(h.source).name}`: **{len(h.bt):,} decided**, **{h.rejected:,} rejected** "
            f"(`h.errors` lists them with the reason); **{s['closed']:,} closed**, **{s['open']:,} open or without "
            f"outcome** (left out of every outcome figure). The team followed the playbook in **{s['followed']:,}** "
            f"cases and did something else in **{s['departed']:,}**.")


def slice_headline(b, label: str) -> str:
    s = b.summary
    return (f"**{label}**: {len(b.bt):,} cases, {s['closed']:,} closed, {s['open']:,} open or without outcome; "
            f"the team followed the playbook in {s['followed']:,} and did something else in {s['departed']:,}.")


def slice_label(platform: str, dispute_type: str, period, lab=None) -> str:
    """'platform Amazon, type Cancellation or refund, weeks …' (`lab`: the codes' labels)."""
    named = (lambda table, code: getattr(lab, table).get(code, code)) if lab else (lambda table, code: code)
    where = [f"platform {named('platform', platform)}" if platform != ALL else "every platform",
             f"type {named('dispute_type', dispute_type)}" if dispute_type != ALL else "every type"]
    if period is not None:
        where.append(f"weeks {period[0]} to {period[1]}")
    return ", ".join(where)


class Explorer:
    """Dropdowns for platform and type, a range slider for the weeks; the slice's figures below."""

    def __init__(self, h: History):
        import ipywidgets as w
        self.h = h
        c = choices(h)
        self.platform = w.Dropdown(options=c["platform"], value=ALL, description="Platform")
        self.dispute_type = w.Dropdown(options=c["dispute_type"], value=ALL, description="Type")
        self.period = (w.SelectionRangeSlider(options=c["weeks"], index=(0, len(c["weeks"]) - 1), description="Weeks",
                                              layout=w.Layout(width="60%")) if len(c["weeks"]) > 1 else None)
        self.out = w.Output()
        for widget, css in ((self.platform, "bx-platform"), (self.dispute_type, "bx-type"), (self.period, "bx-weeks"),
                            (self.out, "bx-out")):
            if widget is not None:
                widget.add_class(css)
                if widget is not self.out:
                    widget.observe(lambda _change: self.draw(), names="value")
        self.box = w.VBox([w.HBox([self.platform, self.dispute_type])] + ([self.period] if self.period else [])
                          + [self.out])
        self.draw()

    def current(self):
        period = tuple(self.period.value) if self.period is not None else None
        if period is not None and period == (self.period.options[0], self.period.options[-1]):
            period = None  # every week, undated cases included
        return self.platform.value, self.dispute_type.value, period

    def draw(self):
        from IPython.display import Markdown, display

        from ..batch import backtest_report as br
        from ..batch import health_report as hr, report
        platform, dtype, period = self.current()
        b = figures(self.h, slice_history(self.h.bt, platform, dtype, period))
        self.out.clear_output(wait=True)
        with self.out:
            display(Markdown(slice_headline(b, slice_label(platform, dtype, period, b.labels))))
            display(Markdown("**Recommended × done**"), *br.section_agreement(b))
            display(Markdown("**Paid against the playbook** (observed / estimated)"), *br.section_cost(b))
            display(Markdown("**Rules that lose when followed**"), *br.section_losing_rules(b))
            display(*report.section_health(b, hr.weeks_section(b.summary)))

    def show(self):
        from IPython.display import display
        display(self.box)
        return self


def products(h: History):
    """products.csv's table for the whole history."""
    from ..batch.health import products_table
    return products_table(h.bt)
