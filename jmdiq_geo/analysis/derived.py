"""Derived indicators: sums of counts and rates from two counts, per area and period.

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

    def inputs(self) -> list[str]:
        return list(self.sum) if self.sum else [x for x in (self.numerator, self.denominator) if x]

    @property
    def kind(self) -> str:
        return "extensive" if self.sum else "intensive"

    def definition(self) -> dict:
        return {"indicator_id": self.indicator_id, "label_de": self.label_de, "label_en": self.label_en,
                "unit": self.unit, "kind": self.kind, "denominator": self.denominator,
                "polarity": self.polarity, "description": self.description}


def derive_values(values: pd.DataFrame, d: DerivedDef) -> pd.DataFrame:
    """Values of ``d`` for every (area, period) where all inputs exist.

    A sum is missing where any input is missing; a rate is missing where the denominator is 0.
    """
    inputs = d.inputs()
    if not inputs or (not d.sum and not (d.numerator and d.denominator)):
        raise AnalysisError(Problem("analysis_derived_needs_inputs", {"indicator": d.indicator_id}))
    part = values[values["indicator_id"].isin(inputs)]
    # (area, period, indicator) is unique in a workspace: a plain unstack, no aggregation
    wide = part.set_index(["area_id", "period", "indicator_id"])["value"].unstack("indicator_id")
    for col in inputs:
        if col not in wide:
            wide[col] = np.nan
    if d.sum:
        result = wide[inputs].sum(axis=1, min_count=len(inputs))
        result[wide[inputs].isna().any(axis=1)] = np.nan
    else:
        den = wide[d.denominator].where(wide[d.denominator] != 0)
        result = d.factor * wide[d.numerator] / den
    out = result.rename("value").reset_index()
    out["indicator_id"] = d.indicator_id
    return out[["area_id", "indicator_id", "period", "value"]]
