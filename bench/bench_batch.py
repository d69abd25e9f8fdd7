"""Batch benchmarks, each a ratio against a floor measured in the same run.

The machine's 2 cores are shared, so floors and subjects run interleaved, round by round, and each
figure is the median of the rounds: a busy minute slows both sides of a ratio alike.

1. End to end (`e2e`): `dispute-playbook batch` on N generated cases in CSV as a whole process,
   against the pyarrow floor: a process reading the same CSV with pyarrow (every column as text)
   and writing, with pyarrow, a table of the output's shape and content (the run's own
   recommendations.csv, loaded before the clock starts). Polars and pandas doing the same I/O are
   reported for reference. Decisions only (--no-messages) and with every buyer message. Peak RSS
   of each process tree, sampled every 50 ms.
2. Cost per case (`flat`): whole runs of 10k, 100k (recommendations.xlsx written: it is under
   --xlsx-max-rows) and 1M cases (no XLSX), in microseconds per case, and what one more case costs
   between two sizes (the marginal cost: flat when a run is a fixed start plus a rate per case);
   and in process, writing the XLSX against writing the same table as CSV.
3. Report (`report`): the 504-row sample batch with its report against the same batch with --no-report.
4. Dask (`dask`): the Parquet file `samples` writes and the same cases in one row group,
   `--engine dask` (2 worker processes) against the pandas engine on the same file;
   `--dask-cases 10000000 --dask-memory-only`: one Dask run's peak memory at 10M cases.
5. Per-case notebooks (`notebooks`): per notebook in one started kernel, against that kernel running
   a one-cell notebook (the started-kernel floor); 2 workers end to end and the papermill CLI for reference.

    .venv/bin/python bench/bench_batch.py [--cases 1000000] [--rounds 3] [--dask-cases 1000000]
                                          [--dask-memory-only] [--only e2e,flat,report,dask,explain,notebooks]
Writes bench/results/batch.json (bench/results/ is not committed).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
AS_OF = "2026-11-01"


def timed(cmd, **kw):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, **kw)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def peak_rss(cmd, capture: bool = False):
    """(seconds, peak bytes) of a command and all its children, summed at each sample (and its
    standard output with capture=True)."""
    import psutil
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        parent = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                total = parent.memory_info().rss + sum(c.memory_info().rss for c in parent.children(recursive=True))
                peak = max(peak, total)
            except psutil.Error:
                pass
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    t.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed:\n{err.decode()[-3000:]}")
    return (seconds, peak, out.decode()) if capture else (seconds, peak)


_FLOOR = """
import sys, time
kind, src, out_csv, tmp = sys.argv[1:5]
if kind == "pyarrow":
    import pyarrow as pa, pyarrow.csv as pcsv
    t0 = time.perf_counter()
    names = pcsv.read_csv(src, read_options=pcsv.ReadOptions(skip_rows_after_names=10**9)).column_names
    out = pcsv.read_csv(out_csv, parse_options=pcsv.ParseOptions(newlines_in_values=True))
    prep = time.perf_counter() - t0
    pcsv.read_csv(src, convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                           strings_can_be_null=False))
    pcsv.write_csv(out, tmp)
elif kind == "polars":
    import polars as pl
    t0 = time.perf_counter()
    out = pl.read_csv(out_csv)
    prep = time.perf_counter() - t0
    pl.read_csv(src, infer_schema=False)
    out.write_csv(tmp)
else:
    import pandas as pd
    t0 = time.perf_counter()
    out = pd.read_csv(out_csv, keep_default_na=False)
    prep = time.perf_counter() - t0
    pd.read_csv(src, dtype=str, keep_default_na=False, engine="pyarrow")
    out.to_csv(tmp, index=False)
print(prep)  # loading the output-shaped table is not part of the floor; starting Python and the imports are
"""


def floor(kind: str, src: Path, out_csv: Path) -> dict:
    """(seconds without loading the output-shaped table, peak bytes) of one floor process."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", _FLOOR, kind, str(src), str(out_csv), str(Path(tmp) / "w.csv")]
        seconds, peak, out = peak_rss(cmd, capture=True)
    return {"s": seconds - float(out.split()[-1]), "rss": peak}


def _median(xs):
    return round(statistics.median(xs), 2)


def generated_csv(cases: int) -> Path:
    data = RESULTS / "data"
    data.mkdir(parents=True, exist_ok=True)
    src = data / f"cases-{cases}.csv"
    if not src.exists():
        subprocess.run([str(BIN / "dispute-playbook"), "samples", "--out", str(src), "--count", str(cases)], check=True)
    return src


def batch_run(measure, src, folder: Path, *extra):
    """measure(the batch command) writing into a new folder, deleted once the clock has stopped: the
    floors write into a new temporary folder each round, deleted after them, so the batch does the
    same. (Writing beside the previous round's output of the same size, and deleting it when the new
    set is published, is not part of reviewing the cases and is measurably slower here.)"""
    import shutil
    shutil.rmtree(folder, ignore_errors=True)
    try:
        return measure(batch_cmd(src, folder, *extra))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def batch_cmd(src, folder, *extra):
    return [str(BIN / "dispute-playbook"), "batch", str(src), "--out", str(folder), "--as-of", AS_OF, "--no-report", *extra]


def bench_end_to_end(cases: int, rounds: int) -> dict:
    src = generated_csv(cases)
    data = RESULTS / "data"
    variants = {"decisions_only": ["--no-messages"], "with_messages": []}
    for name, extra in variants.items():  # the outputs the floors write (and a warm-up)
        timed(batch_cmd(src, data / f"out-{name}", *extra))
    kinds = ["pyarrow"] + [k for k in ("polars", "pandas") if _has(k)]
    runs = {name: {"batch": [], "batch_rss": [], **{k: [] for k in kinds}, **{k + "_rss": [] for k in kinds}}
            for name in variants}
    for r in range(rounds):
        for name, extra in variants.items():
            out_csv = data / f"out-{name}" / "recommendations.csv"
            for kind in (kinds if r == 0 else ["pyarrow"]):  # the references once; the floor every round
                f = floor(kind, src, out_csv)
                runs[name][kind].append(f["s"])
                runs[name][kind + "_rss"].append(f["rss"])
            seconds, peak = batch_run(peak_rss, src, data / f"run-{name}", *extra)
            runs[name]["batch"].append(seconds)
            runs[name]["batch_rss"].append(peak)
    out = {"cases": cases, "rounds": rounds, "note": "medians of interleaved rounds (floor, then batch) on a shared 2-core machine"}
    for name, r in runs.items():
        b, f = statistics.median(r["batch"]), statistics.median(r["pyarrow"])
        rss_b, rss_f = statistics.median(r["batch_rss"]), statistics.median(r["pyarrow_rss"])
        out[name] = {"batch_s": _median(r["batch"]), "pyarrow_floor_s": _median(r["pyarrow"]),
                     "ratio_to_pyarrow_floor": round(b / f, 2), "min_ratio": round(min(r["batch"]) / min(r["pyarrow"]), 2),
                     "batch_peak_rss_mb": round(rss_b / 2**20), "floor_peak_rss_mb": round(rss_f / 2**20),
                     "rss_ratio": round(rss_b / rss_f, 2),
                     **{f"{k}_floor_s": _median(r[k]) for k in kinds if k != "pyarrow"},
                     "output_mb": round((data / f"out-{name}" / "recommendations.csv").stat().st_size / 1e6, 1)}
    out["target"] = {"decisions_only": 1.5, "with_messages": 2.5, "rss_ratio": 1.3}
    return out


def _has(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None


def bench_flat(sizes=(10_000, 100_000, 1_000_000), rounds: int = 3) -> dict:
    """Microseconds per case for whole runs of each size (XLSX written where it is under the default limit)."""
    data = RESULTS / "data"
    srcs = {n: generated_csv(n) for n in sizes}
    times = {n: [] for n in sizes}
    for _ in range(rounds):
        for n in sizes:
            times[n].append(timed(batch_cmd(srcs[n], data / f"flat-{n}")))
    med = {n: statistics.median(t) for n, t in times.items()}
    per_case = {n: round(med[n] / n * 1e6, 2) for n in sizes}
    # what one more case costs between two sizes: flat when the cost is a fixed start plus a rate per case
    marginal = {f"{a}-{b}": round((med[b] - med[a]) / (b - a) * 1e6, 2) for a, b in zip(sizes, sizes[1:])}
    out = {"seconds": {str(n): round(med[n], 3) for n in sizes}, "us_per_case": {str(n): v for n, v in per_case.items()},
           "marginal_us_per_case": marginal,
           "marginal_max_over_min": round(max(marginal.values()) / min(marginal.values()), 2) if len(marginal) > 1 else None,
           "fixed_s": round(med[sizes[0]] - sizes[0] * (med[sizes[1]] - med[sizes[0]]) / (sizes[1] - sizes[0]), 3) if len(sizes) > 1 else None,
           "xlsx_written": {str(n): (data / f"flat-{n}" / "recommendations.xlsx").exists() for n in sizes},
           "max_over_min": round(max(per_case.values()) / min(per_case.values()), 2), "target": 3.0}
    xlsx = [n for n in sizes if (data / f"flat-{n}" / "recommendations.xlsx").exists()]
    out["xlsx_vs_csv"] = _xlsx_vs_csv(data / f"flat-{max(xlsx)}" / "recommendations.csv", rounds) if xlsx else None
    return out


_XLSX = """
import csv, sys, time
from pathlib import Path
import pyarrow as pa, pyarrow.csv as pcsv
# loaded by every batch before it writes its workbook (pandas too: pyarrow imports it on the first
# pa.array() of a numpy array, which cost the workbook 0.2 s here and never in a batch);
# xlsxwriter's import is timed
import pandas, pyarrow.compute
from helpers.batch.write import write_xlsx
from helpers.batch.xlsx import INLINE, NUMERIC, write_sheet
src, tmp = Path(sys.argv[1]), Path(sys.argv[2])
parse = pcsv.ParseOptions(newlines_in_values=True)
t = time.perf_counter(); table = pcsv.read_csv(src, parse_options=parse); read = time.perf_counter() - t
t = time.perf_counter(); pcsv.write_csv(table, tmp / "r.csv"); csv_write = time.perf_counter() - t
t = time.perf_counter(); write_xlsx(src, tmp / "r.xlsx"); xlsx = time.perf_counter() - t
names = next(csv.reader(open(src, encoding="utf-8", newline="")))
types = {n: pa.large_string() if n in NUMERIC or n in INLINE else pa.dictionary(pa.int32(), pa.large_string()) for n in names}
table = pcsv.read_csv(src, parse_options=parse, convert_options=pcsv.ConvertOptions(column_types=types, strings_can_be_null=False))
t = time.perf_counter(); write_sheet(table, tmp / "s.xlsx"); sheet = time.perf_counter() - t
print(read, csv_write, xlsx, sheet, len(table))
"""


def _xlsx_vs_csv(src: Path, rounds: int) -> dict:
    """recommendations.xlsx made from the finished CSV (read back, converted, written, fsynced) against
    the same file read by pyarrow and written back as CSV; and the converting and writing alone
    (XLSX from the table as read) against pyarrow's write_csv alone."""
    runs = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([sys.executable, "-c", _XLSX, str(src), tmp], capture_output=True, text=True,
                                  check=True, cwd=ROOT)
        runs.append(tuple(map(float, proc.stdout.split())))
    read, csv_write, xlsx, sheet = (statistics.median(r[k] for r in runs) for k in range(4))
    rows = int(runs[0][4])
    return {"rows": rows, "csv_read_s": round(read, 3), "csv_write_s": round(csv_write, 3),
            "xlsx_from_csv_s": round(xlsx, 3), "xlsx_sheet_only_s": round(sheet, 3),
            "ratio": round(xlsx / (read + csv_write), 2), "ratio_write_only": round(sheet / csv_write, 2), "target": 3.0,
            "note": "ratio: write_xlsx(finished CSV) vs pyarrow reading that CSV and writing it as CSV; "
                    "ratio_write_only: write_sheet(table as read) vs pyarrow write_csv(table as read)"}


def bench_report(rounds: int = 5) -> dict:
    data = RESULTS / "data"
    src = ROOT / "samples" / "cases.csv"
    with_report, without = [], []
    for _ in range(rounds):
        without.append(timed(batch_cmd(src, data / "report-no")))
        with_report.append(timed([c for c in batch_cmd(src, data / "report-yes") if c != "--no-report"]))
    return {"rows": 504, "without_report_s": _median(without), "with_report_s": _median(with_report),
            "report_adds_s": round(statistics.median(with_report) - statistics.median(without), 2), "target_adds_s": 2.0}


class _NbclientFloor:
    """The well-known way to run a notebook in a started kernel: nbclient's NotebookClient given a
    kernel manager whose kernel runs and a connected client (no start-up timed), the notebook
    parameterised by papermill and written by nbformat, as ours are."""

    def __init__(self):
        import asyncio

        from jupyter_client import AsyncKernelManager
        self.loop = asyncio.new_event_loop()
        self.km = AsyncKernelManager(kernel_name="python3")
        self.loop.run_until_complete(self.km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"]))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.loop.run_until_complete(self.kc.wait_for_ready(timeout=60))

    def run(self, source: Path, output: Path) -> None:
        import nbformat
        from nbclient import NotebookClient
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook
        nb = parameterize_notebook(load_notebook_node(str(source)), {}, kernel_name="python3")
        client = NotebookClient(nb, km=self.km, kernel_name="python3")
        client.kc = self.kc
        self.loop.run_until_complete(client.async_execute())
        nbformat.write(nb, str(output))

    def close(self) -> None:
        self.kc.stop_channels()
        self.loop.run_until_complete(self.km.shutdown_kernel(now=True))
        self.loop.close()


def bench_notebooks(ours_n: int = 60, papermill_n: int = 4, rounds: int = 3) -> dict:
    """Per notebook, in one started kernel: our audit notebooks (reset, parameters, every cell,
    written) against the floor, nbclient running a notebook of one `pass` cell (its parameters cell:
    papermill injects the parameters after it) in a started kernel, written the same way. For
    reference, our runner on that one-cell notebook (what any notebook costs it). Rounds interleaved.
    Also: 2 workers end to end, and the papermill CLI."""
    import datetime as dt

    import nbformat
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from helpers.batch.read import read_table, validate_frame
    from helpers.batch.per_case import Runner, case_parameters, notebook_name, run_notebooks
    from helpers.core.paths import NOTEBOOKS_DIR as NOTEBOOKS
    v = validate_frame(read_table(ROOT / "samples" / "cases.csv"), as_of=dt.date.fromisoformat(AS_OF))
    params = [{**case_parameters(v.cols, i), "interactive": False, "ui_language": "en"}
              for i in np.flatnonzero(v.valid)[:ours_n]]
    tmp = Path(tempfile.mkdtemp())
    (tmp / "ours").mkdir()
    empty = tmp / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass", metadata={"tags": ["parameters"]})], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}), empty)
    runner, nbclient = Runner(), _NbclientFloor()
    ours, floor_s, own_empty = [], [], []
    try:
        runner.run(empty, {}, tmp / "warm.ipynb")
        runner.run(NOTEBOOKS / f"{params[0]['dispute_type']}.ipynb", params[0], tmp / "warm2.ipynb")
        nbclient.run(empty, tmp / "warm3.ipynb")
        for _ in range(rounds):
            start = time.perf_counter()
            for k in range(len(params)):
                nbclient.run(empty, tmp / f"floor-{k}.ipynb")
            floor_s.append((time.perf_counter() - start) / len(params))
            start = time.perf_counter()
            errors = list(runner.run_many((empty, {}, tmp / f"empty-{k}.ipynb") for k in range(len(params))))
            own_empty.append((time.perf_counter() - start) / len(params))
            assert errors == [None] * len(params), errors
            start = time.perf_counter()
            errors = list(runner.run_many((NOTEBOOKS / f"{p['dispute_type']}.ipynb", p, tmp / "ours" / notebook_name(p["case_id"]))
                                          for p in params))  # as a worker runs its cases
            ours.append((time.perf_counter() - start) / len(params))
            assert errors == [None] * len(params), errors
    finally:
        runner.close()
        nbclient.close()
    jobs = [(k, p["case_id"], NOTEBOOKS / f"{p['dispute_type']}.ipynb", p, tmp / "ours" / notebook_name(p["case_id"]))
            for k, p in enumerate(params)]
    start = time.perf_counter()
    results = run_notebooks(jobs, workers=2)
    two_workers = time.perf_counter() - start
    assert not [r for r in results if r[3]], results
    pm_times = []
    for p in params[:papermill_n]:
        cmd = [str(BIN / "papermill"), str(NOTEBOOKS / f"{p['dispute_type']}.ipynb"), str(tmp / f"pm-{p['case_id']}.ipynb"),
               "--no-progress-bar", "-k", "python3"]
        for k, val in p.items():
            cmd += ["-p", k, "None" if val is None else str(val)] if not isinstance(val, str) else ["-r", k, val]
        pm_times.append(timed(cmd))
    per_pm = sum(pm_times) / len(pm_times)
    o, f, e = statistics.median(ours), statistics.median(floor_s), statistics.median(own_empty)
    return {"notebooks": len(params), "rounds": rounds, "ours_per_notebook_s": round(o, 4),
            "started_kernel_floor_per_notebook_s": round(f, 4), "ratio": round(o / f, 2), "target": 1.5,
            "our_runner_one_cell_notebook_s": round(e, 4), "ratio_to_our_runner_one_cell": round(o / e, 2),
            "two_workers_s": round(two_workers, 2), "two_workers_per_notebook_s": round(two_workers / len(jobs), 3),
            "papermill_cli_per_case_s": round(per_pm, 2),
            "throughput_vs_papermill_cli": round((len(jobs) / two_workers) / (1 / per_pm), 1),
            "note": "ratio: one started kernel, per notebook, ours vs nbclient running a one-`pass`-cell notebook "
                    "in a started kernel with a connected client (medians of interleaved rounds); "
                    "ratio_to_our_runner_one_cell: vs our own runner on that notebook; two_workers includes "
                    "starting 2 worker processes and their kernels"}


def bench_explain(cases: int) -> dict:
    """In one process: decide() on N cases without and with the lever search (what would change)."""
    import datetime as dt

    sys.path.insert(0, str(ROOT))
    from helpers.batch.read import validate_frame
    from helpers.core.engine import decide
    from helpers.core.levers import LEVERS
    from helpers.playbook.loader import load_playbook
    from helpers.batch.samples import generate_frame
    pb = load_playbook()
    v = validate_frame(generate_frame(cases, seed=5), as_of=dt.date.fromisoformat(AS_OF))
    times = {}
    for explain in (False, True):
        start = time.perf_counter()
        d = decide(pb, v.cols, explain=explain)
        times[explain] = time.perf_counter() - start
    return {"cases": cases, "decide_s": round(times[False], 2), "decide_explain_s": round(times[True], 2),
            "explain_ratio": round(times[True] / times[False], 2), "rows_with_a_lever": round(float((d.lever >= 0).mean()), 3),
            "levers": len(LEVERS), "note": "a full match per lever would cost about as many passes as there are levers; "
                                            "levers run only on rows and tables they can change"}


def bench_dask(cases: int, rounds: int = 2, pandas: bool = True) -> dict:
    """--engine dask (the default LocalCluster: 2 worker processes) against the pandas engine on the
    Parquet file `samples` writes and on the same cases in one row group. pandas=False: the Dask run
    alone, once, on the `samples` file (its peak memory at 10M cases)."""
    data = RESULTS / "data"
    data.mkdir(parents=True, exist_ok=True)
    files = {"samples_row_groups": data / f"samples-{cases}.parquet", "one_row_group": data / f"one-group-{cases}.parquet"}
    if not files["samples_row_groups"].exists():
        subprocess.run([str(BIN / "dispute-playbook"), "samples", "--out", str(files["samples_row_groups"]),
                        "--count", str(cases)], check=True)
    if not pandas:
        s, r = peak_rss(batch_cmd(files["samples_row_groups"], data / "out-dask", "--engine", "dask"))
        return {"cases": cases, "workers": "2 worker processes, 1 thread each", "dask_s": round(s, 1),
                "dask_peak_rss_mb": round(r / 2**20), "target_mb": 1536, "note": "one run, process tree's peak RSS"}
    if not files["one_row_group"].exists():
        import pyarrow.parquet as pq
        pq.write_table(pq.read_table(files["samples_row_groups"]), files["one_row_group"], row_group_size=cases)
    out = {"cases": cases, "workers": "2 worker processes, 1 thread each (the default LocalCluster)"}
    for name, src in files.items():
        t = {"dask": [], "pandas": [], "dask_rss": [], "pandas_rss": []}
        for _ in range(rounds):
            s, r = peak_rss(batch_cmd(src, data / "out-pandas-engine"))
            t["pandas"].append(s)
            t["pandas_rss"].append(r)
            s, r = peak_rss(batch_cmd(src, data / "out-dask", "--engine", "dask"))
            t["dask"].append(s)
            t["dask_rss"].append(r)
        out[name] = {"dask_s": _median(t["dask"]), "pandas_engine_s": _median(t["pandas"]),
                     "ratio": round(statistics.median(t["dask"]) / statistics.median(t["pandas"]), 2),
                     "dask_peak_rss_mb": round(statistics.median(t["dask_rss"]) / 2**20),
                     "pandas_peak_rss_mb": round(statistics.median(t["pandas_rss"]) / 2**20), "target": 1.2}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dask-cases", type=int, default=1_000_000)
    ap.add_argument("--flat-sizes", default="10000,100000,1000000")
    ap.add_argument("--dask-memory-only", action="store_true", help="one Dask run on the samples file, no pandas (10M)")
    ap.add_argument("--only", default="e2e,flat,report,dask")
    args = ap.parse_args()
    from bench_core import compile_package  # the package's bytecode, as setup.sh writes it
    compile_package()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "batch.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    only = args.only.split(",")
    steps = {"e2e": ("end_to_end", lambda: bench_end_to_end(args.cases, args.rounds)),
             "flat": ("cost_per_case", lambda: bench_flat(tuple(int(n) for n in args.flat_sizes.split(",")), args.rounds)),
             "report": ("report", lambda: bench_report()),
             "dask": ("dask_memory" if args.dask_memory_only else "dask",
                      lambda: bench_dask(args.dask_cases, pandas=not args.dask_memory_only)),
             "explain": ("explain", lambda: bench_explain(args.cases)),
             "notebooks": ("per_case_notebooks", lambda: bench_notebooks(rounds=args.rounds))}
    for key in only:
        name, step = steps[key]
        results[name] = step()
        print(json.dumps({name: results[name]}, indent=1), flush=True)
        path.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
