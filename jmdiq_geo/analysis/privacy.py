"""Privacy rules from the method: no values for small areas, no small counts.

- Areas with fewer than ``min_residents`` residents (MSS rule: 300) show no value.
- Counts (extensive indicators) from 1 to ``small_count - 1`` are suppressed in maps and exports.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

REASON_SMALL_AREA = "small_area"
REASON_SMALL_COUNT = "small_count"
REASON_MISSING = "missing"


def suppress(values: pd.Series, *, kind: str, population: pd.Series | None, min_residents: int,
             small_count: int) -> tuple[pd.Series, pd.Series]:
    """Return the values to show and, per area, why a value is hidden (``None`` where shown)."""
    shown = values.astype(float).copy()
    reason = pd.Series(np.where(shown.isna(), REASON_MISSING, None), index=shown.index, dtype=object)
    if population is not None:
        pop = population.reindex(shown.index)
        small = pop.notna() & (pop < min_residents)
        shown[small] = np.nan
        reason[small] = REASON_SMALL_AREA
    if kind == "extensive":
        tiny = shown.notna() & (shown > 0) & (shown < small_count)
        shown[tiny] = np.nan
        reason[tiny] = REASON_SMALL_COUNT
    return shown, reason
