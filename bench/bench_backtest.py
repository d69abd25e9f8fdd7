"""Backtest benchmark (issue 13), as ratios against baselines measured in the same run.

A generated history of N rows (Parquet) goes through a plain batch (messages and explanations on,
no report), one backtest, and a backtest with a grid of 10 settings. Targets from the issue: a
backtest costs at most 1.5× the batch; a grid of 10 settings at most 3× one backtest.

    .venv/bin/python bench/bench_backtest.py [--rows 1000000]
Writes bench/results/backtest.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None) -> dict:
    from helpers.batch.backtest import BacktestOptions, run_backtest
    from helpers.batch.backtest_grid import parse_grid
    from helpers.batch.history import write_history
    from helpers.batch.runner import Options, run
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp())
    try:
        history = write_history(tmp / "history.parquet", args.rows, 1)
        load_before = os.getloadavg()
        # both sides count products and weeks (health) the same way; the batch also writes messages
        batch = seconds(lambda: run(Options(cases=str(history), out=str(tmp / "batch"), report=False, xlsx_max_rows=0)))
        one = seconds(lambda: run_backtest(BacktestOptions(str(history), str(tmp / "bt"))))
        grid = seconds(lambda: run_backtest(BacktestOptions(str(history), str(tmp / "grid"),
                                                            grid=parse_grid("wait_grace_days=2..20:2"))))
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {"rows": args.rows, "load_average_1m_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
              "cpus": os.cpu_count(), "batch_seconds": round(batch, 2), "backtest_seconds": round(one, 2),
              "grid10_seconds": round(grid, 2), "backtest_vs_batch": round(one / batch, 3),
              "grid10_vs_backtest": round(grid / one, 3), "targets": {"backtest_vs_batch": 1.5, "grid10_vs_backtest": 3}}
    out = ROOT / "bench" / "results" / "backtest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
