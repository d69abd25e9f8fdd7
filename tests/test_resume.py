"""A batch killed with SIGKILL mid-run and resumed gives exactly the uninterrupted run's files;
no half-written file ever carries a final name."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers.batch.samples import generate_frame

from support import ROOT

pytestmark = pytest.mark.slow  # runs notebooks or large batches

FILES = ("recommendations.csv", "errors.csv", "whatif.json", "whatif_changes.csv")


def _cmd(src, out, *extra, chunk_rows=4000):
    return [sys.executable, "-m", "helpers", "batch", str(src), "--out", str(out), "--as-of", "2026-11-01",
            "--no-report", "--chunk-rows", str(chunk_rows), "--xlsx-max-rows", "0", "--set", "keep_item_max_value=25",
            *extra]


# 4,000-row chunks: 15 of them, killed after at least 3; 20,000-row chunks: two, then the last cut
# into 10,000, 5,000, 2,500 and 2,500 rows (runner.chunk_bounds), killed after the first, so the
# resumed run decides the cut ones (the small ones are done too fast to be caught among them)
@pytest.mark.parametrize("chunk_rows, chunks, kill_after", [(4000, 15, 3), (20_000, 6, 1)])
def test_killed_run_resumes_to_the_same_output(tmp_path, chunk_rows, chunks, kill_after):
    frame = generate_frame(60_000, seed=8)
    frame.loc[100, "order_value"] = -1
    frame.loc[30_000, "case_id"] = frame.loc[5, "case_id"]
    src = tmp_path / "cases.csv"
    frame.to_csv(src, index=False)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    subprocess.run(_cmd(src, whole, chunk_rows=chunk_rows), check=True, capture_output=True, cwd=ROOT)

    proc = subprocess.Popen(_cmd(src, cut, chunk_rows=chunk_rows), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    manifest = cut / ".batch-state" / "manifest.json"
    done = 0
    # The run is paused (SIGSTOP) whenever the manifest is read, so it cannot race ahead of the check:
    # it is killed while paused, at the first look that finds `kill_after` finished chunks. No clock is involved
    # (a busy machine only makes the run slower); the hang guard below is far beyond any real run.
    hang_guard = time.monotonic() + 1800
    while proc.poll() is None and time.monotonic() < hang_guard:
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            done = len(json.loads(manifest.read_text())["chunks"])
        except (OSError, ValueError):
            done = 0
        if done >= kill_after:
            break
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.01)  # the run's time slice between two looks, not a wait for something to happen
    assert proc.poll() is None, "the run finished between two looks at its manifest"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert kill_after <= done < chunks
    assert not (cut / "recommendations.csv").exists()  # only finished files get their final names
    partial = cut / ".batch-state" / "recommendations.csv.partial"
    assert partial.exists()

    resumed = subprocess.run(_cmd(src, cut, "--resume", chunk_rows=chunk_rows), capture_output=True, text=True, cwd=ROOT)
    assert resumed.returncode == 0, resumed.stderr
    for name in FILES:
        assert (cut / name).read_bytes() == (whole / name).read_bytes(), name
    assert not (cut / ".batch-state").exists()
    summary = json.loads((cut / "summary.json").read_text())
    assert summary["decided"] + summary["rejected"] == 60_000 and summary["rejected"] == 2


def test_resume_refuses_state_from_another_input(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    generate_frame(50, seed=1).to_csv(a, index=False)
    generate_frame(60, seed=2).to_csv(b, index=False)
    out = tmp_path / "out"
    state = out / ".batch-state"
    state.mkdir(parents=True)
    (state / "manifest.json").write_text(json.dumps({"identity": {"input": "elsewhere"}, "chunks": []}))
    proc = subprocess.run(_cmd(b, out, "--resume"), capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "belongs to another input, other options or another version of the playbook" in proc.stderr
    assert subprocess.run(_cmd(b, out), capture_output=True, cwd=ROOT).returncode == 0  # a fresh run starts over


@pytest.mark.parametrize("manifest", ["{garbage", "", '{"identity": {}, "chunks": "x"}', "[1, 2]"])
def test_resume_on_a_damaged_state_says_so_and_a_fresh_run_starts_over(tmp_path, manifest):
    """A manifest cut short or overwritten (a disk that filled, a hand edit) ended --resume with
    'internal error' (JSONDecodeError, TypeError): exit 70 and no word of what to do."""
    src = tmp_path / "b.csv"
    generate_frame(60, seed=2).to_csv(src, index=False)
    out = tmp_path / "out"
    (out / ".batch-state").mkdir(parents=True)
    (out / ".batch-state" / "manifest.json").write_text(manifest)
    proc = subprocess.run(_cmd(src, out, "--resume"), capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "is damaged" in proc.stderr and "run without --resume" in proc.stderr, proc.stderr
    assert subprocess.run(_cmd(src, out), capture_output=True, cwd=ROOT).returncode == 0
