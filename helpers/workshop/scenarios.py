"""Workshop scenarios (playbook/scenarios/*.yaml): stories with case facts, and their right answers.

A scenario holds no expected answer: `expected()` asks the playbook, so decks stay right when the
rules change. A trainer may pin another answer (`pin: {resolution, note}`); `pin_problems` lists
the pins that disagree with the rules (or have become redundant) for `dispute-playbook validate`.
Every problem in a scenario file is reported as file:line, like the rest of the playbook.
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.exceptions import CaseError, PlaybookProblem
from ..core.fields import EVIDENCE, FULL_REFUND_RESOLUTIONS, RESOLUTIONS
from ..playbook.loader import Playbook, load_playbook, playbook_dir
from ..core.yamlio import line_of, load_yaml

LEVELS = ("basic", "intermediate", "advanced")
TEXT_KEYS = ("title", "buyer_wrote", "seller_knows")
REQUIRED_KEYS = ("id", "level", *TEXT_KEYS, "case")
OPTIONAL_KEYS = ("source", "pin")
PIN_KEYS = ("resolution", "note", "template", "evidence")
_ID = re.compile(r"[a-z0-9_]+")
POINTS = {"resolution": 2, "evidence": 1, "message": 1}  # what a trainee earns per scenario
MAX_POINTS = sum(POINTS.values())


def score_percent(points: int, deck_size: int) -> float:
    """`points` as a % of all a deck of `deck_size` scenarios can earn, to one decimal: an unanswered
    scenario counts as 0, so the trainee's page and the trainer's grading give the same number."""
    return round(100 * points / (MAX_POINTS * deck_size), 1) if deck_size else 0.0


@dataclass(frozen=True)
class Scenario:
    id: str
    level: str
    dispute_type: str
    title: dict
    buyer_wrote: dict
    seller_knows: dict
    case: dict  # contract fields, case_id filled in from the scenario id
    source: str = ""
    pin: dict | None = None
    path: str = ""
    line: int = 0

    def text(self, what: str, lang: str = "en") -> str:
        texts = getattr(self, what)
        return texts.get(lang) or texts.get("en", "")


def scenarios_dir(playbook=None) -> Path:
    root = playbook.root if isinstance(playbook, Playbook) else playbook_dir(playbook)
    return Path(root) / "scenarios"


def _texts(node, path, line, what, problems):
    if not isinstance(node, dict):
        problems.append(PlaybookProblem(path, line, f"{what} must give the text per language (en:, zh:)",
                                        "write `en: ...` and `zh: ...` on indented lines"))
        return {}
    for lang in ("en", "zh"):
        if not str(node.get(lang) or "").strip():
            problems.append(PlaybookProblem(path, line_of(node, lang) if lang in node else line, f"{what} has no {lang!r} text",
                                            f"add `{lang}: ...` so trainees reading {lang} see it"))
    return {k: str(v).strip() for k, v in node.items()}


def _pin(raw, path, line, sid, messages_dir, problems):
    if not isinstance(raw, dict):
        problems.append(PlaybookProblem(path, line, f"scenario {sid}: pin must be a mapping",
                                        "write `pin: {resolution: ..., note: why}`"))
        return None
    for key in raw:
        if key not in PIN_KEYS:
            problems.append(PlaybookProblem(path, line_of(raw, key, line), f"scenario {sid}: unknown pin key {key!r}",
                                            f"a pin may have: {', '.join(PIN_KEYS)}"))
    if raw.get("resolution") not in RESOLUTIONS:
        problems.append(PlaybookProblem(path, line_of(raw, "resolution", line),
                                        f"scenario {sid}: pin resolution {raw.get('resolution')!r} is not a resolution",
                                        f"use one of {', '.join(RESOLUTIONS)}"))
    if not str(raw.get("note") or "").strip():
        problems.append(PlaybookProblem(path, line_of(raw, "note", line), f"scenario {sid}: a pin needs a `note:`",
                                        "say why this scenario teaches another answer than the rules give"))
    template = raw.get("template")
    if template is not None and not (messages_dir / f"{template}.yaml").exists():
        problems.append(PlaybookProblem(path, line_of(raw, "template", line), f"scenario {sid}: no message template {template!r}",
                                        "name a file in playbook/messages/ without .yaml"))
    evidence = raw.get("evidence", [])
    if not isinstance(evidence, list) or any(e not in EVIDENCE for e in evidence):
        problems.append(PlaybookProblem(path, line_of(raw, "evidence", line), f"scenario {sid}: pin evidence must list evidence ids",
                                        f"use some of {', '.join(EVIDENCE)}"))
    return dict(raw)


def _case(raw, path, line, sid, problems):
    from ..core.case import parse_case
    if not isinstance(raw, dict):
        problems.append(PlaybookProblem(path, line, f"scenario {sid}: case must be a mapping of contract fields"))
        return None
    case = {"case_id": sid, **raw}
    try:
        parse_case(case)
    except CaseError as exc:
        for p in exc.problems:
            problems.append(PlaybookProblem(path, line_of(raw, p.field, line), f"scenario {sid}: case {p.field}: {p.message}",
                                            "fix the field (see the case contract in docs/contract.md)"))
        return None
    if "as_of_date" not in raw:
        problems.append(PlaybookProblem(path, line, f"scenario {sid}: case has no as_of_date",
                                        "fix the review date (e.g. `as_of_date: 2026-11-01`) so the answer reproduces"))
        return None
    return case


def _scenario(raw, path, line, problems):
    if not isinstance(raw, dict):
        problems.append(PlaybookProblem(path, line, "a scenario must be a mapping with id, level, title, ..."))
        return None
    before = len(problems)
    sid = str(raw.get("id") or f"(scenario at line {line})")
    for key in raw:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            problems.append(PlaybookProblem(path, line_of(raw, key, line), f"scenario {sid}: unknown key {key!r}",
                                            f"a scenario may have: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}"))
    for key in REQUIRED_KEYS:
        if key not in raw:
            problems.append(PlaybookProblem(path, line, f"scenario {sid}: no `{key}:`", f"add `{key}:` to the scenario"))
    if "id" in raw and not _ID.fullmatch(str(raw["id"])):
        problems.append(PlaybookProblem(path, line_of(raw, "id", line), f"scenario id {raw['id']!r} is not a plain name",
                                        "use lower-case letters, digits and _"))
    if "level" in raw and raw["level"] not in LEVELS:
        problems.append(PlaybookProblem(path, line_of(raw, "level", line), f"scenario {sid}: unknown level {raw['level']!r}",
                                        f"use one of {', '.join(LEVELS)}"))
    texts = {k: _texts(raw.get(k), path, line_of(raw, k, line), f"scenario {sid} {k}", problems)
             for k in TEXT_KEYS if k in raw}
    pin = _pin(raw["pin"], path, line_of(raw, "pin", line), sid, Path(path).parent.parent / "messages", problems) \
        if raw.get("pin") is not None else None
    case = _case(raw.get("case"), path, line_of(raw, "case", line), sid, problems) if "case" in raw else None
    if len(problems) > before:
        return None
    return Scenario(sid, raw["level"], case["dispute_type"], texts["title"], texts["buyer_wrote"], texts["seller_knows"],
                    case, str(raw.get("source") or ""), pin, str(path), line)


def load_scenarios(playbook=None) -> tuple[list, list]:
    """(scenarios sorted by id, problems); a bad scenario is reported and left out, never raised."""
    folder = scenarios_dir(playbook)
    scenarios, problems, seen = [], [], {}
    if not folder.is_dir():
        return [], [PlaybookProblem(folder, None, "no scenarios folder", "create it with one YAML file per dispute type")]
    for path in sorted(folder.glob("*.yaml")):
        data, err = load_yaml(path)
        if err:
            problems.append(err)
            continue
        if not isinstance(data, list):
            problems.append(PlaybookProblem(path, 1, "a scenario file is a list of scenarios", "start each with `- id: ...`"))
            continue
        for i, raw in enumerate(data):
            sc = _scenario(raw, path, line_of(data, i), problems)
            if sc is None:
                continue
            if sc.id in seen:
                problems.append(PlaybookProblem(path, sc.line, f"scenario id {sc.id!r} is used twice (also {seen[sc.id]})",
                                                "give each scenario its own id"))
                continue
            seen[sc.id] = f"{Path(sc.path).name}:{sc.line}"
            scenarios.append(sc)
    return sorted(scenarios, key=lambda s: s.id), problems


def scenario_problems(playbook=None) -> list:
    """Errors in the scenario files (for `validate`), pins whose right message is not known included."""
    scenarios, problems = load_scenarios(playbook)
    return problems + pin_message_problems(playbook, scenarios)


def checked_playbook(playbook=None) -> Playbook:
    """The playbook a workshop runs on, if `validate` finds no error in it, its scenarios included;
    else PlaybookError naming the first few. A broken scenario was left out of decks without a word,
    and its answers graded as unknown: wrong scores, exit 0."""
    from ..playbook.validate import load_checked, refusal
    pb = load_checked(playbook)
    errors = scenario_problems(pb)
    if errors:
        raise refusal(playbook_dir(playbook).resolve(), errors)
    return pb


@dataclass
class Expected:
    """The answer a trainee is measured against, and the playbook's reasons."""
    resolution: str
    evidence: tuple
    template_id: str
    recommendation: object  # the playbook's Recommendation for the case
    pin_note: str = ""

    @property
    def pinned(self) -> bool:
        return bool(self.pin_note)


def _template_for(pb, scenario: Scenario, resolution: str):
    """The message of the first rule giving `resolution` whose conditions the scenario's case meets
    (the rule that would decide it without the rules before it), or None when no such rule fits.
    The first rule giving the resolution, whatever its conditions, made a late parcel still in
    transit answer "the tracking shows it as delivered" and graded that message right."""
    from ..core.case import parse_case, to_columns
    from ..core.engine import rules_view
    _, view = rules_view(pb, to_columns([parse_case(scenario.case)]))
    return next((r.template for r in pb.tables[scenario.dispute_type].rules
                 if r.resolution == resolution and (r.when is None or bool(r.when.mask(view)[0]))), None)


def _pin_without_message(pb, scenario: Scenario):
    """The problem of a pin whose right message is not known (no `template:`, and no rule giving the
    pinned resolution fits the case), or None."""
    pin = scenario.pin
    if not pin or pin.get("template") or _template_for(pb, scenario, pin["resolution"]) is not None:
        return None
    res, dt = pin["resolution"], scenario.dispute_type
    used = sorted({r.template for r in pb.tables[dt].rules if r.resolution == res})
    return PlaybookProblem(
        scenario.path, scenario.line, f"scenario {scenario.id}: pinned to {res}, but no {dt} rule giving {res} fits "
        "this case, so which buyer message is right is not known",
        "name the message trainees should choose in the pin (`template: <a file in playbook/messages/ without "
        ".yaml>`), or write one that says what your house rule does"
        + (f"; the messages used with {res}: {', '.join(used)} (check that what they tell the buyer is true here)"
           if used else ""))


def expected(scenario: Scenario, playbook=None, lang: str = "en") -> Expected:
    """What the playbook decides for the scenario, unless the trainer pinned another answer."""
    from ..advice.recommend import recommend
    pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    rec = recommend(scenario.case, playbook=pb, lang=lang)
    pin = scenario.pin
    if not pin:
        return Expected(rec.resolution, tuple(rec.missing_evidence), rec.template_id, rec)
    template = pin.get("template") or _template_for(pb, scenario, pin["resolution"])
    if template is None:  # validate reports it as an error; a workshop never grades a message it cannot know
        from ..playbook.validate import refusal
        raise refusal(playbook_dir(pb.root).resolve(), [_pin_without_message(pb, scenario)])
    return Expected(pin["resolution"], tuple(pin.get("evidence", rec.missing_evidence)), template, rec,
                    str(pin["note"]).strip())


def pin_message_problems(playbook=None, scenarios=None) -> list:
    """Errors: pins whose right message is not known (see _pin_without_message)."""
    from ..core.exceptions import PlaybookError
    try:
        pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    except PlaybookError:
        return []  # validate already reports why the playbook cannot load
    found = (_pin_without_message(pb, sc) for sc in (load_scenarios(pb)[0] if scenarios is None else scenarios))
    return [p for p in found if p is not None]


def pin_problems(playbook=None) -> list:
    """Pins that disagree with the rules (or agree and are no longer needed), for `validate`'s warnings."""
    from ..core.exceptions import PlaybookError
    try:
        pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    except PlaybookError:
        return []  # validate already reports why the playbook cannot load
    from ..advice.recommend import recommend
    out = []
    for sc in load_scenarios(pb)[0]:
        if not sc.pin:
            continue
        rec = recommend(sc.case, playbook=pb)  # the rules' answer (a pin without a known message is an error of its own)
        line = sc.line
        if sc.pin["resolution"] == rec.resolution:
            out.append(PlaybookProblem(sc.path, line, f"scenario {sc.id}: pinned to {rec.resolution}, which the rules decide too",
                                       "remove the pin so the scenario follows the playbook"))
        else:
            out.append(PlaybookProblem(
                sc.path, line, f"scenario {sc.id}: pinned to {sc.pin['resolution']} but the rules decide {rec.resolution} "
                f"(rule {rec.rule_id}); the pin's note: {sc.pin['note']}",
                "if the rules are right, remove the pin; if the pin is right, change the rule"))
    return out


@dataclass
class Question:
    """One scenario as a trainee sees it: the choices, and the answer they are measured against."""
    scenario: Scenario
    expected: Expected
    resolutions: list  # (resolution, label)
    evidence: list  # (evidence id, label)
    messages: list  # (template_id, text), shuffled per scenario
    lang: str = "en"


@dataclass
class Verdict:
    resolution_right: bool
    evidence_right: bool
    message_right: bool
    missed_evidence: list = field(default_factory=list)
    extra_evidence: list = field(default_factory=list)

    @property
    def points(self) -> int:
        return (POINTS["resolution"] * self.resolution_right + POINTS["evidence"] * self.evidence_right
                + POINTS["message"] * self.message_right)


def _stable_rng(*parts) -> random.Random:
    """The same choices for the same scenario on every machine (hash() is salted per process)."""
    return random.Random(int(hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:16], 16))


def _message_text(pb, case_dict, rec, template_id, resolution, lang):
    from ..core.case import parse_case
    from ..playbook.messages import compile_template, row_values
    case = parse_case(case_dict)
    refund = {a["resolution"]: a["refund_amount"] for a in rec.alternatives}.get(
        resolution, case["order_value"] if resolution in FULL_REFUND_RESOLUTIONS else 0.0)
    compiled = compile_template(pb, template_id, lang, case["platform"], resolution, case["dispute_type"],
                                bool(case.get("tracking_number")), case.get("delivery_date") is not None)
    return compiled.fill(row_values(pb, lang, case, refund or 0.0))


def question(scenario: Scenario, playbook=None, lang: str = "en", distractors: int = 2) -> Question:
    """The scenario's choices: every resolution its dispute table can give, all evidence, and the
    right message shuffled among `distractors` messages that other rules of the table send."""
    from ..advice.recommend import localised
    pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    exp = expected(scenario, pb, lang)
    table = pb.tables[scenario.dispute_type]
    used = {r.resolution for r in table.rules} | set(table.alternatives) | {exp.resolution}
    resolutions = [(r, localised(pb, pb.resolutions[r], lang)) for r in RESOLUTIONS if r in used]
    evidence = [(e, labels[2 if lang == "zh" else 1]) for e, labels in EVIDENCE.items()]
    others = {}
    for rule in table.rules:
        if rule.template != exp.template_id and rule.resolution != exp.resolution:
            others.setdefault(rule.template, rule.resolution)
    rng = _stable_rng("messages", scenario.id)
    picked = rng.sample(sorted(others), min(distractors, len(others)))
    choices = [(exp.template_id, exp.resolution)] + [(t, others[t]) for t in picked]
    rng.shuffle(choices)
    messages = [(t, _message_text(pb, scenario.case, exp.recommendation, t, res, lang)) for t, res in choices]
    return Question(scenario, exp, resolutions, evidence, messages, lang)


def judge(exp: Expected, resolution: str, evidence, template_id: str) -> Verdict:
    """How a trainee's answer compares with the expected one (evidence must match as a set)."""
    want, got = set(exp.evidence), set(evidence or ())
    return Verdict(resolution == exp.resolution, want == got, template_id == exp.template_id,
                   sorted(want - got), sorted(got - want))


__all__ = ["Scenario", "Expected", "Question", "Verdict", "LEVELS", "MAX_POINTS", "score_percent", "load_scenarios",
           "scenario_problems", "pin_problems", "pin_message_problems", "expected", "question", "judge", "scenarios_dir"]


def validate_folder(playbook=None) -> tuple[list, list]:
    """(errors, warnings) for a whole playbook folder: its rules, templates and guides, then its
    workshop scenarios (a trainer's pin that disagrees with the rules is a warning)."""
    from ..playbook.validate import validate
    errors, warnings = validate(playbook)
    return errors + scenario_problems(playbook), warnings + pin_problems(playbook)
