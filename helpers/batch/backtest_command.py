"""`dispute-playbook backtest` as one call: options checked, the backtest run, a summary printed.
Errors are raised (PlaybookToolError) for `cli.main` to turn into exit codes."""
from __future__ import annotations

import sys

from ..core.exceptions import OutputError, UsageError
from ..iorw.atomic import writable_folder
from ..playbook.params import parse_params, parse_review_date
from .backtest import BacktestOptions, run_backtest
from .backtest_grid import AS_IT_IS, KEEP, parse_grid, refuse_out_of_range, verdict_sentence


def options_from_args(args) -> BacktestOptions:
    as_of = parse_review_date(args.as_of)
    if args.min_cases < 1:
        raise UsageError(f"--min-cases must be at least 1, not {args.min_cases}")
    return BacktestOptions(history=args.history, out=args.out, as_of=as_of, playbook=args.playbook,
                           params=parse_params(args.set), grid=parse_grid(args.grid), columns=args.columns,
                           min_cases=args.min_cases, orders=args.orders, lang=args.lang)


def summary_lines(s: dict, lab=None) -> list:
    """The backtest in a few lines, in the language of `lab` (report_words.Labels: the run's playbook's
    labels for dispute types, platforms and mismatches; English words without one)."""
    from .report_words import Labels, counted_word
    lab = lab or Labels("en")

    def say(key, **figures):
        return lab.word(f"console: {key}", **figures)
    lines = [say("rows", rows=s["rows"], decided=s["decided"], rejected=s["rejected"], closed=s["closed"], open=s["open"]),
             say("followed", followed=s["followed"], departed=s["departed"])]
    if s["decided"] and not s["followed"] + s["departed"]:  # a list of open cases, not a history
        lines.append(say("no history"))
    lines += [cost_line(cur, c, lab) for cur, c in s["cost"].items()]
    for r in s["losing_rules"][:3]:
        lines.append(say("losing rule", rule=r["rule_id"], title=lab.rule.get(r["rule_id"], r["rule_id"]),
                         platform=lab.platform.get(r["platform"], r["platform"]),
                         share=f"{r['bad_share']:.0%}", cases=r["followed_cases"]))
    for r in s["listings_to_fix"][:5]:
        lines.append(say("listing to fix", sku=r["sku"], share=f"{r['share']:.0%}", cases=r["not_as_described"],
                         mismatch=lab.mismatch.get(r["mismatch"], r["mismatch"]).lower()))  # mid-sentence: "about size"
    lines += rate_lines(s.get("dispute_rates"), lab)
    grid = s.get("grid")
    if grid:
        for r in grid["settings"]:
            figures = (say("nothing to compare") if r["score"] is None else
                       say("setting figures", lost=f"{r['lost_share']:.1%}", cost=f"{r['cost_share']:.1%}",
                           score=f"{r['score']:.4f}"))
            setting = lab.word("playbook as it is") if r["setting"] == AS_IT_IS else r["setting"]
            lines.append(lab.word(counted_word("console: setting", r["changed"]), setting=setting,
                                  changed=r["changed"], figures=figures))
        lines.append(verdict_sentence(grid, lab))
        lines += grid["set_lines"] or ([say("keep")] if grid["verdict"] in KEEP else [])
    return lines


def rate_lines(rates: dict | None, lab) -> list:
    """The dispute rate per type against the shop's targets (orders.dispute_rates), then how many
    disputes were left out and why. A rate with disputes that could not be placed (no date, no
    platform) is said as a lower bound or unknown, never judged within target."""
    def say(key, **figures):
        return lab.word(f"console: {key}", **figures)
    if not rates:
        return []
    lines = []
    for r in rates["by_type"]:
        kind = {**lab.dispute_type, "all": lab.word("all")}.get(r["dispute_type"], r["dispute_type"])
        if not r["orders"]:
            lines.append(say("no orders counted", type=kind))
            continue
        target = (lab.word("no target set") if r["target"] is None else
                  say("target", target=f"{r['target']:.2%}", status=lab.word(r["status"])))
        figures = {"type": kind, "disputes": r["disputes"], "orders": f"{r['orders']:,}", "target": target}
        if not r.get("not_placed"):
            lines.append(say("rate", rate=f"{r['rate']:.2%}", **figures))
        elif r["rate_at_least"] is None:
            lines.append(say("rate unknown", not_placed=r["not_placed"], **figures))
        else:
            lines.append(say("rate at least", rate=f"{r['rate_at_least']:.2%}", not_placed=r["not_placed"], **figures))
    if rates["left_out"]:
        from .health_report import left_out_reasons
        reasons = lab.word("reason separator").join(left_out_reasons(rates, lab))
        lines.append(say("rates left out", n=rates["left_out"], reasons=reasons))
    return lines


def cost_line(currency: str, c: dict, lab) -> str:
    """One currency's money (summary.json's `cost`): what the team paid against what following the
    playbook would have cost. A side unknown in some cases says in how many, never counting them as 0,
    and then the two are compared over the cases where both are known, not as two totals of different
    cases."""
    def say(key, **figures):
        return lab.word(f"console: {key}", **figures)

    def money(amount, known=True):
        return lab.money(amount, currency) if known else lab.word("an unknown amount")

    def partly(known, unknown):
        return say("partly known", known=known, cases=known + unknown, unknown=unknown) if unknown else ""
    cases, team_unknown, playbook_unknown = c["cases"], c["team_paid_unknown"], c["playbook_estimate_unknown"]
    team = (say("team paid unknown", cases=cases) if team_unknown == cases else
            say("team paid", paid=money(c["team_paid"])) + partly(cases - team_unknown, team_unknown))
    observed_known = c["playbook_observed_cases"] or not c.get("playbook_observed_unknown", 0)
    estimated_known = c.get("playbook_estimated_cases", 1) or not c.get("playbook_estimated_unknown", 0)
    playbook = (say("playbook cost unknown", cases=cases) if playbook_unknown == cases else
                say("playbook cost", observed=money(c["playbook_observed"], observed_known),
                    estimated=money(c["playbook_estimated"], estimated_known), total=money(c["playbook_total"]))
                + partly(cases - playbook_unknown, playbook_unknown))
    both = ("" if not team_unknown and not playbook_unknown else
            say("none both known") if not c["both_known_cases"] else
            say("both known", cases=c["both_known_cases"], paid=money(c["both_known_team_paid"]),
                total=money(c["both_known_playbook"])))
    return say("cost", currency=currency, team=team, playbook=playbook, both=both)


def run_backtest_cli(args) -> int:
    opts = options_from_args(args)
    from ..playbook.loader import load_playbook
    pb = load_playbook(opts.playbook, opts.params or None)  # a broken playbook or unknown --set fails before any work
    refuse_out_of_range(pb, opts.grid)
    from .orders import load_orders
    load_orders(opts.orders)  # a bad orders file fails before any work
    writable_folder(opts.out)
    summary = run_backtest(opts)
    from .report_words import labels_for
    lab = labels_for(summary, opts.lang)
    for line in summary_lines(summary, lab):
        print(line, file=sys.stdout)
    names = ["backtest.csv", "errors.csv", "products.csv", "summary.json"] + (["grid.csv"] if summary.get("grid") else [])
    files = ("、" if opts.lang == "zh" else ", ").join(names)
    print(lab.word("console: wrote", files=files, out=opts.out))
    if not args.no_report:
        from .backtest_report import render
        try:
            _, html = render(opts.out)
        except Exception as exc:  # noqa: BLE001 — papermill fails many ways; the results are already written
            raise OutputError(f"the backtest report failed ({type(exc).__name__}: {' '.join(str(exc).split())[-300:]}); "
                              f"the results are complete in {opts.out}; rerun the report with `python -c \"from "
                              f"helpers.batch.backtest_report import render; render('{opts.out}')\"`") from exc
        from ..playbook.labels import ui
        print(ui("report_at", opts.lang).format(path=html))
    return 0
