"""Definitions kept in the workspace: composite indices a user copied and changed, and derived
indicators (from the data package or defined in the app), which are recomputed whenever their
inputs are imported again. (Orchestration above store/ and analysis/, like maplayer.py.)"""
from __future__ import annotations

from dataclasses import asdict, fields

import pandas as pd

from jmdiq_geo.analysis.derived import SURFACE_M2, DerivedDef, derive_values
from jmdiq_geo.analysis.index import IndexDef
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.io.indexdefs import index_from_dict, index_to_dict
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.services.auth import authorize


def save_index(ws: Workspace, definition: IndexDef, *, based_on: str | None = None) -> None:
    """Check the definition against the workspace's indicators, then store it (replacing one of
    the same id)."""
    authorize("configure")
    body = index_to_dict(definition)
    index_from_dict(body, known_indicators=ws.indicator_ids())
    with ws.transaction():
        ws.put_index_definition(definition.id, label_de=definition.label_de, body=body, based_on=based_on)


def stored_indices(ws: Workspace) -> dict[str, IndexDef]:
    return {i: index_from_dict(b) for i, b in ws.index_definition_bodies().items()}


def stored_index(ws: Workspace, index_id: str) -> IndexDef | None:
    body = ws.index_definition_body(index_id)
    return index_from_dict(body) if body is not None else None


# --------------------------------------------------------------------------- derived indicators

def check_derived(ws: Workspace, d: DerivedDef) -> None:
    """A derived indicator needs a new id, known inputs, and counts (extensive) as inputs."""
    problems = []
    kinds = ws.indicator_kinds()
    stored = {x.indicator_id for x in stored_derived(ws)}
    if not d.indicator_id or not d.indicator_id.replace("_", "").isalnum():
        problems.append(Problem("derived_bad_id", {"id": d.indicator_id}))
    elif d.indicator_id in kinds and d.indicator_id not in stored:
        problems.append(Problem("derived_id_taken", {"id": d.indicator_id}))
    if not d.sum and not d.density and not (d.numerator and d.denominator):
        problems.append(Problem("derived_incomplete", {"id": d.indicator_id}))
    if d.density and d.per not in SURFACE_M2:
        problems.append(Problem("derived_bad_per", {"per": d.per, "known": ", ".join(SURFACE_M2)}))
    unknown = [i for i in d.inputs() if i not in kinds]
    if unknown:
        problems.append(Problem("indicator_unknown", {"indicators": ", ".join(unknown)}))
    # a density is a rate by nature; everything else must be built from counts
    not_counts = [] if d.density else [i for i in d.inputs() if kinds.get(i) not in (None, "extensive")]
    if not_counts:
        problems.append(Problem("derived_needs_counts", {"indicators": ", ".join(not_counts)}))
    if problems:
        raise SchemaError(problems)


def set_denominator(ws: Workspace, indicator_id: str, denominator: str | None) -> None:
    """Give a rate the count it is a share of (so higher levels, the whole city and quarters can
    weight it); None removes it. The denominator must be a count of the workspace."""
    authorize("configure")
    kinds = ws.indicator_kinds()
    problems = []
    if indicator_id not in kinds:
        problems.append(Problem("indicator_unknown", {"indicators": indicator_id}))
    elif kinds[indicator_id] != "intensive":
        problems.append(Problem("denominator_not_rate", {"indicator": indicator_id, "kind": kinds[indicator_id]}))
    if denominator and kinds.get(denominator) != "extensive":
        problems.append(Problem("denominator_not_count", {"indicator": denominator}))
    if problems:
        raise SchemaError(problems)
    row = ws.indicators().set_index("indicator_id").loc[indicator_id].to_dict()
    with ws.transaction():
        ws.put_indicators([{**row, "indicator_id": indicator_id, "denominator": denominator or None}])


def save_derived(ws: Workspace, d: DerivedDef) -> dict[str, int]:
    """Check, store and compute a derived indicator; returns the number of values written."""
    authorize("configure")
    check_derived(ws, d)
    with ws.transaction():
        ws.put_derived_definition(d.indicator_id, asdict(d))
        return apply_derived(ws, [d])


def stored_derived(ws: Workspace) -> list[DerivedDef]:
    """In the order they were defined (a derived indicator may use an earlier one)."""
    allowed = {f.name for f in fields(DerivedDef)}
    return [DerivedDef(**{k: v for k, v in body.items() if k in allowed}) for body in ws.derived_definition_bodies()]


def apply_derived(ws: Workspace, definitions: list[DerivedDef]) -> dict[str, int]:
    """Compute and store derived indicators on every level that has their inputs (in order).
    Their definitions are kept in the workspace so later imports refresh them."""
    counts: dict[str, int] = {}
    levels = ws.value_levels()
    with ws.transaction():
        ws.put_indicators([d.definition() for d in definitions])
        for d in definitions:
            ws.put_derived_definition(d.indicator_id, asdict(d))
            counts[d.indicator_id] = 0
            for level in levels:
                values = ws.values_long(level=level, indicator_ids=d.inputs())
                if values.empty:
                    continue
                source = ws.value_source(level=level, indicator_id=d.inputs()[0])
                area_m2 = None
                if d.density:
                    areas = ws.areas(level)
                    area_m2 = pd.Series(areas["area_m2"].to_numpy(float), index=areas["area_id"].to_numpy())
                out = derive_values(values, d, area_m2=area_m2).assign(level=level, source_id=source)
                # only where every input has a value: periods without any would offer empty maps
                # (the old values go first, so a value that can no longer be derived is gone too)
                ws.delete_values(level=level, indicator_id=d.indicator_id)
                out = out[out["value"].notna()]
                if not out.empty:
                    ws.put_values(out)
                counts[d.indicator_id] += len(out)
    return counts
