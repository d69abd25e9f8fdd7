"""Workshop scenarios: the shipped set is complete and bilingual, its answers come from the playbook,
broken scenario files give file:line errors, and pins are honoured and checked against the rules."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections import Counter

import pytest

from helpers.core.exceptions import PlaybookError
from helpers.core.fields import DISPUTE_TYPES, EVIDENCE
from helpers.playbook.loader import load_playbook
from helpers.workshop.scenarios import (LEVELS, MAX_POINTS, expected, judge, load_scenarios, pin_problems, question,
                               scenario_problems)

from support import ROOT, copy_playbook
from support import edit_file as edit


@pytest.fixture
def pb_copy(tmp_path):
    return copy_playbook(tmp_path)


def line_of(path, needle, after=1):
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if i >= after and needle in line)


def test_the_shipped_scenarios_load_cleanly_six_or_more_per_dispute_type():
    scenarios, problems = load_scenarios()
    assert problems == []
    counts = Counter(s.dispute_type for s in scenarios)
    assert len(scenarios) >= 24 and all(counts[t] >= 6 for t in DISPUTE_TYPES), counts
    assert {s.level for s in scenarios} == set(LEVELS)


def test_every_scenario_tells_its_story_in_english_and_chinese_with_a_fixed_review_date():
    for s in load_scenarios()[0]:
        for what in ("title", "buyer_wrote", "seller_knows"):
            assert s.text(what, "en").strip() and re.search(r"[\u4e00-\u9fff]", s.text(what, "zh")), (s.id, what)
        assert "as_of_date" in s.case, s.id


def test_the_expected_answer_is_the_playbooks_decision_and_the_decks_teach_a_range_of_answers():
    """Each scenario's answer against a table written down by hand (tests/data/scenario_outcomes.yaml)."""
    import yaml
    table = yaml.safe_load((ROOT / "tests" / "data" / "scenario_outcomes.yaml").read_text(encoding="utf-8"))
    pb = load_playbook()
    scenarios = load_scenarios(pb)[0]
    assert sorted(table) == sorted(s.id for s in scenarios)
    per_type = {t: set() for t in DISPUTE_TYPES}
    for s in scenarios:
        exp = expected(s, pb)
        assert [exp.resolution, exp.template_id, list(exp.evidence)] == table[s.id], s.id
        assert not exp.pinned
        per_type[s.dispute_type].add(exp.resolution)
    assert all(len(answers) >= 4 for answers in per_type.values()), per_type


def test_a_scenario_follows_the_playbook_when_the_rules_change():
    s = next(s for s in load_scenarios()[0] if s.id == "nr_honest_late_parcel")
    assert expected(s, load_playbook()).resolution == "wait"
    stricter = load_playbook(params={"wait_grace_days": 1})
    assert expected(s, stricter).resolution == "reship"  # two days late is now past the grace period


def test_a_question_offers_the_right_message_among_plausible_others_always_in_the_same_order():
    pb = load_playbook()
    for s in load_scenarios(pb)[0]:
        q = question(s, pb, "zh")
        assert q.expected.resolution in [r for r, _ in q.resolutions]
        assert [e for e, _ in q.evidence] == list(EVIDENCE)
        ids = [t for t, _ in q.messages]
        assert q.expected.template_id in ids and len(ids) == len(set(ids)) == 3, s.id
        for _, text in q.messages:
            assert "{{" not in text and s.case["buyer_name"] in text
        assert ids == [t for t, _ in question(s, pb, "en").messages]
    orders = {tuple(t == question(s, pb).expected.template_id for t, _ in question(s, pb).messages)
              for s in load_scenarios(pb)[0]}
    assert len(orders) > 1  # the right message is not always in the same place


def test_judging_gives_two_points_for_the_resolution_and_one_each_for_evidence_and_message():
    pb = load_playbook()
    s = next(s for s in load_scenarios(pb)[0] if s.id == "dmg_broken_no_photos")
    exp = expected(s, pb)
    assert set(exp.evidence) == {"buyer_photos", "seller_packing_photos"}
    assert judge(exp, exp.resolution, list(exp.evidence), exp.template_id).points == MAX_POINTS == 4
    v = judge(exp, "return_refund", ["buyer_photos", "chat_history"], exp.template_id)
    assert (v.points, v.missed_evidence, v.extra_evidence) == (1, ["seller_packing_photos"], ["chat_history"])
    assert judge(exp, exp.resolution, ["seller_packing_photos", "buyer_photos"], "return_refund").points == 3


@pytest.mark.parametrize("old, new, needle, message", [
    ("  level: basic\n", "  level: beginner\n", "level: beginner", "unknown level 'beginner'"),
    ("    zh: 诚实的延误包裹\n", "", "  title:", "title has no 'zh' text"),
    ("    order_value: 36.90\n", "    order_value: -3\n", "order_value: -3", "case order_value: -3 must be greater than 0"),
    ("    tracking_status: in_transit\n", "    tracking_status: moving\n", "tracking_status: moving",
     "case tracking_status: 'moving' is not one of"),
    ("  source:", "  story: oops\n  source:", "story: oops", "unknown key 'story'"),
    ("    as_of_date: 2026-11-01\n", "", "  case:", "case has no as_of_date"),
    ("- id: nr_out_of_stock_never_shipped", "- id: nr_honest_late_parcel", "- id: nr_honest_late_parcel",
     "scenario id 'nr_honest_late_parcel' is used twice"),
])
def test_a_broken_scenario_is_reported_with_file_and_line_and_left_out(pb_copy, old, new, needle, message):
    path = pb_copy / "scenarios" / "not_received.yaml"
    edit(path, old, new)
    scenarios, problems = load_scenarios(pb_copy)
    assert len(scenarios) == len(load_scenarios()[0]) - 1
    text = [str(p) for p in problems]
    assert len(text) == 1 and message in text[0], text
    # The first scenario is the one broken (for a duplicate id: the second one to use the id).
    first = line_of(path, "- id: nr_honest_late_parcel")
    line = line_of(path, needle, first + 1 if "used twice" in message else first)
    assert text[0].startswith(f"{path}:{line}: "), text


def test_a_scenario_file_that_is_not_yaml_names_the_line(pb_copy):
    path = pb_copy / "scenarios" / "damaged.yaml"
    edit(path, "  level: basic\n", "  level: [basic\n")
    problems = [str(p) for p in scenario_problems(pb_copy)]
    assert len(problems) == 1 and re.match(rf"{re.escape(str(path))}:\d+: is not valid YAML", problems[0])


PIN = "\n  pin:\n    resolution: full_refund\n    note: Our shop refunds any late parcel at once.\n"


def test_a_pin_sets_the_expected_answer_and_validate_lists_where_it_disagrees(pb_copy):
    path = pb_copy / "scenarios" / "not_received.yaml"
    edit(path, '  source: "000 carrier delay; 001 extend the receipt-confirmation period"\n',
         '  source: "000 carrier delay; 001 extend the receipt-confirmation period"' + PIN + "    template: nr_lost_refund\n")
    pb = load_playbook(pb_copy)
    s = next(s for s in load_scenarios(pb)[0] if s.id == "nr_honest_late_parcel")
    exp = expected(s, pb)
    assert (exp.resolution, exp.pinned, exp.recommendation.resolution) == ("full_refund", True, "wait")
    assert exp.template_id == "nr_lost_refund"
    assert exp.pin_note == "Our shop refunds any late parcel at once."
    assert exp.template_id in [t for t, _ in question(s, pb).messages]
    problems = [str(p) for p in pin_problems(pb_copy)]
    assert problems == [f"{path}:{line_of(path, '- id: nr_honest_late_parcel')}: scenario nr_honest_late_parcel: pinned to "
                        "full_refund but the rules decide wait (rule nr_late_within_grace); the pin's note: Our shop "
                        "refunds any late parcel at once. — if the rules are right, remove the pin; if the pin is right, "
                        "change the rule"]
    assert scenario_problems(pb_copy) == []


def test_a_pin_without_a_message_where_no_rule_of_its_resolution_fits_is_an_error(pb_copy):
    """A late parcel still in transit pinned to full_refund: every not_received rule giving full_refund
    is for another case (delivered, lost, no tracking, far past the promise), and the first of them
    told the buyer "the tracking shows it as delivered", graded as the right message."""
    path = pb_copy / "scenarios" / "not_received.yaml"
    edit(path, '  source: "000 carrier delay; 001 extend the receipt-confirmation period"\n',
         '  source: "000 carrier delay; 001 extend the receipt-confirmation period"' + PIN)
    problems = [str(p) for p in scenario_problems(pb_copy)]
    assert problems == [f"{path}:{line_of(path, '- id: nr_honest_late_parcel')}: scenario nr_honest_late_parcel: pinned "
                        "to full_refund, but no not_received rule giving full_refund fits this case, so which buyer "
                        "message is right is not known — name the message trainees should choose in the pin "
                        "(`template: <a file in playbook/messages/ without .yaml>`), or write one that says what your "
                        "house rule does; the messages used with full_refund: nr_delivered_refund, nr_lost_refund, "
                        "nr_no_tracking_refund (check that what they tell the buyer is true here)"]
    pb = load_playbook(pb_copy)
    s = next(s for s in load_scenarios(pb)[0] if s.id == "nr_honest_late_parcel")
    with pytest.raises(PlaybookError, match="pinned to full_refund, but no not_received rule"):
        expected(s, pb)


def test_a_pin_without_a_message_takes_the_message_of_the_rule_of_its_resolution_that_fits(pb_copy):
    """Pinned to full_refund 20 days past the promise with the buyer asking for the money:
    nr_late_beyond_grace_refund fits (its message: nr_lost_refund), not the first full_refund rule
    of the table (nr_delivered_refund: "the tracking shows it as delivered")."""
    path = pb_copy / "scenarios" / "not_received.yaml"
    edit(path, '  source: "000 carrier delay; 001 extend the receipt-confirmation period"\n',
         '  source: "000 carrier delay; 001 extend the receipt-confirmation period"' + PIN)
    pb = load_playbook(pb_copy)
    s = next(s for s in load_scenarios(pb)[0] if s.id == "nr_honest_late_parcel")
    s.case.update(as_of_date=dt.date(2026, 11, 18), buyer_request="full_refund")
    assert expected(s, pb).template_id == "nr_lost_refund"


def test_a_pin_the_rules_now_agree_with_is_listed_as_no_longer_needed(pb_copy):
    edit(pb_copy / "scenarios" / "not_received.yaml", '  source: "000 carrier delay; 001 extend the receipt-confirmation period"\n',
         '  source: "000 carrier delay"' + PIN.replace("full_refund", "wait"))
    assert [p.message for p in pin_problems(pb_copy)] == [
        "scenario nr_honest_late_parcel: pinned to wait, which the rules decide too"]


def test_a_bad_pin_is_an_error_in_the_scenario_file(pb_copy):
    path = pb_copy / "scenarios" / "not_received.yaml"
    edit(path, '  source: "000 carrier delay; 001 extend the receipt-confirmation period"\n',
         '  source: "000"\n  pin:\n    resolution: refund_everything\n')
    problems = [str(p) for p in scenario_problems(pb_copy)]
    assert any(f"{path}:{line_of(path, 'resolution: refund_everything')}: scenario nr_honest_late_parcel: pin resolution "
               "'refund_everything' is not a resolution" in p for p in problems), problems
    assert any("a pin needs a `note:`" in p for p in problems), problems
    assert pin_problems(pb_copy) == []  # the broken scenario is left out, not judged


def test_dispute_playbook_validate_lists_a_disagreeing_pin(pb_copy):
    """Needs the one-line hook in helpers/validate.py (see the workshop README section)."""
    edit(pb_copy / "scenarios" / "not_received.yaml", '  source: "000 carrier delay; 001 extend the receipt-confirmation period"\n',
         '  source: "000"' + PIN + "    template: nr_lost_refund\n")
    out = subprocess.run([sys.executable, "-m", "helpers", "validate", str(pb_copy)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "warning: " in out.stdout and "scenario nr_honest_late_parcel: pinned to full_refund but the rules decide wait" in out.stdout
