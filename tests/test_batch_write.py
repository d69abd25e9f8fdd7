"""The batch's write path: the streamed workbook holds exactly the CSV's cells, text stays inert text,
chunks append to one CSV, counts equal Counter's."""
from __future__ import annotations

from collections import Counter

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.batch.table import counts
from helpers.batch.write import CsvPart, csv_bytes, neutralise, neutralise_column, safe_table, write_xlsx
from helpers.batch.xlsx import column_letter
from support import ROOT

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


def test_each_piece_of_a_workbook_starts_on_its_way_to_the_disk(tmp_path, monkeypatch):
    """45,000 rows are three pieces of the sheet (20,000 rows each): each is pushed to the disk once
    it is in the file, and the workbook is fsynced before it takes its name."""
    import os

    from helpers.batch import write
    n = 45_000
    csv = tmp_path / "r.csv"
    csv.write_bytes(csv_bytes(pd.DataFrame({"case_id": [f"C{i}" for i in range(n)], "est_cost": [1.5] * n}), True))
    asked, synced = [], []
    monkeypatch.setattr(write, "start_writeback", lambda path, offset, length: asked.append((os.path.getsize(path), offset, length)))
    monkeypatch.setattr(write, "fsync_path", lambda path: synced.append(os.path.getsize(path)))
    write_xlsx(csv, tmp_path / "r.xlsx")
    sizes = [size for size, _, _ in asked]
    assert [(o, k) for _, o, k in asked] == [(0, 0)] * 3  # each time: whatever is written so far
    assert sizes == sorted(sizes) and sizes[0] > 20_000 * 20 and len(set(sizes)) == 3  # the pieces were in the file
    assert len(synced) == 1 and synced[0] > sizes[-1]  # then the rest, and one fsync of the whole
    assert pd.read_excel(tmp_path / "r.xlsx", dtype=object, engine="calamine")["case_id"].tolist()[-1] == f"C{n - 1}"


def test_neutralise_column_prefixes_only_what_a_spreadsheet_would_run():
    out = neutralise_column(pa.array(["=A1", "+1", "-1", "@x", "\tx", "\rx", "ok", "", None, "a=b"]))
    assert out.to_pylist() == ["'=A1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok", "", None, "a=b"]
    same = pa.array(["a", "b"])
    assert neutralise_column(same).to_pylist() == ["a", "b"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="=+-@\t\r'a é中\n", max_size=6)), max_size=40),
       st.integers(0, 5), st.integers(1, 4), st.booleans())
def test_neutralise_column_prefixes_each_cell_as_neutralise_does(cells, start, pieces, large):
    """Whatever the array's layout (a slice, chunks, 32- or 64-bit offsets, nulls), each cell comes
    out as `neutralise` makes it: the first byte read from the buffers decides as the text would."""
    kind = pa.large_string() if large else pa.string()
    arr = pa.array(["pad"] * start + cells, kind).slice(start)
    cuts = sorted({0, len(cells), *[len(cells) * k // pieces for k in range(1, pieces)]})
    chunked = pa.chunked_array([arr.slice(a, b - a) for a, b in zip(cuts, cuts[1:])], kind)
    expected = [neutralise(v) for v in cells]
    assert neutralise_column(arr).to_pylist() == expected
    assert neutralise_column(chunked).to_pylist() == expected


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


def test_each_appended_chunk_starts_on_its_way_to_the_disk_unless_every_chunk_is_fsynced(tmp_path, monkeypatch):
    from helpers.batch import write
    (tmp_path / "p.csv").write_text("abc")
    assert write.start_writeback(tmp_path / "p.csv", 0, 3)  # Linux: the kernel took the request
    asked = []
    monkeypatch.setattr(write, "start_writeback", lambda path, offset, length: asked.append((offset, length)))
    synced = []
    monkeypatch.setattr(write, "fsync_path", lambda path: synced.append(path))
    part = CsvPart(tmp_path / "q.csv", 0)
    first = part.append(pd.DataFrame({"a": ["x"], "b": [1.5]}), True)    # '"a","b"\n"x",1.5\n': 16 bytes
    second = part.append(pd.DataFrame({"a": ["yy"], "b": [2.0]}), False)  # '"yy",2\n': 7 bytes
    assert (first, second) == (16, 23) and asked == [(0, 16), (16, 7)] and synced == []
    part.finish()
    assert synced == [tmp_path / "q.csv"]
    durable = CsvPart(tmp_path / "r.csv", 0, durable=True)
    durable.append(pd.DataFrame({"a": ["x"]}), True)
    assert asked == [(0, 16), (16, 7)] and synced == [tmp_path / "q.csv", tmp_path / "r.csv"]


def test_counts_equal_counter_in_first_seen_order():
    values = ["b", "a", "b", "c", "a", "b"]
    assert list(counts(pd.Categorical(values, categories=["a", "b", "c", "unused"])).items()) == \
        list(Counter(values).items())
    assert counts(pd.Series(values, dtype=object)) == dict(Counter(values))


def test_workbook_reads_back_in_pandas_and_openpyxl_with_formulas_as_text(tmp_path):
    """Repeated texts (shared strings), missing numbers mid-row (cells carry no r: an empty <c/> keeps
    the columns in place) and buyer text a spreadsheet would run, read by both of pandas' engines."""
    frame = pd.DataFrame({
        "case_id": ["A1", "=HYPERLINK(\"http://x.example\",\"click\")", "A3"],
        "resolution": ["decline", "full_refund", "decline"],
        "order_value": ["12.5", "", "7"],
        "rule_id": ["r_a", "r_b", "r_a"],
        "est_cost": ["", "1.25", ""],
        "message": ["+44 20 7946 0000 & more", "@SUM(A1:A2)", "<script>x</script>"],
    })
    csv = tmp_path / "r.csv"
    csv.write_bytes(csv_bytes(safe_table(frame, ("case_id", "message")), True))
    write_xlsx(csv, tmp_path / "r.xlsx")
    expected = {
        "case_id": ["A1", "'=HYPERLINK(\"http://x.example\",\"click\")", "A3"],
        "resolution": ["decline", "full_refund", "decline"],
        "order_value": [12.5, None, 7],
        "rule_id": ["r_a", "r_b", "r_a"],
        "est_cost": [None, 1.25, None],
        "message": ["'+44 20 7946 0000 & more", "'@SUM(A1:A2)", "<script>x</script>"],
    }
    for engine in ("openpyxl", "calamine"):
        back = pd.read_excel(tmp_path / "r.xlsx", dtype=object, engine=engine)
        got = {c: [None if v is None or v != v else v for v in back[c]] for c in back.columns}
        assert got == expected, engine
    from openpyxl import load_workbook
    ws = load_workbook(tmp_path / "r.xlsx").active
    assert ws["A3"].value == "'=HYPERLINK(\"http://x.example\",\"click\")" and ws["A3"].data_type == "s"
    assert ws["C3"].value is None and ws["D3"].value == "r_b" and ws["E3"].value == 1.25
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_repeated_texts_first_seen_late_in_a_large_file(tmp_path):
    """The CSV reader dictionary-encodes block by block; texts that first appear in a later block
    still land in the right cells."""
    n = 30_000
    frame = pd.DataFrame({"case_id": [f"C{i}" for i in range(n)],
                          "rule_id": [("early" if i < n // 2 else f"late_{i % 3}") + "_" + "x" * 40 for i in range(n)],
                          "message": ["m" * 60] * n})
    csv = tmp_path / "r.csv"
    csv.write_bytes(csv_bytes(frame, True))
    assert csv.stat().st_size > 2 * 2**20  # more than one of the reader's 1 MB blocks
    write_xlsx(csv, tmp_path / "r.xlsx")
    back = pd.read_excel(tmp_path / "r.xlsx", dtype=object, engine="calamine")
    assert back["rule_id"][0] == "early_" + "x" * 40
    assert back["rule_id"][n - 1] == f"late_{(n - 1) % 3}_" + "x" * 40
    assert back["rule_id"].tolist() == frame["rule_id"].tolist()


def test_characters_to_escape_found_far_into_long_columns(tmp_path):
    """Only the last row holds &, <, > or a control character, past the first 64 KB the scan reads at
    once: those cells still come back as written (escaped XML, the control character a space)."""
    n = 3_000
    messages = ["plain text " * 10] * (n - 1) + ["a & b <i>not html</i> \x07bell"]
    rules = ["r_plain"] * (n - 1) + ["r<&>"]
    frame = pd.DataFrame({"case_id": [f"C{i}" for i in range(n)], "rule_id": rules, "message": messages})
    csv = tmp_path / "r.csv"
    csv.write_bytes(csv_bytes(frame, True))
    assert csv.stat().st_size > 3 * 2**16
    write_xlsx(csv, tmp_path / "r.xlsx")
    back = pd.read_excel(tmp_path / "r.xlsx", dtype=object, engine="calamine")
    assert back["message"].iloc[-1] == "a & b <i>not html</i>  bell"
    assert back["rule_id"].iloc[-1] == "r<&>"
    assert back["message"].iloc[0] == "plain text " * 10


def test_large_texts_and_dictionaries_are_written_cell_for_cell(tmp_path):
    """Texts held as large strings and dictionaries of them (how the results table holds them: chunked,
    sliced, with missing cells) come out of the CSV writer exactly as written here by hand."""
    large = pa.large_string()
    words = pa.array(["wait", 'say "hi"', "多行\n消息", ""], type=large)
    first = pa.DictionaryArray.from_arrays(pa.array([1, 0, None, 2], type=pa.int8()), words)
    second = pa.DictionaryArray.from_arrays(pa.array([0, 9, 3], type=pa.int8()),
                                            pa.array(["x"] * 9 + ["refund"], type=large)).slice(1, 2)
    table = pa.table({
        "case_id": pa.chunked_array([pa.array(["A1", 'B"2', None], type=large), pa.array(["", "E,5", "F6"], type=large)]),
        "resolution": pa.chunked_array([first.slice(1, 3), pa.concat_arrays([second, second.slice(1)])]),
        "order_value": [1.5, None, 3.0, 0.25, 1e-05, 7.0],
    })
    path = tmp_path / "r.csv"
    part = CsvPart(path, 0)
    part.append(table, True)
    assert path.read_text(encoding="utf-8") == (
        '"case_id","resolution","order_value"\n'
        '"A1","wait",1.5\n'
        '"B""2",,\n'
        ',"多行\n消息",3\n'
        '"","refund",0.25\n'
        '"E,5","x",0.00001\n'
        '"F6","x",7\n')


def test_a_column_with_a_part_too_large_for_small_strings_is_written_as_it_is(tmp_path, monkeypatch):
    """Arrow's `string` holds at most 2 GB of text per array: a column with any part past that stays
    large (all its parts: a column has one type), and its cells are written the same."""
    import helpers.batch.write as write
    monkeypatch.setattr(write, "_SMALL_TEXT_MAX", 40)  # the limit, scaled down to parts a test can make
    large = pa.large_string()
    table = pa.table({"message": pa.chunked_array([pa.array(["short"], type=large),
                                                   pa.array(["x" * 50, 'a "quote"'], type=large)]),
                      "rule": pa.chunked_array([pa.array(["r1"], type=large).dictionary_encode(),
                                                pa.array(["y" * 50, "r1"], type=large).dictionary_encode()])})
    path = tmp_path / "m.csv"
    CsvPart(path, 0).append(table, True)
    assert path.read_text() == ('"message","rule"\n"short","r1"\n"' + "x" * 50 + '","' + "y" * 50 + '"\n'
                                '"a ""quote""","r1"\n')


def test_a_batch_takes_arrow_memory_from_a_pool_that_keeps_freed_pages(tmp_path):
    """Each chunk frees and allocates the same large buffers: a pool that hands them back to the
    system at once (pyarrow's mimalloc) makes the kernel fault them in afresh every chunk. A fresh
    process, so no other test has chosen the pool before."""
    import subprocess
    import sys
    probe = ("import datetime as dt, pyarrow as pa\n"
             "from helpers.batch.runner import Options, run\n"
             f"run(Options(cases={str(ROOT / 'samples' / 'cases.csv')!r}, out={str(tmp_path / 'out')!r}, "
             "as_of=dt.date(2026, 11, 1), report=False))\n"
             "print(pa.default_memory_pool().backend_name)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split()[-1] == "jemalloc"


def test_without_jemalloc_the_default_pool_stays(monkeypatch):
    from helpers.iorw.arrow_memory import use_reusing_pool

    def missing():
        raise pa.ArrowNotImplementedError("this Arrow was built without jemalloc")
    before = pa.default_memory_pool().backend_name
    monkeypatch.setattr(pa, "jemalloc_memory_pool", missing)
    assert use_reusing_pool() == before
