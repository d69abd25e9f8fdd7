"""`dispute-playbook batch`: arguments only; the work is in helpers.batch."""
from __future__ import annotations


ORDERS_HELP = ("the shop's order count, for the dispute rate per type against parameters.yaml's dispute_rate_targets: "
               "a number, or an orders file (.csv/.xlsx/.parquet/.jsonl with `orders` and optional `week`, `platform`; "
               "docs/contract.md)")


def cmd_batch(args) -> int:
    from ..batch.command import run_batch_cli
    return run_batch_cli(args)


def cmd_columns(args) -> int:
    from pathlib import Path

    from ..iorw.atomic import atomic_write
    from ..iorw.suggest import mapped_report, report, suggest, to_yaml
    if getattr(args, "columns", None):
        print(mapped_report(args.file, args.columns))
        if not args.out:
            return 0
        print()
    s = suggest(args.file)
    print(report(s, args.file))
    if args.out:
        atomic_write(Path(args.out), lambda tmp: Path(tmp).write_text(to_yaml(s, args.file), encoding="utf-8"))
        print(f"wrote {args.out}")
    return 0


def register(sub) -> None:
    c = sub.add_parser("columns", help="list an export's headers and suggest a column mapping to edit")
    c.add_argument("file", help="a platform export (.csv in any common encoding, .xlsx, .xls, .parquet, .jsonl)")
    c.add_argument("--columns", metavar="MAPPING", help="check a mapping (a .yaml file or a preset) against the file: "
                   "the fields it fills from which headers, mapped headers the file lacks, headers still unmapped")
    c.add_argument("--out", metavar="MAPPING.yaml", help="also write the suggested mapping to this file")
    c.set_defaults(func=cmd_columns)

    b = sub.add_parser("batch", help="decide every case of a CSV/XLSX/XLS/Parquet file")
    b.add_argument("cases", help="input file (.csv, .xlsx, .xls, .parquet, .jsonl; a folder of Parquet parts with --engine dask)")
    b.add_argument("--out", required=True, help="output folder")
    b.add_argument("--as-of", help="review date for the whole batch, YYYY-MM-DD (default: each case's as_of_date, else today)")
    b.add_argument("--columns", metavar="MAPPING", help="map a platform export's headers and values onto the contract: "
                   "a mapping .yaml file or a preset (aliexpress, taobao, douyin, ebay, amazon, shopify)")
    b.add_argument("--playbook", help="playbook folder")
    b.add_argument("--set", action="append", metavar="PARAM=VALUE",
                   help="what-if: decide under a changed playbook parameter and compare with the playbook as it is")
    b.add_argument("--lang", default="en", choices=("en", "zh"), help="language of rationale, actions and the summary's resolution names")
    b.add_argument("--strict", action="store_true", help="exit 1 if any row is rejected")
    b.add_argument("--no-report", action="store_true", help="skip the review notebook and its HTML")
    b.add_argument("--no-messages", action="store_true", help="leave buyer messages empty (faster)")
    b.add_argument("--no-explain", action="store_true", help="skip 'what would change' (faster)")
    b.add_argument("--resume", action="store_true", help="go on from the last finished chunk of an interrupted run")
    b.add_argument("--durable", action="store_true",
                   help="fsync after every chunk (default: once per finished file, before it is renamed into place)")
    b.add_argument("--chunk-rows", type=int, default=200_000, help="cases decided and written per chunk (the last chunk is cut into smaller ones)")
    b.add_argument("--xlsx-max-rows", type=int, default=200_000, help="write recommendations.xlsx up to this many rows")
    b.add_argument("--per-case-notebooks", action="store_true",
                   help="also run the dispute type's notebook for every case (audit), into OUT/cases/")
    b.add_argument("--workers", type=int, default=2, help="worker processes for --per-case-notebooks")
    b.add_argument("--orders", metavar="N|FILE", help=ORDERS_HELP)
    b.add_argument("--engine", choices=("pandas", "dask"), default="pandas", help="dask: partitions on a Dask cluster")
    b.add_argument("--scheduler", metavar="ADDRESS", help="with --engine dask: an existing scheduler (default: a LocalCluster)")
    b.set_defaults(func=cmd_batch)
