"""Workshops: decks of scenarios and a trainee's answer file (grading a folder of them: grading.py).

A deck is a list of scenario ids, reproducible from its seed. Each trainee's answers live in one
JSON file named for them, rewritten atomically after every answer, so a kernel restart loses
nothing and the trainee resumes where they stopped.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import random
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..core.exceptions import PlaybookToolError
from ..core.fields import DISPUTE_TYPES, EVIDENCE, RESOLUTIONS
from ..iorw.atomic import write_json_atomic  # temporary file + rename: a crash never leaves half a file
from .scenarios import LEVELS, MAX_POINTS, checked_playbook, load_scenarios

ANSWERS_FORMAT = "dispute-playbook/workshop-answers"
DECK_FORMAT = "dispute-playbook/workshop-deck"
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


class WorkshopError(PlaybookToolError):
    """A deck or answer file that cannot be used; the message says which and why (`zh`: the same in
    Chinese, for a trainer grading with --lang zh)."""

    def __init__(self, message: str, zh: str | None = None):
        super().__init__(message)
        self.zh = zh

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" and self.zh else str(self)

    def one_line(self, lang: str = "en") -> str:
        return f"dispute-playbook: {self.kind}{self.text(lang)}"


def answers_dir(path=None) -> Path:
    """Where trainees' answer files go: the argument, $DISPUTE_WORKSHOP_ANSWERS, or `workshop_answers`
    in the user's data folder (platformdirs: ~/.local/share/dispute-playbook on Linux,
    %LOCALAPPDATA%\\dispute-playbook on Windows, ~/Library/Application Support/dispute-playbook on macOS),
    never inside the source tree. Always absolute, so the trainer is shown the whole path."""
    if path or os.environ.get("DISPUTE_WORKSHOP_ANSWERS"):
        return Path(path or os.environ["DISPUTE_WORKSHOP_ANSWERS"]).expanduser().resolve()
    from platformdirs import user_data_path
    return user_data_path("dispute-playbook", appauthor=False) / "workshop_answers"


def decks_dir(path=None) -> Path:
    return Path(path or os.environ.get("DISPUTE_WORKSHOP_DECKS") or "decks")


# --- decks -------------------------------------------------------------------------------------

@dataclass
class Deck:
    deck_id: str
    title: str
    scenario_ids: list
    seed: int | None = None
    types: list = field(default_factory=list)
    levels: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"format": DECK_FORMAT, **asdict(self)}

    @classmethod
    def from_dict(cls, data, where="deck", where_zh="题组") -> "Deck":
        ids = data.get("scenario_ids") if isinstance(data, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise WorkshopError(f"{where}: not a deck (it needs a non-empty `scenario_ids` list)",
                                f"{where_zh}：不是有效的题组（需要一个非空的 `scenario_ids` 列表）")
        return cls(str(data.get("deck_id") or _deck_id(ids, data.get("seed"))), str(data.get("title") or "deck"), ids,
                   data.get("seed"), list(data.get("types") or []), list(data.get("levels") or []))


def _deck_id(ids, seed) -> str:
    return "deck-" + hashlib.sha256(json.dumps([seed, ids]).encode()).hexdigest()[:8]


def make_deck(size: int, seed: int, types=None, levels=None, playbook=None) -> Deck:
    """`size` scenarios drawn with `seed`, the dispute types taking turns so a deck stays mixed, ordered
    from basic to advanced (a trainee starts with an easy case)."""
    types, levels = list(types or []), list(levels or [])
    for t in types:
        if t not in DISPUTE_TYPES:
            raise WorkshopError(f"unknown dispute type {t!r}; use some of {', '.join(DISPUTE_TYPES)}")
    for lv in levels:
        if lv not in LEVELS:
            raise WorkshopError(f"unknown level {lv!r}; use some of {', '.join(LEVELS)}")
    from ..playbook.loader import Playbook, load_playbook
    # a deck is answered against these rules: they must load
    pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    pool = [s for s in load_scenarios(pb)[0]
            if (not types or s.dispute_type in types) and (not levels or s.level in levels)]
    if not 1 <= size <= len(pool):
        raise WorkshopError(f"{len(pool)} scenarios match (types: {', '.join(types) or 'all'}; levels: "
                            f"{', '.join(levels) or 'all'}); ask for a size from 1 to {len(pool)}")
    rng = random.Random(seed)
    queues = {t: [s.id for s in pool if s.dispute_type == t] for t in DISPUTE_TYPES}
    for q in queues.values():
        rng.shuffle(q)
    order = [t for t in DISPUTE_TYPES if queues[t]]
    rng.shuffle(order)
    ids = []
    while len(ids) < size:
        for t in order:
            if queues[t] and len(ids) < size:
                ids.append(queues[t].pop())
    level = {s.id: LEVELS.index(s.level) if s.level in LEVELS else len(LEVELS) for s in pool}
    ids.sort(key=level.__getitem__)  # stable: the types still take turns within a level
    return Deck(_deck_id(ids, seed), _made_deck_title(size, seed, types, levels), ids, seed, types, levels)


def _made_deck_title(size, seed, types, levels) -> str:
    """'6 scenarios, seed 1, Basic · 6 个案例，种子 1，基础': the types and levels by their labels, never
    their codes, in both languages (the trainee's page shows its language's half: in_language)."""
    def half(lang, head, comma, slash):
        return head + "".join(f"{comma}{slash.join(in_language(titles[v], lang) for v in values)}"
                              for values, titles in ((types, TYPE_TITLES), (levels, LEVEL_TITLES)) if values)
    return f"{half('en', f'{size} scenarios, seed {seed}', ', ', '/')} · {half('zh', f'{size} 个案例，种子 {seed}', '，', '、')}"


def in_language(title: str, lang: str) -> str:
    """The `lang` half of a title written in both languages ('Basic (10) · 基础（10）' -> '基础（10）' in zh);
    a title written once (a trainer's own) as it is."""
    halves = title.split(" · ")
    if len(halves) != 2:
        return title
    return halves[1] if lang == "zh" else halves[0]


def load_deck(path) -> Deck:
    path = Path(path)
    try:
        return Deck.from_dict(json.loads(path.read_text(encoding="utf-8")), path.name, path.name)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WorkshopError(f"{path}: cannot read the deck: {exc}") from None


LEVEL_TITLES = {"basic": "Basic · 基础", "intermediate": "Intermediate · 进阶", "advanced": "Advanced · 高级"}
TYPE_TITLES = {"not_received": "Not received · 订单未达", "not_as_described": "Not as described · 商品与描述不符",
               "damaged": "Damaged or incomplete · 商品损坏或缺损", "cancellation": "Cancellation · 订单取消或退款"}


def standard_decks(playbook=None) -> list:
    """The decks every workshop has: one per level (basic first: the default deck), one per dispute
    type, and all scenarios."""
    scenarios = load_scenarios(playbook)[0]
    out = []
    for what, key, titles in (("levels", "level", LEVEL_TITLES), ("types", "dispute_type", TYPE_TITLES)):
        for value, title in titles.items():
            n = sum(getattr(s, key) == value for s in scenarios)
            if n:
                out.append(make_deck(n, 1, playbook=playbook, **{what: [value]}))
                out[-1].title = f"{in_language(title, 'en')} ({n}) · {in_language(title, 'zh')}（{n}）"
    if scenarios:
        out.append(make_deck(len(scenarios), 1, playbook=playbook))
        out[-1].title = f"All scenarios ({len(scenarios)}) · 全部（{len(scenarios)}）"
    return out


def available_decks(folder=None, playbook=None) -> tuple[list, list]:
    """(decks, problems): the trainer's deck files in `folder`, then the standard decks."""
    decks, problems = [], []
    folder = decks_dir(folder)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            decks.append(load_deck(path))
        except WorkshopError as exc:
            problems.append(str(exc))
    return decks + standard_decks(playbook), problems


# --- one trainee's answer file --------------------------------------------------------------------

def trainee_name(typed: str) -> str:
    """The name as typed, with Unicode and spacing made canonical (the same person, the same file)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(typed))).strip()


def same_trainee(a: str, b: str) -> bool:
    """Names that differ only in capitals or spacing are one trainee ("Li Wei" resumes "li wei")."""
    return trainee_name(a).casefold() == trainee_name(b).casefold()


def answer_file_name(trainee: str) -> str:
    """A safe file name for any trainee name (Chinese included), the same whatever the capitals;
    lossy names get a short hash."""
    name = trainee_name(trainee).casefold()
    if not name:
        raise WorkshopError("type your name first: your answers are saved under it")
    safe = re.sub(r"[^\w\- .]", "_", name).strip(" .")[:60] or "trainee"
    if safe.split(".")[0].upper() in _WINDOWS_RESERVED:
        safe = "_" + safe
    if safe != name:
        safe += "-" + hashlib.sha256(name.encode()).hexdigest()[:6]
    return safe + ".json"


def read_answer_file(path) -> dict:
    """The answer file's content, checked; raises WorkshopError saying what is wrong."""
    path = Path(path)
    name = path.name
    try:  # utf-8-sig: a file re-saved by a Windows editor starts with a byte-order mark; it is still UTF-8
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise WorkshopError(f"{name}: is not UTF-8 text (perhaps re-saved as GBK or another encoding); save it as UTF-8",
                            f"{name}：不是 UTF-8 文本（可能被另存为 GBK 等编码）；请另存为 UTF-8") from None
    except OSError as exc:
        raise WorkshopError(f"{name}: cannot be read ({exc.strerror or exc})",
                            f"{name}：无法读取（{exc.strerror or exc}）") from None
    except json.JSONDecodeError as exc:
        raise WorkshopError(f"{name}: is not complete JSON ({exc.msg}: line {exc.lineno}, column {exc.colno}); "
                            "a half-written or hand-edited file",
                            f"{name}：不是完整的 JSON（{exc.msg}：第 {exc.lineno} 行第 {exc.colno} 列）；"
                            "文件只写了一半或被手动改过") from None
    except RecursionError:
        raise WorkshopError(f"{name}: is nested too deeply to be an answer file",
                            f"{name}：嵌套层级太深，不是答案文件") from None
    from ..iorw.atomic import lone_surrogate
    if lone_surrogate(data):  # the trainee's name could be neither shown nor written
        raise WorkshopError(f"{name}: holds text that is not valid Unicode (a lone surrogate)",
                            f"{name}：含有无效的 Unicode 文本（孤立的代理字符）")
    if not isinstance(data, dict) or data.get("format") != ANSWERS_FORMAT:
        raise WorkshopError(f"{name}: is not a workshop answer file (no \"format\": \"{ANSWERS_FORMAT}\")",
                            f"{name}：不是练习答案文件（没有 \"format\": \"{ANSWERS_FORMAT}\"）")
    data["trainee"] = trainee_name(data.get("trainee") or "")
    if not data["trainee"]:
        raise WorkshopError(f"{name}: names no trainee", f"{name}：没有写明学员姓名")
    if not isinstance(data.get("answers"), list):
        raise WorkshopError(f"{name}: `answers` is not a list", f"{name}：`answers` 不是列表")
    data["deck"] = Deck.from_dict(data.get("deck"), f"{path.name}: deck", f"{path.name} 中的题组") \
        if data.get("deck") is not None else None
    return data


class NameTaken(WorkshopError):
    """The answer file a name leads to holds another trainee's answers (names that differ only where a
    file name cannot: 'Li Wei' and 'Li/Wei')."""

    def __init__(self, file_name: str, trainee: str):
        super().__init__(f"{file_name} belongs to {trainee!r}; choose another name")
        self.trainee = trainee


def as_codes(answer, resolution_names: dict | None = None):
    """An answer record with its codes as the page writes them: ids, resolution and evidence trimmed and
    in lower case, the message's template id trimmed, and a resolution written as its label (`换货`, `Exchange`) taken as
    its code (`resolution_names`: label in lower case -> code). A hand-typed ' EXCHANGE' or 'Wait'
    was skipped, and the trainee shown at 0 of 8 answered. Anything else is left for answer_problem."""
    if not isinstance(answer, dict):
        return answer

    def code(value):
        return value.strip().casefold() if isinstance(value, str) else value
    out = dict(answer)
    for key in ("scenario_id", "resolution"):
        if key in out:
            out[key] = code(out[key])
    if isinstance(out.get("template_id"), str):  # a trainer's template file may have capitals: trimmed only
        out["template_id"] = out["template_id"].strip()
    if isinstance(out.get("resolution"), str) and out["resolution"] not in RESOLUTIONS:
        out["resolution"] = (resolution_names or {}).get(out["resolution"], out["resolution"])
    if isinstance(out.get("evidence"), list):
        out["evidence"] = [code(e) for e in out["evidence"]]
    return out


def answer_problem(answer, known_ids, lang: str = "en") -> str:
    """Why one answer record cannot be graded ('' when it can), in `lang` (en, zh)."""
    def say(en: str, zh: str) -> str:
        return zh if lang == "zh" else en
    if not isinstance(answer, dict):
        return say("is not an object", "不是一个对象")
    if not isinstance(answer.get("scenario_id"), str) or answer["scenario_id"] not in known_ids:
        sid = answer.get("scenario_id")
        return say(f"scenario {sid!r} is not in the playbook's scenarios", f"案例 {sid!r} 不在处理手册的案例中") + \
            _did_you_mean(sid, known_ids, lang)
    if answer.get("resolution") not in RESOLUTIONS:
        res = answer.get("resolution")
        return say(f"resolution {res!r} is not a resolution", f"处理方案 {res!r} 不是有效的处理方案") + \
            _did_you_mean(res, RESOLUTIONS, lang)
    ev = answer.get("evidence", [])
    if not isinstance(ev, list) or any(not isinstance(e, str) or e not in EVIDENCE for e in ev):
        return say(f"evidence {ev!r} is not a list of evidence ids", f"证据 {ev!r} 不是证据代码的列表")
    if not isinstance(answer.get("template_id", ""), str):
        return say("template_id is not text", "template_id 不是文本")
    return ""


def _did_you_mean(value, known, lang: str = "en") -> str:
    """'; did you mean 'exchange'?' when `value` is a near miss of one of `known` (a typing slip), else ''."""
    from ..core.spelling import closest
    close = closest(value, known) if isinstance(value, str) else None
    if not close:
        return ""
    return f"；是否想写 {close!r}？" if lang == "zh" else f"; did you mean {close!r}?"


def _existing_spelling(path: Path) -> Path:
    """`path`, or a file saved under the same name in other capitals (files from before names ignored case)."""
    if path.exists() or not path.parent.is_dir():
        return path
    return next((p for p in path.parent.glob("*.json") if p.name.casefold() == path.name), path)


class AnswerBook:
    """One trainee's answers in `folder`/<name>.json: opened to resume, saved after every answer."""

    def __init__(self, folder, trainee: str, deck: Deck | None = None):
        self.trainee = trainee_name(trainee)
        self.path = _existing_spelling(answers_dir(folder) / answer_file_name(self.trainee))
        now = _now()
        self.data = {"format": ANSWERS_FORMAT, "version": 1, "trainee": self.trainee, "deck": None,
                     "started_at": now, "updated_at": now, "answers": []}
        if self.path.exists():
            self.data = read_answer_file(self.path)
            if not same_trainee(self.data["trainee"], self.trainee):
                raise NameTaken(self.path.name, self.data["trainee"])
            self.trainee = self.data["trainee"]  # as first typed
        if deck is not None:
            self.data["deck"] = deck
        if self.data["deck"] is None:
            raise WorkshopError("choose a deck first")
        self.answers = {a["scenario_id"]: a for a in self.data["answers"]
                        if isinstance(a, dict) and isinstance(a.get("scenario_id"), str)}

    @property
    def deck(self) -> Deck:
        return self.data["deck"]

    def next_scenario_id(self):
        return next((sid for sid in self.deck.scenario_ids if sid not in self.answers), None)

    def record(self, scenario_id, resolution, evidence, template_id, verdict, exp) -> dict:
        self._merge_saved()
        if scenario_id in self.answers:
            raise WorkshopError(f"scenario {scenario_id} is already answered; the first answer counts")
        answer = {"scenario_id": scenario_id, "deck_id": self.deck.deck_id, "resolution": resolution,
                  "evidence": sorted(evidence or ()), "template_id": template_id, "answered_at": _now(),
                  "expected_resolution": exp.resolution, "points": verdict.points}
        self.answers[scenario_id] = answer
        self.data["answers"].append(answer)
        self.save()
        return answer

    def _merge_saved(self) -> None:
        """Answers another session of the same trainee (a second tab) saved meanwhile are kept."""
        if self.path.exists():
            for a in read_answer_file(self.path)["answers"]:
                if isinstance(a, dict) and isinstance(a.get("scenario_id"), str) and a["scenario_id"] not in self.answers:
                    self.answers[a["scenario_id"]] = a
                    self.data["answers"].append(a)

    def save(self) -> None:
        self.data["updated_at"] = _now()
        write_json_atomic(self.path, {**self.data, "deck": self.deck.to_dict()})

    def score(self) -> dict:
        in_deck = [self.answers[s] for s in self.deck.scenario_ids if s in self.answers]
        return {"answered": len(in_deck), "deck_size": len(self.deck.scenario_ids),
                "right": sum(a["resolution"] == a["expected_resolution"] for a in in_deck),
                "points": sum(a["points"] for a in in_deck), "max_points": MAX_POINTS * len(in_deck)}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


# --- the trainer's commands (argument parsing is in helpers.cli_workshop) --------------------------

def run_deck_cli(args) -> int:
    """`workshop deck`; errors are raised (WorkshopError 2, PlaybookError 3, OutputError 4) for cli.main."""
    from ..iorw.atomic import writable_folder
    if args.out:
        writable_folder(Path(args.out).parent, args.out)
    deck = make_deck(args.size, args.seed, args.types, args.level, checked_playbook(args.playbook))
    if args.out:
        write_json_atomic(Path(args.out), deck.to_dict())
        print(f"wrote {deck.deck_id} ({deck.title}) to {args.out}")
    else:
        print(json.dumps(deck.to_dict(), ensure_ascii=False, indent=1))
    return 0
