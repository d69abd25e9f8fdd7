"""`dispute-playbook batch`: arguments only; the work is in helpers.batch."""
from __future__ import annotations


def cmd_batch(args) -> int:
    from .batch import run_batch_cli
    return run_batch_cli(args)


def register(sub) -> None:
    b = sub.add_parser("batch", help="decide every case of a CSV/XLSX/XLS/Parquet file")
    b.add_argument("cases", help="input file")
    b.add_argument("--out", required=True, help="output folder")
    b.add_argument("--as-of", help="review date for the whole batch, YYYY-MM-DD")
    b.add_argument("--playbook", help="playbook folder")
    b.add_argument("--set", action="append", metavar="PARAM=VALUE", help="what-if: override a playbook parameter")
    b.add_argument("--strict", action="store_true", help="exit non-zero if any row is rejected")
    b.add_argument("--no-report", action="store_true", help="skip the review notebook and its HTML")
    b.set_defaults(func=cmd_batch)
