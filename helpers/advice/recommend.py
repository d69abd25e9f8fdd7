"""`recommend(case)`: one case in, one complete, explained recommendation out.

Pure: it reads the playbook (cached) and touches no other file. The batch layer calls the same
`decide` over many rows and `build` over its results, so both give the same answers.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field

from ..core.case import parse_case, to_columns
from ..core.costs import cost_inputs, goods_left, money_or_none
from ..core.engine import decide
from ..core.exceptions import CaseError, FieldProblem, PlaybookError, PlaybookProblem, UsageError
from ..core.fields import EVIDENCE
from ..core.levers import LEVERS
from ..core.money import no_rate_problem
from ..playbook.messages import choose_language, compile_template, fit, render_prose, row_values
from ..playbook.loader import Playbook
from ..playbook.validate import load_checked

UI_LANGUAGES = ("en", "zh")


@dataclass
class Recommendation:
    case_id: str
    resolution: str
    refund_amount: float
    rule_id: str
    rationale: str
    actions: list
    missing_evidence: list
    risk_flags: list
    est_cost: float | None
    template_id: str
    message: str
    message_language: str
    # extensions to the contract (README: "Recommendation fields")
    dispute_type: str = ""
    platform: str = ""
    currency: str = "USD"
    as_of_date: str = ""
    rule_title: str = ""
    next_steps: list = field(default_factory=list)
    missing_evidence_text: list = field(default_factory=list)
    risk_flag_text: list = field(default_factory=list)
    alternatives: list = field(default_factory=list)
    what_would_change: str = ""
    what_would_change_to: str = ""
    message_note: str = ""
    message_max_chars: int | None = None
    ui_language: str = "en"

    def to_dict(self) -> dict:
        return asdict(self)


def localised(pb: Playbook, texts: dict, lang: str) -> str:
    """A playbook text in `lang` (else English), its {{ params.x }} filled in. The loader already
    rendered every text, so a failure here is a playbook changed under us: still a PlaybookError."""
    from jinja2 import TemplateError
    raw = texts.get(lang) or texts.get("en") or ""
    try:
        return render_prose(raw, tuple(sorted(pb.params.items())))
    except TemplateError as exc:
        raise PlaybookError([PlaybookProblem(pb.root, None, f"the text {raw[:60]!r} does not render: {exc}",
                                             "run `dispute-playbook validate` to find its file and line")]) from None


def change_text(pb: Playbook, lever, to: str, now: str, lang: str) -> str:
    """The lever's sentence with the resolutions' labels in `lang`, never their codes."""
    return lever.sentence(*(localised(pb, pb.resolutions[r], lang) for r in (now, to)), lang)


def _deadline(pb, spec, platform, as_of: _dt.date):
    """The step's date: `spec` is days (a number, $parameter or platform.<fact>), or a list of them
    of which the first known one counts (the platform's window, else the shop's own policy)."""
    if isinstance(spec, (list, tuple)):
        return next((d for d in (_deadline(pb, s, platform, as_of) for s in spec) if d), None)
    if spec is None:
        return None
    if isinstance(spec, str) and spec.startswith("platform."):
        spec = pb.platforms.get(platform, {}).get(spec[len("platform."):])
    elif isinstance(spec, str) and spec.startswith("$"):
        spec = pb.params.get(spec[1:])
    if not isinstance(spec, (int, float)) or isinstance(spec, bool):
        return None
    try:
        return (as_of + _dt.timedelta(days=int(spec))).isoformat()
    except (OverflowError, ValueError):  # past the year 9999 (--as-of 9999-12-31, a window of millions of days): no date
        return None


def _fits(only_when, case) -> bool:
    """An action's `only_when: {field: [values]}`: every listed field holds one of its values."""
    return not only_when or all(case.get(field) in values for field, values in only_when.items())


def build(pb: Playbook, cases: list, d, lang: str = "en", render: bool = True) -> list:
    """Recommendations for parsed `cases` from their Decisions `d`."""
    lang = lang if lang in UI_LANGUAGES else "en"
    out = []
    left = goods_left(d.facts)
    for i, case in enumerate(cases):
        rule = d.rules[d.rule[i]]
        platform = case["platform"]
        message, language, note, limit = "", "", "", pb.platforms.get(platform, {}).get("message_max_chars")
        refund = money_or_none(d.refund[i])
        if render:
            language, note = choose_language(pb, platform, case["buyer_language"], rule.template, lang)
            compiled = compile_template(pb, rule.template, language, platform, rule.resolution, case["dispute_type"],
                                        bool(case.get("tracking_number")), case.get("delivery_date") is not None)
            message = fit(compiled.fill(row_values(pb, language, case, refund)), limit)
        steps = []
        for a in rule.actions:
            spec = pb.actions[a]
            if not _fits(spec.get("only_when"), case):
                continue  # a step for other cases of this rule (e.g. fix the stock: only when out of stock)
            steps.append({"action": a, "text": localised(pb, spec, lang),
                          "deadline": _deadline(pb, spec.get("deadline_days"), platform, case["as_of_date"])})
        missing = [e for j, e in enumerate(d.evidence_ids) if d.missing[i, j]]
        flags = [f for j, f in enumerate(d.flag_ids) if d.flags[i, j]]
        table = pb.tables[case["dispute_type"]]
        left_here = bool(left[i])

        def unknown_inputs(res):
            return [f for f in cost_inputs(res, left_here) if case.get(f) is None]
        alternatives = [{"resolution": rule.resolution, "label": localised(pb, pb.resolutions[rule.resolution], lang),
                         "refund_amount": refund, "est_cost": money_or_none(d.est_cost[i]), "chosen": True,
                         "cost_unknown": unknown_inputs(rule.resolution)}]
        for res in table.alternatives:
            if res != rule.resolution:
                r, c = d.alternatives[res]
                alternatives.append({"resolution": res, "label": localised(pb, pb.resolutions[res], lang),
                                     "refund_amount": money_or_none(r[i]), "est_cost": money_or_none(c[i]), "chosen": False,
                                     "cost_unknown": unknown_inputs(res)})
        change, change_to = "", ""
        if d.lever[i] >= 0:
            change_to = d.rules[d.lever_rule[i]].resolution
            change = change_text(pb, LEVERS[d.lever[i]], change_to, rule.resolution, lang)
        out.append(Recommendation(
            case_id=case["case_id"], resolution=rule.resolution, refund_amount=refund, rule_id=rule.id,
            rationale=localised(pb, rule.rationale, lang), actions=[s["text"] for s in steps],
            missing_evidence=missing, risk_flags=flags, est_cost=money_or_none(d.est_cost[i]),
            template_id=rule.template, message=message, message_language=language,
            dispute_type=case["dispute_type"], platform=platform, currency=case["currency"],
            as_of_date=case["as_of_date"].isoformat(), rule_title=localised(pb, rule.title, lang),
            next_steps=steps, missing_evidence_text=[EVIDENCE[e][2 if lang == "zh" else 1] for e in missing],
            risk_flag_text=[localised(pb, pb.risk_flags[f], lang) for f in flags], alternatives=alternatives,
            what_would_change=change, what_would_change_to=change_to, message_note=note,
            message_max_chars=int(limit) if limit else None, ui_language=lang))
    return out


def ui_language(lang: str) -> str:
    """`lang` as a UI language: en or zh, whatever its region or capitals (zh-CN, ZH, en-GB)."""
    primary = str(lang).replace("_", "-").split("-")[0].lower()
    if primary not in UI_LANGUAGES:
        raise UsageError(f"lang {lang!r} is not a UI language: use one of {', '.join(UI_LANGUAGES)}")
    return primary


def recommend(case, *, as_of: _dt.date | str | None = None, playbook=None, params: dict | None = None,
              lang: str = "en", explain: bool = True, render: bool = True) -> Recommendation:
    """Decide one case. `case` is a dict in contract form; raises CaseError naming every bad field.

    `playbook` is a folder or a loaded Playbook; `params` overrides its named parameters (what-if);
    `lang` is the language of rationale, actions and labels (en or zh, any region: zh-CN), not of the
    buyer message; another is a UsageError (it was English without a word).
    """
    lang = ui_language(lang)
    if isinstance(as_of, str):
        try:
            as_of = _dt.date.fromisoformat(as_of)
        except ValueError:  # a CaseError is a ValueError too: callers that caught one still do
            case_id = case.get("case_id") if isinstance(case, dict) else None
            raise CaseError([FieldProblem(case_id, "as_of_date", f"review date {as_of!r} is not a date YYYY-MM-DD")]) from None
    pb = playbook if isinstance(playbook, Playbook) else load_checked(playbook)
    if params:
        pb = pb.with_params(params)
    parsed = parse_case(case, as_of=as_of)
    if parsed["currency"] not in pb.rates:
        raise CaseError([no_rate_problem(parsed["case_id"], parsed["currency"])])
    d = decide(pb, to_columns([parsed]), explain=explain)
    return build(pb, [parsed], d, lang, render)[0]
