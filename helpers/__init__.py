"""Dispute Playbook: a seller's buyer-dispute decisions, explained.

    from helpers import recommend
    recommend({"case_id": "A1", "dispute_type": "not_received", "order_value": 25}).to_dict()

The package is layered; imports only point down (checked by tests/test_layers.py):
core → playbook → advice → iorw → batch → ui → workshop → app → cli.
"""
# The names below are imported on first use (PEP 562), so `dispute-playbook --help` and commands that
# need little do not pay for numpy, PyYAML and Jinja2 up front.
_API = {"recommend": ".advice.recommend", "Recommendation": ".advice.recommend", "parse_case": ".core.case",
        "load_playbook": ".playbook.loader", "CaseError": ".core.exceptions", "PlaybookError": ".core.exceptions",
        "PlaybookToolError": ".core.exceptions"}


def __getattr__(name):
    if name not in _API:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(_API[name], __name__), name)
    globals()[name] = value
    return value


__all__ = ["recommend", "Recommendation", "parse_case", "load_playbook", "CaseError", "PlaybookError",
           "PlaybookToolError"]
__version__ = "0.1.0"
