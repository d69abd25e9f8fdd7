"""Set-up files agree with each other and with the README."""
from __future__ import annotations

import re
import tomllib

import yaml

from support import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(requirement: str) -> str:
    return re.sub(r"\[.*?\]", "", requirement).replace(" ", "").lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_side = {_name(r): _spec(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda_side = {_name(d): _spec(d) for d in env["dependencies"] if isinstance(d, str) and _name(d) not in ("python", "pip")}
    # dask[dataframe,distributed] on pip is dask + distributed on conda-forge
    pip_side["distributed"] = pip_side["dask"].replace("dask", "distributed")
    assert conda_side == pip_side


def test_the_readme_opens_with_the_setup_and_test_commands_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["bash scripts/setup.sh", "bash scripts/test.sh"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/setup.sh" in ci and "bash scripts/test.sh" in ci
