"""--engine dask: the same results as the pandas engine, row for row, from Parquet parts."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers.cli import main
from helpers.batch.dask_engine import plan_parts
from helpers.batch.samples import generate_frame

pytestmark = pytest.mark.slow  # runs notebooks or large batches


def _input(path, n=10_000):
    frame = generate_frame(n, seed=17)
    frame.loc[5, "order_value"] = -3.0
    frame.loc[7000, "dispute_type"] = "lost_parcel"
    frame.loc[4000, "case_id"] = frame.loc[10, "case_id"]   # a duplicate in another part
    frame.loc[9999, "case_id"] = frame.loc[4000, "case_id"]
    frame.loc[10, "order_value"] = np.nan                    # ... whose first row is rejected: 4000 is decided
    frame.loc[3, "case_id"] = "=cmd()"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=1500)
    return frame


def test_dask_and_pandas_engines_agree_row_for_row(tmp_path):
    src = tmp_path / "cases.parquet"
    _input(src)
    assert len(plan_parts(src, part_rows=1000)) == 13  # row groups of 1500 (the last 1000), cut to 1000 rows
    args = ["--as-of", "2026-11-01", "--no-report", "--set", "keep_item_max_value=25"]
    assert main(["batch", str(src), "--out", str(tmp_path / "p")] + args) == 0
    assert main(["batch", str(src), "--out", str(tmp_path / "d"), "--engine", "dask"] + args) == 0
    expected = pd.read_csv(tmp_path / "p" / "recommendations.csv", dtype=str, keep_default_na=False)
    got = pd.read_parquet(tmp_path / "d" / "recommendations")
    assert len(list((tmp_path / "d" / "recommendations").glob("part-*.parquet"))) == 7
    assert list(got.columns) == list(expected.columns) and len(got) == len(expected) == 9_996
    # every text column reads back as text (the writer was handed repeated texts as dictionaries)
    assert {name for name in got.columns if got[name].dtype == "str"} == set(expected.columns) - {"order_value", "refund_amount", "est_cost"}
    for name in expected.columns:
        if got[name].dtype == float:
            want = pd.to_numeric(expected[name]).to_numpy()
            np.testing.assert_array_equal(got[name].to_numpy(), want, err_msg=name)
        else:
            assert (got[name].fillna("").astype(str).to_numpy() == expected[name].to_numpy()).all(), name
    assert (tmp_path / "d" / "errors.csv").read_text() == (tmp_path / "p" / "errors.csv").read_text()
    errors = pd.read_csv(tmp_path / "d" / "errors.csv", dtype=str)
    assert list(errors["row"]) == ["7", "12", "7002", "10001"]
    assert "row 4002 has it" in errors.iloc[3]["message"]
    import json
    assert json.loads((tmp_path / "d" / "whatif.json").read_text()) == json.loads((tmp_path / "p" / "whatif.json").read_text())


def test_a_failed_dask_run_resumes_from_its_finished_parts(tmp_path, monkeypatch):
    import datetime as dt
    import time

    from helpers.batch import dask_engine
    from helpers.batch.runner import Options
    src = tmp_path / "cases.parquet"
    _input(src, n=3000)
    fresh = Options(cases=str(src), out=str(tmp_path / "fresh"), as_of=dt.date(2026, 11, 1), report=False)
    dask_engine.run_dask(fresh, part_rows=500)
    out = tmp_path / "d"
    opts = Options(cases=str(src), out=str(out), as_of=dt.date(2026, 11, 1), report=False)
    real = dask_engine.decide_part
    parts_dir = out / "recommendations"

    def dies_after_three(part, opts, later):
        if part.index < 3:
            return real(part, opts, later)
        for _ in range(300):  # let the first three finish, then fail like a lost worker
            if all((parts_dir / f"part-{i:05d}.parquet").exists() for i in range(3)):
                break
            time.sleep(0.1)
        raise RuntimeError("worker lost")

    monkeypatch.setattr(dask_engine, "decide_part", dies_after_three)
    with pytest.raises(RuntimeError, match="worker lost"):  # threads: the patched task runs in this process
        dask_engine.run_dask(opts, part_rows=500, processes=False)
    monkeypatch.setattr(dask_engine, "decide_part", real)
    kept = {i: (parts_dir / f"part-{i:05d}.parquet").stat().st_mtime_ns for i in range(3)}
    assert not (parts_dir / "part-00005.parquet").exists()
    opts.resume = True
    dask_engine.run_dask(opts, part_rows=500)
    assert {i: (parts_dir / f"part-{i:05d}.parquet").stat().st_mtime_ns for i in range(3)} == kept
    pd.testing.assert_frame_equal(pd.read_parquet(parts_dir), pd.read_parquet(tmp_path / "fresh" / "recommendations"))
    assert (out / "errors.csv").read_bytes() == (tmp_path / "fresh" / "errors.csv").read_bytes()


def test_one_large_row_group_is_read_once_in_parts_with_the_same_results(tmp_path):
    from helpers.batch import dask_engine
    from helpers.batch.dask_engine import group_parts, read_group_parts, read_part
    frame = generate_frame(3000, seed=23)
    frame.loc[2500, "case_id"] = frame.loc[10, "case_id"]
    frame.loc[10, "case_id"] = f"  {frame.loc[10, 'case_id']}\u3000"  # the same id once stripped: 2500 is later
    src = tmp_path / "one-group.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), src)  # a single row group
    parts = plan_parts(src, part_rows=700)
    assert [p.rows for p in parts] == [700, 700, 700, 700, 200]
    assert [[p.index for p in g] for g in group_parts(parts, runs=1)] == [[0, 1, 2, 3, 4]]
    runs = group_parts(parts)  # the two workers share the group: the second run starts mid-group
    assert [[p.index for p in g] for g in runs] == [[0, 1, 2], [3, 4]]
    for run in [parts] + runs:
        got = list(read_group_parts(run))
        assert [p.index for p, _ in got] == [p.index for p in run]
        for part, frame in got:
            pd.testing.assert_frame_equal(frame, read_part(part))
    args = ["--as-of", "2026-11-01", "--no-report"]
    assert main(["batch", str(src), "--out", str(tmp_path / "p")] + args) == 0
    import datetime as dt

    from helpers.batch.runner import Options
    dask_engine.run_dask(Options(cases=str(src), out=str(tmp_path / "d"), as_of=dt.date(2026, 11, 1), report=False),
                         part_rows=700)
    expected = pd.read_csv(tmp_path / "p" / "recommendations.csv", dtype=str, keep_default_na=False)
    got = pd.read_parquet(tmp_path / "d" / "recommendations")
    assert len(got) == len(expected) == 2999
    assert (got["case_id"].to_numpy() == expected["case_id"].to_numpy()).all()
    assert (tmp_path / "d" / "errors.csv").read_text() == (tmp_path / "p" / "errors.csv").read_text()
    assert "row 12 has it" in (tmp_path / "d" / "errors.csv").read_text()


def test_samples_writes_row_groups_of_a_sensible_size(tmp_path):
    from helpers.batch.samples import SAMPLE_ROW_GROUP, write_samples
    path = write_samples(tmp_path / "s.parquet", count=2 * SAMPLE_ROW_GROUP + 5)
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(g).num_rows for g in range(meta.num_row_groups)] == [SAMPLE_ROW_GROUP] * 2 + [5]


def test_the_case_id_hash_is_the_same_for_the_same_text_however_it_is_held():
    from helpers.iorw.textcols import text_hashes
    ids = [f"AE-{i:07d}" for i in range(20_000)] + ["", "ab", "ba", "王小明", "王小明 ", "a\x00b"]
    h = text_hashes(pa.array(ids))
    assert len(np.unique(h)) == len(ids)  # 20,006 texts, none alike: no hash alike
    held = [pa.array(ids, type=pa.large_string()), pa.chunked_array([ids[:7], ids[7:]]),
            pa.array(["x"] + ids).slice(1), pa.array(np.array(ids, dtype=object))]
    for arr in held:
        assert (text_hashes(arr) == h).all(), arr.type
    missing = text_hashes(pa.array([None, "", "ab", None], type=pa.string()))
    assert missing[0] == missing[1] == missing[3] == h[ids.index("")] and missing[2] == h[ids.index("ab")]


def test_tasks_take_whole_row_groups_unless_the_cluster_has_more_workers_than_that_shares_well():
    from helpers.batch.dask_engine import Part, group_parts
    parts = [Part(2 * g + k, "f.parquet", g, 50 * k, 50, 100 * g + 50 * k) for g in range(10) for k in range(2)]
    whole = [[2 * g, 2 * g + 1] for g in range(10)]
    assert [[p.index for p in run] for run in group_parts(parts)] == whole  # 10 groups, 2 workers: 5 each
    assert [[p.index for p in run] for run in group_parts(parts, runs=2)] == whole
    assert [[p.index for p in run] for run in group_parts(parts, runs=16)] == [[i] for i in range(20)]
    one = [Part(k, "g.parquet", 0, 50 * k, 50, 50 * k) for k in range(5)]
    assert [[p.index for p in run] for run in group_parts(one, runs=2)] == [[0, 1, 2], [3, 4]]
    assert [[p.index for p in run] for run in group_parts(one, runs=8)] == [[0], [1], [2], [3], [4]]


def test_a_cluster_of_its_own_finds_the_same_repeated_ids_on_its_workers(tmp_path, monkeypatch):
    """--scheduler: the case_id hashes are worked out by the cluster's workers, as on the local
    cluster; the results are the same."""
    import datetime as dt

    from dask.distributed import LocalCluster

    from helpers.batch import dask_engine
    from helpers.batch.runner import Options
    src = tmp_path / "cases.parquet"
    _input(src)  # 10,000 cases; row 4002 repeats the case_id of row 12, in another part
    local = Options(cases=str(src), out=str(tmp_path / "local"), as_of=dt.date(2026, 11, 1), report=False)
    dask_engine.run_dask(local, part_rows=2000)
    calls = tmp_path / "hashed-on.txt"  # a file: the task is pickled on its way to the workers
    real = dask_engine.group_id_hashes

    def recorded(parts, opts):
        import threading
        with open(calls, "a", encoding="utf-8") as f:
            f.write(f"{threading.current_thread().name} {len(parts)}\n")
        return real(parts, opts)
    monkeypatch.setattr(dask_engine, "group_id_hashes", recorded)
    with LocalCluster(n_workers=1, threads_per_worker=3, processes=False, dashboard_address=None) as cluster:
        remote = Options(cases=str(src), out=str(tmp_path / "remote"), as_of=dt.date(2026, 11, 1), report=False)
        dask_engine.run_dask(remote, scheduler=cluster.scheduler_address, part_rows=2000)
    hashed = [line.split() for line in calls.read_text(encoding="utf-8").splitlines()]
    assert sum(int(n) for _, n in hashed) == len(plan_parts(src, part_rows=2000)) == 7  # row groups of 1,500
    assert all(name != "MainThread" for name, _ in hashed), hashed
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "remote" / "recommendations"),
                                  pd.read_parquet(tmp_path / "local" / "recommendations"))
    assert (tmp_path / "remote" / "errors.csv").read_bytes() == (tmp_path / "local" / "errors.csv").read_bytes()
    assert "row 4002 has it" in (tmp_path / "remote" / "errors.csv").read_text()


def test_a_worker_takes_the_checked_playbook_and_its_compiled_messages(tmp_path, monkeypatch):
    """A part is decided under validate's gate, as the client checks it: a fresh worker compiles no
    message template (a clean verdict brings them), and refuses a playbook broken meanwhile."""
    from helpers.batch import dask_engine
    from helpers.core.exceptions import PlaybookError
    from helpers.playbook import messages
    from helpers.playbook import validate as gate

    from support import copy_playbook, edit_file
    pb = copy_playbook(tmp_path)
    monkeypatch.setenv(gate.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(gate, "_verdicts", {})
    src = tmp_path / "cases.parquet"
    _input(src, n=2000)
    gate.load_checked(pb)  # the client's check before the run
    (part,) = [p for p in plan_parts(src, part_rows=1500) if p.index == 0]
    out = tmp_path / "out"
    for sub in ("recommendations", ".errors"):
        (out / sub).mkdir(parents=True)
    opts = {"out": str(out), "as_of": "2026-11-01", "today": "2026-11-01", "playbook": str(pb), "params": {},
            "lang": "zh", "render": True, "explain": True, "columns": None}
    messages.clear_caches()
    monkeypatch.setattr(gate, "_verdicts", {})  # a new worker process: only the disk remembers
    compiled = []
    real = messages._compile
    monkeypatch.setattr(messages, "_compile", lambda *a: compiled.append(a[1:3]) or real(*a))
    result = dask_engine.decide_part(part, opts, {})
    assert result["decided"] > 1000 and compiled == []
    assert pd.read_parquet(out / "recommendations" / "part-00000.parquet")["message"].str.len().min() > 0
    edit_file(pb / "platforms.yaml", "    value: 1500", "    value: 60")
    with pytest.raises(PlaybookError, match="over AliExpress's limit of 60"):
        dask_engine.decide_part(part, opts, {})


_HELD = """
import json, sys, threading
from helpers.batch import dask_engine
root, busy = sys.argv[1], sys.argv[2] == "busy"
stop = threading.Event()
if busy:  # a thread of the program's own, as a notebook's kernel has
    threading.Thread(target=stop.wait).start()

def held():
    import sys
    from helpers.playbook.messages import compiled_texts
    return [len(compiled_texts(root)["rows"]), "helpers.core.engine" in sys.modules, "pandas" in sys.modules]

client, cluster = dask_engine._client(None, playbook=root)
try:
    print(json.dumps(list(client.run(held).values())))
finally:
    client.close()
    cluster.close()
    stop.set()
"""


@pytest.mark.parametrize("threads", ["alone", "busy"])
def test_the_local_workers_start_ready_when_forking_is_safe(tmp_path, threads):
    """On Linux, in a process with no other thread (the command line), the local cluster's workers are
    forked once the playbook is checked: before any task each holds its compiled message texts and
    the decision modules (spawned workers held neither: ~0.5 s of each worker's time). With a thread
    of the program's own (a kernel, a test run) a fork could copy a lock that thread holds, so the
    workers are spawned as Dask does by default, and start with nothing loaded."""
    import json
    import os
    import subprocess
    import sys

    from helpers.playbook import validate as gate

    from support import ROOT, copy_playbook
    pb = copy_playbook(tmp_path)
    proc = subprocess.run([sys.executable, "-c", _HELD, str(pb.resolve()), threads], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, gate.CACHE_ENV: str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr
    states = json.loads(proc.stdout.splitlines()[-1])
    assert len(states) == 2
    if threads == "alone" and sys.platform.startswith("linux"):
        assert all(texts > 400 and engine and pandas for texts, engine, pandas in states), states
    else:
        assert all(texts == 0 and not engine for texts, engine, _ in states), states


def test_a_part_whose_every_row_is_rejected_leaves_the_parts_readable_as_one_table(tmp_path):
    """A part with no decided row was written with its text columns of Arrow's null type, and the
    folder of parts could not be read as one table (pandas: 'Unsupported cast from string to null')."""
    import datetime as dt

    from helpers.batch import dask_engine
    from helpers.batch.runner import Options
    frame = generate_frame(2000, seed=5)
    frame.loc[:499, "order_value"] = -1.0  # the first part's every row is rejected
    src = tmp_path / "cases.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), src)
    opts = Options(cases=str(src), out=str(tmp_path / "o"), as_of=dt.date(2026, 11, 1), report=False)
    result = dask_engine.run_dask(opts, part_rows=500, processes=False)
    parts = tmp_path / "o" / "recommendations"
    assert pq.read_metadata(parts / "part-00000.parquet").num_rows == 0
    together = pd.read_parquet(parts)
    assert len(together) == result.decided == 2000 - 500 - (result.rejected - 500)
    assert set(together["currency"]) <= set(frame["currency"])


def test_a_folder_partitioned_by_a_column_gives_that_column_back_to_its_rows(tmp_path):
    """Spark, pandas (`to_parquet(partition_cols=...)`) and Dask write a table split by a column as
    folders `platform=ebay/…parquet`: the column is in the folder names, not in the files. It was
    silently missing (every case decided as if its platform were unknown); now each row takes its
    folder's value (a missing one's folder, __HIVE_DEFAULT_PARTITION__, gives none), and the
    decisions equal the pandas engine's on the same rows in one file."""
    frame = generate_frame(3000, seed=11)
    frame.loc[[4, 40, 400], "platform"] = None
    frame.to_parquet(tmp_path / "split", partition_cols=["platform"])
    assert (tmp_path / "split" / "platform=ebay").is_dir() and (tmp_path / "split" / "platform=__HIVE_DEFAULT_PARTITION__").is_dir()
    frame.to_parquet(tmp_path / "whole.parquet")
    for src, out, extra in ((tmp_path / "split", "dask", ["--engine", "dask"]), (tmp_path / "whole.parquet", "pandas", [])):
        assert main(["batch", str(src), "--out", str(tmp_path / out), "--as-of", "2026-11-01", "--no-report", *extra]) == 0
    dask = pd.read_parquet(tmp_path / "dask" / "recommendations").set_index("case_id").sort_index()
    whole = pd.read_csv(tmp_path / "pandas" / "recommendations.csv", keep_default_na=False).set_index("case_id").sort_index()
    assert len(dask) == len(whole) > 2900
    assert dask["platform"].astype(str).value_counts().to_dict() == whole["platform"].value_counts().to_dict()
    for column in ("platform", "resolution", "rule_id", "message"):
        assert (dask[column].astype(str) == whole[column].astype(str)).all(), column


def test_a_parquet_file_of_no_rows_is_a_run_of_no_rows_with_its_report(tmp_path, capsys):
    """An export of an empty day: 0 rows, as the pandas engine says, with an empty errors.csv and the
    report (it was an internal error, exit 70: nothing to put together)."""
    src = tmp_path / "empty.parquet"
    generate_frame(10, seed=3).iloc[:0].to_parquet(src)
    out = tmp_path / "o"
    assert main(["batch", str(src), "--engine", "dask", "--out", str(out), "--as-of", "2026-11-01"]) == 0
    assert "0 rows: 0 decided, 0 rejected" in capsys.readouterr().out
    assert (out / "errors.csv").read_text(encoding="utf-8").strip() == '"row","case_id","field","message"'
    assert (out / "report.html").stat().st_size > 0
    assert not list((out / "recommendations").glob("part-*"))
