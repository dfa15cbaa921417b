"""Choropleth classes with mapclassify: quantiles, equal intervals, natural breaks, standard
deviation, manual breaks. Missing values get no class (``-1``)."""
from __future__ import annotations

from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd

from jmdiq_geo.errors import AnalysisError, Problem

SCHEMES = ("quantiles", "equal_interval", "natural_breaks", "std_mean", "manual")


@dataclass
class Classes:
    scheme: str
    lower: list[float]      # lower bound of each class (inclusive for the first)
    upper: list[float]      # upper bound of each class (inclusive)
    counts: list[int]
    assignment: pd.Series   # class index per area, -1 = no value

    @property
    def k(self) -> int:
        return len(self.upper)

    def _replace_scheme(self, scheme: str) -> "Classes":
        return Classes(scheme, self.lower, self.upper, self.counts, self.assignment)


def classify(values: pd.Series, *, scheme: str = "quantiles", k: int = 5,
             breaks: list[float] | None = None, centre: float | None = None) -> Classes:
    """``centre`` (e.g. 0 for changes): when the values lie on both sides of it, it becomes a
    class bound too, so no class mixes falls and rises. The number of classes stays ``k`` (the
    class the centre would split is made from ``k - 1`` classes of the scheme plus the centre);
    only given ``breaks`` gain the centre as one more bound."""
    classes = _classify(values, scheme=scheme, k=k, breaks=breaks)
    present = values.dropna().astype(float)
    if centre is None or present.empty or not (present.min() < centre < present.max()) \
            or any(np.isclose(b, centre) for b in classes.upper):
        return classes
    bounds = sorted(set(classes.upper) | {float(centre)})
    if scheme not in ("manual", "std_mean") and k >= 2:
        while len(bounds) > max(k, 2):
            # merge the two neighbouring classes (on one side of the centre) that hold the fewest values
            counts = np.histogram(present, bins=[present.min(), *bounds])[0]
            inner = [i for i in range(len(bounds) - 1) if not np.isclose(bounds[i], centre)]
            drop = min(inner, key=lambda i: counts[i] + counts[i + 1])
            bounds.pop(drop)
    return _classify(values, scheme="manual", breaks=bounds[:-1])._replace_scheme(classes.scheme)


def _classify(values: pd.Series, *, scheme: str = "quantiles", k: int = 5,
              breaks: list[float] | None = None) -> Classes:
    if scheme not in SCHEMES:
        raise AnalysisError(Problem("analysis_unknown_scheme", {"scheme": scheme, "known": ", ".join(SCHEMES)}))
    present = values.dropna().astype(float)
    assignment = pd.Series(-1, index=values.index, dtype=int)
    if present.empty:
        return Classes(scheme, [], [], [], assignment)
    distinct = present.nunique()
    k = max(1, min(k, distinct))
    if scheme == "manual":
        if not breaks:
            raise AnalysisError(Problem("analysis_manual_needs_breaks"))
        upper = sorted(b for b in breaks if b < present.max()) + [float(present.max())]
        result = mapclassify.UserDefined(present.to_numpy(), bins=upper)
    elif k == 1:
        result = mapclassify.UserDefined(present.to_numpy(), bins=[float(present.max())])
    elif scheme == "quantiles":
        result = mapclassify.Quantiles(present.to_numpy(), k=k)
    elif scheme == "equal_interval":
        result = mapclassify.EqualInterval(present.to_numpy(), k=k)
    elif scheme == "natural_breaks":
        result = mapclassify.NaturalBreaks(present.to_numpy(), k=k)
    else:
        result = mapclassify.StdMean(present.to_numpy())
    upper = [float(b) for b in result.bins]
    lower = [float(present.min())] + upper[:-1]
    assignment.loc[present.index] = np.asarray(result.yb, dtype=int)
    counts = [int((assignment == i).sum()) for i in range(len(upper))]
    return Classes(scheme, lower, upper, counts, assignment)
