"""Grading a folder of workshop answer files: every answer judged against the playbook as it is now,
one file per trainee, the leaderboard and the hardest scenarios as tables and charts (labels and
scenario titles in English or Chinese), and the report notebook run for the trainer's debrief. A
damaged answer file is reported and skipped, never a crash.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..core.exceptions import OutputError
from ..core.paths import NOTEBOOKS_DIR
from ..iorw.fonts import use_cjk_fallback  # trainee names may be Chinese
from .scenarios import MAX_POINTS, checked_playbook, expected, judge, load_scenarios, score_percent
from .training import LEVEL_TITLES, TYPE_TITLES, WorkshopError, answer_problem, answers_dir, as_codes, read_answer_file

REPORT_NOTEBOOK = NOTEBOOKS_DIR / "workshop_report.ipynb"

# --- grading a folder ------------------------------------------------------------------------

# What `grade --out` writes: never mistaken for a trainee's stray file when the report lands in the answers folder.
REPORT_FILES = frozenset({"leaderboard.csv", "difficulty.csv", "answers.csv", "workshop_report.ipynb",
                          "workshop_report.html"})

# The words of the grading tables and charts, (English, Chinese): people read headings, never column names.
GRADE_WORDS = {
    # the terminal's summary of a grading run
    "answer files at": ("answer files: {folder}", "答案文件：{folder}"),
    "graded": ("{n} answer file(s) graded, {problems} problem(s) skipped -> {out}",
               "已评分 {n} 个答案文件，跳过 {problems} 个问题 -> {out}"),
    "trainee line": ("right {right}, {answered} of {size} answered", "答对 {right} 题，已答 {answered} / {size}"),
    "hardest line": ("hardest: {title} {wrong}/{attempts} wrong ({answers})", "最难：{title} {wrong}/{attempts} 答错（{answers}）"),
    "report at": ("report: {path}", "报告：{path}"),
    "warning": ("warning: {}", "警告：{}"),
    "skipped": ("{} — skipped", "{}——已跳过"),
    "answer skipped": ("{file}: answer {i}: {why} — skipped", "{file}：第 {i} 个答案：{why}——已跳过"),
    "answered again": ("answers this scenario again; the first answer counts", "再次回答了这个案例；以第一次的答案为准"),
    "not an answer file": ("{file}: not an answer file (answers are the .json files the workshop page saves) — ignored",
                           "{file}：不是答案文件（答案是练习页面保存的 .json 文件）——已忽略"),
    "same trainee": ("{other} and {best} both hold {trainee}'s answers: counted once, from {best} ({why}) — {other} skipped",
                     "{other} 和 {best} 都是 {trainee} 的答案：只计一次，以 {best} 为准（{why}）——已跳过 {other}"),
    "more answers": ("it has more answers ({a} against {b})", "它的答案更多（{a} 对 {b}）"),
    "saved later": ("the workshop page saved it later", "练习页面保存它的时间更晚"),
    "newer file": ("it is the newer file", "它是较新的文件"),
    "alike": ("the two files are alike", "两个文件相同"),
    "no problems": ("none", "无"),
    "rank": ("Rank", "名次"),
    "trainee": ("Trainee", "学员"),
    "answered": ("Answered", "已答"),
    "right": ("Right resolution", "处理方案正确"),
    "evidence_right": ("Right evidence", "证据正确"),
    "message_right": ("Right message", "消息正确"),
    "points": ("Points", "得分"),
    "score_pct": ("Score, % of the deck's points", "得分率（占题组总分 %）"),
    "title": ("Scenario", "案例"),
    "dispute_type": ("Dispute type", "纠纷类型"),
    "level": ("Level", "难度"),
    "expected": ("The playbook's answer", "处理手册的答案"),
    "attempts": ("Trainees who answered", "作答人数"),
    "wrong": ("Chose another resolution", "选了其他方案的人数"),
    "wrong_share": ("Chose another, %", "选了其他方案的比例 %"),
    "wrong_answers": ("What they chose instead", "他们选了什么"),
    "of_answered": ("{n} of {size} answered", "已答 {n} / {size}"),
    "of": ("{n} of {size}", "{n} / {size}"),
    "leaderboard": ("Leaderboard", "排行榜"),
    "hardest": ("Hardest scenarios", "最难的案例"),
    "score_axis": ("score, % of the deck's possible points", "得分，占题组总分的 %"),
    "wrong_axis": ("trainees who chose another resolution, %", "选了其他处理方案的学员 %"),
}


def grade_word(key: str, lang: str = "en") -> str:
    en, zh = GRADE_WORDS[key]
    return zh if lang == "zh" else en


def _title_in(titles: dict, key, lang: str) -> str:
    """'Not received · 订单未达' -> the part in `lang`."""
    parts = titles.get(key, str(key)).split(" · ")
    return parts[-1] if lang == "zh" else parts[0]


@dataclass
class Grade:
    leaderboard: list  # one dict per graded trainee, best first
    difficulty: list  # one dict per answered scenario, hardest first (labels and titles, in `lang`)
    answers: list  # one dict per graded answer (resolution labels, in `lang`)
    problems: list  # "file: what is wrong — skipped"
    lang: str = "en"

    def frames(self) -> dict:
        """The tables as `grade` writes them to CSV."""
        import pandas as pd
        cols = {"leaderboard": LEADERBOARD_COLUMNS, "difficulty": DIFFICULTY_COLUMNS, "answers": ANSWER_COLUMNS}
        return {k: pd.DataFrame(getattr(self, k), columns=list(c)) for k, c in cols.items()}

    def tables(self) -> dict:
        """The leaderboard and the hardest scenarios as the report shows them: headings in words, in `lang`,
        scores out of the whole deck with how much was answered, scenario titles and resolution labels."""
        import pandas as pd
        lang = self.lang

        def frame(keys, rows, index):
            return pd.DataFrame([[r[k] for k in keys] for r in rows],
                                columns=[grade_word(k, lang) for k in keys]).set_index(grade_word(index, lang))
        board = [{**r, "answered": grade_word("of", lang).format(n=r["answered"], size=r["deck_size"]),
                  "points": f"{r['points']} / {r['max_points']}"} for r in self.leaderboard]
        hard = [{**r, "wrong_share": round(100 * r["wrong_share"]), "wrong_answers": r["wrong_answers"] or "—"}
                for r in self.difficulty]
        return {"leaderboard": frame(("rank", "trainee", "answered", "right", "evidence_right", "message_right",
                                      "points", "score_pct"), board, "rank"),
                "difficulty": frame(("title", "dispute_type", "level", "expected", "attempts", "wrong", "wrong_share",
                                     "wrong_answers"), hard, "title")}


LEADERBOARD_COLUMNS = ("rank", "trainee", "file", "answered", "deck_size", "right", "evidence_right", "message_right",
                       "points", "max_points", "score_pct")
DIFFICULTY_COLUMNS = ("scenario_id", "title", "dispute_type", "level", "expected", "attempts", "wrong", "wrong_share",
                      "wrong_answers")
ANSWER_COLUMNS = ("trainee", "scenario_id", "resolution", "expected", "right", "evidence_right", "message_right", "points")


def answer_files(folder) -> tuple[list, list]:
    """(answer files, other files) in `folder`, each sorted: the *.json files, and the files a person left
    there that are not (folders, hidden files and this command's own report files are neither)."""
    folder = answers_dir(folder)
    files, others = [], []
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if path.name.startswith(".") or path.name in REPORT_FILES or not path.is_file():
            continue
        (files if path.suffix.lower() == ".json" else others).append(path)
    return files, others


def not_an_answer_file(path: Path, lang: str = "en") -> str:
    return grade_word("not an answer file", lang).format(file=path.name)


def grade(folder, playbook=None, lang: str = "en") -> Grade:
    """Judge every answer file in `folder` against the playbook as it is now; resolutions, titles and
    dispute types are shown in `lang` (en, zh)."""
    from ..advice.recommend import localised
    from ..playbook.loader import load_playbook
    pb = load_playbook(playbook)
    scenarios = {s.id: s for s in load_scenarios(pb)[0]}
    labels = {res: localised(pb, texts, lang) for res, texts in pb.resolutions.items()}
    # a resolution typed as its label, in any language of the playbook
    by_label = {str(text).strip().casefold(): res for res, texts in pb.resolutions.items()
                for text in texts.values() if isinstance(text, str)}
    files, others = answer_files(folder)
    expectations, notes, graded = {}, {}, []
    for path in files:
        try:
            data = read_answer_file(path)
        except WorkshopError as exc:
            notes[path] = [grade_word("skipped", lang).format(exc.text(lang))]
            continue
        mine, seen, notes[path] = [], set(), []
        for i, a in enumerate(data["answers"], 1):
            a = as_codes(a, by_label)
            why = answer_problem(a, scenarios, lang) or (grade_word("answered again", lang)
                                                         if a["scenario_id"] in seen else "")
            if why:
                notes[path].append(grade_word("answer skipped", lang).format(file=path.name, i=i, why=why))
                continue
            seen.add(a["scenario_id"])
            sid = a["scenario_id"]
            if sid not in expectations:
                expectations[sid] = expected(scenarios[sid], pb)
            exp = expectations[sid]
            v = judge(exp, a["resolution"], a.get("evidence", []), a.get("template_id", ""))
            mine.append({"trainee": data["trainee"], "scenario_id": sid, "resolution": a["resolution"],
                         "expected": exp.resolution, "right": v.resolution_right, "evidence_right": v.evidence_right,
                         "message_right": v.message_right, "points": v.points})
        graded.append((path, data, mine))
    graded, dropped = _one_file_per_trainee(graded, lang)
    notes.update(dropped)  # a left-out copy's own problems do not matter: the file is not graded
    for path in others:
        notes[path] = [not_an_answer_file(path, lang)]
    problems = [n for path in sorted(notes) for n in notes[path]]
    rows, board = [], []
    for path, data, mine in graded:
        rows += mine
        deck = set(data["deck"].scenario_ids) if data["deck"] else set()
        size = len(deck | {r["scenario_id"] for r in mine})  # unanswered scenarios of the deck score 0
        points = sum(r["points"] for r in mine)
        board.append({"trainee": data["trainee"], "file": path.name, "answered": len(mine), "deck_size": size,
                      "right": sum(r["right"] for r in mine), "evidence_right": sum(r["evidence_right"] for r in mine),
                      "message_right": sum(r["message_right"] for r in mine), "points": points,
                      "max_points": MAX_POINTS * size,
                      "score_pct": score_percent(points, size)})
    board.sort(key=lambda r: (-r["points"], -r["right"], r["trainee"]))
    for rank, r in enumerate(board, 1):
        r["rank"] = rank
    difficulty = _difficulty(rows, scenarios, labels, lang)
    answers = [{**r, "resolution": labels[r["resolution"]], "expected": labels[r["expected"]]} for r in rows]
    return Grade(board, difficulty, answers, problems, lang)


def _one_file_per_trainee(graded, lang: str = "en") -> tuple[list, dict]:
    """One file per trainee (a copied file, a second laptop): the one with the most gradable answers, on a
    tie the one the workshop page saved last, then the newer file. Returns (kept entries, {left-out path:
    [warning naming both files and which one counts]})."""
    def saved(entry):
        path, data, mine = entry
        return len(mine), str(data.get("updated_at") or ""), path.stat().st_mtime
    groups = {}
    for entry in graded:
        groups.setdefault(entry[1]["trainee"].casefold(), []).append(entry)
    kept, dropped = [], {}
    for group in groups.values():
        best = max(group, key=saved)  # the first in name order when all is equal
        kept.append(best)
        for entry in group:
            if entry is best:
                continue
            mine, other = saved(best), saved(entry)
            why = (grade_word("more answers", lang).format(a=mine[0], b=other[0]) if mine[0] != other[0] else
                   grade_word("saved later", lang) if mine[1] != other[1] else
                   grade_word("newer file", lang) if mine[2] != other[2] else grade_word("alike", lang))
            dropped[entry[0]] = [grade_word("same trainee", lang).format(other=entry[0].name, best=best[0].name,
                                                                         trainee=best[1]["trainee"], why=why)]
    return [e for e in graded if any(e is k for k in kept)], dropped


def _difficulty(rows, scenarios, labels, lang="en") -> list:
    out = []
    for sid in sorted({r["scenario_id"] for r in rows}):
        mine = [r for r in rows if r["scenario_id"] == sid]
        wrong = Counter(r["resolution"] for r in mine if not r["right"])
        sc = scenarios[sid]
        out.append({"scenario_id": sid, "title": sc.text("title", lang),
                    "dispute_type": _title_in(TYPE_TITLES, sc.dispute_type, lang),
                    "level": _title_in(LEVEL_TITLES, sc.level, lang),
                    "expected": labels[mine[0]["expected"]], "attempts": len(mine), "wrong": sum(wrong.values()),
                    "wrong_share": round(sum(wrong.values()) / len(mine), 3),
                    "wrong_answers": ", ".join(f"{labels[res]} ×{n}"
                                               for res, n in sorted(wrong.items(), key=lambda x: (-x[1], x[0])))})
    out.sort(key=lambda r: (-r["wrong_share"], -r["attempts"], r["scenario_id"]))
    return out


# --- charts and the report notebook -------------------------------------------------------------

def _as_text(label) -> str:
    """Text typed by a person or a trainer: `$...$` in it is text, not matplotlib mathtext (which can fail to parse)."""
    return str(label).replace("$", r"\$")


def leaderboard_chart(g: Grade):
    import matplotlib.pyplot as plt
    use_cjk_fallback()
    rows = g.leaderboard[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(rows), 2) + 1))
    ax.barh([_as_text(r["trainee"]) for r in rows], [r["score_pct"] for r in rows], color="#3b7dd8")
    for i, r in enumerate(rows):
        answered = grade_word("of_answered", g.lang).format(n=r["answered"], size=r["deck_size"])
        ax.text(r["score_pct"] + 1, i, f"{r['points']}/{r['max_points']} · {answered}", va="center", fontsize=9)
    ax.set_xlim(0, 130)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(grade_word("score_axis", g.lang))
    ax.set_title(grade_word("leaderboard", g.lang))
    fig.tight_layout()
    return fig


def hardest(g: Grade) -> list:
    """The scenarios someone answered wrong, hardest first: one nobody got wrong is not among the hardest
    ("hardest: … 0/2 wrong (-)" was printed and charted)."""
    return [r for r in g.difficulty if r["wrong"]]


def difficulty_chart(g: Grade, most: int = 12):
    import matplotlib.pyplot as plt
    use_cjk_fallback()
    rows = hardest(g)[:most][::-1]
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(rows), 2) + 1))
    ax.barh([_as_text(r["title"]) for r in rows], [100 * r["wrong_share"] for r in rows], color="#d8613b")
    ax.set_xlim(0, 100)
    ax.set_xlabel(grade_word("wrong_axis", g.lang))
    ax.set_title(grade_word("hardest", g.lang))
    fig.tight_layout()
    return fig


def write_report(folder, out, playbook=None, lang: str = "en") -> tuple[Path, Path]:
    """Run the report notebook with papermill for `folder`; return the executed notebook and its HTML."""
    import nbformat

    from ..batch.inprocess import report_html, run_notebook, skip_iri_grammars
    skip_iri_grammars()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    executed = out / "workshop_report.ipynb"
    # run here, as the batch's report is: no kernel to start (nor its "running over TCP" warning)
    run_notebook(REPORT_NOTEBOOK, executed, {"answers_dir": str(Path(folder).resolve()),
                                             "playbook": str(Path(playbook).resolve()) if playbook else "",
                                             "lang": lang}, cwd=REPORT_NOTEBOOK.parent)
    body = report_html(nbformat.read(executed, as_version=4))
    html = out / "workshop_report.html"
    from ..iorw.atomic import atomic_write
    atomic_write(html, lambda p: Path(p).write_text(body, encoding="utf-8"))
    return executed, html


def run_grade_cli(args) -> int:
    """`workshop grade`; errors are raised (WorkshopError 2, PlaybookError 3, OutputError 4) for cli.main."""
    import sys
    from ..batch.write import neutralise
    from ..iorw.atomic import atomic_write, writable_folder
    folder = answers_dir(args.answers_dir)
    lang = getattr(args, "lang", None) or "en"
    print(grade_word("answer files at", lang).format(folder=folder))
    if not folder.is_dir():
        raise WorkshopError(f"{folder} is not a folder of answer files; give the folder trainees saved into "
                            "(without ANSWERS_DIR: $DISPUTE_WORKSHOP_ANSWERS, else the data folder named above)",
                            f"{folder} 不是答案文件夹；请给出学员保存答案的文件夹（不写 ANSWERS_DIR 时："
                            "$DISPUTE_WORKSHOP_ANSWERS，否则上面显示的数据文件夹）")
    files, others = answer_files(folder)
    if not files:
        for p in others:
            print(grade_word("warning", lang).format(not_an_answer_file(p, lang)), file=sys.stderr)
        raise WorkshopError(f"{folder} holds no answer files (*.json): nothing to grade; give the folder the workshop "
                            "page saved answers into (the path it shows each trainee), or copy the trainees' .json "
                            "files here", f"{folder} 里没有答案文件（*.json），无可评分；请给出练习页面保存答案的"
                            "文件夹（页面向每位学员显示的路径），或把学员的 .json 文件复制到这里")
    out = writable_folder(Path(args.out) if args.out else folder / "report")
    checked_playbook(args.playbook)  # answers are judged against every scenario of a playbook validate accepts
    g = grade(folder, args.playbook, lang)
    for p in g.problems:
        print(grade_word("warning", lang).format(p), file=sys.stderr)
    frames = g.frames()
    for name, frame in frames.items():
        frame = frame.map(neutralise)  # trainee names are typed by people: never a spreadsheet formula
        atomic_write(out / f"{name}.csv", lambda p, f=frame: f.to_csv(p, index=False))
    print(grade_word("graded", lang).format(n=len(g.leaderboard), problems=len(g.problems), out=out))
    for r in g.leaderboard:
        print(f"  {r['rank']:>3}. {padded(r['trainee'], 24)} {r['points']:>4}/{r['max_points']:<4} {r['score_pct']:>5}%  "
              + grade_word("trainee line", lang).format(right=r["right"], answered=r["answered"], size=r["deck_size"]))
    for r in hardest(g)[:5]:
        print("  " + grade_word("hardest line", lang).format(title=padded(r["title"], 56), wrong=r["wrong"],
                                                               attempts=r["attempts"], answers=r["wrong_answers"] or "-"))
    if not args.no_report:
        try:
            _, html = write_report(folder, out, args.playbook, lang)
        except Exception as exc:  # noqa: BLE001 — papermill fails many ways; the tables are already written
            raise OutputError(f"the workshop report failed ({type(exc).__name__}: {' '.join(str(exc).split())[-300:]}); "
                              f"the tables are complete in {out}; run the command again to retry the report") from exc
        print(grade_word("report at", lang).format(path=html))
    return 0


def padded(text: str, width: int) -> str:
    """`text` filled with spaces to `width` terminal columns: a Chinese character takes two, so names
    and titles line up in either language."""
    import unicodedata
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))
    return f"{text}{' ' * max(0, width - shown)}"
