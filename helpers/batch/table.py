"""The recommendations table for many cases at once, equal cell for cell to `recommend.build()`.

`build()` makes one Recommendation per case in Python; a million of them cost seconds. Here every
column is made per rule, per combination (missing evidence, flags, levers) or per message group
(template, language, platform) and spread over the rows, and each buyer message is the compiled
template's literal parts joined with the rows' values by Arrow. Tests hold this table equal to
`build()`'s on thousands of generated cases, messages included.
"""
from __future__ import annotations

import functools

import numpy as np

from ..core.costs import UNIT, money
from ..core.money import amount_text, money_affixes, number_symbols
from ..core.fields import DISPUTE_TYPES, FIELD_BY_NAME, PLATFORMS
from ..core.levers import LEVERS
from ..playbook.messages import ROW_VALUES, choose_language, clean_value, compile_templates, fit
from ..advice.recommend import UI_LANGUAGES, change_text, localised

COLUMNS = ("case_id", "dispute_type", "platform", "currency", "order_value", "buyer_country", "resolution",
           "refund_amount", "est_cost", "rule_id", "rationale", "actions", "missing_evidence", "risk_flags",
           "what_would_change", "template_id", "message_language", "message")


def _labelled(codes: np.ndarray, labels: list):
    """A categorical column: rows hold codes into `labels` (-1: empty); no string per row is made."""
    import pandas as pd
    names = list(dict.fromkeys(labels))
    remap = np.array([names.index(x) for x in labels] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=names) if len(names) else \
        pd.Categorical.from_codes(np.full(len(codes), -1), categories=["-"])


def _spread(keys: np.ndarray, make):
    """make(key) for every distinct key, as a categorical column over the rows."""
    import pandas as pd
    codes, uniques = pd.factorize(keys)
    return _labelled(codes, [make(k) for k in uniques.tolist()])


def _bits(matrix: np.ndarray) -> np.ndarray:
    if matrix.shape[1] == 0:
        return np.zeros(matrix.shape[0], dtype=np.int64)
    return matrix.astype(np.int64) @ (1 << np.arange(matrix.shape[1], dtype=np.int64))


def _encoded(field: str, value) -> float:
    """A contract value as the engine's float columns hold it (enum: its index; bool: 1/0)."""
    f = FIELD_BY_NAME[field]
    return float(f.choices.index(value)) if f.kind == "enum" else float(value)


def _fits(only_when: dict, cols: dict, n: int) -> np.ndarray:
    """Rows meeting an action's `only_when: {field: [values]}` (None: unknown), as recommend's
    per-case check does: every listed field holds one of its values."""
    ok = np.ones(n, dtype=bool)
    for field, values in only_when.items():
        x = np.asarray(cols[field], dtype=np.float64)
        allowed = np.zeros(n, dtype=bool)
        for v in values:
            allowed |= np.isnan(x) if v is None else (x == _encoded(field, v))
        ok &= allowed
    return ok


def _actions(pb, rules, rule_idx: np.ndarray, cols: dict, lang: str):
    """Each row's next steps: its rule's actions less those whose `only_when` the case does not
    meet; made once per (rule, which conditional steps fit)."""
    conditional = sorted({a for r in rules for a in r.actions if pb.actions[a].get("only_when")})
    n = len(rule_idx)
    fit_bits = np.zeros(n, dtype=np.int64)
    for j, a in enumerate(conditional):
        fit_bits |= _fits(pb.actions[a]["only_when"], cols, n).astype(np.int64) << j
    width = 1 << len(conditional)

    def text(key):
        r, bits = divmod(key, width)
        return "; ".join(localised(pb, pb.actions[a], lang) for a in rules[r].actions
                         if a not in conditional or bits >> conditional.index(a) & 1)
    return _spread(rule_idx.astype(np.int64) * width + fit_bits, text)


def _joined(ids, key):
    return "; ".join(i for j, i in enumerate(ids) if key >> j & 1)


EXACT_BELOW = 1000  # amounts under this that are whole cents are written from a table (below)


@functools.lru_cache(maxsize=16)
def _cent_texts(mark: str):
    """The text of every whole-cent amount under EXACT_BELOW with this decimal mark ("0.00" … "999.99"),
    indexed by the amount in cents: a chunk's amounts are then one `take`. Making each text per row
    (integer to text, padding, joining, a decimal mark per language) cost 60 ms per 200,000 rows."""
    import pyarrow as pa
    import pyarrow.compute as pc
    c = np.arange(EXACT_BELOW * 100)
    whole = pc.cast(pa.array(c // 100), pa.large_string())
    frac = pc.utf8_lpad(pc.cast(pa.array(c % 100), pa.large_string()), 2, "0")
    return pc.binary_join_element_wise(whole, frac, pa.scalar(mark, pa.large_string()))


@functools.lru_cache(maxsize=16)
def _amount_pool(marks: tuple):
    """The cent texts of each decimal mark in `marks`, then the whole amounts: one array a chunk takes from."""
    import pyarrow as pa
    return pa.concat_arrays([_cent_texts(m) for m in marks] + [_whole_texts()])


@functools.lru_cache(maxsize=1)
def _whole_texts():
    """"0" … "999": a whole amount under EXACT_BELOW of a currency written without cents."""
    import pyarrow as pa
    import pyarrow.compute as pc
    return pc.cast(pa.array(np.arange(EXACT_BELOW)), pa.large_string())


def _amounts(x: np.ndarray, currency, unit: np.ndarray, lang_code: np.ndarray, languages: list, whole_units, affixes):
    """money_text(x, currency, language) per row in its message's language (two decimals; a
    whole amount of a currency without cents, `unit` 1, without them): amounts under 1,000 that are
    whole cents by integer arithmetic, taken from the texts of every such amount with the language's
    decimal mark (_cent_texts), the rest by amount_text."""
    import pyarrow as pa
    import pyarrow.compute as pc
    with np.errstate(invalid="ignore"):
        cents = np.rint(x * 100)
        exact = (cents / 100 == x) & (np.abs(x) < EXACT_BELOW) & (x >= 0)
    c = np.where(exact, cents, 0).astype(np.int64)
    mark_of = [number_symbols(language)[0] for language in languages]
    marks = tuple(dict.fromkeys(mark_of))
    pool = _amount_pool(marks)
    section = np.array([marks.index(m) for m in mark_of], dtype=np.int64)
    where = section[lang_code] * (EXACT_BELOW * 100) + c
    no_cents = exact & (unit == 1.0) & (c % 100 == 0)
    if no_cents.any():
        where[no_cents] = len(marks) * (EXACT_BELOW * 100) + c[no_cents] // 100
    text = pool.take(pa.array(where))
    rest = np.flatnonzero(~exact)
    if len(rest):
        codes = currency.take(pa.array(rest)).to_pylist()
        text = _replace(text, rest, [amount_text(v, code, whole_units, language=languages[k])
                                     for v, code, k in zip(x[rest].tolist(), codes, lang_code[rest].tolist())])
    prefix, suffix = affixes
    return pc.binary_join_element_wise(prefix, text, suffix, _NOTHING())


def _money_affixes(currency, lang_code: np.ndarray, languages: list):
    """Per row, (text before, text after) an amount: the currency's symbol as the row's message
    language writes it, one pair per (language, currency) the chunk has."""
    import pyarrow as pa
    import pyarrow.compute as pc
    cur = pc.dictionary_encode(currency)
    cur = cur.combine_chunks() if isinstance(cur, pa.ChunkedArray) else cur
    codes = cur.dictionary.to_pylist()
    pairs = [money_affixes(code, language) for language in languages for code in codes]
    key = pa.array(lang_code.astype(np.int64) * len(codes) + cur.indices.to_numpy(zero_copy_only=False))
    return (pa.array([p for p, _ in pairs], type=pa.large_string()).take(key),
            pa.array([s for _, s in pairs], type=pa.large_string()).take(key))


def _replace(arr, rows, texts):
    """An Arrow string array with the given rows replaced (a few rows; the rest stays in Arrow)."""
    import pyarrow as pa
    values = arr.to_pylist() if len(rows) * 8 > len(arr) else None
    if values is not None:
        for i, t in zip(rows, texts):
            values[i] = t
        return pa.array(values, type=pa.large_string())
    mask = np.zeros(len(arr), dtype=bool)
    mask[rows] = True
    fill = np.empty(len(arr), dtype=object)
    fill[rows] = texts
    import pyarrow.compute as pc
    return pc.if_else(pa.array(mask), pa.array(fill, type=pa.large_string(), from_pandas=True), arr)


def _bytes_of(arr):
    """(the large-string array, its offsets as int64 numpy, its data bytes as uint8 numpy or None)."""
    import pyarrow as pa
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    from ..iorw.textcols import string_buffers
    arr = arr.cast(pa.large_string())
    return (arr, *string_buffers(arr))


def _longer_than(arr, offs, limit) -> np.ndarray:
    """Rows of more than `limit` characters (a scalar or one per row): only rows of more than `limit`
    bytes can be, and only those are counted in characters."""
    import pyarrow as pa
    import pyarrow.compute as pc
    limit = np.broadcast_to(limit, len(offs) - 1)
    rows = np.flatnonzero(np.diff(offs) > limit)
    if len(rows):
        chars = pc.fill_null(pc.utf8_length(arr.take(pa.array(rows))), 0).to_numpy(zero_copy_only=False)
        rows = rows[chars > limit[rows]]
    return rows


def _clean(arr, name: str):
    """messages.clean_value for every row; only values with control characters or too long need Python.
    Both are found in the array's bytes (a UTF-8 byte below 0x20, or 0x7f, is always that character)."""
    arr, offs, data = _bytes_of(arr)
    rows = _longer_than(arr, offs, ROW_VALUES[name])
    if data is not None and offs[-1] > offs[0]:
        control = np.flatnonzero((data[offs[0]:offs[-1]] < 0x20) | (data[offs[0]:offs[-1]] == 0x7F)) + offs[0]
        if len(control):
            rows = np.union1d(rows, np.searchsorted(offs, control, side="right") - 1)
    if not len(rows):
        return arr
    return _replace(arr, rows, [clean_value(v, name) for v in arr.take(rows).to_pylist()])


def _text_array(values):
    """An engine text column as one Arrow large-string array (an Arrow-backed column without a copy
    of its texts; an object array converted)."""
    import pyarrow as pa
    if hasattr(values, "__arrow_array__"):
        arr = pa.array(values)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        return arr.cast(pa.large_string())
    return pa.array(np.asarray(values, dtype=object), type=pa.large_string())


def _text_series(values):
    """An engine text column as a results column: Arrow-backed stays so, an object array stays objects
    (the writer converts either once)."""
    import pandas as pd
    if hasattr(values, "__arrow_array__"):
        return pd.Series(values, copy=False)
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _row_values(pb, cols, refund, lang_code, languages):
    """Per message value, an Arrow array over the rows (messages.row_values for every row); `cols`
    hold the currency's smallest unit (the engine's UNIT, in the decision's facts)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    currency = _text_array(cols["currency"])
    affixes = _money_affixes(currency, lang_code, languages)  # the same for both amounts
    values = {name: _clean(_amounts(amount, currency, cols[UNIT], lang_code, languages, pb.whole_units, affixes), name)
              for name, amount in (("refund_amount", refund), ("order_value", cols["order_value"]))}
    for name in ROW_VALUES:
        if name in values:
            continue
        raw = _text_array(cols[name])
        empty = pc.equal(raw, "")
        if pc.any(empty).as_py():
            defaults = pa.array([clean_value((pb.languages.get(lg) or pb.languages.get("en") or {})
                                             .get("defaults", {}).get(name, ""), name) for lg in languages],
                                type=pa.large_string())
            raw = pc.if_else(empty, defaults.take(pa.array(lang_code)), raw)
            # defaults are clean already; a default can never need cleaning twice (idempotent)
        values[name] = _clean(raw, name)
    return values


def _messages(pb, cols, d, refund, rule_idx, platform_code):
    """(message, message_language) per row, grouped by (rule, platform, buyer language, whether a tracking
    number and a delivery date are on file)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    n = len(rule_idx)
    lang_codes, lang_names = pd.factorize(np.asarray(cols["buyer_language"], dtype=object))
    # the language depends on the template, not the rule: a few dozen templates serve a hundred rules
    templates = list(dict.fromkeys(r.template for r in d.rules))
    template_code = np.array([templates.index(r.template) for r in d.rules] + [0], dtype=np.int64)[rule_idx]
    key = (template_code * len(PLATFORMS) + platform_code) * (len(lang_names) + 1) + lang_codes
    codes, uniques = pd.factorize(key)
    language = []
    for u in uniques.tolist():
        rest, lg = divmod(u, len(lang_names) + 1)
        t, p = divmod(rest, len(PLATFORMS))
        language.append(choose_language(pb, PLATFORMS[p], lang_names[lg], templates[t])[0])
    languages = sorted(set(language))
    out_lang = np.array([languages.index(lg) for lg in language] + [0], dtype=np.int64)[codes]
    values = _row_values(pb, {**cols, UNIT: d.facts[UNIT]}, refund, out_lang, languages)
    # templates may branch on these two: a tracking number, a delivery date on file
    known = (d.facts["has_tracking_number"] == 1.0).astype(np.int64) * 2 + (~np.isnan(cols["delivery_date"])).astype(np.int64)
    group = ((rule_idx * len(PLATFORMS) + platform_code) * len(languages) + out_lang) * 4 + known
    gcodes, guniques = pd.factorize(group)
    table_of = {id(r): dt for dt in DISPUTE_TYPES for r in pb.tables[dt].rules}
    groups, limits = [], []
    for u in guniques.tolist():
        rest, known_here = divmod(u, 4)
        rest, lg = divmod(rest, len(languages))
        r, p = divmod(rest, len(PLATFORMS))
        rule, platform = d.rules[r], PLATFORMS[p]
        groups.append((rule.template, languages[lg], platform, rule.resolution, table_of[id(rule)],
                       bool(known_here & 2), bool(known_here & 1)))
        limits.append(int(pb.platforms.get(platform, {}).get("message_max_chars") or 0))
    compiled = compile_templates(pb, groups)
    message = _join_parts(compiled, gcodes, values, n)
    # the platform's length limit (validate proves templates fit; this is the backstop): a few rows at most
    limit = np.array([lim or np.iinfo(np.int64).max for lim in limits] + [0], dtype=np.int64)[gcodes]
    message, offs, _ = _bytes_of(message)
    long = _longer_than(message, offs, limit)
    if len(long):
        message = _replace(message, long, [fit(t, int(limit[i])) for t, i in
                                           zip(message.take(pa.array(long)).to_pylist(), long)])
    return message, _labelled(out_lang, languages)


def _join_parts(compiled: list, gcodes, values: dict, n: int):
    """Each row's message: its group's literal texts and its own values, in order, made by one Arrow
    `take` from a pool of texts.

    The pool holds every group's literal parts, then each value column whole. Row i's parts are the
    pool entries idx[i, 0..width-1] (a literal's entry, or a value column's start plus i; a group
    with fewer parts adds the empty text), so taking idx row by row lays every message's parts out
    next to each other: the messages are the taken texts' bytes read at every width-th offset, with
    no copy. One pass over the messages' bytes; joining them part by part (a take per literal part,
    then a join) made them twice: 0.66-0.83 s against 0.47-0.64 s per 1M rows."""
    import pyarrow as pa
    if not compiled:
        return pa.array([""] * n, type=pa.large_string())
    names = list(values)
    columns = [(v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v).cast(pa.large_string())
               for v in values.values()]
    width = max(len(c.parts) for c in compiled)
    literals = [""]  # entry 0: what a shorter group adds
    value_base = 1 + sum((len(c.parts) + 1) // 2 for c in compiled)  # the value columns start here
    start = np.zeros((len(compiled), width), dtype=np.int64)  # each part's pool entry (for row 0)
    is_value = np.zeros((len(compiled), width), dtype=np.int64)
    for g, c in enumerate(compiled):
        for j, part in enumerate(c.parts):
            if j % 2 == 0:
                start[g, j] = len(literals)
                literals.append(part)
            else:
                start[g, j] = value_base + n * names.index(part)
                is_value[g, j] = 1
    pool = pa.concat_arrays([pa.array(literals, type=pa.large_string()), *columns])
    idx = start[gcodes]
    idx += is_value[gcodes] * np.arange(n, dtype=np.int64)[:, None]
    pieces = pool.take(pa.array(idx.ravel()))
    offsets = np.frombuffer(pieces.buffers()[1], dtype=np.int64)[pieces.offset:pieces.offset + len(pieces) + 1]
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(np.ascontiguousarray(offsets[::width])), pieces.buffers()[2])


def recommendation_table(pb, cols: dict, d, lang: str = "en", render: bool = True):
    """The recommendations of `decide(pb, cols)` as a table of COLUMNS (build() row for row)."""
    import pandas as pd
    lang = lang if lang in UI_LANGUAGES else "en"
    n = len(d.rule)
    rules = d.rules
    rule_idx = d.rule.astype(np.int64)

    def per_rule(fn):
        return _labelled(rule_idx, [fn(r) for r in rules])

    resolution = per_rule(lambda r: r.resolution)
    refund = money(d.refund)
    change_key = (d.lever + 1) * (len(rules) + 1) + (d.lever_rule + 1)
    change_key = change_key * (len(rules) + 1) + rule_idx

    def change(key):
        rest, here = divmod(key, len(rules) + 1)
        k, other = divmod(rest, len(rules) + 1)
        if k == 0:
            return ""
        return change_text(pb, LEVERS[k - 1], rules[other - 1].resolution, rules[here].resolution, lang)

    platform_code = cols["platform"].astype(np.int64)
    if render and n:
        message, message_language = _messages(pb, cols, d, refund, rule_idx, platform_code)
        message = pd.arrays.ArrowStringArray(message) if hasattr(pd.arrays, "ArrowStringArray") else message
    else:
        message = message_language = _labelled(np.zeros(n, dtype=np.int64), [""])
    table = {
        "case_id": _text_series(cols["case_id"]),
        "dispute_type": _labelled(cols["dispute_type"].astype(np.int64), list(DISPUTE_TYPES)),
        "platform": _labelled(platform_code, list(PLATFORMS)),
        "currency": _text_series(cols["currency"]),
        "order_value": cols["order_value"],
        "buyer_country": _text_series(cols["buyer_country"]),
        "resolution": resolution,
        "refund_amount": refund,
        "est_cost": money(d.est_cost),
        "rule_id": per_rule(lambda r: r.id),
        "rationale": per_rule(lambda r: localised(pb, r.rationale, lang)),
        "actions": _actions(pb, rules, rule_idx, cols, lang),
        "missing_evidence": _spread(_bits(d.missing), lambda k: _joined(d.evidence_ids, k)),
        "risk_flags": _spread(_bits(d.flags), lambda k: _joined(d.flag_ids, k)),
        "what_would_change": _spread(change_key, change),
        "template_id": per_rule(lambda r: r.template),
        "message_language": message_language,
        "message": message,
    }
    return pd.DataFrame(table, columns=list(COLUMNS))


def reference_table(pb, cases: list, d, lang: str = "en", render: bool = True):
    """The same table made the slow way, through build(): what the tests compare against."""
    import pandas as pd
    from ..advice.recommend import build
    rows = []
    for case, rec in zip(cases, build(pb, cases, d, lang, render)):
        row = rec.to_dict()
        row = {k: row.get(k) for k in COLUMNS}
        row["order_value"], row["buyer_country"] = case["order_value"], case["buyer_country"] or ""
        for k in ("actions", "missing_evidence", "risk_flags"):
            row[k] = "; ".join(row[k])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for k in ("refund_amount", "est_cost"):
        frame[k] = frame[k].astype(np.float64)
    return frame


def counts(column) -> dict:
    """{value: rows} of a column in order of first appearance, as dict(Counter(column)) gives it,
    counted on the categorical's codes (no string per row)."""
    import pandas as pd
    s = pd.Series(column)
    if not isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(str).astype("category")
    codes = s.cat.codes.to_numpy()
    present, first = np.unique(codes, return_index=True)
    per_code = np.bincount(codes[codes >= 0], minlength=len(s.cat.categories))
    names = s.cat.categories
    return {str(names[c]): int(per_code[c]) for c, _ in sorted(zip(present, first), key=lambda x: x[1]) if c >= 0}


def _NOTHING():
    import pyarrow as pa
    return pa.scalar("", pa.large_string())
