"""Load the playbook folder: parameters, platforms, actions, risk flags and one decision table per
dispute type. Every structural problem is collected with its file:line; `load_playbook` raises
PlaybookError listing them all, `validate` (helpers.validate) reports them plus deeper checks.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ..core.conditions import ConditionParser
from ..core.spelling import closest
from ..core.exceptions import ParameterValueError, PlaybookError, PlaybookProblem, UnknownParameterError
from ..core.fields import DISPUTE_TYPES, EVIDENCE, PLATFORMS, RESOLUTIONS
from ..core.yamlio import RESTORE, FileProblem, line_of, load_yaml
from ..core.paths import playbook_dir  # noqa: F401  (importable from here)
from .messages import LANGUAGES, WORDED_VALUES

RULE_KEYS = {"id", "title", "when", "resolution", "refund_share", "within_profit", "rationale", "actions",
             "evidence", "template", "note"}
PLATFORM_FACTS = ("message_language", "message_max_chars", "no_reason_return_days", "seller_response_days",
                  "buyer_claim_window_days", "receipt_confirmation_days")
LANGS_REQUIRED = ("en", "zh")


@dataclass
class Rule:
    id: str
    index: int
    line: int
    when: object  # Atom/Group or None (always)
    resolution: str
    refund_share: float | None
    within_profit: bool
    rationale: dict
    title: dict
    actions: tuple
    evidence: tuple
    template: str
    raw_when: object = None


@dataclass
class Table:
    dispute_type: str
    path: Path
    rules: list
    alternatives: tuple
    title: dict


@dataclass(repr=False)
class Playbook:
    root: Path
    params: dict  # name -> value
    param_help: dict
    param_lines: dict
    platforms: dict  # name -> {fact: value}
    platform_sources: dict
    actions: dict  # id -> {en, zh, ...}
    risk_flags: dict  # id -> {en, zh, when}
    resolutions: dict
    languages: dict
    tables: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    base_currency: str = "USD"
    rates: dict = field(default_factory=lambda: {"USD": 1.0})  # units per 1 base_currency
    whole_units: frozenset = frozenset()                       # codes of `rates` without cents (JPY)
    param_currency: dict = field(default_factory=dict)         # money parameter -> its currency
    rule_params: dict = field(default_factory=dict)            # params as rules compare them (money in base)
    dispute_rate_targets: dict = field(default_factory=dict)   # "overall" / dispute type -> share of orders or None
    param_limits: dict = field(default_factory=dict)           # parameter -> Limits

    def __repr__(self):
        return f"Playbook({str(self.root)!r}, params={self.params})"

    def with_params(self, overrides: dict) -> "Playbook":
        """The same playbook under changed parameters (policy what-if)."""
        if not overrides:
            return self
        for k, v in overrides.items():
            problem = self.value_problem(k, v)
            if problem:
                raise ParameterValueError(problem)
        params = {**self.params, **{k: float(v) for k, v in overrides.items()}}
        return _compile(self.root, params)

    def limits(self, name) -> "Limits":
        """The values parameter `name` may take (an UnknownParameterError if the playbook has none)."""
        if name not in self.params:
            raise UnknownParameterError(name, self.params)
        return self.param_limits.get(name, Limits())

    def value_problem(self, name, value) -> str:
        """Why `--set name=value` is refused ('' if it is not): the same check as parameters.yaml's, so a
        value --set takes never turns into a playbook error."""
        limits = self.limits(name)
        problem = parameter_range_problem(name, float(value), limits)
        return f"{problem} — give it a value {range_words(limits)} (see playbook/parameters.yaml)" if problem else ""

    def all_rules(self):
        for table in self.tables.values():
            yield from table.rules

    def rule(self, rule_id):
        """The rule with this id; a PlaybookError naming the folder if this playbook has none."""
        for r in self.all_rules():
            if r.id == rule_id:
                return r
        raise PlaybookError([PlaybookProblem(self.root, None, f"no rule with id {rule_id!r}",
                                             "use a rule id from one of the decision tables (or the playbook that made it)")])


def _text(node, path, line, problems, what, params=None):
    """A text given in several languages: {en: ..., zh: ...}; English and Chinese are required.
    With `params`, each text is rendered as recommend() will render it ({{ params.x }})."""
    if not isinstance(node, dict):
        problems.append(PlaybookProblem(path, line, f"{what} must give the text per language (en:, zh:)",
                                        "write `en: ...` and `zh: ...` on indented lines"))
        return {}
    for key in node:
        if not (isinstance(key, str) and re.fullmatch(r"[a-z]{2}", key)):
            problems.append(PlaybookProblem(path, line_of(node, key, line), f"{what}: {key!r} is not a language code",
                                            "put text that contains commas or colons in quotes"))
    for lang in LANGS_REQUIRED:
        if not str(node.get(lang) or "").strip():
            problems.append(PlaybookProblem(path, line, f"{what} has no {lang!r} text",
                                            f"add `{lang}: ...` so trainees reading {lang} see it"))
    out = {k: str(v).strip() for k, v in node.items()}
    if params is not None:
        from .messages import prose_problem
        for key, text in out.items():
            problem = prose_problem(text, params, path, line_of(node, key, line), f"{what} ({key})")
            if problem:
                problems.append(problem)
    return out


RATES_KEY = "exchange_rates"
TARGETS_KEY = "dispute_rate_targets"
TARGET_KEYS = ("overall",) + DISPUTE_TYPES


def _load_rate_targets(path, data, problems) -> dict:
    """The shop's dispute-rate targets (disputes per order, 0..1), overall and per type; empty = unknown."""
    spec = (data or {}).get(TARGETS_KEY)
    out = dict.fromkeys(TARGET_KEYS)
    if spec is None:
        return out
    line = line_of(data, TARGETS_KEY)
    fix = f"write `{TARGETS_KEY}:` with `overall:` and/or a dispute type, each a share of orders (0.01 = 1%) or empty"
    if not isinstance(spec, dict):
        problems.append(PlaybookProblem(path, line, f"`{TARGETS_KEY}` must be a table", fix))
        return out
    for key, value in spec.items():
        where = line_of(spec, key, line)
        if key not in TARGET_KEYS:
            problems.append(PlaybookProblem(path, where, f"{key!r} is not `overall` or a dispute type ({', '.join(DISPUTE_TYPES)})", fix))
        elif value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1):
            problems.append(PlaybookProblem(path, where, f"the {key} target must be a share between 0 and 1, not {value!r}", fix))
        else:
            out[key] = None if value is None else float(value)
    return out


def _load_rates(path, data, problems):
    """(base currency, {code: units per 1 base}) from parameters.yaml's exchange_rates table."""
    from ..core.money import is_iso_currency
    spec = (data or {}).get(RATES_KEY)
    line = line_of(data, RATES_KEY) if spec is not None else None
    fix = "write `exchange_rates:` with `base: USD` and `rates:` mapping ISO 4217 codes to units per 1 base"
    if not isinstance(spec, dict) or not isinstance(spec.get("rates"), dict):
        problems.append(PlaybookProblem(path, line, "needs an `exchange_rates` table (base and rates)", fix))
        return "USD", {"USD": 1.0}, frozenset()
    base, rates = str(spec.get("base", "")).upper(), {}
    for code, rate in spec["rates"].items():
        where = line_of(spec["rates"], code, line)
        if not is_iso_currency(str(code)):
            problems.append(PlaybookProblem(path, where, f"{code!r} is not an ISO 4217 currency code", fix))
        elif not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 < rate < float("inf"):
            problems.append(PlaybookProblem(path, where, f"the rate of {code} must be a positive number, not {rate!r}", fix))
        else:
            rates[str(code).upper()] = float(rate)
    if rates.get(base) != 1.0:
        problems.append(PlaybookProblem(path, line, f"the base currency {base or '(none)'} must be in the table at rate 1", fix))
    whole = spec.get("whole_units") or []
    if not isinstance(whole, list) or any(str(c).upper() not in rates for c in whole):
        problems.append(PlaybookProblem(path, line_of(spec, "whole_units", line),
                                        "whole_units must list codes of the rate table (currencies without cents)",
                                        "write `whole_units: [JPY, KRW]` under `exchange_rates:`"))
        whole = [c for c in whole if str(c).upper() in rates] if isinstance(whole, list) else []
    return base or "USD", rates, frozenset(str(c).upper() for c in whole)


def _load_params(root, problems):
    path = root / "parameters.yaml"
    data, err = load_yaml(path, empty_ok=False)
    if not err and not isinstance(data, dict):
        err = FileProblem(path, 1, "must list the parameters, each as `name:` with `value:` and `help:` under it",
                          RESTORE)
    if err:
        problems.append(err)
        return {}, {}, {}, {}, {}
    values, helps, lines, currency = {}, {}, {}, {}
    limits = {}
    for name, spec in (data or {}).items():
        if name in (RATES_KEY, TARGETS_KEY):
            continue
        line = line_of(data, name)
        if not isinstance(spec, dict) or not isinstance(spec.get("value"), (int, float)) or isinstance(spec.get("value"), bool):
            given = spec.get("value") if isinstance(spec, dict) else None
            text = given if isinstance(given, str) else ""
            percent = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*", text)
            comma = re.fullmatch(r"\s*([0-9]+),([0-9]+)\s*", text)  # a decimal comma, as written in much of Europe
            problems.append(PlaybookProblem(
                path, line_of(spec, "value", line) if isinstance(spec, dict) and "value" in spec else line,
                f"parameter {name!r} needs a numeric `value:`" + (f", not {given!r}" if given is not None else ""),
                f"write a share as a decimal: `value: {float(percent.group(1)) / 100:g}`" if percent
                else f"write the decimal mark as a point: `value: {comma.group(1)}.{comma.group(2)}`" if comma
                else "write `value: 10` and a `help:` line under it"))
            # still declared: the rules and texts that name it are not wrong too (one mistake, one
            # error); NaN never decides a case, as a playbook with a problem is refused
            values[name], helps[name], lines[name] = float("nan"), "", line
            continue
        values[name], helps[name], lines[name] = float(spec["value"]), str(spec.get("help", "")), line
        for key in spec:
            if key not in PARAMETER_KEYS:  # `mx: 1` for `max: 1` left a share without its limit, silently
                problems.append(unknown_key_problem(path, line_of(spec, key, line), f"parameter {name!r}", key,
                                                    PARAMETER_KEYS, "a parameter"))
        if spec.get("currency") is not None:
            currency[name] = str(spec["currency"]).upper()
        top = spec.get("max")
        if top is not None and (not isinstance(top, (int, float)) or isinstance(top, bool) or not top >= 0):
            problems.append(PlaybookProblem(path, line_of(spec, "max", line), f"parameter {name!r}: `max:` must be a number",
                                            "write e.g. `max: 1` for a share or a chance, or leave `max:` out"))
            top = None
        limits[name] = Limits(0.0, None if top is None else float(top))
        problem = parameter_range_problem(name, values[name], limits[name])
        if problem:
            problems.append(PlaybookProblem(path, line_of(spec, "value", line), problem,
                                            f"write a value {range_words(limits[name])}"))
            values[name] = float("nan")  # as for a value that is no number: the rules naming it are not wrong too
    return values, helps, lines, currency, limits


PARAMETER_KEYS = ("value", "help", "currency", "max")


def unknown_key_problem(path, line, owner: str, key, known, noun: str) -> PlaybookProblem:
    """`owner: unknown key 'mx'`, with the known key it most likely means: a misspelt key is read as
    no key at all, so what it set (a limit, a default word) was silently gone."""
    close = closest(key, known)
    return PlaybookProblem(path, line, f"{owner}: unknown key {key!r}",
                           (f"did you mean {close!r}? " if close else "") + f"{noun} takes {', '.join(known)}")


class Limits(NamedTuple):
    """The values a parameter may take: from `low` to `high` (None: no top), or strictly between them
    (`between`) for a partial refund's share, which refunds neither nothing nor the whole order."""
    low: float = 0.0
    high: float | None = None
    between: bool = False


def range_words(limits: Limits) -> str:
    low, high, between = limits
    if between:  # a share's own `max:` below 1 is a value it may take; 1 never is
        return f"more than {low:g} and less than {high:g}" if high >= 1 else f"more than {low:g} and at most {high:g}"
    return f"from {low:g} to {high:g}" if high is not None else f"of {low:g} or more"


def parameter_range_problem(name, value: float, limits: Limits) -> str:
    """What is wrong with a parameter's value ('' if nothing): every parameter is a finite amount
    of at least 0 (days, money, counts, shares), and a share or a chance (`max: 1`) at most its max; a
    partial refund's share strictly between. A chance of 3 or a window of -7 days gave negative costs
    and impossible what-ifs."""
    import math
    low, high, between = limits
    if between:  # 0 and the whole order (1) are never a partial refund; a `max:` below 1 is a value it may take
        inside = low < value and (value < high if high >= 1 else value <= high)
    else:
        inside = low <= value and (high is None or value <= high)
    if math.isfinite(value) and inside:
        return ""
    why = " (a partial refund's share: 1 would refund the whole order, 0 nothing)" if between else ""
    return f"parameter {name!r} is {value:g}; it must be a number {range_words(limits)}{why}"


def rule_values(values: dict, currency: dict, rates: dict, path, problems, lines=None) -> dict:
    """Parameters as rules compare them: money thresholds converted into the base currency.
    `lines`: each parameter's line in parameters.yaml, for the problems."""
    out = dict(values)
    for name, code in currency.items():
        if name not in values:
            continue
        if code not in rates:
            problems.append(PlaybookProblem(path, (lines or {}).get(name), f"parameter {name!r} is in {code}, which has no exchange rate",
                                            f"add {code} to exchange_rates, or give {name} in the base currency"))
            continue
        out[name] = values[name] / rates[code]
    return out


def _platform_value_problem(key: str, value) -> str:
    """What is wrong with a platform fact's value ('' when nothing): the day counts and the message
    limit are whole numbers (a limit of at least 1), the message language a text. An action's
    `deadline_days` is a day count too."""
    if value is None:
        return ""
    if key == "message_language":
        return "" if isinstance(value, str) else "is not a language code (en, zh, ...)"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        return "is not a number"
    if value != int(value):
        return "is not a whole number"
    least = 1 if key == "message_max_chars" else 0
    return "" if value >= least else f"is below {least}"


def _load_platforms(root, problems):
    path = root / "platforms.yaml"
    data, err = load_yaml(path, empty_ok=False)
    if not err and not isinstance(data, dict):
        err = FileProblem(path, 1, "must have one section per platform (`aliexpress:`, ...)",
                          RESTORE)
    if err:
        problems.append(err)
        return {}, {}
    platforms, sources = {}, {}
    for name in PLATFORMS:
        if name not in (data or {}):
            problems.append(PlaybookProblem(path, None, f"platform {name!r} is missing", f"add a `{name}:` section"))
    for name, spec in (data or {}).items():
        line = line_of(data, name)
        if name not in PLATFORMS:
            problems.append(PlaybookProblem(path, line, f"unknown platform {name!r}", f"use one of {', '.join(PLATFORMS)}"))
            continue
        facts, srcs = {"name": str((spec or {}).get("name", name))}, {}
        for key, entry in (spec or {}).items():
            if key == "name":
                continue
            kline = line_of(spec, key, line)
            if key not in PLATFORM_FACTS:
                problems.append(PlaybookProblem(path, kline, f"unknown platform fact {key!r}",
                                                f"use one of {', '.join(PLATFORM_FACTS)}"))
                continue
            if not isinstance(entry, dict) or "value" not in entry:
                problems.append(PlaybookProblem(path, kline, f"{name}.{key} needs `value:` and `source:`",
                                                "leave value empty (null) when unknown; never guess"))
                continue
            if entry["value"] is not None and not str(entry.get("source") or "").strip():
                problems.append(PlaybookProblem(path, kline, f"{name}.{key} has a value but no source",
                                                "add `source:` naming where the value comes from, or empty the value"))
            value = entry["value"]
            bad = _platform_value_problem(key, value)
            if bad:  # the fact stands as unknown: nothing downstream reads a window of "lots" or [1, 2]
                problems.append(PlaybookProblem(path, kline, f"{name}.{key}: {value!r} {bad}",
                                                "write the number from the source, or leave value empty (null)"))
                value = None
            facts[key], srcs[key] = value, entry.get("source")
        platforms[name], sources[name] = facts, srcs
    return platforms, sources


# What an entry of each label file holds besides its texts (en:, zh:, ...).
LABEL_KEYS = {"actions.yaml": ("deadline_days", "only_when"), "risk_flags.yaml": ("when",), "resolutions.yaml": ()}
_NAME = re.compile(r"[A-Za-z_]\w*")


def _load_labels(root, filename, problems, params, need_when=False, rule_params=None):
    """`params` fill the texts; `rule_params` (money thresholds in the base currency) the conditions."""
    path = root / filename
    data, err = load_yaml(path, empty_ok=False)
    if not err and not isinstance(data, dict):
        err = FileProblem(path, 1, "must have one `name:` section per entry, each with its texts (en:, zh:)",
                          RESTORE)
    if err:
        problems.append(err)
        return {}
    out, keys = {}, LABEL_KEYS[filename]
    days = ConditionParser(path, params, problems)  # `deadline_days: $name` names a parameter, as a rule does
    for key, spec in (data or {}).items():
        line = line_of(data, key)
        what = f"{filename[:-5]} {key!r}"
        entry = _text(_label_texts(spec, path, line, what, keys, problems), path, line, problems, what, params)
        for extra in ("deadline_days", "only_when"):
            if isinstance(spec, dict) and extra in keys and extra in spec:
                entry[extra] = spec[extra]
        if "deadline_days" in entry:
            _deadline_problems(spec["deadline_days"], path, line_of(spec, "deadline_days", line), what, days, problems)
        if need_when:
            parser = ConditionParser(path, params if rule_params is None else rule_params, problems)
            entry["when"] = parser.parse(spec.get("when"), line) if isinstance(spec, dict) and spec.get("when") else None
            if entry["when"] is None:
                problems.append(PlaybookProblem(path, line, f"risk flag {key!r} has no `when:` conditions",
                                                "add the conditions under which the flag is raised"))
        entry["line"] = line
        out[key] = entry
    return out


def _label_texts(spec, path, line, what, keys, problems):
    """An entry's texts: its keys but `keys` (deadline_days, ...). A name that is neither a language
    code nor one of `keys` is an unknown key, with the key it most likely means: `deadline_day` was
    told "is not a language code — put text in quotes", and the trainer went looking for a text to
    quote. A key that is no name, or a bare word with nothing after it, is the tail of an unquoted
    text with a comma (`{en: Sorry, weight on file}`): _text says to quote it."""
    if not isinstance(spec, dict):
        return spec
    texts = spec.__class__()
    known = LANGS_REQUIRED + keys
    for k, v in spec.items():
        if k in keys:
            continue
        if isinstance(k, str) and not re.fullmatch(r"[a-z]{2}", k) and _NAME.fullmatch(k) and \
                (v is not None or closest(k, known)):
            problems.append(unknown_key_problem(path, line_of(spec, k, line), what, k, known, f"an entry of {path.name}"))
            continue
        texts[k] = v
    if hasattr(spec, "key_lines"):
        texts.line, texts.key_lines = spec.line, spec.key_lines
    return texts


DAY_FACTS = tuple(fact for fact in PLATFORM_FACTS if fact.endswith("_days"))


def _deadline_problems(spec, path, line, what, parser, problems) -> None:
    """`deadline_days`: a whole number of days (0 or more), a $parameter or platform.<day count>, or a
    list of them of which the first known one counts. `2 days` gave no date and `-3` a date before the
    review, both silently."""
    fix = ("write a whole number of days (0 or more), a $parameter or platform.<fact>, or a list of them "
           "(e.g. `deadline_days: [platform.seller_response_days, $return_reply_days]`)")
    items = spec if isinstance(spec, list) and spec else [spec]
    for i, item in enumerate(items):
        where = line_of(spec, i, line) if items is spec else line
        if isinstance(item, str) and item.startswith("platform."):
            fact = item[len("platform."):]
            if fact not in DAY_FACTS:
                close = closest(fact, DAY_FACTS)
                problems.append(PlaybookProblem(path, where, f"{what}: deadline_days {item!r} is not a platform's "
                                                "count of days", (f"did you mean 'platform.{close}'? " if close else "")
                                                + f"use one of {', '.join('platform.' + f for f in DAY_FACTS)}"))
            continue
        if isinstance(item, str) and item.startswith("$"):
            value = parser.resolve(item, where)  # undeclared: told by the parser; no number: at parameters.yaml
            if isinstance(value, float) and value == value and value != int(value):
                problems.append(PlaybookProblem(path, where, f"{what}: deadline_days {item} is {value:g}, not a whole "
                                                "number of days", f"name a parameter that counts days, or {fix}"))
            continue
        bad = "is empty" if item is None else _platform_value_problem("deadline_days", item)
        if bad:
            said = "" if item is None else f" {item!r}"
            problems.append(PlaybookProblem(path, where, f"{what}: deadline_days{said} {bad}", fix))


def _load_resolutions(root, problems, params) -> dict:
    """resolutions.yaml: a label for each resolution of the toolkit (fields.RESOLUTIONS, declared once in
    code). A new one (`coupon:`) passed and did nothing, and one left out failed the first case it decided."""
    labels = _load_labels(root, "resolutions.yaml", problems, params)
    path = root / "resolutions.yaml"
    meant = set()
    for name, entry in labels.items():
        if name not in RESOLUTIONS:
            close = closest(name, RESOLUTIONS)
            meant.add(close)
            fix = f"did you mean {close!r}? " if close else \
                "remove it (a new resolution is a change to the toolkit, not to the playbook); "
            problems.append(PlaybookProblem(path, entry["line"], f"unknown resolution {name!r}: the resolutions are "
                                            "the toolkit's, so no rule can give it",
                                            fix + f"resolutions.yaml labels {', '.join(RESOLUTIONS)}"))
    for name in RESOLUTIONS:
        if labels and name not in labels and name not in meant:  # none: the file is unread, told already
            problems.append(PlaybookProblem(path, None, f"resolution {name!r} has no label",
                                            f"add `{name}: {{en: ..., zh: ...}}`: advice names it in the reader's language"))
    return labels


def _partial_share_problems(pb, problems) -> None:
    """A parameter partial_refund rules give as their share, out of its range: one error on the
    parameter, not one on each rule naming it (a value that is no number is told already)."""
    for name, limits in pb.param_limits.items():
        value = pb.params.get(name)
        problem = limits.between and value == value and parameter_range_problem(name, value, limits)
        if problem:
            problems.append(PlaybookProblem(pb.root / "parameters.yaml", pb.param_lines.get(name), problem,
                                            f"write a value {range_words(limits)}"))


def _ids_across_tables(pb, problems) -> None:
    """A rule id names one rule of the playbook: the same id in two tables made a decision report
    another dispute type's rule (a cancellation decided by `dmg_missing_parts_weighed`)."""
    first = {}
    for table in pb.tables.values():
        for rule in table.rules:
            if rule.id in first and first[rule.id][0] != table.path:
                other_path, other_line = first[rule.id]
                problems.append(PlaybookProblem(table.path, rule.line, f"rule id {rule.id!r} is also used in "
                                                f"{Path(other_path).name} line {other_line}", "give each rule its own id"))
            first.setdefault(rule.id, (table.path, rule.line))


def _load_table(path, dispute_type, pb, problems):
    data, err = load_yaml(path, empty_ok=False)
    if err:
        problems.append(err)
        return None
    if not isinstance(data, dict):
        problems.append(PlaybookProblem(path, 1, "a decision table must be a mapping with `rules:`"))
        return None
    for key in data:
        if key not in ("dispute_type", "title", "alternatives", "rules"):
            problems.append(PlaybookProblem(path, line_of(data, key), f"unknown key {key!r}",
                                            "a table has dispute_type, title, alternatives and rules"))
    if data.get("dispute_type") != dispute_type:
        problems.append(PlaybookProblem(path, line_of(data, "dispute_type", 1),
                                        f"dispute_type must be {dispute_type!r} in {path.name}"))
    alternatives = tuple(data.get("alternatives") or ())
    for i, alt in enumerate(alternatives):
        if alt not in RESOLUTIONS:
            problems.append(PlaybookProblem(path, line_of(data.get("alternatives"), i), f"unknown resolution {alt!r}",
                                            f"use one of {', '.join(RESOLUTIONS)}"))
    parser = ConditionParser(path, pb.rule_params, problems)
    rules, seen = [], {}
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append(PlaybookProblem(path, line_of(data, "rules", 1), "the table has no rules",
                                        "add `rules:` with at least a default rule (one without `when:`)"))
        raw_rules = []
    for i, raw in enumerate(raw_rules):
        line = line_of(raw_rules, i)
        if not isinstance(raw, dict):
            problems.append(PlaybookProblem(path, line, "a rule must be a mapping with id, when, resolution, ..."))
            continue
        rule = _rule(raw, i, line, path, pb, parser, problems)
        if rule.id in seen:
            problems.append(PlaybookProblem(path, line, f"rule id {rule.id!r} is used twice (also line {seen[rule.id]})",
                                            "give each rule its own id"))
        seen.setdefault(rule.id, line)
        rules.append(rule)
    if rules and rules[-1].when is not None:
        problems.append(PlaybookProblem(path, rules[-1].line, f"the table has no default rule: the last rule ({rules[-1].id}) "
                                        "has `when:` conditions, so a case no rule matches would get no decision",
                                        "end the table with a default rule without `when:`"))
    return Table(dispute_type, path, rules, alternatives, _text(data.get("title"), path, 1, problems, "title", pb.params))


def _rule(raw, index, line, path, pb, parser, problems):
    def bad(key, message, fix=""):
        problems.append(PlaybookProblem(path, line_of(raw, key, line), message, fix))

    misspelt = {}  # known key -> the misspelling the rule has instead (one mistake, one error)
    for key in raw:
        if key not in RULE_KEYS:
            close = closest(key, RULE_KEYS)
            if close and close not in raw:
                misspelt[close] = key
            bad(key, f"unknown rule key {key!r}", (f"did you mean {close!r}? " if close else "")
                + f"a rule may have: {', '.join(sorted(RULE_KEYS))}")

    def given(key):
        """The rule's `key`, or what its misspelling holds (checked as if spelt right: no second error)."""
        return raw[key] if key in raw else raw.get(misspelt.get(key))

    def where(key):
        return line_of(raw, key if key in raw else misspelt.get(key, key), line)
    rid = str(raw.get("id") or f"rule_{index + 1}")
    if "id" not in raw:
        bad(None, f"rule {index + 1} has no id", "add `id: short_name` so reports can name it")
    resolution = given("resolution")
    if resolution not in RESOLUTIONS:
        close = closest(resolution, RESOLUTIONS) if resolution else None
        bad("resolution", f"rule {rid}: unknown resolution {resolution!r}",
            (f"did you mean {close!r}? " if close else "") + f"use one of {', '.join(RESOLUTIONS)}")
    share = raw.get("refund_share")
    if share is not None:
        share = parser.resolve(share, line_of(raw, "refund_share", line))
    named = raw.get("refund_share")
    if resolution == "partial_refund":
        if isinstance(share, float) and share != share:
            share = 0.5  # its parameter is not a number: told once, in parameters.yaml (one mistake, one error)
        elif isinstance(named, str) and named.startswith("$") and isinstance(share, (int, float)):
            # the parameter is a partial refund's share (the contract: strictly between nothing and the
            # whole order), for --set too: `max: 1` let --set give 1, which then failed as a playbook
            # error. A value out of it is told once, on the parameter (_partial_share_problems)
            high = pb.param_limits.get(named[1:], Limits()).high
            pb.param_limits[named[1:]] = Limits(0.0, 1.0 if high is None else min(1.0, high), between=True)
            share = share if 0 < share < 1 else 0.5
        elif not isinstance(share, (int, float)) or not 0 < share < 1:
            bad("refund_share", f"rule {rid}: a partial_refund needs refund_share between 0 and 1",
                "write e.g. `refund_share: $goodwill_partial_share`")
            share = 0.5
    elif raw.get("refund_share") is not None:
        bad("refund_share", f"rule {rid}: refund_share only applies to partial_refund", "remove it")
        share = None
    def names(key, example):
        """The rule's list of names under `key`: one that YAML read as something else (`- Check the
        label: void it` is a mapping) is told here, not left to fail later as a bug."""
        value = raw.get(key) or ()
        if isinstance(value, str):
            value = (value,)
        if not isinstance(value, (list, tuple)):
            bad(key, f"rule {rid}: {key} must be a list of names", f"write e.g. `{key}: {example}`")
            return ()
        odd = [v for v in value if not isinstance(v, str)]
        for v in odd:
            bad(key, f"rule {rid}: {key} holds {v!r}, not a name",
                f"write names only, e.g. `{key}: {example}` (a colon followed by a space makes YAML read `key: value`)")
        return tuple(v for v in value if isinstance(v, str))

    actions = names("actions", "[apologise, refund_now]")
    for a in actions:
        if a not in pb.actions:
            bad("actions", f"rule {rid}: unknown action {a!r}", "define it in playbook/actions.yaml")
    evidence = names("evidence", "[buyer_photos, chat_history]")
    for e in evidence:
        if e not in EVIDENCE:
            bad("evidence", f"rule {rid}: unknown evidence {e!r}", f"use one of {', '.join(EVIDENCE)}")
    template = given("template")
    if not template:
        if "template" not in misspelt:
            bad(None, f"rule {rid} has no template", "add `template: name` of a file in playbook/messages/")
    elif not (pb.root / "messages" / f"{template}.yaml").exists():
        close = closest(template, [p.stem for p in (pb.root / "messages").glob("*.yaml")])
        bad("template", f"rule {rid}: missing template {template!r}",
            (f"did you mean {close!r}? Or create" if close else "create")
            + f" playbook/messages/{template}.yaml with en, zh, es, ru, pt and fr texts")
    when = parser.parse(given("when"), where("when")) if given("when") is not None else None
    return Rule(rid, index, line, when, resolution if resolution in RESOLUTIONS else "escalate",
                float(share) if share is not None else None, bool(raw.get("within_profit", False)),
                _text(given("rationale"), path, where("rationale"), problems, f"rule {rid} rationale", pb.params),
                _text(given("title"), path, where("title"), problems, f"rule {rid} title", pb.params)
                if given("title") is not None else {"en": rid, "zh": rid},
                actions, evidence, str(template or ""), given("when"))


LANGUAGE_KEYS = ("name", "defaults")


def _load_languages(root, problems) -> dict:
    """languages.yaml: per language code, its `name` and the `defaults` printed for unknown values.
    The languages are the toolkit's (messages.LANGUAGES): one added here has no texts, and one left
    out (or a misspelt default) made its buyers' messages print the English words or nothing."""
    path = root / "languages.yaml"
    langs, err = load_yaml(path, empty_ok=False)
    if err:
        problems.append(err)
        return {}
    fix = "write `en:` with `name: English` and `defaults: {buyer_name: customer, ...}` on indented lines"
    if not isinstance(langs, dict) or "en" not in langs:
        problems.append(PlaybookProblem(path, None, "must map language codes (at least en) to a name and defaults", fix))
        return {}
    meant = {closest(code, LANGUAGES) for code in langs if code not in LANGUAGES}
    for code in LANGUAGES:
        if code not in langs and code not in meant:  # a misspelt code is told once, as itself
            problems.append(PlaybookProblem(path, None, f"language {code!r} is missing: its buyers' messages would "
                                            "print English words for the values a case leaves empty",
                                            f"add `{code}:` with `name:` and `defaults:` for {', '.join(WORDED_VALUES)}"))
    for code, entry in langs.items():
        line = line_of(langs, code)
        if code not in LANGUAGES:
            close = closest(code, LANGUAGES)
            problems.append(PlaybookProblem(path, line, f"{code!r} is not a language the toolkit writes buyer messages in",
                                            (f"did you mean {close!r}? " if close else "remove it: ")
                                            + f"the languages are {', '.join(LANGUAGES)} (a buyer writing another "
                                            "language gets the English text, with a note saying so)"))
        elif not isinstance(entry, dict) or not isinstance(entry.get("defaults"), dict):
            problems.append(PlaybookProblem(path, line, f"language {code!r} needs `defaults:` "
                                            "mapping the message values to the words for unknown ones", fix))
        else:
            _language_entry(path, code, entry, line, problems)
    return dict(langs)


def _language_entry(path, code, entry, line, problems) -> None:
    """One language's keys, and a word in its `defaults:` for every value a case may leave empty."""
    for key in entry:
        if key not in LANGUAGE_KEYS:
            problems.append(unknown_key_problem(path, line_of(entry, key, line), f"language {code!r}", key,
                                                LANGUAGE_KEYS, "a language"))
    defaults = entry["defaults"]
    where = line_of(entry, "defaults", line)
    misspelt = [key for key in defaults if key not in WORDED_VALUES]
    for key in misspelt:
        problems.append(unknown_key_problem(path, line_of(defaults, key, where), f"language {code!r} defaults", key,
                                            WORDED_VALUES, "`defaults:`"))
    meant = {closest(key, WORDED_VALUES) for key in misspelt}
    for name in WORDED_VALUES:
        word = defaults.get(name)
        if name in meant:
            continue  # told once, as the misspelt key (one mistake, one error)
        if word is None or not str(word).strip():
            said = "gives no word for" if name not in defaults else "has an empty word for"
            problems.append(PlaybookProblem(path, line_of(defaults, name, where), f"language {code!r} defaults {said} "
                                            f"{name}: a case without one would print nothing in its place",
                                            f"write `{name}: ...` in {code}'s defaults, the word its messages print then"))


def collect(root, params=None):
    """Load everything; returns (Playbook, problems). Never raises for a bad file."""
    root = Path(root)
    problems: list = []
    if not root.is_dir():
        return None, [PlaybookProblem(root, None, "is not a playbook folder", "point --playbook at the folder holding parameters.yaml")]
    values, helps, lines, currency, limits = _load_params(root, problems)
    # a parameters.yaml that cannot be read is told once, not again for its exchange_rates
    params_unread = any(isinstance(p, FileProblem) for p in problems)
    if params:
        values = {**values, **params}
    data, _ = load_yaml(root / "parameters.yaml")
    base, rates, whole_units = _load_rates(root / "parameters.yaml", data if isinstance(data, dict) else {},
                                           [] if params_unread else problems)
    platforms, sources = _load_platforms(root, problems)
    pb = Playbook(root, values, helps, lines, platforms, sources,
                  _load_labels(root, "actions.yaml", problems, values), {},
                  _load_resolutions(root, problems, values), {},
                  base_currency=base, rates=rates, whole_units=whole_units, param_currency=currency,
                  param_limits=limits)
    pb.rule_params = rule_values(values, currency, rates, root / "parameters.yaml", problems, lines)
    pb.dispute_rate_targets = _load_rate_targets(root / "parameters.yaml", data if isinstance(data, dict) else {}, problems)
    pb.risk_flags = _load_labels(root, "risk_flags.yaml", problems, values, need_when=True, rule_params=pb.rule_params)
    pb.languages = _load_languages(root, problems)
    for dt in DISPUTE_TYPES:
        path = root / f"{dt}.yaml"
        if not path.exists():
            problems.append(PlaybookProblem(path, None, f"no decision table for {dt}", f"create {path.name}"))
            continue
        table = _load_table(path, dt, pb, problems)
        if table:
            pb.tables[dt] = table
    _ids_across_tables(pb, problems)
    _partial_share_problems(pb, problems)
    unread = [p for p in problems if isinstance(p, FileProblem)]
    # what else looks wrong may follow from a file that could not be read (a missing parameters.yaml
    # makes every `$name` and `{{ params.name }}` unknown): one cause, one error
    return pb, unread or problems


def _compile(root, params=None):
    pb, problems = collect(root, params)
    if problems:
        raise PlaybookError(problems)
    return pb


@lru_cache(maxsize=8)
def _cached(root: str):
    return _compile(Path(root))


_stamps: dict = {}


def folder_stamp(root: Path) -> tuple:
    """Times and sizes of the folder's YAML (rules, messages, guides): a trainer's edit shows up
    without a restart (sizes too, because file times can be coarser than two quick edits)."""
    return tuple((st.st_mtime_ns, st.st_size) for folder in (root, root / "messages", root / "guides")
                 for st in _yaml_stats(folder))


def _yaml_stats(folder: Path) -> list:
    """os.stat of the folder's *.yaml files by name (scandir: a per-case notebook checks the folder
    each time it decides, and pathlib's glob costs several times more). Hidden files (an editor's
    lock or swap file) are not the playbook."""
    try:
        with os.scandir(folder) as entries:
            found = sorted((e.name, e.path) for e in entries if e.name.endswith(".yaml") and not e.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [os.stat(path) for _, path in found]


def load_playbook(path=None, params: dict | None = None) -> Playbook:
    """The playbook folder, compiled (cached per folder until a file in it changes).

    Raises PlaybookError listing every problem with its file:line.
    """
    root = playbook_dir(path).resolve()
    stamp = folder_stamp(root) if root.is_dir() else ()
    if _stamps.get(root, stamp) != stamp:
        from .messages import clear_caches
        _cached.cache_clear()
        clear_caches()
    _stamps[root] = stamp
    pb = _cached(str(root))
    return pb.with_params(params) if params else pb


__all__ = ["Playbook", "Rule", "Table", "load_playbook", "collect", "playbook_dir", "replace", "folder_stamp"]
