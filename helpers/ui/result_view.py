"""The result half of the dispute form: resolution and why, evidence checklist, risk flags, next
steps, a chart of the options' costs, and the buyer message (editable, language, character count).

Anything that came from the case is shown through text widgets or escaped HTML: buyer text is data.
"""
from __future__ import annotations

import html
from io import BytesIO

import ipywidgets as widgets

from .fonts import cjk_font
from ..playbook.messages import LANGUAGES
from .labels import choice_label, evidence_label, ui
from .present import evidence_checklist, money


def english_label(resolution: str) -> str:
    """The English label of a resolution: the chart's fallback where no Chinese font is installed."""
    from ..playbook.loader import load_playbook
    return load_playbook().resolutions[resolution]["en"]


def unknown_costs(rec, lang: str) -> list[str]:
    """"Return and refund: return shipping cost" for every option whose cost needs an unknown input."""
    from .labels import field_label
    return [f"{a['label']}: {', '.join(field_label(f, lang) for f in a.get('cost_unknown', ()))}"
            for a in rec.alternatives if a["est_cost"] is None]


def cost_chart(rec, lang: str) -> tuple[bytes, list[str]]:
    """PNG bar chart of every option's expected cost, the chosen one marked whatever its cost (an
    unknown cost is drawn as no bar, marked "?"); and, for the note, which input each unknown cost lacks."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    use_labels = lang != "zh" or cjk_font() is not None
    shown = lang if use_labels else "en"
    alts = rec.alternatives
    height = 0.4 * max(len(alts), 1) + 0.7
    fig = Figure(figsize=(6.5, height), dpi=80)
    FigureCanvasAgg(fig)
    # fixed margins instead of tight_layout, which draws the figure twice
    ax = fig.add_axes((0.4, 0.5 / height, 0.55, 1 - 0.65 / height))
    chosen_word = ui("chosen", shown)
    names = [(a["label"] if use_labels else english_label(a["resolution"])) + (f" ◀ {chosen_word}" if a["chosen"] else "")
             for a in alts]
    costs = [a["est_cost"] or 0.0 for a in alts]
    ax.barh(range(len(alts)), costs, color=["#1f6feb" if a["chosen"] else "#9aa4b2" for a in alts])
    ax.set_yticks(range(len(alts)), names, fontfamily=cjk_font() if lang == "zh" and use_labels else None)
    for tick, a in zip(ax.get_yticklabels(), alts):
        if a["chosen"]:
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlabel(rec.currency)
    for i, a in enumerate(alts):
        ax.text(costs[i], i, f" {a['est_cost']:.2f}" if a["est_cost"] is not None else " ?", va="center", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    buf = BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue(), unknown_costs(rec, lang)


def _list_html(items, ordered=False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


class ResultView:
    """Widgets that show one Recommendation; `show(rec, case)` fills them, `clear()` hides them."""

    def __init__(self, rerender_message, look):
        """`rerender_message(buyer_language)` gives the Recommendation with the message in that language;
        `look` holds the layouts and styles shared with the form (helpers.form.Look)."""
        self.rerender_message = rerender_message
        html_block = look.html_block
        self.prompt = look.label("dp-result-prompt", layout=widgets.Layout())  # own layout: it is hidden and shown
        self.summary = html_block("dp-case-summary")
        self.resolution = look.label("dp-resolution", look.strong)
        self.money = look.label("dp-refund")
        self.rationale = html_block("dp-rationale")
        self.change = html_block("dp-what-would-change")
        self.evidence = html_block("dp-evidence")
        self.risks = html_block("dp-risk-flags")
        self.steps = html_block("dp-next-steps")
        self.chart_title = html_block("dp-chart-title")
        self.chart = widgets.Image(format="png", width=520, layout=look.plain).add_class("dp-cost-chart")  # figure: 6.5 in at 80 dpi
        self.chart_note = look.label("dp-cost-note")
        self.message_title = html_block("dp-message-title")
        self.language = widgets.Dropdown(options=LANGUAGES, layout=look.wide, style=look.choice).add_class("dp-message-language")
        self.message = widgets.Textarea(rows=10, layout=widgets.Layout(width="95%"), style=look.text).add_class("dp-message")
        self.count = look.label("dp-char-count")
        self.note = look.label("dp-message-note")
        self.body = widgets.VBox([self.summary, self.resolution, self.money, self.rationale, self.change, self.evidence,
                                  self.risks, self.steps, self.chart_title, self.chart, self.chart_note,
                                  self.message_title, self.language, self.message, self.count, self.note],
                                 layout={"display": "none"}).add_class("dp-result")
        self.box = widgets.VBox([self.prompt, self.body])
        self.rec, self.lang, self._quiet = None, "en", False
        self.message.observe(lambda _: self._count(), "value")
        self.language.observe(self._on_language, "value")

    def relabel(self, lang: str):
        self.lang = lang
        self.prompt.value = ui("press_recommend", lang)
        self.language.description = ui("message_language", lang)
        value, self._quiet = self.language.value, True
        self.language.options = [(choice_label("buyer_language", code, lang), code) for code in LANGUAGES]
        self.language.value, self._quiet = value, False

    def clear(self):
        """Hide the result of a case that has since changed (its texts too: nothing stale is read)."""
        self.rec = None
        self.resolution.value = ""
        self.body.layout.display = "none"
        self.prompt.layout.display = None

    def show(self, rec, case: dict):
        """Texts first, chart last: the browser shows the decision while the chart is drawn."""
        lang, esc = self.lang, html.escape
        self.rec = rec
        self.summary.value = (f"<b>{esc(ui('case', lang))} {esc(rec.case_id)}</b> · {esc(ui('buyer', lang))} "
                              f"{esc(str(case.get('buyer_name') or '—'))} · {esc(ui('as_of', lang))} {esc(rec.as_of_date)}")
        self.resolution.value = f"{ui('resolution', lang)}: {rec.alternatives[0]['label']}"
        self.money.value = (f"{ui('refund', lang)}: {money(rec.refund_amount, rec.currency, lang)} · "
                            f"{ui('est_cost', lang)}: {money(rec.est_cost, rec.currency, lang)}")
        self.rationale.value = f"<b>{esc(ui('why', lang))}:</b> {esc(rec.rationale)}"
        self.change.value = (f"<b>{esc(ui('what_would_change', lang))}:</b> {esc(rec.what_would_change)}"
                             if rec.what_would_change else "")
        checklist = [f"{'✓' if has else '✗'} {esc(evidence_label(e, lang))} <i>({esc(ui('have' if has else 'missing', lang))})</i>"
                     for e, has in evidence_checklist(rec)] or [esc(ui("no_evidence", lang))]
        self.evidence.value = f"<b>{esc(ui('evidence', lang))}</b>" + _list_html(checklist)
        self.risks.value = f"<b>{esc(ui('risk_flags', lang))}</b>" + _list_html(
            [f"⚠ {esc(t)}" for t in rec.risk_flag_text] or [esc(ui("no_risk", lang))])
        self.steps.value = f"<b>{esc(ui('next_steps', lang))}</b>" + _list_html(
            [esc(s["text"]) + (f" <b>({esc(ui('deadline', lang))} {esc(s['deadline'])})</b>" if s["deadline"] else "")
             for s in rec.next_steps], ordered=True)
        self.message_title.value = f"<b>{esc(ui('message', lang))}</b>"
        self._set_message(rec)
        self._quiet = True
        self.language.value = rec.message_language if rec.message_language in LANGUAGES else "en"
        self._quiet = False
        self.chart_title.value = f"<b>{esc(ui('chart', lang))}</b>"
        self.prompt.layout.display = "none"
        self.body.layout.display = None
        png, unknown = cost_chart(rec, lang)
        self.chart.value = png
        self.chart_note.value = (ui("cost_unknown_note", lang) + "; ".join(unknown)) if unknown else ""

    def _set_message(self, rec):
        self.message.value = rec.message
        self.note.value = rec.message_note
        self._count()

    def _count(self):
        limit = self.rec.message_max_chars if self.rec else None
        n = len(self.message.value)
        if not limit:
            self.count.value = f"{n} {ui('characters', self.lang)} ({ui('no_limit', self.lang)})"
        else:
            over = f" — {ui('over_limit', self.lang)}" if n > limit else ""
            self.count.value = f"{n} / {limit} {ui('characters', self.lang)}{over}"

    def _on_language(self, change):
        if self._quiet or self.rec is None:
            return
        self._set_message(self.rerender_message(change["new"]))
