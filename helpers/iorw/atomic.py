"""Reading and writing at the edges: case files in, JSON out. The core never opens a file."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..core.exceptions import CaseError, FieldProblem

# the process umask, read once (os.umask can only be read by setting it)
_UMASK = os.umask(0o022)
os.umask(_UMASK)


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


def atomic_write(path: Path, write):
    """Write through a temporary file in the same folder, then rename: never a half-written file."""
    import tempfile  # here, not at the top: keeps `dispute-playbook recommend` start-up light
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; results are ordinary files
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json_atomic(path: Path, data) -> None:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1, default=str)
    atomic_write(path, write)
