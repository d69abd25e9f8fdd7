"""The batch's write path: the streamed workbook holds exactly the CSV's cells, text stays inert text,
chunks append to one CSV, counts equal Counter's."""
from __future__ import annotations

from collections import Counter

import pandas as pd
import pyarrow as pa

from helpers.batch.table import counts
from helpers.batch.write import CsvPart, csv_bytes, neutralise_column, safe_table, write_xlsx
from helpers.batch.xlsx import column_letter

# Hand-written cells a spreadsheet or an XML parser could get wrong.
TRICKY = {
    "case_id": ["'=1+1", "A&B<C>", "张三-1", "tab\there", "line\nbreak", "ctl\x01char", "cr\r\nlf", "  padded  "],
    "dispute_type": ["damaged"] * 8,
    "order_value": ["12.5", "", "0", "3000", "1e-05", "7", "8.25", "99.99"],
    "message": ["Hello <b>&amp;</b>", "", "'@SUM(1)", "多行\n消息", "x" * 3000, "a\x0bb", "end ", "\u00e9t\u00e9"],
}


def test_column_letters():
    assert [column_letter(j) for j in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == \
        ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_workbook_cells_equal_the_csv_cells(tmp_path):
    from openpyxl import load_workbook
    frame = pd.DataFrame(TRICKY)
    csv = tmp_path / "r.csv"
    csv.write_bytes(csv_bytes(frame, True))
    write_xlsx(csv, tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("case_id", "dispute_type", "order_value", "message")
    assert ws.max_row == 9 and ws.max_column == 4
    got = {name: [r[j] for r in rows[1:]] for j, name in enumerate(rows[0])}
    # control characters XML cannot hold become spaces (as openpyxl's writer did); \r survives
    assert got["case_id"] == ["'=1+1", "A&B<C>", "张三-1", "tab\there", "line\nbreak", "ctl char", "cr\r\nlf",
                              "  padded  "]
    assert got["dispute_type"] == ["damaged"] * 8
    assert got["order_value"] == [12.5, None, 0, 3000, 1e-05, 7, 8.25, 99.99]
    assert got["message"] == ["Hello <b>&amp;</b>", "", "'@SUM(1)", "多行\n消息", "x" * 3000, "a b", "end ",
                              "été"]


def test_many_rows_use_shared_strings_and_read_back_in_order(tmp_path):
    n = 45_000  # more than one piece of rows
    frame = pd.DataFrame({"case_id": [f"C{i}" for i in range(n)], "resolution": ["decline", "full_refund", "=x"] * (n // 3),
                          "est_cost": [i / 4 for i in range(n)]})
    csv = tmp_path / "r.csv"
    csv.write_bytes(csv_bytes(safe_table(frame, ("resolution",)), True))
    write_xlsx(csv, tmp_path / "r.xlsx")
    back = pd.read_excel(tmp_path / "r.xlsx", dtype=object, engine="calamine")
    assert back["case_id"].tolist() == frame["case_id"].tolist()
    assert back["resolution"].tolist()[:3] == ["decline", "full_refund", "'=x"]
    assert back["est_cost"].astype(float).tolist() == frame["est_cost"].tolist()


def test_neutralise_column_prefixes_only_what_a_spreadsheet_would_run():
    out = neutralise_column(pa.array(["=A1", "+1", "-1", "@x", "\tx", "\rx", "ok", "", None, "a=b"]))
    assert out.to_pylist() == ["'=A1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok", "", None, "a=b"]
    same = pa.array(["a", "b"])
    assert neutralise_column(same).to_pylist() == ["a", "b"]


def test_csv_part_appends_chunks_and_truncates_on_resume(tmp_path):
    path = tmp_path / "p.csv"
    part = CsvPart(path, 0)
    first = part.append(pd.DataFrame({"a": ["x"], "b": [1.5]}), True)
    part.append(pd.DataFrame({"a": ["y"], "b": [None]}), False)
    part.finish()
    assert path.read_text() == '"a","b"\n"x",1.5\n"y",\n'
    again = CsvPart(path, first, durable=True)  # resume: back to the end of the first chunk
    again.append(pd.DataFrame({"a": ["z"], "b": [2.0]}), False)
    assert path.read_text() == '"a","b"\n"x",1.5\n"z",2\n'


def test_counts_equal_counter_in_first_seen_order():
    values = ["b", "a", "b", "c", "a", "b"]
    assert list(counts(pd.Categorical(values, categories=["a", "b", "c", "unused"])).items()) == \
        list(Counter(values).items())
    assert counts(pd.Series(values, dtype=object)) == dict(Counter(values))
