"""The package's layers: imports only point down (the contract is in pyproject.toml)."""
import subprocess
import sys
from pathlib import Path

from support import ROOT

HELPERS = ROOT / "helpers"


def test_imports_point_down():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_a_broken_layer_is_caught(tmp_path):
    """The contract can fail: a core module importing the CLI breaks it."""
    import shutil
    copy = tmp_path / "repo"
    shutil.copytree(HELPERS, copy / "helpers")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    with open(copy / "helpers" / "core" / "facts.py", "a") as fh:
        fh.write("\nfrom ..cli import main  # noqa\n")
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=copy, capture_output=True, text=True,
                          env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0
    assert "helpers.core is not allowed to import helpers.cli" in done.stdout

