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

from ..core.exceptions import MappingError
from ..core.fields import FIELD_BY_NAME, FIELDS

SECTIONS = ("columns", "values", "booleans", "dates", "constants")


def _problem(message):
    return MappingError(f"column mapping: {message} — fix the mapping file (see samples/mappings/aliexpress_zh.yaml)")


def load_mapping(path) -> dict:
    """The mapping file, checked; a MappingError names the file and line of the first problem."""
    from ..core.yamlio import line_of, load_yaml
    path = Path(path)
    data, err = load_yaml(path)
    if err:
        raise _problem(str(err))
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise _problem(f"{path}: a mapping file holds the sections {', '.join(SECTIONS)}")

    def at(node, key):
        line = line_of(node, key)
        return f"{path}:{line}" if line else str(path)

    for key, section in data.items():
        if key not in SECTIONS:
            raise _problem(f"{at(data, key)}: unknown section {key!r}; use {', '.join(SECTIONS)}")
        if section is not None and not isinstance(section, dict):
            raise _problem(f"{at(data, key)}: {key} must map names to values")
    columns = data.get("columns") or {}
    named = [(columns, k, v) for k, v in columns.items()] + [
        (data.get(sec) or {}, name, name) for sec in ("values", "dates", "constants") for name in (data.get(sec) or {})]
    for node, key, name in named:
        if name not in FIELD_BY_NAME:
            raise _problem(f"{at(node, key)}: {name!r} is not a field of the case contract")
    booleans = data.get("booleans") or {}
    for word, flag in booleans.items():
        if not isinstance(flag, bool):
            raise _problem(f"{at(booleans, word)}: booleans: {word!r} must map to true or false, not {flag!r}")
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
