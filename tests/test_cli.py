"""The command line: same JSON as the API, clear errors, and a light start-up path."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import recommend

from support import ROOT, minimal_case

CASE = minimal_case(case_id="CLI-1", order_date="2026-10-01", ship_date="2026-10-02", promised_delivery_days=10,
                    tracking_status="lost", buyer_request="full_refund", as_of_date="2026-11-01", buyer_name="Ana")


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True, text=True, input=stdin,
                          cwd=ROOT)


def test_recommend_prints_the_api_json(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    out = run("recommend", str(path))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == recommend(CASE).to_dict()


def test_recommend_reads_standard_input_and_speaks_chinese():
    out = run("recommend", "-", "--lang", "zh", stdin=json.dumps(CASE))
    rec = json.loads(out.stdout)
    assert rec["resolution"] == "full_refund" and any("\u4e00" <= ch <= "\u9fff" for ch in rec["rationale"])


def test_a_bad_case_exits_2_naming_the_field(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**CASE, "order_value": -4}), encoding="utf-8")
    out = run("recommend", str(path))
    assert out.returncode == 2 and out.stdout == ""
    assert "CLI-1" in out.stderr and "order_value" in out.stderr and "Traceback" not in out.stderr


def test_a_file_that_is_not_json_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    out = run("recommend", str(path))
    assert out.returncode == 2 and "not valid JSON" in out.stderr


def test_set_changes_a_parameter_and_an_unknown_one_is_refused(tmp_path):
    path = tmp_path / "case.json"
    low = {**CASE, "tracking_status": "delivered", "delivery_date": "2026-10-09", "order_value": 20}
    path.write_text(json.dumps(low), encoding="utf-8")
    assert json.loads(run("recommend", str(path)).stdout)["resolution"] == "request_evidence"
    raised = json.loads(run("recommend", str(path), "--set", "keep_item_max_value=25").stdout)
    assert raised["resolution"] == "full_refund"
    out = run("recommend", str(path), "--set", "no_such=1")
    assert out.returncode == 2 and "unknown playbook parameter 'no_such'" in out.stderr
    near = run("recommend", str(path), "--set", "keep_item_max=25")  # a name cut short: its likely one
    assert near.returncode == 2 and "unknown playbook parameter 'keep_item_max'; did you mean 'keep_item_max_value'?" in near.stderr


@pytest.mark.parametrize("option,code,says", [
    (["--set", "keep_item_max_value"], 2, "--set: 'keep_item_max_value' is not NAME=NUMBER"),
    (["--set", "keep_item_max_value=lots"], 2, "--set: 'keep_item_max_value=lots' is not NAME=NUMBER"),
    # one name twice: the last value silently won
    (["--set", "keep_item_max_value=25", "--set", "keep_item_max_value=40"], 2,
     "--set: keep_item_max_value is given twice (25 and 40) — give each parameter once"),
    # the same value twice is one value, nan too (its range error, not "given twice (nan and nan)")
    (["--set", "keep_item_max_value=nan", "--set", "keep_item_max_value=nan"], 2,
     "parameter 'keep_item_max_value' is nan; it must be a number of 0 or more"),
    (["--as-of", "2026-13-01"], 2, "--as-of '2026-13-01' is not a date — write it as YYYY-MM-DD, e.g. --as-of 2026-11-01"),
])
def test_a_bad_option_is_a_clear_error_not_a_traceback(tmp_path, option, code, says):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    out = run("recommend", str(path), *option)
    assert out.returncode == code and out.stdout == "" and "Traceback" not in out.stderr, out.stderr
    assert says in out.stderr


def test_recommend_never_imports_the_heavy_stack(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    probe = ("import sys, contextlib, io\nfrom helpers.cli import main\n"
             f"with contextlib.redirect_stdout(io.StringIO()): main(['recommend', {str(path)!r}])\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'nbformat', 'papermill', 'matplotlib', 'dask'}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_validate_reports_a_clean_playbook():
    out = run("validate")
    assert out.returncode == 0 and "0 error(s)" in out.stdout


SETTINGS = ("NUMPY_MADVISE_HUGEPAGE", "MIMALLOC_ALLOW_THP", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


@pytest.mark.parametrize("users, expected", [
    ({}, {"NUMPY_MADVISE_HUGEPAGE": "0", "MIMALLOC_ALLOW_THP": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": None}),
    ({"NUMPY_MADVISE_HUGEPAGE": "1", "MIMALLOC_ALLOW_THP": "1", "OPENBLAS_NUM_THREADS": "4"},
     {"NUMPY_MADVISE_HUGEPAGE": "1", "MIMALLOC_ALLOW_THP": "1", "OPENBLAS_NUM_THREADS": "4", "OMP_NUM_THREADS": None}),
    ({"OMP_NUM_THREADS": "3"},  # OpenBLAS reads this one when OPENBLAS_NUM_THREADS is not set
     {"NUMPY_MADVISE_HUGEPAGE": "0", "MIMALLOC_ALLOW_THP": "0", "OPENBLAS_NUM_THREADS": None, "OMP_NUM_THREADS": "3"}),
])
def test_a_command_sets_huge_pages_and_blas_threads_unless_the_user_chose(tmp_path, users, expected):
    """Set before numpy is imported, so numpy and every process the command starts read them."""
    import os
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS + ("GOTO_NUM_THREADS",)}
    env.update(users)
    child = f"import os, json; print(json.dumps([os.environ.get(k) for k in {SETTINGS!r}]))"
    probe = ("import sys, contextlib, io, subprocess\nfrom helpers.cli import main\n"
             f"with contextlib.redirect_stdout(io.StringIO()): main(['recommend', {str(path)!r}])\n"
             f"print(subprocess.run([sys.executable, '-c', {child!r}], capture_output=True, text=True).stdout.strip())")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr
    assert dict(zip(SETTINGS, json.loads(out.stdout))) == expected


def test_importing_numpy_under_the_commands_settings_starts_no_blas_threads():
    """OpenBLAS starts its threads when numpy is imported: with the setting, the process has one thread."""
    import os
    probe = "import numpy, os; print(len(os.listdir('/proc/self/task')))"
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS + ("GOTO_NUM_THREADS",)}
    counts = {}
    for name, extra in (("default", {}), ("tuned", {"OPENBLAS_NUM_THREADS": "1"})):
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env={**env, **extra})
        counts[name] = int(out.stdout)
    assert counts["tuned"] == 1
    if len(os.sched_getaffinity(0)) > 1:  # OpenBLAS's own default: a thread per core it may use
        assert counts["default"] > 1


def test_arrows_allocator_under_the_commands_settings_uses_ordinary_pages():
    """mimalloc reads MIMALLOC_ALLOW_THP when pyarrow loads it: 64 MB touched page by page then faults
    in once per 4 KB page (a huge page would take one fault per 2 MB)."""
    import os
    probe = ("import resource, numpy, pyarrow\n"
             "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
             "numpy.frombuffer(pyarrow.allocate_buffer(64 << 20), dtype=numpy.uint8)[::4096] = 1\n"
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)")
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env={**env, "MIMALLOC_ALLOW_THP": "0"})
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) >= (64 << 20) // 4096 * 0.95
