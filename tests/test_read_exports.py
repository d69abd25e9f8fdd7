"""Reading real exports: encodings, title rows, amounts, mappings checked whole, the columns command."""
from __future__ import annotations

import codecs

import pandas as pd
import pytest

from helpers.cli import main
from helpers.core.exceptions import InputFileError, MappingError
from helpers.iorw.mapping import apply_mapping, load_mapping
from helpers.iorw.tables import read_table

from support import ROOT

TEXT = "case_id,dispute_type,order_value,buyer_name\nZ1,damaged,12.50,王小明\nZ2,not_received,8,李\n"


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gbk", b""), ("gb18030", b""), ("utf-16", b""),
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
])
def test_csv_encodings_are_detected(tmp_path, encoding, prefix):
    path = tmp_path / "cases.csv"
    path.write_bytes(prefix + TEXT.encode(encoding))
    frame = read_table(path)
    assert list(frame.columns) == ["case_id", "dispute_type", "order_value", "buyer_name"]
    assert frame["buyer_name"].tolist() == ["王小明", "李"]


def test_a_named_encoding_that_does_not_fit_names_the_line(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes("case_id,buyer_name\nA,x\nB,王小明\n".encode("gbk"))
    with pytest.raises(InputFileError, match=r"input file .*cases.csv: line 3 is not valid utf-8 text \(the mapping says utf-8\)"):
        read_table(path, encoding="utf-8")


def test_os_errors_in_plain_words(tmp_path, capsys):
    (tmp_path / "dir.csv").mkdir()
    assert main(["batch", str(tmp_path / "dir.csv"), "--out", str(tmp_path / "o"), "--no-report"]) == 2
    err = capsys.readouterr().err
    assert "input file" in err and "is a folder, not a file" in err and "Errno" not in err
    assert main(["batch", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o"), "--no-report"]) == 2
    assert "none.csv: no such file" in capsys.readouterr().err


def test_an_export_without_a_mapping_points_to_columns(tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text("订单号,金额\n1,2\n", encoding="utf-8")
    assert main(["batch", str(path), "--out", str(tmp_path / "o"), "--no-report"]) == 2
    err = capsys.readouterr().err
    assert "has no column for case_id, dispute_type, order_value" in err
    assert "the headers found are: 订单号, 金额" in err and "--columns" in err
    assert f"dispute-playbook columns {path}" in err and "case (no case_id)" not in err


def test_every_mapping_problem_at_once_with_lines_and_did_you_mean(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("columns:\n  订单号: order_idd\n  纠纷: dispute_type\nvalues:\n  dispute_type:\n    破损: damage\n"
                   "dates:\n  order_date: \"%Y-%q\"\nconstants:\n  platform: aliexpres\nencodng: gbk\n", encoding="utf-8")
    with pytest.raises(MappingError) as exc:
        load_mapping(bad)
    lines = str(exc.value).splitlines()
    assert lines == [
        f"mapping file {bad} line 2: columns: 订单号: 'order_idd' is not a field of the case contract; did you mean 'order_id'?",
        f"mapping file {bad} line 6: values: dispute_type: 破损: 'damage' is not a dispute_type value; did you mean "
        "'damaged'? (use one of not_received, not_as_described, damaged, cancellation)",
        f"mapping file {bad} line 8: dates: order_date: '%Y-%q' is not a strptime date format such as \"%Y-%m-%d %H:%M:%S\"",
        f"mapping file {bad} line 10: constants: platform: 'aliexpres' is not one of aliexpress, amazon, ebay, shopify, "
        "taobao, douyin, other; did you mean 'aliexpress'?",
        f"mapping file {bad} line 11: unknown section 'encodng'; did you mean 'encoding'? (sections: encoding, "
        "header_row, columns, values, booleans, dates, amounts, constants)",
    ]


def test_an_unknown_preset_gets_a_did_you_mean(capsys, tmp_path):
    assert main(["batch", str(ROOT / "samples" / "cases.csv"), "--columns", "taobo", "--out", str(tmp_path / "o")]) == 2
    assert "not a preset (aliexpress, taobao, douyin, ebay, amazon, shopify); did you mean 'taobao'?" in capsys.readouterr().err


def test_one_column_feeds_two_fields_and_amounts_give_the_currency():
    mapping = load_mapping_text({"columns": {"订单号": ["case_id", "order_id"], "金额": "order_value"}})
    frame = pd.DataFrame({"订单号": ["4012345678901234567"], "金额": ["￥1,132.00"]}, dtype=object)
    row = apply_mapping(frame, mapping).iloc[0].to_dict()
    assert row == {"case_id": "4012345678901234567", "order_id": "4012345678901234567", "order_value": "1132.00",
                   "currency": "CNY"}


def load_mapping_text(data):
    from helpers.iorw.mapping import Mapping
    return Mapping(columns={h: (v if isinstance(v, list) else [v]) for h, v in data["columns"].items()})


@pytest.mark.parametrize("cell,mode,value,currency", [
    ("US $1,278.82", "auto", "1278.82", "USD"), ("￥1,132.00", "auto", "1132.00", "CNY"),
    ("1.234,56 €", "auto", "1234.56", "EUR"), ("£12", "auto", "12", "GBP"), ("1,5", "auto", "1.5", None),
    ("12,345", "auto", "12345", None), ("12,345", "comma", "12.345", None), ("1.234", "comma", "1234", None),
    ("CNY 88.00", "auto", "88.00", "CNY"), ("HK$ 1,000", "auto", "1000", "HKD"),
    (" usd 7 ", "auto", "7", "USD"), ("12.50 EUR", "auto", "12.50", "EUR"), ("$-3.10", "auto", "-3.10", "USD"),
    ("1,23", "dot", "123", None), ("1.234.567", "auto", "1234567", None), ("元 5", "comma", "5", "CNY"),
])
@pytest.mark.parametrize("dtype", [object, "str"])  # a spreadsheet's mixed column; a CSV's Arrow text
def test_amounts_in_either_decimal_convention(cell, mode, value, currency, dtype):
    from helpers.iorw.amounts import parse_amounts
    out, codes = parse_amounts(pd.Series(["", cell, 3.5, None], dtype=dtype if dtype == "str" else object)
                               if dtype == object else pd.Series(["", cell, None], dtype="str"),
                               mode, "order_value", {})
    assert (out.iat[1], codes[1].as_py()) == (value, currency)
    assert out.iat[0] == "" and codes[0].as_py() is None and pd.isna(out.iat[-1])


def test_a_cell_that_is_no_amount_stays_and_is_explained():
    from helpers.iorw.amounts import parse_amounts
    notes = {}
    for series in (pd.Series(["US $5", " 12 apples ", "$1,2,3"], dtype="str"),
                   pd.Series(["US $5", " 12 apples ", "$1,2,3"], dtype=object)):
        out, codes = parse_amounts(series, "auto", "item_cost", notes)
        assert list(out) == ["5", " 12 apples ", "$1,2,3"]
        assert codes.to_pylist() == ["USD", None, None]
        assert sorted(notes) == [(1, "item_cost"), (2, "item_cost")]
        assert notes[(1, "item_cost")].startswith("' 12 apples ' is not an amount")


def test_columns_suggests_a_mapping_that_runs(tmp_path, capsys):
    export = ROOT / "samples" / "exports" / "douyin_aftersales.csv"
    target = tmp_path / "m.yaml"
    assert main(["columns", str(export), "--out", str(target)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("headers found (12): 售后单号, 订单编号, 买家昵称, 订单实付金额,")
    assert "closest preset: --columns douyin" in shown and "still unmapped: no required field" in shown
    assert "  售后单号: case_id\n" in shown and "    未收到货: not_received\n" in shown
    assert main(["batch", str(export), "--columns", str(target), "--out", str(tmp_path / "o"),
                 "--as-of", "2026-11-01", "--no-report"]) == 0
    recs = pd.read_csv(tmp_path / "o" / "recommendations.csv", dtype=str, keep_default_na=False)
    assert len(recs) == 4 and "7301234567890123401" in set(recs["case_id"])


def test_columns_lists_what_is_still_unmapped(tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("Order Number,Weird\n1,2\n", encoding="utf-8")
    assert main(["columns", str(path)]) == 0
    out = capsys.readouterr().out
    assert "still unmapped: required fields dispute_type, order_value" in out and "headers not used: Weird" in out
