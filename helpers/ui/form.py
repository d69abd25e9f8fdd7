"""The interactive dispute form: the fields one dispute type needs, checked as the user types,
a Recommend button, and the result view; every label in English or Chinese at the flip of a switch.

Every widget carries a stable CSS class (`dp-field-<name>`, `dp-error-<name>`, `dp-recommend`,
`dp-lang-switch`, `dp-resolution`, `dp-message`, ...) for tests and users' own scripts.
"""
from __future__ import annotations

import datetime as _dt
import html

import ipywidgets as widgets

from ..core.case import parse_case
from ..core.exceptions import CaseError
from ..core.fields import FIELD_BY_NAME
from ..playbook.messages import LANGUAGES
from .result_view import ResultView
from .form_checks import AMOUNTS, amount_warnings, field_problems, summary
from ..playbook.labels import LANGUAGE_NAMES, choice_label, field_help, field_label, guide_html, ui

SECTIONS = (
    ("section_order", ("case_id", "platform", "order_value", "currency", "order_date", "as_of_date", "order_id")),
    ("section_shipping", ("ship_date", "promised_delivery_days", "tracking_status", "delivery_date",
                          "tracking_number", "carrier", "insured")),
    ("section_dispute", ("buyer_request", "mismatch", "listing_error", "wrong_item_sent", "damage_severity", "missing_parts",
                         "packaging_damaged", "cancel_reason", "item_resellable", "buyer_prior_disputes",
                         "review_threat")),
    ("section_evidence", ("buyer_photos", "seller_packing_photos", "proof_of_delivery", "chat_history")),
    ("section_buyer", ("buyer_name", "shop_name", "buyer_language")),
    ("section_costs", ("item_cost", "shipping_cost", "return_shipping_cost")),
)
COMMON_FIELDS = ("case_id", "platform", "order_value", "currency", "order_date", "as_of_date", "order_id",
                 "ship_date", "promised_delivery_days", "tracking_status", "delivery_date", "tracking_number",
                 "carrier", "buyer_request", "buyer_prior_disputes", "review_threat", "chat_history", "buyer_name",
                 "shop_name", "buyer_language", "item_cost", "shipping_cost", "return_shipping_cost")
# What each dispute type adds: the fields its rules, risk flags and evidence lists look at.
TYPE_FIELDS = {
    "not_received": ("proof_of_delivery", "insured"),
    "not_as_described": ("mismatch", "listing_error", "wrong_item_sent", "buyer_photos", "seller_packing_photos",
                         "item_resellable"),
    "damaged": ("damage_severity", "missing_parts", "packaging_damaged", "insured", "buyer_photos",
                "seller_packing_photos", "item_resellable"),
    "cancellation": ("cancel_reason", "item_resellable"),
}

# the buyer-language picker's one language without texts of its own (see _make_input)
TRADITIONAL_CHINESE_TAG = "zh-Hant"


def form_fields(dispute_type: str) -> tuple[str, ...]:
    """The fields the form shows for a dispute type; the others keep the parameters' values."""
    return COMMON_FIELDS + TYPE_FIELDS[dispute_type]


def _as_date(value):
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


# In JupyterLab as in the app: a field with a problem is outlined in red, a doubtful amount in amber.
FORM_CSS = """<style>
.jupyter-widgets.dp-invalid input, .jupyter-widgets.dp-invalid select
  { border: 2px solid #b00020 !important; box-shadow: 0 0 0 1px #b00020 !important; }
.jupyter-widgets.dp-doubtful input { border: 2px solid #b26a00 !important; }
.dp-example-note { background: #fff7e0; border-left: 4px solid #b26a00; padding: 4px 8px; }
.dp-report { overflow-wrap: anywhere; }  /* a case id or buyer name of 1,600 letters wraps, never widens the page */
.dp-chart-mark { white-space: nowrap; }
</style>"""


class Look:
    """Layouts and styles shared by many widgets: each is one model in the browser instead of one per
    widget, and the page has far fewer models to create before the form shows."""

    def __init__(self):
        from ipywidgets.widgets.widget_bool import CheckboxStyle
        from ipywidgets.widgets.widget_button import ButtonStyle
        from ipywidgets.widgets.widget_description import DescriptionStyle
        from ipywidgets.widgets.widget_string import HTMLStyle, LabelStyle, TextStyle
        L, label_width = widgets.Layout, "190px"
        self.wide, self.auto, self.plain = L(width="400px", max_width="100%"), L(width="auto"), L()
        self.grid = L(grid_template_columns="auto 1fr", grid_gap="0 12px", align_items="center")
        self.text, self.choice = TextStyle(description_width=label_width), DescriptionStyle(description_width=label_width)
        self.check = CheckboxStyle(description_width=label_width)
        self.words, self.html, self.button = LabelStyle(), HTMLStyle(), ButtonStyle()
        self.error = LabelStyle(text_color="#b00020")
        self.warning = LabelStyle(text_color="#8a5300")
        self.strong = LabelStyle(font_weight="bold", font_size="1.3em")

    def label(self, cls: str, style=None, layout=None) -> widgets.Label:
        return widgets.Label(layout=layout or self.plain, style=style or self.words).add_class(cls)

    def html_block(self, cls: str) -> widgets.HTML:
        return widgets.HTML(layout=self.plain, style=self.html).add_class(cls)


def _make_input(name: str, value, look: Look):
    """The input for one field; its description is the field's label, its tooltip the help text.
    In dropdowns "" stands for unknown (a None value would leave the dropdown blank)."""
    f = FIELD_BY_NAME[name]
    choice = {"layout": look.wide, "style": look.choice}
    if f.kind == "enum":
        options = [(v, v) for v in f.choices] if f.default else [("", "")] + [(v, v) for v in f.choices]
        return widgets.Dropdown(options=options, value=value if value in f.choices else (f.default or ""), **choice)
    if name == "buyer_language":
        # Traditional Chinese is offered though no text is written in it: a Taiwanese or Hong Kong
        # buyer's message then comes in Simplified characters with a note saying so
        offered = (*LANGUAGES, TRADITIONAL_CHINESE_TAG)
        options = offered if value in offered or not value else (*offered, value)
        return widgets.Dropdown(options=[(v, v) for v in options], value=value or "en", **choice)
    if f.kind == "bool" and f.default is False:
        return widgets.Checkbox(value=bool(value), indent=True, layout=look.auto, style=look.check)
    if f.kind == "bool":  # unknown is a real answer here (the seller has not checked yet)
        return widgets.Dropdown(options=[("", ""), ("", True), ("", False)],
                                value=value if isinstance(value, bool) else "", **choice)
    if f.kind == "date":
        return widgets.DatePicker(value=_as_date(value), **choice)
    return widgets.Text(value="" if value is None else str(value), continuous_update=True, layout=look.wide,
                        style=look.text)


# the teaching example's names that a buyer message prints: left in a real case, they reach the buyer
EXAMPLE_NAMES = ("order_id", "shop_name", "buyer_name", "tracking_number", "carrier")


def _raw(widget):
    """A widget's value in contract form: ISO dates, '' as unknown."""
    value = widget.value
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    return value


class AppBox(widgets.VBox):
    """A whole page of widgets, with a short, stable text form so stored notebook outputs compare."""

    def __init__(self, children, name: str, layout=None):
        super().__init__(children, **({"layout": layout} if layout is not None else {}))
        self.page_name = name

    def __repr__(self):
        return f"DisputePlaybookApp({self.page_name})"


class DisputeForm:
    """The form for one dispute type, prefilled from a case (the notebook's parameters)."""

    def __init__(self, case: dict, ui_language: str = "en", example: bool = False):
        """`example`: the case is the made-up teaching example (a note says so, in the UI language)."""
        self.dispute_type = case["dispute_type"]
        self.example = example
        self.base = dict(case)
        self.fields = form_fields(self.dispute_type)
        look = self.look = Look()
        self.inputs = {n: _make_input(n, case.get(n), look).add_class(f"dp-field-{n}") for n in self.fields}
        self._opened_with = {n: _raw(w) for n, w in self.inputs.items()}  # the example's values, as shown
        self.errors = {n: look.label(f"dp-error-{n}", look.error) for n in self.fields}
        self.headings = {key: look.html_block(f"dp-{key.replace('_', '-')}") for key, _ in SECTIONS}
        self.lang_switch = widgets.ToggleButtons(options=[(LANGUAGE_NAMES[k], k) for k in LANGUAGE_NAMES],
                                                 value=ui_language, layout=look.plain).add_class("dp-lang-switch")
        self.guide = look.html_block("dp-guide")
        self.home = look.html_block("dp-home-link")
        self.example_note = look.html_block("dp-example-note")
        self.example_note.layout = widgets.Layout(display=None if example else "none")
        self.button = widgets.Button(button_style="primary", icon="check", style=look.button,
                                     layout=look.plain).add_class("dp-recommend")
        self.form_error = look.label("dp-form-errors", look.error)
        self.result = ResultView(self._rerender_message, look, on_error=self.show_error)
        sections = []  # per section: its heading, then a grid of (input, problem) rows
        for key, names in SECTIONS:
            shown = [n for n in names if n in self.fields]
            if shown:
                cells = [w for name in shown for w in (self.inputs[name], self.errors[name])]
                sections.append(widgets.VBox([self.headings[key], widgets.GridBox(cells, layout=look.grid)], layout=look.plain))
        top = widgets.HBox([self.lang_switch, self.home], layout=widgets.Layout(flex_flow="row wrap",
                                                                                  align_items="center"))
        # two columns of sections on a wide screen (the app's page CSS), one on a narrow one
        fields = widgets.VBox(sections, layout=look.plain).add_class("dp-sections")
        bar = widgets.HBox([self.button, self.form_error], layout=widgets.Layout(flex_flow="row wrap",
                                                                                 align_items="center"))
        self.widget = AppBox([widgets.HTML(FORM_CSS, layout=look.plain, style=look.html), top, self.guide, self.example_note,
                              fields, bar.add_class("dp-recommend-bar"), self.result.box], self.dispute_type, look.plain)
        self.widget.add_class("dp-app").add_class(f"dp-app-{self.dispute_type}")
        self.lang, self._quiet, self._decided = ui_language, False, {}
        from .page import shown_on_page
        shown_on_page(self.relabel, self.show_error)(ui_language)  # labels, guide, then the form checked
        for w in self.inputs.values():
            w.observe(shown_on_page(self._on_edit, self.show_error), "value")
        self.lang_switch.observe(shown_on_page(lambda change: self.relabel(change["new"], rerender=True),
                                               self.show_error), "value")
        self.button.on_click(shown_on_page(lambda _: self.recommend(), self.show_error))
        from .page import no_null_titles
        no_null_titles(self.widget)

    def show_error(self, error):
        """A toolkit error met while the page is open (a playbook broken by an edit), shown where the
        form's problems show; the result is hidden, as it may no longer hold. The next check of the
        form, once the cause is fixed, puts the form back as it was."""
        self.result.clear()
        self.result.prompt.layout.display = "none"
        # a Chinese colon ends the lead-in with its own space
        self.form_error.value = f"{ui('cannot_recommend_now', self.lang)}{'' if self.lang == 'zh' else ' '}{error}"

    def relabel(self, lang: str, rerender: bool = False):
        """Every label, help text, choice and the guide in `lang`; the result too, if one is shown."""
        self.lang = lang
        currency = (_raw(self.inputs["currency"]) or "USD").upper()
        for name, w in self.inputs.items():
            w.description = field_label(name, lang) + (ui("aside", lang).format(currency) if name in AMOUNTS else "")
            w.tooltip = field_help(name, lang) or field_label(name, lang)  # never title="null"
            if isinstance(w, widgets.Text):
                w.placeholder = field_help(name, lang)
            elif isinstance(w, widgets.Dropdown):
                self._relabel_options(name, w, lang)
        for key, heading in self.headings.items():
            heading.value = f"<h4>{ui(key, lang)}</h4>"
        self.home.value = f'<a class="dp-home" href="start.ipynb?lang={lang}">{ui("home", lang)}</a>'
        self.button.description = ui("recommend", lang)
        self.show_example_note()
        self.result.relabel(lang)
        # last, as they read the playbook's files: every label is in place even when a file is broken
        self.guide.value = guide_html(self.dispute_type, lang, folded=True)
        self.validate()
        if rerender and self.result.rec is not None:
            self.recommend()

    def _relabel_options(self, name, w, lang):
        value, kind = w.value, FIELD_BY_NAME[name].kind

        def label(v):
            if v == "":
                return ui("unknown_choice", lang)
            return choice_label("_tristate" if kind == "bool" else name, v, lang)
        self._quiet = True  # new option labels are not an edit
        w.options = [(label(v), v) for _, v in w.options]
        w.value = value
        self._quiet = False

    def values(self) -> dict:
        """The case as the form holds it: the parameters' case with the visible fields replaced."""
        case = dict(self.base)
        for name, w in self.inputs.items():
            case[name] = _raw(w)
        return {k: v for k, v in case.items() if v is not None}

    def validate(self) -> dict | None:
        """Check the case; show every problem next to its field (outlined in red), and warnings for
        implausible amounts. The parsed case, or None."""
        from ..playbook.loader import load_playbook
        problems, typed = field_problems({n: _raw(w) for n, w in self.inputs.items()}, self.fields, self.lang,
                                         {k: v for k, v in self.base.items() if k not in self.inputs})
        pb = load_playbook()
        code = str(typed.get("currency") or "").upper()
        if code and "currency" not in problems and code not in pb.rates:
            # said next to the field in the page's language, not as a failed recommendation in English
            from ..core.money import no_rate_problem
            problems["currency"] = [no_rate_problem(None, code).text(self.lang)]
        warnings = amount_warnings(typed, self.lang, pb.params.get("implausible_amount", float("inf")), pb.rates,
                                   pb.whole_units)
        hidden = []
        parsed = None
        if not problems:
            try:
                parsed = parse_case(self.values())
            except CaseError as exc:  # a field the form does not show (the parameters' case)
                colon = ui("colon", self.lang)
                hidden = [f"{field_label(p.field, self.lang) if p.field in FIELD_BY_NAME else p.field}{colon}"
                          f"{p.text(self.lang)}" for p in exc.problems]
        for name, label in self.errors.items():
            label.value = " ".join(problems.get(name, [])) or warnings.get(name, "")
            label.style = self.look.error if name in problems else self.look.warning
            for cls, on in (("dp-invalid", name in problems), ("dp-doubtful", name in warnings and name not in problems)):
                (self.inputs[name].add_class if on else self.inputs[name].remove_class)(cls)
        self.form_error.value = summary(problems, self.lang) or " ".join(hidden)
        self.result.prompt.layout.display = "none" if problems or hidden else None
        return parsed

    def example_leftovers(self) -> list:
        """The example's own names (order number, shop, buyer, tracking) still in a form the trainee
        has otherwise edited: they would reach the buyer message of a real case."""
        if not self.example:
            return []
        now = {n: _raw(w) for n, w in self.inputs.items()}
        if now == self._opened_with:
            return []
        return [n for n in EXAMPLE_NAMES if n in now and now[n] is not None and now[n] == self._opened_with[n]]

    def show_example_note(self):
        """The teaching example's note; once the trainee has made the case their own but left some of
        the example's names, a warning naming them (what the buyer message would otherwise carry)."""
        lang = self.lang
        left = self.example_leftovers()
        if left:
            sep = "、" if lang == "zh" else ", "
            names = sep.join(f"{field_label(n, lang)} {_raw(self.inputs[n])}" for n in left)
            self.example_note.value = f"<b>{html.escape(ui('example_leftovers', lang).format(names=names))}</b>"
        else:
            self.example_note.value = f"<b>{ui('teaching_example', lang)}</b>"

    def _on_edit(self, change):
        if self._quiet:
            return
        self.show_example_note()
        if change["owner"] is self.inputs["currency"]:
            self.relabel(self.lang)
        self.result.clear()
        self.validate()

    def recommend(self):
        """What the Recommend button does; returns the Recommendation, or None if the case has problems."""
        if self.validate() is None:
            self.result.clear()
            return None
        case = self.values()
        rec = self._decide(case)
        self.result.show(rec, case)
        return rec

    def _decide(self, case: dict, lang: str | None = None):
        """recommend(case) in the UI language (or `lang`), remembered: recommend() is pure, so an unchanged
        case (the form as it opened, decided in the preheated kernel) gets the same answer without
        deciding again. A changed case, language, day or playbook file decides anew."""
        import datetime as dt

        from ..advice.recommend import recommend
        from ..playbook.loader import load_playbook
        lang, pb = lang or self.lang, load_playbook()
        key = (repr(sorted(case.items())), lang, dt.date.today(), id(pb))  # pb is kept below: its id stays its own
        if key not in self._decided:
            if len(self._decided) >= 8:
                self._decided.clear()
            self._decided[key] = (pb, recommend(case, lang=lang))
        return self._decided[key][1]

    def _rerender_message(self, buyer_language: str):
        from ..advice.recommend import recommend
        return recommend({**self.values(), "buyer_language": buyer_language}, lang=self.lang)

    def warm_up(self):
        """Decide the form's case in each UI language and build its report, unseen: the first Recommend on
        the unchanged form then shows that decision at once, and any other finds the rules loaded and
        every code path warm (a preheated kernel does this before anyone opens the page)."""
        from ..playbook.labels import UI_LANGUAGES
        from .result_view import report_parts
        if self.validate() is not None:
            case = self.values()
            for lang in UI_LANGUAGES:  # the page may ask for either
                report_parts(self._decide(case, lang), case, lang)


def show_form(case: dict, ui_language: str = "en", example: bool = False) -> DisputeForm:
    """Show the form; in the app, in the language the page's address asks for."""
    from IPython.display import display

    from .page import follow_page_language, shown_on_page
    form = DisputeForm(case, ui_language, example)
    display(form.widget)
    follow_page_language(form.lang_switch, ui_language, warm_up=shown_on_page(form.warm_up, form.show_error))
    return form
