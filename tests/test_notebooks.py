"""The notebooks as documents, and nbval comparing their stored recommendation outputs.

nbval runs in a child pytest (`--nbval --nbval-sanitize-with tests/nbval_sanitize.cfg`), one per
notebook, so the suite's own options stay untouched. After an intended rule change, store the new
outputs with `python -m helpers.ui.notebook_run` and review the diff.
"""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from helpers import recommend
from helpers.core.fields import FIELDS, RECORD_ONLY
from helpers.playbook.labels import ui
from helpers.ui.notebook_run import (DISPUTE_NOTEBOOKS, PLAYBOOK_NOTEBOOKS, md_escape, recommendation_markdown,
                                     teaching_example)

from browser_support import notebook_parameters
from support import ROOT

pytestmark = pytest.mark.slow
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
NAMES = [p.stem for p in PLAYBOOK_NOTEBOOKS]


def read(name):
    return nbformat.read(str(ROOT / "notebooks" / f"{name}.ipynb"), as_version=4)


def run_nbval(*notebooks, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "--nbval",
                           "--nbval-sanitize-with", str(SANITIZE), "-q", *map(str, notebooks)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def stored_markdown(nb) -> list[str]:
    return [out["data"]["text/markdown"] for cell in nb.cells for out in cell.get("outputs", ())
            if "text/markdown" in out.get("data", {})]


@pytest.mark.parametrize("name", DISPUTE_NOTEBOOKS)
def test_the_parameters_cell_holds_every_contract_field(name):
    nb = read(name)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", ())]
    assert len(tagged) == 1
    params = notebook_parameters(name)
    assert set(params) == {f.name for f in FIELDS if f.name not in RECORD_ONLY} | {
        "interactive", "ui_language", "playbook", "playbook_params", "PAPERMILL_OUTPUT_PATH"}
    assert params["dispute_type"] == name and params["interactive"] is True and params["ui_language"] == "en"
    assert params["PAPERMILL_OUTPUT_PATH"] == ""  # papermill --inject-output-path sets it (no "unknown parameter")
    # no example facts: a headless run decides on exactly the facts it is given
    assert all(v is None for k, v in params.items()
               if k not in ("dispute_type", "interactive", "ui_language", "playbook_params", "PAPERMILL_OUTPUT_PATH"))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(teaching_example(name)["as_of_date"]))  # stored outputs reproduce


def test_the_start_notebook_links_to_the_four_dispute_notebooks():
    intro = read("start").cells[0].source
    for name in DISPUTE_NOTEBOOKS:
        assert f"]({name}.ipynb)" in intro
    assert set(notebook_parameters("start")) == {"interactive", "ui_language"}


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_thin_documents(name):
    nb = read(name)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", ()):
            tree = ast.parse(cell.source)
            assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While)) for n in ast.walk(tree))
            assert len(cell.source.splitlines()) <= 4, "logic belongs in helpers/"


@pytest.mark.parametrize("name", DISPUTE_NOTEBOOKS)
def test_stored_outputs_are_the_teaching_example_labelled_as_one(name):
    notice, decided = stored_markdown(read(name))
    assert notice == f"> **{md_escape(ui('teaching_example', 'en'))}**"
    assert decided == f"#### {ui('example_heading', 'en')}\n\n" + recommendation_markdown(recommend(teaching_example(name)))


def test_sanitising_leaves_the_recommendations_to_compare():
    text = SANITIZE.read_text(encoding="utf-8")
    rules = re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)
    assert rules
    for name in DISPUTE_NOTEBOOKS:
        for md in stored_markdown(read(name)):
            cleaned = md
            for regex, replacement in rules:
                cleaned = re.sub(regex, replacement, cleaned)
            assert cleaned == md


@pytest.mark.parametrize("name", NAMES)
def test_nbval_compares_the_stored_outputs(name):
    done = run_nbval(ROOT / "notebooks" / f"{name}.ipynb")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert re.search(r"\d+ passed", done.stdout)


def test_nbval_fails_when_a_stored_recommendation_differs(tmp_path):
    nb = read("damaged")
    changed = 0
    for cell in nb.cells:
        for out in cell.get("outputs", ()):
            md = out.get("data", {}).get("text/markdown")
            if md and md.startswith("#### Teaching example"):
                label = recommend(teaching_example("damaged")).alternatives[0]["label"]
                out["data"]["text/markdown"] = md.replace(f": {label}", ": Full refund", 1)
                changed += 1
    assert changed == 1
    nbformat.write(nb, str(tmp_path / "damaged.ipynb"))
    done = run_nbval(tmp_path / "damaged.ipynb")
    assert done.returncode == 1 and "1 failed" in done.stdout, done.stdout[-3000:]


def test_nbval_fails_when_a_rule_change_alters_the_stored_recommendation(tmp_path):
    playbook = tmp_path / "playbook"
    shutil.copytree(ROOT / "playbook", playbook)
    table = playbook / "damaged.yaml"
    text = table.read_text(encoding="utf-8")
    head, rule = text.split("id: dmg_carrier_insured", 1)
    table.write_text(head + "id: dmg_carrier_insured" + rule.replace("- insured: true", "- insured: false", 1),
                     encoding="utf-8")
    case = teaching_example("damaged")
    assert recommend(case, playbook=playbook).rule_id != recommend(case).rule_id  # the change matters
    done = run_nbval(ROOT / "notebooks" / "damaged.ipynb", env={"DISPUTE_PLAYBOOK_DIR": str(playbook)})
    assert done.returncode == 1 and "1 failed" in done.stdout, done.stdout[-3000:]
