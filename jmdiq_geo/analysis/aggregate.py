"""Move values from the lowest level to higher ones: counts summed, rates rebuilt.

Pure functions. A rate (intensive indicator) is never averaged: it is rebuilt from its
numerator and denominator, ``Σ(rate_i × den_i) / Σ den_i`` (the rate's numerator is
``rate × den / factor``; the factor cancels). Areas with a missing value or a missing
denominator contribute to neither sum, and the share of the target's denominator they hold
is returned as ``coverage`` so that a user can see how complete an aggregate is.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from jmdiq_geo.errors import AnalysisError, Problem


def aggregate(values: pd.Series, groups: pd.Series, *, kind: str, denominator: pd.Series | None = None
              ) -> pd.DataFrame:
    """Aggregate ``values`` (indexed by lowest-level area id) to ``groups`` (area → group id).

    Returns a frame indexed by group id with ``value`` and ``coverage`` (share of members, or of
    the denominator for rates, that had a value).
    """
    if kind == "class":
        raise AnalysisError(Problem("analysis_class_not_aggregated"))
    frame = pd.DataFrame({"group": groups.reindex(values.index), "value": values.astype(float)})
    frame = frame[frame["group"].notna()]
    if kind == "extensive":
        grouped = frame.groupby("group")["value"]
        out = pd.DataFrame({"value": grouped.sum(min_count=1), "coverage": grouped.count() / grouped.size()})
        return out
    if denominator is None:
        raise AnalysisError(Problem("analysis_rate_needs_denominator"))
    frame["den"] = denominator.reindex(frame.index).astype(float)
    has = frame["value"].notna() & frame["den"].notna()
    frame["num"] = np.where(has, frame["value"] * frame["den"], 0.0)
    frame["den_used"] = np.where(has, frame["den"], 0.0)
    g = frame.groupby("group")
    den_used = g["den_used"].sum()
    den_all = g["den"].sum(min_count=1)
    value = g["num"].sum() / den_used.where(den_used > 0)
    return pd.DataFrame({"value": value, "coverage": (den_used / den_all).fillna(0.0)})


def city_value(values: pd.Series, *, kind: str, denominator: pd.Series | None = None) -> float:
    """The whole city's value (one group)."""
    groups = pd.Series("city", index=values.index)
    return float(aggregate(values, groups, kind=kind, denominator=denominator)["value"].iloc[0])
