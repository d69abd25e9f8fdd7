"""Rule conditions: parse the YAML form, evaluate over engine columns, reason about shadowing.

A condition is `{name: value}` (equals), `{name: {op: value, ...}}`, or a group `all`/`any`/`not`.
`name` is a case field or a derived fact; a value written `$name` is a playbook parameter.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .exceptions import PlaybookProblem
from .facts import FACT_BY_NAME
from .fields import FIELD_BY_NAME, MESSAGE_ONLY, RECORD_ONLY
from .spelling import closest
from .yamlio import line_of

OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "known")


@dataclass(frozen=True)
class Atom:
    name: str
    op: str
    value: object  # already encoded: float, tuple of floats, or bool for `known`

    def mask(self, cols):
        x = cols[self.name]
        v = self.value
        with np.errstate(invalid="ignore"):
            if self.op == "eq":
                return x == v
            if self.op == "ne":
                return x != v  # unknown (NaN) counts as "not equal"
            if self.op == "in":
                return np.isin(x, v)
            if self.op == "not_in":
                return ~np.isin(x, v)
            if self.op == "gt":
                return x > v
            if self.op == "gte":
                return x >= v
            if self.op == "lt":
                return x < v
            if self.op == "lte":
                return x <= v
            known = ~np.isnan(x)
            return known if v else ~known

    def holds(self, x: float) -> bool:
        return bool(self.mask({self.name: np.array([x])})[0])


@dataclass(frozen=True)
class Group:
    kind: str  # all | any | not
    parts: tuple

    def mask(self, cols):
        if self.kind == "not":
            return ~self.parts[0].mask(cols)
        masks = [p.mask(cols) for p in self.parts]
        if not masks:
            n = len(next(iter(cols.values())))
            return np.full(n, self.kind == "all")
        out = masks[0].copy()
        for m in masks[1:]:
            if self.kind == "all":
                out &= m
            else:
                out |= m
        return out


def kind_of(name):
    """'enum' | 'bool' | 'number' | 'date' for a testable name, or None."""
    if name in FACT_BY_NAME:
        return FACT_BY_NAME[name].kind
    f = FIELD_BY_NAME.get(name)
    if f is None or f.name in MESSAGE_ONLY or f.name in RECORD_ONLY or f.kind in ("string", "currency", "language", "country"):
        return None
    return {"decimal": "number", "int": "number"}.get(f.kind, f.kind)


class ConditionParser:
    """Turns YAML conditions into Atom/Group trees, collecting problems with their lines."""

    def __init__(self, path, params: dict, problems: list):
        self.path, self.params, self.problems = path, params, problems
        self.used_params: set = set()

    def problem(self, line, message, fix=""):
        self.problems.append(PlaybookProblem(self.path, line, message, fix))

    def parse(self, node, line):
        if isinstance(node, list):  # a bare list means all of them
            return Group("all", tuple(p for i, c in enumerate(node)
                                      if (p := self.parse(c, line_of(node, i, line))) is not None))
        if not isinstance(node, dict) or len(node) != 1:
            self.problem(line, "a condition must be one `name: value` pair or a group all/any/not",
                         "write each condition on its own list line, e.g. `- shipped: true`")
            return None
        (key, value), = node.items()
        line = line_of(node, key, line)
        if key in ("all", "any"):
            if not isinstance(value, list):
                self.problem(line, f"`{key}` needs a list of conditions", f"write `{key}:` followed by `- name: value` lines")
                return None
            parts = tuple(p for i, c in enumerate(value) if (p := self.parse(c, line_of(value, i, line))) is not None)
            return Group(key, parts)
        if key == "not":
            part = self.parse(value, line)
            return None if part is None else Group("not", (part,))
        return self.parse_atom(key, value, line)

    def parse_atom(self, name, spec, line):
        kind = kind_of(name)
        if kind is None:
            if name in MESSAGE_ONLY:
                hint = "it is message text, which rules may not test"
            elif name in RECORD_ONLY:
                hint = "it is a closed case's record (history), which rules may not test: a case is decided before it closes"
            elif name in FIELD_BY_NAME:
                hint = "it is text (a code the message and the reports use), which rules may not test"
            else:
                testable = [n for n in (*FACT_BY_NAME, *FIELD_BY_NAME) if kind_of(n) is not None]
                close = closest(name, testable, cutoff=0.75)
                hint = (f"did you mean {close!r}? " if close else "") + \
                    "use a case field or a derived fact listed in docs/contract.md"
            self.problem(line, f"unknown field or fact {name!r}", hint)
            return None
        if not isinstance(spec, dict):
            spec = {"eq": spec}
        parts = []
        for op, raw in spec.items():
            if op not in OPERATORS:
                self.problem(line_of(spec, op, line), f"unknown operator {op!r} for {name}",
                             f"use one of: {', '.join(OPERATORS)}")
                continue
            value = self.encode(name, kind, op, raw, line_of(spec, op, line))
            if value is not None:
                parts.append(Atom(name, op, value))
        if len(parts) == 1:
            return parts[0]
        return Group("all", tuple(parts)) if parts else None

    def resolve(self, raw, line):
        if isinstance(raw, str) and raw.startswith("$"):
            pname = raw[1:]
            if pname not in self.params:
                close = closest(pname, self.params)
                self.problem(line, f"unknown parameter {raw}", (f"did you mean ${close}? " if close else "")
                             + "declare it in playbook/parameters.yaml")
                return None
            self.used_params.add(pname)
            return self.params[pname]
        return raw

    def encode(self, name, kind, op, raw, line):
        if op == "known":
            if not isinstance(raw, bool):
                self.problem(line, f"`known` takes true or false, not {raw!r}")
                return None
            return raw
        if op in ("in", "not_in"):
            if not isinstance(raw, list) or not raw:
                self.problem(line, f"`{op}` needs a non-empty list of values", "write e.g. `in: [stalled, lost]`")
                return None
            values = [self.encode_one(name, kind, op, self.resolve(r, line), line) for r in raw]
            return None if any(v is None for v in values) else tuple(values)
        value = self.resolve(raw, line)
        if value is None:
            return None
        if op in ("gt", "gte", "lt", "lte") and kind not in ("number",):
            self.problem(line, f"`{op}` compares numbers, but {name} is a {kind}", "use eq, ne, in or not_in")
            return None
        return self.encode_one(name, kind, op, value, line)

    def encode_one(self, name, kind, op, value, line):
        if value is None:
            return None
        if kind == "bool":
            if isinstance(value, bool):
                return 1.0 if value else 0.0
            self.problem(line, f"{name} is true or false, not {value!r}")
        elif kind == "enum":
            choices = FIELD_BY_NAME[name].choices
            if value in choices:
                return float(choices.index(value))
            self.problem(line, f"{value!r} is not a value of {name}", f"use one of: {', '.join(choices)}")
        elif kind == "number":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            self.problem(line, f"{name} is a number, not {value!r}")
        else:
            self.problem(line, f"{name} is a date; rules test dates through facts such as days_since_shipping",
                         "use a derived fact, or `known: true`")
        return None


def atoms_of_conjunction(cond):
    """(atoms, opaque groups) if `cond` is a plain conjunction, for shadow checks."""
    atoms, opaque = [], []
    stack = [cond] if cond is not None else []
    while stack:
        c = stack.pop()
        if isinstance(c, Atom):
            atoms.append(c)
        elif c.kind == "all":
            stack.extend(c.parts)
        else:
            opaque.append(c)
    return atoms, opaque


def _test_points(name, atoms):
    if kind_of(name) in ("bool",):
        return [0.0, 1.0, math.nan]
    if kind_of(name) == "enum":
        return [float(i) for i in range(len(FIELD_BY_NAME[name].choices))] + [math.nan]
    cuts = sorted({float(x) for a in atoms if a.name == name and a.op != "known"
                   for x in (a.value if isinstance(a.value, tuple) else (a.value,))})
    points = [math.nan] if cuts else [0.0, math.nan]  # `known: true` alone needs a known value to try
    for c in cuts:
        points += [c - 0.5, c, c + 0.5]
    return points


DNF_MOST_TERMS = 64  # beyond this an `any:` is left as one opaque part (no real rule comes close)


def disjuncts(cond) -> list:
    """`cond` as alternatives (an `any:` spread out: `all: [a, any: [b, c]]` is `a and b`, or `a and c`),
    each a plain conjunction (an `all` group, a `not` left whole); [cond] when there are too many."""
    def spread(c):
        if isinstance(c, Atom) or c.kind == "not":
            return [[c]]
        if c.kind == "any":
            return [term for part in c.parts for term in spread(part)]
        terms = [[]]
        for part in c.parts:
            terms = [t + u for t in terms for u in spread(part)]
            if len(terms) > DNF_MOST_TERMS:
                raise OverflowError
        return terms
    if cond is None:
        return [None]
    try:
        terms = spread(cond)
    except OverflowError:
        return [cond]
    if len(terms) > DNF_MOST_TERMS:
        return [cond]
    return [Group("all", tuple(t)) for t in terms]


def covers(general, specific) -> bool:
    """True if every case matching `specific` also matches `general` (so `general` shadows it): each
    alternative of `specific` lies within one alternative of `general` (an `any:` in the earlier rule,
    `tracking_status: lost` or stalled long past the promise, shadowed a later rule for stalled parcels
    without a word). Never true when it cannot tell."""
    return all(any(_covers_conjunction(g, s) for g in disjuncts(general)) for s in disjuncts(specific))


def _covers_conjunction(general, specific) -> bool:
    g_atoms, g_opaque = atoms_of_conjunction(general)
    s_atoms, s_opaque = atoms_of_conjunction(specific)
    if any(o not in s_opaque for o in g_opaque):
        return False
    for name in {a.name for a in g_atoms}:
        both = [a for a in g_atoms + s_atoms if a.name == name]
        for x in _test_points(name, both):
            s_ok = all(a.holds(x) for a in s_atoms if a.name == name)
            g_ok = all(a.holds(x) for a in g_atoms if a.name == name)
            if s_ok and not g_ok:
                return False
    return True


def unsatisfiable(cond) -> str | None:
    """The field whose conditions contradict each other, if any."""
    atoms, _ = atoms_of_conjunction(cond)
    for name in {a.name for a in atoms}:
        mine = [a for a in atoms if a.name == name]
        if not any(all(a.holds(x) for a in mine) for x in _test_points(name, mine)):
            return name
    return None
