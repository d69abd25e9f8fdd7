"""The words of the batch review report in English and Chinese: section headings and their opening
sentences, column headings, chart words, and the labels of the codes the run's files hold."""
from __future__ import annotations

from dataclasses import dataclass

from .health_report import SECTIONS as HEALTH_SECTIONS

SECTIONS = ("Cases by dispute type and resolution", "Refunds and estimated cost by platform and currency",
            "Rates by buyer country", "Risk-flagged cases", "Most often missing evidence", *HEALTH_SECTIONS,
            "Rejected rows", "Policy what-if")
# Each section's heading and opening sentence, in the run's language (summary.json's `lang`).
SECTION_TEXT = {
    "title": (("Batch review", "What the playbook decided for every case of one batch run, for the manager who reads it. "
               "The numbers come from the run's `recommendations.csv`, `errors.csv` and (for a policy what-if) "
               "`whatif.json`; every table and chart is made by `helpers.batch.report`."),
              ("批量审阅", "本次批量运行中手册对每个案例的决定,供负责人阅读。数字来自本次运行的 `recommendations.csv`、"
               "`errors.csv` 以及(政策模拟时)`whatif.json`;每张表和图都由 `helpers.batch.report` 生成。")),
    SECTIONS[0]: (("How each kind of dispute was settled.",), ("纠纷处理结果", "每类纠纷是如何处理的。")),
    SECTIONS[1]: (("Money is summed per currency, never across currencies. `cost_unknown` counts cases whose item or "
                   "shipping cost was not given.",),
                  ("各平台、各币种的退款与预计成本", "金额按币种分别合计,不同币种从不相加。“成本未知”是未给出商品或运费成本的案例数。")),
    SECTIONS[2]: (("The return rate by region the seller guides recommend watching: the share of cases refunded, the "
                   "share returned, and refunds as a share of the order value.",),
                  ("各买家国家的比率", "卖家指南建议关注的各地区退货率:退款案例占比、退货案例占比,以及退款占订单金额的比例。")),
    SECTIONS[3]: (("Repeat disputers, review extortion, buyers who want the goods and the money: check these before paying.",),
                  ("有风险提示的案例", "多次纠纷、差评要挟、既要货又要钱的买家:付款前先核查这些案例。")),
    SECTIONS[4]: (("What the playbook asked for and the cases lacked: collecting it wins disputes.",),
                  ("最常缺少的证据", "手册要求而案例缺少的证据:收集齐全才能赢得纠纷。")),
    HEALTH_SECTIONS[0]: (("Disputes by SKU × dispute type × mismatch (colour, size, quality…), from `products.csv`.",),
                         ("按商品统计的纠纷", "按 SKU × 纠纷类型 × 不符之处(颜色、尺码、质量……)统计的纠纷,来自 `products.csv`。")),
    HEALTH_SECTIONS[1]: (("The fix for \"not as described\" is the listing: SKUs whose not-as-described disputes mostly "
                          "share one mismatch.",),
                         ("需修改的商品详情页", "“与描述不符”的根源在详情页:其“与描述不符”纠纷大多属于同一种不符之处的 SKU。")),
    HEALTH_SECTIONS[2]: (("By the week of each case's own review date (`as_of_date`).",),
                         ("每周纠纷数", "按每个案例自身处理日期(`as_of_date`)所在的周统计。")),
    HEALTH_SECTIONS[3]: (("Every dispute counts against the shop's order defect rate: disputes per order, by type, "
                          "against the targets the shop sets in `playbook/parameters.yaml` (`dispute_rate_targets`).",),
                         ("纠纷率与目标", "每起纠纷都计入店铺的订单缺陷率:按类型统计的每单纠纷数,与店铺在 "
                          "`playbook/parameters.yaml`(`dispute_rate_targets`)中设定的目标对比。")),
    SECTIONS[-2]: (("Rows that break the case contract, by field, and the first of them with the reason (all are in "
                    "`errors.csv`).",),
                   ("被拒绝的行", "不符合案例约定的行:按字段统计,并列出前几行及原因(全部见 `errors.csv`)。")),
    SECTIONS[-1]: (("With `--set PARAM=VALUE` the batch is decided under the changed policy and compared with the "
                    "playbook as it is.",),
                   ("政策模拟", "使用 `--set PARAM=VALUE` 时,批量案例按修改后的政策决定,并与现行手册对比。")),
}
# Column headings in Chinese (English runs keep the column names of the run's files, to filter on).
COLUMNS_ZH = {
    "dispute_type": "纠纷类型", "platform": "平台", "currency": "币种", "cases": "案例数", "refunded_cases": "退款案例数",
    "refund_total": "退款合计", "est_cost_total": "预计成本合计", "cost_unknown": "成本未知", "buyer_country": "买家国家",
    "refund_rate": "退款率", "return_rate": "退货率", "refund_share_of_value": "退款占订单金额", "risk_flag": "风险提示",
    "meaning": "含义", "case_id": "案例编号", "resolution": "处理方案", "order_value": "订单金额", "risk_flags": "风险提示",
    "evidence": "证据", "share_of_cases": "占案例比例", "field": "字段", "rows": "行数", "row": "行", "message": "原因",
    "from": "原方案", "to": "新方案", "baseline_cost": "现行成本", "policy_cost": "新政策成本", "cost_delta": "成本变化",
    "refund_delta": "退款变化", "baseline_refunds": "现行退款", "policy_refunds": "新政策退款", "total": "合计",
    "sku": "商品编码", "product_title": "商品标题", "not_as_described": "与描述不符", "mismatch": "不符之处",
    "share": "占比", "disputes": "纠纷数", "orders": "订单数", "rate": "纠纷率", "target": "目标", "status": "状态",
    "week": "周", "week (Monday)": "周(周一)",
}
WORDS = {  # other words of tables and charts: (English, Chinese)
    "refund_rate": ("refund rate", "退款率"), "return_rate": ("return rate", "退货率"),
    "buyer_country": ("buyer country", "买家国家"),
    "total": ("total", "合计"), "all": ("all types", "全部类型"), "unknown": ("(unknown)", "(未知)"),
    "cases": ("cases", "案例数"), "share of cases": ("share of cases", "占案例比例"),
    "Resolution by dispute type": ("Resolution by dispute type", "各纠纷类型的处理方案"),
    "Refund and return rate by buyer country": ("Refund and return rate by buyer country", "各买家国家的退款率与退货率"),
    "Missing evidence (cases)": ("Missing evidence (cases)", "缺少的证据(案例数)"),
    "Decisions under both policies": ("Decisions under both policies", "两种政策下的决定"),
    "playbook as it is": ("playbook as it is", "现行手册"), "changed policy": ("changed policy", "修改后的政策"),
    "no target set": ("no target set", "未设目标"), "above target": ("above target", "高于目标"),
    "within target": ("within target", "达到目标"), "no rows": (
        "The input has no rows, so there is nothing to count here.", "输入没有任何行,此处没有可统计的内容。"),
    "no decided": ("No case was decided (every row was rejected), so there is nothing to count here.",
                   "没有案例得到决定(所有行均被拒绝),此处没有可统计的内容。"),
    "no flagged": ("No decided case raised a risk flag.", "没有任何已决定的案例触发风险提示。"),
    "no missing": ("No decided case lacked evidence the playbook asked for.", "没有已决定的案例缺少手册要求的证据。"),
    "no rejected": ("No row was rejected.", "没有被拒绝的行。"),
}

@dataclass
class Labels:
    """code -> words in one language, from the playbook (resolutions, dispute types, risk flags) and the
    form's labels (platforms, mismatches): what people read instead of the codes the CSV files hold."""
    lang: str
    resolution: dict
    dispute_type: dict
    platform: dict
    flag: dict        # flag id -> its short name (the flag's text up to its first colon)
    flag_text: dict   # flag id -> its whole sentence
    mismatch: dict
    field: dict       # case field -> its label on the form

    def word(self, key: str) -> str:
        en, zh = WORDS[key]
        return zh if self.lang == "zh" else en


def labels_for(summary: dict, lang: str = "en") -> Labels:
    """The labels of the playbook the run used (summary.json's `playbook` when it names one, else the
    bundled playbook), under the run's --set values, in `lang`."""
    from ..advice.recommend import localised
    from ..core.fields import DISPUTE_TYPES, PLATFORMS
    from ..playbook.validate import load_checked
    from ..playbook.labels import CHOICE_TEXT, FIELD_TEXT, choice_label, field_label
    pb = load_checked(summary.get("playbook") or None)
    if summary.get("params"):  # the run's --set values: already checked by the run itself
        pb = pb.with_params(summary["params"])
    text = {f: localised(pb, spec, lang) for f, spec in pb.risk_flags.items()}
    short = {}
    for f, sentence in text.items():
        cut = min((i for i in (sentence.find(":"), sentence.find("\uff1a")) if i > 0), default=-1)
        short[f] = sentence[:cut].strip() if cut > 0 else sentence
    return Labels(lang, {r: localised(pb, t, lang) for r, t in pb.resolutions.items()},
                  {d: localised(pb, pb.tables[d].title, lang) if d in pb.tables else d for d in DISPUTE_TYPES},
                  {p: choice_label("platform", p, lang) if p in CHOICE_TEXT["platform"] else
                   str(pb.platforms.get(p, {}).get("name", p)) for p in {*PLATFORMS, *pb.platforms}},
                  short, text, {m: choice_label("mismatch", m, lang) for m in CHOICE_TEXT["mismatch"]},
                  {f: field_label(f, lang) for f in FIELD_TEXT})
