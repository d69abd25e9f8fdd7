"""A batch row in a currency the shop's rate table lacks goes to errors.csv, as recommend() refuses it."""
from __future__ import annotations

import numpy as np

from ..core.exceptions import CaseError
from ..core.money import no_rate_problem, rate_column


def reject_unrated(pb, v, first_row: int) -> np.ndarray:
    """Move valid rows whose currency has no rate in `pb` from `v.valid` to `v.problems`; the rate
    column of all rows (the engine's RATE, which `decide` then takes as it is)."""
    rate = rate_column(pb.rates, v.cols["currency"])
    for i in np.flatnonzero(v.valid & np.isnan(rate)):
        v.valid[i] = False
        v.problems[int(i)] = CaseError([no_rate_problem(v.cols["case_id"][i], str(v.cols["currency"][i]),
                                                        int(i) + first_row)])
    return rate
