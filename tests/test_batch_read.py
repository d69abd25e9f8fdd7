"""The column-wise batch reader agrees with parse_case row by row: same accepted rows, same
rejected rows with the same fields at fault, same engine columns, on generated cases with odd
and bad values injected into every field, read as CSV text, as spreadsheet-typed cells and as
typed Parquet columns, through both the distinct-value path and the vectorised path."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.batch.read import FIRST_ROW, validate_frame
from helpers.core.case import parse_case, to_columns
from helpers.core.exceptions import CaseError
from helpers.core.fields import FIELD_BY_NAME, FIELDS
from helpers.batch.samples import generate_frame

from support import AS_OF

# Per kind: values parse_case accepts in odd spellings, and values it rejects.
ODD = {
    "decimal": ["abc", "-1", "0", "inf", "nan", "1e999", "12,50", " 7.5 ", "+3", ".5", "5.", "1e2", "٣", "US $4", True, -0.0, 3.25],
    "int": ["2.5", "-1", "3.0", " 4 ", "x", 2.0, 2.5, True, "1e1"],
    "date": ["2026-13-01", "2026/10/01", "20261001", " 2026-10-01 ", "2026-02-30", "2026-1-01", 5, "tomorrow"],
    "enum": ["nope", " NOT_RECEIVED ", "Damaged", "", "   ", 3],
    "bool": ["maybe", "YES", " n ", "T", "0", "1", 2, 1.0, 0, "true ", "no!"],
    "currency": ["US", "usd", "EURO", " cny ", "€", 12],
    "language": ["english", "ZH", "zh-Hans", "pt_BR", "e", "x" * 12, 7],
    "country": ["USA", "us", " de ", "1", "U.S."],
    "string": ["\x1c id \x1f", "  spaced  ", "=1+1", "\t", "\u3000全角\u3000", "a\x00b", 12345.0, 12.5, True, "\x85x\xa0",
               "two\nlines", "été", "x\r", "~!"],
}


def _frames(n=2400, seed=5):
    """(text frame as a CSV gives it, typed frame as a spreadsheet gives it), with odd values injected."""
    base = generate_frame(n, seed=seed).astype(object)
    base = base.where(base.notna(), "")
    base = base.reindex(columns=[f.name for f in FIELDS], fill_value="").astype(object)  # history fields too (issue 13)
    rng = np.random.default_rng(seed)
    typed = base.copy()
    for i in range(n):
        if rng.random() < 0.55:
            field = FIELDS[i % len(FIELDS)] if rng.random() < 0.7 else FIELDS[rng.integers(len(FIELDS))]
            options = ODD[field.kind if field.kind in ODD else "string"]
            typed.at[i, field.name] = options[rng.integers(len(options))]
    # cross-field faults on clean rows
    typed.loc[3, ["order_date", "ship_date"]] = ["2026-10-10", "2026-10-01"]
    typed.loc[4, ["ship_date", "delivery_date"]] = ["2026-10-10", "2026-10-02"]
    typed.loc[6, ["order_date"]] = ["2026-12-01"]
    typed.loc[8, ["tracking_status", "ship_date"]] = ["delivered", ""]
    typed.loc[9, ["case_id"]] = [""]
    text = typed.map(lambda v: v if isinstance(v, str) else str(v))
    return text, typed


def _reference(frame, as_of):
    accepted, rejected = {}, {}
    for i, record in enumerate(frame.to_dict("records")):
        record = {k: v for k, v in record.items() if k in FIELD_BY_NAME}
        try:
            accepted[i] = parse_case(record, as_of=as_of, row=i + FIRST_ROW)
        except CaseError as exc:
            rejected[i] = exc
    return accepted, rejected


def _assert_agree(frame, as_of=AS_OF, unique_max=None):
    v = validate_frame(frame, as_of=as_of, unique_max=unique_max)
    accepted, rejected = _reference(frame, as_of)
    # duplicates are the batch's own rule (later valid rows with a seen case_id); set them apart
    dup = set(v.first_of)
    assert set(np.flatnonzero(v.valid)) | dup == set(accepted)
    assert set(v.problems) - dup == set(rejected)
    names = [f.name for f in FIELDS]
    for i, exc in rejected.items():
        assert [names[j] for j in np.flatnonzero(v.field_bad[i])] == sorted(set(exc.fields), key=names.index), i
        assert [(p.field, p.message, p.row) for p in v.problems[i].problems] == \
            [(p.field, p.message, p.row) for p in exc.problems]
    rows = sorted(set(accepted) - dup)
    expected = to_columns([accepted[i] for i in rows])
    for name, column in expected.items():
        got = v.cols[name][rows]
        if column.dtype == object:
            assert list(got) == list(column), name
        else:
            np.testing.assert_array_equal(got, column, err_msg=name)
    return v, accepted, rejected


@pytest.mark.parametrize("unique_max", [None, 0], ids=["distinct-values", "vectorised"])
def test_text_cells_agree_with_parse_case(unique_max):
    text, _ = _frames()
    text = text.astype("str")  # as pandas reads a CSV with dtype=str
    v, accepted, rejected = _assert_agree(text, unique_max=unique_max)
    assert len(rejected) > 500 and len(accepted) > 800  # the injection reached both outcomes


@pytest.mark.parametrize("quotes", [False, True], ids=["plain-file", "quoted-cells"])
def test_a_csv_read_with_its_repeated_columns_dictionary_encoded_agrees_with_parse_case(tmp_path, quotes):
    """Codes, yes/no, dates and counts are read dictionary-encoded, block by block, each block with
    its own dictionary: the verdicts and values are still parse_case's, cell for cell."""
    import pyarrow as pa

    from helpers.batch.runner import Options, load_cases
    text, _ = _frames(n=6000, seed=21)
    text = text.map(lambda v: v.replace("\n", " ").replace("\r", " "))  # one line per record: Arrow reads it
    if not quotes:
        text = text.map(lambda v: v.replace('"', "'").replace(",", ";"))  # no quote at all: the plain-file path
    path = tmp_path / "cases.csv"
    text.to_csv(path, index=False)
    assert (b'"' in path.read_bytes()) == quotes and path.stat().st_size > 1 << 20  # more than one Arrow block (1 MB)
    frame = load_cases(Options(cases=str(path), out=str(tmp_path / "out")))  # as the batch reads it
    coded = frame["dispute_type"].array.__arrow_array__()
    assert pa.types.is_dictionary(coded.type) and coded.num_chunks > 1
    assert not pa.types.is_dictionary(frame["case_id"].array.__arrow_array__().type)
    # the blocks' dictionaries differ: the first rows of the later block come in another order
    assert coded.chunk(0).dictionary.to_pylist() != coded.chunk(coded.num_chunks - 1).dictionary.to_pylist()
    v, accepted, rejected = _assert_agree(frame)
    assert len(rejected) > 1000 and len(accepted) > 2000


@pytest.mark.parametrize("unique_max", [None, 0], ids=["distinct-values", "vectorised"])
def test_spreadsheet_typed_cells_agree_with_parse_case(unique_max):
    _, typed = _frames(seed=9)
    _assert_agree(typed, unique_max=unique_max)


def test_parquet_typed_columns_agree_with_parse_case(tmp_path):
    frame = generate_frame(3000, seed=13)
    frame.loc[::7, "order_value"] = np.nan
    frame.loc[::11, "item_cost"] = -2.0
    frame.loc[::13, "shipping_cost"] = np.inf
    frame["buyer_prior_disputes"] = frame["buyer_prior_disputes"].astype(float)
    frame.loc[::17, "buyer_prior_disputes"] = 1.5
    frame.loc[::19, "order_date"] = None
    frame.loc[::23, "dispute_type"] = " Damaged "
    frame.loc[::29, "tracking_status"] = "teleported"
    frame.loc[::31, "buyer_photos"] = "YES"
    path = tmp_path / "cases.parquet"
    frame.to_parquet(path, index=False)
    _assert_agree(pd.read_parquet(path))
    # as the batch reads it: text columns of few distinct values come as dictionaries from the file
    from helpers.batch.read import read_table, repeated_fields
    read = read_table(path, repeated=repeated_fields())
    assert isinstance(read["dispute_type"].dtype, pd.ArrowDtype) and isinstance(read["order_date"].dtype, pd.ArrowDtype)
    assert read["case_id"].dtype == "str"
    _assert_agree(read)


def test_review_date_defaults_to_the_case_then_today():
    frame = pd.DataFrame([{"case_id": "A", "dispute_type": "damaged", "order_value": "5", "as_of_date": "2026-10-01"},
                          {"case_id": "B", "dispute_type": "damaged", "order_value": "5"}], dtype="str")
    import datetime as dt
    v = validate_frame(frame, today=dt.date(2026, 11, 5))
    assert list(v.cols["as_of_date"]) == [dt.date(2026, 10, 1).toordinal(), dt.date(2026, 11, 5).toordinal()]


@pytest.mark.parametrize("parallel_min_rows", [100_000, 0])  # columns on one thread, or two
def test_later_duplicates_are_rejected_and_the_first_is_decided(monkeypatch, parallel_min_rows):
    import helpers.batch.read as read
    monkeypatch.setattr(read, "PARALLEL_MIN_ROWS", parallel_min_rows)
    frame = pd.DataFrame([{"case_id": "A", "dispute_type": "damaged", "order_value": "5"},
                          {"case_id": "A", "dispute_type": "damaged", "order_value": "-5"},
                          {"case_id": " A ", "dispute_type": "damaged", "order_value": "6"},
                          {"case_id": "B", "dispute_type": "damaged", "order_value": "6"}], dtype="str")
    v = validate_frame(frame, as_of=AS_OF)
    assert list(v.valid) == [True, False, False, True]
    assert v.problems[1].fields == ["order_value"]  # a bad row is rejected for what is wrong with it
    assert v.problems[2].fields == ["case_id"] and "row 2 has it" in v.problems[2].problems[0].message
    assert v.first_of == {2: 0}
    distinct = validate_frame(frame.assign(case_id=["A", "A2", "A3", "B"]), as_of=AS_OF)
    assert list(distinct.valid) == [True, False, True, True] and distinct.first_of == {}


def test_an_empty_column_of_any_dtype_parses_to_empty_verdicts():
    from helpers.batch.read import parse_column
    for dtype in (object, "str"):
        status, encoded = parse_column(FIELD_BY_NAME["order_value"], pd.Series([], dtype=dtype))
        assert len(status) == 0 and len(encoded) == 0


def test_rows_the_columns_flag_but_parse_case_accepts_take_parse_cases_values(monkeypatch):
    """Should the column checks ever flag a row the scalar parser accepts, the scalar verdict wins
    and the row's engine columns (text ones too) are set from it, all such rows at once."""
    import helpers.batch.read as read
    frame = generate_frame(400, seed=17)
    expected = validate_frame(frame, as_of=AS_OF)
    assert expected.valid.all()
    suspects = np.arange(5, 400, 37)
    real = read.cross_field_bad

    def wrongly_flagging(cols):
        cols["buyer_name"][suspects] = "WRONG"  # what the scalar parser must put right
        cols["order_value"][suspects] = -1.0
        bad = real(cols)
        bad["ship_date", "order_date"] = bad["ship_date", "order_date"].copy()
        bad["ship_date", "order_date"][suspects] = True
        return bad
    monkeypatch.setattr(read, "cross_field_bad", wrongly_flagging)
    v = validate_frame(frame, as_of=AS_OF)
    assert v.valid.all() and not v.problems
    for name in ("buyer_name", "case_id"):
        assert list(v.cols[name][suspects]) == list(expected.cols[name][suspects]), name
    for name in ("order_value", "ship_date"):
        np.testing.assert_array_equal(v.cols[name][suspects], expected.cols[name][suspects], err_msg=name)
    assert list(v.cols["buyer_name"][suspects]) == [frame["buyer_name"].iat[i] for i in suspects]
