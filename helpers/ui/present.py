"""Small presentation pieces shared by the Markdown report (notebook_run) and the widgets
(result_view): money as people read it, and the deciding rule's evidence checklist."""
from __future__ import annotations

from ..playbook.labels import ui


def money(amount, currency: str, lang: str, playbook=None) -> str:
    """An amount already rounded by recommend(), with thousands separators and its currency; in a
    currency without cents, to the whole unit (an expected cost of 2,499.20 JPY is 2,499 JPY: no one
    pays a fifth of a yen); "unknown" in the UI language."""
    if amount is None:
        return ui("unknown", lang)
    from ..core.money import amount_text
    from ..playbook.loader import load_playbook
    whole_units = load_playbook(playbook).whole_units
    if currency in whole_units:
        amount = round(amount)
    return f"{amount_text(amount, currency, whole_units, thousands=True)} {currency}"


def cost_text(amount, currency: str, lang: str, playbook=None) -> str:
    """An option's expected cost as `money` writes it; a negative one (cancelling an order sold at a
    loss saves that loss) as the saving it is: "a saving of 48.10 CNY", not "-48.10 CNY"."""
    if amount is not None and amount < 0:
        return ui("saving", lang).format(amount=money(-amount, currency, lang, playbook))
    return money(amount, currency, lang, playbook)


def evidence_checklist(rec, playbook=None) -> list[tuple[str, bool]]:
    """(evidence id, seller has it) for every piece of evidence the deciding rule wants.
    `playbook`: the folder or Playbook that made `rec` (default: the bundled one)."""
    from ..playbook.loader import Playbook, load_playbook
    pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    rule = pb.rule(rec.rule_id)
    return [(e, e not in rec.missing_evidence) for e in rule.evidence]
