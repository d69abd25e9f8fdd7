"""What the dispute notebooks call: the case from the parameters cell, the recommendation as readable
Markdown, and its record for programs.

Headless runs (papermill, `interactive = False`) record the recommendation two ways:
  - a JSON sidecar `<output stem>.recommendation.json` next to the output notebook, written when
    papermill tells the kernel where the output goes (`papermill --inject-output-path`);
  - an `application/json` display output in the notebook itself; `read_recommendation(path)`
    reads it back from any executed notebook.
Both hold `Recommendation.to_dict()`, the same JSON `dispute-playbook recommend` prints.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

from ..core.exceptions import CaseError, FieldProblem, InputFileError, UsageError
from ..core.fields import FIELD_BY_NAME, FIELDS
from ..core.paths import NOTEBOOKS_DIR, SAMPLES_DIR
from ..playbook.labels import UI_LANGUAGES, choice_label, evidence_label, field_label, guide_markdown, lead_in, ui
from .present import cost_text, evidence_checklist, money

# Seconds a run waits for a cell's outputs once the kernel says the cell ran. nbclient's default (4 s)
# silently drops them on a busy machine: a page without its form, a report without its tables.
IOPUB_TIMEOUT = 120

DISPUTE_NOTEBOOKS = ("not_received", "not_as_described", "damaged", "cancellation")
# The notebooks whose stored outputs nbval compares; other notebooks in the folder are not ours to run.
PLAYBOOK_NOTEBOOKS = tuple(NOTEBOOKS_DIR / f"{name}.ipynb" for name in ("start",) + DISPUTE_NOTEBOOKS)
RECORD_MARK = "dispute_playbook_recommendation"  # metadata key of the JSON display output
# Parameters that are not case fields: the notebooks' own, and the paths papermill may inject.
NOTEBOOK_PARAMETERS = ("interactive", "ui_language", "playbook", "playbook_params",
                       "PAPERMILL_INPUT_PATH", "PAPERMILL_OUTPUT_PATH")
_PLAIN = (str, int, float, bool, type(None), _dt.date)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|!~$])")


def md_escape(text) -> str:
    """Text as literal Markdown, so buyer text is never markup: HTML characters become entities,
    and the marks that make links, images, code, emphasis, tables or maths are backslash-escaped."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def check_ui_language(ui_language: str) -> str:
    if ui_language not in UI_LANGUAGES:
        raise UsageError(f"ui_language must be one of {', '.join(UI_LANGUAGES)}, not {ui_language!r}")
    return ui_language


def case_from_namespace(namespace: dict, dispute_type: str) -> dict:
    """The contract fields the parameters cell set; None and '' mean unknown and are left out.

    Any other plain value in the namespace is a parameter papermill injected under a wrong name
    (`-p order_valeu 30`): it stays in the case, so the contract's check names it (with a "did you
    mean"), instead of the default silently standing in for it. Each notebook handles one dispute
    type: a case of another type is refused, naming the notebook to use.
    """
    case = {f.name: namespace[f.name] for f in FIELDS
            if f.name in namespace and namespace[f.name] is not None and namespace[f.name] != ""}
    case.update({k: v for k, v in namespace.items() if isinstance(v, _PLAIN) and not k.startswith("_")
                 and k not in FIELD_BY_NAME and k not in NOTEBOOK_PARAMETERS})
    given = case.get("dispute_type", dispute_type)
    if given != dispute_type:
        hint = f"; open {given}.ipynb for that" if given in DISPUTE_NOTEBOOKS else ""
        show_problems(CaseError([FieldProblem(case.get("case_id"), "dispute_type",
                                              f"this notebook handles {dispute_type}, not {given!r}{hint}")]),
                      namespace.get("ui_language", "en"))
    case["dispute_type"] = dispute_type
    return case


EXAMPLES = SAMPLES_DIR / "notebook_examples.yaml"


def teaching_example(dispute_type: str) -> dict:
    """The made-up case the interactive form starts from (samples/notebook_examples.yaml)."""
    from ..core.yamlio import load_yaml
    data, _ = load_yaml(EXAMPLES)
    return dict(data[dispute_type])


def facts_given(case: dict) -> bool:
    """Whether the parameters set any fact beyond the notebook's own dispute type."""
    return any(k != "dispute_type" for k in case)


def starting_case(case: dict, dispute_type: str, ui_language: str = "en") -> dict:
    """What the interactive form starts from: the facts given, or (none given) the teaching
    example, announced as one. Headless runs never call this: they decide on `case` alone."""
    if facts_given(case):
        return case
    from IPython.display import Markdown, display

    from .page import in_app
    if in_app():  # the form says so itself, in the language the page asks for (show_form(example=True))
        return teaching_example(dispute_type)
    display(Markdown(f"> **{md_escape(ui('teaching_example', check_ui_language(ui_language)))}**"))
    return teaching_example(dispute_type)


def recommendation_markdown(rec, lang: str = "en", playbook=None) -> str:
    """The recommendation as a trainee reads it; every value from the case is escaped.
    `playbook`: the folder or Playbook that made `rec` (for the evidence checklist)."""
    e = md_escape
    colon, comma = ui("colon", lang), ui("comma", lang)

    def lead(key):  # "**Refund:** " / "**退款：**"
        return lead_in(e(ui(key, lang)), lang, ("**", "**"))
    lines = [f"### {e(ui('case', lang))} {e(rec.case_id)}{colon}{e(rec.alternatives[0]['label'])}",
             "", e(rec.rationale), "",
             f"- {lead('refund')}{e(money(rec.refund_amount, rec.currency, lang))}",
             f"- {lead('est_cost')}{e(cost_text(rec.est_cost, rec.currency, lang))}",
             f"- {lead('rule')}{e(rec.rule_title)}{comma}{e(ui('as_of', lang))} {e(rec.as_of_date)}"]
    if rec.what_would_change:
        lines.append(f"- {lead('what_would_change')}{e(rec.what_would_change)}")
    lines += ["", f"**{e(ui('evidence', lang))}**", ""]
    checklist = evidence_checklist(rec, playbook)
    lines += [f"- {'✓' if has else '✗'} {e(evidence_label(ev, lang))}{ui('aside', lang).format(e(ui('have' if has else 'missing', lang)))}"
              for ev, has in checklist] or [f"- {e(ui('no_evidence', lang))}"]
    lines += ["", f"**{e(ui('risk_flags', lang))}**", ""]
    lines += [f"- ⚠ {e(text)}" for text in rec.risk_flag_text] or [f"- {e(ui('no_risk', lang))}"]
    lines += ["", f"**{e(ui('next_steps', lang))}**", ""]
    for i, step in enumerate(rec.next_steps, 1):
        due = ui("aside", lang).format(f"{e(ui('deadline', lang))} {e(step['deadline'])}") if step["deadline"] else ""
        lines.append(f"{i}. {e(step['text'])}{due}")
    lines += ["", f"**{e(ui('chart', lang))}**", "", f"| | {e(ui('refund', lang))} | {e(ui('est_cost', lang))} |",
              "|---|---:|---:|"]
    for alt in rec.alternatives:
        mark = f"**→ {e(ui('chosen', lang))}{colon.strip()}**" if alt["chosen"] else ""
        needs = (ui("aside", lang).format(e(("、" if lang == "zh" else ", ").join(
                     field_label(f, lang) for f in alt.get("cost_unknown", ()))))
                 if alt["est_cost"] is None and alt.get("cost_unknown") else "")
        gap = "" if mark and lang == "zh" else " "  # a Chinese colon carries its own space
        lines.append(f"| {mark}{gap}{e(alt['label'])} | {e(money(alt['refund_amount'], rec.currency, lang))} | "
                     f"{e(cost_text(alt['est_cost'], rec.currency, lang))}{needs} |")
    about = e(choice_label("buyer_language", rec.message_language, lang)) + (comma + e(rec.message_note) if rec.message_note else "")
    lines += ["", f"**{e(ui('message', lang))}**{ui('aside', lang).format(about)}", ""]
    lines += [f"> {e(line)}  " if line.strip() else ">" for line in rec.message.splitlines()]
    return "\n".join(lines)


def problems_markdown(error: CaseError, lang: str = "en", case: dict | None = None) -> str:
    """A bad case's problems, each under its field's label, worded as the form words them
    (helpers.ui.form_checks: labels, never field codes) where the form knows the problem, else as the
    contract says it."""
    worded = {}
    if case:
        from .form_checks import field_problems
        fields = {k: v for k, v in case.items() if k in FIELD_BY_NAME}  # a misspelt name is the contract's problem
        worded = field_problems(fields, [f.name for f in FIELDS], lang, base=fields)[0]  # a missing one is too
    colon = ui("colon", lang)
    items = "\n".join(f"- **{md_escape(_field_name(p.field, lang))}**{colon}"
                      f"{md_escape(' '.join(worded.get(p.field, [])) or p.text(lang))}" for p in error.problems)
    return f"**{md_escape(ui('cannot_decide', lang))}**\n\n{items}"


def _field_name(field: str, lang: str) -> str:
    """A problem's field by its label ("(row)" and names the contract does not know as they are)."""
    return field_label(field, lang) if field in FIELD_BY_NAME else field


def show_problems(error: CaseError, lang: str = "en", case: dict | None = None):
    """Show a bad case's problems as a readable list, then fail the cell (and a papermill run) with it."""
    from IPython.display import Markdown, display
    display(Markdown(problems_markdown(error, lang if lang in UI_LANGUAGES else "en", case)))
    raise error


def sidecar_path(output_notebook) -> Path | None:
    """`out/case.ipynb` -> `out/case.recommendation.json`; None for stdout or a remote output."""
    if not output_notebook or str(output_notebook) == "-" or "://" in str(output_notebook):
        return None
    path = Path(output_notebook)
    return path.with_name(path.stem + ".recommendation.json")


def report(case: dict, ui_language: str = "en", interactive: bool = True, output_notebook=None,
           playbook=None, params: dict | None = None):
    """Decide the parameters' case and show it; headless, also record it. A bad case raises CaseError.
    `playbook` (a folder) and `params` (overrides) are the batch's, for per-case audit notebooks.

    Headless, the case is exactly the facts given (a fact not given is unknown). Interactive with
    no facts given, the teaching example is decided instead, under a heading that says so.
    """
    from IPython.display import Markdown, display

    from ..advice.recommend import recommend
    from ..playbook.validate import load_checked
    from .page import in_app
    lang = check_ui_language(ui_language)
    if interactive and in_app():
        return None  # the app shows no example result: a trainee would take it for their own case
    # through validate's gate, as `recommend` and the batch: never a playbook `validate` rejects, and
    # the message texts a clean validation compiled are at hand (an audit kernel compiles no template)
    pb = load_checked(playbook).with_params(params)
    example = interactive and not facts_given(case)
    try:
        rec = recommend(teaching_example(case["dispute_type"]) if example else case, lang=lang, playbook=pb)
    except CaseError as exc:
        show_problems(exc, lang, case)
    shown = recommendation_markdown(rec, lang, pb)
    display(Markdown(f"#### {md_escape(ui('example_heading', lang))}\n\n{shown}" if example else shown))
    if not interactive:
        data = rec.to_dict()
        display({"application/json": data, "text/plain": f"{rec.case_id}: {rec.resolution}"}, raw=True,
                metadata={"application/json": {RECORD_MARK: True, "expanded": False}})
        path = sidecar_path(output_notebook)
        if path:
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return rec


def read_recommendation(notebook_path) -> dict:
    """The recommendation a headless run recorded in its output notebook."""
    import nbformat
    nb = nbformat.read(str(notebook_path), as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", ()):
            if out.get("metadata", {}).get("application/json", {}).get(RECORD_MARK):
                return dict(out["data"]["application/json"])
    raise InputFileError(notebook_path, "holds no recorded recommendation", "run it with -p interactive False")


def guide(name: str, ui_language: str = "en", interactive: bool = True):
    """The dispute type's guide. Interactive, the form shows it under its own language switch."""
    from IPython.display import Markdown, display
    lang = check_ui_language(ui_language)
    if not interactive:
        display(Markdown(guide_markdown(name, lang)))


def start_page(ui_language: str = "en", interactive: bool = True):
    """The start notebook: the handling process and links to the four dispute notebooks."""
    from IPython.display import Markdown, display

    from ..playbook.labels import guide as guide_data
    from ..playbook.labels import guide_html
    lang = check_ui_language(ui_language)
    if not interactive:
        links = "\n".join(f"- [{md_escape(guide_data(n)[lang]['title'])}]({n}.ipynb)" for n in DISPUTE_NOTEBOOKS)
        display(Markdown(guide_markdown("process", lang) + "\n\n" + links))
        return None
    import html

    import ipywidgets as widgets

    from .form import AppBox
    switch = widgets.ToggleButtons(options=[("English", "en"), ("中文", "zh")], value=lang).add_class("dp-lang-switch")
    page = widgets.HTML().add_class("dp-guide")

    def render(code):
        links = "".join(f'<li><a class="dp-link-{n}" href="{n}.ipynb?lang={code}">'
                        f'{html.escape(guide_data(n)[code]["title"])}</a></li>' for n in DISPUTE_NOTEBOOKS)
        workshop = (f'<p><a class="dp-link-workshop" href="workshop.ipynb?lang={code}">'
                    f'{html.escape(ui("workshop_link", code))}</a></p>')
        page.value = guide_html("process", code) + f"<ul>{links}</ul>" + workshop
    from .page import follow_page_language, no_null_titles, shown_on_page

    def show_error(error):  # a guide broken by an edit while the app runs: named on the page
        page.value = (f'<div class="dp-start-error"><b>{html.escape(ui("cannot_show_page", switch.value))}</b>'
                      f"<pre>{html.escape(str(error))}</pre></div>")
    render = shown_on_page(render, show_error)
    render(lang)
    switch.observe(lambda change: render(change["new"]), "value")
    box = AppBox([switch, page], "start").add_class("dp-app")
    no_null_titles(box)
    display(box)
    follow_page_language(switch, lang)


def store_outputs(paths=None, timeout: int = 120) -> list[Path]:
    """Execute notebooks in place so their stored outputs are the current playbook's answers.

    Run after an intended rule change (nbval then compares against these). Widget views and widget
    state are dropped: they only mean something in a live kernel.
    """
    import nbformat
    from nbclient import NotebookClient
    done = []
    for path in [Path(p) for p in (paths or PLAYBOOK_NOTEBOOKS)]:
        nb = nbformat.read(str(path), as_version=4)
        NotebookClient(nb, timeout=timeout, kernel_name="python3", iopub_timeout=IOPUB_TIMEOUT,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
            for out in cell.get("outputs", ()):
                out.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
        nbformat.write(nb, str(path))
        done.append(path)
    return done


if __name__ == "__main__":  # python -m helpers.notebook_run [NOTEBOOK ...] (default: PLAYBOOK_NOTEBOOKS)
    import sys
    for stored in store_outputs(sys.argv[1:] or None):
        print(f"stored outputs of {stored}")
