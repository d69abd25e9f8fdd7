"""`dispute-playbook validate`: every problem in a playbook folder, as file:line and how to fix it.

Beyond what loading checks (YAML syntax, unknown keys, fields, operators, parameters, actions,
missing template files, prose that does not render, tables without a default rule): rules an
earlier rule shadows, rules whose conditions contradict, templates that fail to render in any language on any platform, and
messages that could exceed a platform's length limit.
"""
from __future__ import annotations

from itertools import product

from pathlib import Path

from ..core.conditions import covers, unsatisfiable
from ..core.exceptions import PlaybookProblem
from ..core.fields import DISPUTE_TYPES, PLATFORMS
from ..core.yamlio import FileProblem, line_of
from .messages import LANGUAGES, TemplateProblem, add_compiled_texts, clear_caches, compile_template, compiled_texts, template_file
from .labels import guide_problems
from .loader import collect, playbook_dir


def _table_problems(table):
    out = []
    rules = table.rules
    # a table without a default rule is a loading problem (helpers.playbook.loader), reported there
    for j, later in enumerate(rules):
        field = unsatisfiable(later.when) if later.when is not None else None
        if field:
            out.append(PlaybookProblem(table.path, later.line, f"rule {later.id} can never fire: its conditions on {field} contradict each other",
                                       "loosen or remove one of them"))
            continue
        for earlier in rules[:j]:
            if earlier.when is None or (later.when is not None and covers(earlier.when, later.when)):
                out.append(PlaybookProblem(
                    table.path, later.line,
                    f"rule {later.id} can never fire: rule {earlier.id} (line {earlier.line}) comes first and catches every case it would",
                    f"move {later.id} above {earlier.id}, or make its conditions narrower than {earlier.id}'s"))
                break
    return out


def _add(out, problem):
    """`problem`, unless the same file already has it (one template checked for several platforms,
    languages and again on its own must give one error, not one per check)."""
    if not any(p.path == problem.path and p.message == problem.message for p in out):
        out.append(problem)


def _template_problems(pb):
    out, seen = [], set()
    for table in pb.tables.values():
        for rule in table.rules:
            for platform in PLATFORMS:
                limit = pb.platforms.get(platform, {}).get("message_max_chars")
                required = pb.platforms.get(platform, {}).get("message_language")
                for lang, tracked, delivered in product([required] if required else LANGUAGES, (True, False), (True, False)):
                    key = (rule.template, lang, platform, rule.resolution, table.dispute_type, tracked, delivered)
                    if key in seen:
                        continue
                    seen.add(key)
                    try:
                        compiled = compile_template(pb, *key)
                    except TemplateProblem as exc:
                        _add(out, exc.problem)
                        continue
                    if limit and compiled.longest() > int(limit):
                        path, data = template_file(str(pb.root), rule.template)
                        out.append(PlaybookProblem(
                            path, data.key_lines.get(lang), f"{lang}: can reach {compiled.longest()} characters with long case values, "
                            f"over {pb.platforms[platform]['name']}'s limit of {limit}", "shorten the text"))
    for path in sorted((pb.root / "messages").glob("*.yaml")):
        try:
            _, data = template_file(str(pb.root), path.stem)
        except TemplateProblem as exc:
            _add(out, exc.problem)
            continue
        for lang in LANGUAGES:
            if not str(data.get(lang) or "").strip():
                # worded and placed as compiling the template words it (messages._compile)
                _add(out, PlaybookProblem(path, line_of(data, lang, 1) or 1, f"no {lang!r} text",
                                          f"add `{lang}: |` with the text"))
        for key in data:
            if key not in LANGUAGES:
                out.append(PlaybookProblem(path, data.key_lines.get(key), f"unknown language {key!r}",
                                           f"use one of {', '.join(LANGUAGES)}"))
    return out


GUIDES = ("process",) + DISPUTE_TYPES


def _guide_problems(root: Path) -> list:
    """The notebooks' guides (guides/<name>.yaml, when the folder has them): en and zh, each with
    title, intro and sections of heading + items."""
    from ..core.yamlio import load_yaml
    folder = Path(root) / "guides"
    if not folder.is_dir():
        return []
    out = []
    for name in GUIDES:
        path = folder / f"{name}.yaml"
        if not path.exists():
            out.append(PlaybookProblem(path, None, "guide is missing", "create it, or delete guides/ to use the bundled ones"))
            continue
        data, err = load_yaml(path)
        if err:
            out.append(err)
            continue
        out += guide_problems(path, data)
    return out


# Words that state a fact about the case, and the field or fact a rule must test before its rationale
# or its buyer message may say them (statically checkable premises; lower-case, per language).
PREMISES = (
    ("buyer_request", {"en": ("as you requested", "as you asked", "you asked for"), "zh": ("按照您的要求", "应您的要求", "如您所愿"),
                       "es": ("como nos pidió", "como solicitó"), "ru": ("как вы и просили", "как вы просили"),
                       "pt": ("conforme solicitado", "como você pediu"), "fr": ("comme vous l'avez demandé",)}),
    ("within_claim_window", {"en": ("claim window",), "zh": ("投诉期限",)}),
    ("item_resellable", {"en": ("can no longer be resold", "cannot be resold"), "zh": ("无法二次销售",)}),
    ("cancel_reason", {"en": ("changed your mind",), "zh": ("改变了主意", "改变主意"), "es": ("cambiado de opinión",),
                       "ru": ("передумали",), "pt": ("mudou de ideia",), "fr": ("changé d'avis",)}),
)


def _whole_unit_problems(pb) -> list:
    """Each currency of the rate table is in `whole_units` exactly when it has no cents (ISO 4217, as
    CLDR gives it): a refund of 599.70 JPY cannot be paid, and one of 20 USD for 19.99 would be wrong."""
    from babel.numbers import get_currency_precision
    from ..core.yamlio import line_of, load_yaml
    from .loader import RATES_KEY
    path = Path(pb.root) / "parameters.yaml"
    data, _ = load_yaml(path)
    spec = data.get(RATES_KEY) if isinstance(data, dict) else None
    line = line_of(spec, "whole_units", line_of(data, RATES_KEY)) if isinstance(spec, dict) else None
    out = []
    for code in pb.rates:
        whole = get_currency_precision(code) == 0
        if whole and code not in pb.whole_units:
            out.append(PlaybookProblem(path, line, f"exchange_rates: {code} has no cents (ISO 4217), so its refunds "
                                       "must be whole amounts", f"add {code} to `whole_units:` under `exchange_rates:`"))
        elif not whole and code in pb.whole_units:
            out.append(PlaybookProblem(path, line, f"exchange_rates: {code} has cents (ISO 4217), so it is not one of "
                                       "the whole_units", f"remove {code} from `whole_units:`"))
    return out


def premise_problems(pb) -> list:
    """Rationales and messages that state a premise their rule's own conditions do not test
    (e.g. "as you requested" on a rule that does not look at buyer_request)."""
    from ..core.engine import condition_names
    out = []
    for rule in pb.all_rules():
        tested = condition_names(rule.when)
        path = next(t.path for t in pb.tables.values() if rule in t.rules)
        try:
            mpath, texts = template_file(str(pb.root), rule.template)
        except TemplateProblem:
            continue  # reported with the templates
        for name, phrases in PREMISES:
            if name in tested:
                continue
            for where, source, line in (("rationale", rule.rationale, rule.line), ("message", texts, None)):
                for lang, words in phrases.items():
                    text = str(source.get(lang) or "").lower() if isinstance(source, dict) else ""
                    said = next((w for w in words if w in text), None)
                    if said:
                        out.append(PlaybookProblem(
                            path if where == "rationale" else mpath, line if where == "rationale" else texts.key_lines.get(lang)
                            if hasattr(texts, "key_lines") else None,
                            f"rule {rule.id}: its {where} ({lang}) says {said!r}, but the rule does not test {name}",
                            f"add a condition on {name} to {rule.id}, or reword the {where} so it is true whatever {name} is"))
    return out


def _warnings(pb):
    if any(dt not in pb.tables for dt in DISPUTE_TYPES):
        # a table that could not be loaded hides which templates its rules use: calling them unused
        # would advise deleting good templates (one cause, one error)
        return []
    used_templates = {r.template for r in pb.all_rules()}
    out = [PlaybookProblem(p, None, "template is not used by any rule", "delete it or point a rule at it")
           for p in sorted((pb.root / "messages").glob("*.yaml")) if p.stem not in used_templates]
    return out


def validate(path=None) -> tuple[list, list]:
    """(errors, warnings) for the playbook folder's rules, templates and guides; both are lists of
    PlaybookProblem. The workshop scenarios are checked by `workshop.scenarios.validate_folder`."""
    root = playbook_dir(path)
    pb, problems = collect(root)
    unreadable = [p for p in problems if isinstance(p, FileProblem)]
    if pb is None or unreadable:
        # what else fails follows from a file that could not be read (one cause, one error)
        return unreadable or problems, []
    # the files as they are now: texts compiled before an edit (in a long-lived app or kernel) would
    # hide the edit's mistakes from the gate
    clear_caches()
    broken = {str(p.path) for p in problems}
    # a parameter without a usable value stands in as NaN (loader): the rules comparing with it would
    # look contradictory, so their tables are left as a load problem leaves them (one cause, one error)
    unset = [name for name, value in pb.params.items() if value != value]
    for dt in DISPUTE_TYPES:
        # a table with a load problem (an unknown field, a bad operator) is not checked for rules that
        # can never fire: the dropped condition would make them look shadowed (one cause, one error)
        if dt in pb.tables and str(pb.tables[dt].path) not in broken and \
                not any(f"${name}" in pb.tables[dt].path.read_text(encoding="utf-8") for name in unset):
            problems += _table_problems(pb.tables[dt])
    if not any(p.message.startswith("rule") and "missing template" in p.message for p in problems):
        problems += _template_problems(pb)
    for name, facts in pb.platforms.items():
        lang = facts.get("message_language")
        if lang and lang not in LANGUAGES:
            problems.append(PlaybookProblem(Path(root) / "platforms.yaml", None,
                                            f"{name}: message_language {lang!r} has no templates", f"use one of {', '.join(LANGUAGES)}"))
    problems += _guide_problems(root)
    problems += _whole_unit_problems(pb)
    # a rule in a file with a load problem (e.g. a misspelt `when:`) lost conditions; its rationale
    # is not held against the conditions it lost
    problems += [p for p in premise_problems(pb) if str(p.path) not in broken]
    return problems, _warnings(pb)


_verdicts: dict = {}
GATE_SHOWN = 3


def load_checked(path=None):
    """The playbook, if `validate` finds no error in it; else PlaybookError naming the first few.

    `batch`, `recommend` and the app go through here, so they never run on a playbook `validate`
    rejects (the verdict is kept until a file of the folder changes)."""
    from .loader import folder_stamp, load_playbook
    root = playbook_dir(path).resolve()
    key = (str(root), folder_stamp(root) if root.is_dir() else ())
    if key not in _verdicts:
        digest = content_digest(root) if root.is_dir() else None
        texts = _known_clean(digest) if digest is not None else None
        if texts is not None:
            _verdicts[key] = []
            add_compiled_texts(str(root), texts)
        else:
            _verdicts[key] = validate(root)[0]
            if digest is not None and not _verdicts[key]:
                _remember_clean(digest, compiled_texts(str(root)))
    errors = _verdicts[key]
    if errors:
        raise refusal(root, errors)
    return load_playbook(root)


def refusal(root, errors: list):
    """The PlaybookError refusing a playbook with `errors`: the first few, and how to see them all."""
    from ..core.exceptions import PlaybookError
    shown = list(errors[:GATE_SHOWN])
    more = len(errors) - len(shown)
    shown.append(PlaybookProblem(root, None, f"{len(errors)} error(s) in all" + (f" ({more} more not shown)" if more else ""),
                                 f"run `dispute-playbook validate {root}` for the full list, fix them and run again"))
    return PlaybookError(shown)


# A clean verdict is remembered on disk, keyed by the content of every file of the playbook folder and
# of the validator's own code, so a batch does not compile every template again at each run. Only
# clean verdicts are kept: a playbook with errors is validated (and refused) every time.
CACHE_ENV = "DISPUTE_PLAYBOOK_CACHE"


def cache_dir() -> Path:
    """Where clean verdicts are kept: $DISPUTE_PLAYBOOK_CACHE, else the user's cache folder (platformdirs)."""
    import os
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    from platformdirs import user_cache_path
    return user_cache_path("dispute-playbook")


def content_digest(root: Path) -> str | None:
    """sha256 over every file of the playbook folder (names and bytes), the code that validates it and
    the versions of the libraries that parse it."""
    import hashlib
    import jinja2
    import yaml
    h = hashlib.sha256(f"jinja2={jinja2.__version__} pyyaml={yaml.__version__}\0".encode())  # what parses it
    code = Path(__file__).resolve().parent.parent
    try:
        for base, files in ((root, sorted(p for p in root.rglob("*") if p.is_file())),
                            (code, sorted(p for d in ("core", "playbook") for p in (code / d).glob("*.py")))):
            for p in files:
                h.update(str(p.relative_to(base)).encode() + b"\0" + p.read_bytes() + b"\0")
    except OSError:
        return None
    return h.hexdigest()


def _marker(digest: str) -> Path:
    return cache_dir() / "validated" / digest


def _known_clean(digest: str) -> dict | None:
    """The message texts kept with a clean verdict of this content, or None (never validated clean,
    or a marker that cannot be read: then it is validated again)."""
    import json
    try:
        kept = json.loads(_marker(digest).read_text(encoding="utf-8"))
        compiled = kept["compiled"]
        return compiled if isinstance(compiled.get("params"), list) and isinstance(compiled.get("rows"), list) else None
    except (OSError, ValueError, AttributeError, KeyError):
        return None


KEEP_VERDICTS = 16  # a trainer editing the playbook leaves one verdict per version: the newest are kept


def _remember_clean(digest: str, texts: dict) -> None:
    """Best effort: a cache folder that cannot be written only means validating again next time.
    Written under a temporary name and renamed, so a batch running beside never reads half of it."""
    import json
    import os
    try:
        path = _marker(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"verdict": "no validate errors", "compiled": texts}, ensure_ascii=False),
                       encoding="utf-8")
        os.replace(tmp, path)
        kept = sorted((p for p in path.parent.iterdir() if not p.name.startswith(".")),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP_VERDICTS:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
