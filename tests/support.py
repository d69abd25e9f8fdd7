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
