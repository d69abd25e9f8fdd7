"""Sample data: the generator is deterministic and valid; the bundled CSV is what it generates."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers.core.case import parse_case
from helpers.core.exceptions import CaseError
from helpers.batch.samples import BROKEN_ROWS, bundled_frame, generate_frame, teaching_cases

from support import ROOT


def test_same_seed_same_cases_other_seed_other_cases():
    a, b, c = generate_frame(300, seed=11), generate_frame(300, seed=11), generate_frame(300, seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_generated_cases_are_valid_and_cover_every_dispute_type():
    frame = generate_frame(2000, seed=3)
    for record in frame.to_dict("records"):
        parse_case(record)
    assert set(frame["dispute_type"]) == {"not_received", "not_as_described", "damaged", "cancellation"}


def test_the_bundled_sample_csv_is_reproducible():
    on_disk = pd.read_csv(ROOT / "samples" / "cases.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(on_disk, bundled_frame().reset_index(drop=True), check_dtype=False)


def test_there_are_at_least_twenty_teaching_cases_each_with_a_story():
    cases = teaching_cases()
    assert len(cases) >= 20 and all(c["story"] and c["expect"] for c in cases)
    assert len({c["case"]["case_id"] for c in cases}) == len(cases)


@pytest.mark.parametrize("row", BROKEN_ROWS, ids=lambda r: str(r.get("case_id")))
def test_the_broken_sample_rows_really_are_broken(row):
    with pytest.raises(CaseError):
        parse_case(row)


def test_the_bundled_batch_holds_three_broken_rows():
    assert len(BROKEN_ROWS) == 3  # the README's promise; an empty list would make the test above vacuous
