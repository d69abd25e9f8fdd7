"""`dispute-playbook backtest`: arguments only; the work is in helpers.batch.backtest."""
from __future__ import annotations

from .batch import ORDERS_HELP


def cmd_backtest(args) -> int:
    from ..batch.backtest_command import run_backtest_cli
    return run_backtest_cli(args)


def register(sub) -> None:
    b = sub.add_parser("backtest", help="replay the playbook on closed cases: advice beside what was done and how it ended")
    b.add_argument("history", help="closed cases (.csv, .xlsx, .xls, .parquet, .jsonl) with action_taken, outcome, amount_paid")
    b.add_argument("--out", required=True, help="output folder")
    b.add_argument("--columns", metavar="MAPPING.yaml", help="map a platform export's headers and values onto the contract")
    b.add_argument("--as-of", help="review date for every case, YYYY-MM-DD (default: each case's as_of_date, else today)")
    b.add_argument("--playbook", help="playbook folder")
    b.add_argument("--set", action="append", metavar="PARAM=VALUE",
                   help="replay under a changed parameter (several allowed); compared with the playbook as it is")
    b.add_argument("--grid", metavar="PARAM=FROM..TO:STEP",
                   help="compare every value of one parameter with the playbook as it is; prints the best if one "
                        "beats it")
    b.add_argument("--min-cases", type=int, default=10, help="smallest group of followed cases a rule ranking uses")
    b.add_argument("--orders", metavar="N|FILE", help=ORDERS_HELP)
    b.add_argument("--lang", default="en", choices=("en", "zh"),
                   help="language of the report: headings, sentences, and resolutions, outcomes, platforms by their names")
    b.add_argument("--no-report", action="store_true", help="skip the report notebook and its HTML")
    b.set_defaults(func=cmd_backtest)
