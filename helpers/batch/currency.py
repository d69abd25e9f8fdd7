"""A batch row in a currency the shop's rate table lacks goes to errors.csv, as recommend() refuses it."""
from __future__ import annotations

import numpy as np

from ..core.exceptions import CaseError
from ..core.money import no_rate_problem, rate_column, unit_column


def reject_unrated(pb, v, first_row: int) -> tuple[np.ndarray, np.ndarray]:
    """Move valid rows whose currency has no rate in `pb` from `v.valid` to `v.problems`; the rate
    and the smallest-unit columns of all rows (the engine's RATE and UNIT, which `decide` then takes
    as they are)."""
    rate, unit = rates_by_code(pb.rates, pb.whole_units, v.cols["currency"])
    for i in np.flatnonzero(v.valid & np.isnan(rate)):
        v.valid[i] = False
        v.problems[int(i)] = CaseError([no_rate_problem(v.cols["case_id"][i], str(v.cols["currency"][i]),
                                                        int(i) + first_row)])
    return rate, unit


def rates_by_code(rates: dict, whole_units, currency) -> tuple[np.ndarray, np.ndarray]:
    """(rate_column, unit_column) for a batch's column: its few distinct codes looked up once each (a
    batch has a handful of currencies; hashing a million codes costs half of looking each one up)."""
    import pandas as pd
    codes, distinct = pd.factorize(np.asarray(currency, dtype=object))
    distinct = np.asarray(distinct, dtype=object)
    return (np.append(rate_column(rates, distinct), np.nan)[codes],
            np.append(unit_column(whole_units, distinct), 0.01)[codes])
