"""Hot spots and spatial outliers: local Moran's I (LISA) over an indicator's areas.

Pure functions. Areas without a value are left out. The others are linked by queen contiguity
(a shared edge or corner), row-standardised, so an area's spatial lag is the mean of its
neighbours' standardised values ``z``. Local Moran's I (Anselin 1995, via ``esda``) is
``I_i ∝ z_i · lag_i``; the signs of ``z_i`` and ``lag_i`` give the quadrant. Significance
comes from conditional permutation: the neighbours of area *i* are replaced ``permutations``
times by areas drawn at random from the others, and the pseudo p-value is
``(min(k, permutations - k) + 1) / (permutations + 1)`` with *k* the draws whose I is at least
the observed one (esda's ``p_sim``). Global Moran's I uses the same weights and a seeded total
permutation. Results are reproducible for a given ``seed``.

Labels (``cluster``):

- ``high_high``: high value among high neighbours (hot spot)
- ``low_low``: low value among low neighbours (cold spot)
- ``high_low`` / ``low_high``: spatial outliers (high among low, low among high)
- ``not_significant``: p-value above ``significance``
- ``island``: has a value but no neighbour with a value, so no test (p-value NaN)
- ``no_value``: no value; not analysed and not counted in ``shares``
"""
from __future__ import annotations

from dataclasses import dataclass

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.graph import Graph

from jmdiq_geo.errors import AnalysisError, Problem

#: esda's quadrants ``q``: 1 = HH, 2 = LH, 3 = LL, 4 = HL
QUADRANTS = {1: "high_high", 2: "low_high", 3: "low_low", 4: "high_low"}
#: every label an area with a value can get; ``shares`` has exactly these keys
VALUED_LABELS = ("high_high", "low_high", "low_low", "high_low", "not_significant", "island")
LABELS = VALUED_LABELS + ("no_value",)


@dataclass
class HotSpots:
    #: indexed by area_id: ``local_i``, ``p_value``, ``z_value`` (standardised value), ``cluster``
    table: pd.DataFrame
    #: label → share of the areas with a value (sums to 1.0)
    shares: dict[str, float]
    global_i: float
    global_p: float
    significance: float
    n_islands: int


def local_moran(areas: gpd.GeoDataFrame, values: pd.Series, *, significance: float = 0.05,
                permutations: int = 999, seed: int = 12345) -> HotSpots:
    """Classify ``areas`` (``area_id``, ``geometry``) by local Moran's I of ``values``
    (indexed by area_id; NaN = no value)."""
    if permutations < 1:
        raise AnalysisError(Problem("analysis_permutations"))
    ids = pd.Index(areas["area_id"], name="area_id")
    y_all = values.reindex(ids).astype(float)
    valued = np.isfinite(y_all.to_numpy())
    y = y_all.to_numpy()[valued]
    if len(y) < 4:
        raise AnalysisError(Problem("analysis_hotspot_too_few"))
    if np.ptp(y) == 0:
        raise AnalysisError(Problem("analysis_hotspot_all_equal"))

    geometry = gpd.GeoSeries(areas.geometry.to_numpy()[valued], index=ids[valued], crs=areas.crs)
    weights = Graph.build_contiguity(geometry, rook=False).transform("r")
    if len(weights.isolates) == weights.n:
        raise AnalysisError(Problem("analysis_hotspot_no_neighbours"))
    islands = ids[valued].isin(weights.isolates)

    # esda 2.9's Moran_Local cannot be given its `alternative` (pysal/esda#478) and warns whenever
    # it permutes, and esda.Moran permutes with numpy's global RNG. So esda computes the
    # statistics and the same permutation tests run here, seeded and free of side effects.
    lisa = esda.Moran_Local(y, weights, transformation="r", permutations=0)
    moran = esda.Moran(y, weights, transformation="r", permutations=0)
    p_local = _local_p_values(lisa.z, lisa.Is, lisa.w.sparse, permutations, seed)
    p_local[islands] = np.nan

    cluster = np.array([QUADRANTS[q] for q in lisa.q], dtype=object)
    cluster[p_local > significance] = "not_significant"
    cluster[islands] = "island"

    table = pd.DataFrame({"local_i": np.nan, "p_value": np.nan, "z_value": np.nan,
                          "cluster": "no_value"}, index=ids)
    table.loc[valued, "local_i"] = lisa.Is
    table.loc[valued, "p_value"] = p_local
    table.loc[valued, "z_value"] = lisa.z
    table.loc[valued, "cluster"] = cluster
    counts = table.loc[valued, "cluster"].value_counts()
    shares = {label: int(counts.get(label, 0)) / len(y) for label in VALUED_LABELS}
    return HotSpots(table=table, shares=shares, global_i=float(moran.I),
                    global_p=_global_p_value(y, moran.I, moran.w, permutations, seed),
                    significance=significance, n_islands=int(islands.sum()))


def _folded_p(simulated: np.ndarray, observed: float, permutations: int) -> float:
    """esda's pseudo p-value: the smaller tail of the draws at least as extreme, plus one."""
    larger = int((simulated >= observed).sum())
    return (min(larger, permutations - larger) + 1.0) / (permutations + 1.0)


def _local_p_values(z: np.ndarray, local_i: np.ndarray, w, permutations: int, seed: int) -> np.ndarray:
    """Conditional permutation as in ``esda.crand`` (same draws for the same seed): area *i*
    keeps its value, its neighbours' values are drawn without replacement from the others."""
    w = w.tocsr(copy=True)
    w.eliminate_zeros()
    n = len(z)
    cardinality = np.diff(w.indptr)
    rng = np.random.RandomState(seed)
    draws = np.stack([rng.choice(n - 1, size=cardinality.max(), replace=False)
                      for _ in range(permutations)])
    scaling = (n - 1) / (z * z).sum()
    p = np.full(n, np.nan)
    for i in np.flatnonzero(cardinality):
        neighbour_weights = w.data[w.indptr[i]:w.indptr[i + 1]]
        others = np.delete(z, i)[draws[:, :cardinality[i]]]
        simulated = z[i] * (others @ neighbour_weights) * scaling
        p[i] = _folded_p(simulated, local_i[i], permutations)
    return p


def _global_p_value(y: np.ndarray, observed: float, weights: Graph, permutations: int, seed: int
                    ) -> float:
    """Total permutation as in ``esda.Moran`` (the same draws as after ``np.random.seed(seed)``)."""
    z = y - y.mean()
    rng = np.random.RandomState(seed)
    shuffled = np.stack([rng.permutation(z) for _ in range(permutations)])
    cross = (shuffled * (weights.sparse @ shuffled.T).T).sum(axis=1)
    simulated = len(z) / weights.adjacency.sum() * cross / (z * z).sum()
    return _folded_p(simulated, observed, permutations)
