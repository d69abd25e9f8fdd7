"""Every word the notebooks and the form show, in English and Chinese, and the dispute guides.

Labels are plain data so a translator edits one place; the guides (causes, evidence that wins,
the process) live in playbook/guides/*.yaml next to the rules they explain.
"""
from __future__ import annotations

import html
from functools import lru_cache

from ..core.fields import EVIDENCE
from ..core.paths import PLAYBOOK_DIR, playbook_dir
from ..core.yamlio import load_yaml

UI_LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}

# field -> (English label, Chinese label, English help, Chinese help); help may be empty.
FIELD_TEXT = {
    "dispute_type": ("Dispute type", "纠纷类型", "", ""),  # set by the notebook a case is opened in, not typed
    "case_id": ("Case ID", "案例编号", "Any name that is unique in your list.", "在你的列表中唯一即可。"),
    "order_value": ("Order value", "订单金额", "What the buyer paid, item and shipping.", "买家实付金额（含运费）。"),
    "currency": ("Currency", "币种", "ISO code such as USD, EUR, CNY.", "如 USD、EUR、CNY。"),
    "platform": ("Platform", "平台", "Selects the platform's rules.", "决定适用的平台规则。"),
    "item_cost": ("Item cost", "商品成本", "Your cost of the goods (optional).", "商品进货成本（可选）。"),
    "shipping_cost": ("Shipping cost", "运费", "What sending a replacement costs.", "补发一件的运费。"),
    "return_shipping_cost": ("Return shipping", "退货运费", "What a return would cost you.", "退货需要你承担的运费。"),
    "order_date": ("Order date", "下单日期", "", ""),
    "ship_date": ("Ship date", "发货日期", "Empty: not shipped yet.", "留空表示尚未发货。"),
    "delivery_date": ("Delivery date", "签收日期", "When tracking shows it delivered.", "物流显示签收的日期。"),
    "as_of_date": ("Review date", "处理日期", "The day you review the case.", "你处理此案例的日期。"),
    "promised_delivery_days": ("Promised delivery (days)", "承诺时效（天）", "Counted from the ship date.",
                               "从发货日起计算。"),
    "tracking_status": ("Tracking status", "物流状态", "", ""),
    "buyer_request": ("Buyer asks for", "买家诉求", "", ""),
    "buyer_photos": ("Buyer sent photos or video", "买家提供了照片或视频", "", ""),
    "seller_packing_photos": ("I photographed and weighed the parcel", "发货前已拍照称重", "", ""),
    "proof_of_delivery": ("Proof of delivery", "有签收证明", "Signature, photo or carrier confirmation.",
                          "签名、照片或物流公司确认。"),
    "chat_history": ("Conversation saved", "已保存聊天记录", "", ""),
    "item_resellable": ("Item can be sold again", "商品可二次销售", "", ""),
    "mismatch": ("What differs", "不符之处", "", ""),
    "listing_error": ("My listing was wrong", "详情页描述有误", "Check the listing against the photos.",
                      "把详情页与买家照片比对。"),
    "wrong_item_sent": ("A wrong item or variant was sent", "发错了商品或款式", "You checked: not what was ordered.",
                        "已核对：发出的商品或款式与订单不符。"),
    "damage_severity": ("Damage", "损坏程度", "", ""),
    "missing_parts": ("Parts or accessories missing", "缺少零件或配件", "", ""),
    "packaging_damaged": ("Outer packaging arrived damaged", "外包装到货时已破损", "Points at the carrier.",
                          "说明责任可能在物流。"),
    "insured": ("Shipment insured", "包裹已投保", "A carrier claim is possible.", "可以向物流公司索赔。"),
    "cancel_reason": ("Why cancel", "取消原因", "", ""),
    "buyer_prior_disputes": ("Buyer's earlier disputes", "买家以往纠纷次数", "", ""),
    "review_threat": ("Buyer threatens a bad review", "买家以差评威胁", "", ""),
    "buyer_name": ("Buyer name", "买家称呼", "", ""),
    "shop_name": ("Shop name", "店铺名称", "", ""),
    "order_id": ("Order number", "订单号", "", ""),
    "tracking_number": ("Tracking number", "物流单号", "", ""),
    "carrier": ("Carrier", "物流公司", "", ""),
    "buyer_language": ("Buyer's language", "买家语言", "Language of the message, unless the platform requires one.",
                       "回复买家的语言（平台有要求时以平台为准）。"),
    "buyer_country": ("Buyer country", "买家国家", "Two letters, such as US.", "两位字母代码，如 US。"),
    "sku": ("SKU", "商品编码", "Your product code.", "你的商品编码（SKU）。"),
    "product_title": ("Product title", "商品标题", "", ""),
    "action_taken": ("Action taken", "实际处理方案", "Closed case: what you did.", "已结案：实际采取的方案。"),
    "outcome": ("Outcome", "结果", "Closed case: how it ended.", "已结案：最终结果。"),
    "amount_paid": ("Amount paid", "实际支付金额", "Closed case: what you paid out.", "已结案：实际赔付金额。"),
    "closed_date": ("Closed on", "结案日期", "Closed case: the day it ended.", "已结案：结案日期。"),
    "review_left": ("Review left", "买家评价", "The buyer's review, if any.", "买家留下的评价（如有）。"),
}

CHOICE_TEXT = {
    "platform": {"aliexpress": ("AliExpress", "速卖通"), "amazon": ("Amazon", "亚马逊"), "ebay": ("eBay", "eBay"),
                 "shopify": ("Shopify", "Shopify"), "taobao": ("Taobao", "淘宝"), "douyin": ("Douyin", "抖音"),
                 "other": ("Other", "其他")},
    "tracking_status": {"none": ("No tracking", "无物流信息"), "pre_transit": ("Label created", "已下单未揽收"),
                        "in_transit": ("In transit", "运输中"), "stalled": ("Stalled", "停滞"),
                        "customs_hold": ("Held at customs", "海关扣留"), "delivered": ("Delivered", "已签收"),
                        "returned_to_sender": ("Returned to sender", "已退回"), "lost": ("Lost", "已丢失")},
    "buyer_request": {"full_refund": ("Full refund", "全额退款"), "partial_refund": ("Partial refund", "部分退款"),
                      "return_refund": ("Return and refund", "退货退款"), "exchange": ("Exchange", "换货"),
                      "reship": ("Send again", "补发"), "cancel": ("Cancel", "取消订单"),
                      "unspecified": ("Not said", "未说明")},
    "mismatch": {"color": ("Colour", "颜色"), "size": ("Size", "尺码"), "function": ("Function", "功能"),
                 "quality": ("Quality", "质量"), "counterfeit": ("Counterfeit", "假货"), "other": ("Other", "其他")},
    "damage_severity": {"cosmetic": ("Cosmetic", "外观瑕疵"), "functional": ("Does not work properly", "功能受损"),
                        "unusable": ("Unusable", "无法使用")},
    "cancel_reason": {"changed_mind": ("Changed mind", "不想要了"), "out_of_stock": ("Out of stock", "缺货"),
                      "shipping_delay": ("Shipping delay", "发货延迟"), "wrong_address": ("Wrong address", "地址错误"),
                      "price_error": ("Price error", "价格错误"), "duplicate_order": ("Duplicate order", "重复下单")},
    "buyer_language": {"en": ("English", "英语"), "zh": ("Chinese", "中文"), "es": ("Spanish", "西班牙语"),
                       "ru": ("Russian", "俄语"), "pt": ("Portuguese", "葡萄牙语"), "fr": ("French", "法语")},
    "outcome": {"resolved_with_buyer": ("Settled with the buyer", "与买家协商解决"),
                "buyer_withdrew": ("Buyer withdrew", "买家撤诉"),
                "platform_for_seller": ("Platform ruled for you", "平台判卖家胜"),
                "platform_for_buyer": ("Platform ruled for the buyer", "平台判买家胜"),
                "chargeback": ("Chargeback", "拒付"), "open": ("Still open", "未结案")},
    "review_left": {"positive": ("Positive", "好评"), "neutral": ("Neutral", "中评"), "negative": ("Negative", "差评")},
    "_tristate": {True: ("Yes", "是"), False: ("No", "否")},
}

UI = {
    # punctuation between a label and its text, between parts, and around an aside
    "colon": (": ", "："), "comma": (", ", "，"), "aside": (" ({})", "（{}）"), "brackets": ("({})", "（{}）"),
    # the batch command's summary on the terminal
    "run_summary": ("{rows} rows: {decided} decided, {rejected} rejected -> {out}",
                    "{rows} 行：{decided} 个已决定，{rejected} 个被拒绝 -> {out}"),
    "report_at": ("report: {path}", "报告：{path}"),
    # the batch's notes (terminal and summary.json), in the run's language
    "note": ("note: {}", "注意：{}"),
    "note_misspelt_column": ("column {header!r} is not read: it is not a field of the case contract; did you mean "
                             "{field!r}? Every case was decided without it: rename the column and run again",
                             "未读取列 {header!r}：它不是案例约定中的字段；是否想写 {field!r}？所有案例都是在没有这一列的"
                             "情况下决定的：请重命名该列后重新运行"),
    "note_sheet": ("read the sheet {sheet!r}: its header names the most case fields (the workbook's first sheet "
                   "names fewer)", "读取了工作表 {sheet!r}：它的表头包含的案例字段最多（工作簿的第一个工作表包含的较少）"),
    "note_resumed": ("resumed: {done:,} of {total:,} cases were decided and written by the stopped run ({chunks_done} "
                     "of {chunks} chunks); the rest are decided now",
                     "已续跑：中断的运行已决定并写出 {done:,} / {total:,} 个案例（{chunks_done} / {chunks} 块）；其余的现在决定"),
    "note_no_xlsx": ("{file} not written: {rows} rows is more than --xlsx-max-rows {most}; open {csv} instead",
                     "未写出 {file}：{rows} 行超过 --xlsx-max-rows {most}；请打开 {csv}"),
    "note_parquet_parts": ("results: {path} ({n} Parquet {parts})", "结果：{path}（{n} 个 Parquet 分片）"),
    "note_per_case": ("per-case notebooks: {ran} ran, {failed} failed{see} -> {folder}",
                      "逐案笔记本：{ran} 个已运行，{failed} 个失败{see} -> {folder}"),
    "note_see_notebook_errors": (" (see notebook_errors.csv)", "（见 notebook_errors.csv）"),
    "language": ("Language", "语言"),
    "recommend": ("Recommend", "给出建议"),
    "section_order": ("Order", "订单"),
    "section_shipping": ("Shipping", "物流"),
    "section_dispute": ("The dispute", "纠纷情况"),
    "section_evidence": ("Evidence you have", "已有证据"),
    "section_buyer": ("Buyer and message", "买家与消息"),
    "section_costs": ("Costs (optional)", "成本（可选）"),
    "fix_first": ("Fix the fields marked in red, then press Recommend.", "请先修正标红的字段，再点击“给出建议”。"),
    "press_recommend": ("Fill in the case and press Recommend.", "填写案例后点击“给出建议”。"),
    "resolution": ("Resolution", "处理方案"),
    "why": ("Why", "理由"),
    "refund": ("Refund", "退款"),
    "est_cost": ("Estimated cost to you", "预计成本"),
    "saving": ("a saving of {amount}", "节省 {amount}"),
    "unknown": ("unknown", "未知"),
    "what_would_change": ("What would change it", "什么会改变结论"),
    "evidence": ("Evidence checklist", "证据清单"),
    "have": ("you have", "已有"),
    "missing": ("still missing", "仍缺"),
    "no_evidence": ("This decision needs no evidence.", "此决定不需要证据。"),
    "risk_flags": ("Risk flags", "风险提示"),
    "no_risk": ("None found.", "未发现。"),
    "next_steps": ("Next steps", "下一步"),
    "deadline": ("by", "截止"),
    "chart": ("Estimated cost of each option", "各方案预计成本"),
    "cost_unknown_note": ("Cost unknown until you enter — ", "成本未知，需填写——"),
    "chosen": ("chosen", "已选"),
    "message": ("Message to the buyer (edit before sending)", "给买家的消息（发送前可修改）"),
    "message_language": ("Message language", "消息语言"),
    "characters": ("characters", "字符"),
    "no_limit": ("no platform limit", "平台无字数限制"),
    "over_limit": ("over the platform's limit", "超出平台字数限制"),
    "case": ("Case", "案例"),
    "buyer": ("buyer", "买家"),
    "as_of": ("reviewed on", "处理日期"),
    "rule": ("Rule", "规则"),
    "cannot_decide": ("This case cannot be decided until these fields are fixed:",
                      "以下字段有误，修正后才能给出建议："),
    "unknown_choice": ("(unknown)", "（未知）"),
    "edits_kept": ("Your edits to the message are kept. The new text for this case is ready:",
                   "你对消息的修改已保留。本案例的新文本已生成："),
    "use_new_text": ("Replace my edits with the new text", "用新文本替换我的修改"),
    "platform_requires": ("{platform} requires messages in {language}: the message is in {language}.",
                          "{platform}要求使用{language}发送消息，因此消息为{language}。"),
    "no_text_in": ("This message has no {language} text yet: it is shown in English.",
                   "此消息暂无{language}版本，已改用英语。"),
    "simplified_for_traditional": ("This message has no Traditional Chinese text yet: it is shown in Simplified Chinese.",
                                   "此消息暂无繁体中文版本，已改用简体中文。"),
    "show_guide": ("Show the guide: causes and the evidence that wins", "查看指南：常见原因与关键证据"),
    "home": ("← Start page", "← 返回开始页"),
    "workshop_link": ("Practising in a workshop? Open the workshop practice.", "参加培训？打开培训练习。"),
    "teaching_example": ("Teaching example, not your case: the form starts from these made-up facts. "
                         "Replace them with your case's facts (empty = unknown) and press Recommend.",
                         "教学示例，不是你的案例：表单预填的是虚构的事实。请换成你的案例事实（留空=未知），再点击给出建议。"),
    "example_heading": ("Teaching example", "教学示例"),
    "example_leftovers": ("Still the teaching example's: {names}. The buyer message prints them: replace them "
                          "with your case's, or empty them, before you send it.",
                          "以下仍是教学示例的内容：{names}。买家消息会写出这些内容：发送前请换成你的案例的内容，或清空。"),
    "cannot_recommend_now": ("No recommendation can be made until this is fixed (tell your trainer):",
                             "修正以下问题之前无法给出建议（请告知培训老师）："),
    "cannot_show_page": ("This page cannot be shown until this is fixed (tell your trainer):",
                         "修正以下问题之前无法显示本页（请告知培训老师）："),
}


def ui(key: str, lang: str) -> str:
    en, zh = UI[key]
    return zh if lang == "zh" else en


def field_label(name: str, lang: str) -> str:
    text = FIELD_TEXT[name]
    return text[1] if lang == "zh" else text[0]


def field_help(name: str, lang: str) -> str:
    text = FIELD_TEXT[name]
    return text[3] if lang == "zh" else text[2]


def lead_in(label: str, lang: str, bold=("", "")) -> str:
    """A label before its text: "Why: " / "理由：" (a Chinese colon carries its own space); `bold`
    wraps the label and its colon ("<b>", "</b>" or "**", "**")."""
    colon = ui("colon", lang)
    return f"{bold[0]}{label}{colon.rstrip()}{bold[1]}{colon[len(colon.rstrip()):]}"


def choice_label(field: str, value, lang: str) -> str:
    labels = CHOICE_TEXT.get(field, {}).get(value)
    if labels is None:
        return language_name(str(value), lang) if field == "buyer_language" else str(value)
    return labels[1] if lang == "zh" else labels[0]


@lru_cache(maxsize=256)
def language_name(code: str, lang: str) -> str:
    """A language code's name in the UI language from CLDR (babel): de → German / 德语，zh-Hant →
    Traditional Chinese / 繁体中文；a code CLDR does not know is shown as it is."""
    from babel import Locale
    names = Locale("zh" if lang == "zh" else "en").languages
    return names.get(code.replace("-", "_")) or names.get(code.split("-")[0]) or code


@lru_cache(maxsize=512)
def country_name(code, lang: str) -> str:
    """A country code's name in the UI language from CLDR (babel): GB → United Kingdom / 英国；a code
    CLDR does not know is shown as it is."""
    from babel import Locale
    return Locale("zh" if lang == "zh" else "en").territories.get(str(code).upper(), str(code))


def evidence_label(evidence_id: str, lang: str) -> str:
    return EVIDENCE[evidence_id][2 if lang == "zh" else 1]


BUNDLED_GUIDES = PLAYBOOK_DIR / "guides"


def guide(name: str) -> dict:
    """A guide file (a dispute type, or `process`): {lang: {title, intro, sections: [{heading, items}]}}.

    Read from the active playbook folder's guides/ when it has one, else from the bundled guides;
    read again when the file changed (a trainer's edit shows without a restart, as the rules' do)."""
    import os
    own = playbook_dir() / "guides" / f"{name}.yaml"
    path = own if own.exists() else BUNDLED_GUIDES / f"{name}.yaml"
    try:
        st = os.stat(path)
        state = (st.st_mtime_ns, st.st_size)
    except OSError:
        state = None  # load_yaml says what is wrong with it
    return _guide_file(str(path), state)


@lru_cache(maxsize=32)
def _guide_file(path: str, state) -> dict:
    data, err = load_yaml(path)
    problems = [err] if err else guide_problems(path, data)
    if problems:  # file and line, as every playbook mistake is told (a page showed a traceback)
        from ..core.exceptions import PlaybookError
        raise PlaybookError(problems)
    return data


def guide_problems(path, data) -> list:
    """What is wrong with a guide file's layout: en and zh, each with title, intro and sections of a
    heading and a list of texts."""
    from ..core.exceptions import PlaybookProblem
    from ..core.yamlio import line_of
    out = []
    for lang in ("en", "zh"):
        g = data.get(lang) if isinstance(data, dict) else None
        line = line_of(data, lang, 1) if isinstance(data, dict) else 1
        if not isinstance(g, dict) or not str(g.get("title") or "").strip() or not str(g.get("intro") or "").strip():
            out.append(PlaybookProblem(path, line, f"{lang}: a guide needs `title:` and `intro:` texts",
                                       "see guides/process.yaml for the layout"))
            continue
        for i, section in enumerate(g.get("sections") or ()):
            if not (isinstance(section, dict) and section.get("heading") and isinstance(section.get("items"), list)):
                out.append(PlaybookProblem(path, line_of(g.get("sections"), i, line),
                                           f"{lang}: section {i + 1} needs `heading:` and a list of `items:`",
                                           "write `- heading: ...` then `items:` with `- ...` lines"))
                continue
            for j, item in enumerate(section["items"]):
                if not isinstance(item, str):  # `- Do this: then that` reads as a mapping
                    out.append(PlaybookProblem(path, line_of(section["items"], j, line),
                                               f"{lang}: section {i + 1}, item {j + 1} is not a text",
                                               "put the item in quotes: a colon followed by a space makes "
                                               "YAML read it as `key: value`"))
    return out


def guide_markdown(name: str, lang: str) -> str:
    g = guide(name)[lang if lang in UI_LANGUAGES else "en"]
    parts = [f"## {g['title']}", g["intro"].strip()]
    for section in g.get("sections", ()):
        parts.append(f"**{section['heading']}**")
        parts.append("\n".join(f"- {item}" for item in section["items"]))
    return "\n\n".join(parts)


def guide_html(name: str, lang: str, folded: bool = False) -> str:
    """The guide as HTML for an HTML widget; every text is escaped (guides are data, not markup).
    Folded: the title and intro, the sections behind a "show the guide" disclosure (the form comes first)."""
    g = guide(name)[lang if lang in UI_LANGUAGES else "en"]
    esc = html.escape
    head = [f"<h3>{esc(g['title'])}</h3>", f"<p>{esc(g['intro'].strip())}</p>"]
    parts = []
    for section in g.get("sections", ()):
        items = "".join(f"<li>{esc(item)}</li>" for item in section["items"])
        parts.append(f"<p><b>{esc(section['heading'])}</b></p><ul>{items}</ul>")
    if folded:
        return (f"<h3>{esc(g['title'])}</h3><details><summary>{esc(g['intro'].strip())} "
                f"<u>{esc(ui('show_guide', lang))}</u></summary>{''.join(parts)}</details>")
    return "".join(head + parts)
