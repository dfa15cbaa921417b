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


#: hidden so that a hidden neighbour cannot be derived from a shown total (secondary suppression)
REASON_COMPLEMENT = "complement"


def hide_small_numerators(shown: pd.Series, reason: pd.Series, *, kind: str, denominator: pd.Series | None,
                          small_count: int, per: float = 100.0) -> tuple[pd.Series, pd.Series]:
    """A rate shown beside its denominator gives its numerator away (rate × denominator / 100):
    where that numerator is a count from 1 to ``small_count - 1``, the rate is hidden as the
    count would be."""
    if kind != "intensive" or denominator is None:
        return shown, reason
    shown, reason = shown.copy(), reason.copy()
    numerator = shown * denominator.reindex(shown.index) / per
    tiny = shown.notna() & numerator.notna() & (numerator.round(6) > 0) & (numerator.round(6) < small_count)
    shown[tiny] = np.nan
    reason[tiny] = REASON_SMALL_COUNT
    return shown, reason


def complementary_suppression(shown: pd.Series, reason: pd.Series, groups: pd.Series, *,
                              weight: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Secondary suppression, as statistical offices protect a table with margins: within every
    group whose total is published (the areas of one parent, or of the whole city), a value
    hidden by a rule (primary) must not be recoverable as total minus the shown parts. Where a
    group has exactly one hidden value (among areas that have one), the shown value with the
    smallest ``weight`` (default: the value itself) is hidden too, so only the sum of two hidden
    values can be derived. Missing values (no data) do not protect anything and stay as they are.

    ``groups``: area id → group id (NaN: the area belongs to no published total)."""
    shown, reason = shown.copy(), reason.copy()
    order = (weight if weight is not None else shown).reindex(shown.index)
    g = groups.reindex(shown.index)
    for _, members in shown.groupby(g, dropna=True).groups.items():
        rs = reason[members]
        hidden = rs.notna() & (rs != REASON_MISSING)
        if hidden.sum() != 1:
            continue
        candidates = [m for m in members if pd.notna(shown[m])]
        if not candidates:
            continue
        pick = min(candidates, key=lambda m: (order[m] if pd.notna(order[m]) else np.inf, str(m)))
        shown[pick] = np.nan
        reason[pick] = REASON_COMPLEMENT
    return shown, reason


def suppress_one(value: float, *, kind: str, residents: float | None, min_residents: int,
                 small_count: int) -> tuple[float, str | None]:
    """One value of one place (a drawn quarter) under the same rules: (value shown or NaN, reason
    or None). ``residents``: the place's residents (None: unknown, only the count rule applies)."""
    population = None if residents is None or not np.isfinite(residents) else pd.Series([float(residents)])
    shown, reason = suppress(pd.Series([value], dtype=float), kind=kind, population=population,
                             min_residents=min_residents, small_count=small_count)
    return float(shown.iloc[0]), reason.iloc[0]
