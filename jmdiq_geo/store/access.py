"""Repository of walking access: the pedestrian networks, the homes that are the origins, the
barrier features, and the cached access runs (a mixin of ``store.workspace.Workspace``)."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from jmdiq_geo.store.base import Repository, from_wkb


class AccessRepository(Repository):
    """Networks and their segments, origins, barriers and access runs."""

    # ------------------------------------------------------------------ network
    def replace_network(self, network_id: str, *, label: str, segments: pd.DataFrame, coverage,
                        source_id: str) -> None:
        frame = segments[["x1", "y1", "x2", "y2", "fclass"]].copy()
        frame.insert(0, "network_id", network_id)
        length = float(np.hypot(frame["x2"] - frame["x1"], frame["y2"] - frame["y1"]).sum() / 1000)
        self.con.execute("DELETE FROM network_segments WHERE network_id = ?", [network_id])
        self.con.execute("DELETE FROM networks WHERE network_id = ?", [network_id])
        self.con.execute("INSERT INTO networks VALUES (?, ?, ?, ?, ?, ?)",
                         [network_id, label, shapely.to_wkb(coverage) if coverage is not None else None,
                          len(frame), length, source_id])
        self._with_frame("new_segments", pa.Table.from_pandas(frame, preserve_index=False),
                         "INSERT INTO network_segments SELECT * FROM new_segments")

    def networks(self) -> pd.DataFrame:
        return self._df("SELECT network_id, label, n_segments, length_km, source_id FROM networks ORDER BY 1")

    def network_segments(self) -> pd.DataFrame:
        return self._df("SELECT x1, y1, x2, y2, fclass, network_id FROM network_segments")

    def network_coverage(self):
        """The union of the areas the stored networks cover (None without a network)."""
        blobs = [r[0] for r in self.cursor().execute(
            "SELECT coverage FROM networks WHERE coverage IS NOT NULL").fetchall()]
        return shapely.union_all(shapely.from_wkb(blobs)) if blobs else None

    # ------------------------------------------------------------------ origins and barriers
    def replace_origins(self, frame: pd.DataFrame, *, source_id: str, id_prefix: str) -> None:
        out = frame[["origin_id", "x", "y", "basis", "kind"]].copy()
        out["source_id"] = source_id
        self.con.execute("DELETE FROM origins WHERE starts_with(origin_id, ?)", [id_prefix + ":"])
        self._with_frame("new_origins", out, "INSERT INTO origins SELECT * FROM new_origins")

    def origins(self) -> pd.DataFrame:
        return self._df("SELECT * FROM origins ORDER BY origin_id")

    def replace_barriers(self, gdf: gpd.GeoDataFrame, *, source_id: str, id_prefix: str) -> None:
        frame = pd.DataFrame({"barrier_id": gdf["barrier_id"].to_numpy(), "kind": gdf["kind"].to_numpy(),
                              "class": gdf["class"].to_numpy(), "name": gdf["name"].to_numpy(),
                              "geom": shapely.to_wkb(gdf.geometry.array), "source_id": source_id})
        self.con.execute("DELETE FROM barriers WHERE starts_with(barrier_id, ?)", [id_prefix + ":"])
        self._with_frame("new_barriers", frame, "INSERT INTO barriers SELECT * FROM new_barriers")

    def barriers(self, *, within=None) -> gpd.GeoDataFrame:
        frame = self._df("SELECT * FROM barriers ORDER BY barrier_id")
        geom = from_wkb(frame.pop("geom"))
        gdf = gpd.GeoDataFrame(frame, geometry=geom, crs=self.work_crs)
        if within is not None and len(gdf):
            gdf = gdf[gdf.intersects(within)]
        return gdf

    # ------------------------------------------------------------------ access runs
    def access_run(self, run_key: str) -> dict | None:
        row = self.cursor().execute("SELECT origins, areas, pairs, report FROM access_runs WHERE run_key = ?",
                                    [run_key]).fetchone()
        if row is None:
            return None
        import io
        return {"origins": pd.read_parquet(io.BytesIO(row[0])), "areas": pd.read_parquet(io.BytesIO(row[1])),
                "pairs": pd.read_parquet(io.BytesIO(row[2])), "report": json.loads(row[3])}

    def nominal_access_runs(self) -> list[dict]:
        """The stored run of each category without a persona (what the Zugang page computed last):
        category, when it was computed, its per-area table and its report."""
        import io
        rows = self.cursor().execute("SELECT category, created_at, areas, report FROM access_runs "
                                     "WHERE persona IS NULL ORDER BY category").fetchall()
        return [{"category": c, "created_at": at, "areas": pd.read_parquet(io.BytesIO(a)), "report": json.loads(r)}
                for c, at, a, r in rows]

    def put_access_run(self, run_key: str, *, category: str, persona: str | None, origins: pd.DataFrame,
                       areas: pd.DataFrame, pairs: pd.DataFrame, report: dict) -> None:
        """Cache one run; older runs of the same category and persona are dropped (their inputs
        or settings changed, so their key can never be asked for again)."""
        import io

        def blob(frame):
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False)
            return buf.getvalue()
        with self.transaction():
            self.con.execute("DELETE FROM access_runs WHERE run_key = ? OR (category = ? AND persona IS NOT DISTINCT FROM ?)",
                             [run_key, category, persona])
            self.con.execute("INSERT INTO access_runs VALUES (?, ?, ?, current_timestamp, ?, ?, ?, ?)",
                             [run_key, category, persona, blob(origins), blob(areas), blob(pairs),
                              json.dumps(report, ensure_ascii=False, default=str)])
