"""The words of the batch review report in English and Chinese: section headings and their opening
sentences, column headings, chart words, and the labels of the codes the run's files hold."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

# the product and shop health sections (helpers.batch.health_report), in the batch and the backtest report alike
HEALTH_SECTIONS = ("Disputes by product", "Listings to fix", "Disputes per week", "Dispute rate against target")

SECTIONS = ("Cases by dispute type and resolution", "Refunds and estimated cost by platform and currency",
            "Rates by buyer country", "Risk-flagged cases", "Most often missing evidence", *HEALTH_SECTIONS,
            "Rejected rows", "Policy what-if")
# The backtest report's own sections (helpers.batch.backtest_report adds the health sections between).
BACKTEST_TITLE = "Backtest report"
BACKTEST_SECTIONS = ("Recommended × done", "Outcomes and money by (recommended, done)", "Paid against the playbook",
                     "Rules that lose when followed", "Departed from the playbook and did better", "Settings compared")
# Each section's heading and opening sentence, in the run's language (summary.json's `lang`).
SECTION_TEXT = {
    "title": (("Batch review", "What the playbook decided for every case of one batch run, for the manager who reads it. "
               "The numbers come from the run's `recommendations.csv`, `errors.csv` and (for a policy what-if) "
               "`whatif.json`."),
              ("批量审阅", "本次批量运行中手册对每个案例的决定，供负责人阅读。数字来自本次运行的 `recommendations.csv`、"
               "`errors.csv` 以及（政策模拟时）`whatif.json`。")),
    SECTIONS[0]: (("How each kind of dispute was settled.",), ("纠纷处理结果", "每类纠纷是如何处理的。")),
    SECTIONS[1]: (("Money is summed per currency, never across currencies. “cost unknown” counts cases whose item "
                   "or shipping cost was not given.",),
                  ("各平台、各币种的退款与预计成本", "金额按币种分别合计，不同币种从不相加。“成本未知”是未给出商品或运费成本的案例数。")),
    SECTIONS[2]: (("The return rate by region the seller guides recommend watching: the share of cases refunded, the "
                   "share returned, and refunds as a share of the order value.",),
                  ("各买家国家的比率", "卖家指南建议关注的各地区退货率：退款案例占比、退货案例占比，以及退款占订单金额的比例。")),
    SECTIONS[3]: (("Repeat disputers, review extortion, buyers who want the goods and the money: check these before paying.",),
                  ("有风险提示的案例", "多次纠纷、差评要挟、既要货又要钱的买家：付款前先核查这些案例。")),
    SECTIONS[4]: (("What the playbook asked for and the cases lacked: collecting it wins disputes.",),
                  ("最常缺少的证据", "手册要求而案例缺少的证据：收集齐全才能赢得纠纷。")),
    HEALTH_SECTIONS[0]: (("Disputes by SKU × dispute type × mismatch (colour, size, quality…), from `products.csv`.",),
                         ("按商品统计的纠纷", "按 SKU × 纠纷类型 × 不符之处（颜色、尺码、质量……）统计的纠纷，来自 `products.csv`。")),
    HEALTH_SECTIONS[1]: (("The fix for \"not as described\" is the listing: SKUs whose not-as-described disputes mostly "
                          "share one mismatch.",),
                         ("需修改的商品详情页", "“与描述不符”的根源在详情页：其“与描述不符”纠纷大多属于同一种不符之处的 SKU。")),
    # no opening sentence: the section's own first sentence says how weeks are counted and what is left out
    HEALTH_SECTIONS[2]: ((HEALTH_SECTIONS[2], ""), ("每周纠纷数", "")),
    HEALTH_SECTIONS[3]: (("Every dispute counts against the shop's order defect rate: disputes per order, by type, "
                          "against the targets the shop sets in `playbook/parameters.yaml` (`dispute_rate_targets`).",),
                         ("纠纷率与目标", "每起纠纷都计入店铺的订单缺陷率：按类型统计的每单纠纷数，与店铺在 "
                          "`playbook/parameters.yaml`（`dispute_rate_targets`）中设定的目标对比。")),
    SECTIONS[-2]: (("Rows that break the case contract, by field, and the first of them with the reason (all are in "
                    "`errors.csv`).",),
                   ("被拒绝的行", "不符合案例约定的行：按字段统计，并列出前几行及原因（全部见 `errors.csv`）。")),
    SECTIONS[-1]: (("With `--set PARAM=VALUE` the batch is decided under the changed policy and compared with the "
                    "playbook as it is.",),
                   ("政策模拟", "使用 `--set PARAM=VALUE` 时，批量案例按修改后的政策决定，并与现行手册对比。")),
    BACKTEST_TITLE: (("Backtest report", "The playbook's advice beside what the team did and how each case ended, from "
                      "one `dispute-playbook backtest` folder (`backtest.csv`, `summary.json`). *Observed* figures are "
                      "what the history says; *estimated* ones are the cost model's, used only where the team did "
                      "something else. Cases still open are left out of every outcome figure; money is never added "
                      "across currencies."),
                     ("回测报告", "手册的建议与团队的实际做法及每个案例的结果并列对照，数据来自一次 `dispute-playbook backtest` "
                      "的输出文件夹（`backtest.csv`、`summary.json`）。*实际*数字来自历史记录；*预计*数字来自成本模型，"
                      "只用于团队没有按手册处理的案例。尚未结案的案例不计入任何结果统计；金额从不跨币种相加。")),
    BACKTEST_SECTIONS[0]: (("Rows: what the playbook recommends; columns: what the team did (cases with a recorded "
                            "action).",),
                           ("手册建议 × 实际处理", "行：手册建议的方案；列：团队实际采取的方案（只含记录了实际处理方案的案例）。")),
    BACKTEST_SECTIONS[1]: (("Closed cases only; money paid per currency.",),
                           ("按（手册建议，实际处理）统计的结果与金额", "只含已结案例；实付金额按币种分列。")),
    BACKTEST_SECTIONS[2]: (("What the team paid, against what following the playbook would likely have cost: *observed* "
                            "where the team did what the playbook says, *estimated* by the cost model where it did not. "
                            "Each total covers the cases where it is known; the cases it leaves out (no amount paid, "
                            "no cost) are counted beside it and, when there are any, both sides are compared again "
                            "over the cases where both are known.",),
                           ("实付与按手册处理的对比", "团队实际支付的金额，对比按手册处理可能的花费：团队按手册处理的案例用"
                            "*实际*金额，没有按手册处理的用成本模型的*预计*金额。每项合计只含金额已知的案例；未计入的案例"
                            "（没有实付金额或成本）在旁边计数，若有未计入的案例，再按两者都已知的案例重新对比。")),
    BACKTEST_SECTIONS[3]: (("Rules (per platform) whose advice, when followed, most often ended with the platform ruling "
                            "for the buyer or with a negative review, worst first.",),
                           ("按手册处理却常输的规则", "按平台统计：照其建议处理后，最常以平台判买家胜或差评告终的规则，最差的在前。")),
    BACKTEST_SECTIONS[4]: (("The team did something else, the case ended well, and it paid less than the playbook's "
                            "estimated cost. Remember the selection bias: the team chose where to depart.",),
                           ("没有按手册处理且结果更好", "团队采取了其他方案，案例结果良好，且实付低于手册方案的预计成本。"
                            "注意选择偏差：在哪些案例上偏离手册是团队自己选的。")),
    BACKTEST_SECTIONS[5]: (("Only with `--set` or `--grid`: each setting replayed on the same history, beside the "
                            "playbook as it is (the first row, the one to beat). Score = average "
                            "cost share (amount paid / order value; observed where the setting's advice is what the team "
                            "did, else estimated from the cases that followed the same rule) + share lost on the "
                            "platform; lowest is best.",),
                           ("参数设置对比", "只在使用 `--set` 或 `--grid` 时：每种设置都在同一份历史上重新回放，"
                            "并与现行手册（第一行，需要胜过的基准）对比。得分 = "
                            "平均成本占比（实付 / 订单金额；设置的建议与团队做法相同时用实际值，否则按照同一规则处理的案例估算）"
                            "+ 在平台上判输的比例；越低越好。")),
}
# Column headings in Chinese (column_heading: English headings are the codes in words).
COLUMNS_ZH = {
    "dispute_type": "纠纷类型", "platform": "平台", "currency": "币种", "cases": "案例数", "refunded_cases": "退款案例数",
    "refund_total": "退款合计", "est_cost_total": "预计成本合计", "cost_unknown": "成本未知", "buyer_country": "买家国家",
    "refund_rate": "退款率", "return_rate": "退货率", "refund_share_of_value": "退款占订单金额", "risk_flag": "风险提示",
    "meaning": "含义", "case_id": "案例编号", "resolution": "处理方案", "order_value": "订单金额", "risk_flags": "风险提示",
    "evidence": "证据", "share_of_cases": "占案例比例", "field": "字段", "rows": "行数", "row": "行", "message": "原因",
    "from": "原方案", "to": "新方案", "baseline_cost": "现行成本", "policy_cost": "新政策成本", "cost_delta": "成本变化",
    "refund_delta": "退款变化", "baseline_refunds": "现行退款", "policy_refunds": "新政策退款",
    "baseline_refund": "现行退款", "policy_refund": "新政策退款", "cases_cost_unknown": "成本未知的案例数（新政策）",
    "baseline_cases_cost_unknown": "成本未知的案例数（现行）", "total": "合计",
    "cases_cost_compared": "两种政策下成本都已知的案例数",
    "sku": "商品编码", "product_title": "商品标题", "not_as_described": "与描述不符", "mismatch": "不符之处",
    "share": "占比", "disputes": "纠纷数", "orders": "订单数", "rate": "纠纷率", "target": "目标", "status": "状态",
    "week": "周", "week (Monday)": "周（周一）", "not_placed": "无法归入的纠纷数",
    # the backtest report's (helpers.batch.backtest_report: backtest.csv's columns and its own headings)
    "recommended": "手册建议", "done": "实际处理", "rule_id": "规则编号", "rule_title": "规则", "action_taken": "实际处理方案",
    "outcome": "结果", "amount_paid": "实付金额", "est_cost": "预计成本", "closed cases": "已结案例数",
    "outcomes (all currencies)": "结果（所有币种）", "paid": "实付", "team paid": "团队实付",
    "playbook: observed": "按手册：实际", "playbook: estimated": "按手册：预计", "playbook: total": "按手册：合计",
    "playbook's cost unknown (cases)": "按手册的成本未知（案例数）", "team's amount unknown (cases)": "团队实付未知（案例数）",
    "both known (cases)": "两者都已知（案例数）", "both known: team paid": "两者都已知：团队实付",
    "both known: playbook": "两者都已知：按手册", "followed cases": "按手册处理的案例数",
    "platform ruled for the buyer": "平台判买家胜", "negative reviews": "差评数", "share that ended badly": "结果不利的占比",
    "saved against the estimate": "比预计节省", "setting": "设置", "decisions changed": "改变的决定数",
    "share lost on the platform": "在平台上判输的比例", "cost share": "成本占比", "score": "得分",
    "cases done as advised": "按该设置建议处理的案例数",
}
# English column headings where the code with spaces for underscores does not read well
COLUMNS_EN = {"est_cost_total": "estimated cost total", "est_cost": "estimated cost", "case_id": "case ID",
              "cases_cost_unknown": "cases with cost unknown (new policy)",
              "baseline_cases_cost_unknown": "cases with cost unknown (current)",
              "cases_cost_compared": "cases with cost known under both",
              "rule_id": "rule ID", "rule_title": "rule", "sku": "SKU", "refund_share_of_value": "refunds / order value",
              "cost_unknown": "cost unknown (cases)", "message": "reason",
              "not_placed": "disputes not placed (no date or platform)"}


def column_heading(code: str, lang: str) -> str:
    """A table's column code as a heading people read: its words in the run's language, never the code."""
    if lang == "zh":
        return COLUMNS_ZH.get(code, code)
    return COLUMNS_EN.get(code) or str(code).replace("_", " ")


# The backtest command's summary on the terminal, in the run's language (--lang)
CONSOLE = {
    "rows": ("{rows} rows: {decided} decided, {rejected} rejected; {closed} closed, {open} open or without outcome "
             "(left out of outcome figures)",
             "{rows} 行：{decided} 个已决定，{rejected} 个被拒绝；{closed} 个已结案，{open} 个未结案或没有结果（不计入结果统计）"),
    "followed": ("the team followed the playbook in {followed} cases and did something else in {departed}",
                 "团队在 {followed} 个案例中按手册处理，在 {departed} 个案例中采取了其他方案"),
    "no history": ("  no row records what the team did (action_taken), so nothing is compared: this file holds cases, "
                   "not their history; add action_taken, outcome, amount_paid and closed_date (README, backtest), or "
                   "run `dispute-playbook batch` on it",
                   "  没有任何一行记录团队的处理方式（action_taken），因此无从对比：这个文件是案例，不是处理记录；"
                   "请加上 action_taken、outcome、amount_paid 和 closed_date 列（见 README 的 backtest 部分），"
                   "或改用 `dispute-playbook batch`"),
    # a currency's money, in parts (backtest_command.cost_line): each side is a total of the cases where it
    # is known, with how many it leaves out; where either side leaves some out, the like-for-like figures
    "cost": ("  {currency}: {team}; {playbook}{both}", "  {currency}：{team}；{playbook}{both}"),
    "team paid": ("team paid {paid}", "团队实付 {paid}"),
    "team paid unknown": ("team paid: unknown (no amount paid in any of its {cases} cases)",
                          "团队实付：未知（{cases} 个案例都没有实付金额）"),
    "playbook cost": ("following the playbook: {observed} observed + {estimated} estimated = {total}",
                      "按手册：实际 {observed} + 预计 {estimated} = {total}"),
    "playbook cost unknown": ("following the playbook: unknown (no amount paid or cost in any of its {cases} cases)",
                              "按手册：未知（{cases} 个案例都没有实付金额或成本）"),
    "partly known": (" in {known} of {cases} cases ({unknown} unknown)", "（{cases} 个案例中已知 {known} 个，未知 {unknown} 个）"),
    "both known": ("; over the {cases} cases where both are known: team paid {paid}, following the playbook {total}",
                   "；两者都已知的 {cases} 个案例：团队实付 {paid}，按手册 {total}"),
    "none both known": ("; no case has both known, so the two are not compared", "；没有两者都已知的案例，因此不作对比"),
    "losing rule": ("  rule “{title}” [{rule}] on {platform}: {share} of {cases} followed cases ended with the platform "
                    "ruling for the buyer or a negative review",
                    "  规则“{title}”[{rule}]（{platform}）：按其建议处理的 {cases} 个案例中有 {share} 以平台判买家胜或差评告终"),
    "listing to fix": ("  listing to fix: {sku} — {share} of its {cases} not-as-described disputes are about {mismatch}",
                       "  需修改的详情页：{sku} —— 其 {cases} 起“与描述不符”纠纷中有 {share} 与{mismatch}有关"),
    "rate": ("  dispute rate, {type}: {disputes} of {orders} orders = {rate} ({target})",
             "  纠纷率，{type}：{orders} 个订单中 {disputes} 起 = {rate}（{target}）"),
    "no orders counted": ("  dispute rate, {type}: no orders counted", "  纠纷率，{type}：未计入订单"),
    "rate unknown": ("  dispute rate, {type}: unknown — {disputes} disputes placed against {orders} orders, but "
                     "{not_placed} more could not be placed and may belong to them ({target})",
                     "  纠纷率，{type}：未知——{orders} 个订单中已归入 {disputes} 起纠纷，另有 {not_placed} 起无法归入、"
                     "可能也属于这些订单（{target}）"),
    "rate at least": ("  dispute rate, {type}: at least {disputes} of {orders} orders = at least {rate}; {not_placed} "
                      "more could not be placed and may belong to them ({target})",
                      "  纠纷率，{type}：{orders} 个订单中至少 {disputes} 起 = 至少 {rate}；另有 {not_placed} 起无法归入、"
                      "可能也属于这些订单（{target}）"),
    "rates left out": ("  left out of the dispute rates: {n} disputes — {reasons}",
                       "  未计入纠纷率：{n} 起纠纷——{reasons}"),
    "target": ("target {target}: {status}", "目标 {target}：{status}"),
    "setting": ("  {setting}: {changed} decisions change, {figures}", "  {setting}：{changed} 个决定改变，{figures}"),
    "setting, one": ("  {setting}: {changed} decision changes, {figures}", "  {setting}：{changed} 个决定改变，{figures}"),
    "setting figures": ("lost on the platform {lost}, cost share {cost}, score {score}",
                        "平台判输 {lost}，成本占比 {cost}，得分 {score}"),
    "nothing to compare": ("no closed case with a recorded action to compare on", "没有记录了实际处理方案的已结案例可供比较"),
    "best unknown": ("best: cannot tell (the history has no closed case with a recorded action taken)",
                     "最佳：无法判断（历史中没有记录了实际处理方案的已结案例）"),
    # the grid's verdict (backtest_grid.choose): a setting is best only when it scores lower than the
    # playbook as it is and than every other setting
    "best": ("best: {setting}, score {score} (the playbook as it is: {baseline})",
             "最佳：{setting}，得分 {score}（现行手册：{baseline}）"),
    "best keep": ("best: the playbook as it is, score {baseline}: no setting scores lower",
                  "最佳：现行手册，得分 {baseline}：没有任何设置的得分更低"),
    "best no difference": ("no setting differs: each scores {baseline}, as the playbook as it is does",
                           "没有任何设置有差别：每种设置的得分都是 {baseline}，与现行手册相同"),
    "best tie": ("no single best: {settings} tie at score {score}, lower than the playbook as it is ({baseline}); "
                 "the history cannot tell them apart, so no --set line is given",
                 "无法选出唯一的最佳设置：{settings} 得分同为 {score}，低于现行手册（{baseline}）；"
                 "历史无法区分它们，因此不给出 --set 建议"),
    "keep": ("  (keep the playbook as it is)", "  （保持现行手册不变）"),
    "wrote": ("wrote {files} to {out}", "已将 {files} 写入 {out}"),
    # the batch's policy what-if (--set)
    "what-if": ("what-if {setting}: {changed} of {cases} decisions change ({share})",
                "政策模拟 {setting}：{cases} 个决定中有 {changed} 个改变（{share}）"),
    "what-if, one": ("what-if {setting}: {changed} of {cases} decisions changes ({share})",
                     "政策模拟 {setting}：{cases} 个决定中有 {changed} 个改变（{share}）"),
    "what-if money": ("  {currency}: estimated cost {before} -> {after} ({delta}), refunds {refunds}",
                      "  {currency}：预计成本 {before} -> {after}（{delta}），退款 {refunds}"),
    "what-if money partly": ("  {currency}: estimated cost {before} -> {after} ({delta}) over the {compared} of "
                             "{cases} cases whose cost is known under both policies, refunds {refunds}",
                             "  {currency}：预计成本 {before} -> {after}（{delta}；只含 {cases} 个案例中两种政策下成本都已知的 "
                             "{compared} 个），退款 {refunds}"),
    "what-if money unknown": ("  {currency}: estimated cost unknown (none of its {cases} cases has a cost known under "
                              "both policies), refunds {refunds}",
                              "  {currency}：预计成本未知（{cases} 个案例中没有一个在两种政策下的成本都已知），退款 {refunds}"),
    "what-if money unknown, one": ("  {currency}: estimated cost unknown (its one case has no cost known under both "
                                   "policies), refunds {refunds}",
                                   "  {currency}：预计成本未知（该币种仅有的 1 个案例在两种政策下的成本并非都已知），退款 {refunds}"),
}

WORDS = {  # other words of tables and charts: (English, Chinese)
    "refund_rate": ("refund rate", "退款率"), "return_rate": ("return rate", "退货率"),
    "buyer_country": ("buyer country", "买家国家"),
    "total": ("total", "合计"), "all": ("all types", "全部类型"), "unknown": ("(unknown)", "（未知）"),
    "cases": ("cases", "案例数"), "share of cases": ("share of cases", "占案例比例"),
    "Resolution by dispute type": ("Resolution by dispute type", "各纠纷类型的处理方案"),
    "Refund and return rate by buyer country": ("Refund and return rate by buyer country", "各买家国家的退款率与退货率"),
    "Missing evidence (cases)": ("Missing evidence (cases)", "缺少的证据（案例数）"),
    "Decisions under both policies": ("Decisions under both policies", "两种政策下的决定"),
    "playbook as it is": ("playbook as it is", "现行手册"), "changed policy": ("changed policy", "修改后的政策"),
    "no target set": ("no target set", "未设目标"), "above target": ("above target", "高于目标"),
    "within target": ("within target", "达到目标"), "no rows": (
        "The input has no rows, so there is nothing to count here.", "输入没有任何行，此处没有可统计的内容。"),
    "no decided": ("No case was decided (every row was rejected), so there is nothing to count here.",
                   "没有案例得到决定（所有行均被拒绝），此处没有可统计的内容。"),
    "no flagged": ("No decided case raised a risk flag.", "没有任何已决定的案例触发风险提示。"),
    "no missing": ("No decided case lacked evidence the playbook asked for.", "没有已决定的案例缺少手册要求的证据。"),
    "no rejected": ("No row was rejected.", "没有被拒绝的行。"),
    # errors.csv's fields without a label on the form (the form asks for no dispute type: it is one per type)
    "(row)": ("(whole row)", "（整行）"),
    "most cases": (" (the {n} with the most cases)", "（案例最多的 {n} 个）"),
    "flagged cut": ("The {shown} with the most flags and the largest orders (in the shop's base currency) of {total} "
                    "flagged cases; every one is in `recommendations.csv` (its `risk_flags` column).",
                    "以上是风险提示最多、订单金额（按店铺基准币种换算）最大的 {shown} 个，共 {total} 个有风险提示的案例；"
                    "全部见 `recommendations.csv`（`risk_flags` 列）。"),
    # the shop-health sections (helpers.batch.health_report); {…} are the run's figures
    "health not counted": ("Not counted for this run: the Dask engine does not count products and weeks yet "
                           "(run the batch with `--engine pandas`).",
                           "本次运行未统计：Dask 引擎尚不按商品和周统计（请用 `--engine pandas` 运行批量）。"),
    "no sku": ("None of the {cases:,} decided cases has a `sku`, so disputes cannot be counted by product. Add the "
               "seller's product code to the input (or map the export's SKU column with `--columns`).",
               "{cases:,} 个已决定的案例都没有 `sku`（商品编码），因此无法按商品统计纠纷。请在输入中加入卖家的商品编码"
               "（或用 `--columns` 对应导出文件的 SKU 列）。"),
    "skus, the top": ("{with_sku:,} of {cases:,} decided cases name a SKU ({skus:,} SKUs); the {top} with the most "
                      "disputes below, every one in the run's `products.csv`.",
                      "{cases:,} 个已决定的案例中有 {with_sku:,} 个注明了 SKU（共 {skus:,} 个 SKU）；下表列出纠纷最多的 "
                      "{top} 个，全部 SKU 见本次运行的 `products.csv`。"),
    "skus, all": ("{with_sku:,} of {cases:,} decided cases name a SKU ({skus:,} SKUs); by the most disputes:",
                  "{cases:,} 个已决定的案例中有 {with_sku:,} 个注明了 SKU（共 {skus:,} 个 SKU），按纠纷数从多到少："),
    "no listing data": ("No not-as-described case names both a `sku` and a `mismatch`, so no listing can be singled out.",
                        "没有任何“与描述不符”的案例同时注明 `sku`（商品编码）和 `mismatch`（不符之处），因此无法找出需修改的详情页。"),
    "no listing stands out": ("No SKU has {min_cases} or more not-as-described disputes with {share:.0%} or more of "
                              "them about the same mismatch: no listing stands out.",
                              "没有哪个 SKU 有 {min_cases} 起或以上“与描述不符”纠纷、且其中 {share:.0%} 或以上属于同一种"
                              "不符之处：没有需要特别修改的详情页。"),
    "listings to fix": ("SKUs with at least {min_cases} not-as-described disputes, {share:.0%} or more of them about "
                        "one mismatch: fix the listing (photos, size chart, description).",
                        "至少有 {min_cases} 起“与描述不符”纠纷、且其中 {share:.0%} 或以上属于同一种不符之处的 SKU:"
                        "请修改详情页（照片、尺码表、描述）。"),
    "no dates": ("The input gives no `as_of_date` of its own for any case (a review date set with `--as-of` says "
                 "nothing about when a dispute came up), so disputes cannot be counted per week.",
                 "输入中没有任何案例自带 `as_of_date`（处理日期；用 `--as-of` 统一设定的日期说明不了纠纷何时发生），"
                 "因此无法按周统计纠纷。"),
    "by week": ("By the week of each case's own `as_of_date`.", "按每个案例自身 `as_of_date`（处理日期）所在的周统计。"),
    "by week, undated left out": ("By the week of each case's own `as_of_date`; {undated:,} cases without one are "
                                  "left out.",
                                  "按每个案例自身 `as_of_date`（处理日期）所在的周统计；{undated:,} 个没有该日期的案例未计入。"),
    "one week": (" All dated cases fall in one week ({week}): a trend needs cases from several weeks.",
                 "所有带日期的案例都在同一周（{week}）：要看趋势，需要多周的案例。"),
    "week (Monday)": ("week (Monday)", "周（周一）"), "disputes": ("disputes", "纠纷数"),
    "Disputes per week by type": ("Disputes per week by type", "每周各类型纠纷数"),
    "no orders": ("No order count given, so no dispute rate: run with `--orders N` (orders in the period) or "
                  "`--orders FILE` (an orders export, see docs/contract.md).",
                  "未提供订单数，因此没有纠纷率：请用 `--orders N`（该期间的订单数）或 `--orders FILE`"
                  "（订单导出文件，见 docs/contract.md）运行。"),
    "rates counted": ("Disputes per order ({source}: {orders:,} orders; {counted:,} decided cases counted).",
                      "每单纠纷数（{source}：{orders:,} 个订单；计入 {counted:,} 个已决定的案例）。"),
    "left out": (" Left out: {reasons}.", "未计入：{reasons}。"), "reason separator": ("; ", "；"),
    # orders.dispute_rates' `left_out_by`: not placed (might belong to the orders counted: the rate is then
    # unknown, or a lower bound) or outside the file's counts (rightly left out)
    "left out: not placed: no date": ("{n} without a review date of their own, so their week is unknown",
                                      "{n} 个案例没有自己的处理日期，因此不知道属于哪一周"),
    "left out: not placed: no platform": ("{n} without a platform", "{n} 个案例没有平台"),
    "left out: outside: week": ("{n} in a week the orders file has no count for", "{n} 个案例所在的周在订单文件中没有订单数"),
    "left out: outside: platform": ("{n} on a platform the orders file has no count for",
                                    "{n} 个案例所在的平台在订单文件中没有订单数"),
    "left out: outside: cell": ("{n} in a week and platform the orders file has no count for",
                                "{n} 个案例所在的周和平台组合在订单文件中没有订单数"),
    # the same in a summary.json written before the reasons above (their old words)
    "left out: week": ("{n} without a review date in a week the orders file counts",
                       "{n} 个案例的处理日期不在订单文件统计的任何一周内"),
    "left out: platform": ("{n} on a platform the orders file does not name", "{n} 个案例的平台不在订单文件中"),
    "not placed": (" A rate with disputes that could not be placed may be higher than the disputes placed show: "
                   "it is given as a lower bound (“at least”) or unknown, and judged against a target only when "
                   "even the lower bound is above it.",
                   "含有无法归入的纠纷时，纠纷率可能高于已归入纠纷所显示的数值：此时只给出下限（“至少”）或记为未知，"
                   "只有当下限也高于目标时才判定为高于目标。"),
    "at least": ("at least {rate}", "至少 {rate}"),
    "no target": (" No target is set: the shop sets its own in `playbook/parameters.yaml`, `dispute_rate_targets` "
                  "(overall and per dispute type).",
                  "未设目标：店铺可在 `playbook/parameters.yaml` 的 `dispute_rate_targets` 中自行设定（总体及各纠纷类型）。"),
    "per platform": ("Per platform (orders from the orders file):", "按平台（订单数来自订单文件）："),
    "per week": ("Per week (orders from the orders file):", "按周（订单数来自订单文件）："),
    # the backtest report's (helpers.batch.backtest_report)
    "recommended": ("recommended", "手册建议"), "done": ("done", "实际处理"),
    "Recommended × done (cases)": ("Recommended × done (cases)", "手册建议 × 实际处理（案例数）"),
    "team paid": ("team paid", "团队实付"), "playbook": ("playbook", "按手册"),
    "observed": ("observed", "实际"), "estimated": ("estimated", "预计"), "an unknown amount": ("unknown", "未知"),
    "chart known cases": ("known in {team} (team) and {playbook} (playbook)\nof {cases} cases",
                          "已知：团队 {team} 个、按手册 {playbook} 个\n（共 {cases} 个案例）"),
    "Paid against the playbook": ("Paid against the playbook, per currency (estimated part hatched)",
                                  "各币种实付与按手册处理的对比（斜线部分为预计）"),
    "share lost on the platform": ("share lost on the platform", "在平台上判输的比例"),
    "cost share": ("cost share", "成本占比"), "score (lower is better)": ("score (lower is better)", "得分（越低越好）"),
    "Settings compared; best": ("Settings compared; best", "参数设置对比；最佳"), "cannot tell": ("cannot tell", "无法判断"),
    "a tie": ("a tie", "并列"), "list separator": (", ", "、"),
    "no action": ("No decided case records the action the team took, so there is nothing to compare here.",
                  "没有任何已决定的案例记录了团队的实际处理方案，此处没有可对比的内容。"),
    "no closed action": ("No closed case records the action the team took, so there is nothing to count here.",
                         "没有任何已结案例记录了团队的实际处理方案，此处没有可统计的内容。"),
    "no losing rules": ("No rule was followed in enough closed cases on one platform to be ranked (`--min-cases`).",
                        "没有哪条规则在同一平台上按手册处理的已结案例足够多，无法排名（`--min-cases`）。"),
    "no grid": ("No `--set` or `--grid` in this run.", "本次运行没有使用 `--set` 或 `--grid`。"),
    "keep the playbook": ("keep the playbook as it is", "保持现行手册不变"),
}
WORDS.update({f"console: {key}": words for key, words in CONSOLE.items()})  # Labels.word("console: rows", ...)


def counted_word(key: str, n: int) -> str:
    """`key`, or its ", one" form when `n` is 1 and it has one: English says "1 decision changes"."""
    return f"{key}, one" if n == 1 and f"{key}, one" in WORDS else key


@dataclass
class Labels:
    """code -> words in one language, from the playbook (resolutions, dispute types, risk flags) and the
    form's labels (platforms, mismatches): what people read instead of the codes the CSV files hold.
    `Labels(lang)` alone has the words only (WORDS): what a section needs that shows no code."""
    lang: str
    resolution: dict = dataclasses.field(default_factory=dict)
    dispute_type: dict = dataclasses.field(default_factory=dict)
    platform: dict = dataclasses.field(default_factory=dict)
    flag: dict = dataclasses.field(default_factory=dict)       # flag id -> its short name (its text up to the first colon)
    flag_text: dict = dataclasses.field(default_factory=dict)  # flag id -> its whole sentence
    mismatch: dict = dataclasses.field(default_factory=dict)
    field: dict = dataclasses.field(default_factory=dict)      # case field -> its label on the form
    whole_units: frozenset = frozenset()                        # currencies without cents (the playbook's: JPY)
    rule: dict = dataclasses.field(default_factory=dict)        # rule id -> its title

    def word(self, key: str, **figures) -> str:
        """WORDS[key] in this language; with `figures`, its {placeholders} filled in."""
        en, zh = WORDS[key]
        text = zh if self.lang == "zh" else en
        return text.format(**figures) if figures else text

    def money(self, amount: float, currency: str, sign: str = "") -> str:
        """An amount as the toolkit writes it everywhere (core.money.amount_text, thousands separated):
        600 for a whole amount of a currency without cents (JPY), else two decimals; `sign="+"` writes
        the sign of a change (+0, -12.50)."""
        from ..core.money import amount_text
        text = amount_text(abs(amount), currency, self.whole_units, thousands=True)
        return ("-" if amount < 0 else sign) + text


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
                  {**{f: field_label(f, lang) for f in FIELD_TEXT},
                   "(row)": Labels(lang).word("(row)")},  # errors.csv's whole-row problems
                  frozenset(pb.whole_units), {r.id: localised(pb, r.title, lang) for r in pb.all_rules()})
