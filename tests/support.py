"""Constants and small helpers the tests share (importable: pytest puts tests/ on the path)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 1)
ARTIFACTS = ROOT / "test-artifacts"


def minimal_case(**fields) -> dict:
    """A valid case of the given type with only what the contract requires, plus overrides."""
    return {"case_id": "C1", "dispute_type": "not_received", "order_value": 25, **fields}


def copy_playbook(tmp_path):
    """A copy of the bundled playbook folder to break on purpose."""
    import shutil
    dest = tmp_path / "playbook"
    shutil.copytree(ROOT / "playbook", dest)
    return dest


def edit_file(path, old, new):
    """Replace the first `old` in a text file (it must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
