"""Workshops: reproducible decks, answer files that survive restarts, grading a folder (damaged files
reported and skipped), the trainer's commands, the report notebook, and the trainee screen's logic."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from helpers.cli import workshop as cli_workshop
from helpers.workshop.scenarios import LEVELS, expected, load_scenarios
from helpers.workshop.grading import grade
from helpers.workshop.training import (AnswerBook, WorkshopError, answer_file_name, available_decks, load_deck, make_deck,
                                       read_answer_file)

from support import ROOT

DATA = ROOT / "tests" / "data" / "workshop"
# What the fixture answer files assume the playbook answers: (resolution, evidence, message).
FIXTURE_EXPECTATIONS = {
    "nr_honest_late_parcel": ("wait", (), "nr_late_extend"),
    "nad_listing_showed_navy": ("exchange", (), "exchange_offer"),
    "dmg_broken_no_photos": ("request_evidence", ("buyer_photos", "seller_packing_photos"), "request_photos"),
    "can_changed_mind_before_shipping": ("cancel_refund", ("chat_history",), "can_cancel_refund"),
}


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


# --- decks ----------------------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_deck_and_another_seed_another():
    a, b, c = make_deck(8, 42), make_deck(8, 42), make_deck(8, 43)
    assert a.scenario_ids == b.scenario_ids and a.deck_id == b.deck_id
    assert a.scenario_ids != c.scenario_ids and a.deck_id != c.deck_id
    assert len(set(a.scenario_ids)) == 8


def test_a_deck_takes_the_dispute_types_in_turn_and_honours_the_filters():
    by_id = {s.id: s for s in load_scenarios()[0]}
    deck = make_deck(8, 3)
    assert Counter(by_id[i].dispute_type for i in deck.scenario_ids) == {t: 2 for t in
                                                                      ("not_received", "not_as_described", "damaged", "cancellation")}
    deck = make_deck(3, 3, types=["damaged", "cancellation"], levels=["basic", "advanced"])
    assert all(by_id[i].dispute_type in ("damaged", "cancellation") and by_id[i].level in ("basic", "advanced")
               for i in deck.scenario_ids)


@pytest.mark.parametrize("kwargs, message", [
    ({"size": 99}, "ask for a size from 1 to"),
    ({"size": 0}, "ask for a size from 1 to"),
    ({"size": 2, "types": ["lost_parcel"]}, "unknown dispute type 'lost_parcel'"),
    ({"size": 2, "levels": ["expert"]}, "unknown level 'expert'"),
])
def test_an_impossible_deck_is_refused_with_the_reason(kwargs, message):
    with pytest.raises(WorkshopError, match=message):
        make_deck(seed=1, **kwargs)


def test_workshop_deck_command_prints_or_writes_the_same_deck_for_the_same_seed(tmp_path):
    first = run_cli("workshop", "deck", "--size", "5", "--seed", "9", "--types", "not_received", "damaged",
                    "--level", "basic", "intermediate")
    again = run_cli("workshop", "deck", "--size", "5", "--seed", "9", "--types", "not_received", "damaged",
                    "--level", "basic", "intermediate", "--out", str(tmp_path / "deck.json"))
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert json.loads(first.stdout) == load_deck(tmp_path / "deck.json").to_dict() == \
        make_deck(5, 9, ["not_received", "damaged"], ["basic", "intermediate"]).to_dict()
    too_big = run_cli("workshop", "deck", "--size", "500", "--seed", "1")
    assert too_big.returncode == 2 and "ask for a size from 1 to" in too_big.stderr


def test_the_cli_knows_the_same_levels_and_stays_light():
    assert cli_workshop.LEVELS == LEVELS
    probe = "import sys, helpers.cli; sys.exit(any(m in sys.modules for m in ('helpers.workshop.training', 'pandas', 'ipywidgets')))"
    assert subprocess.run([sys.executable, "-c", probe], cwd=ROOT, timeout=60).returncode == 0


def test_the_trainers_deck_files_come_first_and_a_broken_one_is_reported(tmp_path):
    (tmp_path / "a-monday.json").write_text(json.dumps(make_deck(4, 7).to_dict()), encoding="utf-8")
    (tmp_path / "b-broken.json").write_text('{"scenario_ids": []}', encoding="utf-8")
    decks, problems = available_decks(tmp_path)
    assert decks[0].scenario_ids == make_deck(4, 7).scenario_ids
    assert decks[1].title.startswith("Basic")  # the default when the trainer gave no deck
    assert {s.level for s in load_scenarios()[0] if s.id in decks[1].scenario_ids} == {"basic"}
    assert decks[-1].title.startswith("All scenarios") and len(decks[-1].scenario_ids) == len(load_scenarios()[0])
    assert len(problems) == 1 and "b-broken.json" in problems[0]


# --- answer files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, file", [
    ("李娜", "李娜.json"),
    ("Maria Garcia", "maria garcia.json"),
    ("  MARIA   garcia ", "maria garcia.json"),
])
def test_a_plain_name_is_its_own_file_name_whatever_the_capitals(name, file):
    assert answer_file_name(name) == file


def test_a_trainee_resumes_with_other_capitals_and_keeps_the_name_first_typed(tmp_path):
    book = AnswerBook(tmp_path, "Li Wei", make_deck(3, 2))
    answer_right(book, book.next_scenario_id())
    again = AnswerBook(tmp_path, "  li WEI ")
    assert again.trainee == "Li Wei" and len(again.answers) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["li wei.json"]


def test_answers_go_to_the_user_data_folder_unless_told_otherwise(monkeypatch, tmp_path):
    from helpers.core.paths import REPO
    from helpers.workshop.training import answers_dir
    monkeypatch.delenv("DISPUTE_WORKSHOP_ANSWERS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert answers_dir() == tmp_path / "data" / "dispute-playbook" / "workshop_answers"
    assert REPO not in answers_dir().parents
    monkeypatch.setenv("DISPUTE_WORKSHOP_ANSWERS", str(tmp_path / "class"))
    assert answers_dir() == tmp_path / "class"
    assert answers_dir("here").is_absolute()


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b", "CON", "..", "王伟:1", "<script>", "x" * 300])
def test_an_unsafe_name_becomes_a_safe_distinct_file_name(name, tmp_path):
    file = answer_file_name(name)
    assert "/" not in file and "\\" not in file and not file.startswith(".") and len(file) <= 80
    assert file.upper().split(".")[0] != "CON"
    assert file != answer_file_name(name + "!")
    (tmp_path / file).write_text("{}", encoding="utf-8")  # the file system accepts it


def test_a_name_is_needed():
    with pytest.raises(WorkshopError, match="type your name"):
        answer_file_name("   ")


def answer_right(book, sid):
    sc = next(s for s in load_scenarios()[0] if s.id == sid)
    exp = expected(sc)
    from helpers.workshop.scenarios import judge
    return book.record(sid, exp.resolution, list(exp.evidence), exp.template_id,
                       judge(exp, exp.resolution, exp.evidence, exp.template_id), exp)


def test_answers_are_saved_after_each_one_and_a_new_session_resumes_where_it_stopped(tmp_path):
    deck = make_deck(4, 5)
    book = AnswerBook(tmp_path, "王伟", deck)
    answer_right(book, book.next_scenario_id())
    assert [p.name for p in tmp_path.iterdir()] == ["王伟.json"]  # no temporary file left behind
    assert len(read_answer_file(tmp_path / "王伟.json")["answers"]) == 1
    again = AnswerBook(tmp_path, "王伟")  # kernel restarted: the file knows the deck
    assert again.deck.scenario_ids == deck.scenario_ids
    assert again.next_scenario_id() == deck.scenario_ids[1]
    assert again.score() == {"answered": 1, "deck_size": 4, "right": 1, "points": 4, "max_points": 4}
    with pytest.raises(WorkshopError, match="already answered"):
        answer_right(again, deck.scenario_ids[0])


def test_two_tabs_of_the_same_trainee_lose_no_answer(tmp_path):
    deck = make_deck(4, 5)
    first, second = AnswerBook(tmp_path, "Li Na", deck), AnswerBook(tmp_path, "Li Na", deck)
    answer_right(first, deck.scenario_ids[0])
    answer_right(second, deck.scenario_ids[1])
    saved = read_answer_file(tmp_path / "li na.json")["answers"]
    assert [a["scenario_id"] for a in saved] == deck.scenario_ids[:2]
    with pytest.raises(WorkshopError, match="already answered"):
        answer_right(second, deck.scenario_ids[0])


def test_a_damaged_answer_file_is_never_overwritten(tmp_path):
    damaged = (DATA / "answers" / "Dana.json").read_text(encoding="utf-8")
    (tmp_path / "Dana.json").write_text(damaged, encoding="utf-8")
    with pytest.raises(WorkshopError, match="is not complete JSON"):
        AnswerBook(tmp_path, "Dana", make_deck(4, 5))
    assert (tmp_path / "Dana.json").read_text(encoding="utf-8") == damaged


# --- grading --------------------------------------------------------------------------------------

def test_the_fixture_answers_assume_what_the_playbook_decides():
    scenarios = {s.id: s for s in load_scenarios()[0]}
    for sid, (res, evidence, template) in FIXTURE_EXPECTATIONS.items():
        exp = expected(scenarios[sid])
        assert (exp.resolution, tuple(sorted(exp.evidence)), exp.template_id) == (res, evidence, template), (
            f"the playbook changed for {sid}: update tests/data/workshop/answers and the expected scores")


def test_grading_a_folder_gives_the_expected_scores_and_skips_damaged_files():
    g = grade(DATA / "answers")
    assert [(r["rank"], r["trainee"], r["points"], r["max_points"], r["right"], r["answered"], r["deck_size"])
            for r in g.leaderboard] == [(1, "Alice", 16, 16, 4, 4, 4), (2, "王伟", 8, 16, 2, 4, 4),
                                        (3, "Bob Lee", 2, 16, 0, 2, 4)]
    assert [(r["scenario_id"], r["attempts"], r["wrong"], r["wrong_answers"]) for r in g.difficulty] == [
        ("nr_honest_late_parcel", 3, 2, "Full refund ×2"),
        ("can_changed_mind_before_shipping", 2, 1, "Decline politely, with reasons ×1"),
        ("nad_listing_showed_navy", 3, 1, "Refund, buyer keeps the item ×1"),
        ("dmg_broken_no_photos", 2, 0, "")]
    assert len(g.problems) == 3
    assert g.problems[0].startswith("Bob Lee.json: answer 3: scenario 'no_such_scenario' is not in")
    assert g.problems[1].startswith("Dana.json: is not complete JSON") and g.problems[1].endswith("skipped")
    assert g.problems[2] == "not-answers.json: `answers` is not a list — skipped"
    assert len(g.answers) == 10


@pytest.mark.parametrize("record, why", [
    ({"scenario_id": ["nr_honest_late_parcel"], "resolution": "wait"}, "is not in the playbook's scenarios"),
    ({"scenario_id": "nr_honest_late_parcel", "resolution": None}, "None is not a resolution"),
    ({"scenario_id": "nr_honest_late_parcel", "resolution": "wait", "evidence": [["buyer_photos"]]}, "not a list of evidence"),
    ({"scenario_id": "nr_honest_late_parcel", "resolution": "wait", "template_id": 7}, "template_id is not text"),
    ("wait", "is not an object"),
])
def test_a_strange_answer_record_is_reported_and_the_rest_of_the_file_graded(tmp_path, record, why):
    data = json.loads((DATA / "answers" / "Alice.json").read_text(encoding="utf-8"))
    data["trainee"] = 123  # not text either: graded under "123"
    data["answers"].insert(1, record)
    (tmp_path / "x.json").write_text(json.dumps(data), encoding="utf-8")
    g = grade(tmp_path)
    assert [(r["trainee"], r["points"]) for r in g.leaderboard] == [("123", 16)]
    assert len(g.problems) == 1 and g.problems[0].startswith("x.json: answer 2: ") and why in g.problems[0]


def test_skipped_answers_are_said_in_chinese_under_lang_zh(tmp_path):
    """A trainer grading with --lang zh read every "answer 3: … — skipped" warning in English."""
    g = grade(DATA / "answers", lang="zh")
    assert g.problems[0].startswith("Bob Lee.json：第 3 个答案：案例 'no_such_scenario' 不在处理手册的案例中")
    assert g.problems[0].endswith("——已跳过")
    assert g.problems[1].startswith("Dana.json：不是完整的 JSON（") and g.problems[1].endswith("——已跳过")
    assert g.problems[2] == "not-answers.json：`answers` 不是列表——已跳过"
    assert not any("skipped" in p or "answer " in p for p in g.problems), g.problems
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a.json").write_text((DATA / "answers" / "Alice.json").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.json").write_text((DATA / "answers" / "Alice.json").read_text(encoding="utf-8"), encoding="utf-8")
    out = run_cli("workshop", "grade", str(tmp_path), "--no-report", "--out", str(tmp_path / "r"), "--lang", "zh")
    assert "警告：notes.txt：不是答案文件（答案是练习页面保存的 .json 文件）——已忽略" in out.stderr, out.stderr
    assert "都是 Alice 的答案：只计一次" in out.stderr and "warning" not in out.stderr, out.stderr
    import json as _json
    broken = _json.loads((DATA / "answers" / "Alice.json").read_text(encoding="utf-8"))
    broken["deck"] = {"scenario_ids": []}
    (tmp_path / "c.json").write_text(_json.dumps(broken), encoding="utf-8")
    assert "c.json 中的题组：不是有效的题组" in "".join(grade(tmp_path, lang="zh").problems)
    empty = run_cli("workshop", "grade", str(tmp_path / "none"), "--no-report", "--lang", "zh")
    assert "不是答案文件夹" in empty.stderr, empty.stderr


def test_a_scenario_nobody_answered_wrong_is_not_among_the_hardest(tmp_path):
    """dmg_broken_no_photos: 2 attempts, 0 wrong. It was printed as "hardest: … 0/2 wrong (-)" and charted."""
    from helpers.workshop.grading import difficulty_chart, hardest
    g = grade(DATA / "answers")
    assert [r["scenario_id"] for r in hardest(g)] == ["nr_honest_late_parcel", "can_changed_mind_before_shipping",
                                                      "nad_listing_showed_navy"]
    fig = difficulty_chart(g)
    fig.canvas.draw()
    assert len(fig.axes[0].get_yticklabels()) == 3
    out = run_cli("workshop", "grade", str(DATA / "answers"), "--no-report", "--out", str(tmp_path))
    assert "0/2 wrong" not in out.stdout and "1/3 wrong" in out.stdout, out.stdout


def test_answers_typed_in_other_capitals_with_spaces_or_as_labels_are_graded_as_their_codes(tmp_path):
    """A trainer who types answers in by hand: ' WAIT', 'Exchange', '换货', an upper-case scenario id,
    evidence in capitals. They were skipped, and the trainee shown at 0 of 4 answered."""
    data = json.loads((DATA / "answers" / "Alice.json").read_text(encoding="utf-8"))
    a = data["answers"]
    a[0].update(scenario_id=" NR_HONEST_LATE_PARCEL", resolution=" WAIT", template_id="nr_late_extend ")
    a[1].update(resolution="换货")
    a[2].update(resolution="Request_Evidence", evidence=["Seller_Packing_Photos ", " BUYER_PHOTOS"])
    a[3].update(resolution="cancel the order and refund")
    (tmp_path / "typed.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    g = grade(tmp_path)
    assert g.problems == []
    assert [(r["trainee"], r["points"], r["answered"], r["right"]) for r in g.leaderboard] == [("Alice", 16, 4, 4)]
    # a trainer's own template file may have capitals (House_Late_Refund.yaml): its id is only trimmed
    from helpers.workshop.training import as_codes
    assert as_codes({"template_id": " House_Late_Refund "})["template_id"] == "House_Late_Refund"


def test_a_trainee_name_with_dollar_signs_is_charted_as_text(tmp_path):
    from helpers.workshop.grading import leaderboard_chart
    data = json.loads((DATA / "answers" / "Alice.json").read_text(encoding="utf-8"))
    data["trainee"] = r"$\frac$ Bob"  # matplotlib would parse this as (broken) mathtext
    (tmp_path / "x.json").write_text(json.dumps(data), encoding="utf-8")
    fig = leaderboard_chart(grade(tmp_path))
    fig.canvas.draw()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [r"\$\frac\$ Bob"]


def test_an_empty_or_missing_folder_grades_to_nothing():
    g = grade(ROOT / "no-such-folder")
    assert (g.leaderboard, g.difficulty, g.problems) == ([], [], [])


def test_workshop_grade_writes_tables_that_never_run_as_formulas(tmp_path):
    answers = tmp_path / "answers"
    shutil.copytree(DATA / "answers", answers)
    evil = json.loads((answers / "Alice.json").read_text(encoding="utf-8"))
    evil["trainee"] = "=HYPERLINK(\"http://x\")"
    (answers / "evil.json").write_text(json.dumps(evil), encoding="utf-8")
    out = run_cli("workshop", "grade", str(answers), "--out", str(tmp_path / "report"), "--no-report")
    assert out.returncode == 0, out.stderr
    assert "4 answer file(s) graded, 3 problem(s) skipped" in out.stdout
    assert "Dana.json: is not complete JSON" in out.stderr
    import pandas as pd
    board = pd.read_csv(tmp_path / "report" / "leaderboard.csv")
    assert "'=HYPERLINK(\"http://x\")" in set(board["trainee"])
    assert list(pd.read_csv(tmp_path / "report" / "difficulty.csv")["scenario_id"])[0] == "nr_honest_late_parcel"
    assert run_cli("workshop", "grade", str(tmp_path / "nothing")).returncode == 2


# --- grading shows labels, scores the whole deck, and says what it left out --------------------------

def test_grading_shows_resolution_labels_titles_and_headings_never_codes_in_english_and_chinese():
    en, zh = grade(DATA / "answers"), grade(DATA / "answers", lang="zh")
    hardest = en.difficulty[0]
    assert (hardest["title"], hardest["dispute_type"], hardest["level"], hardest["expected"], hardest["wrong_answers"]) == (
        "An honest late parcel", "Not received", "Basic", "Wait (keep the buyer informed)", "Full refund ×2")
    hardest = zh.difficulty[0]
    assert (hardest["title"], hardest["dispute_type"], hardest["level"], hardest["expected"], hardest["wrong_answers"]) == (
        "诚实的延误包裹", "订单未达", "基础", "等待（保持与买家沟通）", "全额退款 ×2")
    board, hard = en.tables()["leaderboard"], en.tables()["difficulty"]
    assert list(board.columns) == ["Trainee", "Answered", "Right resolution", "Right evidence", "Right message",
                                   "Points", "Score, % of the deck's points"]
    assert board.index.name == "Rank" and list(board["Answered"]) == ["4 of 4", "4 of 4", "2 of 4"]
    assert list(board["Points"]) == ["16 / 16", "8 / 16", "2 / 16"]
    assert hard.index.name == "Scenario" and list(hard.index)[0] == "An honest late parcel"
    assert list(hard.columns) == ["Dispute type", "Level", "The playbook's answer", "Trainees who answered",
                                  "Chose another resolution", "Chose another, %", "What they chose instead"]
    assert list(hard["Chose another, %"]) == [67, 50, 33, 0] and list(hard["What they chose instead"])[-1] == "—"
    assert list(zh.tables()["difficulty"].columns)[2] == "处理手册的答案"
    assert list(zh.tables()["leaderboard"]["已答"]) == ["4 / 4", "4 / 4", "2 / 4"]
    assert [a["resolution"] for a in en.answers if a["trainee"] == "Bob Lee"] == ["Full refund", "Refund, buyer keeps the item"]


def test_the_difficulty_chart_names_scenarios_by_title():
    from helpers.workshop.grading import difficulty_chart
    fig = difficulty_chart(grade(DATA / "answers", lang="zh"))
    fig.canvas.draw()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [  # the scenario nobody got wrong is not charted
        "详情页照片是藏青色", "发货前买家改变主意", "诚实的延误包裹"]
    assert fig.axes[0].get_title() == "最难的案例"


def test_workshop_grade_prints_labels_and_the_answered_share_of_the_deck(tmp_path):
    out = run_cli("workshop", "grade", str(DATA / "answers"), "--out", str(tmp_path), "--no-report")
    assert out.returncode == 0, out.stderr
    assert "  hardest: An honest late parcel " in out.stdout and "2/3 wrong (Full refund ×2)" in out.stdout
    lines = [" ".join(line.split()) for line in out.stdout.splitlines()]
    assert "3. Bob Lee 2/16 12.5% right 0, 2 of 4 answered" in lines
    for code in ("nr_honest_late_parcel", "full_refund", "refund_keep_item", "decline ×"):
        assert code not in out.stdout, code
    zh = run_cli("workshop", "grade", str(DATA / "answers"), "--out", str(tmp_path), "--no-report", "--lang", "zh")
    assert zh.returncode == 0, zh.stderr
    assert "  最难：诚实的延误包裹 " in zh.stdout and "2/3 答错（全额退款 ×2）" in zh.stdout  # Chinese, not English
    assert zh.stdout.splitlines()[1].startswith("已评分 3 个答案文件，跳过 3 个问题 -> ")
    # a Chinese character takes two columns: the score columns line up under one another
    rows = [line for line in zh.stdout.splitlines() if line.startswith("    ") and "/" in line and "%" in line]
    columns = {padded_width(line[:line.index("/")]) for line in rows}
    assert len(rows) == 3 and len(columns) == 1, rows


def padded_width(text: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_unanswered_scenarios_of_the_deck_score_nothing(tmp_path):
    data = json.loads((DATA / "answers" / "Alice.json").read_text(encoding="utf-8"))
    (tmp_path / "alice.json").write_text(json.dumps(data), encoding="utf-8")
    data["trainee"], data["answers"] = "Ann", data["answers"][:1]  # one right answer of a deck of four
    (tmp_path / "ann.json").write_text(json.dumps(data), encoding="utf-8")
    g = grade(tmp_path)
    assert [(r["trainee"], r["answered"], r["deck_size"], r["points"], r["max_points"], r["score_pct"])
            for r in g.leaderboard] == [("Alice", 4, 4, 16, 16, 100.0), ("Ann", 1, 4, 4, 16, 25.0)]


def test_the_same_trainee_in_two_files_is_counted_once_with_a_warning_naming_both(tmp_path):
    bob = (DATA / "answers" / "Bob Lee.json").read_text(encoding="utf-8")
    (tmp_path / "Bob Lee.json").write_text(bob, encoding="utf-8")
    (tmp_path / "Bob Lee (copy).json").write_text(bob, encoding="utf-8")
    fewer = json.loads(bob)
    fewer["trainee"], fewer["answers"] = "bob  LEE", fewer["answers"][:1]
    (tmp_path / "bob-laptop.json").write_text(json.dumps(fewer), encoding="utf-8")
    os.utime(tmp_path / "Bob Lee.json", (1_700_000_000, 1_700_000_000))  # the copy is the newer file
    g = grade(tmp_path)
    assert [(r["trainee"], r["file"], r["answered"]) for r in g.leaderboard] == [("Bob Lee", "Bob Lee (copy).json", 2)]
    assert len(g.answers) == 2 and g.difficulty[0]["attempts"] == 1
    assert [p for p in g.problems if "both hold" in p] == [
        "Bob Lee.json and Bob Lee (copy).json both hold Bob Lee's answers: counted once, from Bob Lee (copy).json "
        "(it is the newer file) — Bob Lee.json skipped",
        "bob-laptop.json and Bob Lee (copy).json both hold Bob Lee's answers: counted once, from Bob Lee (copy).json "
        "(it has more answers (2 against 1)) — bob-laptop.json skipped"]
    assert [p for p in g.problems if "no_such_scenario" in p] == [
        "Bob Lee (copy).json: answer 3: scenario 'no_such_scenario' is not in the playbook's scenarios — skipped"]


def test_other_files_in_the_answers_folder_are_named_and_an_empty_folder_is_an_error(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "答案.csv").write_text("name,answer\n", encoding="utf-8")
    (answers / ".DS_Store").write_bytes(b"x")
    none = run_cli("workshop", "grade", str(answers), "--no-report")
    assert none.returncode == 2 and "Traceback" not in none.stderr
    assert none.stderr.splitlines() == [
        "warning: 答案.csv: not an answer file (answers are the .json files the workshop page saves) — ignored",
        f"dispute-playbook: {answers} holds no answer files (*.json): nothing to grade; give the folder the workshop "
        "page saved answers into (the path it shows each trainee), or copy the trainees' .json files here"]
    assert not (answers / "report").exists()
    shutil.copy(DATA / "answers" / "Alice.json", answers / "Alice.JSON")
    some = run_cli("workshop", "grade", str(answers), "--no-report")
    assert some.returncode == 0, some.stderr
    assert "1 answer file(s) graded" in some.stdout
    assert some.stderr.splitlines() == [
        "warning: 答案.csv: not an answer file (answers are the .json files the workshop page saves) — ignored"]
    run_cli("workshop", "grade", str(answers), "--out", str(answers), "--no-report")  # the report beside the answers
    again = run_cli("workshop", "grade", str(answers), "--out", str(answers), "--no-report")
    assert again.returncode == 0 and again.stderr == some.stderr  # its own tables are not the trainees' stray files


def test_answer_files_with_a_bom_are_read_and_other_encodings_and_typos_are_explained(tmp_path):
    data = json.loads((DATA / "answers" / "Alice.json").read_text(encoding="utf-8"))
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode("utf-8"))
    gbk = dict(data, trainee="张伟")
    (tmp_path / "gbk.json").write_bytes(json.dumps(gbk, ensure_ascii=False).encode("gbk"))
    typo = json.loads(json.dumps(data))
    typo["trainee"], typo["answers"][1]["resolution"], typo["answers"][2]["resolution"] = "Cat", "exchnage", "zzz"
    (tmp_path / "cat.json").write_text(json.dumps(typo), encoding="utf-8")
    g = grade(tmp_path)
    assert [(r["trainee"], r["points"]) for r in g.leaderboard] == [("Alice", 16), ("Cat", 8)]
    assert g.problems == [
        "cat.json: answer 2: resolution 'exchnage' is not a resolution; did you mean 'exchange'? — skipped",
        "cat.json: answer 3: resolution 'zzz' is not a resolution — skipped",
        "gbk.json: is not UTF-8 text (perhaps re-saved as GBK or another encoding); save it as UTF-8 — skipped"]


@pytest.mark.slow
def test_the_grading_report_runs_and_exports_html_without_code(tmp_path):
    out = run_cli("workshop", "grade", str(DATA / "answers"), "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "Kernel" not in out.stderr  # run in process: no kernel's "running over TCP" warning
    import nbformat
    nb = nbformat.read(tmp_path / "workshop_report.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2  # leaderboard and difficulty charts
    assert not [o for o in outputs if o.get("name") == "stderr"], "warnings in the report"
    html = (tmp_path / "workshop_report.html").read_text(encoding="utf-8")
    assert "王伟" in html and "Full refund ×2" in html and "Dana.json: is not complete JSON" in html
    assert "An honest late parcel" in html and "2 of 4" in html and "The playbook's answer" in html
    for code in ("full_refund", "request_evidence", "not_received", "evidence_right", "score_pct", "deck_size"):
        assert code not in html, code
    assert "from helpers" not in html and "grade(answers_dir" not in html
    assert "<title>Notebook</title>" not in html and "<title>Workshop" in html  # titled by its heading


# --- the trainee's screen, without a browser (the browser test drives the same in Voila) ---------------

def test_the_screen_saves_each_answer_gives_feedback_and_resumes_after_a_restart(tmp_path):
    from helpers.workshop.widgets import WorkshopApp
    (tmp_path / "decks").mkdir()
    deck = make_deck(3, 21)
    (tmp_path / "decks" / "today.json").write_text(json.dumps(deck.to_dict()), encoding="utf-8")
    app = WorkshopApp(tmp_path / "answers", tmp_path / "decks")
    app.begin("Ana Souza", 0)
    exp = app.q.expected
    app.answer(exp.resolution, list(exp.evidence), exp.template_id)
    assert "dp-ws-right" in app.feedback.value and exp.recommendation.rationale in app.feedback.value
    assert 'dp-ws-points">4 / 12<' in app.score.value
    app.show_next()
    wrong = next(r for r, _ in app.q.resolutions if r != app.q.expected.resolution)
    app.resolution.value = wrong
    app.answer()  # no message chosen yet: nothing is saved
    assert "dp-ws-warning" in app.feedback.value and len(AnswerBook(tmp_path / "answers", "Ana Souza").answers) == 1
    app.message.value = app.message.options[0][1]
    app.answer()
    assert "dp-ws-wrong" in app.feedback.value
    chosen = dict(app.q.resolutions)[wrong]
    assert f"You chose:</b> {chosen} · your message A" in app.feedback.value  # the feedback restates the choice
    assert 'dp-ws-right-count">1<' in app.score.value and "2 of 3 answered" in app.score.value

    restarted = WorkshopApp(tmp_path / "answers", tmp_path / "decks", lang="zh")
    restarted.begin("ana souza", 0)  # other capitals: the same trainee
    assert f'data-id="{deck.scenario_ids[2]}"' in restarted.progress.value
    assert deck.scenario_ids[2] not in restarted.progress.value.replace(f'data-id="{deck.scenario_ids[2]}"', "")
    assert "已答 2 / 3" in restarted.score.value
    exp = restarted.q.expected
    restarted.answer(exp.resolution, list(exp.evidence), exp.template_id)
    restarted.show_next()
    assert "dp-ws-done" in restarted.progress.value
    # finished, not praised: a deck answered wrongly throughout is "finished" too ("做得好!" at 0 points)
    assert "本题组已完成。培训师会展示结果。" in restarted.progress.value and "做得好" not in restarted.progress.value


def test_the_screen_shows_scenario_text_as_text_never_as_html(tmp_path):
    from helpers.workshop.widgets import WorkshopApp
    pb = tmp_path / "playbook"
    shutil.copytree(ROOT / "playbook", pb)
    path = pb / "scenarios" / "not_received.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Where is my parcel?", "<img src=x onerror=alert(1)> {{ 7*7 }}", 1)
                        .replace("buyer_name: Emma Brown", "buyer_name: \"<b>{{ 7*7 }}</b>\"", 1), encoding="utf-8")
    app = WorkshopApp(tmp_path / "answers", tmp_path / "decks", playbook=pb)
    app.decks = [make_deck(1, 1, types=["not_received"], levels=["basic"], playbook=pb)]
    app.decks[0].scenario_ids = ["nr_honest_late_parcel"]
    app.begin("Tester", 0)
    assert "&lt;img src=x onerror=alert(1)&gt; {{ 7*7 }}" in app.story.value and "<img" not in app.story.value
    assert "&lt;b&gt;{{ 7*7 }}&lt;/b&gt;" in app.messages.value and "49" not in app.messages.value


def test_the_trainee_notebook_is_thin_and_bilingual():
    import nbformat
    nb = nbformat.read(ROOT / "notebooks" / "workshop.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    prose = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert all("from helpers" in src and len(src.splitlines()) <= 4 for src in code)
    assert "Start / resume" in prose and "开始 / 继续" in prose
    assert not [c for c in nb.cells if c.cell_type == "code" and c.outputs]


def test_a_workshop_page_opened_on_a_broken_playbook_says_what_to_fix(tmp_path):
    """A trainer's edit broke the playbook while the app runs: the workshop page names the file and
    line (lead-in in both languages, the page's first) instead of Voila's bare 'error in a cell'."""
    from helpers.workshop.widgets import workshop_app
    pb = tmp_path / "playbook"
    shutil.copytree(ROOT / "playbook", pb)
    table = pb / "damaged.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace("    resolution: request_evidence",
                                                                "    resolution: [request_evidence", 1), encoding="utf-8")
    page = workshop_app(tmp_path / "answers", tmp_path / "decks", playbook=pb, lang="zh")
    assert page.value.startswith('<div class="dp-ws-error"><b>修正以下问题之前无法开始练习： · '
                                 'The workshop cannot start until this is fixed:</b><pre>')
    assert f"{table}:24: is not valid YAML" in page.value


def test_deck_and_grade_refuse_a_playbook_whose_scenario_validate_rejects(tmp_path):
    """A colon in a scenario's text (`en: Note: the parcel…`) broke its file: `workshop deck` then said
    "0 scenarios match … a size from 1 to 0", and `workshop grade` scored every trainee 0 with exit 0.
    Both now refuse the playbook as `batch` and `recommend` do: exit 3, the file and line."""
    pb = tmp_path / "pb"
    shutil.copytree(ROOT / "playbook", pb)
    path = pb / "scenarios" / "not_received.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    en: You shipped on 10 October with a 20-day delivery promise."
    assert old in text
    path.write_text(text.replace(old, "    en: Note: you shipped on 10 October with a 20-day delivery promise.", 1),
                    encoding="utf-8")
    broken = next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "Note: you" in line)
    deck = run_cli("workshop", "deck", "--size", "3", "--seed", "1", "--playbook", str(pb))
    graded = run_cli("workshop", "grade", str(DATA / "answers"), "--out", str(tmp_path / "r"), "--no-report",
                     "--playbook", str(pb))
    for done in (deck, graded):
        assert done.returncode == 3, done.stderr
        assert f"{path}:{broken}: is not valid YAML" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r" / "grades.csv").exists()


def test_an_answer_file_nested_too_deep_or_with_a_lone_surrogate_is_skipped_and_the_rest_graded(tmp_path):
    """Each ended `workshop grade` with 'internal error' (RecursionError, UnicodeEncodeError): the other
    trainees' files went ungraded."""
    data = json.loads((DATA / "answers" / "Alice.json").read_text(encoding="utf-8"))
    (tmp_path / "alice.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "deep.json").write_text('{"format": "dispute-playbook/workshop-answers", "trainee": "D", "answers": '
                                        + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    (tmp_path / "lone.json").write_text(json.dumps(dict(data, trainee="Sur\ud800")), encoding="utf-8")
    g = grade(tmp_path)
    assert [(r["trainee"], r["points"]) for r in g.leaderboard] == [("Alice", 16)]
    assert g.problems == ["deep.json: is nested too deeply to be an answer file — skipped",
                          "lone.json: holds text that is not valid Unicode (a lone surrogate) — skipped"]
