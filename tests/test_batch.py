"""`dispute-playbook batch` end to end: every input format, every row in exactly one output file,
inert spreadsheet formulas, --strict, the progress bar only on a terminal."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from helpers.cli import main
from helpers.batch.samples import generate_frame

from support import ROOT

BAD = [
    {"case_id": "BAD-VALUE", "dispute_type": "damaged", "order_value": "-5"},
    {"case_id": "BAD-DATE", "dispute_type": "not_received", "order_value": "10", "order_date": "2026-13-01"},
    {"case_id": "BAD-TYPE", "dispute_type": "lost_parcel", "order_value": "15"},
    {"case_id": "", "dispute_type": "damaged", "order_value": "15"},
    {"case_id": "BAD-ORDER", "dispute_type": "damaged", "order_value": "15", "order_date": "2026-10-10",
     "ship_date": "2026-10-01"},
]


def mixed_frame(n=60, seed=3):
    good = generate_frame(n, seed=seed).astype(object)
    good = good.where(good.notna(), "").map(lambda v: v if isinstance(v, str) else f"{v:g}")
    frame = pd.concat([good.iloc[:20], pd.DataFrame(BAD), good.iloc[20:], good.iloc[[5]]], ignore_index=True)
    return frame.fillna("")  # the last row repeats G0000005: a later duplicate


def write_input(frame, path):
    """The same cells written by the real tool for each format."""
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix == ".xlsx":
        from openpyxl import Workbook
        wb = Workbook()
        ws = wb.active
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([_typed(v) for v in row])
        wb.save(path)
    elif suffix == ".xls":
        import xlwt
        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("cases")
        for j, name in enumerate(frame.columns):
            ws.write(0, j, name)
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, v in enumerate(row):
                ws.write(i, j, _typed(v))
        wb.save(str(path))
    return path


def _typed(v):
    """Spreadsheets hold numbers as numbers."""
    try:
        return float(v) if v not in ("", "nan") and not v.startswith(("0", "G", "L", "8")) else v
    except (ValueError, AttributeError):
        return v


def read_outputs(out):
    recs = pd.read_csv(out / "recommendations.csv", dtype=str, keep_default_na=False)
    errors = pd.read_csv(out / "errors.csv", dtype={"case_id": str}, keep_default_na=False)
    return recs, errors


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xls", ".parquet", ".jsonl"])
def test_every_row_lands_in_exactly_one_file(tmp_path, suffix):
    frame = mixed_frame()
    path = write_input(frame, tmp_path / f"cases{suffix}")
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--as-of", "2026-11-01", "--no-report"]) == 0
    recs, errors = read_outputs(out)
    assert len(recs) + len(errors) == len(frame)
    assert sorted(errors["row"]) == [22, 23, 24, 25, 26, len(frame) + 1]
    assert dict(zip(errors["row"], errors["field"]))[23] == "order_date"
    assert set(recs["case_id"]) == set(frame["case_id"]) - {b["case_id"] for b in BAD}
    assert not recs["case_id"].duplicated().any()
    assert (out / "recommendations.xlsx").exists() and (out / "summary.json").exists()
    assert not (out / ".batch-state").exists()


def test_formula_cells_are_inert_in_csv_and_xlsx(tmp_path):
    from openpyxl import load_workbook
    frame = generate_frame(5, seed=2).astype(object)
    frame.loc[0, "case_id"] = "=HYPERLINK(\"http://evil\",\"x\")"
    frame.loc[1, "case_id"] = "+cmd|' /C calc'!A0"
    frame.loc[2, "case_id"] = "@SUM(1+1)"
    frame.loc[3, "case_id"] = "-2+3"
    frame.loc[4, ["case_id", "order_value"]] = ["=1+1", "-5"]  # rejected: errors.csv carries it
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--as-of", "2026-11-01", "--no-report"]) == 0
    recs, errors = read_outputs(out)
    assert list(recs["case_id"]) == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+cmd|' /C calc'!A0", "'@SUM(1+1)", "'-2+3"]
    assert list(errors["case_id"]) == ["'=1+1"]
    ws = load_workbook(out / "recommendations.xlsx").active
    header = [c.value for c in ws[1]]
    assert ws.max_row == 1 + len(recs)  # every decided row is checked below
    for row in ws.iter_rows(min_row=2):
        cell = row[header.index("case_id")]
        assert cell.data_type == "s" and cell.value.startswith("'")
        assert row[header.index("order_value")].data_type == "n"  # numbers stay numbers
        assert row[header.index("message")].data_type == "s"


def test_strict_exits_non_zero_on_any_rejected_row(tmp_path):
    path = write_input(mixed_frame(10), tmp_path / "cases.csv")
    args = ["batch", str(path), "--out", str(tmp_path / "o"), "--as-of", "2026-11-01", "--no-report"]
    assert main(args + ["--strict"]) == 1
    good = tmp_path / "good.csv"
    generate_frame(10, seed=1).to_csv(good, index=False)
    assert main(["batch", str(good), "--out", str(tmp_path / "g"), "--no-report", "--strict"]) == 0


def test_csv_with_line_breaks_inside_cells(tmp_path):
    frame = generate_frame(4, seed=6)
    frame.loc[1, "buyer_name"] = "Anna\nKarenina"
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--no-report"]) == 0
    recs, errors = read_outputs(tmp_path / "o")
    assert len(recs) == 4 and len(errors) == 0
    assert "Anna Karenina" in recs.loc[1, "message"]  # the line break is data; in a message it is a space


def test_unreadable_input_exits_2_with_a_clear_message(tmp_path, capsys):
    bad = tmp_path / "cases.txt"
    bad.write_text("x")
    assert main(["batch", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "unsupported file type '.txt'" in capsys.readouterr().err


@pytest.mark.parametrize("name,content,says", [
    ("cases.xlsx", b"not a zip", "BadZipFile"),
    ("cases.parquet", b"garbage", "ArrowInvalid"),
    ("cases.jsonl", b"not json\nnor this\n", "no line of it is a JSON object"),
])
def test_an_unreadable_file_exits_2_naming_the_file(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "helpers", "batch", str(path), "--out", str(tmp_path / "o"),
                           "--no-report"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"input file {path}: " in proc.stderr and says in proc.stderr, proc.stderr
    assert not (tmp_path / "o" / "recommendations.csv").exists()


@pytest.mark.parametrize("content", [
    b"case_id,dispute_type,order_value\nA,damaged,5,7,8\nB,damaged,6\n",
    b"case_id,dispute_type,order_value\nB,damaged,6\nA,damaged,5,7,8\nC,damaged\n",
])
def test_a_row_with_the_wrong_number_of_cells_is_rejected_alone(tmp_path, content):
    """Never shifted into the wrong columns, never cut silently, never stopping the other rows."""
    path = tmp_path / "cases.csv"
    path.write_bytes(content)
    out = tmp_path / "o"
    assert main(["batch", str(path), "--out", str(out), "--no-report", "--as-of", "2026-11-01"]) == 0
    recs = pd.read_csv(out / "recommendations.csv", dtype=str)
    errors = pd.read_csv(out / "errors.csv", dtype=str)
    lines = content.decode().splitlines()[1:]
    good = [line.split(",")[0] for line in lines if line.count(",") == 2]
    assert sorted(recs["case_id"]) == sorted(good)
    ragged = {line.split(",")[0]: row for row, line in enumerate(lines, start=2) if line.count(",") != 2}
    assert dict(zip(errors["case_id"], errors["row"].astype(int))) == ragged
    assert set(errors["field"]) == {"(row)"} and errors["message"].str.contains("cells but the header has 3").all()


@pytest.mark.parametrize("option,says", [(["--as-of", "2026-13-01"], "--as-of '2026-13-01' is not a date"),
                                         (["--set", "keep_item_max_value"], "--set: 'keep_item_max_value' is not NAME=NUMBER"),
                                         (["--set", "no_such=1"], "--set: unknown playbook parameter 'no_such'")])
def test_a_bad_option_exits_2_with_a_clear_message(tmp_path, capsys, option, says):
    path = tmp_path / "cases.csv"
    generate_frame(3, seed=1).to_csv(path, index=False)
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--no-report", *option]) == 2
    assert says in capsys.readouterr().err


def test_progress_bar_stays_quiet_when_stderr_is_not_a_terminal(tmp_path):
    path = write_input(mixed_frame(30), tmp_path / "cases.csv")
    proc = subprocess.run([sys.executable, "-m", "helpers", "batch", str(path), "--out", str(tmp_path / "o"),
                           "--no-report", "--chunk-rows", "10"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "deciding" not in proc.stderr and "it/s" not in proc.stderr
    rows = len(path.read_text(encoding="utf-8").splitlines()) - 1  # the header is not a case
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert proc.stdout.startswith(f"{rows} rows: {summary['decided']} decided, {summary['rejected']} rejected")


def test_progress_bar_shows_on_a_terminal(tmp_path):
    import os
    import pty
    path = write_input(mixed_frame(30), tmp_path / "cases.csv")
    import fcntl
    import struct
    import termios
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a real terminal has a size
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "batch", str(path), "--out", str(tmp_path / "o"),
                             "--no-report", "--chunk-rows", "10"], stdout=subprocess.DEVNULL, stderr=follower, cwd=ROOT)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait() == 0
    assert b"deciding" in seen


def test_chunked_output_equals_a_single_chunk(tmp_path):
    path = write_input(mixed_frame(80), tmp_path / "cases.csv")
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["batch", str(path), "--out", str(a), "--as-of", "2026-11-01", "--no-report", "--chunk-rows", "7"]) == 0
    assert main(["batch", str(path), "--out", str(b), "--as-of", "2026-11-01", "--no-report"]) == 0
    assert (a / "recommendations.csv").read_bytes() == (b / "recommendations.csv").read_bytes()
    summary = json.loads((a / "summary.json").read_text())
    assert summary["decided"] + summary["rejected"] == summary["rows"] == 86
    assert np.sum(list(summary["resolutions"].values())) == summary["decided"]


@pytest.mark.parametrize("lang, lines", [
    ("en", ["1212 rows: 1210 decided, 2 rejected -> out/review",
            "  1203  Send it again [reship]", "     7  Decline politely, with reasons [decline]"]),
    ("zh", ["1212 行：1210 个已决定，2 个被拒绝 -> out/review",
            "  1203  补发 [reship]", "     7  礼貌拒绝并说明理由 [decline]"]),
])
def test_the_summary_names_each_resolution_in_the_runs_language_with_the_csv_value(lang, lines):
    """People read labels; the bracket is what the resolution column holds, to filter on."""
    import io
    from collections import Counter
    from pathlib import Path

    from helpers.batch.command import print_summary, resolution_labels
    from helpers.batch.runner import BatchResult, Options
    result = BatchResult(rows=1212, decided=1210, rejected=2, resolutions=Counter({"decline": 7, "reship": 1203}),
                         out=Path("out/review"))
    out = io.StringIO()
    print_summary(result, out, labels=resolution_labels(Options(cases="x.csv", out="out/review", lang=lang)), lang=lang)
    assert out.getvalue().splitlines() == lines


def test_chunks_cover_every_row_once_with_the_last_one_cut_small():
    """Each chunk is written while the next is decided: the last chunk is cut into a half, a quarter
    and two eighths, so little writing is left once the last decision is made."""
    from helpers.batch.runner import chunk_bounds
    assert chunk_bounds(1_000_000, 200_000) == [(0, 200_000), (200_000, 400_000), (400_000, 600_000),
                                                (600_000, 800_000), (800_000, 900_000), (900_000, 950_000),
                                                (950_000, 975_000), (975_000, 1_000_000)]
    assert chunk_bounds(230_000, 200_000) == [(0, 200_000), (200_000, 215_000), (215_000, 222_500),
                                              (222_500, 226_250), (226_250, 230_000)]
    assert chunk_bounds(210_000, 200_000) == [(0, 200_000), (200_000, 210_000)]  # 10,000 rows: left whole
    assert chunk_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunk_bounds(0, 4) == []


def test_a_misspelt_column_is_named_with_the_field_it_likely_means(tmp_path, capsys):
    """`buyer_photo` for buyer_photos: the batch decided every case as if no photos were known and
    said nothing. Now a note names it; an export's own extra column (`shop_notes`) stays unremarked."""
    src = tmp_path / "typo.csv"
    src.write_text("case_id,dispute_type,order_value,currency,platform,order_date,ship_date,tracking_stauts,"
                   "buyer_photo,shop_notes\nA1,damaged,30,USD,ebay,2026-10-01,2026-10-02,delivered,true,x\n", encoding="utf-8")
    assert main(["batch", str(src), "--out", str(tmp_path / "o"), "--as-of", "2026-11-01", "--no-report"]) == 0
    notes = json.loads((tmp_path / "o" / "summary.json").read_text())["notes"]
    assert [n.split(";")[0] for n in notes] == ["column 'tracking_stauts' is not read: it is not a field of the case contract",
                                                "column 'buyer_photo' is not read: it is not a field of the case contract"]
    assert "did you mean 'buyer_photos'?" in notes[1]
    out = capsys.readouterr().out
    assert "note: column 'buyer_photo' is not read" in out and "shop_notes" not in out


def test_resume_refuses_a_run_begun_under_another_version_of_the_playbook(tmp_path, monkeypatch):
    """A run stopped midway, the playbook edited, then --resume: its first chunks followed the old
    policy and the rest the new one, with exit 0 and no word. It is now refused as other options are."""
    from support import copy_playbook, edit_file
    from helpers.batch import runner
    from helpers.core.exceptions import UsageError
    pb = copy_playbook(tmp_path)
    src = tmp_path / "cases.csv"
    generate_frame(300, seed=5).to_csv(src, index=False)
    opts = dict(cases=str(src), out=str(tmp_path / "out"), playbook=str(pb), chunk_rows=100, report=False,
                as_of=pd.Timestamp("2026-11-01").date())
    append, calls = runner.CsvPart.append, []

    def stopped_after_one_chunk(self, *args):
        calls.append(1)
        if len(calls) > 1:
            raise OSError("the machine went down")
        return append(self, *args)
    monkeypatch.setattr(runner.CsvPart, "append", stopped_after_one_chunk)
    with pytest.raises(OSError):
        runner.run(runner.Options(**opts))
    monkeypatch.setattr(runner.CsvPart, "append", append)
    manifest = json.loads((tmp_path / "out" / runner.STATE_DIR / "manifest.json").read_text())
    assert len(manifest["chunks"]) == 1  # one chunk done under the playbook as it was
    edit_file(pb / "parameters.yaml", "wait_grace_days:\n  value: 7", "wait_grace_days:\n  value: 2")
    with pytest.raises(UsageError, match="another version of the playbook"):
        runner.run(runner.Options(**opts, resume=True))
    edit_file(pb / "parameters.yaml", "wait_grace_days:\n  value: 2", "wait_grace_days:\n  value: 7")
    result = runner.run(runner.Options(**opts, resume=True))  # the same files again: it goes on
    assert result.decided + result.rejected == 300
    # and says so (it said nothing): the stopped run had finished its first chunk of 100 cases
    assert any(n.startswith(f"resumed: 100 of {result.decided:,} cases were decided and written by the stopped run")
               for n in result.said), result.said
    assert not any(n.startswith("resumed") for n in result.notes)  # summary.json is the uninterrupted run's


def test_a_jsonl_line_that_is_not_a_case_is_one_rejected_row_not_a_failed_batch(tmp_path):
    """One malformed line made the whole file unreadable (exit 2, "Expected object or value at
    position 58"): every other case went undecided. Now that line is rejected and the rest decided."""
    path = tmp_path / "cases.jsonl"
    path.write_text('{"case_id": "J1", "dispute_type": "damaged", "order_value": 10}\n'
                    '{"case_id": "J2", "dispute_type": "damaged", "order_value":\n'
                    '{"case_id": "J3", "dispute_type": "damaged", "order_value": 12}\n'
                    '[1, 2]\n', encoding="utf-8")
    out = tmp_path / "o"
    assert main(["batch", str(path), "--out", str(out), "--as-of", "2026-11-01", "--no-report"]) == 0
    recs, errors = read_outputs(out)
    assert recs["case_id"].tolist() == ["J1", "J3"]
    assert errors["row"].tolist() == [3, 5] and set(errors["field"]) == {"(row)"}
    assert "is not JSON" in errors["message"][0] and "not a JSON object" in errors["message"][1]


@pytest.mark.parametrize("line", ["null", "[1, 2, 3]"])
def test_a_jsonl_line_of_json_that_is_no_object_is_one_rejected_row(tmp_path, line):
    """`null` or an array among objects made pandas fail with a TypeError, not the ValueError the line
    reader was waiting for: the whole file was refused ("'NoneType' object is not iterable")."""
    path = tmp_path / "cases.jsonl"
    path.write_text('{"case_id": "J1", "dispute_type": "damaged", "order_value": 10}\n' + line + "\n"
                    '{"case_id": "J3", "dispute_type": "damaged", "order_value": 12}\n', encoding="utf-8")
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--as-of", "2026-11-01", "--no-report"]) == 0
    recs, errors = read_outputs(tmp_path / "o")
    assert recs["case_id"].tolist() == ["J1", "J3"] and errors["row"].tolist() == [3]
    assert "not a JSON object" in errors["message"][0]


def test_nested_values_and_bytes_are_rejected_rows_not_a_crashed_batch(tmp_path):
    """A mapping or a list in a JSONL cell, Parquet list, struct or binary columns: pandas cannot hash
    them, and the batch stopped with "internal error" (exit 70) and wrote nothing."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = tmp_path / "cases.jsonl"
    path.write_text('{"case_id": "J1", "dispute_type": "damaged", "order_value": 10}\n'
                    '{"case_id": "J2", "dispute_type": "damaged", "order_value": 5, "buyer_name": {"first": "A"}}\n'
                    '{"case_id": "J3", "dispute_type": "damaged", "order_value": 5, "buyer_photos": [true]}\n',
                    encoding="utf-8")
    assert main(["batch", str(path), "--out", str(tmp_path / "j"), "--as-of", "2026-11-01", "--no-report"]) == 0
    recs, errors = read_outputs(tmp_path / "j")
    assert recs["case_id"].tolist() == ["J1"]
    assert errors["field"].tolist() == ["buyer_name", "buyer_photos"]
    assert "is not text" in errors["message"][0] and "is not a boolean" in errors["message"][1]
    base = {"dispute_type": ["damaged", "damaged"], "order_value": [5.0, 6.0]}
    tables = {"list": {"case_id": ["P1", "P2"], "buyer_name": [["a", "b"], None]},
              "struct": {"case_id": ["P1", "P2"], "buyer_name": [{"x": 1}, None]},
              "binary": {"case_id": [b"P1", b"P2"]}}
    for name, columns in tables.items():
        src = tmp_path / f"{name}.parquet"
        pq.write_table(pa.table({**base, **columns}), src)
        assert main(["batch", str(src), "--out", str(tmp_path / name), "--as-of", "2026-11-01", "--no-report"]) == 0
        recs, errors = read_outputs(tmp_path / name)
        assert len(recs) + len(errors) == 2 and "is not text" in errors["message"][0], name
        assert errors["field"][0] == ("case_id" if name == "binary" else "buyer_name")


def test_rejected_rows_come_as_a_workbook_too_that_excel_shows_in_chinese(tmp_path):
    """errors.csv is UTF-8 without a byte-order mark: Chinese Excel opens it as GBK and shows
    mojibake (recommendations.csv has recommendations.xlsx beside it; errors.csv had nothing)."""
    from openpyxl import load_workbook
    path = write_input(mixed_frame(), tmp_path / "cases.csv")
    out = tmp_path / "o"
    assert main(["batch", str(path), "--out", str(out), "--as-of", "2026-11-01", "--no-report", "--lang", "zh"]) == 0
    errors = pd.read_csv(out / "errors.csv", keep_default_na=False)
    sheet = load_workbook(out / "errors.xlsx").active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert sheet.title == "errors" and cells[0] == ["row", "case_id", "field", "message"]
    assert [r[0] for r in cells[1:]] == errors["row"].tolist()  # numbers, as in the CSV
    assert [r[3] for r in cells[1:]] == errors["message"].tolist() and "必填" in "".join(errors["message"])
    again = tmp_path / "o2"
    assert main(["batch", str(path), "--out", str(again), "--as-of", "2026-11-01", "--no-report",
                 "--xlsx-max-rows", "3", "--lang", "zh"]) == 0
    assert not (again / "errors.xlsx").exists()  # 6 rejected rows: more than --xlsx-max-rows
    # said, as recommendations.xlsx was (errors.xlsx was left out without a word), in the run's language
    notes = json.loads((again / "summary.json").read_text(encoding="utf-8"))["notes"]
    assert "未写出 errors.xlsx：6 行超过 --xlsx-max-rows 3；请打开 errors.csv" in notes, notes


def test_a_cell_of_megabytes_is_read_decided_and_written_to_the_workbook(tmp_path):
    """A 3 MB case id stopped the batch at the workbook ('straddles two block boundaries', exit 70,
    nothing published); a 2.5 MB note in a column the batch ignores rejected a valid row for a stray
    quote it did not have (the csv module's 128 KiB cell limit)."""
    from openpyxl import load_workbook
    long_id, note = "Z" * 3_000_000, "N" * 2_500_000
    path = tmp_path / "cases.csv"
    path.write_text("case_id,dispute_type,order_value,notes\nA1,damaged,5,x\n"
                    f"{long_id},damaged,6,y\nA3,damaged,7,{note}\n", encoding="utf-8")
    out = tmp_path / "o"
    assert main(["batch", str(path), "--out", str(out), "--as-of", "2026-11-01", "--no-report"]) == 0
    recs, errors = read_outputs(out)
    assert recs["case_id"].tolist() == ["A1", long_id, "A3"] and errors.empty
    sheet = load_workbook(out / "recommendations.xlsx", read_only=True).active
    cell = [row[0] for row in sheet.iter_rows(min_row=2, max_col=1, values_only=True)][1]
    # Excel holds 32,767 characters a cell (a longer one makes it repair the file): cut, saying where the rest is
    assert len(cell) <= 32_767 and cell.startswith("Z" * 32_000) and cell.endswith("[cut: the whole text is in the CSV]")
