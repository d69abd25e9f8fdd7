"""Dispute Playbook: a seller's buyer-dispute decisions, explained.

    from helpers import recommend
    recommend({"case_id": "A1", "dispute_type": "not_received", "order_value": 25}).to_dict()

The package is layered; imports only point down (checked by tests/test_layers.py):
core → playbook → advice → iorw → batch → ui → workshop → app → cli.
"""
from .advice.recommend import Recommendation, recommend
from .core.case import parse_case
from .core.exceptions import CaseError, PlaybookError, PlaybookToolError
from .playbook.loader import load_playbook

__all__ = ["recommend", "Recommendation", "parse_case", "load_playbook", "CaseError", "PlaybookError",
           "PlaybookToolError"]
__version__ = "0.1.0"
