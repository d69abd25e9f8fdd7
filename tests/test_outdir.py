"""One run per output folder: a second run is refused naming the first; a run's files replace the
previous run's as one set; a run killed at any point and resumed gives the uninterrupted run's files."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from helpers.batch.samples import generate_frame
from helpers.cli import main

from support import ROOT

pytestmark = pytest.mark.slow  # large batches in subprocesses

FILES = ("recommendations.csv", "errors.csv", "summary.json")


def _cmd(src, out, *extra, as_of="2026-11-01"):
    return [sys.executable, "-m", "helpers", "batch", str(src), "--out", str(out), "--as-of", as_of,
            "--no-report", "--chunk-rows", "3000", "--xlsx-max-rows", "0", *extra]


def _consistent(out) -> dict:
    """The folder's files agree with its summary (one run's set), or the folder has no summary."""
    summary = json.loads((out / "summary.json").read_text())
    recs = pd.read_csv(out / "recommendations.csv", dtype=str, keep_default_na=False)
    errors = pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)
    assert (len(recs), len(errors)) == (summary["decided"], summary["rejected"])
    assert summary["rows"] == len(recs) + len(errors)
    assert recs["case_id"].is_unique
    return summary


@pytest.fixture(scope="module")
def src(tmp_path_factory):
    frame = generate_frame(40_000, seed=8)
    frame.loc[100, "order_value"] = -1
    path = tmp_path_factory.mktemp("in") / "cases.csv"
    frame.to_csv(path, index=False)
    return path


def _wait_for_lock(out, proc):
    owner = out / ".dispute-playbook.owner.json"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        try:
            if json.loads(owner.read_text())["pid"] == proc.pid:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.01)
    raise AssertionError("the first run never took the folder")


def test_a_second_run_on_the_same_folder_is_refused_and_the_first_stays_intact(tmp_path, src):
    out = tmp_path / "out"
    first = subprocess.Popen(_cmd(src, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    _wait_for_lock(out, first)
    second = subprocess.run(_cmd(src, out, as_of="2026-10-20"), capture_output=True, text=True, cwd=ROOT)
    assert first.poll() is None, "the first run ended before the second started; give it more rows"
    assert second.returncode == 2, second.stderr
    assert f"output folder {out} is in use by another run (process {first.pid}, started" in second.stderr
    assert "Traceback" not in second.stderr
    stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    summary = _consistent(out)
    assert summary["as_of"] == "2026-11-01" and stdout.startswith(f"{summary['rows']} rows: {summary['decided']} decided")


def test_stale_outputs_and_temporary_files_of_earlier_runs_are_removed(tmp_path):
    src = tmp_path / "cases.csv"
    generate_frame(50, seed=3).to_csv(src, index=False)
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out), "--as-of", "2026-11-01", "--no-report",
                 "--set", "keep_item_max_value=25"]) == 0
    assert (out / "whatif.json").exists()
    (out / "report.html").write_text("an earlier run's report")  # as a report run leaves it, noted as its output
    record = out / ".dispute-playbook.outputs.json"
    record.write_text(json.dumps(json.loads(record.read_text()) + ["report.html"]))
    (out / ".report.ipynb.k1ll3d.tmp").write_text("left by a killed run")
    (out / "notes.txt").write_text("the analyst's own file")
    assert main(["batch", str(src), "--out", str(out), "--as-of", "2026-11-01", "--no-report"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [".dispute-playbook.lock", ".dispute-playbook.outputs.json", ".dispute-playbook.owner.json",
                     "errors.csv", "errors.xlsx", "notes.txt", "recommendations.csv", "recommendations.xlsx",
                     "summary.json"]


def test_files_and_folders_of_the_users_with_output_names_are_never_deleted(tmp_path, capsys):
    """A first run into a folder holding the user's own `cases/` (a lawsuit), `recommendations/`,
    whatif.json and report.html deleted them all: every name a run may write was removed as stale."""
    src = tmp_path / "cases.csv"
    generate_frame(50, seed=3).to_csv(src, index=False)
    out = tmp_path / "out"
    (out / "cases").mkdir(parents=True)
    (out / "cases" / "lawsuit.pdf").write_text("keep")
    (out / "recommendations").mkdir()
    (out / "recommendations" / "my.txt").write_text("keep")
    for name in ("whatif.json", "report.html", "notebook_errors.csv"):
        (out / name).write_text("mine")
    for _ in range(2):
        assert main(["batch", str(src), "--out", str(out), "--as-of", "2026-11-01", "--no-report"]) == 0
    assert (out / "cases" / "lawsuit.pdf").read_text() == "keep" and (out / "recommendations" / "my.txt").exists()
    assert all((out / name).read_text() == "mine" for name in ("whatif.json", "report.html", "notebook_errors.csv"))
    capsys.readouterr()
    # per-case notebooks would go into cases/: refused before any work, the folder left as it is
    assert main(["batch", str(src), "--out", str(out), "--no-report", "--per-case-notebooks"]) == 2
    assert "cases is a folder a run of this toolkit did not write" in capsys.readouterr().err
    assert sorted(p.name for p in (out / "cases").iterdir()) == ["lawsuit.pdf"]
    # a run's own what-if file of an earlier run is still replaced and removed as before
    assert main(["batch", str(src), "--out", str(out), "--as-of", "2026-11-01", "--no-report",
                 "--set", "keep_item_max_value=25"]) == 0
    assert json.loads((out / "whatif.json").read_text())["params"] == {"keep_item_max_value": 25.0}
    assert main(["batch", str(src), "--out", str(out), "--as-of", "2026-11-01", "--no-report"]) == 0
    assert not (out / "whatif.json").exists() and (out / "cases" / "lawsuit.pdf").exists()


def test_an_empty_out_is_refused_not_taken_as_the_working_folder(tmp_path, capsys, monkeypatch):
    src = tmp_path / "cases.csv"
    generate_frame(5, seed=3).to_csv(src, index=False)
    monkeypatch.chdir(tmp_path)
    assert main(["batch", str(src), "--out", "", "--no-report"]) == 2
    assert "--out is empty" in capsys.readouterr().err and not (tmp_path / "summary.json").exists()


def test_a_run_killed_at_random_points_then_resumed_equals_an_uninterrupted_run(tmp_path, src):
    whole = tmp_path / "whole"
    started = time.perf_counter()
    subprocess.run(_cmd(src, whole), check=True, capture_output=True, cwd=ROOT)
    duration = time.perf_counter() - started
    rng = random.Random(10)
    for attempt in range(4):
        cut = tmp_path / f"cut{attempt}"
        # an earlier, different run's files are there: the folder must never mix them with the new run's
        subprocess.run(_cmd(src, cut, as_of="2026-10-25"), check=True, capture_output=True, cwd=ROOT)
        proc = subprocess.Popen(_cmd(src, cut), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(rng.uniform(0.1, 1.0) * duration)  # the kill point is the random variable under test
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if (cut / "summary.json").exists():
            assert _consistent(cut)["as_of"] in ("2026-10-25", "2026-11-01")
        resumed = subprocess.run(_cmd(src, cut, "--resume"), capture_output=True, text=True, cwd=ROOT)
        assert resumed.returncode == 0, resumed.stderr
        for name in FILES:
            assert (cut / name).read_bytes() == (whole / name).read_bytes(), (attempt, name)
        assert not list(cut.glob(".*.tmp")) and not (cut / ".batch-state").exists()


def test_a_report_run_is_quiet_and_its_report_belongs_to_the_set(tmp_path):
    src = tmp_path / "cases.csv"
    generate_frame(30, seed=4).to_csv(src, index=False)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "helpers", "batch", str(src), "--out", str(out),
                           "--as-of", "2026-11-01"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""                                   # no "[IPKernelApp] WARNING | Kernel is running over TCP"
    assert (out / "report.html").exists() and not (out / ".batch-state").exists()
