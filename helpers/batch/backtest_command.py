"""`dispute-playbook backtest` as one call: options checked, the backtest run, a summary printed.
Errors are raised (PlaybookToolError) for `cli.main` to turn into exit codes."""
from __future__ import annotations

import sys

from ..core.exceptions import OutputError, UsageError
from ..iorw.atomic import writable_folder
from ..playbook.params import parse_params, parse_review_date
from .backtest import BacktestOptions, run_backtest
from .backtest_grid import parse_grid


def options_from_args(args) -> BacktestOptions:
    as_of = parse_review_date(args.as_of)
    if args.min_cases < 1:
        raise UsageError(f"--min-cases must be at least 1, not {args.min_cases}")
    return BacktestOptions(history=args.history, out=args.out, as_of=as_of, playbook=args.playbook,
                           params=parse_params(args.set), grid=parse_grid(args.grid), columns=args.columns,
                           min_cases=args.min_cases, orders=args.orders, lang=args.lang)


def summary_lines(s: dict) -> list:
    lines = [f"{s['rows']} rows: {s['decided']} decided, {s['rejected']} rejected; {s['closed']} closed, "
             f"{s['open']} open or without outcome (left out of outcome figures)",
             f"the team followed the playbook in {s['followed']} cases and did something else in {s['departed']}"]
    for cur, c in s["cost"].items():
        lines.append(f"  {cur}: team paid {c['team_paid']:,.2f}; following the playbook: {c['playbook_observed']:,.2f} "
                     f"observed + {c['playbook_estimated']:,.2f} estimated = {c['playbook_total']:,.2f}")
    for r in s["losing_rules"][:3]:
        lines.append(f"  rule {r['rule_id']} on {r['platform']}: {r['bad_share']:.0%} of {r['followed_cases']} followed "
                     "cases ended with the platform ruling for the buyer or a negative review")
    for r in s["listings_to_fix"][:5]:
        lines.append(f"  listing to fix: {r['sku']} — {r['share']:.0%} of its {r['not_as_described']} "
                     f"not-as-described disputes are about {r['mismatch']}")
    for r in (s.get("dispute_rates") or {}).get("by_type", []):
        target = "no target set" if r["target"] is None else f"target {r['target']:.2%}: {r['status']}"
        lines.append(f"  dispute rate, {r['dispute_type']}: {r['disputes']} of {r['orders']:,} orders = "
                     f"{r['rate']:.2%} ({target})" if r["rate"] is not None else
                     f"  dispute rate, {r['dispute_type']}: no orders counted")
    grid = s.get("grid")
    if grid:
        for r in grid["settings"]:
            figures = ("no closed case with a recorded action to compare on" if r["score"] is None else
                       f"lost on the platform {r['lost_share']:.1%}, cost share {r['cost_share']:.1%}, "
                       f"score {r['score']:.4f}")
            lines.append(f"  {r['setting']}: {r['changed']} decisions change, {figures}")
        if grid["best"] is None:
            lines.append("best: cannot tell (the history has no closed case with a recorded action_taken)")
        else:
            lines.append(f"best: {grid['best']}")
            lines += grid["set_lines"] or ["  (keep the playbook as it is)"]
    return lines


def run_backtest_cli(args) -> int:
    opts = options_from_args(args)
    from ..playbook.loader import load_playbook
    load_playbook(opts.playbook, opts.params or None)  # a broken playbook or unknown --set fails before any work
    if opts.grid:
        load_playbook(opts.playbook, {**opts.params, opts.grid[0]: opts.grid[1][0]})
    from .orders import load_orders
    load_orders(opts.orders)  # a bad orders file fails before any work
    writable_folder(opts.out)
    summary = run_backtest(opts)
    for line in summary_lines(summary):
        print(line, file=sys.stdout)
    print(f"wrote backtest.csv, errors.csv, products.csv, summary.json{', grid.csv' if summary.get('grid') else ''} "
          f"to {opts.out}")
    if not args.no_report:
        from .backtest_report import render
        try:
            _, html = render(opts.out)
        except Exception as exc:  # noqa: BLE001 — papermill fails many ways; the results are already written
            raise OutputError(f"the backtest report failed ({type(exc).__name__}: {' '.join(str(exc).split())[-300:]}); "
                              f"the results are complete in {opts.out}; rerun the report with `python -c \"from "
                              f"helpers.batch.backtest_report import render; render('{opts.out}')\"`") from exc
        print(f"report: {html}")
    return 0
