"""Derived indicators: sums of counts, rates from two counts, and counts estimated from a density
(residents per hectare × the area's surface, for cities that publish densities and shares but no
counts), per area and period.

Pure functions over long-format values (``area_id, indicator_id, period, value``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jmdiq_geo.errors import AnalysisError, Problem


@dataclass
class DerivedDef:
    indicator_id: str
    label_de: str
    label_en: str | None = None
    unit: str | None = None
    #: a count: the sum of these (extensive) indicators …
    sum: list[str] = field(default_factory=list)
    #: … or a rate: factor × numerator / denominator (intensive)
    numerator: str | None = None
    denominator: str | None = None
    factor: float = 100.0
    polarity: str | None = None
    description: str | None = None
    #: … or an estimated count: this density (per ``per``: "ha" or "km2") × the area's surface
    density: str | None = None
    per: str = "ha"

    def inputs(self) -> list[str]:
        if self.density:
            return [self.density]
        return list(self.sum) if self.sum else [x for x in (self.numerator, self.denominator) if x]

    @property
    def kind(self) -> str:
        return "extensive" if self.sum or self.density else "intensive"

    def definition(self) -> dict:
        return {"indicator_id": self.indicator_id, "label_de": self.label_de, "label_en": self.label_en,
                "unit": self.unit, "kind": self.kind, "denominator": self.denominator,
                "polarity": self.polarity, "description": self.description}


#: square metres per unit of a density's surface
SURFACE_M2 = {"ha": 10_000.0, "km2": 1_000_000.0}


def derive_values(values: pd.DataFrame, d: DerivedDef, *, area_m2: pd.Series | None = None) -> pd.DataFrame:
    """Values of ``d`` for every (area, period) where all inputs exist.

    A sum is missing where any input is missing; a rate is missing where the denominator is 0;
    an estimate from a density needs ``area_m2`` (surface per area id) and is missing where the
    area's surface is unknown.
    """
    inputs = d.inputs()
    if d.density and (area_m2 is None or d.per not in SURFACE_M2):
        raise AnalysisError(Problem("analysis_derived_needs_inputs", {"indicator": d.indicator_id}))
    if not inputs or (not d.sum and not d.density and not (d.numerator and d.denominator)):
        raise AnalysisError(Problem("analysis_derived_needs_inputs", {"indicator": d.indicator_id}))
    part = values[values["indicator_id"].isin(inputs)]
    # (area, period, indicator) is unique in a workspace: a plain unstack, no aggregation
    wide = part.set_index(["area_id", "period", "indicator_id"])["value"].unstack("indicator_id")
    for col in inputs:
        if col not in wide:
            wide[col] = np.nan
    if d.density:
        surface = area_m2.reindex(wide.index.get_level_values("area_id")).to_numpy(float) / SURFACE_M2[d.per]
        result = wide[d.density] * surface
    elif d.sum:
        result = wide[inputs].sum(axis=1, min_count=len(inputs))
        result[wide[inputs].isna().any(axis=1)] = np.nan
    else:
        den = wide[d.denominator].where(wide[d.denominator] != 0)
        result = d.factor * wide[d.numerator] / den
    out = result.rename("value").reset_index()
    out["indicator_id"] = d.indicator_id
    return out[["area_id", "indicator_id", "period", "value"]]
