"""Repository of the maps' context layers (main streets, water, railways, parks): a mixin of
``store.workspace.Workspace``."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from jmdiq_geo.store.base import Repository, from_wkb


class ContextRepository(Repository):
    """Context features: layer, class, name, geometry (work CRS), source."""

    def replace_context_features(self, gdf: gpd.GeoDataFrame, *, source_id: str, file: str) -> None:
        """Store ``gdf`` (layer, class, name, geometry in the work CRS) from ``file``, replacing
        what the same file of the same source gave before."""
        frame = pd.DataFrame({"layer": gdf["layer"].astype(str).to_numpy(),
                              "class": gdf["class"].astype(object).to_numpy(),
                              "name": gdf["name"].astype(object).to_numpy(),
                              "geom": shapely.to_wkb(gdf.geometry.array), "source_id": source_id, "file": file})
        self.con.execute("DELETE FROM context_features WHERE source_id = ? AND file = ?", [source_id, file])
        self._with_frame("new_context_features", frame,
                         "INSERT INTO context_features SELECT * FROM new_context_features")

    def context_features(self, layer: str | None = None) -> gpd.GeoDataFrame:
        """The stored context features (layer, class, name, source_id, geometry in the work CRS)."""
        where, params = ("WHERE layer = ?", [layer]) if layer else ("", [])
        frame = self._df(f"SELECT layer, class, name, geom, source_id FROM context_features {where} "
                         "ORDER BY layer, rowid", params)
        geom = from_wkb(frame.pop("geom"))
        return gpd.GeoDataFrame(frame, geometry=geom, crs=self.meta().get("work_crs") or None)

    def context_layer_counts(self) -> dict[str, int]:
        rows = self.cursor().execute("SELECT layer, count(*) FROM context_features GROUP BY 1 ORDER BY 1").fetchall()
        return {r[0]: int(r[1]) for r in rows}
