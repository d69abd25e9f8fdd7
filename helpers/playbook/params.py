"""Options given on the command line that more than one command takes: policy overrides
(`--set NAME=VALUE`) and the review date (`--as-of`)."""
from __future__ import annotations

from ..core.exceptions import UsageError


def parse_params(pairs):
    """`--set NAME=NUMBER` pairs as {name: value}; a malformed pair is a UsageError (exit 2), as is
    an unknown name (UnknownParameterError, raised when the playbook applies them)."""
    import re
    out = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        # a plain number in ASCII digits: Python's float() also takes 1_0, ١٠ and other scripts' digits
        if not re.fullmatch(r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*|\s*[+-]?(?:nan|inf|infinity)\s*",
                            value, flags=re.IGNORECASE):
            sep = ""
        elif name.strip() in out and repr(out[name.strip()]) != repr(float(value)):  # repr: nan == nan here
            # two values for one name: the last silently won, and the run's what-if was not the one meant
            raise UsageError(f"--set: {name.strip()} is given twice ({out[name.strip()]:g} and {float(value):g}) "
                             "— give each parameter once")
        else:
            out[name.strip()] = float(value)
        if not sep:
            raise UsageError(f"--set: {pair!r} is not NAME=NUMBER — write e.g. --set keep_item_max_value=25")
    return out


def parse_review_date(text):
    """`--as-of YYYY-MM-DD` as a date (None when not given); anything else is a UsageError (exit 2)."""
    import datetime as _dt
    import re
    if text is None:
        return None
    try:  # only YYYY-MM-DD: Python also takes 20261101, which the contract's dates are not
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date — write it as YYYY-MM-DD, e.g. --as-of 2026-11-01") from None
