"""The chart of what each option would cost the seller, as HTML: a table of bars the browser draws at
once (no image to render and send), that a screen reader reads as a table, in the UI language.

One row per option of the Recommendation, in its order: the option's label (the chosen one bold and
marked), a bar whose length is its cost against the case's dearest option, and the amount with
thousands separators and currency ("unknown" where an input is missing; no bar then).
"""
from __future__ import annotations

import html

from ..playbook.labels import field_label, ui
from .present import cost_text

CHOSEN, OTHER = "#1f6feb", "#9aa4b2"
TABLE = "border-collapse:collapse;width:100%;max-width:640px;table-layout:auto"
LABEL = "text-align:left;font-weight:normal;padding:2px 8px 2px 0;vertical-align:middle"
BAR_CELL = "width:45%;padding:2px 0;vertical-align:middle"
AMOUNT = "text-align:right;white-space:nowrap;padding:2px 0 2px 8px;font-variant-numeric:tabular-nums"


def unknown_costs(rec, lang: str) -> str:
    """"Return and refund: Return shipping" for every option whose cost needs an unknown input, in
    `lang`'s punctuation ('' when every cost is known)."""
    colon, comma, semi = ("：", "、", "；") if lang == "zh" else (": ", ", ", "; ")
    return semi.join(f"{a['label']}{colon}{comma.join(field_label(f, lang) for f in a.get('cost_unknown', ()))}"
                     for a in rec.alternatives if a["est_cost"] is None)


def bar_widths(costs: list) -> list[float]:
    """Each cost as a percentage of the largest (0 for an unknown, a zero or a negative cost)."""
    top = max([c for c in costs if c is not None and c > 0], default=0.0)
    return [round(100.0 * c / top, 1) if top and c is not None and c > 0 else 0.0 for c in costs]


def cost_chart_html(rec, lang: str) -> str:
    """The options' expected costs as a table of bars; every text escaped, in `lang`."""
    esc = html.escape
    rows = []
    for alt, width in zip(rec.alternatives, bar_widths([a["est_cost"] for a in rec.alternatives])):
        chosen = alt["chosen"]
        label = esc(alt["label"])
        if chosen:
            label = f'<b>{label}</b> <span class="dp-chart-mark">◀ {esc(ui("chosen", lang))}</span>'
        bar = (f'<div class="dp-chart-bar" aria-hidden="true" style="width:{width}%;min-width:{2 if width else 0}px;'
               f'height:14px;background:{CHOSEN if chosen else OTHER};border-radius:2px"></div>')
        rows.append(f'<tr class="dp-chart-row{" dp-chart-chosen" if chosen else ""}">'
                    f'<th scope="row" class="dp-chart-label" style="{LABEL}">{label}</th>'
                    f'<td style="{BAR_CELL}">{bar}</td>'
                    f'<td class="dp-chart-amount" style="{AMOUNT}">{esc(cost_text(alt["est_cost"], rec.currency, lang))}</td></tr>')
    return (f'<table class="dp-cost-chart" style="{TABLE}"><caption style="text-align:left;font-weight:bold">'
            f'{esc(ui("chart", lang))}</caption><tbody>{"".join(rows)}</tbody></table>')
