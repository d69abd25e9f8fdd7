"""Core benchmarks, each reported against a baseline measured in the same run.

1. `dispute-playbook recommend CASE.json` as a whole process, median of N runs, against a bare
   `python -c pass` start and against the papermill CLI executing an empty notebook.
2. One million generated cases through the engine in-process: parse, decide, build (with and
   without rendering messages): cases per second and the share of time spent on messages.

    .venv/bin/python bench/bench_core.py [--runs 15] [--cases 1000000]
Writes bench/results/core.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def median_seconds(cmd, runs, cwd=ROOT):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_cli(runs):
    tmp = Path(tempfile.mkdtemp())
    case = tmp / "case.json"
    case.write_text(json.dumps({"case_id": "B1", "dispute_type": "damaged", "order_value": 40, "buyer_photos": True,
                                "missing_parts": True, "as_of_date": "2026-11-01"}))
    nb = tmp / "empty.ipynb"
    nb.write_text(json.dumps({"cells": [], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                              "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}))
    recommend = median_seconds([str(BIN / "dispute-playbook"), "recommend", str(case)], runs)
    bare = median_seconds([sys.executable, "-c", "pass"], runs)
    papermill = median_seconds([str(BIN / "papermill"), str(nb), str(tmp / "out.ipynb")], max(3, runs // 5))
    return {"recommend_median_s": round(recommend, 3), "python_start_median_s": round(bare, 3),
            "papermill_empty_median_s": round(papermill, 3), "recommend_vs_python_start": round(recommend / bare, 2),
            "recommend_vs_papermill": round(recommend / papermill, 3), "target_s": 0.4,
            "within_target": recommend <= 0.4}


def bench_engine(count):
    from helpers.case import parse_case, to_columns
    from helpers.engine import decide
    from helpers.playbook import load_playbook
    from helpers.recommend import build
    from helpers.samples import generate_frame
    pb = load_playbook()
    records = generate_frame(count, seed=1).to_dict("records")
    t0 = time.perf_counter()
    cases = [parse_case(r) for r in records]
    t1 = time.perf_counter()
    cols = to_columns(cases)
    t2 = time.perf_counter()
    decisions = decide(pb, cols)
    t3 = time.perf_counter()
    build(pb, cases, decisions, render=False)
    t4 = time.perf_counter()
    build(pb, cases, decisions, render=True)
    t5 = time.perf_counter()
    without, with_messages = t4 - t3, t5 - t4
    total = (t3 - t0) + with_messages
    return {"cases": count, "parse_s": round(t1 - t0, 2), "columns_s": round(t2 - t1, 2), "decide_s": round(t3 - t2, 2),
            "build_without_messages_s": round(without, 2), "build_with_messages_s": round(with_messages, 2),
            "cases_per_s_end_to_end": round(count / total), "cases_per_s_decide_only": round(count / (t3 - t2)),
            "message_share_of_total": round((with_messages - without) / total, 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--cases", type=int, default=1_000_000)
    args = ap.parse_args()
    results = {"cli": bench_cli(args.runs), "engine": bench_engine(args.cases)}
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "core.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
