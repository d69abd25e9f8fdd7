"""`dispute-playbook columns FILE`: the headers an export has and a mapping to start from.

Headers are matched to contract fields by name (`order_value`, `Order Value`) and by the headers
the built-in presets know, in English and Chinese (订单金额, Total Price); the values of matched
choice columns are matched to contract values the same way (未收到货 → not_received). Nothing is
guessed silently: the suggestion is a YAML file for a person to check and edit, and what is still
unmapped is listed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.fields import FIELD_BY_NAME, FIELDS
from ..core.spelling import closest
from .mapcells import fitting_date_formats
from .mapping import PRESETS, closest_preset, load_mapping
from .tables import ROW_PROBLEM, read_table

MAX_VALUES = 30


def _norm(text) -> str:
    return re.sub(r"[\s_\-/()（）:：]+", "", str(text)).lower()


@dataclass
class Suggestion:
    headers: list
    columns: dict = field(default_factory=dict)        # header -> [fields]
    values: dict = field(default_factory=dict)         # field -> {export value: contract value or None}
    dates: dict = field(default_factory=dict)
    booleans: dict = field(default_factory=dict)
    preset: tuple | None = None                        # (name, headers it knows)

    def unmapped_required(self):
        mapped = {f for names in self.columns.values() for f in names}
        return [f.name for f in FIELDS if f.required and f.name not in mapped]

    def unused_headers(self):
        return [h for h in self.headers if h not in self.columns]


# Headers sellers' own exports use that no preset names (a preset knows its platform's words only):
# without them a file's 币种 or 签收时间 was left "TODO", though the field was plain to a person.
HEADER_WORDS = {
    "currency": ("币种", "货币", "币别", "结算币种", "currency code"),
    "delivery_date": ("签收时间", "签收日期", "妥投时间", "妥投日期", "收货时间", "delivered at", "delivered on", "delivery time"),
    "ship_date": ("发货日期", "shipped at", "ship time"),
    "order_date": ("下单日期", "order time", "ordered at"),
    "buyer_name": ("买家", "买家姓名", "收货人", "客户", "客户姓名", "buyer", "customer", "customer name"),
    "order_value": ("订单总额", "实付金额", "金额", "order total", "amount"),
    "tracking_number": ("运单号", "快递单号", "物流单号码", "tracking no", "tracking id", "waybill"),
    "carrier": ("快递公司", "承运商", "shipping carrier"),
    "buyer_country": ("国家", "国家/地区", "country", "destination country"),
    "dispute_type": ("纠纷类型", "问题类型", "dispute", "issue type"),
    "platform": ("平台", "渠道", "channel", "marketplace"),
    "shop_name": ("店铺", "店名", "store", "store name", "shop"),
}


def _vocabulary():
    """(normalised header -> fields, field -> {normalised value: contract value}) from the presets,
    then HEADER_WORDS for what none of them names."""
    headers, values, words = {}, {}, {}
    for f in FIELDS:
        headers[_norm(f.name)] = [f.name]
    presets = {}
    for name in PRESETS:
        m = load_mapping(name)
        presets[name] = set(m.columns)
        for h, names in m.columns.items():
            headers.setdefault(_norm(h), names)
        for fname, table in m.values.items():
            for word, value in table.items():
                if word != "*" and value is not None:
                    values.setdefault(fname, {}).setdefault(_norm(word), value)
        for word, flag in m.booleans.items():
            words.setdefault(str(word), flag)
    for name, synonyms in HEADER_WORDS.items():
        for word in synonyms:
            headers.setdefault(_norm(word), [name])
    return headers, values, words, presets


def _match_header(header, vocab):
    key = _norm(header)
    if key in vocab:
        return list(vocab[key])
    close = closest(key, vocab, cutoff=0.88)
    return list(vocab[close]) if close else []


def _match_value(value, fname, known):
    f = FIELD_BY_NAME[fname]
    key = _norm(value)
    if key in f.choices:
        return key
    table = known.get(fname, {})
    if key in table:
        return table[key]
    close = closest(key, list(f.choices) + list(table), cutoff=0.8)
    if close:
        return close if close in f.choices else table[close]
    return None


def _by_values(names: list, distinct: list, known: dict, taken: set) -> list:
    """The fields for a column whose header names one choice field but whose values are another's: 售后类型
    (after-sales type) is Douyin's buyer request (仅退款, 换货), yet a shop's own export fills it with
    dispute types (商品破损, 未收到货), which were then all marked TODO."""
    if len(names) != 1 or FIELD_BY_NAME[names[0]].kind != "enum" or not distinct:
        return names

    def share(fname):
        return sum(_match_value(v, fname, known) is not None for v in distinct) / len(distinct)
    if share(names[0]) >= 0.5:
        return names
    others = [f.name for f in FIELDS if f.kind == "enum" and f.name not in taken and f.name != names[0]]
    best = max(others, key=share, default=None)
    return [best] if best is not None and share(best) >= 0.5 else names


def _date_format(samples):
    texts = [s.strip() for s in samples if isinstance(s, str) and s.strip()]
    if not texts or all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", t) for t in texts):
        return None  # already the contract's form (or typed dates from a spreadsheet)
    fits = fitting_date_formats(texts)
    if not fits:  # one impossible date (2026/13/05) left the column without a format: every row was rejected
        readable = [t for t in texts if fitting_date_formats([t])]
        fits = fitting_date_formats(readable) if len(readable) * 2 > len(texts) else []
    return fits[0] if fits else None


def suggest(path, sheet=0) -> Suggestion:
    vocab, known, words, presets = _vocabulary()
    frame = read_table(path, sheet, header_row=None, expected=set(vocab) | {h for p in presets.values() for h in p}
                       | {f.name for f in FIELDS})
    headers = [h for h in frame.columns if not h.startswith("__")]
    if ROW_PROBLEM in frame.columns:  # a broken row's cells are a guess at its split: no samples from it
        frame = frame[frame[ROW_PROBLEM] == ""]
    s = Suggestion(headers)
    taken = set()
    distinct = {h: [v for v in frame[h].dropna().astype(str).str.strip().unique().tolist() if v][:MAX_VALUES]
                for h in headers}  # each column's sample values, for its field and then its value table
    for h in headers:
        names = [n for n in _match_header(h, vocab) if n not in taken]
        names = _by_values(names, distinct[h], known, taken)
        if names:
            s.columns[h] = names
            taken.update(names)
    if "case_id" not in taken:  # no case id column: the order number names each case (one dispute per order)
        order = next((h for h, names in s.columns.items() if names == ["order_id"]), None)
        if order is not None:
            s.columns[order] = ["case_id", "order_id"]
    for h, names in s.columns.items():
        for k, fname in enumerate(names):
            f = FIELD_BY_NAME[fname]
            if k > 0 and f.kind in ("enum", "bool"):
                # a column that also feeds this field: the values it knows, every other value unknown
                table = {v: known[fname][_norm(v)] for v in distinct[h] if _norm(v) in known.get(fname, {})}
                s.values[fname] = {**table, "*": None}
            elif f.kind == "enum":
                table = {v: _match_value(v, fname, known) for v in distinct[h]}
                table = {v: c for v, c in table.items() if c != v.lower()}
                if table:
                    s.values[fname] = table
            elif f.kind == "date":
                fmt = _date_format(distinct[h])
                if fmt:
                    s.dates[fname] = fmt
            elif f.kind == "bool":
                for v in distinct[h]:
                    if v in words:
                        s.booleans[v] = words[v]
    s.preset = closest_preset(headers)
    return s


def _q(text) -> str:
    import json
    text = str(text)
    return text if re.fullmatch(r"[\w\u4e00-\u9fff][\w\u4e00-\u9fff .-]*", text) and not text[-1] == " " \
        and text.lower() not in ("yes", "no", "true", "false", "null", "y", "n", "on", "off") else json.dumps(text, ensure_ascii=False)


def to_yaml(s: Suggestion, source: str) -> str:
    """The suggestion as a mapping file to edit (comments say what to check)."""
    lines = [f"# Mapping suggested by `dispute-playbook columns {source}`: check every line, then use it with",
             f"#   dispute-playbook batch {source} --columns THIS_FILE.yaml --out OUT",
             "# Fields: docs/contract.md. Lines marked TODO need a contract value or field.", "columns:"]
    for h, names in s.columns.items():
        lines.append(f"  {_q(h)}: " + (names[0] if len(names) == 1 else "[" + ", ".join(names) + "]"))
    for h in s.unused_headers():
        lines.append(f"  # {_q(h)}: TODO a field, or leave it out")
    if s.values:
        lines.append("values:")
        for fname, table in s.values.items():
            lines.append(f"  {fname}:")
            for v, c in table.items():
                if v == "*":
                    lines.append('    "*": null   # any other value: unknown')
                elif c is None:
                    lines.append(f"    {_q(v)}: null   # TODO one of {', '.join(FIELD_BY_NAME[fname].choices)}")
                else:
                    lines.append(f"    {_q(v)}: {str(c).lower() if isinstance(c, bool) else c}")
    if s.booleans:
        lines.append("booleans:")
        lines += [f"  {_q(w)}: {'true' if b else 'false'}" for w, b in s.booleans.items()]
    if s.dates:
        lines.append("dates:")
        lines += [f'  {fname}: "{fmt}"' for fname, fmt in s.dates.items()]
    lines.append("constants:")
    preset = load_mapping(s.preset[0]).constants if s.preset and 2 * s.preset[1] >= len(s.headers) else {}
    # an export most of whose headers a preset knows is that platform's: its constants (platform,
    # currency, buyer language) are what the export leaves unsaid; a trainee left `platform: TODO`
    # had every case decided as platform "other"
    lines += [f"  {name}: {_q(value)}   # as the {s.preset[0]} preset says: check it" for name, value in preset.items()]
    if "platform" not in preset:
        lines.append("  # platform: TODO aliexpress, amazon, ebay, shopify, taobao, douyin or other")
    return "\n".join(lines) + "\n"


def report(s: Suggestion, source: str) -> str:
    out = [f"headers found ({len(s.headers)}): {', '.join(s.headers)}"]
    if s.preset:
        out.append(f"closest preset: --columns {s.preset[0]} (knows {s.preset[1]} of these headers)")
    out += ["", "suggested mapping:", "", to_yaml(s, source)]
    missing = s.unmapped_required()
    out.append("still unmapped: " + (f"required fields {', '.join(missing)} (map a header to each, or set a "
                                     "constant)" if missing else "no required field") +
               (f"; headers not used: {', '.join(s.unused_headers())}" if s.unused_headers() else ""))
    todo = sum(1 for t in s.values.values() for v, c in t.items() if c is None and v != "*")
    if todo:
        out.append(f"values without a contract value: {todo} (marked TODO)")
    return "\n".join(out)


def mapped_report(path, mapping, sheet=0) -> str:
    """What a mapping makes of an export: each contract field it fills and from which header (or
    constant), the mapped headers the file lacks, and the headers nothing reads."""
    m = load_mapping(mapping)
    frame = read_table(path, sheet, encoding=m.encoding, header_row=m.header_row, sep=m.delimiter,
                       expected=set(m.columns) | {f.name for f in FIELDS})
    headers = [h for h in frame.columns if not h.startswith("__")]
    sources = {}                                   # field -> where its value comes from
    for h in headers:
        if h in FIELD_BY_NAME:
            sources.setdefault(h, f"{h} (a contract header)")
    for h, names in m.columns.items():
        if h in headers:
            for n in names:
                sources[n] = h
    for n, value in m.constants.items():
        sources[n] = f"{sources[n]}, else the constant {value!r}" if n in sources else f"the constant {value!r}"
    missing = [h for h in m.columns if h not in headers]
    unmapped = [h for h in headers if h not in m.columns and h not in FIELD_BY_NAME]
    out = [f"headers found ({len(headers)}): {', '.join(headers)}", "",
           f"--columns {mapping} fills {len(sources)} contract field{'s' if len(sources) != 1 else ''}:"]
    width = max((len(n) for n in sources), default=0)
    out += [f"  {f.name:<{width}}  <- {sources[f.name]}" for f in FIELDS if f.name in sources]
    out.append("")
    out.append("mapped headers missing from the file: " + (", ".join(
        f"{h} (for {', '.join(m.columns[h])})" for h in missing) if missing else "none"))
    out.append("headers not mapped: " + (", ".join(unmapped) if unmapped else "none"))
    empty = [f.name for f in FIELDS if f.required and f.name not in sources]
    out.append("required fields not filled: " + (f"{', '.join(empty)} (map a header to each under `columns:`, "
                                                  "or set a constant)" if empty else "none"))
    return "\n".join(out)
