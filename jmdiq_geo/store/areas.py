"""Repository of the areas and what describes them: levels, areas and their editions, programme
areas, grids, sources and the import log (a mixin of ``store.workspace.Workspace``)."""
from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely

from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.store.base import Repository, from_wkb
from jmdiq_geo.store.generation import generational


class AreasRepository(Repository):
    """Levels, areas (with their editions), programme areas, grids, sources and the import log."""

    # ------------------------------------------------------------------ writers
    def put_source(self, source: dict) -> None:
        """Add or update a source (unchanged rows are not rewritten)."""
        cols = ["source_id", "title", "publisher", "licence", "attribution", "url", "reference_date"]
        row = [source.get(c) for c in cols]
        current = self.con.execute(f"SELECT {', '.join(cols)} FROM sources WHERE source_id = ?",
                                   [source["source_id"]]).fetchone()
        if current is None or list(current) != row:
            self.con.execute(f"INSERT OR REPLACE INTO sources ({', '.join(cols)}) "
                             f"VALUES ({', '.join('?' * len(cols))})", row)

    def put_level(self, level: str, *, label_de: str, label_en: str, rank: int, parent_level: str | None) -> None:
        self.con.execute("INSERT OR REPLACE INTO area_levels VALUES (?, ?, ?, ?, ?)",
                         [level, label_de, label_en, rank, parent_level])

    def set_level_order(self, order: list[str], parents: dict[str, str | None]) -> None:
        """Renumber the levels' ranks in ``order`` (smallest areas first) and set each level's
        parent level (the level above it)."""
        for rank, level in enumerate(order):
            self.con.execute("UPDATE area_levels SET rank = ?, parent_level = ? WHERE level = ?",
                             [rank, parents.get(level), level])

    def set_parents(self, level: str, valid_from: date, parents: dict[str, str | None]) -> None:
        """Set the parent id of the areas of one edition of ``level`` (area id → parent id)."""
        self._area_cache.clear()
        frame = pd.DataFrame({"area_id": pd.Series(list(parents), dtype=object),
                              "parent_id": pd.Series(list(parents.values()), dtype=object),
                              "level": level, "valid_from": pd.Timestamp(valid_from)})
        self._with_frame("new_parents", frame,
                         "UPDATE areas SET parent_id = p.parent_id FROM new_parents p "
                         "WHERE areas.area_id = p.area_id AND areas.level = p.level "
                         "AND areas.valid_from = p.valid_from::DATE")

    def extent(self):
        """The bounding box (minx, miny, maxx, maxy) of all areas in the work CRS, None without any."""
        blobs = [r[0] for r in self.cursor().execute("SELECT geom FROM areas").fetchall()]
        if not blobs:
            return None
        return tuple(shapely.total_bounds(shapely.from_wkb([bytes(b) for b in blobs])))

    def replace_areas(self, gdf: gpd.GeoDataFrame, *, level: str, valid_from: date, valid_to: date | None,
                      source_id: str) -> None:
        """Store one edition of a level's areas (replacing that edition if it was imported before)."""
        self._area_cache.clear()
        frame = pd.DataFrame({
            "level": level, "area_id": gdf["area_id"].astype(str).to_numpy(),
            "name": gdf["name"].astype(object).to_numpy(), "parent_id": gdf["parent_id"].astype(object).to_numpy(),
            "valid_from": pd.Timestamp(valid_from), "valid_to": pd.Timestamp(valid_to) if valid_to else pd.NaT,
            "area_m2": gdf.geometry.area.to_numpy(), "geom": shapely.to_wkb(gdf.geometry.array),
            "source_id": source_id})
        self.con.execute("DELETE FROM areas WHERE level = ? AND valid_from = ?", [level, valid_from])
        # an older edition still open ends where this one begins; this one (if open) ends where
        # a newer one begins (editions may be imported in any order)
        self.con.execute("UPDATE areas SET valid_to = ? WHERE level = ? AND valid_from < ? "
                         "AND (valid_to IS NULL OR valid_to > ?)", [valid_from, level, valid_from, valid_from])
        if valid_to is None:
            newer = self.con.execute("SELECT min(valid_from) FROM areas WHERE level = ? AND valid_from > ?",
                                     [level, valid_from]).fetchone()[0]
            if newer is not None:
                frame["valid_to"] = pd.Timestamp(newer)
        self._with_frame("new_areas", frame, "INSERT INTO areas SELECT * FROM new_areas")

    def put_programme_areas(self, gdf: gpd.GeoDataFrame, *, source_id: str) -> None:
        frame = pd.DataFrame({
            "pa_id": gdf["pa_id"].to_numpy(), "name": gdf["name"].to_numpy(), "programme": gdf["programme"].to_numpy(),
            "since": pd.to_datetime(gdf["since"]), "until": pd.to_datetime(gdf["until"]),
            "members": gdf["members"].to_numpy(), "member_level": gdf["member_level"].to_numpy(),
            "area_m2": gdf.geometry.area.to_numpy(), "geom": shapely.to_wkb(gdf.geometry.array),
            "source_id": source_id})
        self._with_frame("new_pa", frame, "DELETE FROM programme_areas WHERE pa_id IN (SELECT pa_id FROM new_pa)",
                         "INSERT INTO programme_areas SELECT pa_id, name, programme, since::DATE, until::DATE, "
                         "members, member_level, area_m2, geom, source_id FROM new_pa")

    def replace_grid(self, grid: dict, cells: pd.DataFrame) -> None:
        """Write a grid (``grid``: grid_id, label, variable, kind, crs, cell_size_m, period,
        source_id, and optionally ``role``, see ``analysis.roles.GRID_ROLES``) and its cells."""
        self.con.execute("DELETE FROM grid_cells WHERE grid_id = ?", [grid["grid_id"]])
        if grid.get("role"):
            self.set_grid_role(grid["role"], grid["grid_id"])
        self.con.execute("INSERT OR REPLACE INTO grids VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [grid["grid_id"], grid.get("label"), grid["variable"], grid["kind"], grid["crs"],
                          grid["cell_size_m"], grid.get("period"), grid.get("source_id")])
        frame = pd.DataFrame({"grid_id": grid["grid_id"], "x": cells["x"].to_numpy(float),
                              "y": cells["y"].to_numpy(float), "value": cells["value"].to_numpy(float)})
        self._with_frame("new_cells", frame, "INSERT INTO grid_cells SELECT * FROM new_cells")

    def log_import(self, *, kind: str, file: str, sha256: str | None, source_id: str | None,
                   options: dict, report: dict) -> int:
        next_id = self.con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
        self.con.execute("INSERT INTO imports (import_id, kind, file, sha256, source_id, options, report) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [next_id, kind, file, sha256, source_id, json.dumps(options, ensure_ascii=False, default=str),
                          json.dumps(report, ensure_ascii=False, default=str)])
        return next_id

    # ------------------------------------------------------------------ readers
    @generational
    def levels(self) -> pd.DataFrame:
        """The area levels, lowest (smallest areas) first."""
        return self._df("SELECT * FROM area_levels ORDER BY rank")

    @generational
    def levels_in_order(self) -> list[str]:
        """Level ids from the lowest (smallest areas) to the top."""
        return [r[0] for r in self.cursor().execute("SELECT level FROM area_levels ORDER BY rank").fetchall()]

    def lowest_level(self) -> str:
        """The level of the smallest areas: values of higher levels are aggregated from it."""
        levels = self.levels_in_order()
        if not levels:
            raise SchemaError(Problem("workspace_no_levels", {"path": self.label}))
        return levels[0]

    def top_level(self) -> str:
        """The level of the largest areas (e.g. the Bezirke): the outlines drawn on every map."""
        levels = self.levels_in_order()
        if not levels:
            raise SchemaError(Problem("workspace_no_levels", {"path": self.label}))
        return levels[-1]

    @generational
    def levels_with_areas(self) -> set[str]:
        """The levels that have areas (levels without areas cannot be shown)."""
        return {r[0] for r in self.cursor().execute("SELECT DISTINCT level FROM areas").fetchall()}

    @generational
    def editions(self, level: str) -> list[date]:
        rows = self.cursor().execute("SELECT DISTINCT valid_from FROM areas WHERE level = ? ORDER BY 1",
                                     [level]).fetchall()
        return [r[0] for r in rows]

    def _edition(self, level: str, at: date | None) -> date | None:
        if at is not None:
            return at
        editions = self.editions(level)
        return editions[-1] if editions else None

    @generational
    def area_names(self, level: str, *, at: date | None = None) -> pd.DataFrame:
        """``area_id, name, parent_id`` of the areas valid at ``at`` (no geometry: cheap)."""
        at = self._edition(level, at)
        if at is None:
            return pd.DataFrame({"area_id": [], "name": [], "parent_id": []})
        return self._df("""SELECT area_id, name, parent_id FROM areas WHERE level = ? AND valid_from <= ?
                           AND (valid_to IS NULL OR valid_to > ?) ORDER BY area_id""", [level, at, at])

    def areas(self, level: str, *, at: date | None = None) -> gpd.GeoDataFrame:
        """The areas of ``level`` valid at ``at`` (default: the newest edition)."""
        if at is None:
            editions = self.editions(level)
            if not editions:
                return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in
                                         ("area_id", "name", "parent_id", "valid_from", "valid_to", "area_m2",
                                          "source_id")}, geometry=[], crs=self.work_crs)
            at = editions[-1]
        key = (level, at)
        if key not in self._area_cache or self._in_transaction:
            frame = self._df("""SELECT area_id, name, parent_id, valid_from, valid_to, area_m2, geom, source_id
                                FROM areas WHERE level = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)
                                ORDER BY area_id""", [level, at, at])
            geom = from_wkb(frame.pop("geom"))
            gdf = gpd.GeoDataFrame(frame, geometry=geom, crs=self.work_crs)
            if self._in_transaction:
                return gdf
            self._area_cache[key] = gdf
        return self._area_cache[key].copy()

    def has_programme_areas(self) -> bool:
        return self.cursor().execute("SELECT count(*) > 0 FROM programme_areas").fetchone()[0]

    def programme_areas(self) -> gpd.GeoDataFrame:
        frame = self._df("SELECT * FROM programme_areas ORDER BY pa_id")
        geom = from_wkb(frame.pop("geom"))
        return gpd.GeoDataFrame(frame, geometry=geom, crs=self.work_crs)

    def grids(self) -> pd.DataFrame:
        return self._df("SELECT g.*, (SELECT count(*) FROM grid_cells c WHERE c.grid_id = g.grid_id) AS n_cells "
                        "FROM grids g ORDER BY grid_id")

    def grid_roles(self) -> dict[str, str]:
        """role → grid id (meta ``grid_roles``), for grids that exist."""
        try:
            mapping = json.loads(self.meta().get("grid_roles") or "{}")
        except json.JSONDecodeError:
            raise SchemaError(Problem("manifest_syntax", {"reason": "meta grid_roles"})) from None
        have = set(self._df("SELECT grid_id FROM grids")["grid_id"])
        return {role: grid_id for role, grid_id in mapping.items() if grid_id in have}

    def set_grid_role(self, role: str, grid_id: str | None) -> None:
        """Give ``role`` to ``grid_id`` (None removes the role); one grid per role."""
        try:
            mapping = json.loads(self.meta().get("grid_roles") or "{}")
        except json.JSONDecodeError:
            mapping = {}
        if grid_id:
            mapping[role] = grid_id
        else:
            mapping.pop(role, None)
        self.set_meta(grid_roles=json.dumps(mapping, ensure_ascii=False, sort_keys=True))

    def grid_cells(self, grid_id: str) -> pd.DataFrame:
        return self._df("SELECT x, y, value FROM grid_cells WHERE grid_id = ?", [grid_id])

    def sources(self) -> pd.DataFrame:
        return self._df("""
            SELECT s.source_id, s.title, s.publisher, s.licence, s.attribution, s.url, s.reference_date,
                   (SELECT string_agg(DISTINCT i.file, ', ' ORDER BY i.file) FROM imports i
                     WHERE i.source_id = s.source_id) AS files,
                   (SELECT string_agg(DISTINCT strftime(period, '%Y-%m-%d'), ', ' ORDER BY strftime(period, '%Y-%m-%d'))
                      FROM indicator_values v WHERE v.source_id = s.source_id) AS periods,
                   (SELECT count(*) FROM indicator_values v WHERE v.source_id = s.source_id) AS n_values,
                   (SELECT count(*) FROM areas a WHERE a.source_id = s.source_id) AS n_areas,
                   (SELECT count(*) FROM services v WHERE v.source_id = s.source_id) AS n_services,
                   (SELECT count(*) FROM grid_cells c JOIN grids g USING (grid_id)
                     WHERE g.source_id = s.source_id) AS n_cells
            FROM sources s ORDER BY s.source_id""")

    def attributions(self, source_ids: list[str] | None = None) -> list[str]:
        sql = "SELECT DISTINCT coalesce(attribution, title || coalesce(', ' || licence, '')) FROM sources"
        params: list = []
        if source_ids:
            sql += f" WHERE source_id IN ({', '.join('?' * len(source_ids))})"
            params = list(source_ids)
        return [r[0] for r in self.cursor().execute(sql + " ORDER BY 1", params).fetchall()]

    def imports(self) -> pd.DataFrame:
        return self._df("SELECT * FROM imports ORDER BY import_id")

    def newest_import_id(self) -> int:
        """The import log's newest id (0 before the first import)."""
        return self.cursor().execute("SELECT coalesce(max(import_id), 0) FROM imports").fetchone()[0]

    def data_stamp(self) -> str:
        """Changes whenever anything is imported (sources and import log)."""
        row = self.cursor().execute("SELECT count(*), max(imported_at)::VARCHAR FROM imports").fetchone()
        return f"{row[0]}:{row[1]}"
