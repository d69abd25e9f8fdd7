"""Commands import only what they need: `--help` loads no numpy, PyYAML, Jinja2, pandas or pyarrow."""
from __future__ import annotations

import subprocess
import sys

import pytest

from support import ROOT

HEAVY = {"numpy", "yaml", "jinja2", "pandas", "pyarrow", "nbformat", "matplotlib", "http", "helpers.app.server"}
PROBE = ("import sys, contextlib, io\nfrom helpers.cli import main\n"
         "with contextlib.redirect_stdout(io.StringIO()):\n"
         "    try:\n        main({args!r})\n    except SystemExit:\n        pass\n"
         "print(sorted(({{m.split('.')[0] for m in sys.modules}} | set(sys.modules)) & {heavy!r}))")


@pytest.mark.parametrize("args", [["--help"], ["batch", "--help"], ["workshop", "deck", "--help"], ["app", "--help"]])
def test_help_imports_nothing_heavy(args):
    proc = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_package_api_still_loads_on_first_use():
    proc = subprocess.run([sys.executable, "-c", "import helpers, sys\nassert 'numpy' not in sys.modules\n"
                           "from helpers import recommend, CaseError\nprint(recommend.__name__, CaseError.__name__)"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.split() == ["recommend", "CaseError"], proc.stderr
