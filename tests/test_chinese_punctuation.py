"""Chinese text uses Chinese punctuation: an ASCII , ; : ! ? ( ) next to a Chinese character reads as
a machine's (亲,您好! instead of 亲，您好！). Template code, format fields and `code` are not text."""
from __future__ import annotations

import io
import re
import tokenize

import pytest
import yaml

from helpers import recommend

from support import AS_OF, ROOT

CJK = "[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
# , ; : ! ? on either side of Chinese; a bracket whose outside is Chinese (an English text may gloss a
# term in brackets: "Not received (订单未达)")
ASCII_NEXT_TO_CHINESE = re.compile(rf"(?<={CJK})\**[,;:!?(]|[,;:!?)]\**(?={CJK})")
NOT_TEXT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{[^{}\n]*\}|`[^`\n]*`", re.S)
RULE_CASES = yaml.safe_load((ROOT / "tests" / "data" / "rule_cases.yaml").read_text(encoding="utf-8"))


def _slips(text: str) -> list:
    return [text[max(0, m.start() - 8):m.end() + 8] for m in ASCII_NEXT_TO_CHINESE.finditer(NOT_TEXT.sub("\ue000", text))]


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def test_the_slip_is_seen():
    assert len(_slips("亲,您好!")) == 2 and _slips("亲，您好！") == []
    assert _slips("{{ buyer_name }}，您好！ 10:30 `a(b)` {x:,} Not received (订单未达)") == []
    assert len(_slips("订单(见订单页面)的商品")) == 2


@pytest.mark.parametrize("path", sorted((ROOT / "playbook").rglob("*.yaml")), ids=lambda p: p.name)
def test_the_playbook_writes_chinese_punctuation(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [s for text in _strings(data) for s in _slips(text)] == []


def test_the_toolkits_own_words_use_chinese_punctuation():
    """Every text in the package's code (labels, report words, workshop page, app pages); a platform
    export's own headers (helpers/iorw) are data and stay as the platform writes them."""
    found = []
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        if "iorw" in path.parts:
            continue
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if tok.type == tokenize.STRING:
                found += [f"{path.name}:{tok.start[0]}: {s}" for s in _slips(tok.string)]
    assert found == []


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_a_chinese_recommendation_reads_as_chinese(rule_id):
    rec = recommend({**RULE_CASES[rule_id], "buyer_language": "zh", "platform": "taobao"}, as_of=AS_OF, lang="zh")
    assert rec.message_language == "zh"
    texts = [rec.rationale, rec.message, rec.what_would_change, *rec.actions, *rec.missing_evidence, *rec.risk_flags]
    assert [s for t in texts for s in _slips(t)] == []
    # a missing order id's words sit in the sentence without spaces around their brackets
    assert " （" not in rec.message and "） " not in rec.message, rec.message


@pytest.mark.parametrize("rule_id", ["nr_default", "dmg_return_costly", "can_price_error"])
def test_a_chinese_notebook_result_joins_its_parts_the_chinese_way(rule_id):
    """The headless notebook's Markdown: labels and values joined by a Chinese colon without a space
    after it, asides in Chinese brackets."""
    from helpers.ui.notebook_run import recommendation_markdown
    rec = recommend({**RULE_CASES[rule_id], "buyer_language": "zh", "platform": "taobao"}, as_of=AS_OF, lang="zh")
    md = recommendation_markdown(rec, "zh")
    assert _slips(md) == [] and "：** " not in md and "**退款：**" in md, md


def test_the_chinese_form_joins_its_parts_the_chinese_way():
    """The app's result in Chinese: labels, asides and deadlines in Chinese punctuation (it showed
    "处理方案: 部分退款", "(已有)", "(截止 …)", "订单金额 (USD)")."""
    import html as html_lib

    from helpers.ui.form import DisputeForm
    from helpers.ui.notebook_run import teaching_example
    form = DisputeForm(teaching_example("damaged"), "zh")
    form.recommend()
    shown = " ".join(html_lib.unescape(re.sub("<[^>]+>", "", str(v))) for v in form.result.parts.values())
    shown += " " + form.result.count.value + " " + form.inputs["order_value"].description
    assert _slips(shown) == [] and "： " not in shown, shown
    assert "（已有）" in shown or "（仍缺）" in shown
