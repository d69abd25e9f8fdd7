"""Reading and writing at the edges: case files in, JSON out. The core never opens a file."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .exceptions import CaseError, FieldProblem


def read_case_file(path: str) -> dict:
    """One case from a .json (or .yaml) file, or '-' for standard input."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError([FieldProblem(None, "(file)", f"cannot read {path}: {exc}")]) from None
    try:
        if str(path).endswith((".yaml", ".yml")):
            import yaml
            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except ValueError as exc:  # json.JSONDecodeError and yaml.YAMLError's message both say where
        raise CaseError([FieldProblem(None, "(file)", f"{path} is not valid JSON/YAML: {exc}")]) from None
    return data


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
