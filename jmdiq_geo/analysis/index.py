"""Composite indices defined as data (indicators, direction, weights, standardisation, classes).

A definition (``IndexDef``) has one or more components (e.g. MSS status and dynamics). Each
component standardises its indicators over the considered areas (z-score, percentile rank or
min–max), turns "higher is better" indicators round, sums them with their weights, optionally
standardises the sum again, and classes the result with thresholds. An optional overall index
combines the components' class codes (MSS: 4 status × 3 dynamics = 12 groups).

Pure functions: values in, table out. The Berlin MSS 2021 definition is
``data/indices/mss2021.toml``; computed on the demo data it reproduces the official classes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jmdiq_geo.errors import AnalysisError, MissingValuesError, Problem

STANDARDISATIONS = ("zscore", "percentile", "minmax", "none")


@dataclass
class WeightedIndicator:
    id: str
    weight: float = 1.0
    direction: str = "higher_worse"     # or "higher_better": turned round before summing


@dataclass
class ClassDef:
    code: int
    label_de: str
    label_en: str | None = None
    upper: float | None = None          # None: everything above the previous class
    upper_inclusive: bool = True
    symbol: str | None = None           # used by the overall label (MSS: "+", "+/-", "-")


@dataclass
class Component:
    id: str
    label_de: str
    indicators: list[WeightedIndicator]
    classes: list[ClassDef]
    label_en: str | None = None
    standardise: str = "zscore"
    restandardise: str | None = "zscore"
    ddof: int = 0                       # 0: population standard deviation ("simple" SD)


@dataclass
class Overall:
    label_de: str
    label_en: str | None = None
    #: label of a group, e.g. "{status.code}{dynamics.symbol}" → "2-"
    label: str = ""
    #: the group code is the components' class codes written one after another (MSS: 25)


@dataclass
class IndexDef:
    id: str
    label_de: str
    level: str
    components: list[Component]
    label_en: str | None = None
    period: str | None = None
    description: str | None = None
    #: only areas with at least this population are considered …
    min_population: float | None = None
    population_indicator: str | None = None
    #: … and (optionally) where this indicator has this value (MSS: KOM = gültig)
    valid_indicator: str | None = None
    valid_value: float | None = None
    overall: Overall | None = None
    source: str | None = None

    def indicator_ids(self) -> list[str]:
        ids = [w.id for c in self.components for w in c.indicators]
        ids += [x for x in (self.population_indicator, self.valid_indicator) if x]
        return list(dict.fromkeys(ids))


@dataclass
class IndexResult:
    definition: IndexDef
    #: per area: considered, <component>_score, <component>_code, <component>_label, overall_code/label
    table: pd.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)


def standardise(x: pd.Series, method: str, *, ddof: int = 0) -> pd.Series:
    """Standardise over the non-missing values of ``x``."""
    if method == "zscore":
        sd = x.std(ddof=ddof)
        return (x - x.mean()) / sd if sd and np.isfinite(sd) else x * 0.0
    if method == "percentile":      # (rank − 1) / (N − 1), as in the CDC SVI
        n = x.notna().sum()
        return (x.rank(method="min") - 1) / (n - 1) if n > 1 else x * 0.0
    if method == "minmax":
        span = x.max() - x.min()
        return (x - x.min()) / span if span else x * 0.0
    if method == "none":
        return x.astype(float)
    raise AnalysisError(Problem("analysis_unknown_standardisation", {"method": method, "known": ", ".join(STANDARDISATIONS)}))


def assign_classes(scores: pd.Series, classes: list[ClassDef]) -> pd.Series:
    """Class code per score by ordered thresholds; missing scores get no class (<NA>)."""
    codes = pd.Series(pd.NA, index=scores.index, dtype="Int64")
    remaining = scores.notna()
    for c in classes:
        if c.upper is None:
            hit = remaining
        else:
            hit = remaining & ((scores <= c.upper) if c.upper_inclusive else (scores < c.upper))
        codes[hit] = c.code
        remaining &= ~hit
    return codes


def compute_index(definition: IndexDef, values: pd.DataFrame) -> IndexResult:
    """Compute ``definition`` on ``values`` (areas × indicator ids, indexed by area id)."""
    missing = [i for i in definition.indicator_ids() if i not in values.columns]
    if missing:
        raise MissingValuesError(Problem("analysis_index_missing_values", {"index": definition.id, "missing": ", ".join(missing)}))
    considered = pd.Series(True, index=values.index)
    excluded: dict[str, int] = {}
    if definition.valid_indicator:
        ok = values[definition.valid_indicator] == definition.valid_value
        excluded["not_valid"] = int((~ok).sum())
        considered &= ok
    if definition.min_population is not None and definition.population_indicator:
        ok = values[definition.population_indicator] >= definition.min_population
        excluded["small_population"] = int((considered & ~ok).sum())
        considered &= ok
    table = pd.DataFrame({"considered": considered}, index=values.index)
    for comp in definition.components:
        ids = [w.id for w in comp.indicators]
        complete = considered & values[ids].notna().all(axis=1)
        excluded[f"{comp.id}_incomplete"] = int((considered & ~complete).sum())
        total = pd.Series(0.0, index=values.index[complete])
        for w in comp.indicators:
            z = standardise(values.loc[complete, w.id].astype(float), comp.standardise, ddof=comp.ddof)
            total += w.weight * (z if w.direction != "higher_better" else -z)
        score = standardise(total, comp.restandardise, ddof=comp.ddof) if comp.restandardise else total
        table[f"{comp.id}_score"] = score.reindex(values.index)
        codes = assign_classes(table[f"{comp.id}_score"], comp.classes)
        table[f"{comp.id}_code"] = codes
        by_code = {c.code: c for c in comp.classes}
        table[f"{comp.id}_label_de"] = codes.map(lambda k: by_code[k].label_de if pd.notna(k) else None)
        table[f"{comp.id}_label_en"] = codes.map(
            lambda k: (by_code[k].label_en or by_code[k].label_de) if pd.notna(k) else None)
    if definition.overall:
        table["overall_code"], table["overall_label"] = _overall(definition, table)
    return IndexResult(definition, table, excluded)


def _overall(definition: IndexDef, table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    comps = definition.components
    codes = pd.Series(pd.NA, index=table.index, dtype="Int64")
    labels = pd.Series(None, index=table.index, dtype=object)
    complete = pd.concat([table[f"{c.id}_code"].notna() for c in comps], axis=1).all(axis=1)
    for area in table.index[complete]:
        parts = {c.id: next(k for k in c.classes if k.code == int(table.at[area, f"{c.id}_code"])) for c in comps}
        codes[area] = int("".join(str(p.code) for p in parts.values()))
        labels[area] = _format_label(definition.overall.label, parts)
    return codes, labels


def _format_label(pattern: str, parts: dict[str, ClassDef]) -> str:
    out = pattern
    for cid, cls in parts.items():
        out = out.replace(f"{{{cid}.code}}", str(cls.code)).replace(f"{{{cid}.symbol}}", cls.symbol or "")
        out = out.replace(f"{{{cid}.label}}", cls.label_de)
    return out


def group_table(definition: IndexDef) -> list[tuple[int, str]]:
    """Every overall group (code, label) in order: MSS gives 12."""
    if not definition.overall:
        return []
    import itertools
    groups = []
    for combo in itertools.product(*(c.classes for c in definition.components)):
        parts = dict(zip((c.id for c in definition.components), combo))
        groups.append((int("".join(str(p.code) for p in combo)), _format_label(definition.overall.label, parts)))
    return groups
