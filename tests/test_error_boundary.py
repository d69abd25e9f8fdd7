"""Every subcommand driven into every kind of failure: the documented exit code (README "Exit
codes"), one paragraph on stderr naming the problem, and never a traceback.

Most run in-process through `helpers.cli.main` (fast); a few run as real processes, as a user does.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from helpers.cli import main
from support import ROOT

# a damaged case without buyer photos: rule dmg_no_photos, message template request_photos
CASE = {"case_id": "EB-1", "dispute_type": "damaged", "order_value": 40, "buyer_photos": False,
        "as_of_date": "2026-11-01"}
CSV = "case_id,dispute_type,order_value,buyer_photos\nEB-1,damaged,40,false\nEB-2,damaged,-5,false\n"


def expect(capsys, argv, code, *says):
    """Run `dispute-playbook argv` in-process; check its exit code and its one-paragraph message."""
    got = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert got == code, f"exit {got}, wanted {code}; stderr: {err}"
    assert "Traceback" not in out + err, err
    if code not in (0, 1):
        assert err.strip(), "a failure must say what went wrong"
        assert "\n\n" not in err.strip(), f"one paragraph, not several: {err!r}"
        assert err.startswith("dispute-playbook: "), err
    for text in says:
        assert text in err + out, f"{text!r} not in {err!r}"
    return out, err


@pytest.fixture
def files(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE), encoding="utf-8")
    csv = tmp_path / "cases.csv"
    csv.write_text(CSV, encoding="utf-8")
    return {"case": case, "csv": csv, "tmp": tmp_path}


def broken_playbook(tmp_path, kind: str):
    """A copy of the bundled playbook with one typo of the given kind."""
    root = tmp_path / f"playbook-{kind}"
    shutil.copytree(ROOT / "playbook", root)
    if kind == "yaml":  # an unclosed flow sequence in the damaged table
        path = root / "damaged.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            "actions: [request_photos, reply_promptly, keep_records]", "actions: [request_photos, reply_promptly", 1),
            encoding="utf-8")
        return root, "damaged.yaml"
    if kind == "jinja":  # a message template with a block that never closes
        path = root / "messages" / "request_photos.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("en: |\n", "en: |\n  {% if platform == 'ebay' %}\n", 1), encoding="utf-8")
        assert path.read_text(encoding="utf-8") != text
        return root, "request_photos.yaml"
    if kind == "prose":  # rationale naming a parameter that does not exist
        path = root / "damaged.yaml"
        text = path.read_text(encoding="utf-8").replace(
            "en: Ask for photos of the item,", "en: Within {{ params.no_such_days }} days ask for photos of the item,", 1)
        path.write_text(text, encoding="utf-8")
        lines = text.splitlines()
        broken = next(i for i, line in enumerate(lines) if "no_such_days" in line)
        assert lines[broken - 1].strip() == "rationale:"
        return root, f"damaged.yaml:{broken + 1}"  # the rationale's `en:` line, counted from 1
    raise ValueError(kind)


PLAYBOOK_KINDS = ("yaml", "jinja", "prose")


def parquet(capsys, files):
    """Five generated cases as Parquet, for the Dask engine."""
    path = files["tmp"] / "cases.parquet"
    assert main(["samples", "--out", str(path), "--count", "5"]) == 0
    capsys.readouterr()
    return path


# --- recommend -------------------------------------------------------------------------------

def test_recommend_a_bad_case_exits_2_naming_case_and_field(capsys, files):
    files["case"].write_text(json.dumps({**CASE, "order_value": -5}), encoding="utf-8")
    expect(capsys, ["recommend", files["case"]], 2, "bad case: case EB-1: order_value", "fix these fields")



@pytest.mark.parametrize("lang, line", [
    ("en", "dispute-playbook: bad case: case EB-1: order_value: -5 must be greater than 0; case EB-1: order_date: "
           "'2026-13-01' is not a real date — fix these fields (see the case contract in docs/contract.md) and try again"),
    ("zh", "dispute-playbook: 案例有误：案例 EB-1：order_value：-5 必须大于 0；案例 EB-1：order_date：'2026-13-01' "
           "不是真实存在的日期——请按案例约定（docs/contract.md）修正这些字段后重试"),
])
def test_recommend_a_bad_case_is_told_in_the_commands_language(capsys, files, lang, line):
    """`recommend --lang zh` gave a Chinese seller the reasons in English (its rationale and actions
    are Chinese); the one line is the same, written by hand, and the exit code too."""
    files["case"].write_text(json.dumps({**CASE, "order_value": -5, "order_date": "2026-13-01"}), encoding="utf-8")
    assert main(["recommend", str(files["case"]), "--lang", lang]) == 2
    assert capsys.readouterr().err.strip() == line


@pytest.mark.parametrize("content,says", [(None, "no such file"), ("{not json", "is not valid JSON/YAML")])
def test_recommend_a_bad_input_file_exits_2_without_blaming_fields(capsys, files, content, says):
    path = files["tmp"] / "in.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    _, err = expect(capsys, ["recommend", path], 2, f"input file {path}", says.split(" ")[0])
    assert "fix these fields" not in err  # a file problem is not a case's fields


@pytest.mark.parametrize("name, content, says", [
    ("tab.yaml", "case_id: A1\n\tdispute_type: damaged\n", "line 2, column 1"),   # each used to exit 70
    ("two.yaml", "case_id: A1\n---\ncase_id: A2\n", "expected a single document"),
    ("tag.yaml", "order_id: !custom x\n", "could not determine a constructor"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "is nested too deeply"),
    ("lone.json", '{"case_id": "\\ud800", "dispute_type": "damaged", "order_value": 5}', "not a character"),
])
def test_recommend_a_case_file_yaml_or_json_cannot_give_exits_2_not_an_internal_error(capsys, files, name, content, says):
    path = files["tmp"] / name
    path.write_text(content, encoding="utf-8")
    _, err = expect(capsys, ["recommend", path], 2, f"input file {path}", says)
    assert "internal error" not in err


@pytest.mark.parametrize("option,says", [
    (["--set", "keep_item_max_value"], "--set: 'keep_item_max_value' is not NAME=NUMBER"),
    (["--set", "no_such=1"], "unknown playbook parameter 'no_such'"),
    (["--as-of", "2026-13-01"], "--as-of '2026-13-01' is not a date — write it as YYYY-MM-DD, e.g. --as-of 2026-11-01"),
    (["--as-of", "20261101"], "--as-of '20261101' is not a date"),  # Python's basic format: taken before
    (["--as-of", ""], "--as-of '' is not a date"),  # said as the case's as_of_date before
    (["--lang", "fr"], "invalid choice: 'fr'"),
])
def test_recommend_a_bad_option_exits_2(capsys, files, option, says):
    expect(capsys, ["recommend", files["case"], *option], 2, says)


@pytest.mark.parametrize("kind", PLAYBOOK_KINDS)
def test_recommend_a_broken_playbook_exits_3_naming_the_file(capsys, files, kind):
    root, where = broken_playbook(files["tmp"], kind)
    out, _ = expect(capsys, ["recommend", files["case"], "--playbook", root], 3, where)
    assert out == ""


# --- batch (pandas) --------------------------------------------------------------------------

def test_batch_bad_rows_go_to_errors_csv_and_strict_exits_1(capsys, files):
    out = files["tmp"] / "o"
    expect(capsys, ["batch", files["csv"], "--out", out, "--no-report", "--as-of", "2026-11-01"], 0)
    expect(capsys, ["batch", files["csv"], "--out", out, "--no-report", "--as-of", "2026-11-01", "--strict"], 1)
    assert "EB-2" in (out / "errors.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("name,content,says", [
    ("missing.csv", None, "no such file"),
    ("cases.txt", "x", "unsupported file type '.txt'"),
    ("cases.xlsx", "not a zip", "cannot be read as .xlsx"),
])
def test_batch_a_bad_input_file_exits_2(capsys, files, name, content, says):
    path = files["tmp"] / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    _, err = expect(capsys, ["batch", path, "--out", files["tmp"] / "o", "--no-report"], 2, name, says)
    assert "fix these fields" not in err


@pytest.mark.parametrize("mapping,says", [
    ("columns:\n  订单号: order_number\n", "m.yaml line 2: columns: 订单号: 'order_number' is not a field"),
    ("columns: [unclosed\n", "m.yaml line 2: is not valid YAML"),
    ("colums:\n  a: case_id\n", "m.yaml line 1: unknown section 'colums'; did you mean 'columns'?"),
])
@pytest.mark.parametrize("engine", ["pandas", "dask"])
def test_batch_a_bad_mapping_exits_2_naming_file_and_line(capsys, files, mapping, says, engine):
    path = files["tmp"] / "m.yaml"
    path.write_text(mapping, encoding="utf-8")
    source = files["csv"] if engine == "pandas" else parquet(capsys, files)
    expect(capsys, ["batch", source, "--engine", engine, "--columns", path, "--out", files["tmp"] / "o",
                    "--no-report"], 2, "mapping file", says)


@pytest.mark.parametrize("option,says", [
    (["--chunk-rows", "0"], "--chunk-rows must be at least 1"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--as-of", "2026-02-30"], "--as-of '2026-02-30' is not a date"),
    (["--set", "keep_item_max_value=lots"], "--set: 'keep_item_max_value=lots' is not NAME=NUMBER"),
    (["--set", "keep_item_max_value=1_0"], "--set: 'keep_item_max_value=1_0' is not NAME=NUMBER"),  # float() took it: 10
    (["--set", "keep_item_max_value=\u0661\u0660"], "is not NAME=NUMBER"),  # Arabic-Indic 10, taken by float()
    (["--set", "no_such=1"], "unknown playbook parameter 'no_such'"),
    (["--engine", "dask", "--per-case-notebooks"], "--per-case-notebooks runs with --engine pandas only"),
    (["--engine", "spark"], "invalid choice: 'spark'"),
    (["--chunk-rows", "many"], "invalid int value: 'many'"),
])
def test_batch_a_bad_option_exits_2_before_any_work(capsys, files, option, says):
    out = files["tmp"] / "o"
    expect(capsys, ["batch", files["csv"], "--out", out, "--no-report", *option], 2, says)
    assert not (out / "recommendations.csv").exists()


# a broken message template shows while deciding: with Dask that is test_dask_broken_template_exits_3
@pytest.mark.parametrize("kind,engine", [(k, "pandas") for k in PLAYBOOK_KINDS] + [("yaml", "dask"), ("prose", "dask")])
def test_batch_a_broken_playbook_exits_3(capsys, files, kind, engine):
    root, where = broken_playbook(files["tmp"], kind)
    source = files["csv"] if engine == "pandas" else parquet(capsys, files)
    expect(capsys, ["batch", source, "--engine", engine, "--playbook", root, "--out", files["tmp"] / "o",
                    "--no-report"], 3, where)


@pytest.mark.parametrize("engine", ["pandas", "dask"])
def test_batch_an_unwritable_output_exits_4(capsys, files, engine):
    source = files["csv"] if engine == "pandas" else parquet(capsys, files)
    expect(capsys, ["batch", source, "--engine", engine, "--out", "/dev/null/out", "--no-report"], 4,
           "cannot write /dev/null/out")


@pytest.mark.parametrize("name,content,says", [
    ("cases.csv", CSV, "cases.csv: --engine dask reads Parquet"),  # "input file …" as every input file error
    ("missing.parquet", None, "no such file"),
    ("cases.parquet", "garbage", "cannot be read as Parquet"),
])
def test_batch_dask_a_bad_input_file_exits_2(capsys, files, name, content, says):
    path = files["tmp"] / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    _, err = expect(capsys, ["batch", path, "--engine", "dask", "--out", files["tmp"] / "o", "--no-report"], 2, says)
    assert f"input file {path}" in err


# --- validate, samples, workshop, app ---------------------------------------------------------

@pytest.mark.parametrize("kind", PLAYBOOK_KINDS)
def test_validate_a_broken_playbook_exits_1_listing_file_and_line(capsys, files, kind):
    root, where = broken_playbook(files["tmp"], kind)
    out, _ = expect(capsys, ["validate", root], 1)
    assert where in out and "error:" in out


def test_validate_a_folder_that_is_not_a_playbook_exits_1(capsys, files):
    out, _ = expect(capsys, ["validate", files["tmp"] / "nowhere"], 1)
    assert "is not a playbook folder" in out


@pytest.mark.parametrize("argv,code,says", [
    (["--out", "/dev/null/x.csv"], 4, "cannot write /dev/null"),
    (["--out", "{tmp}/x.txt"], 2, "write samples as .csv, .parquet, .jsonl"),
    (["--out", "{tmp}/x.csv", "--count", "-1"], 2, "--count must be 0 or more"),
    (["--out", "{tmp}/x.csv", "--count", "ten"], 2, "invalid int value"),
])
def test_samples_failures(capsys, files, argv, code, says):
    expect(capsys, ["samples", *[a.format(tmp=files["tmp"]) for a in argv]], code, says)


@pytest.mark.parametrize("argv,code,says", [
    (["--size", "0", "--seed", "1"], 2, "scenarios match"),
    (["--size", "2", "--seed", "1", "--out", "/dev/null/deck.json"], 4, "cannot write /dev/null"),
    (["--size", "2", "--seed", "1", "--types", "lost"], 2, "invalid choice: 'lost'"),
    (["--size", "2", "--seed", "1", "--playbook", "{tmp}/nowhere"], 3, "is not a playbook folder"),
])
def test_workshop_deck_failures(capsys, files, argv, code, says):
    expect(capsys, ["workshop", "deck", *[a.format(tmp=files["tmp"]) for a in argv]], code, says)


def test_workshop_deck_with_a_broken_playbook_exits_3(capsys, files):
    root, where = broken_playbook(files["tmp"], "prose")
    expect(capsys, ["workshop", "deck", "--size", "2", "--seed", "1", "--playbook", root], 3, where)


@pytest.mark.parametrize("argv,code,says", [
    (["{tmp}/no-answers"], 2, "is not a folder of answer files"),
    (["{tmp}", "--out", "/dev/null/report", "--no-report"], 4, "cannot write /dev/null/report"),
    (["{tmp}", "--playbook", "{tmp}/nowhere", "--no-report"], 3, "is not a playbook folder"),
])
def test_workshop_grade_failures(capsys, files, argv, code, says):
    expect(capsys, ["workshop", "grade", *[a.format(tmp=files["tmp"]) for a in argv]], code, says)


@pytest.mark.parametrize("argv,says", [
    (["--port", "http"], "invalid int value: 'http'"),
    (["--port", "70000"], "--port 70000 is not a port number"),
    (["--notebooks", "{tmp}"], "holds no start.ipynb"),
    (["--colour"], "unrecognized arguments: --colour"),
])
def test_app_a_bad_option_exits_2_before_starting_a_server(capsys, files, argv, says):
    expect(capsys, ["app", *[a.format(tmp=files["tmp"]) for a in argv]], 2, says)


# --- the boundary itself ---------------------------------------------------------------------

def test_a_bug_exits_70_with_the_details_in_a_file_not_a_traceback(capsys, files, monkeypatch):
    import helpers.advice.recommend as module

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(module, "recommend", broken)
    _, err = expect(capsys, ["recommend", files["case"]], 70, "internal error (a bug, not your input)")
    details = err.split("The details are in ")[1].split(";")[0]
    assert "ZeroDivisionError: a bug" in open(details, encoding="utf-8").read()


def test_ctrl_c_exits_130(capsys, files, monkeypatch):
    import helpers.advice.recommend as module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(module, "recommend", interrupted)
    expect(capsys, ["recommend", files["case"]], 130, "interrupted")


# --- as real processes -----------------------------------------------------------------------

def run(*argv, **kw):
    return subprocess.run([sys.executable, "-m", "helpers", *map(str, argv)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, **kw)


def assert_clean_failure(proc, code, says):
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.stderr.startswith("dispute-playbook: ") and "\n\n" not in proc.stderr.strip()
    assert says in proc.stderr, proc.stderr


def test_process_samples_into_dev_null_exits_4():
    assert_clean_failure(run("samples", "--out", "/dev/null/x.csv"), 4, "cannot write /dev/null/x.csv")


def test_process_recommend_with_an_undefined_parameter_in_prose_exits_3(files):
    root, where = broken_playbook(files["tmp"], "prose")
    assert_clean_failure(run("recommend", files["case"], "--playbook", root), 3, where)


def test_process_batch_with_a_broken_template_exits_3(files):
    root, where = broken_playbook(files["tmp"], "jinja")
    proc = run("batch", files["csv"], "--playbook", root, "--out", files["tmp"] / "o", "--no-report")
    assert_clean_failure(proc, 3, where)


def test_dask_broken_template_exits_3(files):
    root, where = broken_playbook(files["tmp"], "jinja")
    source = files["tmp"] / "cases.parquet"
    assert run("samples", "--out", source, "--count", "50").returncode == 0
    proc = run("batch", source, "--engine", "dask", "--playbook", root, "--out", files["tmp"] / "o", "--no-report")
    assert_clean_failure(proc, 3, where)


def test_process_app_with_a_bad_option_exits_2():
    assert_clean_failure(run("app", "--port", "http"), 2, "invalid int value: 'http'")


@pytest.mark.slow
@pytest.mark.parametrize("after_parts", [0, 1])
def test_process_dask_ctrl_c_exits_130_without_a_worker_traceback(files, after_parts):
    """Ctrl-C in a terminal reaches every process of the command: the local Dask workers too. The
    run stops with the one-line "interrupted" (exit 130); no worker prints a traceback or Dask's
    warnings about cancelled tasks, and none is left running. Interrupted while the workers start
    (no part written yet) and while they decide."""
    import time

    import psutil
    source = files["tmp"] / "cases.parquet"
    assert run("samples", "--out", source, "--count", "300000").returncode == 0
    out = files["tmp"] / "o"
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "batch", str(source), "--engine", "dask", "--out", str(out),
                             "--no-report"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    workers = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        workers = psutil.Process(proc.pid).children(recursive=True)
        parts = list((out / "recommendations").glob("part-*.parquet")) if out.exists() else []
        if workers and len(parts) >= after_parts:
            break
        time.sleep(0.02)
    assert proc.poll() is None and workers and after_parts <= len(parts) < 6, parts  # running, at the point meant
    assert_ctrl_c_ends_it_in_one_line(proc, workers)


@pytest.mark.slow
def test_process_dask_beside_another_cluster_prints_nothing_of_dask(files):
    """An analyst often has another Dask cluster running (its dashboard on port 8787): our local
    cluster takes no fixed port, so Dask does not warn "Port 8787 is already in use" into the run's
    output."""
    import socket
    source = files["tmp"] / "cases.parquet"
    assert run("samples", "--out", source, "--count", "500").returncode == 0
    taken = socket.socket()
    try:
        taken.bind(("0.0.0.0", 8787))
        taken.listen()
    except OSError:
        pass  # already in use: the case this test is about
    try:
        proc = run("batch", source, "--engine", "dask", "--out", files["tmp"] / "o", "--no-report")
    finally:
        taken.close()
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


@pytest.mark.parametrize("address,code,says", [
    ("nonsense", 2, "--scheduler nonsense: missing port number"),
    ("http://127.0.0.1:8787", 2, "unknown address scheme 'http'"),
    ("tcp://127.0.0.1:1", 4, "cannot reach the Dask scheduler at tcp://127.0.0.1:1"),
])
def test_batch_dask_a_scheduler_wrong_or_not_answering(capsys, files, address, code, says):
    """A mistyped --scheduler is an option to fix (2); one not answering is the environment (4). Both
    were 'internal error (a bug)', exit 70."""
    import dask
    import distributed  # noqa: F401 — its defaults are in dask's config before one of them is changed
    source = files["tmp"] / "cases.parquet"
    assert main(["samples", "--out", str(source), "--count", "50"]) == 0
    capsys.readouterr()
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        expect(capsys, ["batch", source, "--engine", "dask", "--scheduler", address, "--out", files["tmp"] / "o",
                        "--no-report"], code, says)


def test_batch_dask_workers_that_keep_dying_exit_4_keeping_the_finished_parts(capsys, files, monkeypatch):
    """Dask gives up on a task whose workers died under it, three times over (out of memory, most
    often): exit 4, saying what to do, instead of an internal error."""
    import datetime as dt
    from types import SimpleNamespace

    from distributed import KilledWorker

    from helpers.batch import dask_engine
    from helpers.batch.runner import Options
    from helpers.core.exceptions import ResourceError
    source = files["tmp"] / "cases.parquet"
    assert main(["samples", "--out", str(source), "--count", "3000"]) == 0
    real = dask_engine.decide_part

    def dies_on_part_3(part, opts, later):
        if part.index == 3:
            raise KilledWorker(f"decide_group-{part.index}", SimpleNamespace(address="tcp://127.0.0.1:40000"), 3)
        return real(part, opts, later)
    monkeypatch.setattr(dask_engine, "decide_part", dies_on_part_3)
    opts = Options(cases=str(source), out=str(files["tmp"] / "o"), as_of=dt.date(2026, 11, 1), report=False)
    with pytest.raises(ResourceError, match="died running the same task 4 times .* run again with --resume") as caught:
        dask_engine.run_dask(opts, part_rows=500, processes=False)  # threads: the patched task runs here
    assert caught.value.exit_code == 4


@pytest.mark.slow
@pytest.mark.parametrize("stop,delay", [("ctrl-c", 0.2), ("ctrl-c", 1.0), ("kill -9", 1.0)])
def test_process_batch_stopped_leaves_no_report_process_and_no_traceback(files, stop, delay):
    """The pandas engine starts the report's process with the batch (it imports while the batch
    runs, then waits for the results). Ctrl-C in a terminal reaches it too, and it printed a
    KeyboardInterrupt traceback from the middle of its imports; the batch killed outright left it
    printing an EOFError traceback. Now Ctrl-C ends the run in one line, and a killed batch's report
    process ends without a word."""
    import time

    import psutil
    source = files["tmp"] / "cases.csv"
    assert run("samples", "--out", source, "--count", "300000").returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "batch", str(source), "--out", str(files["tmp"] / "o")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    children = []
    deadline = time.monotonic() + 60
    while not children and time.monotonic() < deadline and proc.poll() is None:
        children = psutil.Process(proc.pid).children(recursive=True)
        time.sleep(0.02)
    time.sleep(delay)  # the report process importing, then waiting for the results
    assert proc.poll() is None and children
    if stop == "ctrl-c":
        assert_ctrl_c_ends_it_in_one_line(proc, children)
    else:
        proc.kill()
        assert_ended(proc, children, None, None)


def assert_ctrl_c_ends_it_in_one_line(proc, children):
    """Ctrl-C as a terminal sends it (to the whole process group of a command started in a session of
    its own): exit 130, the one line on stderr, and none of the processes it started still running."""
    import os
    import signal
    os.killpg(proc.pid, signal.SIGINT)
    assert_ended(proc, children, 130, "dispute-playbook: interrupted")


def assert_ended(proc, children, code, line):
    """The command's exit code and its one line on stderr (None: any code, no traceback), and none of
    the processes it started still running (stderr is read until the last of them closes it)."""
    import psutil
    _, err = proc.communicate(timeout=120)
    if line is None:
        assert "Traceback" not in err, err
    else:
        assert proc.returncode == code, err
        assert err.strip() == line, err
    psutil.wait_procs(children, timeout=30)
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["ctrl-c", "kill", "kill -9"])
def test_process_per_case_notebooks_stopped_leaves_no_worker_or_kernel(files, stop):
    """Stopped while the audit notebooks run. Ctrl-C: the batch hung for ever at exit (its task queue
    waiting to send the rest to workers that had stopped); now exit 130 in one line. `kill` (SIGTERM,
    as a scheduler or CI stops a command): the batch died at once and its workers and kernels ran on
    for ever; now it stops as Ctrl-C does (exit 143, one line). `kill -9`: nothing can run in the
    batch, so each worker ends itself and its kernel when the batch is gone. No worker or kernel is
    left running in any case."""
    import signal
    import time

    import psutil
    out = files["tmp"] / "o"
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "batch", str(ROOT / "samples" / "cases.csv"), "--out", str(out),
                             "--no-report", "--per-case-notebooks"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    written = []
    deadline = time.monotonic() + 120
    while len(written) < 3 and time.monotonic() < deadline and proc.poll() is None:
        written = list((out / "cases").glob("*.ipynb")) if (out / "cases").exists() else []
        time.sleep(0.02)
    children = psutil.Process(proc.pid).children(recursive=True)  # the workers and their kernels
    assert proc.poll() is None and 3 <= len(written) < 400 and len(children) >= 4, (len(written), children)
    if stop == "ctrl-c":
        assert_ctrl_c_ends_it_in_one_line(proc, children)
    elif stop == "kill":
        proc.send_signal(signal.SIGTERM)
        assert_ended(proc, children, 143, "dispute-playbook: stopped (SIGTERM)")
    else:
        proc.kill()
        assert_ended(proc, children, None, None)



_LATE_CTRL_C = """
import atexit, os, signal, sys, time
from helpers.cli import main

def ctrl_c_during_teardown():  # as a user's Ctrl-C landing just as the command finishes
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.3)
atexit.register(ctrl_c_during_teardown)
sys.argv = ["dispute-playbook", *sys.argv[1:]]
sys.exit(main())
"""


def test_process_a_ctrl_c_after_the_work_is_done_changes_nothing(files):
    """Ctrl-C landing while Python tears the finished command down (its exit hooks: IPython's after a
    report) printed 'Exception ignored in atexit callback' with a traceback; now nothing, and the
    command's own exit code."""
    proc = subprocess.run([sys.executable, "-c", _LATE_CTRL_C, "samples", "--out", str(files["tmp"] / "s.csv"),
                           "--count", "10"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr


_INTERRUPTED_IN_CODE_BUILT_FROM_A_STRING = """
import sys
from types import SimpleNamespace
from helpers.cli import commands

class Parser:  # the command: a Ctrl-C landing while a dataclass builds its methods (exec of a string)
    def parse_args(self, argv):
        return SimpleNamespace(func=lambda args: exec("raise KeyboardInterrupt"))
commands.build_parser = Parser
sys.exit(commands.main())
"""


def test_process_a_ctrl_c_while_a_module_is_imported_exits_130_not_by_the_signal(files):
    """A Ctrl-C landing while a module defines a dataclass (which builds its methods by `exec`) made
    CPython end the process by SIGINT at exit, whatever the command returned: after the one line
    'interrupted' a script read -2 (seen in the full suite, the batch stopped while importing its
    playbook loader), not the documented 130."""
    import os
    probe = files["tmp"] / "probe"
    probe.mkdir()
    (probe / "__main__.py").write_text(_INTERRUPTED_IN_CODE_BUILT_FROM_A_STRING, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "probe"], cwd=files["tmp"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(files["tmp"])])})
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip() == "dispute-playbook: interrupted", proc.stderr


def test_process_a_terminal_without_chinese_gets_the_summary_escaped_not_a_crash(files):
    """`--lang zh` printed to a terminal whose encoding has no Chinese (latin-1; Windows' cp1252 when
    redirected): the finished batch ended in an internal error (exit 70) while printing its summary.
    Now the labels it cannot show come as escapes and the run ends as it should."""
    import os
    proc = subprocess.run([sys.executable, "-m", "helpers", "batch", files["csv"], "--out", files["tmp"] / "o", "--lang", "zh",
                           "--no-report"], cwd=ROOT, capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    out = proc.stdout.decode("latin-1")
    assert proc.returncode == 0, proc.stderr.decode("latin-1")
    assert "2 \\u884c\\uff1a1 \\u4e2a" in out and "\\u" in out, out  # "2 行：1 个…", escaped


@pytest.mark.slow
def test_process_dask_a_worker_killed_mid_run_is_said_plainly_and_no_row_is_lost(files):
    """A worker killed mid-run (the kernel's out-of-memory killer, most often) is started again and
    its rows decided again; the user read Dask's timestamped "distributed.nanny - WARNING - Restarting
    worker (status=Status.running)", and now reads one line of ours. Every row is still decided."""
    import json
    import time

    import psutil

    from helpers.batch.dask_worker import RESTARTED
    source = files["tmp"] / "cases.parquet"
    assert run("samples", "--out", source, "--count", "300000").returncode == 0
    out = files["tmp"] / "o"
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "batch", str(source), "--engine", "dask", "--out", str(out),
                             "--no-report"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and list((out / "recommendations").glob("part-*.parquet")):
            break
        time.sleep(0.02)
    workers = [c for c in psutil.Process(proc.pid).children() if "resource_tracker" not in " ".join(c.cmdline())]
    assert proc.poll() is None and workers
    workers[-1].kill()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert err.strip() == RESTARTED, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows"] == 300000 and summary["decided"] + summary["rejected"] == 300000


@pytest.mark.parametrize("argv", [["recommend", "{case}"], ["batch", "{csv}", "--out", "{out}", "--no-report"]])
def test_a_closed_pipe_ends_the_command_quietly_with_141(tmp_path, argv):
    """`dispute-playbook … | head` where head has gone: exit 141 (as a shell reports a program a closed
    pipe stops) and nothing on stderr; it was 1, which says "rows rejected" to a script."""
    import os
    case, csv = tmp_path / "case.json", tmp_path / "cases.csv"
    case.write_text(json.dumps(CASE), encoding="utf-8")
    csv.write_text(CSV, encoding="utf-8")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command prints anything
    try:
        proc = subprocess.run([sys.executable, "-m", "helpers", *(a.format(case=case, csv=csv, out=tmp_path / "o") for a in argv)],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=300)
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (141, "")
    if argv[0] == "batch":  # the work was done before the summary was printed
        assert (tmp_path / "o" / "recommendations.csv").exists() and (tmp_path / "o" / "errors.csv").exists()


@pytest.mark.parametrize("argv, line", [
    (["recommend", "case.json", "--lang", "fr"], "dispute-playbook: recommend: argument --lang: invalid choice: 'fr' "
     "(choose from 'en', 'zh') — see `dispute-playbook recommend --help`"),
    (["batch"], "dispute-playbook: batch: the following arguments are required: cases, --out — see "
     "`dispute-playbook batch --help`"),
    (["nonsense"], "dispute-playbook: argument command: invalid choice: 'nonsense' (choose from 'recommend', "
     "'validate', 'samples', 'columns', 'batch', 'backtest', 'app', 'workshop') — see `dispute-playbook --help`"),
])
def test_an_option_argparse_cannot_take_is_one_line_like_every_error(capsys, argv, line):
    """argparse printed its usage block above its error: three lines of another form."""
    assert main(argv) == 2
    assert capsys.readouterr().err == line + "\n"


@pytest.mark.parametrize("command", ["recommend", "batch", "backtest"])
def test_a_review_date_that_is_not_one_says_how_to_write_it_in_every_command(capsys, files, tmp_path, command):
    args = {"recommend": [files["case"]], "batch": [files["csv"], "--out", tmp_path / "o", "--no-report"],
            "backtest": [files["csv"], "--out", tmp_path / "b", "--no-report"]}[command]
    expect(capsys, [command, *args, "--as-of", "2026-13-01"], 2,
           "dispute-playbook: --as-of '2026-13-01' is not a date — write it as YYYY-MM-DD, e.g. --as-of 2026-11-01")


@pytest.mark.parametrize("source, says", [
    ("{tmp}/nope.csv", "输入文件 {tmp}/nope.csv：找不到这个文件——请检查路径"),
    ("{tmp}", "输入文件 {tmp}：是文件夹，不是文件——请给出 .csv、.xlsx、.xls、.parquet 或 .jsonl 文件"),
    ("{root}/samples/exports/taobao_refunds.csv",
     "没有必填字段 case_id、dispute_type、order_value 的列；文件中的表头是：退款编号, 订单编号"),
    ("{root}/samples/exports/taobao_refunds.csv", "内置预设 `taobao` 认识其中 11 个表头：请加上 `--columns taobao`"),
])
def test_the_commonest_input_file_errors_are_in_chinese_under_lang_zh(capsys, files, source, says):
    """A seller running `batch … --lang zh` on a raw Taobao export, a mistyped path or a folder was
    answered in English only; the exit code and the one line stay as they were."""
    where = {"tmp": files["tmp"], "root": ROOT}
    expect(capsys, ["batch", source.format(**where), "--out", files["tmp"] / "o", "--lang", "zh", "--no-report"], 2,
           says.format(**where))


def test_a_full_disk_is_exit_4_with_words_not_an_internal_error(capsys, files, monkeypatch, tmp_path):
    """Arrow's CSV writer raises a plain OSError(28) on a full disk, and standard output redirected to a
    full device raises one at print: both ended as 'internal error (a bug, not your input)', exit 70."""
    import errno

    from helpers.batch import write
    proc = subprocess.run([sys.executable, "-m", "helpers", "recommend", str(files["case"])], cwd=ROOT,
                          stdout=open("/dev/full", "w"), stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 4 and "no space left on the device" in proc.stderr and "internal" not in proc.stderr

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")
    monkeypatch.setattr(write.CsvPart, "append", full)
    _, err = expect(capsys, ["batch", ROOT / "samples" / "cases.csv", "--out", tmp_path / "o", "--no-report"], 4,
                    "no space left on the device")
    assert "internal" not in err


@pytest.mark.parametrize("option", [["--as-of", "9999-12-31"], ["--set", "reship_days=3000000"]])
def test_a_deadline_past_the_year_9999_is_no_date_not_an_internal_error(capsys, files, option):
    """The steps' deadlines are the review date plus days: past 9999-12-31 Python has no date, and
    recommend ended with 'internal error' (OverflowError)."""
    case = {**CASE, "dispute_type": "not_received", "ship_date": "2026-10-01", "tracking_status": "stalled",
            "promised_delivery_days": 5}
    files["case"].write_text(json.dumps(case), encoding="utf-8")
    out, _ = expect(capsys, ["recommend", files["case"], *option], 0)
    steps = json.loads(out)["next_steps"]
    assert steps and any(s["deadline"] is None for s in steps)


@pytest.mark.parametrize("engine", ["pandas", "dask"])
def test_a_parquet_file_without_a_required_column_is_refused_by_both_engines(capsys, files, engine):
    """The pandas engine said 'has no column for dispute_type'; the Dask engine decided nothing and
    exited 0 with every row rejected."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    src = files["tmp"] / "no-type.parquet"
    pq.write_table(pa.table({"case_id": ["P1", "P2"], "order_value": [5.0, 6.0]}), src)
    expect(capsys, ["batch", src, "--out", files["tmp"] / f"o-{engine}", "--no-report", "--engine", engine], 2,
           f"input file {src}: has no column for dispute_type", "the headers found are: case_id, order_value")


@pytest.mark.parametrize("make, says", [(None, "找不到这个文件"), ("folder", "是文件夹，不是文件"),
                                        ("gbk", "不是 UTF-8 文本"), ("broken", "不是有效的 JSON/YAML")])
def test_recommend_says_a_case_files_problem_in_chinese_under_lang_zh(capsys, files, make, says):
    """`batch` said these in Chinese; `recommend --lang zh` said them in English only."""
    path = files["tmp"] / "case.json"
    if make == "folder":
        path = files["tmp"]
    elif make == "gbk":
        path.write_bytes('{"case_id": "张"}'.encode("gbk"))
    elif make == "broken":
        path.write_text("{not json", encoding="utf-8")
    else:
        path = files["tmp"] / "nowhere.json"
    _, err = expect(capsys, ["recommend", path, "--lang", "zh"], 2, f"dispute-playbook: 输入文件 {path}：{says}")
    assert "input file" not in err


def test_app_on_a_port_another_program_holds_says_so_before_starting_a_server(capsys):
    """It started Voila, which failed to bind, and said 'voila exited with code 1 before serving …'."""
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        expect(capsys, ["app", "--port", port], 4, f"port {port} on 127.0.0.1 is in use by another program",
               "--port 0 for any free one")


def test_a_yaml_case_with_dates_is_read_from_a_file_and_from_standard_input(tmp_path):
    """YAML reads 2026-11-01 as a date; the check for lone surrogates made it an internal error, and
    standard input took JSON only ('is not valid JSON/YAML' for a YAML case)."""
    text = "case_id: Y1\ndispute_type: damaged\norder_value: 5\nas_of_date: 2026-11-01\nship_date: 2026-10-20\n"
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    for argv, stdin in (([str(path)], None), (["-"], text)):
        proc = subprocess.run([sys.executable, "-m", "helpers", "recommend", *argv], input=stdin, capture_output=True,
                              text=True, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["case_id"] == "Y1"
