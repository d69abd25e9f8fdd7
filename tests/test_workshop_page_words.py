"""The trainee's workshop page in words people read: the buyer's country by its name, Chinese punctuation
in Chinese sentences, deck titles in the page's language (never a code), and a running score that says
what grading will say (points out of the whole deck)."""
from __future__ import annotations

import json
import re
import shutil

from helpers.workshop.grading import grade
from helpers.workshop.training import make_deck
from helpers.workshop.widgets import WorkshopApp

from support import ROOT

LATE_PARCEL = "nr_honest_late_parcel"  # a basic not-received scenario; its buyer is in GB, it needs no evidence


def page_on(tmp_path, scenario_ids, lang, playbook=None):
    """A page whose first deck is the trainer's deck of `scenario_ids`, started for one trainee."""
    decks = tmp_path / "decks"
    decks.mkdir(parents=True, exist_ok=True)
    (decks / "a-today.json").write_text(json.dumps({"title": "Today", "scenario_ids": scenario_ids}), encoding="utf-8")
    app = WorkshopApp(tmp_path / "answers", decks, playbook=playbook, lang=lang)
    app.begin("Li Wei", 0)
    return app


def fact(app, label):
    return re.search(f"<td>{label}</td><td>([^<]*)</td>", app.story.value)[1]


# --- the buyer's country --------------------------------------------------------------------------

def test_the_buyer_country_is_its_name_in_the_page_language_and_an_unknown_code_stays_as_it_is(tmp_path):
    app = page_on(tmp_path / "named", [LATE_PARCEL], "zh")
    assert fact(app, "买家国家") == "英国"  # it said "GB"
    app.set_language("en")
    assert fact(app, "Buyer country") == "United Kingdom"

    pb = tmp_path / "playbook"
    shutil.copytree(ROOT / "playbook", pb)
    path = pb / "scenarios" / "not_received.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("buyer_country: GB", "buyer_country: AA", 1), encoding="utf-8")
    app = page_on(tmp_path / "unknown", [LATE_PARCEL], "zh", playbook=pb)
    assert fact(app, "买家国家") == "AA"  # a two-letter code CLDR has no name for


# --- Chinese sentences, Chinese punctuation -------------------------------------------------------

def test_the_chinese_page_writes_its_own_sentences_with_chinese_punctuation(tmp_path):
    app = page_on(tmp_path, [LATE_PARCEL], "zh")
    intro = re.sub(r"<style>.*?</style>|<[^>]+>", "", app.intro.value, flags=re.S)
    assert intro.startswith("纠纷处理练习使用说明输入你的名字，选择培训师指定的题组，点击“开始 / 继续”。")
    assert "（A、B 或 C，全文在案例下方）" in intro and not re.search(r"[,:;?!()]", intro)
    assert app.labels["resolution"].value == "<b>1. 你会怎么处理？</b>"
    assert app.labels["evidence"].value == "<b>2. 勾选你还需要的证据（如已齐全则不勾选）</b>"
    assert app.labels["message"].value == "<b>3. 你会给买家发哪条消息？</b>"
    assert "<b>买家的留言：</b><i>“" in app.story.value and "<b>你了解的情况：</b>" in app.story.value
    assert app.name.placeholder == "李伟"

    wrong_message = next(t for t, _ in app.q.messages if t != app.q.expected.template_id)
    app.answer("full_refund", ["buyer_photos", "seller_packing_photos"], wrong_message)
    feedback = app.feedback.value
    assert "<b>你的选择：</b>全额退款 · 你选的消息 " in feedback
    assert "· 你勾选的证据：买家提供的问题照片或视频、发货前的包裹照片和称重记录</p>" in feedback
    assert "<b>处理手册的答案：</b>" in feedback and "<b>理由：</b>" in feedback
    assert "<p><b>此案不需要的证据：</b>买家提供的问题照片或视频、发货前的包裹照片和称重记录</p>" in feedback
    assert re.search(r"<p>消息：处理手册会发送消息 [ABC]。</p>", feedback), feedback  # it ended "消息 B."


def test_the_chinese_page_asks_for_a_name_in_chinese(tmp_path):
    app = WorkshopApp(tmp_path / "answers", tmp_path / "decks", lang="zh")
    app.begin("   ", 0)
    assert app.status.value == '<div class="dp-ws-error">请先输入你的名字：答案以你的名字保存。</div>'


def test_a_name_whose_file_holds_another_trainee_is_told_in_the_page_language(tmp_path):
    """An answer file copied under another name (or two names one file name cannot tell apart): the
    trainee is asked to change their name in Chinese, not in the file layer's English."""
    from helpers.workshop.training import answer_file_name
    app = WorkshopApp(tmp_path / "answers", tmp_path / "decks", lang="zh")
    app.begin("张三", 0)
    folder = app.book.path.parent
    app.book.path.rename(folder / answer_file_name("Li Wei"))
    for lang, said in (("zh", "这个名字的答案文件里是“张三”的答案：请在名字后加上能区分的字。"),
                       ("en", "The answer file of this name holds the answers of “张三”: add something to your name.")):
        page = WorkshopApp(tmp_path / "answers", tmp_path / "decks", lang=lang)
        page.begin("li wei", 0)
        assert page.status.value == f'<div class="dp-ws-error">{said}</div>', page.status.value
    (folder / answer_file_name("Wang Fang")).write_text("{not json", encoding="utf-8")
    damaged = WorkshopApp(tmp_path / "answers", tmp_path / "decks", lang="zh")
    damaged.begin("Wang Fang", 0)
    assert damaged.status.value.startswith('<div class="dp-ws-error">无法打开你的答案文件，请告知培训老师：wang fang.json: is not complete JSON')


# --- deck titles: the page's language, labels not codes --------------------------------------------

def test_deck_titles_are_in_the_page_language_and_name_types_by_their_labels(tmp_path):
    decks = tmp_path / "decks"
    decks.mkdir()
    deck = make_deck(3, 5, types=["not_received"], levels=["basic"])
    (decks / "monday.json").write_text(json.dumps(deck.to_dict()), encoding="utf-8")
    app = WorkshopApp(tmp_path / "answers", decks, lang="zh")
    labels = [label for label, _ in app.deck.options]
    assert labels[0] == "3 个案例，种子 5，订单未达，基础"
    assert labels[1].startswith("基础（") and labels[-1].startswith("全部（")
    assert not [label for label in labels if re.search("[A-Za-z]", label)]
    app.deck.index = 2
    app.set_language("en")
    labels = [label for label, _ in app.deck.options]
    assert labels[0] == "3 scenarios, seed 5, Not received, Basic"
    assert labels[1].startswith("Basic (") and labels[-1].startswith("All scenarios (")
    assert app.deck.index == 2  # the trainee's choice survives the switch


# --- the running score: what grading will say -----------------------------------------------------

def test_the_page_scores_out_of_the_whole_deck_as_grading_does(tmp_path):
    ids = make_deck(6, 5).scenario_ids
    app = page_on(tmp_path, ids, "en")
    for _ in range(2):
        exp = app.q.expected
        app.answer(exp.resolution, list(exp.evidence), exp.template_id)
        app.show_next()
    # 2 of 6 answered, both right: 8 of the deck's 24 points, 33.3% (it said 8 / 8, as if 100%)
    assert app.score.value == ('<b>Score: <span class="dp-ws-points">8 / 24</span> points</b> · '
                               '<span class="dp-ws-answered">2 of 6 answered</span> · '
                               '<span class="dp-ws-percent">33.3%</span> · right <span class="dp-ws-right-count">2</span> of 2')
    [row] = grade(tmp_path / "answers").leaderboard
    assert (row["points"], row["max_points"], row["answered"], row["deck_size"], row["score_pct"]) == (8, 24, 2, 6, 33.3)

    app.set_language("zh")
    assert app.score.value == ('<b>得分：<span class="dp-ws-points">8 / 24</span> 分</b> · '
                               '<span class="dp-ws-answered">已答 2 / 6</span> · '
                               '<span class="dp-ws-percent">33.3%</span> · 答对 <span class="dp-ws-right-count">2</span> / 2')
