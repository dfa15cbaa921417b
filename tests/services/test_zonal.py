"""The Zensus 2022 grids of the data package as GeoTIFF and as CSV are the same grid: imported
from the TIF they hold the CSV's cells and total, and zonal sums over the 12 Berlin Bezirke from
the raster (exactextract on the file, shapely on the stored grid) equal the sums computed here
independently from the CSV (cell squares × Bezirke, geopandas overlay, area shares)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from jmdiq_geo.crs import to_crs_of
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.rasters import RasterGridSpec, zonal_from_file
from jmdiq_geo.services.zonal import zonal_sums
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.files import MAX_BYTES

pytestmark = pytest.mark.realdata
SRC = im.Source("zensus2022", "Zensus 2022", licence="dl-de/by-2-0")


@pytest.fixture(scope="module")
def raster_dir(data_root):
    return data_root / "berlin" / "raster"


@pytest.fixture(scope="module")
def bezirke(data_root):
    gdf = gpd.read_file(data_root / "berlin" / "boundaries" / "bezirksgrenzen.shp")
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == 12
    return gdf.set_index("Gemeinde_s")[["Gemeinde_n", "geometry"]].rename(columns={"Gemeinde_n": "name"})


@pytest.fixture(scope="module")
def ws(data_root, raster_dir, workspace_locations):
    """A workspace with the Bezirke as its only level and the TIF grids imported (clipped to
    the Bezirke's window, which holds the whole Berlin cut of the Zensus)."""
    ws = Workspace.create(workspace_locations("zonal"), work_crs="EPSG:25833", city="Berlin")
    with ws.transaction():
        ws.put_level("bez", label_de="Bezirk", label_en="District", rank=0, parent_level=None)
    im.import_boundaries(ws, data_root / "berlin" / "boundaries" / "bezirksgrenzen.shp",
                         im.BoundarySpec(level="bez", key="Gemeinde_s", name="Gemeinde_n"), SRC, max_bytes=MAX_BYTES)
    for name, gid, kind in (("zensus2022_1km_berlin_Einwohner.tif", "ew_1km", "count"),
                            ("zensus2022_1km_berlin_Auslaender_A.tif", "ausl_anteil_1km", "share"),
                            ("zensus2022_100m_auslaender_berlin_value.tif", "ausl_100m", "count")):
        im.import_grid(ws, raster_dir / name, RasterGridSpec(grid_id=gid, kind=kind, period="2022-05-15"), SRC,
                       max_bytes=MAX_BYTES)
    yield ws
    ws.close()


def _csv_cells(path, column, size):
    """The CSV's cells with a value (−1 = none) as squares in EPSG:3035."""
    frame = pd.read_csv(path)
    frame = frame[frame[column] != -1].reset_index(drop=True)
    half = size / 2
    x, y = frame["x"].to_numpy(float), frame["y"].to_numpy(float)
    return gpd.GeoDataFrame({"x": x, "y": y, "value": frame[column].to_numpy(float)}, crs="EPSG:3035",
                            geometry=shapely.box(x - half, y - half, x + half, y + half))


def _overlay_sums(cells, bezirke, size):
    zones = to_crs_of(bezirke, "EPSG:3035").reset_index(names="zone")[["zone", "geometry"]]
    pieces = gpd.overlay(cells, zones, how="intersection", keep_geom_type=True)
    pieces["share"] = pieces.geometry.area / size ** 2
    return pieces, (pieces["share"] * pieces["value"]).groupby(pieces["zone"]).sum().reindex(bezirke.index)


@pytest.mark.parametrize("tif, csv, column, size, grid_id", [
    ("zensus2022_1km_berlin_Einwohner.tif", "zensus2022_1km_berlin.csv", "Einwohner", 1000, "ew_1km"),
    ("zensus2022_100m_auslaender_berlin_value.tif", "zensus2022_100m_auslaender_berlin.csv", "value", 100,
     "ausl_100m"),
])
def test_tif_grid_equals_csv_grid_and_zonal_sums_per_bezirk(ws, raster_dir, bezirke, tif, csv, column, size,
                                                             grid_id):
    cells = _csv_cells(raster_dir / csv, column, size)
    stored = ws.grid_cells(grid_id)
    assert len(stored) == len(cells) and stored["value"].notna().all()
    assert stored["value"].sum() == pytest.approx(cells["value"].sum(), rel=1e-12)
    assert sorted(zip(stored["x"], stored["y"], stored["value"])) == sorted(zip(cells["x"], cells["y"], cells["value"]))
    meta = ws.grids().set_index("grid_id").loc[grid_id]
    assert meta["cell_size_m"] == size and meta["crs"] == "EPSG:3035" and meta["kind"] == "extensive"

    _, expected = _overlay_sums(cells, bezirke, size)
    assert expected.notna().all() and expected.sum() > 0
    from_file = zonal_from_file(raster_dir / tif, bezirke, kind="count")
    assert np.allclose(from_file["value"], expected, rtol=1e-6), (from_file["value"] - expected).abs().max()
    from_grid = zonal_sums(ws, grid_id, level="bez").table     # stored in 25833, see below
    assert np.allclose(from_grid["value"], expected.reindex(from_grid.index), rtol=1e-6)
    assert (from_grid["name"] == bezirke["name"].reindex(from_grid.index)).all()
    # the pure shapely version on the stored cells, too
    from jmdiq_geo.analysis.zonal import zonal_sums as pure_sums
    pure = pure_sums(stored, cell_size_m=size, polygons=to_crs_of(bezirke, "EPSG:3035"), kind="extensive",
                     crs="EPSG:3035")
    assert np.allclose(pure["value"], expected, rtol=1e-9)
    # the service on the file gives the file's numbers, for the workspace's own Bezirke
    service_file = zonal_sums(ws, raster_dir / tif, level="bez", kind="count").table
    assert np.allclose(service_file["value"], expected.reindex(service_file.index), rtol=1e-6)


def test_share_weighted_by_residents_per_bezirk(ws, raster_dir, bezirke):
    """Foreigners' share per Bezirk, the 1 km share raster weighted by the 1 km residents raster,
    against residents × share summed over the CSV's overlay pieces."""
    frame = pd.read_csv(raster_dir / "zensus2022_1km_berlin.csv")
    frame = frame[(frame["Einwohner"] != -1) & (frame["Auslaender_A"] != -1)].reset_index(drop=True)
    x, y = frame["x"].to_numpy(float), frame["y"].to_numpy(float)
    cells = gpd.GeoDataFrame({"ew": frame["Einwohner"].to_numpy(float), "value": frame["Auslaender_A"].to_numpy(float)},
                             crs="EPSG:3035", geometry=shapely.box(x - 500, y - 500, x + 500, y + 500))
    pieces, _ = _overlay_sums(cells, bezirke, 1000)
    w = pieces["share"] * pieces["ew"]
    expected = ((w * pieces["value"]).groupby(pieces["zone"]).sum() / w.groupby(pieces["zone"]).sum())
    from_file = zonal_from_file(raster_dir / "zensus2022_1km_berlin_Auslaender_A.tif", bezirke, kind="share",
                                weights=raster_dir / "zensus2022_1km_berlin_Einwohner.tif")
    assert np.allclose(from_file["value"], expected.reindex(bezirke.index), rtol=1e-6)
    from_grid = zonal_sums(ws, "ausl_anteil_1km", level="bez", weights="ew_1km").table
    # the workspace's Bezirke went 4326 → 25833 (stored) → 3035: millimetres apart from the direct way
    assert np.allclose(from_grid["value"], expected.reindex(from_grid.index), rtol=1e-6)


def test_zonal_sums_keep_the_privacy_rules(berlin_ws):
    """Foreigners per Planungsraum from the 100 m grid of the demo workspace: areas under 300
    residents (the population indicator at the period nearest the grid's, 2022-05-15) and counts
    under 3 are hidden, everything else shown as computed."""
    from datetime import date

    from jmdiq_geo.config import Settings
    from jmdiq_geo.services.zonal import shown_values

    settings = Settings.from_env()
    result = zonal_sums(berlin_ws, "zensus_100m_ausl", level="plr", settings=settings)
    table = shown_values(result, settings=settings)
    pop_id = berlin_ws.meta()["population_indicator"]
    periods = berlin_ws.periods(indicator_id=pop_id, level="plr")
    nearest = min(periods, key=lambda p: abs((p - date(2022, 5, 15)).days))
    residents = berlin_ws.values(pop_id, period=nearest, level="plr").reindex(table.index)
    small = (residents < settings.min_residents).fillna(False)
    assert small.sum() > 0 and len(table) == 542
    assert table.loc[small, "shown"].isna().all() and (table.loc[small, "reason"] == "small_area").all()
    tiny = ~small & (table["value"] > 0) & (table["value"] < settings.small_count)
    assert (table.loc[tiny, "reason"] == "small_count").all()
    rest = ~small & ~tiny
    assert np.allclose(table.loc[rest, "shown"], table.loc[rest, "value"]) and table.loc[rest, "reason"].isna().all()
