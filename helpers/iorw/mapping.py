"""Column mapping files: a platform export's headers and values onto the case contract.

    columns:   {export header: contract field}        e.g. 订单号: order_id
    values:    {contract field: {export value: contract value}}   e.g. 未收到货: not_received
    booleans:  {export word: true/false}             for every yes/no field, e.g. 是: true
    dates:     {contract field: strptime format}     e.g. "%Y-%m-%d %H:%M:%S"
    constants: {contract field: value}               for cells the export leaves empty or lacks

A value the mapping does not know is passed on unchanged, so the contract's checks name it in
errors.csv: nothing is guessed or silently coerced. See samples/mappings/aliexpress_zh.yaml.
"""
from __future__ import annotations

from pathlib import Path

from ..core.exceptions import CaseError, FieldProblem
from ..core.fields import FIELD_BY_NAME, FIELDS

SECTIONS = ("columns", "values", "booleans", "dates", "constants")


def _problem(message):
    return CaseError([FieldProblem(None, "(columns)", message)])


def load_mapping(path) -> dict:
    import yaml
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise _problem(f"cannot read the mapping {path}: {exc}") from None
    if not isinstance(data, dict):
        raise _problem(f"{path}: a mapping file holds the sections {', '.join(SECTIONS)}")
    for key, section in data.items():
        if key not in SECTIONS:
            raise _problem(f"{path}: unknown section {key!r}; use {', '.join(SECTIONS)}")
        if not isinstance(section, dict):
            raise _problem(f"{path}: {key} must map names to values")
    named = list((data.get("columns") or {}).values()) + list(data.get("values") or {}) + \
        list(data.get("dates") or {}) + list(data.get("constants") or {})
    for name in named:
        if name not in FIELD_BY_NAME:
            raise _problem(f"{path}: {name!r} is not a field of the case contract")
    for word, flag in (data.get("booleans") or {}).items():
        if not isinstance(flag, bool):
            raise _problem(f"{path}: booleans: {word!r} must map to true or false, not {flag!r}")
    return {k: dict(data.get(k) or {}) for k in SECTIONS}


def _text(value):
    return value.strip() if isinstance(value, str) else value


def apply_mapping(frame, mapping: dict):
    """The export as contract columns; the headers mapped onto required fields must be in the file."""
    import pandas as pd
    columns = {str(k): v for k, v in mapping["columns"].items()}
    headers = [str(c).strip() for c in frame.columns]
    frame = frame.copy()
    frame.columns = headers
    # an export may leave optional columns out; the ones that fill required fields must be there
    absent = [h for h, name in columns.items() if h not in headers and FIELD_BY_NAME[name].required
              and name not in headers]
    if absent:
        raise _problem(f"the mapping names headers the file lacks: {', '.join(absent)}; "
                       f"the file's headers are: {', '.join(headers)}")
    frame = frame.rename(columns=columns)
    keep = [c for c in frame.columns if c in FIELD_BY_NAME]
    frame = frame[keep].astype(object)
    for name, table in mapping["values"].items():
        if name in frame:
            lookup = {str(k): v for k, v in table.items()}
            frame[name] = frame[name].map(lambda v: lookup.get(_text(v), v) if isinstance(v, str) else v)
    words = {str(k): v for k, v in mapping["booleans"].items()}
    for f in FIELDS:
        if f.kind == "bool" and f.name in frame and words:
            frame[f.name] = frame[f.name].map(lambda v: words.get(_text(v), v) if isinstance(v, str) else v)
    for name, fmt in mapping["dates"].items():
        if name in frame:
            parsed = pd.to_datetime(frame[name].map(_text), format=fmt, errors="coerce")
            iso = parsed.dt.strftime("%Y-%m-%d")
            frame[name] = iso.where(parsed.notna(), frame[name])  # what does not parse stays, to be reported
    for name, value in mapping["constants"].items():
        if name not in frame:
            frame[name] = value
        else:
            empty = frame[name].isna() | frame[name].map(lambda v: isinstance(v, str) and not v.strip())
            frame.loc[empty, name] = value
    return frame
