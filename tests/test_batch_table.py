"""The batch's vectorised table equals build()'s recommendations, cell for cell (messages
included), and the engine's pruned lever search equals trying every lever on every row."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.batch.read import validate_frame
from helpers.batch.table import recommendation_table, reference_table
from helpers.core.costs import money
from helpers.core.case import parse_case, to_columns
from helpers.core.engine import decide, match
from helpers.core.fields import FIELD_BY_NAME
from helpers.core.levers import LEVERS, apply
from helpers.batch.samples import generate_frame

from support import AS_OF

ODD_TEXT = ["=HYPERLINK(\"http://x\")", "{{ 7*7 }}", "a\x01b\tc", "Ωμέγα " * 12, "  ", "李娜\u3000", "+1-2", "@x", "x" * 90]


def _cases(n, seed):
    frame = generate_frame(n, seed=seed).astype(object)
    rng = np.random.default_rng(seed)
    for name in ("buyer_name", "shop_name", "order_id", "tracking_number", "carrier"):
        hit = rng.random(n) < 0.2
        frame.loc[hit, name] = rng.choice(np.array(ODD_TEXT, dtype=object), hit.sum())
    frame.loc[rng.random(n) < 0.1, "order_value"] = 12.345  # not a whole cent: Python's rounding must hold
    frame.loc[rng.random(n) < 0.05, "order_value"] = 2.675
    frame.loc[rng.random(n) < 0.2, "buyer_language"] = "ja"
    return frame


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("unique_max", [None, 0], ids=["distinct-values", "vectorised"])
def test_table_equals_build_for_generated_cases(playbook, lang, unique_max):
    """unique_max=0: ids, order ids and tracking numbers take the path of a large file (Arrow-backed
    values, the odd cells parsed one by one), as they do beyond UNIQUE_PATH_MAX rows."""
    frame = _cases(2500, seed=21 if lang == "en" else 22)
    v = validate_frame(frame, as_of=AS_OF, unique_max=unique_max)
    rows = np.flatnonzero(v.valid)
    assert len(rows) > 2000
    cols = {k: a[rows] for k, a in v.cols.items()}
    table = recommendation_table(playbook, cols, decide(playbook, cols), lang)
    cases = [parse_case({k: x for k, x in r.items() if k in FIELD_BY_NAME}, as_of=AS_OF)
             for r in frame.iloc[rows].to_dict("records")]
    expected = reference_table(playbook, cases, decide(playbook, to_columns(cases)), lang)
    assert list(table.columns) == list(expected.columns)
    for name in table.columns:
        got, want = table[name].to_numpy(dtype=object), expected[name].to_numpy(dtype=object)
        if name in ("order_value", "refund_amount", "est_cost"):
            np.testing.assert_array_equal(got.astype(float), want.astype(float), err_msg=name)
        else:
            bad = [i for i in range(len(got)) if got[i] != want[i]]
            assert not bad, (name, got[bad[0]], want[bad[0]])
    assert (table["message"].str.len() > 0).all()
    assert table["what_would_change"].astype(str).str.len().gt(0).any()


def test_table_without_messages_leaves_them_empty(playbook):
    v = validate_frame(generate_frame(200, seed=3), as_of=AS_OF)
    table = recommendation_table(playbook, v.cols, decide(playbook, v.cols), render=False)
    assert set(table["message"].astype(str)) == {""} and set(table["message_language"].astype(str)) == {""}


def test_money_rounds_as_python_does():
    x = np.array([2.675, 1.005, 12.345, 0.125, 1e15 + 0.3, np.nan, 3.0, -1.115])
    expected = [round(float(v), 2) if v == v else np.nan for v in x]  # Python float, as recommend._money
    np.testing.assert_array_equal(money(x), np.array(expected))


def _levers_the_slow_way(pb, cols):
    """The lever search as first written: every lever over every row, in LEVERS order."""
    rules = list(pb.all_rules())
    chosen, _ = match(pb, cols)
    now = np.array([rules[i].resolution for i in chosen], dtype=object)
    lever = np.full(len(chosen), -1)
    lever_rule = np.full(len(chosen), -1)
    for k, lv in enumerate(LEVERS):
        todo = lever < 0
        pulled, changed = apply(lv, cols)
        new_rule, _ = match(pb, pulled)
        new = np.array([rules[i].resolution for i in new_rule], dtype=object)
        hit = todo & changed & (new != now)
        lever[hit], lever_rule[hit] = k, new_rule[hit]
    return lever, lever_rule


def test_pruned_lever_search_equals_trying_every_lever(playbook):
    v = validate_frame(generate_frame(4000, seed=31), as_of=AS_OF)
    d = decide(playbook, v.cols)
    lever, lever_rule = _levers_the_slow_way(playbook, v.cols)
    np.testing.assert_array_equal(d.lever, lever)
    np.testing.assert_array_equal(d.lever_rule, lever_rule)
    assert (lever >= 0).mean() > 0.3


def test_lazy_alternatives_over_a_table_are_the_hand_computed_numbers(playbook):
    """Alternatives computed for whole columns at once, against the costs worked out by hand
    (tests/test_core_units.py BY_HAND), with a row of unknown costs between known ones."""
    import pandas as pd

    from test_core_units import BY_HAND, CASE
    unknown = {**CASE, "case_id": "K9", "return_shipping_cost": None, "item_resellable": None}
    frame = pd.DataFrame([CASE, unknown, {**CASE, "case_id": "K3"}]).astype(object)
    v = validate_frame(frame.where(frame.notna(), ""), as_of=None)
    assert v.valid.all()
    d = decide(playbook, v.cols)
    for res, (refund, cost) in BY_HAND.items():
        if res == "partial_refund":  # chosen here with its rule's share; the option is the goodwill share
            refund, cost = 12.0, 16.8
        got_refund, got_cost = d.alternatives[res]
        assert got_refund[[0, 2]].tolist() == [refund, refund] and got_cost[[0, 2]].tolist() == [cost, cost], res
    assert np.isnan(d.alternatives["return_refund"][1][1]) and d.alternatives["return_refund"][0][1] == 40.0
    assert d.alternatives["reship"][1][1] == 16.6




def test_amounts_in_messages_at_the_edges_of_the_table_of_cent_texts():
    """Amounts under 1,000 in whole cents come from a table of texts; the ones around its edges,
    and those written the long way, read as a buyer of each language writes them."""
    import pyarrow as pa
    from helpers.batch.table import _amounts, _money_affixes
    from helpers.core.money import money_text
    values = [0.0, 0.01, 0.5, 9.99, 10.0, 999.99, 1000.0, 1278.82, 12.345, -3.0, 300.0, 999.0]
    currencies = ["USD"] * 9 + ["USD", "JPY", "JPY"]
    unit = np.array([0.01] * 10 + [1.0, 1.0])
    languages = ["en", "es", "fr"]
    written = {}
    for k, language in enumerate(languages):
        code = np.full(len(values), k)
        currency = pa.array(currencies, type=pa.large_string())
        got = _amounts(np.array(values), currency, unit, code, languages, frozenset({"JPY"}),
                       _money_affixes(currency, code, languages)).to_pylist()
        assert got == [money_text(v, c, frozenset({"JPY"}), language) for v, c in zip(values, currencies)]
        written[language] = got
    assert written["en"] == ["US$0.00", "US$0.01", "US$0.50", "US$9.99", "US$10.00", "US$999.99", "US$1,000.00",
                             "US$1,278.82", "US$12.35", "US$-3.00", "JP¥300", "JP¥999"]
    assert [t.replace("\xa0", " ") for t in written["es"][:7]] == ["0,00 US$", "0,01 US$", "0,50 US$", "9,99 US$",
                                                                   "10,00 US$", "999,99 US$", "1.000,00 US$"]
