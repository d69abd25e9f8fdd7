"""Dispute Playbook: a seller's buyer-dispute decisions, explained.

    from helpers import recommend
    recommend({"case_id": "A1", "dispute_type": "not_received", "order_value": 25}).to_dict()
"""
from .case import parse_case
from .exceptions import CaseError, PlaybookError, PlaybookToolError
from .playbook import load_playbook
from .recommend import Recommendation, recommend

__all__ = ["recommend", "Recommendation", "parse_case", "load_playbook", "CaseError", "PlaybookError",
           "PlaybookToolError"]
__version__ = "0.1.0"
