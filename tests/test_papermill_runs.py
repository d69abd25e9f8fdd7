"""Every notebook run headless by papermill with three or more parameter sets, one of them bad.

A good run shows the recommendation as Markdown and records exactly `recommend(case).to_dict()`
twice: the JSON sidecar next to the output notebook, and a JSON output inside it. A bad run fails,
and the saved notebook shows the contract's error naming the field.
"""
from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import papermill as pm
import pytest
import yaml

from helpers import recommend
from helpers.core.fields import FIELD_BY_NAME
from helpers.playbook.labels import field_label
from helpers.ui.notebook_run import NOTEBOOK_PARAMETERS, md_escape, read_recommendation, recommendation_markdown, sidecar_path, teaching_example

from browser_support import NOTEBOOKS, notebook_parameters

pytestmark = pytest.mark.slow

GOOD = {
    "not_received": [{}, {"ui_language": "zh", "tracking_status": "delivered", "delivery_date": "2026-10-15",
                          "proof_of_delivery": True, "buyer_prior_disputes": 4}],
    "not_as_described": [{}, {"ui_language": "zh", "listing_error": False, "review_threat": True, "mismatch": "quality"}],
    "damaged": [{}, {"ui_language": "zh", "insured": False, "packaging_damaged": False, "seller_packing_photos": True,
                     "missing_parts": True, "damage_severity": None}],
    "cancellation": [{}, {"ui_language": "zh", "ship_date": "2026-10-31", "tracking_status": "in_transit",
                          "promised_delivery_days": 10}],
}
BAD = {  # parameters, and the field the error must name
    "not_received": [({"ship_date": "2026-08-01"}, "ship_date"), ({"dispute_type": "damaged"}, "dispute_type")],
    "not_as_described": [({"mismatch": "colour"}, "mismatch"), ({"order_valeu": 30}, "order_valeu")],
    "damaged": [({"order_value": -5}, "order_value")],
    "cancellation": [({"cancel_reason": "whatever", "order_value": 0}, "cancel_reason")],
}


def run(name, tmp_path, parameters, label="out"):
    """The notebook headless on the teaching example's facts (given explicitly) with `parameters` over them."""
    out = tmp_path / f"{name}-{label}.ipynb"
    # what `papermill --inject-output-path` does: tell the kernel where the output notebook goes
    pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out), kernel_name="python3", progress_bar=False,
                        parameters={**teaching_example(name), "interactive": False, "PAPERMILL_OUTPUT_PATH": str(out),
                                    **parameters})
    return out


def case_of(name, overrides, base=None) -> dict:
    values = {**notebook_parameters(name), **(teaching_example(name) if base is None else base), **overrides}
    return {k: v for k, v in values.items() if v is not None and k not in NOTEBOOK_PARAMETERS}


def outputs(path):
    nb = nbformat.read(str(path), as_version=4)
    return [out for cell in nb.cells for out in cell.get("outputs", ())]


@pytest.mark.parametrize("name,overrides", [(n, o) for n, sets in GOOD.items() for o in sets])
def test_a_headless_run_shows_and_records_the_recommendation(tmp_path, name, overrides):
    out = run(name, tmp_path, overrides)
    lang = overrides.get("ui_language", "en")
    expected = recommend(case_of(name, overrides), lang=lang)
    as_json = json.loads(json.dumps(expected.to_dict()))
    assert json.loads(sidecar_path(out).read_text(encoding="utf-8")) == as_json
    assert read_recommendation(out) == as_json
    shown = [o["data"]["text/markdown"] for o in outputs(out) if "text/markdown" in o.get("data", {})]
    assert recommendation_markdown(expected, lang) in shown
    assert any(o["data"]["text/markdown"].startswith("## ") for o in outputs(out) if "text/markdown" in o.get("data", {}))
    assert not any("DisputePlaybookApp" in str(o.get("data", {}).get("text/plain", "")) for o in outputs(out))
    if lang == "zh":
        assert "### 案例" in recommendation_markdown(expected, lang)


@pytest.mark.parametrize("name,overrides,field", [(n, o, f) for n, sets in BAD.items() for o, f in sets])
def test_a_bad_case_fails_the_run_and_the_saved_notebook_names_the_field(tmp_path, name, overrides, field):
    with pytest.raises(pm.PapermillExecutionError) as raised:
        run(name, tmp_path, overrides, "bad")
    assert raised.value.ename == "CaseError" and field in raised.value.evalue
    saved = outputs(tmp_path / f"{name}-bad.ipynb")
    errors = [o for o in saved if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "CaseError" and field in errors[0]["evalue"]
    # the error as the command line says it, one line, in place of a traceback into helpers' code
    assert errors[0]["traceback"] == [f"dispute-playbook: bad case: {errors[0]['evalue']}"]
    problems = [o["data"]["text/markdown"] for o in saved if "text/markdown" in o.get("data", {})]
    known = field in FIELD_BY_NAME  # a misspelt column keeps the name it was given
    assert any(f"**{md_escape(field_label(field, 'en') if known else field)}**" in md for md in problems)
    assert not known or not any(f"**{md_escape(field)}**" in md for md in problems)  # its label, not its code
    assert not sidecar_path(tmp_path / f"{name}-bad.ipynb").exists()


@pytest.mark.parametrize("overrides", [{}, {"ui_language": "zh"}])
def test_the_start_notebook_runs_headless(tmp_path, overrides):
    out = tmp_path / "start.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / "start.ipynb"), str(out), kernel_name="python3", progress_bar=False,
                        parameters={"interactive": False, **overrides})
    md = "".join(o["data"]["text/markdown"] for o in outputs(out) if "text/markdown" in o.get("data", {}))
    assert ("如何处理买家纠纷" if overrides else "How to handle a buyer dispute") in md
    assert all(f"]({n}.ipynb)" in md for n in GOOD)


def test_the_start_notebook_refuses_an_unknown_ui_language(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as raised:
        pm.execute_notebook(str(NOTEBOOKS / "start.ipynb"), str(tmp_path / "start.ipynb"), kernel_name="python3",
                            progress_bar=False, parameters={"interactive": False, "ui_language": "fr"})
    assert "ui_language" in raised.value.evalue


def test_the_papermill_command_line_with_a_case_file(tmp_path):
    case = {"case_id": "CLI-1", "order_value": 95, "platform": "aliexpress", "missing_parts": True,
            "seller_packing_photos": True, "packaging_damaged": False, "buyer_photos": True,
            "order_date": "2026-10-01", "ship_date": "2026-10-02", "delivery_date": "2026-10-20",
            "tracking_status": "delivered", "buyer_request": "partial_refund", "damage_severity": None}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(case), encoding="utf-8")
    out = tmp_path / "damaged-cli.ipynb"
    papermill = [sys.executable, "-m", "papermill"]
    done = subprocess.run(papermill + [str(NOTEBOOKS / "damaged.ipynb"), str(out), "--inject-output-path",
                                       "-f", str(tmp_path / "case.yaml"), "-p", "interactive", "False",
                                       "-k", "python3", "--no-progress-bar"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Passed unknown parameter" not in done.stderr  # the output path is one of the notebook's parameters
    expected = recommend(case_of("damaged", case, base={}))
    assert json.loads((tmp_path / "damaged-cli.recommendation.json").read_text(encoding="utf-8")) == \
        json.loads(json.dumps(expected.to_dict()))


def test_a_bad_case_is_worded_in_the_notebooks_language():
    """Headless in Chinese: every problem under its label, in Chinese, a missing required field too
    (it printed "**订单金额**：is required but empty"), the choices of a list field by their labels."""
    from helpers.core.exceptions import CaseError
    from helpers.ui.notebook_run import problems_markdown
    case = {"case_id": "X", "dispute_type": "not_received", "platform": "tmall"}
    with pytest.raises(CaseError) as raised:
        recommend(case)
    assert problems_markdown(raised.value, "zh", case).splitlines()[2:] == [
        "- **订单金额**：必填，请填写。",
        "- **平台**：请从以下选项中选择：速卖通、亚马逊、eBay、Shopify、淘宝、抖音、其他。"]
    # without the case's fields to word them as the form does: the contract's reasons, in Chinese too
    assert problems_markdown(raised.value, "zh").splitlines()[2:] == [
        "- **订单金额**：必填，但为空",
        "- **平台**：'tmall' 不在可选值中：aliexpress、amazon、ebay、shopify、taobao、douyin、other"]
