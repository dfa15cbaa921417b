"""Quarter interpolation vs. tobler.area_interpolate on the same inputs.

    .venv/bin/pip install -r requirements-bench.txt      # tobler, benchmark-only
    .venv/bin/python benchmarks/bench_interpolation.py

Source: the 542 Planungsräume with residents 2024 (extensive). Targets: 40 circles of 600–1,500 m
radius across Berlin (generated, seeded) plus their complement, so totals can be checked.
jmdiq-geo uses the Zensus 2022 1 km grid as dasymetric weights (and surface shares without grid
residents); tobler.area_interpolate uses surface shares only — so the values differ by design,
and the comparisons that must agree are the conservation of totals and, with surface weights only,
the two estimates themselves. (tobler is called with ``allocate_total=False``: with the default
it hands a source's whole total to the targets that touch it, which a single quarter must not.) Prints both times, the largest
deviation of the conserved total, and the mean absolute difference of the two estimates.
"""
from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jmdiq_geo.analysis.interpolate import area_weights, estimate  # noqa: E402
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.services.quarter import weight_grid  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def main() -> None:
    from tobler.area_weighted import area_interpolate

    settings = Settings.from_env()
    with Workspace(settings.db_path, read_only=True) as ws:
        areas = ws.areas("plr")[["area_id", "geometry"]]
        ew = ws.values("ew", period=date(2024, 12, 31), level="plr")
        grid_id, cells = weight_grid(ws)
        defs = ws.indicators().set_index("indicator_id")
    areas["ew"] = ew.reindex(areas["area_id"]).to_numpy()
    city = shapely.union_all(areas.geometry.array).buffer(1)
    rng = np.random.default_rng(42)
    minx, miny, maxx, maxy = city.bounds
    circles = []
    while len(circles) < 40:
        p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if city.contains(p):
            circles.append(p.buffer(rng.uniform(600, 1500)))
    targets = gpd.GeoDataFrame({"target": range(40)}, geometry=circles, crs=areas.crs)
    values = areas.set_index("area_id")[["ew"]]

    start = time.perf_counter()
    ours = [estimate(area_weights(c, areas, grid=cells), values, defs).at["ew", "value"] for c in circles]
    ours_s = time.perf_counter() - start
    area_only = np.array([estimate(area_weights(c, areas), values, defs).at["ew", "value"] for c in circles])
    start = time.perf_counter()
    theirs = area_interpolate(areas, targets, extensive_variables=["ew"], allocate_total=False)["ew"].to_numpy()
    tobler_s = time.perf_counter() - start

    total = float(areas["ew"].sum())
    worst = {"jmdiq-geo": 0.0, "tobler": 0.0}
    for c in circles[:10]:                   # conservation: a circle plus the rest of the city
        rest = gpd.GeoDataFrame(geometry=[city.difference(c)], crs=areas.crs)
        part = gpd.GeoDataFrame(geometry=[c], crs=areas.crs)
        ours_sum = sum(estimate(area_weights(g, areas, grid=cells), values, defs).at["ew", "value"]
                       for g in (c, rest.geometry.iloc[0]))
        tob_sum = float(area_interpolate(areas, part, extensive_variables=["ew"], allocate_total=False)["ew"].sum()
                        + area_interpolate(areas, rest, extensive_variables=["ew"], allocate_total=False)["ew"].sum())
        worst["jmdiq-geo"] = max(worst["jmdiq-geo"], abs(ours_sum - total) / total)
        worst["tobler"] = max(worst["tobler"], abs(tob_sum - total) / total)
    diff = np.abs(np.array(ours) - theirs).sum() / theirs.sum()
    print(f"40 circles from 542 Planungsräume (residents 2024; weights: {grid_id})")
    print(f"  jmdiq-geo (dasymetric): {ours_s:6.2f} s   largest deviation of the conserved total: {100 * worst['jmdiq-geo']:.4f} %")
    print(f"  tobler (surface shares): {tobler_s:6.2f} s   largest deviation of the conserved total: {100 * worst['tobler']:.4f} %")
    same = np.abs(area_only - theirs).max()
    print(f"  with surface weights only, jmdiq-geo and tobler agree to {same:.2e} residents per circle")
    print(f"  dasymetric vs surface weights: the estimates differ by {100 * diff:.1f} % of the total"
          " (people do not live evenly in a Planungsraum)")


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
