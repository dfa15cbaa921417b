"""Repository of the services (Kitas, schools, youth clubs …) and the staff's edits of them:
imported rows stay as imported, staff changes and hidden services are kept apart in
``service_edits`` so a re-import keeps them (a mixin of ``store.workspace.Workspace``)."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.store.base import Repository, from_wkb

#: service attributes staff can edit (columns of ``services``)
SERVICE_FIELDS = ("category", "name", "address", "languages", "opening_hours", "barrier_free", "cost",
                  "age_min", "age_max", "capacity")


class ServicesRepository(Repository):
    """Services, staff edits of them, and the stamp that changes with either."""

    # ------------------------------------------------------------------ services
    def replace_services(self, gdf: gpd.GeoDataFrame, *, source_id: str, id_prefix: str) -> None:
        """Replace the services imported from one file (ids ``<id_prefix>:…``); services that
        staff entered in the app (origin ``user``) stay untouched."""
        cols = ["service_id", "category", "name", "address", "languages", "opening_hours", "barrier_free",
                "cost", "age_min", "age_max", "capacity", "attributes"]
        frame = pd.DataFrame({c: (gdf[c].to_numpy() if c in gdf else None) for c in cols})
        frame["origin"] = "import"
        frame["geom"] = shapely.to_wkb(gdf.geometry.array)
        frame["source_id"] = source_id
        self.con.execute("DELETE FROM services WHERE origin = 'import' AND starts_with(service_id, ?)",
                         [id_prefix + ":"])
        self._with_frame("new_services", frame, "INSERT INTO services SELECT * FROM new_services")

    def services(self, *, category: str | None = None, include_hidden: bool = False,
                 service_id: str | None = None) -> gpd.GeoDataFrame:
        """Services with the staff's edits applied (column ``edited``); services staff removed
        are left out unless ``include_hidden`` (column ``hidden``); ``service_id``: only that one."""
        where, params = ("WHERE s.service_id = ? ", [service_id]) if service_id is not None else ("", [])
        frame = self._df("SELECT s.*, e.body AS edit_body, coalesce(e.deleted, false) AS hidden "
                         f"FROM services s LEFT JOIN service_edits e USING (service_id) {where}ORDER BY service_id",
                         params)
        frame["edited"] = frame["edit_body"].notna() | (frame["origin"] == "user")
        for i in np.flatnonzero(frame["edit_body"].notna().to_numpy()):
            for key, value in json.loads(frame.at[i, "edit_body"]).items():
                if key in SERVICE_FIELDS:
                    frame.at[i, key] = value
        frame = frame.drop(columns="edit_body")
        if not include_hidden:
            frame = frame[~frame["hidden"]]
        if category:
            frame = frame[frame["category"] == category]
        frame = frame.reset_index(drop=True)
        geom = from_wkb(frame.pop("geom"))
        return gpd.GeoDataFrame(frame, geometry=geom, crs=self.work_crs)

    def edit_service(self, service_id: str, changes: dict, *, user: str | None = None) -> None:
        """Record staff changes to a service. Imported services keep their imported row (a
        re-import refreshes it) and get the changes as an overlay; services staff added are
        changed in place."""
        unknown = sorted(set(changes) - set(SERVICE_FIELDS))
        if unknown:
            raise ValueError(f"unknown service fields: {unknown}")
        with self.transaction():
            if self._service_origin(service_id) == "user":
                for key, value in changes.items():
                    self.con.execute(f"UPDATE services SET {key} = ? WHERE service_id = ?", [value, service_id])
                return
            old = self.con.execute("SELECT body, deleted FROM service_edits WHERE service_id = ?",
                                   [service_id]).fetchone()
            body = {**(json.loads(old[0]) if old else {}), **changes}
            self.con.execute("DELETE FROM service_edits WHERE service_id = ?", [service_id])
            # a hidden service stays hidden when staff correct it
            self.con.execute("INSERT INTO service_edits VALUES (?, ?, ?, current_timestamp, ?)",
                             [service_id, json.dumps(body, ensure_ascii=False), bool(old[1]) if old else False, user])

    def service_categories(self) -> set[str]:
        """The categories of the services staff have not removed (no geometry read)."""
        rows = self.cursor().execute("SELECT DISTINCT s.category FROM services s LEFT JOIN service_edits e "
                                     "USING (service_id) WHERE NOT coalesce(e.deleted, false)").fetchall()
        return {r[0] for r in rows}

    def service_edit_count(self, id_prefix: str) -> int:
        """How many services with ids ``<id_prefix>:…`` staff changed or hid."""
        return self.cursor().execute("SELECT count(*) FROM service_edits WHERE starts_with(service_id, ?)",
                                     [id_prefix + ":"]).fetchone()[0]

    def _service_origin(self, service_id: str) -> str:
        """``import`` or ``user``; KeyError for an unknown service."""
        row = self.con.execute("SELECT origin FROM services WHERE service_id = ?", [service_id]).fetchone()
        if row is None:
            raise KeyError(service_id)
        return row[0]

    def add_service(self, record: dict, *, x: float, y: float, user: str | None = None) -> str:
        """A service staff know and no dataset has (origin ``user``; never touched by imports)."""
        import uuid
        service_id = f"user:{uuid.uuid4().hex[:10]}"
        values = {k: record.get(k) for k in SERVICE_FIELDS}
        with self.transaction():
            self.con.execute(
                "INSERT INTO services (service_id, category, name, address, languages, opening_hours, barrier_free, "
                "cost, age_min, age_max, capacity, attributes, origin, geom, source_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'user', ?, NULL)",
                [service_id, *(values[k] for k in SERVICE_FIELDS), json.dumps({"added_by": user}),
                 shapely.to_wkb(shapely.Point(x, y))])
        return service_id

    def remove_service(self, service_id: str, *, user: str | None = None) -> None:
        """Remove a staff service, or hide an imported one (kept hidden across re-imports)."""
        with self.transaction():
            if self._service_origin(service_id) == "user":
                self.con.execute("DELETE FROM services WHERE service_id = ?", [service_id])
                return
            old = self.con.execute("SELECT body FROM service_edits WHERE service_id = ?", [service_id]).fetchone()
            self.con.execute("DELETE FROM service_edits WHERE service_id = ?", [service_id])
            self.con.execute("INSERT INTO service_edits VALUES (?, ?, true, current_timestamp, ?)",
                             [service_id, old[0] if old else "{}", user])

    def revert_service(self, service_id: str) -> None:
        """Drop the staff's changes to an imported service (shows the imported record again)."""
        with self.transaction():
            self.con.execute("DELETE FROM service_edits WHERE service_id = ?", [service_id])

    def services_stamp(self) -> str:
        """Changes whenever staff add, change, hide or restore a service (or anything is imported)."""
        row = self.cursor().execute(
            "SELECT (SELECT count(*) FROM services WHERE origin = 'user'), "
            "(SELECT count(*) FROM service_edits), (SELECT max(updated_at)::VARCHAR FROM service_edits), "
            "(SELECT sum(hash(body, deleted)) FROM service_edits)").fetchone()
        return f"{self.data_stamp()}|{row}"
