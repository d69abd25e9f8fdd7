"""CSV structure errors never merge rows: a fuzz of quotes, line breaks, separators, ragged rows,
unclosed and stray quotes. Rows in (counted by the writer) = results + errors; every well-formed
row comes out with exactly its own cells; every broken row is rejected on its own line."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers.batch.read import validate_frame
from helpers.batch.runner import true_rows
from helpers.iorw import csvrows
from helpers.iorw.tables import ROW_PROBLEM, read_plain_utf8, read_table

HEADER = ["case_id", "dispute_type", "order_value", "buyer_name", "carrier", "shop_name", "tracking_number", "order_id"]
TEXT = st.text(alphabet=list('ab ,;"\n\r\t中'), max_size=12)
KINDS = ("ok", "ok", "ok", "more", "fewer", "unclosed", "stray")


@st.composite
def table(draw):
    rows = draw(st.lists(st.tuples(st.sampled_from(KINDS), TEXT, TEXT), min_size=1, max_size=12))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    return rows, eol


def _write(rows, eol):
    """The file's text, and per row: its marker, kind, cells and first line number."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=eol)
    writer.writerow(HEADER)
    line, written = 2, []
    for i, (kind, a, b) in enumerate(rows):
        marker = f"ROW{i:02d}X"  # upper-case letters never occur in the random text
        cells = [marker, "damaged", "5", a, b, "s", "t", "o"]
        start = out.tell()
        if kind == "ok":
            writer.writerow(cells)
        else:
            plain = [marker, "damaged", "5", "a", "b", "s", "t", "o"]
            if kind == "more":
                plain.append("extra")
            elif kind == "fewer":
                plain.pop()
            elif kind == "unclosed":
                plain[3] = '"never closed, ab'
            elif kind == "stray":
                plain[3] = 'a"b'
            out.write(",".join(plain) + eol)
        text = out.getvalue()[start:]
        written.append((marker, kind, cells, line))
        line += text.count("\n")
    return out.getvalue(), written


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table())
# an open quote followed by a row whose quoted cell holds commas and a line break: that row once went
# into the open quote's cell
@example(([("unclosed", "", ""), ("ok", "", ",,,,\n")], "\n"))
@example(([("unclosed", "", ""), ("ok", ",,,,\n", "\n")], "\n"))
# quotes and line breaks are searched a block at a time: also in blocks of 3 bytes, so that lines and
# quoted cells straddle the blocks
@pytest.mark.parametrize("mark_block", [csvrows.MARK_BLOCK, 3])
def test_rows_in_equal_results_plus_errors_and_no_row_inside_another(tmp_path, monkeypatch, mark_block, data):
    monkeypatch.setattr(csvrows, "MARK_BLOCK", mark_block)
    rows, eol = data
    text, written = _write(rows, eol)
    path = tmp_path / "cases.csv"
    path.write_bytes(text.encode("utf-8"))
    frame = read_table(path)
    v = validate_frame(frame, as_of=dt.date(2026, 11, 1))
    true_rows(frame, v, {})
    assert len(frame) == len(written)
    assert int(v.valid.sum()) + len(v.problems) == len(written)
    ids = frame["case_id"].tolist()
    assert ids == [m for m, *_ in written]  # each row where it was, none swallowed, none split
    by_id = {m: (kind, cells, line) for m, kind, cells, line in written}
    lines = list(frame.attrs["rows"])
    for k, case_id in enumerate(ids):
        kind, cells, line = by_id[case_id]
        own = [str(frame[h].iat[k]) for h in HEADER]
        others = [m for m in by_id if m != case_id]
        assert not any(m in cell for cell in own for m in others)
        assert lines[k] == line
        if kind == "ok":
            assert own == cells and v.valid[k]
        else:
            assert not v.valid[k] and v.problems[k].problems[0].field == "(row)"
            assert v.problems[k].problems[0].row == line


def test_an_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text('case_id,dispute_type,order_value,buyer_name\nA,damaged,5,"Ann\nB,damaged,6,Bob\n'
                    'C,damaged,7,"Cy\nD,damaged,8,Di\nE,damaged,9,Ed\nF,damaged,10,Flo\n', encoding="utf-8")
    frame = read_table(path)
    v = validate_frame(frame, as_of=dt.date(2026, 11, 1))
    assert frame["case_id"].tolist() == ["A", "B", "C", "D", "E", "F"]
    assert sorted(v.problems) == [0, 2] and int(v.valid.sum()) == 4
    assert "never closed" in v.problems[0].problems[0].message and v.problems[2].problems[0].row == 4


def test_a_broken_header_fails_the_run_clearly(tmp_path, capsys):
    from helpers.cli import main
    path = tmp_path / "cases.csv"
    path.write_text('case_id,"dispute_type,order_value\nA,damaged,5\n', encoding="utf-8")
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--no-report"]) == 2
    assert "the header line has an unpaired or stray quote" in capsys.readouterr().err


def _read(tmp_path, body: bytes):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"case_id,order_value\n" + body)
    return read_table(path)


def test_a_file_without_quotes_keeps_every_line_number_crlf_blank_lines_and_stray_cr_included(tmp_path):
    frame = _read(tmp_path, b"A,1\r\nB,2\r\nC,3\r\n")
    assert frame["case_id"].tolist() == ["A", "B", "C"] and frame["order_value"].tolist() == ["1", "2", "3"]
    assert frame.attrs["rows"].tolist() == [2, 3, 4]
    frame = _read(tmp_path, b"A,1\n\nB,2\n\r\nC,3")                  # blank lines: not rows, but lines
    assert frame["case_id"].tolist() == ["A", "B", "C"] and frame.attrs["rows"].tolist() == [2, 4, 6]
    frame = _read(tmp_path, b"A,1\nB\rx,2\nC,3\n")                    # a bare CR is data, not a line end
    assert frame["case_id"].tolist() == ["A", "B\rx", "C"] and frame.attrs["rows"].tolist() == [2, 3, 4]


def _never_whole(monkeypatch):
    """Reading a file's bytes into memory in one piece fails the test."""
    from pathlib import Path

    def whole(self):
        raise AssertionError(f"{self} was read whole")
    monkeypatch.setattr(Path, "read_bytes", whole)


@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 20])
def test_a_plain_utf8_file_is_read_from_the_disk_counted_block_by_block(tmp_path, monkeypatch, block):
    """The usual export (no quote, CRLF or LF) is read without holding its bytes whole; CRLF pairs and
    line ends split across the counting blocks change nothing."""
    monkeypatch.setattr(csvrows, "SCAN_BLOCK", block)
    _never_whole(monkeypatch)
    path = tmp_path / "cases.csv"
    path.write_bytes("\ufeffDisputes export 2026-11\r\ncase_id,dispute_type,order_value,buyer_name\r\n"
                     "A1,damaged,5,王芳\r\nB2,not_received,12.50,Ann\r\nC3,cancellation,,\r\n".encode("utf-8"))
    frame = read_table(path, header_row=None, expected=["case_id", "dispute_type", "order_value"])
    assert frame.to_dict("list") == {"case_id": ["A1", "B2", "C3"], "dispute_type": ["damaged", "not_received", "cancellation"],
                                     "order_value": ["5", "12.50", ""], "buyer_name": ["王芳", "Ann", ""]}
    assert frame.attrs["rows"].tolist() == [3, 4, 5]
    path.write_bytes(b"case_id,order_value\nA,1\nB,2")  # no line break after the last row
    assert read_table(path).to_dict("list") == {"case_id": ["A", "B"], "order_value": ["1", "2"]}


@pytest.mark.parametrize("body, cells, rows", [
    (b"A,1\nB\rx,2\nC,3\n", ["A", "B\rx", "C"], [2, 3, 4]),        # a bare CR is data
    (b"A,1\n\nB,2\n", ["A", "B"], [2, 4]),                          # a blank line is not a row
    (b"A,1\nB,\xd5\xc5\xc8\xfd\n", ["A", "B"], [2, 3]),           # GBK after an ASCII start
    (b"A,1\n" * 20_000 + b'"B,b",2\n', ["A"] * 20_000 + ["B,b"], list(range(2, 20_003))),  # a quote past the first 64 KB
])
def test_any_other_file_is_read_the_general_way(tmp_path, monkeypatch, body, cells, rows):
    monkeypatch.setattr(csvrows, "SCAN_BLOCK", 5)
    path = tmp_path / "cases.csv"
    path.write_bytes(b"case_id,order_value\n" + body)
    assert read_plain_utf8(path) is None
    frame = read_table(path)
    assert frame["case_id"].tolist() == cells and frame.attrs["rows"].tolist() == rows
    if b"\xd5" in body:
        assert frame["order_value"].tolist() == ["1", "张三"]


def test_a_ragged_row_without_quotes_is_rejected_on_its_own_line(tmp_path):
    frame = _read(tmp_path, b"A,1\nB,2,extra\nC,3\n")
    assert frame["case_id"].tolist() == ["A", "B", "C"] and frame.attrs["rows"].tolist() == [2, 3, 4]
    assert "has 3 cells but the header has 2" in str(frame[ROW_PROBLEM].iat[1]) and frame[ROW_PROBLEM].iat[2] == ""


def test_the_row_numbers_are_handed_over_not_copied_into_every_column(tmp_path):
    frame = _read(tmp_path, b"A,1\nB,2\n")
    assert frame["case_id"].attrs["rows"] is frame.attrs["rows"]
    assert not frame.attrs["rows"].flags.writeable


def test_broken_rows_of_a_mapped_gbk_export_stay_rejected(tmp_path):
    """Through a preset too: the mapping keeps the reader's verdict on each broken line."""
    from helpers.cli import main
    lines = [
        "淘宝退款管理导出,导出时间:2026-11-01 10:00",
        "退款编号,订单编号,买家会员名,买家实际支付金额,订单付款时间,发货时间,退款原因,退款类型,物流公司,物流单号,店铺名称,退款说明",
        "TB-1,4012345678901234567,小王,￥59.90,2026-10-10 12:00:00,2026-10-11 08:00:00,商品破损,仅退款,中通快递,731,好物小店,碎了",
        'TB-2,"4012345678901234568,小李,￥59.90,2026-10-12 09:30:00,2026-10-13 10:00:00,商品破损,仅退款,中通快递,732,好物小店,x',
        '=HYPERLINK("x"),4012345678901234569,老张,￥19.00,2026-10-28 20:15:00,2026-10-29 08:00:00,商品破损,仅退款,中通快递,733,好物小店,y',
        "TB-4,4012345678901234570,阿强,￥88.00,2026-10-05 11:00:00,2026-10-06 09:00:00,商品破损,仅退款,韵达快递,734,好物小店,z",
        "TB-5,1,2",
    ]
    path = tmp_path / "taobao.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk") + b"\r\n")
    out = tmp_path / "out"
    assert main(["batch", str(path), "--columns", "taobao", "--out", str(out), "--as-of", "2026-11-01",
                 "--no-report"]) == 0
    with open(out / "recommendations.csv", encoding="utf-8-sig", newline="") as f:
        assert [r["case_id"] for r in csv.DictReader(f)] == ["TB-1", "TB-4"]
    with open(out / "errors.csv", encoding="utf-8-sig", newline="") as f:
        errors = {r["row"]: r["message"] for r in csv.DictReader(f)}
    assert sorted(errors, key=int) == ["4", "5", "7"]
    assert "never closed" in errors["4"] and "not quoted" in errors["5"] and "has 3 cells but the header has 12" in errors["7"]


@pytest.mark.parametrize("block", [1, 2, 3, 5, 1 << 18])
@pytest.mark.parametrize("body,lines", [
    (b'"ab"\n"cd"\n', [0, 1]),                 # quotes on both sides of a block's edge (block 3)
    (b'a,"b",c\nd,e,f\n', [0, 1]),
    (b'a,"b""c",d\n\ne\n', [0, 2]),            # a doubled quote; the blank line is no record
    (b'x,"y"\r\n\r\nz\r\n', [0, 2]),
    (b'a,"b\nc",d\n', None),                   # a line leaves its quote open
    (b'a,"b,c"\nd,"e\n', None),
    (b'"a"\n"b\n"c"\n', None),
    (b'a,b"c,d\n', None),                      # a stray quote
    (b'"a', None),                             # open at the end
    (b'a,b\nc,d', [0, 1]),                     # no line break at the end
])
def test_whole_record_lines_are_found_block_by_block(monkeypatch, block, body, lines):
    import numpy as np
    monkeypatch.setattr(csvrows, "MARK_BLOCK", block)
    found = csvrows._record_lines(np.frombuffer(body, dtype=np.uint8))
    assert (None if found is None else found.tolist()) == lines
