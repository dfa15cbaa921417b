"""Zonal sums of a population raster over the 542 Berlin Planungsräume.

    .venv/bin/python benchmarks/bench_raster.py

Raster: the Zensus 2022 100 m grid of persons with foreign citizenship (459 × 372 px,
`berlin/raster/zensus2022_100m_auslaender_berlin_value.tif`); polygons: the 542 Planungsräume
(`berlin/boundaries/lor_planungsraeume_2021.shp`), read once, before any timing.

- *floor*: read the whole band with rasterio, burn the Planungsräume into a label image
  (`rasterio.features.rasterize`, a cell belongs to the area holding its centre) and add up with
  `numpy.bincount` — the least work that gives a number per area, without coverage fractions.
- *ours, file*: `io.rasters.zonal_from_file` (exactextract: exact coverage fractions of the cells
  cut by an edge, each polygon's window read; polygons brought to the raster's CRS).
- *ours, stored grid*: what `services.zonal.zonal_sums` does for a grid in the workspace:
  `io.rasters.zonal_from_cells` puts the stored cell centres back on their lattice and hands
  them to exactextract (the cells read with `io.rasters.read_raster_cells`, as they are stored).
- *pure reference*: `analysis.zonal.zonal_sums` on the same cells (shapely coverage fractions),
  the version the service falls back to for cells that are not on one lattice.

Prints best-of-5 times, ratios to the floor, and how far the numbers are apart (the floor's
centre rule moves persons between neighbouring areas; the two exact ways must agree).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jmdiq_geo.analysis.zonal import zonal_sums  # noqa: E402
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.crs import to_crs_of  # noqa: E402
from jmdiq_geo.io.rasters import read_raster_cells, zonal_from_cells, zonal_from_file  # noqa: E402

RUNS = 5


def best(fn):
    times, out = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    import rasterio
    from rasterio.features import rasterize

    root = Settings.from_env().data_root
    tif = root / "berlin" / "raster" / "zensus2022_100m_auslaender_berlin_value.tif"
    plr = gpd.read_file(root / "berlin" / "boundaries" / "lor_planungsraeume_2021.shp")
    plr = plr.set_index(plr.columns[0])[["geometry"]]
    print(f"{len(plr)} Planungsräume, raster {tif.name}")

    def floor():
        with rasterio.open(tif) as src:
            band = src.read(1, masked=True)
            zones = to_crs_of(plr, src.crs.to_string())
            labels = rasterize(((g, i + 1) for i, g in enumerate(zones.geometry)), out_shape=band.shape,
                               transform=src.transform, fill=0, dtype="int32")
        values = np.ma.filled(band.astype("float64"), 0.0)
        return np.bincount(labels.ravel(), weights=values.ravel(), minlength=len(zones) + 1)[1:]

    def ours_file():
        return zonal_from_file(tif, plr, kind="count")["value"].to_numpy()

    cells = read_raster_cells(tif, max_bytes=1 << 30)
    frame = pd.DataFrame({"x": cells.x, "y": cells.y, "value": cells.value})

    def ours_grid():
        zones = to_crs_of(plr, cells.crs)
        return zonal_from_cells(frame, cell_size_m=cells.cell_size_m, crs=cells.crs, polygons=zones,
                                kind="extensive")["value"].to_numpy()

    def pure():
        zones = to_crs_of(plr, cells.crs)
        return zonal_sums(frame, cell_size_m=cells.cell_size_m, polygons=zones, kind="extensive",
                          crs=cells.crs)["value"].to_numpy()

    t_floor, v_floor = best(floor)
    t_file, v_file = best(ours_file)
    t_grid, v_grid = best(ours_grid)
    t_pure, v_pure = best(pure)
    total = float(cells.value.sum())
    print(f"raster total {total:,.0f}; in the Planungsräume: floor {v_floor.sum():,.1f}, "
          f"exact {v_file.sum():,.1f}")
    print(f"{'what':<44}{'time':>10}{'÷ floor':>10}")
    print(f"{'floor: rasterio read + rasterize + bincount':<44}{t_floor * 1000:>8.1f}ms{1:>9.2f}×")
    print(f"{'ours, file (exactextract)':<44}{t_file * 1000:>8.1f}ms{t_file / t_floor:>9.2f}×")
    print(f"{'ours, stored grid (lattice + exactextract)':<44}{t_grid * 1000:>8.1f}ms{t_grid / t_floor:>9.2f}×")
    print(f"{'pure reference (shapely coverage)':<44}{t_pure * 1000:>8.1f}ms{t_pure / t_floor:>9.2f}×")
    print(f"largest difference per area: file vs stored grid {np.abs(v_file - v_grid).max():.2e}, "
          f"file vs shapely {np.abs(v_file - v_pure).max():.2e} persons")
    diff = np.abs(v_file - v_floor)
    print(f"floor's centre rule vs exact: largest {diff.max():.1f} persons in one area, "
          f"{diff.sum() / 2:,.0f} persons moved in all ({diff.sum() / 2 / v_file.sum():.2%})")


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
