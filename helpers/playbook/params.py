"""Policy overrides given on the command line (`--set NAME=VALUE`)."""
from __future__ import annotations

from ..core.exceptions import UsageError


def parse_params(pairs):
    """`--set NAME=NUMBER` pairs as {name: value}; a malformed pair is a UsageError (exit 2), as is
    an unknown name (UnknownParameterError, raised when the playbook applies them)."""
    out = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise UsageError(f"--set: {pair!r} is not NAME=NUMBER — write e.g. --set keep_item_max_value=25")
    return out
