"""Batch review: a table of cases in, every row decided or rejected, results written atomically.

Rows are validated one by one with the contract's parser (so a row's error is exactly the one
`recommend()` would raise), then every valid row is decided in one call to the engine.
"""
from __future__ import annotations

import datetime as _dt
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

from .case import parse_case, to_columns
from .engine import decide
from .exceptions import CaseError, FieldProblem
from .fields import FIELD_BY_NAME
from .playbook import load_playbook
from .recommend import build

OUTPUT_COLUMNS = ("case_id", "dispute_type", "platform", "currency", "resolution", "refund_amount", "est_cost",
                  "rule_id", "rationale", "actions", "missing_evidence", "risk_flags", "what_would_change",
                  "template_id", "message_language", "message")
ERROR_COLUMNS = ("row", "case_id", "field", "message")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read_table(path):
    """Every cell as the reader gives it (text from CSV, typed values from spreadsheets)."""
    import pandas as pd
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=object, engine="openpyxl")
    if suffix == ".xls":
        return pd.read_excel(path, dtype=object, engine="xlrd")
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    raise CaseError([FieldProblem(None, "(file)", f"{path.name}: unsupported file type {suffix!r}; "
                                  "use .csv, .xlsx, .xls, .parquet or .jsonl")])


def neutralise(value):
    """Spreadsheet formula injection: text that a spreadsheet would run is prefixed with '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def review(frame, *, as_of=None, playbook=None, params=None, lang="en"):
    """(recommendations, errors) for a frame of cases; every row lands in exactly one list."""
    pb = load_playbook(playbook, params)
    cases, errors = [], []
    records = frame.to_dict("records")
    for i, record in enumerate(records, start=2):  # row 1 is the header in a spreadsheet
        record = {k: v for k, v in record.items() if k in FIELD_BY_NAME}
        try:
            cases.append(parse_case(record, as_of=as_of, row=i))
        except CaseError as exc:
            errors.append(exc)
    seen = Counter(c["case_id"] for c in cases)
    unique = []
    for c in cases:
        if seen[c["case_id"]] > 1:
            errors.append(CaseError([FieldProblem(c["case_id"], "case_id", "appears more than once in this batch", None)]))
        else:
            unique.append(c)
    recs = build(pb, unique, decide(pb, to_columns(unique)), lang) if unique else []
    return recs, errors


def _atomic_write(path: Path, write):
    """Write through a temporary file in the same folder, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def recommendations_frame(recs):
    import pandas as pd
    rows = []
    for r in recs:
        d = r.to_dict()
        row = {k: d[k] for k in OUTPUT_COLUMNS}
        for k in ("actions", "missing_evidence", "risk_flags"):
            row[k] = "; ".join(row[k])
        rows.append(row)
    return pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))


def errors_frame(errors):
    import pandas as pd
    rows = [p.to_dict() for e in errors for p in e.problems[:1]]
    for e, row in zip(errors, rows):
        row["message"] = "; ".join(f"{p.field}: {p.message}" for p in e.problems)
        row["field"] = ", ".join(dict.fromkeys(p.field for p in e.problems))
    return pd.DataFrame(rows, columns=list(ERROR_COLUMNS))


def write_results(out: Path, recs, errors):
    out = Path(out)
    rec_frame = recommendations_frame(recs).map(neutralise)
    err_frame = errors_frame(errors).map(neutralise)
    _atomic_write(out / "recommendations.csv", lambda p: rec_frame.to_csv(p, index=False))
    _atomic_write(out / "errors.csv", lambda p: err_frame.to_csv(p, index=False))
    return rec_frame, err_frame


def run_batch_cli(args) -> int:
    from .cli import _params
    as_of = _dt.date.fromisoformat(args.as_of) if args.as_of else None
    try:
        frame = read_table(args.cases)
    except CaseError as exc:
        print(f"dispute-playbook: {exc}", file=sys.stderr)
        return 2
    recs, errors = review(frame, as_of=as_of, playbook=args.playbook, params=_params(args.set))
    write_results(Path(args.out), recs, errors)
    counts = Counter(r.resolution for r in recs)
    print(f"{len(frame)} rows: {len(recs)} decided, {len(errors)} rejected -> {args.out}")
    for res, n in counts.most_common():
        print(f"  {res:<18}{n:>8}")
    return 1 if args.strict and errors else 0
