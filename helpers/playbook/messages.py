"""Buyer messages: Jinja2 templates, rendered in a sandbox, with buyer-supplied values as data only.

A template is rendered once per (template, language, platform) with a marker in place of every
case value; the result is kept as literal text and slots. A case's message is then the literals
joined with its own values, so buyer text never passes through Jinja (`{{ 7*7 }}` as a buyer
name stays `{{ 7*7 }}`), and a million messages cost a join each, not a render.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core.case import TRADITIONAL_CHINESE
from ..core.spelling import closest
from ..core.exceptions import PlaybookError, PlaybookProblem
from ..core.money import money_text
from ..core.yamlio import line_of, load_yaml

LANGUAGES = ("en", "zh", "es", "ru", "pt", "fr")
# Values that differ case by case, and the most of each a message shows (keeps within limits).
# A shop's registered name runs long ("Shenzhen Huaqiang Electronic Technology Co., Ltd. Official Store",
# 64): it signed messages cut at 40; at these limits the longest message still fits AliExpress's 1,500.
ROW_VALUES = {"buyer_name": 60, "shop_name": 80, "order_id": 40, "tracking_number": 40, "carrier": 30,
              "refund_amount": 20, "order_value": 20}
# The case values a message prints as its language's word (languages.yaml `defaults:`) when the case
# leaves them empty; the amounts are never empty.
WORDED_VALUES = tuple(name for name in ROW_VALUES if name not in ("refund_amount", "order_value"))
_MARK = "\x00"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class TemplateProblem(PlaybookError):
    """One message template that cannot be used (exit 3, like any playbook error)."""

    def __init__(self, problem: PlaybookProblem):
        super().__init__([problem])
        self.problem = problem


@dataclass(frozen=True)
class Compiled:
    template_id: str
    language: str
    parts: tuple  # literal text at even positions, row-value names at odd positions

    def fill(self, values: dict) -> str:
        parts = list(self.parts)
        for i in range(1, len(parts), 2):
            parts[i] = values[parts[i]]
        return "".join(parts)

    def longest(self) -> int:
        return sum(len(p) if i % 2 == 0 else ROW_VALUES[p] for i, p in enumerate(self.parts))


_BLOCK_TAG = re.compile(r"\{%.*?%\}")


def keep_line_breaks(source: str) -> str:
    """The text with the line break kept after a block tag that ends a line holding other text:
    trim_blocks drops the break after every block tag, which is right for a tag alone on its line
    (`{% endif %}` leaves no empty line) but joined "… (eBay){% endif %}" to the next line of the
    message. Such a tag gets Jinja's `+%}`, which keeps its break; line numbers do not move."""
    lines = source.split("\n")
    for k, line in enumerate(lines):
        body = line.rstrip()
        if body.endswith("%}") and not body.endswith(("-%}", "+%}")) and _BLOCK_TAG.sub("", body).strip():
            lines[k] = body[:-2] + "+%}" + line[len(body):]
    return "\n".join(lines)


@lru_cache(maxsize=1)
def environment():
    """The sandboxed Jinja environment every playbook text is rendered in (undefined names fail)."""
    from jinja2 import StrictUndefined
    from jinja2.ext import Extension
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class KeepLineBreaks(Extension):
        def preprocess(self, source, name, filename=None):
            return keep_line_breaks(source)
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                                         lstrip_blocks=True, keep_trailing_newline=False, extensions=[KeepLineBreaks])


@lru_cache(maxsize=256)
def template_file(root: str, template_id: str):
    path = Path(root) / "messages" / f"{template_id}.yaml"
    data, err = load_yaml(path)
    if err:
        raise TemplateProblem(err)
    if not isinstance(data, dict):
        raise TemplateProblem(PlaybookProblem(path, 1, "a message file maps language codes to texts",
                                              "write `en: |` followed by the indented English text"))
    return path, data


@lru_cache(maxsize=1024)
def _jinja_template(source: str):
    """A template text compiled by Jinja once; groups (platform, resolution, ...) only render it."""
    refuse_constructs(source)
    return environment().from_string(source)


class RefusedConstruct(Exception):
    """A playbook text uses more of Jinja than printing values and branching."""

    def __init__(self, what: str, lineno: int):
        super().__init__(f"{what} is not allowed in playbook texts, which may only print values and branch "
                         "with {% if %}")
        self.lineno = lineno


# What a playbook text may hold: printed values, parameters, {% if %} branches and their comparisons.
# The sandbox stops a template reaching Python's insides, not work: two nested {% for %} over
# range(100000) kept `validate` (and the app reloading the playbook) busy for good, and `'x' * 10**9`
# would take a gigabyte. A trainer's text needs none of it.
_ALLOWED_NODES = frozenset({"Template", "Output", "TemplateData", "Name", "Const", "If", "Compare", "Operand",
                            "Getattr", "Tuple", "List", "And", "Or", "Not", "CondExpr"})
_NODE_WORDS = {"For": "a {% for %} loop", "Macro": "a {% macro %}", "CallBlock": "a {% call %} block",
               "Call": "a function call", "Filter": "a filter (|)", "Test": "a test (is …)",
               "Assign": "a {% set %}", "AssignBlock": "a {% set %}", "Include": "an {% include %}",
               "Import": "an {% import %}", "FromImport": "an {% import %}", "Extends": "an {% extends %}"}


@lru_cache(maxsize=4096)
def refuse_constructs(source: str) -> None:
    """RefusedConstruct for the first node of a text outside _ALLOWED_NODES (jinja2's TemplateError
    for a text that does not parse)."""
    from jinja2 import nodes
    for node in environment().parse(source).find_all(nodes.Node):
        kind = type(node).__name__
        if kind == "Getattr" and not (isinstance(node.node, nodes.Name) and node.node.name == "params"):
            # `params.x` is the one attribute a text reads; `''.__class__` and the like are refused here,
            # in a trainer's words, before the sandbox refuses them in Python's
            raise RefusedConstruct(f"reading .{node.attr} of anything but params", node.lineno or 1)
        if kind not in _ALLOWED_NODES:
            what = _NODE_WORDS.get(kind, "arithmetic (+ - * / ** % ~)" if isinstance(node, (nodes.BinExpr, nodes.UnaryExpr))
                                   else f"Jinja's {kind}")
            raise RefusedConstruct(what, getattr(node, "lineno", 1) or 1)


@lru_cache(maxsize=1024)
def _row_names_misused(source: str) -> tuple[tuple[str, int], ...]:
    """Row values used anywhere but a plain `{{ name }}`: they would be tested or transformed."""
    from jinja2 import nodes
    ast = environment().parse(source)
    plain = set()
    for out in ast.find_all(nodes.Output):
        for child in out.nodes:
            if isinstance(child, nodes.Name):
                plain.add(id(child))
    return tuple((n.name, n.lineno) for n in ast.find_all(nodes.Name)
                 if n.name in ROW_VALUES and id(n) not in plain)


def _branch_choices() -> dict:
    """The values a text may compare each branching name with (the contract's lists)."""
    from ..core.fields import DISPUTE_TYPES, PLATFORMS, RESOLUTIONS
    return {"platform": PLATFORMS, "dispute_type": DISPUTE_TYPES, "resolution": RESOLUTIONS}


@lru_cache(maxsize=1024)
def _unknown_branch_values(source: str) -> tuple[tuple[str, str, int], ...]:
    """(name, value, line) of each comparison of platform, dispute_type or resolution with a text
    that is none of its values: `{% if platform == 'aliexpres' %}` is never true, and its words never
    shown, without a word from validate."""
    from jinja2 import nodes
    choices = _branch_choices()
    found = []
    for cmp in environment().parse(source).find_all(nodes.Compare):
        sides = [cmp.expr, *(op.expr for op in cmp.ops)]
        names = [side.name for side in sides if isinstance(side, nodes.Name) and side.name in choices]
        if not names:
            continue
        texts = [c.value for side in sides for c in ([side] if isinstance(side, nodes.Const) else
                                                     side.items if isinstance(side, (nodes.List, nodes.Tuple)) else [])
                 if isinstance(c, nodes.Const) and isinstance(c.value, str)]
        found += [(names[0], text, cmp.lineno or 1) for text in texts if text not in choices[names[0]]]
    return tuple(found)


# (playbook root, template, language, group context) -> Compiled: filled by compiling, or from the
# texts a clean `validate` of the same playbook content kept on disk (helpers.playbook.validate)
_COMPILED: dict = {}


def _compile_cached(root: str, template_id: str, language: str, group_items: tuple) -> Compiled:
    key = (root, template_id, language, group_items)
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = _compile(root, template_id, language, group_items)
    return compiled


def compiled_texts(root: str) -> dict:
    """Every group text compiled so far for the playbook at `root`, JSON-able (the parameters, the
    same for most groups, are kept once and named by their place in `params`)."""
    params, rows = [], []
    for (r, tid, lang, group), compiled in _COMPILED.items():
        if r != root:
            continue
        items = []
        for k, v in group:
            if k == "params":
                if dict(v) not in params:
                    params.append(dict(v))
                v = params.index(dict(v))
            items.append([k, v])
        rows.append([tid, lang, items, list(compiled.parts)])
    return {"params": params, "rows": rows}


def add_compiled_texts(root: str, kept: dict) -> None:
    """Group texts a clean validation of the same playbook content compiled (`compiled_texts`):
    a batch then renders no template with Jinja. A changed policy (--set) is another group: compiled."""
    params = [_Frozen(p) for p in kept["params"]]
    for tid, lang, group, parts in kept["rows"]:
        items = tuple((k, params[v] if k == "params" else v) for k, v in group)
        _COMPILED.setdefault((root, tid, lang, items), Compiled(tid, lang, tuple(parts)))


def _compile(root: str, template_id: str, language: str, group_items: tuple) -> Compiled:
    from jinja2 import TemplateError
    path, data = template_file(root, template_id)
    source = data.get(language)
    line = line_of(data, language, 1) or 1
    if not isinstance(source, str) or not source.strip():
        raise TemplateProblem(PlaybookProblem(path, line, f"no {language!r} text", f"add `{language}: |` with the text"))
    try:
        misused = _row_names_misused(source)
        refuse_constructs(source)
    except RefusedConstruct as exc:
        raise TemplateProblem(PlaybookProblem(path, line + exc.lineno, f"{language}: {exc}",
                                              "write the text out; branch with {% if platform == ... %} where it differs")) from None
    except TemplateError as exc:  # a syntax error: the file and the line in it
        raise TemplateProblem(PlaybookProblem(path, line + (getattr(exc, "lineno", None) or 0),
                                              f"{language}: Jinja syntax error: {getattr(exc, 'message', exc)}",
                                              "close every {{ }} and {% %}, and end every {% if %} with {% endif %}"))
    unknown = _unknown_branch_values(source)
    if unknown:
        name, value, ln = unknown[0]
        values = _branch_choices()[name]
        close = closest(value, values)
        raise TemplateProblem(PlaybookProblem(
            path, line + ln, f"{language}: {value!r} is not a {name} value, so this branch never shows"
            + (f"; did you mean {close!r}?" if close else ""), f"compare {name} with one of: {', '.join(values)}"))
    if misused:
        name, ln = misused[0]
        raise TemplateProblem(PlaybookProblem(
            path, line + ln, f"{language}: the case value {name} may only be printed as {{{{ {name} }}}}",
            "case values are data: do not test, loop over or filter them; branch on platform or resolution instead"))
    context = dict(group_items)
    context["platform_name"] = _platform_name(context.get("platform"), context.get("platform_name"), language)
    context.update({name: f"{_MARK}{name}{_MARK}" for name in ROW_VALUES})
    try:
        text = _jinja_template(source).render(context)
    except TemplateError as exc:
        ln = getattr(exc, "lineno", None) or _line_naming(source, str(exc))
        raise TemplateProblem(PlaybookProblem(path, line + ln, f"{language}: {exc}",
                                              "check the names in {{ }} against the template variables listed in docs/contract.md"))
    parts = tuple(text.strip().split(_MARK))
    if len(parts) % 2 == 0 or any(p not in ROW_VALUES for p in parts[1::2]):
        raise TemplateProblem(PlaybookProblem(path, line, f"{language}: a case value was altered by the template",
                                              "print case values plainly as {{ name }}"))
    return Compiled(template_id, language, parts)


def _line_naming(source: str, error: str) -> int:
    """The line of a template's text (1 = its first) using the name an error quotes ("'x' is
    undefined" comes without a line), or 0."""
    found = re.search(r"'(\w+)' is undefined|has no attribute '(\w+)'", error)
    if found:
        name = found.group(1) or found.group(2)
        for i, text in enumerate(source.splitlines(), 1):
            if re.search(rf"\b{re.escape(name)}\b", text):
                return i
    return 0


def _platform_name(platform, on_file, language: str):
    """The platform as the message's reader calls it: 淘宝 and 抖音 in a Chinese message ("根据Taobao平台的
    规则" read oddly), the name on file (platforms.yaml) otherwise."""
    from .labels import CHOICE_TEXT
    if language == "zh" and platform in CHOICE_TEXT["platform"]:
        return CHOICE_TEXT["platform"][platform][1]
    return on_file


def plain_params(params: dict) -> dict:
    """Parameters as prose shows them: whole numbers without a decimal point."""
    return {k: (int(v) if float(v).is_integer() else v) for k, v in params.items()}


@lru_cache(maxsize=1024)
def render_prose(text: str, params_items: tuple) -> str:
    """Playbook prose (rationale, titles, actions, labels) may name parameters as {{ params.x }}.
    Raises jinja2.TemplateError for a typo; the loader reports it with its file:line."""
    if "{{" not in text and "{%" not in text:
        return text
    refuse_constructs(text)
    return environment().from_string(text).render(params=plain_params(dict(params_items)))


def prose_problem(text: str, params: dict, path, line, what: str):
    """The PlaybookProblem of a prose text that does not render, or None."""
    from jinja2 import TemplateError
    try:
        render_prose(text, tuple(sorted(params.items())))
    except RefusedConstruct as exc:
        return PlaybookProblem(path, (line or 0) + exc.lineno - 1 if line else None, f"{what}: {exc}",
                               "write the text out; name parameters as {{ params.NAME }}")
    except TemplateError as exc:
        ln = getattr(exc, "lineno", None) or 1
        where = (line or 0) + ln - 1 if line else None
        unknown = re.search(r"has no attribute '([^']+)'", str(exc))
        if unknown:  # a misspelt parameter: Jinja says "'dict object' has no attribute 'x'"
            close = closest(unknown.group(1), params)
            return PlaybookProblem(path, where, f"{what}: unknown parameter {{{{ params.{unknown.group(1)} }}}}",
                                   (f"did you mean {{{{ params.{close} }}}}? " if close else "")
                                   + "name parameters as {{ params.NAME }} with a NAME from parameters.yaml")
        return PlaybookProblem(path, where, f"{what}: {exc}",
                               "name parameters as {{ params.NAME }} with a NAME from parameters.yaml")
    return None


def clear_caches() -> None:
    """Forget compiled templates (the loader calls this when a playbook file changed)."""
    template_file.cache_clear()
    _presence_tested.cache_clear()
    refuse_constructs.cache_clear()
    _COMPILED.clear()
    render_prose.cache_clear()


def group_context(pb, platform: str, resolution: str, dispute_type: str, params, has_tracking_number: bool,
                  has_delivery_date: bool) -> tuple:
    """What a template may branch on: the same for every case in the group. `params`: the
    playbook's plain_params as a _Frozen, made once for all the groups of one playbook.
    `has_tracking_number`: whether the case has one (a message then names it, else it speaks of the
    tracking without a number: "tracking number (tracking to follow) shows it delivered" told the
    buyer nothing true). `has_delivery_date`: whether the case records the day the parcel arrived (a
    message then never asks for it)."""
    facts = pb.platforms.get(platform, {})
    window = facts.get("buyer_claim_window_days")
    return (("platform", platform), ("platform_name", facts.get("name", platform)),
            ("resolution", resolution), ("dispute_type", dispute_type), ("params", params),
            ("has_tracking_number", bool(has_tracking_number)), ("has_delivery_date", bool(has_delivery_date)),
            ("return_window_days", facts.get("no_reason_return_days")),
            # the claim window rules test (facts.claim_window): the platform's if on file, else the shop's policy
            ("claim_window_days", window if window is not None else params.get("shop_claim_window_days")),
            ("claim_window_is_platform", window is not None))


class _Frozen(dict):
    """A hashable parameters mapping, so compiled templates can be cached per group (never changed
    once made: its hash is worked out once)."""

    def __init__(self, items):
        super().__init__(items)
        self._hash = hash(tuple(sorted(self.items())))

    def __hash__(self):
        return self._hash

    def __reduce__(self):  # made again where it is unpickled: text hashes differ from process to process
        return _Frozen, (dict(self),)


def compile_template(pb, template_id, language, platform, resolution, dispute_type, has_tracking_number=True,
                     has_delivery_date=True) -> Compiled:
    return compile_templates(pb, [(template_id, language, platform, resolution, dispute_type, has_tracking_number,
                                   has_delivery_date)])[0]


def compile_templates(pb, groups) -> list:
    """compile_template for each (template_id, language, platform, resolution, dispute_type,
    has_tracking_number, has_delivery_date) of one playbook, its parameters made ready once (a batch's
    chunk has a few thousand groups)."""
    root, params = str(pb.root), _Frozen(plain_params(pb.params))
    out = []
    for template_id, language, platform, resolution, dispute_type, tracked, delivered in groups:
        # a template that does not test a case's presence flag gives one text either way: compiled
        # (and kept by validate) once, not once per value
        tests = _presence_tested(root, template_id)
        out.append(_compile_cached(root, template_id, language, group_context(
            pb, platform, resolution, dispute_type, params, tracked or "has_tracking_number" not in tests,
            delivered or "has_delivery_date" not in tests)))
    return out


@lru_cache(maxsize=256)
def _presence_tested(root: str, template_id: str) -> frozenset:
    """Which of has_tracking_number and has_delivery_date a template's texts name (any language)."""
    try:
        _, data = template_file(root, template_id)
    except TemplateProblem:
        return frozenset({"has_tracking_number", "has_delivery_date"})  # its compile reports the problem
    text = " ".join(v for v in data.values() if isinstance(v, str))
    return frozenset(n for n in ("has_tracking_number", "has_delivery_date") if n in text)


def choose_language(pb, platform: str, buyer_language: str, template_id: str, lang: str = "en") -> tuple[str, str]:
    """(language, note): the platform's rule wins; a language we have no text for falls back to English
    (Traditional Chinese to the Chinese text, in Simplified characters).
    The note says why the message is not in the buyer's language, in the UI language `lang` (en, zh)."""
    from .labels import CHOICE_TEXT, choice_label, ui
    required = pb.platforms.get(platform, {}).get("message_language")
    if required:  # a platform the form does not know (a playbook's own) goes by the name it has on file
        name = (choice_label("platform", platform, lang) if platform in CHOICE_TEXT["platform"]
                else pb.platforms[platform].get("name", platform))
        note = "" if required == buyer_language else ui("platform_requires", lang).format(
            platform=name, language=choice_label("buyer_language", required, lang))
        return required, note
    _, data = template_file(str(pb.root), template_id)
    if buyer_language in data and buyer_language in LANGUAGES:
        return buyer_language, ""
    if buyer_language == TRADITIONAL_CHINESE and "zh" in data and "zh" in LANGUAGES:
        return "zh", ui("simplified_for_traditional", lang)
    return "en", ui("no_text_in", lang).format(language=choice_label("buyer_language", buyer_language, lang))


def clean_value(value, name: str) -> str:
    """A case value as message text: control characters become spaces, long values are cut."""
    text = _CONTROL.sub(" ", str(value)).strip()
    limit = ROW_VALUES[name]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def row_values(pb, language: str, case: dict, refund: float) -> dict:
    """The case values a message prints, with the language's words for the unknown ones and its way
    of writing amounts."""
    defaults = (pb.languages.get(language) or pb.languages.get("en") or {}).get("defaults", {})
    cur = case.get("currency") or "USD"
    values = {}
    for name in ROW_VALUES:
        if name == "refund_amount":
            raw = money_text(refund, cur, pb.whole_units, language)
        elif name == "order_value":
            raw = money_text(case["order_value"], cur, pb.whole_units, language)
        else:
            raw = case.get(name) or defaults.get(name, "")
        values[name] = clean_value(raw, name)
    return values


def fit(message: str, limit) -> str:
    """Enforce the platform's length limit (validate proves templates fit; this is the backstop)."""
    if limit and len(message) > int(limit):
        return message[: int(limit) - 1] + "…"
    return message

