"""Grid cells as a map and quarters from grids, on Berlin's Zensus 2022 grids.

    .venv/bin/python benchmarks/bench_grid_quarter.py [--db WORKSPACE]

(1) The 100 m grid of persons of foreign citizenship as a Karte (20,000+ cells, the size of a
large town): ``services.grids.grid_layer`` (privacy rules, clipped to the outline) + the map
description + drawing + standalone HTML, against the naive map a user would write: the same
squares reprojected with geopandas and handed to ``folium.GeoJson`` whole (no privacy, no
clipping, no classes).
(2) Residents and foreign citizens of 40 generated circles (600–1,500 m, seeded) from the grids
(``services.grids.grid_numbers``: the 1 km residents spread over the inhabited 100 m cells),
against the bare floor of the same sums: ``geopandas.overlay`` of the 1 km and 100 m squares with
the circles and area-weighted sums (surface shares only). Conservation is checked with each
circle and the rest of the grid's extent.
(3) Which weighting: the residents of Berlin's 542 Planungsräume from the grids, spread over the
inhabited 100 m cells evenly (presence, the method), by their counts, or by surface share, against
the registered residents (31.12.2024, an independent source): the sum of absolute differences
over the total after scaling to the registry's total, and the correlation.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dataclasses import replace  # noqa: E402
from datetime import date  # noqa: E402

from jmdiq_geo.analysis.interpolate import grid_cells, resident_pieces  # noqa: E402
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.crs import to_work_crs  # noqa: E402
from jmdiq_geo.render.indicator_map import draw  # noqa: E402
from jmdiq_geo.render.maps import standalone_html  # noqa: E402
from jmdiq_geo.services.grids import grid_basis, grid_for_role, grid_numbers, outline  # noqa: E402
from jmdiq_geo.services.maps import describe_grid_map  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def best(fn, n=3):
    times, out = [], None
    for _ in range(n):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    settings = Settings.from_env()
    db = Path(args.db) if args.db else settings.db_path
    with Workspace(db, read_only=True) as ws:
        fine_id, res_id = grid_for_role(ws, "foreigners"), grid_for_role(ws, "residents")
        meta = ws.grids().set_index("grid_id")

        def ours_map():
            d = describe_grid_map(ws, grid_id=fine_id, settings=settings)
            return standalone_html(draw(d, outlines=ws.areas(d.outline_level)))

        def naive_map():
            cells = grid_cells(ws.grid_cells(fine_id), cell_size_m=float(meta.at[fine_id, "cell_size_m"]),
                               crs=meta.at[fine_id, "crs"])
            shown = to_work_crs(cells, "EPSG:4326")
            m = folium.Map(tiles=None)
            folium.GeoJson(shown.to_json()).add_to(m)
            return m.get_root().render()
        ours_s, ours_html = best(ours_map)
        naive_s, naive_html = best(naive_map)
        print(f"(1) the 100 m grid ({len(ws.grid_cells(fine_id)):,} cells) as a standalone map")
        print(f"  naive folium.GeoJson of all squares: {naive_s:6.2f} s  {len(naive_html) / 1e6:5.1f} MB   1.0×")
        print(f"  jmdiq-geo (privacy, clip, classes):  {ours_s:6.2f} s  {len(ours_html) / 1e6:5.1f} MB   "
              f"{ours_s / naive_s:.2f}×")

        basis = grid_basis(ws)
        city = outline(ws)
        rng = np.random.default_rng(42)
        minx, miny, maxx, maxy = city.bounds
        circles = []
        while len(circles) < 40:
            p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if city.contains(p):
                circles.append(p.buffer(rng.uniform(600, 1500)))
        start = time.perf_counter()
        ours = [grid_numbers(c, work_crs=ws.work_crs, basis=basis, settings=settings) for c in circles]
        ours_s = time.perf_counter() - start

        def floor():
            km = to_work_crs(grid_cells(ws.grid_cells(res_id).dropna(), cell_size_m=1000.0,
                                        crs=meta.at[res_id, "crs"]), ws.work_crs)
            fine = to_work_crs(grid_cells(ws.grid_cells(fine_id).dropna(), cell_size_m=100.0,
                                          crs=meta.at[fine_id, "crs"]), ws.work_crs)
            targets = gpd.GeoDataFrame({"t": range(len(circles))}, geometry=circles, crs=ws.work_crs)
            out = []
            for cells in (km, fine):
                cells = cells.assign(a=cells.geometry.area)
                pieces = gpd.overlay(cells.reset_index(drop=True), targets, how="intersection", keep_geom_type=False)
                out.append((pieces["value"] * pieces.geometry.area / pieces["a"]).groupby(pieces["t"]).sum())
            return out
        start = time.perf_counter()
        floor_res, floor_fine = floor()
        floor_s = time.perf_counter() - start
        extent = shapely.box(*shapely.union_all(basis.residents.geometry.array).bounds).buffer(10)
        extent = to_work_crs(gpd.GeoDataFrame(geometry=[extent], crs=basis.crs), ws.work_crs).geometry.iloc[0]
        total_r = float(basis.residents["value"].sum())
        total_f = float(basis.foreigners["value"].sum())
        worst = 0.0
        for c in circles[:10]:
            parts = [grid_numbers(g, work_crs=ws.work_crs, basis=basis, settings=settings) for g in
                     (c, extent.difference(c))]
            worst = max(worst, abs(sum(p.line("residents").raw for p in parts) - total_r) / total_r,
                        abs(sum(p.line("foreigners").raw for p in parts) - total_f) / total_f)
        fine_diff = max(abs(o.line("foreigners").raw - f) for o, f in zip(ours, floor_fine.reindex(range(40),
                                                                                                  fill_value=0)))
        surface = floor_res.reindex(range(40), fill_value=0.0).to_numpy()
        shift = np.abs(np.array([o.line("residents").raw for o in ours]) - surface).sum() / surface.sum()
        print(f"(2) residents and foreign citizens of 40 circles from the grids ({res_id}, {fine_id})")
        print(f"  floor: geopandas.overlay, surface shares: {floor_s:6.2f} s   1.0×")
        print(f"  jmdiq-geo (inhabited 100 m weighting):    {ours_s:6.2f} s   {ours_s / floor_s:.2f}×")
        print(f"  largest deviation of the conserved totals (circle + rest): {100 * worst:.6f} %")
        print(f"  foreign citizens: same as the floor to {fine_diff:.2e} persons per circle")
        print(f"  residents: the inhabited weighting moves the surface-share estimate by {100 * shift:.1f} % "
              "of the total (people do not live evenly in a 1 km cell)")

        if "plr" not in ws.levels_in_order():
            return
        plr = ws.areas("plr")
        registry = ws.values("ew", period=date(2024, 12, 31), level="plr").reindex(plr["area_id"]).to_numpy()
        ok = np.isfinite(registry)
        km, fine = ws.grid_cells(res_id), ws.grid_cells(fine_id).dropna()
        print("(3) residents of the 542 Planungsräume from the grids vs the registry (31.12.2024)")
        for name, pieces in (("presence (the method)", basis.residents),
                             ("counts", resident_pieces(km, cell_size_m=1000, fine=fine, fine_cell_size_m=100,
                                                        crs=basis.crs, weight="count")),
                             ("surface share", resident_pieces(km, cell_size_m=1000, crs=basis.crs))):
            b = replace(basis, residents=pieces)
            est = np.array([grid_numbers(g, work_crs=ws.work_crs, basis=b, settings=settings).line("residents").raw
                            for g in plr.geometry])[ok]
            reg = registry[ok]
            scaled = est * reg.sum() / est.sum()
            print(f"  {name:<22} off by {100 * np.abs(scaled - reg).sum() / reg.sum():5.1f} % "
                  f"(correlation {np.corrcoef(est, reg)[0, 1]:.3f})")


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
