"""Product and shop health in the batch and the backtest (issue 13): disputes by SKU × type ×
mismatch, listings to fix, disputes per week by each row's own date, and with --orders the
dispute rate per type against the shop's targets. Expected figures are worked out by hand below."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.batch import health_report as hr
from helpers.batch.backtest import BacktestOptions, run_backtest
from helpers.batch.health import listings_to_fix, per_week, products_table
from helpers.cli.commands import main
from helpers.core.exceptions import PlaybookError
from helpers.playbook.loader import load_playbook

from support import copy_playbook, edit_file


def case(cid, dtype, day, platform="ebay", sku="", mismatch=""):
    return {"case_id": cid, "dispute_type": dtype, "order_value": "20", "platform": platform, "sku": sku,
            "mismatch": mismatch, "order_date": "2026-10-01", "as_of_date": day}


def shop_cases():
    """15 cases. SKU S1: 6 not-as-described, 5 about size (5/6 = 83% ≥ 75%: a listing to fix); S2: 5,
    3 colour + 2 quality (60%: not). Weeks (Monday) by each row's own as_of_date: 2026-10-19 holds
    A1-A3, N1, N2 (3 NAD + 2 NR); 2026-10-26 holds A4-A6, B1-B5, N3, N4 (8 NAD + 2 NR).
    Platforms: B1-B5 on amazon, the other 10 on ebay."""
    rows = [case(f"A{k}", "not_as_described", "2026-10-20" if k <= 3 else "2026-10-27", sku="S1",
                 mismatch="size" if k <= 5 else "color") for k in range(1, 7)]
    rows += [case(f"B{k}", "not_as_described", "2026-10-27", "amazon", "S2", "color" if k <= 3 else "quality")
             for k in range(1, 6)]
    rows += [case(f"N{k}", "not_received", "2026-10-20" if k <= 2 else "2026-10-28") for k in range(1, 5)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def shop_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("shop") / "cases.csv"
    shop_cases().to_csv(path, index=False)
    return path


def targets_playbook(tmp_path, overall="0.04", nad="0.05"):
    pb = copy_playbook(tmp_path)
    edit_file(pb / "parameters.yaml", "dispute_rate_targets:\n  overall:\n  not_received:\n  not_as_described:\n",
              f"dispute_rate_targets:\n  overall: {overall}  # test\n  not_received:\n  not_as_described: {nad}\n")
    return pb


def run_batch(src, out, *extra):
    assert main(["batch", str(src), "--out", str(out), "--as-of", "2026-11-01", "--no-report", *extra]) == 0
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_the_batch_counts_products_listings_and_weeks_by_each_rows_own_date(shop_csv, tmp_path):
    s = run_batch(shop_csv, tmp_path / "out")
    products = pd.read_csv(tmp_path / "out" / "products.csv", keep_default_na=False)
    assert sorted(map(tuple, products.to_numpy().tolist())) == [
        ("S1", "not_as_described", "color", 1), ("S1", "not_as_described", "size", 5),
        ("S2", "not_as_described", "color", 3), ("S2", "not_as_described", "quality", 2)]
    assert s["listings_to_fix"] == [{"sku": "S1", "product_title": "", "not_as_described": 6, "mismatch": "size",
                                     "share": 0.8333}]
    # --as-of 2026-11-01 fixed the review date; the weeks still come from each row's own date
    assert s["disputes_per_week"] == {"2026-10-19": {"not_as_described": 3, "not_received": 2},
                                      "2026-10-26": {"not_as_described": 8, "not_received": 2}}
    assert s["health"]["with_sku"] == 11 and s["health"]["with_date"] == 15
    assert s["dispute_rates"] is None


def test_the_shared_figures_on_a_hand_made_frame():
    frame = pd.DataFrame({"dispute_type": ["not_as_described"] * 5 + ["damaged"], "sku": ["K"] * 6,
                          "product_title": ["", "Kettle", "", "", "", ""], "platform": ["ebay"] * 6,
                          "mismatch": ["function"] * 4 + ["quality", ""], "week": ["2026-10-05"] * 3 + [""] * 3})
    assert listings_to_fix(frame) == [{"sku": "K", "product_title": "Kettle", "not_as_described": 5,
                                       "mismatch": "function", "share": 0.8}]
    assert per_week(frame) == {"2026-10-05": {"not_as_described": 3}}  # undated rows left out
    assert products_table(frame)["disputes"].tolist() == [1, 4, 1]     # (damaged, ''), (nad, function), (nad, quality)


def test_without_sku_or_dates_the_report_says_so_instead_of_empty_tables(tmp_path):
    src = tmp_path / "plain.csv"
    pd.DataFrame([{"case_id": "P1", "dispute_type": "damaged", "order_value": "10"},
                  {"case_id": "P2", "dispute_type": "not_as_described", "order_value": "12", "mismatch": "size"}]
                 ).to_csv(src, index=False)
    s = run_batch(src, tmp_path / "out")
    assert not (tmp_path / "out" / "products.csv").exists()
    assert s["disputes_per_week"] == {} and s["health"]["with_date"] == 0 and s["health"]["with_sku"] == 0
    text = " ".join(x.data for sec in (hr.products_section(s, hr.products_frame(tmp_path / "out")), hr.listings_section(s),
                                       hr.weeks_section(s), hr.rates_section(s)) for x in sec)
    assert "None of the 2 decided cases has a `sku`" in text
    assert "No not-as-described case names both a `sku` and a `mismatch`" in text
    assert "no `as_of_date` of its own" in text
    assert "No order count given" in text


def test_orders_n_gives_the_rate_per_type_against_the_shops_targets(shop_csv, tmp_path):
    s = run_batch(shop_csv, tmp_path / "out", "--orders", "300", "--playbook", str(targets_playbook(tmp_path)))
    rates = {r["dispute_type"]: r for r in s["dispute_rates"]["by_type"]}
    assert rates["all"]["rate"] == pytest.approx(15 / 300) and rates["all"]["status"] == "above target"  # 5% > 4%
    assert rates["not_as_described"]["rate"] == pytest.approx(11 / 300, abs=1e-6)                       # 3.67%
    assert rates["not_as_described"]["target"] == 0.05 and rates["not_as_described"]["status"] == "within target"
    assert rates["not_received"]["rate"] == pytest.approx(4 / 300, abs=1e-6)
    assert rates["not_received"]["target"] is None and rates["not_received"]["status"] == "no target set"
    assert set(rates) == {"all", "not_as_described", "not_received"}  # types without a dispute are not listed
    shown = hr.rates_table(s["dispute_rates"])
    assert shown.loc[shown["dispute_type"] == "all", ["rate", "target"]].values.tolist() == [["5.00%", "4.00%"]]


def test_an_orders_file_by_week_and_platform(shop_csv, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("week,platform,orders\n2026-10-21,ebay,100\n2026-10-19,amazon,100\n2026-10-26,ebay,200\n")
    r = run_batch(shop_csv, tmp_path / "out", "--orders", str(orders))["dispute_rates"]
    # B1-B5 are Amazon's of 2026-10-26, a cell the file has no count for (its Amazon orders are 2026-10-19's)
    assert r["orders"] == 400 and r["disputes_counted"] == 10 and r["left_out"] == 5
    assert r["by_type"][0]["rate"] == pytest.approx(10 / 400)
    per_platform = {x["platform"]: x["rate"] for x in r["by_platform"] if x["dispute_type"] == "all"}
    assert per_platform == {"amazon": 0, "ebay": pytest.approx(10 / 300, abs=1e-6)}
    per_week = {x["week"]: (x["disputes"], x["orders"]) for x in r["by_week"] if x["dispute_type"] == "all"}
    assert per_week == {"2026-10-19": (5, 200), "2026-10-26": (5, 200)}


def test_disputes_outside_the_orders_files_weeks_are_left_out_and_said(shop_csv, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("week,orders\n2026-10-30,200\n")
    r = run_batch(shop_csv, tmp_path / "out", "--orders", str(orders))["dispute_rates"]
    assert (r["disputes_counted"], r["left_out"], r["by_type"][0]["rate"]) == (10, 5, 0.05)
    assert r["left_out_because"] == ["5 in a week the orders file has no count for"]
    assert r["left_out_by"] == {"outside: week": 5}  # the same as counts, which the report words in its language
    assert r["not_placed"] == 0 and r["by_type"][0]["status"] == "no target set"  # dated: rightly left out


def test_a_dispute_counts_against_the_orders_of_its_own_week_and_platform(shop_csv, tmp_path):
    """Disputes were filtered by week and by platform apart: with eBay's orders of 2026-10-19 and Amazon's
    of 2026-10-26, all 15 disputes counted, the 10 of 2026-10-26 against that week's 100 Amazon orders.
    By hand: 2026-10-19 holds A1-A3, N1, N2 (all eBay: counted); 2026-10-26 holds B1-B5 (Amazon: counted)
    and A4-A6, N3, N4 (eBay: no count in the file, left out). 2026-10-12 has 0 orders: no rate, no verdict."""
    orders = tmp_path / "orders.csv"
    orders.write_text("week,platform,orders\n2026-10-19,ebay,100\n2026-10-26,amazon,100\n2026-10-12,ebay,0\n")
    s = run_batch(shop_csv, tmp_path / "out", "--orders", str(orders), "--playbook", str(targets_playbook(tmp_path)))
    r = s["dispute_rates"]
    assert (r["orders"], r["disputes_counted"], r["left_out"], r["not_placed"]) == (200, 10, 5, 0)
    assert r["left_out_because"] == ["5 in a week and platform the orders file has no count for"]
    per_week = {x["week"]: (x["disputes"], x["orders"], x["status"])
                for x in r["by_week"] if x["dispute_type"] == "all"}
    assert per_week == {"2026-10-12": (0, 0, "cannot tell"), "2026-10-19": (5, 100, "above target"),
                        "2026-10-26": (5, 100, "above target")}
    per_platform = {x["platform"]: (x["disputes"], x["orders"]) for x in r["by_platform"] if x["dispute_type"] == "all"}
    assert per_platform == {"amazon": (5, 100), "ebay": (5, 100)}
    text = " ".join(getattr(x, "data", "") for x in hr.rates_section(s))
    assert "Left out: 5 in a week and platform the orders file has no count for." in text


def undated(frame, *prefixes):
    """shop_cases with no as_of_date of their own in the cases whose id starts with one of `prefixes`."""
    return frame.assign(as_of_date=frame["as_of_date"].where(~frame["case_id"].str.startswith(prefixes), ""))


def test_disputes_without_a_date_make_the_rate_a_lower_bound_never_within_target(tmp_path):
    """N1-N4 have no date: they may belong to the weeks counted, so the 11 placed disputes are a lower
    bound. All types: at least 11 / 300 = 3.67%, under the 4% target, yet 4 more may count: no verdict
    (it said "within target"). Not as described: all 11 placed, 3.67% within 5%. Not received: none
    placed, 4 not: unknown."""
    undated(shop_cases(), "N").to_csv(tmp_path / "cases.csv", index=False)
    orders = tmp_path / "orders.csv"
    orders.write_text("week,orders\n2026-10-19,100\n2026-10-26,200\n")
    s = run_batch(tmp_path / "cases.csv", tmp_path / "out", "--orders", str(orders), "--playbook",
                  str(targets_playbook(tmp_path)))
    r = s["dispute_rates"]
    assert (r["disputes_counted"], r["not_placed"], r["left_out_by"]) == (11, 4, {"not placed: no date": 4})
    assert [(x["dispute_type"], x["disputes"], x["not_placed"], x["rate"], x["rate_at_least"], x["status"])
            for x in r["by_type"]] == [("all", 11, 4, None, round(11 / 300, 6), "cannot tell"),
                                       ("not_received", 0, 4, None, None, "no target set"),
                                       ("not_as_described", 11, 0, round(11 / 300, 6), None, "within target")]
    shown = hr.rates_table(r)
    assert shown["rate"].tolist() == ["at least 3.67%", "unknown", "3.67%"]


@pytest.mark.parametrize("lang, lines", [
    ("en", ["  dispute rate, all types: unknown — 0 disputes placed against 300 orders, but 15 more could not be "
            "placed and may belong to them (target 4.00%: cannot tell)",
            "  left out of the dispute rates: 15 disputes — 15 without a review date of their own, so their week is "
            "unknown"]),
    ("zh", ["  纠纷率，全部类型：未知——300 个订单中已归入 0 起纠纷，另有 15 起无法归入、可能也属于这些订单（目标 4.00%：无法判断）",
            "  未计入纠纷率：15 起纠纷——15 个案例没有自己的处理日期，因此不知道属于哪一周"]),
])
def test_when_no_dispute_has_a_date_the_rate_is_unknown(tmp_path, capsys, lang, lines):
    """Every dispute undated printed "0 of 7,000 orders = 0.00% (target 3.00%: within target)"."""
    undated(shop_cases(), "A", "B", "N").to_csv(tmp_path / "cases.csv", index=False)
    orders = tmp_path / "orders.csv"
    orders.write_text("week,orders\n2026-10-19,100\n2026-10-26,200\n")
    assert main(["backtest", str(tmp_path / "cases.csv"), "--out", str(tmp_path / "o"), "--no-report", "--as-of",
                 "2026-11-01", "--orders", str(orders), "--playbook", str(targets_playbook(tmp_path)),
                 "--lang", lang]) == 0
    rates = [line for line in capsys.readouterr().out.splitlines() if "dispute rate" in line or "纠纷率" in line]
    assert [rates[0], rates[-1]] == lines


@pytest.mark.parametrize("content, words", [
    ("week,orders\n2026-10-05,12.5\n", "line 2, column orders: '12.5' is not a whole number"),
    ("week,orders\n2026-10-05,10\nlast week,3\n", "line 3, column week: 'last week' is not a date"),
    ("platform,orders\nwish,3\n", "line 2, column platform: 'wish' is not one of"),
    ("count\n3\n", "has no `orders` column (it has: count)"),
    # a title line and a blank line above the header count as the file's lines
    ("Orders export\n\nweek,orders\n2026-10-05,10\n2026-10-12,lots\n", "line 5, column orders: 'lots' is not"),
])
def test_a_bad_orders_file_exits_2_naming_line_and_column(tmp_path, capsys, shop_csv, content, words):
    orders = tmp_path / "orders.csv"
    orders.write_text(content)
    assert main(["batch", str(shop_csv), "--out", str(tmp_path / "out"), "--orders", str(orders)]) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "out" / "summary.json").exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_orders_export_with_a_title_line_above_its_header_is_read(tmp_path, kind):
    """An orders workbook with a title row was refused: "has no orders column (it has: orders export,
    unnamed: 1, unnamed: 2)", though a case file with one is read."""
    from openpyxl import Workbook
    from helpers.batch.orders import load_orders
    rows = [["Orders export, October"], ["week", "platform", "orders"], ["2026-10-12", "ebay", 1500],
            ["2026-10-19", "amazon", 1000]]
    path = tmp_path / f"orders.{kind}"
    if kind == "xlsx":
        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
    else:
        path.write_text("\n".join(",".join(f'"{c}"' if "," in str(c) else str(c) for c in r) for r in rows) + "\n")
    counts = load_orders(str(path)).counts
    assert sorted(zip(counts["week"], counts["platform"], counts["orders"])) == [
        ("2026-10-12", "ebay", 1500), ("2026-10-19", "amazon", 1000)]


def test_orders_with_the_dask_engine_is_refused(tmp_path, capsys, shop_csv):
    assert main(["batch", str(shop_csv), "--out", str(tmp_path / "o"), "--engine", "dask", "--orders", "5"]) == 2
    assert "--orders works with --engine pandas only" in capsys.readouterr().err


def test_the_backtest_gives_the_same_rates(shop_csv, tmp_path):
    s = run_backtest(BacktestOptions(str(shop_csv), str(tmp_path / "bt"), orders="300",
                                     playbook=str(targets_playbook(tmp_path))))
    assert [(r["dispute_type"], r["disputes"], r["status"]) for r in s["dispute_rates"]["by_type"]] == [
        ("all", 15, "above target"), ("not_received", 4, "no target set"), ("not_as_described", 11, "within target")]
    assert s["listings_to_fix"][0]["sku"] == "S1"


@pytest.mark.parametrize("value, words", [("1.5", "must be a share between 0 and 1"), ("yes", "must be a share")])
def test_a_bad_target_is_a_playbook_error(tmp_path, value, words):
    pb = targets_playbook(tmp_path, overall=value)
    with pytest.raises(PlaybookError) as err:
        load_playbook(pb)
    assert words in str(err.value) and "parameters.yaml" in str(err.value)


def test_the_bundled_targets_are_empty_until_the_shop_sets_them():
    assert set(load_playbook().dispute_rate_targets.values()) == {None}


@pytest.mark.slow
def test_the_batch_report_shows_the_listing_weeks_and_rates(shop_csv, tmp_path):
    out = tmp_path / "out"
    assert main(["batch", str(shop_csv), "--out", str(out), "--as-of", "2026-11-01", "--orders", "300",
                 "--playbook", str(targets_playbook(tmp_path))]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    for section in hr.SECTIONS:
        assert section in text
    assert "11 of 15 decided cases name a SKU (2 SKUs)" in text
    assert "<td>S1</td>" in text and "0.8333" in text              # the listing to fix
    assert "5.00%" in text and "above target" in text                # 15 / 300 against 4%
    assert text.count("data:image/png;base64") >= 2                  # weekly chart among the charts


def test_the_backtest_command_prints_the_rates(shop_csv, tmp_path, capsys):
    assert main(["backtest", str(shop_csv), "--out", str(tmp_path / "bt"), "--orders", "300", "--no-report",
                 "--playbook", str(targets_playbook(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "dispute rate, all types: 15 of 300 orders = 5.00% (target 4.00%: above target)" in out
    assert "dispute rate, Not received: 4 of 300 orders = 1.33% (no target set)" in out  # labels, not codes


def test_weeks_start_on_monday_and_unknown_days_stay_blank():
    import datetime as dt

    import numpy as np

    from helpers.batch.weeks import iso_dates, week_of
    days = np.array([dt.date(2026, 11, 1).toordinal(), np.nan, dt.date(2024, 2, 29).toordinal(),
                     dt.date(2026, 10, 26).toordinal(), dt.date(2026, 11, 1).toordinal()])
    assert list(iso_dates(days)) == ["2026-11-01", "", "2024-02-29", "2026-10-26", "2026-11-01"]
    # 1 Nov 2026 is a Sunday, 29 Feb 2024 a Thursday, 26 Oct 2026 a Monday
    assert list(week_of(days)) == ["2026-10-26", "", "2024-02-26", "2026-10-26", "2026-10-26"]
    assert list(iso_dates(np.array([np.nan, np.nan]))) == ["", ""]


def test_the_batchs_coded_columns_give_the_hand_made_frames_figures():
    """The batch builds the health columns as categoricals from engine codes (no text per row); the
    figures and their order are those of the same cases as text (the hand-made frame above)."""
    import datetime as dt

    import numpy as np

    from helpers.batch.health import health_frame, labels
    from helpers.core.fields import FIELD_BY_NAME

    def codes(name, values):
        return np.array([np.nan if v == "" else float(FIELD_BY_NAME[name].choices.index(v)) for v in values])

    monday, nan = float(dt.date(2026, 10, 7).toordinal()), np.nan  # a Wednesday: its week starts 2026-10-05
    cols = {"dispute_type": codes("dispute_type", ["not_as_described"] * 5 + ["damaged"]),
            "platform": codes("platform", ["ebay"] * 6), "sku": np.array(["K"] * 6, dtype=object),
            "product_title": np.array(["", "Kettle", "", "", "", ""], dtype=object),
            "mismatch": codes("mismatch", ["function"] * 4 + ["quality", ""])}
    frame = health_frame(cols, np.array([monday] * 3 + [nan] * 3))
    assert listings_to_fix(frame) == [{"sku": "K", "product_title": "Kettle", "not_as_described": 5,
                                       "mismatch": "function", "share": 0.8}]
    assert per_week(frame) == {"2026-10-05": {"not_as_described": 3}}
    table = products_table(frame)
    assert table["disputes"].tolist() == [1, 4, 1]  # (damaged, ''), (nad, function), (nad, quality): the texts' order
    assert table["mismatch"].astype(str).tolist() == ["", "function", "quality"]
    assert list(labels("mismatch", cols["mismatch"])) == ["function"] * 4 + ["quality", ""]


def test_the_backtest_command_speaks_the_run_language(shop_csv, tmp_path, capsys):
    assert main(["backtest", str(shop_csv), "--out", str(tmp_path / "bt"), "--orders", "300", "--no-report",
                 "--playbook", str(targets_playbook(tmp_path)), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "纠纷率，全部类型：300 个订单中 15 起 = 5.00%（目标 4.00%：高于目标）" in out
    assert "纠纷率，订单未达：300 个订单中 4 起 = 1.33%（未设目标）" in out
    assert out.splitlines()[0].startswith("15 行：15 个已决定，0 个被拒绝；")
    assert f"已将 backtest.csv、errors.csv、products.csv、summary.json 写入 {tmp_path / 'bt'}" in out
    assert "not_received" not in out and "dispute rate" not in out
