"""The trainee's workshop in a real browser: the Voila app serves notebooks/workshop.ipynb beside the
dispute notebooks, headless
chromium answers two scenarios (one right, one wrong) and reads the feedback and the score.
Never skipped: if chromium or Voila cannot start, the test fails.
"""
from __future__ import annotations
# Also: labelled fields, a link home, the answer file's whole path, the decision on the first screen
# (above the messages), the choice restated, no scenario id on screen, and a reload that remembers the
# name and resumes.

import json

import pytest

from helpers.app.server import page_url
from helpers.playbook.loader import load_playbook
from helpers.advice.recommend import localised
from helpers.workshop.scenarios import judge, load_scenarios, question
from helpers.workshop.training import make_deck

from browser_support import launch_chromium, voila_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LETTERS = "ABCDE"


@pytest.fixture
def voila_workshop(tmp_path, monkeypatch):
    """`dispute-playbook app` serving the notebooks, a two-scenario deck and an empty answers folder."""
    decks, answers = tmp_path / "decks", tmp_path / "answers"
    decks.mkdir()
    deck = make_deck(2, seed=11, types=["not_received", "damaged"])
    (decks / "practice.json").write_text(json.dumps(deck.to_dict()), encoding="utf-8")
    for name, value in (("DISPUTE_WORKSHOP_ANSWERS", answers), ("DISPUTE_WORKSHOP_DECKS", decks),
                        ("JUPYTER_CONFIG_DIR", tmp_path / "jcfg"), ("JUPYTER_RUNTIME_DIR", tmp_path / "jrun")):
        monkeypatch.setenv(name, str(value))  # the app, Voila and the kernel inherit these
    with voila_app(log_path=tmp_path / "voila.log") as (port, _):
        yield page_url(port, "workshop.ipynb"), deck, answers


def test_a_trainee_answers_one_right_and_one_wrong(voila_workshop):
    from playwright.sync_api import expect, sync_playwright
    url, deck, answers = voila_workshop
    pb = load_playbook()
    scenarios = {s.id: s for s in load_scenarios(pb)[0]}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(url, timeout=60_000)
            expect(page.locator(".dp-ws-name label")).to_have_text("Your name", timeout=60_000)  # labelled fields
            expect(page.locator(".dp-ws-deck label")).to_have_text("Deck")
            expect(page.locator(".dp-ws-home a")).to_have_attribute("href", "start.ipynb?lang=en")  # a way home
            page.locator(".dp-ws-name input").fill("练习 Trainee", timeout=60_000)
            page.locator(".dp-ws-start").click()
            expect(page.locator(".dp-ws-saved")).to_contain_text(str(answers.resolve()))  # the whole path

            # Scenario 1: answer exactly what the playbook says.
            sid = page.locator(".dp-ws-scenario-id").get_attribute("data-id", timeout=30_000)
            assert sid == deck.scenario_ids[0]
            # The decision is on the first screen (1366x768, not scrolled), beside the story and above the
            # messages' texts, with the message choice and Submit; the texts come after.
            page.locator(".dp-ws-message-text").first.wait_for(state="visible", timeout=30_000)
            assert page.evaluate("window.scrollY") == 0
            box = {name: page.locator(f".dp-ws-{name}").first.bounding_box()
                   for name in ("story", "resolution", "evidence", "message", "submit", "message-text")}
            for name in ("resolution", "evidence", "message", "submit"):
                assert box[name]["y"] + box[name]["height"] <= 768, (name, box[name])
            assert box["resolution"]["y"] < box["message-text"]["y"] and box["resolution"]["x"] > box["story"]["x"]
            assert page.locator(".dp-ws-resolution input[type=radio]").count() == len(
                question(scenarios[sid], pb, "en").resolutions)
            page.set_viewport_size({"width": 390, "height": 844})  # a phone: one column, choices before the texts
            narrow = {name: page.locator(f".dp-ws-{name}").first.bounding_box() for name in ("story", "resolution", "message-text")}
            assert narrow["story"]["y"] < narrow["resolution"]["y"] < narrow["message-text"]["y"]
            page.set_viewport_size({"width": 1366, "height": 768})
            q = question(scenarios[sid], pb, "en")
            exp = q.expected
            label = localised(pb, pb.resolutions[exp.resolution], "en")
            page.locator(".dp-ws-resolution").get_by_label(label, exact=True).check()
            for eid in exp.evidence:
                page.locator(f".dp-ws-evidence-{eid} input").check()
            letter = LETTERS[[t for t, _ in q.messages].index(exp.template_id)]
            page.locator(".dp-ws-message").get_by_label(letter, exact=True).check()
            page.locator(".dp-ws-submit").click()
            feedback = page.locator(".dp-ws-feedback")
            expect(feedback.locator(".dp-ws-right")).to_contain_text("Right")
            expect(feedback).to_contain_text(exp.recommendation.rationale)
            expect(page.locator(".dp-ws-points")).to_have_text("4 / 8")
            expect(page.locator(".dp-ws-right-count")).to_have_text("1")
            expect(feedback.locator(".dp-ws-your-answer")).to_contain_text(f"You chose: {label}")  # restated
            assert sid not in page.locator(".dp-app, .dp-ws-app").first.inner_text()  # no internal id shown

            # A reload: the browser remembers the name, Start resumes at scenario 2.
            page.reload()
            expect(page.locator(".dp-ws-name input")).to_have_value("练习 Trainee", timeout=60_000)
            page.locator(".dp-ws-start").click()
            expect(page.locator(".dp-ws-scenario-id")).to_have_attribute("data-id", deck.scenario_ids[1], timeout=30_000)
            q2 = question(scenarios[deck.scenario_ids[1]], pb, "en")
            wrong = next(res for res, _ in q2.resolutions if res != q2.expected.resolution)
            page.locator(".dp-ws-resolution").get_by_label(localised(pb, pb.resolutions[wrong], "en"), exact=True).check()
            page.locator(".dp-ws-message").get_by_label("A", exact=True).check()
            page.locator(".dp-ws-submit").click()
            expect(feedback.locator(".dp-ws-wrong")).to_contain_text("Wrong")
            right_label = localised(pb, pb.resolutions[q2.expected.resolution], "en")
            expect(feedback).to_contain_text(right_label)
            expect(feedback).to_contain_text(q2.expected.recommendation.rationale)
            expect(page.locator(".dp-ws-score")).to_contain_text("2 of 2 answered")
            expect(page.locator(".dp-ws-right-count")).to_have_text("1")
            # A wrong resolution still earns the points its evidence (none ticked) and message (A) deserve.
            second = judge(q2.expected, wrong, [], q2.messages[0][0]).points
            expect(page.locator(".dp-ws-points")).to_have_text(f"{4 + second} / 8")
        finally:
            browser.close()

    saved = json.loads(next(answers.glob("*.json")).read_text(encoding="utf-8"))
    assert saved["trainee"] == "练习 Trainee"
    assert [(a["scenario_id"], a["resolution"] == a["expected_resolution"]) for a in saved["answers"]] == \
        [(deck.scenario_ids[0], True), (deck.scenario_ids[1], False)]
