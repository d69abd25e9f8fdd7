"""Days as ordinals (what the engine's date columns hold), as ISO dates and as their week's Monday."""
from __future__ import annotations

import datetime as _dt

import numpy as np

EPOCH = _dt.date(1970, 1, 1).toordinal()


def iso_dates(ordinals: np.ndarray) -> np.ndarray:
    """Day ordinals as ISO dates ('' where unknown); each distinct day is formatted once."""
    ordinals = np.asarray(ordinals, dtype=float)
    out = np.full(len(ordinals), "", dtype=object)
    known = ~np.isnan(ordinals)
    days, where = np.unique(ordinals[known], return_inverse=True)
    text = np.datetime_as_string((days - EPOCH).astype("datetime64[D]"), unit="D").astype(object)
    out[known] = text[where]
    return out


def week_of(ordinals: np.ndarray) -> np.ndarray:
    """The Monday of each day's week (ISO dates, '' where unknown); ordinal 1 (1 Jan of year 1) was a Monday."""
    ordinals = np.asarray(ordinals, dtype=float)
    return iso_dates(ordinals - (ordinals - 1) % 7)
