"""--per-case-notebooks: one started kernel per worker, reused with the namespace reset; the
outputs equal a fresh kernel's (papermill), and a failing case is recorded while the rest go on."""
from __future__ import annotations

import datetime as dt

import nbformat
import numpy as np
import pandas as pd
import papermill as pm
import pytest

from helpers.batch.read import read_table, validate_frame
from helpers.cli import main
from helpers.batch.per_case import case_parameters, notebook_name, run_notebooks
from helpers.core.paths import NOTEBOOKS_DIR as NOTEBOOKS

from support import ROOT

pytestmark = pytest.mark.slow  # runs notebooks or large batches

PROBE = ROOT / "tests" / "data" / "per_case_probe.ipynb"


def _outputs(nb):
    """What a reader sees: per code cell, its execution count and its outputs (not timings)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        outs = []
        for o in cell.outputs:
            o = {k: v for k, v in o.items() if k != "execution_count"}
            outs.append(o)
        cells.append((cell.execution_count, cell.source, outs))
    return cells


def test_reused_kernel_outputs_equal_a_fresh_kernel_run(tmp_path):
    v = validate_frame(read_table(ROOT / "samples" / "cases.csv"), as_of=dt.date(2026, 11, 1))
    rows = np.flatnonzero(v.valid)
    picks = {}
    for i in rows:  # two cases of every dispute type: each worker runs several notebooks in one kernel
        p = case_parameters(v.cols, i)
        if sum(q["dispute_type"] == p["dispute_type"] for q in picks.values()) < 2:
            picks[int(i)] = {**p, "interactive": False, "ui_language": "en"}
    jobs = [(i, p["case_id"], NOTEBOOKS / f"{p['dispute_type']}.ipynb", p, tmp_path / "reused" / notebook_name(p["case_id"]))
            for i, p in picks.items()]
    (tmp_path / "reused").mkdir()
    results = run_notebooks(jobs, workers=2)
    assert [r[3] for r in results] == [None] * len(jobs)
    for i, p in list(picks.items())[::3]:  # papermill's own run in a fresh kernel, for a third of them
        fresh = tmp_path / "fresh" / notebook_name(p["case_id"])
        fresh.parent.mkdir(exist_ok=True)
        pm.execute_notebook(str(NOTEBOOKS / f"{p['dispute_type']}.ipynb"), str(fresh), parameters=p,
                            progress_bar=False, kernel_name="python3")
        ours = nbformat.read(tmp_path / "reused" / notebook_name(p["case_id"]), as_version=4)
        nbformat.validate(ours)  # outputs are made without nbformat's per-output check: the whole is valid
        theirs = nbformat.read(fresh, as_version=4)
        assert _outputs(ours) == _outputs(theirs), p["case_id"]
        injected = [c for c in ours.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and f"case_id = \"{p['case_id']}\"" in injected[0].source


def test_a_failing_case_is_recorded_and_the_others_go_on(tmp_path):
    cases = ["A1", "BOOM", "A2", "A3"]
    jobs = [(n, c, PROBE, {"case_id": c, "order_value": float(n)}, tmp_path / f"{c}.ipynb") for n, c in enumerate(cases)]
    results = run_notebooks(jobs, workers=1)  # one kernel: every case after BOOM runs in the same kernel
    errors = {c: e for _, c, _, e in results}
    assert errors["A1"] is None and errors["A2"] is None and errors["A3"] is None
    assert "boom: this case cannot be audited" in errors["BOOM"]
    failed = nbformat.read(tmp_path / "BOOM.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in failed.cells if c.cell_type == "code" for o in c.outputs)
    after = nbformat.read(tmp_path / "A2.ipynb", as_version=4)
    printed = [o["text"] for c in after.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"]
    assert printed[0] == "A2 2.0 clean namespace\n"  # %reset -f: nothing left over from BOOM's run
    counts = [c.execution_count for c in after.cells if c.cell_type == "code"]
    assert counts == [1, 2, 3, 4]


def test_cli_writes_one_notebook_per_case(tmp_path, capfd):
    frame = pd.read_csv(ROOT / "samples" / "cases.csv", dtype=str, keep_default_na=False).iloc[[0, 6, 12, 20, -1]]
    frame.iloc[1, frame.columns.get_loc("case_id")] = "订单1"
    frame.iloc[2, frame.columns.get_loc("case_id")] = "A/7 x"
    src = tmp_path / "few.csv"
    frame.to_csv(src, index=False)
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out), "--as-of", "2026-11-01", "--no-report",
                 "--per-case-notebooks", "--workers", "2", "--lang", "zh"]) == 0
    decided = pd.read_csv(out / "recommendations.csv", dtype=str)["case_id"]
    assert sorted(p.name for p in (out / "cases").glob("*.ipynb")) == sorted(notebook_name(c) for c in decided)
    assert len(pd.read_csv(out / "notebook_errors.csv")) == 0
    assert notebook_name("a/b c") != notebook_name("a b/c") and notebook_name("T01") == "T01.ipynb"
    # a Chinese id stays readable (it was 1-13be7e62.ipynb); the index says which file holds which case
    assert notebook_name("订单1") == "订单1.ipynb"
    index = pd.read_csv(out / "cases" / "index.csv", dtype=str)
    assert dict(zip(index["case_id"], index["notebook"]))["A/7 x"] == notebook_name("A/7 x")
    assert sorted(index["case_id"]) == sorted(decided) and "订单1" in set(index["case_id"])
    err = capfd.readouterr()
    assert "WARNING" not in err.err  # the kernels' start-up warnings stay off the terminal
    assert "注意：逐案笔记本：4 个已运行，0 个失败 -> " in err.out  # the last sample row is rejected
    assert "WARNING" not in capfd.readouterr().err  # the kernels' start-up warnings stay off the terminal


def test_audit_notebooks_decide_as_the_batch_under_its_playbook_set_and_date(tmp_path):
    """The batch's --playbook (a modified copy), --set and --as-of reach every audit notebook."""
    import shutil

    from helpers.ui.notebook_run import read_recommendation
    playbook = tmp_path / "playbook"
    shutil.copytree(ROOT / "playbook", playbook)
    params = playbook / "parameters.yaml"
    text = params.read_text(encoding="utf-8")
    params.write_text(text.replace("keep_item_max_value:\n  value: 15", "keep_item_max_value:\n  value: 60"),
                      encoding="utf-8")
    frame = pd.read_csv(ROOT / "samples" / "cases.csv", dtype=str, keep_default_na=False)
    # cases these policies decide differently (cheap orders kept by the buyer, goodwill shares), and two others
    picks = ["T01", "T14", "T22", "G0000007", "G0000092", "G0000076", "G0000136", "G0000036"]
    src = tmp_path / "few.csv"
    frame[frame["case_id"].isin(picks)].to_csv(src, index=False)
    common = ["batch", str(src), "--as-of", "2026-11-20", "--no-report"]
    assert main(common + ["--out", str(tmp_path / "plain")]) == 0
    out = tmp_path / "audit"
    assert main(common + ["--out", str(out), "--playbook", str(playbook), "--set", "goodwill_partial_share=0.45",
                          "--per-case-notebooks", "--workers", "2"]) == 0
    plain = pd.read_csv(tmp_path / "plain" / "recommendations.csv", dtype=str, keep_default_na=False)
    rows = pd.read_csv(out / "recommendations.csv", dtype=str, keep_default_na=False)
    # the modified playbook and --set really change decisions, so a notebook on the defaults would differ
    changed = (plain.set_index("case_id")[["resolution", "refund_amount"]]
               != rows.set_index("case_id")[["resolution", "refund_amount"]]).any(axis=1)
    assert changed.sum() >= 4, changed  # two by the playbook copy, two by --set
    assert len(pd.read_csv(out / "notebook_errors.csv")) == 0
    for row in rows.to_dict("records"):
        rec = read_recommendation(out / "cases" / notebook_name(row["case_id"]))
        assert rec["as_of_date"] == "2026-11-20"
        assert (rec["resolution"], rec["rule_id"]) == (row["resolution"], row["rule_id"]), row["case_id"]
        for money in ("refund_amount", "est_cost"):
            assert (f"{rec[money]:.2f}" if rec[money] is not None else "") == (
                f"{float(row[money]):.2f}" if row[money] else ""), (row["case_id"], money)
        assert rec["message"] == row["message"] and rec["rationale"] == row["rationale"]


def test_a_cell_whose_meaning_depends_on_the_namespace_is_worked_out_for_each_case(tmp_path):
    """The runner remembers IPython's text-only transforms of cells it has seen; a one-line cell's
    automagic depends on the namespace, so `who` lists the variables unless the case made one named `who`."""
    probe = ROOT / "tests" / "data" / "per_case_automagic.ipynb"
    cases = ["PLAIN1", "SHADOW", "PLAIN2"]
    jobs = [(n, c, probe, {"case_id": c}, tmp_path / f"{c}.ipynb") for n, c in enumerate(cases)]
    results = run_notebooks(jobs, workers=1)  # one kernel, in this order
    assert [r[3] for r in results] == [None] * 3

    def last_cell(case):
        return nbformat.read(tmp_path / f"{case}.ipynb", as_version=4).cells[-1].outputs

    for plain in ("PLAIN1", "PLAIN2"):
        [out] = last_cell(plain)
        assert out.output_type == "stream" and "case_id" in out.text  # %who: the variables
    [shadowed] = last_cell("SHADOW")
    assert shadowed.output_type == "execute_result"
    assert shadowed.data["text/plain"] == "'a variable named who'"


def test_the_kernel_talks_over_unix_sockets_removed_with_it():
    """No TCP port to race for: two batches picking the same free port made one kernel die at start."""
    import json
    from pathlib import Path

    from helpers.batch.per_case import Runner
    runner = Runner()
    try:
        info = json.loads(Path(runner.km.connection_file).read_text())
        assert info["transport"] == "ipc"
        sockets = [Path(f"{info['ip']}-{info[c]}") for c in ("shell_port", "iopub_port", "control_port", "hb_port")]
        assert all(s.is_socket() for s in sockets)
        assert runner.kc.execute_interactive("1 + 1", timeout=60)["content"]["status"] == "ok"
    finally:
        runner.close()
    assert not any(s.exists() for s in sockets) and not Path(runner.km.connection_file).parent.exists()


def test_each_notebook_is_written_with_its_own_outputs_while_the_next_runs(tmp_path, monkeypatch):
    """run_many writes a notebook on a thread while the kernel runs the next: every file holds its own
    case's outputs (each write is held back until the next case has run, so notebooks sharing cells
    would show the wrong ones), and a case that fails to start, run or be written fails alone."""
    import time

    from helpers.batch import per_case
    from helpers.batch.per_case import Runner
    write = per_case._write_notebook
    monkeypatch.setattr(per_case, "_write_notebook", lambda nb, output: time.sleep(0.5) or write(nb, output))
    (tmp_path / "ok").mkdir()
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    jobs = [(PROBE, {"case_id": "A1", "order_value": 1.0}, tmp_path / "ok" / "A1.ipynb"),
            (tmp_path / "no-such.ipynb", {"case_id": "GONE"}, tmp_path / "ok" / "GONE.ipynb"),
            (PROBE, {"case_id": "BOOM", "order_value": 2.0}, tmp_path / "ok" / "BOOM.ipynb"),
            (PROBE, {"case_id": "A2", "order_value": 3.0}, tmp_path / "a-file" / "A2.ipynb"),
            (PROBE, {"case_id": "A3", "order_value": 4.0}, tmp_path / "ok" / "A3.ipynb"),
            (PROBE, {"case_id": "A4", "order_value": 5.0}, tmp_path / "ok" / "A4.ipynb")]
    runner = Runner()
    try:
        errors = list(runner.run_many(iter(jobs)))
    finally:
        runner.close()
    assert errors[0] is None and errors[4] is None and errors[5] is None, errors
    assert errors[1].startswith("FileNotFoundError") and "no-such.ipynb" in errors[1]
    assert "boom: this case cannot be audited" in errors[2]
    assert errors[3].startswith("not written: ") and "a-file" in errors[3]
    assert sorted(p.name for p in (tmp_path / "ok").iterdir()) == ["A1.ipynb", "A3.ipynb", "A4.ipynb", "BOOM.ipynb"]
    for case, value in (("A1", 1.0), ("A3", 4.0), ("A4", 5.0)):
        nb = nbformat.read(tmp_path / "ok" / f"{case}.ipynb", as_version=4)
        printed = [o["text"] for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"]
        assert printed == [f"{case} {value} clean namespace\n", "done\n"], (case, printed)
        assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3, 4]
        assert nb.metadata.papermill.parameters == {"case_id": case, "order_value": value,
                                                     "PAPERMILL_OUTPUT_PATH": str(tmp_path / "ok" / f"{case}.ipynb")}
        assert [c.metadata.tags for c in nb.cells] == [[], ["parameters"], ["injected-parameters"], [], []]


def test_printed_text_and_displays_keep_their_order_as_in_a_fresh_kernel(tmp_path):
    """The runner's streams flush only when written to (ipykernel flushes both before every display):
    text printed before a display still comes before it, on stdout and stderr alike, in every case."""
    from helpers.batch.per_case import Runner
    source = tmp_path / "order.ipynb"
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("case_id = 'X'", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import sys\nfrom IPython.display import HTML, Markdown, display\n"
                                          "print('before', case_id)\ndisplay(Markdown('**shown**'))\n"
                                          "print('warned', file=sys.stderr)\ndisplay(HTML('<b>second</b>'))\n"
                                          "display(Markdown('third'))\nprint('after')")]
    nbformat.write(nb, source)
    fresh = tmp_path / "fresh.ipynb"
    pm.execute_notebook(str(source), str(fresh), parameters={"case_id": "A1"}, progress_bar=False, kernel_name="python3")
    expected = _outputs(nbformat.read(fresh, as_version=4))
    assert [[o["output_type"] for o in outs] for _, _, outs in expected][1] == \
        ["stream", "display_data", "stream", "display_data", "display_data", "stream"]
    runner = Runner()
    try:
        errors = list(runner.run_many((source, {"case_id": case}, tmp_path / f"{case}.ipynb") for case in ("A1", "A2", "A1")))
    finally:
        runner.close()
    assert errors == [None] * 3
    assert _outputs(nbformat.read(tmp_path / "A1.ipynb", as_version=4)) == expected
    assert "before A2" in _outputs(nbformat.read(tmp_path / "A2.ipynb", as_version=4))[1][2][0]["text"]


def test_a_stream_is_flushed_only_when_written_since_its_last_flush():
    from helpers.batch.per_case import FlushWhenWritten

    class Stream:
        flushes, text, encoding = 0, "", "utf-8"

        def write(self, t):
            self.text += t
            return len(t)

        def flush(self):
            self.flushes += 1
    inner = Stream()
    wrapped = FlushWhenWritten(inner)
    wrapped.flush()
    assert inner.flushes == 0
    assert wrapped.write("a") == 1 and inner.text == "a"
    wrapped.flush()
    wrapped.flush()
    assert inner.flushes == 1
    wrapped.write("bc")
    wrapped.flush()
    assert inner.flushes == 2 and inner.text == "abc" and wrapped.encoding == "utf-8"
