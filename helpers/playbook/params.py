"""Policy overrides given on the command line (`--set NAME=VALUE`)."""
from __future__ import annotations

from ..core.exceptions import PlaybookToolError


def parse_params(pairs):
    """`--set NAME=NUMBER` pairs as {name: value}; a malformed pair is a PlaybookToolError like an
    unknown name (recommend exits 3, batch 2)."""
    out = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise PlaybookToolError(f"--set needs NAME=NUMBER, got {pair!r}")
    return out
