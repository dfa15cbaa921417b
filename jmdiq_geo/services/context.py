"""The maps' context layers (main streets, water, railways, parks), drawn from the workspace.

``context_layers(ws)`` is what every map (the Leaflet maps here, the print maps of
``render.print_map``) draws for orientation: what ``jmdiq-geo import context`` (or a data
package's ``[[context]]``) stored, and where a layer was never imported, what the workspace
holds anyway: the main streets of its walking network, the railways and water of its barrier
layer. Never a tile server.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.io.catalogues import osm_context
from jmdiq_geo.io.context import CONTEXT_LAYERS
from jmdiq_geo.store.workspace import Workspace

COLUMNS = ["class", "name", "source_id", "geometry"]


def _frame(ws: Workspace, frame: pd.DataFrame, geometry) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame({c: frame[c].to_numpy(object) if c in frame else None for c in COLUMNS[:-1]},
                           geometry=geometry, crs=ws.work_crs)
    return out[~out.geometry.is_empty].reset_index(drop=True)


def _streets_from_network(ws: Workspace) -> gpd.GeoDataFrame | None:
    """The main streets of the stored walking networks (segments whose class is a main road's
    OSM value), merged into lines per class."""
    networks = ws.networks()
    if networks.empty:
        return None
    main = set(osm_context()["streets"]["highway"])
    seg = ws.network_segments()
    seg = seg[seg["fclass"].astype(str).isin(main)]
    if seg.empty:
        return None
    source = networks.set_index("network_id")["source_id"]
    rows, geoms = [], []
    for (cls, network_id), part in seg.groupby(["fclass", "network_id"], sort=True):
        lines = shapely.linestrings(np.stack([part[["x1", "y1"]].to_numpy(), part[["x2", "y2"]].to_numpy()], axis=1))
        merged = shapely.line_merge(shapely.union_all(lines))
        for g in shapely.get_parts(merged):
            rows.append({"class": cls, "name": None, "source_id": source.get(network_id)})
            geoms.append(g)
    return _frame(ws, pd.DataFrame(rows), geoms)


def _from_barriers(ws: Workspace) -> dict[str, gpd.GeoDataFrame]:
    """Railways and water of the barrier layer (imported for walking access)."""
    barriers = ws.barriers()
    out = {}
    for kind, layer in (("rail", "rail"), ("water", "water")):
        part = barriers[barriers["kind"] == kind]
        if len(part):
            out[layer] = _frame(ws, part, part.geometry.to_numpy())
    return out


def context_layers(ws: Workspace) -> dict[str, gpd.GeoDataFrame]:
    """Layer (``streets``, ``water``, ``rail``, ``parks``) → its features (class, name,
    source_id, geometry in the work CRS); only the layers the workspace has (empty dict: none).
    Imported context layers come first; a layer never imported is taken from the walking
    network (streets) or the barriers (rail, water) when the workspace holds them."""
    stored = ws.context_features()
    out: dict[str, gpd.GeoDataFrame] = {}
    for layer in CONTEXT_LAYERS:
        part = stored[stored["layer"] == layer]
        if len(part):
            out[layer] = _frame(ws, part, part.geometry.to_numpy())
    if "streets" not in out:
        streets = _streets_from_network(ws)
        if streets is not None and len(streets):
            out["streets"] = streets
    for layer, frame in _from_barriers(ws).items():
        out.setdefault(layer, frame)
    return {layer: out[layer] for layer in CONTEXT_LAYERS if layer in out}


def context_sources(layers: dict[str, gpd.GeoDataFrame]) -> list[str]:
    """The source ids of the context drawn (every map names all its sources)."""
    ids: set[str] = set()
    for frame in layers.values():
        ids |= {s for s in frame["source_id"].dropna().astype(str)}
    return sorted(ids)
