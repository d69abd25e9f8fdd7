"""A batch row in a currency the shop's rate table lacks goes to errors.csv, as recommend() refuses it."""
from __future__ import annotations

import numpy as np

from ..core.exceptions import CaseError
from ..core.money import no_rate_problem, rate_column


def reject_unrated(pb, v, first_row: int) -> np.ndarray:
    """Move valid rows whose currency has no rate in `pb` from `v.valid` to `v.problems`; the rate
    column of all rows (the engine's RATE, which `decide` then takes as it is)."""
    rate = rates_by_code(pb.rates, v.cols["currency"])
    for i in np.flatnonzero(v.valid & np.isnan(rate)):
        v.valid[i] = False
        v.problems[int(i)] = CaseError([no_rate_problem(v.cols["case_id"][i], str(v.cols["currency"][i]),
                                                        int(i) + first_row)])
    return rate


def rates_by_code(rates: dict, currency) -> np.ndarray:
    """rate_column for a batch's column: its few distinct codes looked up once each (a batch has a
    handful of currencies; hashing a million codes costs half of looking each one up)."""
    import pandas as pd
    codes, distinct = pd.factorize(np.asarray(currency, dtype=object))
    return np.append(rate_column(rates, np.asarray(distinct, dtype=object)), np.nan)[codes]
