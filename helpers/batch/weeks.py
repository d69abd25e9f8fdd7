"""Days as ordinals (what the engine's date columns hold), as ISO dates and as their week's Monday."""
from __future__ import annotations

import datetime as _dt

import numpy as np

EPOCH = _dt.date(1970, 1, 1).toordinal()


def day_codes(ordinals: np.ndarray) -> tuple:
    """(codes, texts): each day's index into its distinct days as ISO dates, in date order (-1 where
    unknown); each distinct day is formatted once."""
    ordinals = np.asarray(ordinals, dtype=float)
    known = ~np.isnan(ordinals)
    days, where = np.unique(ordinals[known], return_inverse=True)
    codes = np.full(len(ordinals), -1, dtype=np.int64)
    codes[known] = where
    return codes, np.datetime_as_string((days - EPOCH).astype("datetime64[D]"), unit="D").tolist()


def iso_dates(ordinals: np.ndarray) -> np.ndarray:
    """Day ordinals as ISO dates ('' where unknown)."""
    codes, texts = day_codes(ordinals)
    return np.array(texts + [""], dtype=object)[codes]


def mondays(ordinals: np.ndarray) -> np.ndarray:
    """The ordinal of each day's Monday (NaN stays NaN); ordinal 1 (1 Jan of year 1) was a Monday."""
    ordinals = np.asarray(ordinals, dtype=float)
    return ordinals - (ordinals - 1) % 7


def week_of(ordinals: np.ndarray) -> np.ndarray:
    """The Monday of each day's week as an ISO date ('' where unknown)."""
    return iso_dates(mondays(ordinals))
