"""The result half of the dispute form: resolution and why, evidence checklist, risk flags, next
steps, a chart of the options' costs, and the buyer message (editable, language, character count).

Everything that is only read is one HTML widget (`dp-report`), its parts marked by their own classes
(`dp-resolution dp-res-<id>`, `dp-rationale`, `dp-cost-chart`, ...): a Recommend sends it in one
message, so the decision and its chart appear together, at once.

Anything that came from the case is shown through text widgets or escaped HTML: buyer text is data.
"""
from __future__ import annotations

import html

import ipywidgets as widgets

from ..playbook.messages import LANGUAGES
from .cost_chart import cost_chart_html, unknown_costs
from ..playbook.labels import choice_label, evidence_label, lead_in, ui
from .present import cost_text, evidence_checklist, money


def _list_html(items, ordered=False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


class ResultView:
    """Widgets that show one Recommendation; `show(rec, case)` fills them, `clear()` hides them."""

    def __init__(self, rerender_message, look, on_error):
        """`rerender_message(buyer_language)` gives the Recommendation with the message in that language;
        `look` holds the layouts and styles shared with the form (helpers.form.Look); `on_error` shows a
        toolkit error met in a callback (helpers.ui.page.shown_on_page)."""
        self.rerender_message = rerender_message
        html_block = look.html_block
        self.prompt = look.label("dp-result-prompt", layout=widgets.Layout())  # own layout: it is hidden and shown
        self.report = html_block("dp-report")
        self.parts: dict[str, str] = {}  # the report's parts (HTML) by class, for tests and scripts
        self.message_title = html_block("dp-message-title")
        self.language = widgets.Dropdown(options=LANGUAGES, layout=look.wide, style=look.choice).add_class("dp-message-language")
        self.message = widgets.Textarea(rows=10, layout=widgets.Layout(width="95%"), style=look.text).add_class("dp-message")
        self.count = look.label("dp-char-count")
        self.note = look.label("dp-message-note")
        # an edited message is never replaced silently: the new text waits until the user asks for it
        self.kept = look.label("dp-message-kept")
        self.replace = widgets.Button(style=look.button, layout=widgets.Layout(display="none", width="auto"),
                                      icon="refresh").add_class("dp-message-replace")
        self.generated, self.pending, self.platform = None, None, None
        # the report is always in the page (empty before a result), so the decision and its chart show
        # with one message; the message box below it appears with the first result
        self.body = widgets.VBox([self.message_title, self.language, self.message, self.count, self.note,
                                  widgets.HBox([self.kept, self.replace], layout=widgets.Layout(flex_flow="row wrap"))],
                                 layout={"display": "none"}).add_class("dp-message-box")
        self.box = widgets.VBox([self.prompt, self.report, self.body], layout=look.plain).add_class("dp-result")
        self.rec, self.lang, self._quiet = None, "en", False
        self.message.observe(lambda _: self._count(), "value")
        self.replace.on_click(lambda _: self.use_new_text())
        from .page import shown_on_page
        self.language.observe(shown_on_page(self._on_language, on_error), "value")

    def relabel(self, lang: str):
        self.lang = lang
        self.prompt.value = ui("press_recommend", lang)
        self.message_title.value = f"<b>{html.escape(ui('message', lang))}</b>"
        self.language.description = ui("message_language", lang)
        value, self._quiet = self.language.value, True
        self.language.options = [(choice_label("buyer_language", code, lang), code) for code in LANGUAGES]
        self.language.value, self._quiet = value, False
        if self.pending is not None:
            self.kept.value, self.replace.description = ui("edits_kept", lang), ui("use_new_text", lang)

    def clear(self):
        """Hide the result of a case that has since changed (its texts too: nothing stale is read)."""
        self.rec, self.parts = None, {}
        self.report.value = ""
        self.body.layout.display = "none"
        self.prompt.layout.display = None

    def show(self, rec, case: dict):
        """The report first (decision and chart in one message), then the message box."""
        lang = self.lang
        self.rec = rec
        self.platform = case.get("platform")
        self.parts = report_parts(rec, case, lang)
        self.report.value = "".join(f'<div class="{cls}">{part}</div>' if cls != "dp-cost-chart" else part
                                    for cls, part in self.parts.items() if part)
        self.prompt.layout.display = "none"
        self.body.layout.display = None
        self._set_message(rec)
        self._quiet = True
        self.language.value = rec.message_language if rec.message_language in LANGUAGES else "en"
        self._quiet = False

    def edited(self) -> bool:
        """Whether the message box holds the user's own edits (not the text the app last put there)."""
        return self.generated is not None and self.message.value != self.generated

    def _set_message(self, rec):
        if self.edited() and rec.message != self.message.value:
            self.pending = rec.message
            self.kept.value = ui("edits_kept", self.lang)
            self.replace.description = ui("use_new_text", self.lang)
            self.replace.layout.display = None
        else:
            self.message.value = self.generated = rec.message
            self._hide_replace()
        self.note.value = rec.message_note  # made in the UI language (helpers.playbook.messages)
        self._count()

    def use_new_text(self):
        """The user chose to replace their edits with the new text."""
        if self.pending is not None:
            self.message.value = self.generated = self.pending
        self._hide_replace()

    def _hide_replace(self):
        self.pending = None
        self.kept.value = ""
        self.replace.layout.display = "none"

    def _count(self):
        limit = self.rec.message_max_chars if self.rec else None
        n = len(self.message.value)
        if not limit:
            self.count.value = f"{n} {ui('characters', self.lang)}{ui('aside', self.lang).format(ui('no_limit', self.lang))}"
        else:
            over = f" — {ui('over_limit', self.lang)}" if n > limit else ""
            self.count.value = f"{n} / {limit} {ui('characters', self.lang)}{over}"

    def _on_language(self, change):
        if self._quiet or self.rec is None:
            return
        self._set_message(self.rerender_message(change["new"]))


def report_parts(rec, case: dict, lang: str) -> dict[str, str]:
    """The report's parts as HTML, keyed by their CSS class, in reading order; every text escaped.
    The resolution's part is keyed `dp-resolution dp-res-<id>`: the label shows, the id is a class."""
    esc = html.escape
    gap = "" if lang == "zh" else " "  # Chinese brackets carry their own space
    checklist = [f"{'✓' if has else '✗'} {esc(evidence_label(e, lang))}{gap}"
                 f"<i>{ui('brackets', lang).format(esc(ui('have' if has else 'missing', lang)))}</i>"
                 for e, has in evidence_checklist(rec)] or [esc(ui("no_evidence", lang))]
    unknown = unknown_costs(rec, lang)
    return {
        "dp-case-summary": (f"<b>{esc(ui('case', lang))} {esc(rec.case_id)}</b> · {esc(ui('buyer', lang))} "
                            f"{esc(str(case.get('buyer_name') or '—'))} · {esc(ui('as_of', lang))} "
                            f"{esc(_shown_date(rec.as_of_date, lang))}"),
        f"dp-resolution dp-res-{rec.resolution}": (f'<span style="font-weight:bold;font-size:1.3em">'
                                                   f"{esc(lead_in(ui('resolution', lang), lang))}{esc(rec.alternatives[0]['label'])}</span>"),
        "dp-refund": esc(f"{lead_in(ui('refund', lang), lang)}{money(rec.refund_amount, rec.currency, lang)} · "
                         f"{lead_in(ui('est_cost', lang), lang)}{cost_text(rec.est_cost, rec.currency, lang)}"),
        "dp-rationale": f"{lead_in(esc(ui('why', lang)), lang, ('<b>', '</b>'))}{esc(rec.rationale)}",
        "dp-what-would-change": (f"{lead_in(esc(ui('what_would_change', lang)), lang, ('<b>', '</b>'))}{esc(rec.what_would_change)}"
                                 if rec.what_would_change else ""),
        "dp-evidence": f"<b>{esc(ui('evidence', lang))}</b>" + _list_html(checklist),
        "dp-risk-flags": f"<b>{esc(ui('risk_flags', lang))}</b>" + _list_html(
            [f"⚠ {esc(t)}" for t in rec.risk_flag_text] or [esc(ui("no_risk", lang))]),
        "dp-next-steps": f"<b>{esc(ui('next_steps', lang))}</b>" + _list_html(
            [esc(s["text"]) + (f"{gap}<b>{ui('brackets', lang).format(esc(ui('deadline', lang) + ' ' + _shown_date(s['deadline'], lang)))}</b>"
                               if s["deadline"] else "")
             for s in rec.next_steps], ordered=True),
        "dp-cost-chart": cost_chart_html(rec, lang),
        "dp-cost-note": esc(ui("cost_unknown_note", lang) + unknown) if unknown else "",
    }


def _shown_date(iso: str, lang: str) -> str:
    """An ISO date from a Recommendation as the form's date pickers show dates."""
    import datetime as _dt

    from .form_checks import form_date
    try:
        return form_date(_dt.date.fromisoformat(str(iso)), lang)
    except ValueError:
        return str(iso)
