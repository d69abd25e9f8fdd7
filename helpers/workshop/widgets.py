"""The trainee's workshop screen (ipywidgets): choose a deck, answer one scenario at a time, and
get the playbook's feedback at once. Every answer is saved to the trainee's file before the
feedback shows, so a kernel restart loses nothing. Stable CSS classes (dp-ws-*) for tests.
"""
from __future__ import annotations

from html import escape

import ipywidgets as w

from ..core.exceptions import PlaybookToolError
from ..core.fields import FIELD_BY_NAME, MESSAGE_ONLY
from ..playbook.loader import load_playbook
from ..advice.recommend import localised
from .scenarios import MAX_POINTS, judge, load_scenarios, question, score_percent
from .training import AnswerBook, NameTaken, available_decks, in_language, trainee_name

WORDS = {
    "en": {"cannot_start": "The workshop cannot start until this is fixed:",
           "name": "Your name", "deck": "Deck", "start": "Start / resume", "buyer": "What the buyer wrote",
           "seller": "What you know", "facts": "Case facts", "resolution": "1. What do you do?",
           "evidence": "2. Tick the evidence you still need (none, if you have all of it)",
           "message": "3. Which message do you send the buyer?", "submit": "Submit answer", "next": "Next scenario",
           "right": "Right", "wrong": "Wrong", "playbook": "The playbook", "pinned": "Your trainer set this answer",
           "why": "Why", "change": "What would change the answer", "ev_ok": "Evidence: right.",
           "ev_missed": "Evidence you should also ask for", "ev_extra": "Evidence not needed here",
           "msg_ok": "Message: right.", "msg_bad": "Message: the playbook sends message {letter}.", "points": "points",
           "score": "Score", "answered_of": "{n} of {size} answered", "of": "of", "right_n": "right",
           "pick": "Choose what you do and a message first.", "colon": ":", "gap": " ", "list": "; ", "name_example": "Li Wei",
           "no_name": "Type your name first: your answers are saved under it.",
           "name_taken": "The answer file of this name holds the answers of “{trainee}”: add something to your name.",
           "cannot_open": "Your answers cannot be opened; tell your trainer: ",
           "done": "Deck finished. Your trainer will show the results.", "scenario": "Scenario",
           "welcome": "Answers are saved to", "none": "none", "home": "← Start page",
           "you_chose": "You chose", "your_message": "your message", "your_evidence": "evidence you ticked",
           "basic": "basic", "intermediate": "intermediate", "advanced": "advanced",
           "title": "Dispute workshop", "how": "How it works",
           "steps": ("Type your name and choose the deck your trainer gave you, then press Start / resume.",
                     "Read the story: what the buyer wrote and what you know.",
                     "Choose what you do, tick the evidence you still need, and pick the message for the buyer "
                     "(A, B or C: their texts are under the story).",
                     "Submit: you see at once whether you were right, the playbook's reasons, and what fact "
                     "would have changed the answer."),
           "kept": "Every answer is saved to a file under your name: if the page or the kernel restarts, type the "
                   "same name and you continue where you stopped. The first answer to a scenario counts.",
           "messages": "The messages"},
    "zh": {"cannot_start": "修正以下问题之前无法开始练习：",
           "name": "你的名字", "deck": "题组", "start": "开始 / 继续", "buyer": "买家的留言", "seller": "你了解的情况",
           "facts": "案例事实", "resolution": "1. 你会怎么处理？", "evidence": "2. 勾选你还需要的证据（如已齐全则不勾选）",
           "message": "3. 你会给买家发哪条消息？", "submit": "提交答案", "next": "下一题", "right": "正确", "wrong": "错误",
           "playbook": "处理手册的答案", "pinned": "培训师指定的答案", "why": "理由", "change": "什么事实会改变答案",
           "ev_ok": "证据：正确。", "ev_missed": "你还应索取的证据", "ev_extra": "此案不需要的证据", "msg_ok": "消息：正确。",
           "msg_bad": "消息：处理手册会发送消息 {letter}。", "points": "分", "score": "得分", "answered_of": "已答 {n} / {size}",
           "of": "/", "right_n": "答对", "pick": "请先选择处理方式和消息。", "done": "本题组已完成。培训师会展示结果。",
           "colon": "：", "gap": "", "list": "、", "name_example": "李伟", "no_name": "请先输入你的名字：答案以你的名字保存。",
           "name_taken": "这个名字的答案文件里是“{trainee}”的答案：请在名字后加上能区分的字。",
           "cannot_open": "无法打开你的答案文件，请告知培训老师：",
           "scenario": "题目", "welcome": "答案保存在", "none": "无", "home": "← 返回开始页",
           "you_chose": "你的选择", "your_message": "你选的消息", "your_evidence": "你勾选的证据",
           "basic": "基础", "intermediate": "进阶", "advanced": "高级",
           "title": "纠纷处理练习", "how": "使用说明",
           "steps": ("输入你的名字，选择培训师指定的题组，点击“开始 / 继续”。", "阅读案例：买家的留言和你了解的情况。",
                     "选择处理方式，勾选还需要的证据，并选择发给买家的消息（A、B 或 C，全文在案例下方）。",
                     "提交后立即看到对错、处理手册的理由，以及哪个事实会改变答案。"),
           "kept": "每个答案都会保存在以你名字命名的文件里：页面或内核重启后，输入同一个名字即可从上次停下的地方继续。"
                   "每个案例以第一次作答为准。",
           "messages": "可选的消息"},
}
LETTERS = "ABCDE"
MESSAGE_STYLE = "border:1px solid #ccc;border-radius:4px;padding:6px 10px;margin:6px 0;white-space:pre-wrap;line-height:1.4"
HEAD_STYLE = "font-weight:bold;font-size:1.3em"
WS_CSS = """<style>
.dp-ws-evidence .widget-checkbox { height: 22px !important; line-height: 22px !important; margin-top: 0; margin-bottom: 0; }
.dp-ws-message .widget-radio-box { flex-direction: row !important; flex-wrap: wrap; gap: 4px 24px; }
@media (max-width: 800px) {
  .dp-ws-grid { grid-template-columns: minmax(0, 1fr) !important;
                grid-template-areas: "story" "choices" "messages" !important; }
}
</style>"""


class WorkshopApp:
    def __init__(self, answers_folder=None, decks_folder=None, playbook=None, lang: str = "en"):
        self.pb = load_playbook(playbook)
        self.folder, self.lang = answers_folder, lang
        self.scenarios = {s.id: s for s in load_scenarios(self.pb)[0]}
        self.decks, deck_problems = available_decks(decks_folder, self.pb)
        self.book = self.q = self.verdict = None
        self.ticks = {}
        labelled = {"style": {"description_width": "initial"}, "layout": w.Layout(width="auto", max_width="100%")}
        self.home = _add(w.HTML(), "dp-ws-home")
        self.name = _add(w.Text(**labelled), "dp-ws-name")
        self.deck = _add(w.Dropdown(options=self._deck_options(), **labelled), "dp-ws-deck")
        self.language = _add(w.ToggleButtons(options=[("English", "en"), ("中文", "zh")], value=lang), "dp-ws-lang")
        self.start = _add(w.Button(description=WORDS[lang]["start"], button_style="primary"), "dp-ws-start")
        self.status = _add(w.HTML(_problems_html(deck_problems)), "dp-ws-status")
        self.progress = _add(w.HTML(), "dp-ws-progress")
        self.story = _add(w.HTML(), "dp-ws-story")
        self.resolution = _add(w.RadioButtons(options=[], index=None, layout=w.Layout(width="auto")), "dp-ws-resolution")
        self.evidence_box = _add(w.VBox(), "dp-ws-evidence")
        self.messages = _add(w.HTML(), "dp-ws-messages")
        self.message = _add(w.RadioButtons(options=[], index=None), "dp-ws-message")
        self.submit = _add(w.Button(description=WORDS[lang]["submit"], button_style="success"), "dp-ws-submit")
        self.feedback = _add(w.HTML(), "dp-ws-feedback")
        self.next = _add(w.Button(description=WORDS[lang]["next"]), "dp-ws-next")
        self.score = _add(w.HTML(), "dp-ws-score")
        self.labels = {k: w.HTML() for k in ("resolution", "evidence", "message", "messages")}
        self.intro = _add(w.HTML(), "dp-ws-intro")
        # A grid: on a wide screen the story and then the messages' long texts on the left, the choices on
        # the right -- the decision is on the first screen, beside the story; on a narrow one a single
        # column: story, choices, messages (WS_CSS). Either way the choices come before the messages.
        self.story.layout = w.Layout(grid_area="story", min_width="0")
        reading = w.VBox([self.labels["messages"], self.messages], layout=w.Layout(grid_area="messages", min_width="0"))
        choosing = _add(w.VBox([self.labels["resolution"], self.resolution, self.labels["evidence"], self.evidence_box,
                                self.labels["message"], self.message, self.submit, self.feedback, self.next],
                               layout=w.Layout(grid_area="choices", min_width="0")), "dp-ws-choices")
        grid = _add(w.GridBox([self.story, choosing, reading], layout=w.Layout(
            grid_template_columns="minmax(0, 3fr) minmax(0, 2fr)", grid_template_areas='"story choices" "messages choices"',
            grid_gap="0 24px", align_items="flex-start")), "dp-ws-grid")
        self.question_box = w.VBox([self.progress, grid])
        self.question_box.layout.display = "none"
        self.widget = _add(w.VBox([self.intro, self.home, self.language,
                                   w.HBox([self.name, self.deck, self.start], layout=w.Layout(flex_flow="row wrap")),
                                   self.status, self.score, self.question_box]), "dp-ws-app").add_class("dp-app")
        self.start.on_click(lambda _: self.begin(self.name.value, self.deck.value))
        self.submit.on_click(lambda _: self.answer())
        self.next.on_click(lambda _: self.show_next())
        self.language.observe(lambda ch: self.set_language(ch["new"]), names="value")
        self._relabel()

    # --- actions (the buttons call these; tests may call them directly) ---------------------------
    def begin(self, trainee: str, deck_index: int = 0):
        t = WORDS[self.lang]
        if not trainee_name(trainee):  # said here in the page's language (AnswerBook would say it in English)
            self.status.value = f'<div class="dp-ws-error">{escape(WORDS[self.lang]["no_name"])}</div>'
            return
        try:
            self.book = AnswerBook(self.folder, trainee, self.decks[deck_index])
            self.book.save()
        except NameTaken as exc:
            self.status.value = f'<div class="dp-ws-error">{escape(t["name_taken"].format(trainee=exc.trainee))}</div>'
            return
        except (PlaybookToolError, OSError) as exc:  # a damaged answer file, a full disk: for the trainer
            self.status.value = f'<div class="dp-ws-error">{escape(t["cannot_open"])}{escape(str(exc))}</div>'
            return
        self.status.value = f'<div class="dp-ws-saved">{WORDS[self.lang]["welcome"]} {escape(str(self.book.path))}</div>'
        self.question_box.layout.display = ""
        self.show_next()

    def show_next(self):
        sid = self.book.next_scenario_id()
        self.verdict = None
        self._update_score()
        if sid is None:
            self.q = None
            self.progress.value = f'<div class="dp-ws-done">{WORDS[self.lang]["done"]}</div>'
            self.question_box.children[1].layout.display = "none"
            return
        self.question_box.children[1].layout.display = ""
        self.q = question(self.scenarios[sid], self.pb, self.lang)
        self._render_question(keep=False)

    def answer(self, resolution=None, evidence=None, template_id=None):
        if self.q is None or self.verdict is not None:
            return
        resolution = resolution or self.resolution.value
        template_id = template_id or self.message.value
        if evidence is None:
            evidence = self._ticked()
        if not resolution or not template_id:
            self.feedback.value = f'<div class="dp-ws-warning">{WORDS[self.lang]["pick"]}</div>'
            return
        self.chosen = (resolution, list(evidence), template_id)
        self.verdict = judge(self.q.expected, resolution, evidence, template_id)
        self.book.record(self.q.scenario.id, resolution, evidence, template_id, self.verdict, self.q.expected)
        self._update_score()  # before the feedback, so whoever sees the feedback sees the new score
        self._render_feedback()

    def _relabel(self):
        t = WORDS[self.lang]
        self.start.description, self.submit.description, self.next.description = t["start"], t["submit"], t["next"]
        self.name.description, self.deck.description, self.name.placeholder = t["name"], t["deck"], t["name_example"]
        chosen = self.deck.index
        self.deck.options = self._deck_options()
        self.deck.index = chosen
        self.home.value = f'<a class="dp-home" href="start.ipynb?lang={self.lang}">{escape(t["home"])}</a>'
        steps = "".join(f"<li>{escape(step)}</li>" for step in t["steps"])
        self.intro.value = (f'{WS_CSS}<h2 class="dp-title" style="margin:8px 0 4px 0">{escape(t["title"])}</h2>'
                            f'<details><summary>{escape(t["how"])}</summary><ol>{steps}</ol><p>{escape(t["kept"])}</p>'
                            '</details>')

    def _deck_options(self):
        return [(in_language(d.title, self.lang), i) for i, d in enumerate(self.decks)]

    def set_language(self, lang: str):
        self.lang = lang
        self._relabel()
        if self.q is not None:
            self.q = question(self.q.scenario, self.pb, lang)
            self._render_question(keep=True)
        self._update_score()

    # --- rendering ---------------------------------------------------------------------------
    def _ticked(self):
        return [eid for eid, cb in self.ticks.items() if cb.value]

    def _render_question(self, keep: bool):
        q, t, lang = self.q, WORDS[self.lang], self.lang
        chosen = (self.resolution.value, self.message.value, set(self._ticked())) if keep else (None, None, set())
        deck = self.book.deck.scenario_ids
        sc = q.scenario
        # the scenario's id is for tests and trainers' scripts (data-id), never shown
        self.progress.value = (f'<b>{t["scenario"]} {deck.index(sc.id) + 1} {t["of"]} {len(deck)}</b> · '
                               f'<span class="dp-ws-scenario-id" data-id="{escape(sc.id)}">'
                               f'{escape(t.get(sc.level, sc.level))}</span>')
        facts = "".join(f"<tr><td>{escape(_fact_label(k, lang))}</td><td>{escape(_fact_value(k, v, lang))}</td></tr>"
                        for k, v in sc.case.items() if k not in MESSAGE_ONLY and k not in ("case_id", "dispute_type"))
        self.story.value = (f'<h3>{escape(sc.text("title", lang))}</h3>'
                            f'<p>{_lead(t["buyer"], t)}<i>“{escape(sc.text("buyer_wrote", lang))}”</i></p>'
                            f'<p>{_lead(t["seller"], t)}{escape(sc.text("seller_knows", lang))}</p>'
                            f'<details><summary>{t["facts"]}</summary><table>{facts}</table></details>')
        for key in ("resolution", "evidence", "message", "messages"):
            self.labels[key].value = f"<b>{t[key]}</b>"
        self.resolution.options = [(label, res) for res, label in q.resolutions]
        self.resolution.value = chosen[0] if chosen[0] in [r for r, _ in q.resolutions] else None
        self.ticks = {eid: _add(_add(w.Checkbox(value=eid in chosen[2], description=label, indent=False,
                                                layout=w.Layout(width="auto")), "dp-ws-evidence-item"), f"dp-ws-evidence-{eid}")
                      for eid, label in q.evidence}
        boxes = list(self.ticks.values())
        self.evidence_box.children = boxes
        self.messages.value = "".join(
            f'<div class="dp-ws-message-text" style="{MESSAGE_STYLE}"><b>{LETTERS[i]}</b>\n{escape(text)}</div>'
            for i, (_, text) in enumerate(q.messages))
        self.message.options = [(LETTERS[i], tid) for i, (tid, _) in enumerate(q.messages)]
        self.message.value = chosen[1] if chosen[1] in [tid for tid, _ in q.messages] else None
        locked = self.verdict is not None
        for widget in (self.resolution, self.message, self.submit, *boxes):
            widget.disabled = locked
        self.next.layout.display = "" if locked else "none"
        if locked:
            self._render_feedback()
        else:
            self.feedback.value = ""

    def _render_feedback(self):
        q, v, t, lang = self.q, self.verdict, WORDS[self.lang], self.lang
        exp, rec = q.expected, q.expected.recommendation
        label = localised(self.pb, self.pb.resolutions[exp.resolution], lang)
        head = (f'<div class="dp-ws-right" style="color:#1a7f37;{HEAD_STYLE}">✔ {t["right"]}</div>' if v.resolution_right
                else f'<div class="dp-ws-wrong" style="color:#c0392b;{HEAD_STYLE}">✘ {t["wrong"]}</div>')
        who = t["pinned"] if exp.pinned else t["playbook"]
        res, ev, tid = self.chosen
        letters = {m: LETTERS[i] for i, (m, _) in enumerate(q.messages)}
        ticked = t["list"].join(dict(q.evidence).get(e, e) for e in ev) or t["none"]
        parts = [head, f'<p class="dp-ws-your-answer">{_lead(t["you_chose"], t)}'
                       f'{escape(localised(self.pb, self.pb.resolutions[res], lang))} · {t["your_message"]} '
                       f'{letters.get(tid, "—")} · {t["your_evidence"]}{t["colon"]}{t["gap"]}{escape(ticked)}</p>',
                 f'<p>{_lead(who, t)}{escape(label)}' + (f' — {escape(exp.pin_note)}' if exp.pinned else "") + "</p>",
                 f'<p>{_lead(t["why"], t)}{escape(rec.rationale)}</p>']
        if rec.what_would_change:
            parts.append(f'<p class="dp-ws-change">{_lead(t["change"], t)}{escape(rec.what_would_change)}</p>')
        names = dict(q.evidence)
        if v.evidence_right:
            parts.append(f"<p>{t['ev_ok']}</p>")
        else:
            for key, ids in (("ev_missed", v.missed_evidence), ("ev_extra", v.extra_evidence)):
                if ids:
                    parts.append(f"<p>{_lead(t[key], t)}{escape(t['list'].join(names[e] for e in ids))}</p>")
        right_letter = LETTERS[[tid for tid, _ in q.messages].index(exp.template_id)]
        parts.append(f"<p>{t['msg_ok'] if v.message_right else t['msg_bad'].format(letter=right_letter)}</p>")
        parts.append(f'<p><b>+{v.points} / {MAX_POINTS} {t["points"]}</b></p>')
        self.feedback.value = "".join(parts)
        for widget in (self.resolution, self.message, self.submit, *self.evidence_box.children):
            widget.disabled = True
        self.next.layout.display = ""

    def _update_score(self):
        if self.book is None:
            return
        s, t = self.book.score(), WORDS[self.lang]
        # out of the whole deck, as grading scores it: an unanswered scenario earns nothing
        whole = MAX_POINTS * s["deck_size"]
        self.score.value = (f'<b>{t["score"]}{t["colon"]}{t["gap"]}<span class="dp-ws-points">{s["points"]} / {whole}</span> '
                            f'{t["points"]}</b> · <span class="dp-ws-answered">'
                            f'{t["answered_of"].format(n=s["answered"], size=s["deck_size"])}</span>'
                            f' · <span class="dp-ws-percent">{score_percent(s["points"], s["deck_size"])}%</span>'
                            f' · {t["right_n"]} <span class="dp-ws-right-count">{s["right"]}</span> {t["of"]} {s["answered"]}')


def _lead(label: str, t: dict) -> str:
    """'<b>Why:</b> ' / '<b>理由：</b>': a label before its text (a Chinese colon carries its own space)."""
    return f"<b>{label}{t['colon']}</b>{t['gap']}"


def _fact_label(key: str, lang: str) -> str:
    from ..playbook.labels import FIELD_TEXT, field_label
    return field_label(key, lang) if key in FIELD_TEXT else key.replace("_", " ")


def _fact_value(key: str, value, lang: str) -> str:
    from ..playbook.labels import choice_label, country_name
    if isinstance(value, bool):
        return choice_label("_tristate", value, lang)
    if getattr(FIELD_BY_NAME.get(key), "kind", "") == "country":
        return country_name(value, lang)
    return choice_label(key, value, lang)


def _add(widget, css_class):
    widget.add_class(css_class)
    return widget


def _problems_html(problems):
    return "".join(f'<div class="dp-ws-error">{escape(p)}</div>' for p in problems)


def workshop_app(answers_folder=None, decks_folder=None, playbook=None, lang: str = "en"):
    """Build the workshop screen and return its widget (the last line of a cell displays it); in the
    app, in the language the page's address asks for."""
    from ..ui.page import follow_page_language, no_null_titles
    try:
        app = WorkshopApp(answers_folder, decks_folder, playbook, lang)
    except PlaybookToolError as exc:  # a playbook broken by an edit while the app runs: said on the page
        lead = " · ".join(WORDS[code]["cannot_start"] for code in ([lang] + [c for c in WORDS if c != lang]))
        return _add(w.HTML(f'<div class="dp-ws-error"><b>{escape(lead)}</b><pre>{escape(str(exc))}</pre></div>'),
                    "dp-ws-app")
    no_null_titles(app.widget)
    follow_page_language(app.language, lang)
    return app.widget
