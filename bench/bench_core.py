"""Core benchmarks, each reported against a baseline measured in the same run.

1. Start-up, as whole processes, interleaved round by round (the machine is shared, so each
   round runs floor and subject back to back; medians of N rounds): `dispute-playbook --help`
   against a bare `python -c pass`, and `dispute-playbook recommend CASE.json` against Python
   importing the three libraries recommend needs (numpy, PyYAML, Jinja2).
2. One million generated cases through the engine in-process (validate the columns, decide,
   build the recommendations table, with and without messages): cases per second and the share of
   time spent on messages; and recommend() called case by case, for comparison.

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


def seconds(cmd, cwd=ROOT) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - start


def interleaved(commands: dict, runs: int) -> dict:
    """Median seconds of each command, the commands run one after another in every round."""
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(seconds(cmd))
    return {name: statistics.median(t) for name, t in times.items()}


def bench_cli(runs):
    tmp = Path(tempfile.mkdtemp())
    case = tmp / "case.json"
    case.write_text(json.dumps({"case_id": "B1", "dispute_type": "damaged", "order_value": 40, "buyer_photos": True,
                                "missing_parts": True, "as_of_date": "2026-11-01"}))
    tool = str(BIN / "dispute-playbook")
    m = interleaved({"python": [sys.executable, "-c", "pass"], "help": [tool, "--help"],
                     "python_numpy_yaml_jinja2": [sys.executable, "-c", "import numpy, yaml, jinja2"],
                     "recommend": [tool, "recommend", str(case)]}, runs)
    return {"help_median_s": round(m["help"], 3), "python_start_median_s": round(m["python"], 3),
            "help_vs_python_start": round(m["help"] / m["python"], 2), "help_target_ratio": 1.5,
            "recommend_median_s": round(m["recommend"], 3),
            "python_with_imports_median_s": round(m["python_numpy_yaml_jinja2"], 3),
            "recommend_vs_python_with_imports": round(m["recommend"] / m["python_numpy_yaml_jinja2"], 2),
            "note": f"medians of {runs} interleaved rounds on a shared machine"}


def bench_engine(count, scalar_count=20_000):
    """The engine over `count` cases in one process, the way the batch drives it (validate the
    columns, decide, build the table), with and without messages; plus recommend() case by case."""
    from helpers.batch.read import validate_frame
    from helpers.batch.table import recommendation_table
    from helpers.core.engine import decide
    from helpers.playbook.loader import load_playbook
    from helpers.advice.recommend import recommend
    from helpers.batch.samples import generate_frame
    pb = load_playbook()
    frame = generate_frame(count, seed=1)
    t0 = time.perf_counter()
    checked = validate_frame(frame)
    cols = {k: v[checked.valid] for k, v in checked.cols.items()}
    t1 = time.perf_counter()
    decisions = decide(pb, cols)
    t2 = time.perf_counter()
    recommendation_table(pb, cols, decisions, render=False)
    t3 = time.perf_counter()
    recommendation_table(pb, cols, decisions, render=True)
    t4 = time.perf_counter()
    without, with_messages = t3 - t2, t4 - t3
    total = (t2 - t0) + with_messages
    records = frame.head(scalar_count).to_dict("records")
    t5 = time.perf_counter()
    for record in records:
        recommend(record, playbook=pb)
    t6 = time.perf_counter()
    return {"cases": count, "validate_s": round(t1 - t0, 2), "decide_s": round(t2 - t1, 2),
            "table_without_messages_s": round(without, 2), "table_with_messages_s": round(with_messages, 2),
            "cases_per_s_with_messages": round(count / total), "cases_per_s_without_messages": round(count / (total - with_messages + without)),
            "message_share_of_total": round((with_messages - without) / total, 3),
            "recommend_one_by_one_cases_per_s": round(scalar_count / (t6 - t5))}


def compile_package() -> None:
    """The package's bytecode, as scripts/setup.sh writes it: every process measured starts from it,
    not from sources compiled afresh (where PYTHONDONTWRITEBYTECODE is set, nothing would write it)."""
    import compileall
    compileall.compile_dir(str(ROOT / "helpers"), quiet=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--cases", type=int, default=1_000_000)
    args = ap.parse_args()
    compile_package()
    results = {"cli": bench_cli(args.runs), "engine": bench_engine(args.cases)}
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "core.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
