"""Which area of the level above holds an area: parents from geometry, where a city's boundary
file names none (no parent column, no key prefix).

Each child goes to the parent that covers most of its surface. A child whose largest share is
below ``FITS`` lies in no parent (it sticks out of the city's areas above); one whose largest
share is below ``CLEAN`` straddles two parents (boundaries of two editions, or a coarse outline):
both are reported by name, never silently assigned.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.crs import require_same_crs

#: the share of a child's surface its parent must cover for the child to count as inside it
FITS = 0.5
#: below this share of its surface in one parent, a child straddles two
CLEAN = 0.9


def assign_parents(children: gpd.GeoDataFrame, parents: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per child (index = the children's index): ``area_id``, ``parent_id`` (None where
    no parent covers ``FITS`` of it), ``share`` (of its surface in that parent) and ``status``
    (``inside``, ``straddles`` or ``outside``)."""
    require_same_crs(children, parents)
    child_geoms = children.geometry.to_numpy()
    parent_geoms = parents.geometry.to_numpy()
    parent_ids = parents["area_id"].astype(str).to_numpy()
    best_id = np.full(len(children), None, dtype=object)
    best_share = np.zeros(len(children))
    if len(children) and len(parents):
        child_idx, parent_idx = parents.sindex.query(child_geoms, predicate="intersects")
        overlap = shapely.area(shapely.intersection(child_geoms[child_idx], parent_geoms[parent_idx]))
        own = shapely.area(child_geoms[child_idx])
        share = np.divide(overlap, own, out=np.zeros_like(overlap), where=own > 0)
        # the largest share per child: sort by (child, share) and keep each child's last row
        order = np.lexsort((share, child_idx))
        last = np.r_[child_idx[order][1:] != child_idx[order][:-1], True]
        keep = order[last]
        best_share[child_idx[keep]] = share[keep]
        best_id[child_idx[keep]] = parent_ids[parent_idx[keep]]
    status = np.where(best_share >= CLEAN, "inside", np.where(best_share >= FITS, "straddles", "outside"))
    parent = np.where(best_share >= FITS, best_id, None)
    return pd.DataFrame({"area_id": children["area_id"].astype(str).to_numpy(),
                         "parent_id": pd.Series(list(parent), index=children.index, dtype=object),
                         "share": best_share, "status": status}, index=children.index)
