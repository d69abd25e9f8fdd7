"""Workshops: reproducible decks, answer files that survive restarts, grading a folder (damaged files
reported and skipped), the trainer's commands, the report notebook, and the trainee screen's logic."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from helpers.cli import workshop as cli_workshop
from helpers.workshop.scenarios import LEVELS, expected, load_scenarios
from helpers.workshop.training import (AnswerBook, WorkshopError, answer_file_name, available_decks, grade, load_deck,
                              make_deck, read_answer_file)

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
                                        (3, "Bob Lee", 2, 8, 0, 2, 4)]
    assert [(r["scenario_id"], r["attempts"], r["wrong"], r["wrong_answers"]) for r in g.difficulty] == [
        ("nr_honest_late_parcel", 3, 2, "full_refund ×2"),
        ("can_changed_mind_before_shipping", 2, 1, "decline ×1"),
        ("nad_listing_showed_navy", 3, 1, "refund_keep_item ×1"),
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


def test_a_trainee_name_with_dollar_signs_is_charted_as_text(tmp_path):
    from helpers.workshop.training import leaderboard_chart
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


@pytest.mark.slow
def test_the_grading_report_runs_under_papermill_and_exports_html_without_code(tmp_path):
    out = run_cli("workshop", "grade", str(DATA / "answers"), "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    import nbformat
    nb = nbformat.read(tmp_path / "workshop_report.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2  # leaderboard and difficulty charts
    assert not [o for o in outputs if o.get("name") == "stderr"], "warnings in the report"
    html = (tmp_path / "workshop_report.html").read_text(encoding="utf-8")
    assert "王伟" in html and "full_refund ×2" in html and "Dana.json: is not complete JSON" in html
    assert "from helpers" not in html and "grade(answers_dir" not in html


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
    assert 'dp-ws-points">4 / 4<' in app.score.value
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
    assert 'dp-ws-right-count">1<' in app.score.value and "answered 2 of 3" in app.score.value

    restarted = WorkshopApp(tmp_path / "answers", tmp_path / "decks", lang="zh")
    restarted.begin("ana souza", 0)  # other capitals: the same trainee
    assert f'data-id="{deck.scenario_ids[2]}"' in restarted.progress.value
    assert deck.scenario_ids[2] not in restarted.progress.value.replace(f'data-id="{deck.scenario_ids[2]}"', "")
    assert "已答 2 / 3" in restarted.score.value
    exp = restarted.q.expected
    restarted.answer(exp.resolution, list(exp.evidence), exp.template_id)
    restarted.show_next()
    assert "dp-ws-done" in restarted.progress.value


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
    assert page.value.startswith('<div class="dp-ws-error"><b>修正以下问题之前无法开始练习: · '
                                 'The workshop cannot start until this is fixed:</b><pre>')
    assert f"{table}:24: is not valid YAML" in page.value
