"""The known name a person most likely meant: the one place behind every "did you mean" the toolkit
says (a misspelt field, parameter, key, value, template, scenario or resolution)."""
from __future__ import annotations


def closest(name, known, cutoff: float = 0.6) -> str | None:
    """The name of `known` that `name` most likely misspells (difflib's ratio of at least `cutoff`), or None."""
    import difflib
    if name is None or name == "":
        return None
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=cutoff)
    return close[0] if close else None
