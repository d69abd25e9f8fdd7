"""A headless notebook run decides on exactly the facts it is given: a fact not given is unknown.

Every dispute notebook runs under the papermill command line with a case file that leaves most facts
out; its recorded recommendation (message included) must equal `recommend()` on the same JSON, and
nothing from the form's teaching example (its buyer, order, photos, dates) may appear in it.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from helpers import recommend
from helpers.ui.notebook_run import teaching_example

from browser_support import NOTEBOOKS

pytestmark = pytest.mark.slow

SPARSE = {  # hand-written: a few facts each, the rest unknown
    # the case: cosmetic damage, no photos -> ask for photos (the example's photos and insurance must not leak)
    "damaged": {"case_id": "H-DMG", "order_value": 140, "damage_severity": "cosmetic", "as_of_date": "2026-11-01"},
    "not_received": {"case_id": "H-NR", "order_value": 30, "ship_date": "2026-10-20", "as_of_date": "2026-11-01"},
    "not_as_described": {"case_id": "H-NAD", "order_value": 60, "buyer_photos": True, "mismatch": "color",
                         "as_of_date": "2026-11-01"},
    # the example's order date (2026-10-30) would clash with this ship date if it leaked in
    "cancellation": {"case_id": "H-CAN", "order_value": 25, "ship_date": "2026-10-02", "cancel_reason": "changed_mind",
                     "delivery_date": "2026-10-05", "tracking_status": "delivered", "as_of_date": "2026-11-01"},
}
EXPECTED = {"damaged": "request_evidence", "not_received": "request_evidence", "not_as_described": "request_evidence",
            "cancellation": "decline"}


@pytest.mark.parametrize("name", sorted(SPARSE))
def test_a_papermill_run_decides_on_the_given_facts_only(tmp_path, name):
    case = {"dispute_type": name, **SPARSE[name]}
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(SPARSE[name]), encoding="utf-8")
    out = tmp_path / f"{name}.ipynb"
    done = subprocess.run([sys.executable, "-m", "papermill", str(NOTEBOOKS / f"{name}.ipynb"), str(out),
                           "--inject-output-path", "-f", str(tmp_path / "case.yaml"), "-p", "interactive", "False",
                           "-k", "python3", "--no-progress-bar"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    recorded = json.loads((tmp_path / f"{name}.recommendation.json").read_text(encoding="utf-8"))
    expected = json.loads(json.dumps(recommend(case).to_dict()))
    assert recorded == expected
    assert recorded["resolution"] == EXPECTED[name] and recorded["message"]
    example = teaching_example(name)
    for leaked in ("buyer_name", "order_id", "tracking_number"):
        if example.get(leaked):
            assert str(example[leaked]) not in recorded["message"], leaked
    assert recorded["platform"] == "other" and recorded["case_id"] == SPARSE[name]["case_id"]
