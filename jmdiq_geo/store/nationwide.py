"""Nationwide layers read in place, and the context outlines of a workspace.

- ``read_parquet_cells``: one variable of a nationwide grid (a parquet file with cell centres
  ``x``/``y``), filtered by a bounding box *inside DuckDB*, so only the cells of that box reach
  Python (as an arrow table). Values below 0 (the Zensus code −1: no value or suppressed) come
  back as NULL.
- ``NationwideRepository`` (a mixin of ``store.workspace.Workspace``): whole grids inserted
  from their parquet files by DuckDB itself (one ``INSERT … SELECT … FROM read_parquet``: nothing
  goes through pandas), and the context outlines (the Kreis and Land around a Gemeinde) drawn on the
  maps but not part of the level hierarchy.
"""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from jmdiq_geo.store.base import Repository, from_wkb

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _value_sql(column: str) -> str:
    if not _IDENTIFIER.match(column):
        raise ValueError(f"not a column name: {column!r}")
    return f'CASE WHEN "{column}" < 0 THEN NULL ELSE "{column}"::DOUBLE END'


def _box_sql(bbox) -> tuple[str, list]:
    if bbox is None:
        return "", []
    minx, miny, maxx, maxy = (float(v) for v in bbox)
    return " WHERE x BETWEEN ? AND ? AND y BETWEEN ? AND ?", [minx, maxx, miny, maxy]


def read_parquet_cells(path: Path | str, *, column: str, bbox=None) -> pa.Table:
    """``x, y, value`` of the cells of ``path`` whose centre lies in ``bbox`` (minx, miny, maxx,
    maxy in the grid's CRS; None: all), read by DuckDB with the filter pushed into the scan."""
    where, params = _box_sql(bbox)
    with duckdb.connect() as con:
        return con.execute(f"SELECT x::DOUBLE AS x, y::DOUBLE AS y, {_value_sql(column)} AS value "
                           f"FROM read_parquet(?){where}", [str(path), *params]).to_arrow_table()


class NationwideRepository(Repository):
    """Grids inserted straight from parquet, and context outlines."""

    def put_grids(self, grids: list[dict]) -> None:
        """Add or replace the ``grids`` rows (with their roles) of grids whose cells come from
        parquet files next (``insert_cells_from_parquet``); their old cells are removed."""
        for grid in grids:
            self.con.execute("DELETE FROM grid_cells WHERE grid_id = ?", [grid["grid_id"]])
            self.con.execute("INSERT OR REPLACE INTO grids VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [grid["grid_id"], grid.get("label"), grid["variable"], grid["kind"], grid["crs"],
                              grid["cell_size_m"], grid.get("period"), grid.get("source_id")])
            if grid.get("role"):
                self.set_grid_role(grid["role"], grid["grid_id"])

    def insert_cells_from_parquet(self, files: list[tuple[str, Path | str, str]], *,
                                  own_transaction: bool = False) -> dict[str, int]:
        """Insert every cell of each file (``(grid id, parquet file, value column)``), one
        ``INSERT … SELECT … FROM read_parquet(…)`` per file: DuckDB reads and inserts (nothing
        goes through pandas), the cells stored in the order of the files and of their rows.
        Values below 0 are stored as NULL. (One ``INSERT … UNION ALL …`` of all files takes as
        long alone but 0.2 s more CPU — DuckDB then scans two files at once — and in the
        ``germany`` build, where other threads want the second core, it came out slower.)

        By default the cells go in through the workspace's connection (part of the transaction
        open there), with the GIL released while DuckDB works: the insert may run in another
        thread while the thread holding the write transaction waits for it and does nothing else
        with the workspace meanwhile.

        ``own_transaction``: the cells go in through a connection of their own, in a transaction
        of their own, committed when they are in (rolled back if any file fails); the workspace's
        connection may meanwhile write the rest of a build in its transaction, from another
        thread. Only for a build into a file that is moved into place when everything is written
        (so that nobody sees one commit without the other), and only when that build writes no
        cells itself.

        Returns the number of cells inserted per grid (as DuckDB counted them)."""
        con = self.con.cursor() if own_transaction else self.con
        try:
            if own_transaction:
                if self.url:
                    con.execute("USE pg")
                con.execute("BEGIN TRANSACTION")
            counts: dict[str, int] = {}
            for grid_id, path, column in files:
                n = con.execute(f"INSERT INTO grid_cells SELECT ?::VARCHAR, x::DOUBLE, y::DOUBLE, "
                                f"{_value_sql(column)} FROM read_parquet(?)", [grid_id, str(path)]).fetchone()[0]
                counts[grid_id] = counts.get(grid_id, 0) + int(n)
            if own_transaction:
                con.execute("COMMIT")
            return counts
        finally:
            if own_transaction:
                con.close()          # a transaction still open (an insert failed) is rolled back

    def replace_context_areas(self, gdf: gpd.GeoDataFrame, *, kind: str, source_id: str) -> None:
        """Store the context outlines of ``kind`` (e.g. the Kreis and the Land around the
        workspace's areas), replacing those stored before. ``gdf``: area_id, name, label, geometry
        in the work CRS."""
        frame = pd.DataFrame({"kind": kind, "area_id": gdf["area_id"].astype(str).to_numpy(),
                              "name": gdf["name"].astype(object).to_numpy(),
                              "label": gdf["label"].astype(object).to_numpy(),
                              "geom": shapely.to_wkb(gdf.geometry.array), "source_id": source_id})
        self.con.execute("DELETE FROM context_areas WHERE kind = ?", [kind])
        self._with_frame("new_context", frame, "INSERT INTO context_areas SELECT * FROM new_context")

    def context_areas(self) -> gpd.GeoDataFrame:
        """The context outlines (kind, area_id, name, label, source_id, geometry in the work CRS)."""
        frame = self._df("SELECT kind, area_id, name, label, geom, source_id FROM context_areas ORDER BY kind, area_id")
        geom = from_wkb(frame.pop("geom"))
        crs = self.meta().get("work_crs") or None
        return gpd.GeoDataFrame(frame, geometry=geom, crs=crs)
