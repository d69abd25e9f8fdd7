"""Small presentation pieces shared by the Markdown report (notebook_run) and the widgets
(result_view): money as people read it, and the deciding rule's evidence checklist."""
from __future__ import annotations

from ..playbook.labels import ui


def money(amount, currency: str, lang: str) -> str:
    """An amount already rounded by recommend(), with thousands separators and its currency;
    "unknown" in the UI language."""
    return ui("unknown", lang) if amount is None else f"{amount:,.2f} {currency}"


def evidence_checklist(rec, playbook=None) -> list[tuple[str, bool]]:
    """(evidence id, seller has it) for every piece of evidence the deciding rule wants.
    `playbook`: the folder or Playbook that made `rec` (default: the bundled one)."""
    from ..playbook.loader import Playbook, load_playbook
    pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    rule = pb.rule(rec.rule_id)
    return [(e, e not in rec.missing_evidence) for e in rule.evidence]
