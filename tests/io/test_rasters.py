"""Population rasters (GeoTIFF) as grids: cell centres from the affine transform, nodata left
out, the window around the workspace's areas read, and every bad raster refused with its
message before anything is written. Tiny rasters written with rasterio in ``tmp_path``."""
from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

from jmdiq_geo.cli import main as cli_main
from jmdiq_geo.errors import CrsError, InputError
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.rasters import RasterGridSpec, read_raster_cells, zonal_from_file
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.files import MAX_BYTES, WORK_CRS
from tests.fixtures.problems import assert_rendered, expect_failure, only_problem
from tests.fixtures.rasters import write_tif

SRC = im.Source("raster", "Testraster", licence="CC0")


def _values(rows=40, cols=40, seed=1):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 50, size=(rows, cols)).astype("float32")
    data[rng.random((rows, cols)) < 0.2] = -1.0          # nodata
    data[0, 0] = np.nan                                   # NaN is no value either
    return data


def test_cells_are_the_centres_of_the_cells_with_a_value(tmp_path):
    data = _values()
    path = write_tif(tmp_path / "pop.tif", data)
    cells = read_raster_cells(path, max_bytes=MAX_BYTES)
    valid = np.isfinite(data) & (data != -1)
    rows, cols = np.nonzero(valid)          # independent: row/column → centre by hand
    assert len(cells.value) == int(valid.sum())
    assert sorted(zip(cells.x, cells.y, cells.value)) == sorted(
        zip(389000 + 50 * cols + 25.0, 5821000 - 50 * rows - 25.0, data[valid].astype(float)))
    assert cells.cell_size_m == 50 and cells.crs == "EPSG:25833"
    assert cells.nodata_cells == data.size - int(valid.sum())


def test_import_raster_grid_into_a_workspace_without_areas(tmp_path):
    data = _values()
    path = write_tif(tmp_path / "pop.tif", data)
    ws = Workspace.create(tmp_path / "w.duckdb", work_crs=WORK_CRS, city="Raster")
    report = im.import_grid(ws, path, RasterGridSpec(grid_id="pop", kind="count", label="Einwohner",
                                                     period="2022-05-15"), SRC, max_bytes=MAX_BYTES)
    grids = ws.grids().set_index("grid_id")
    assert grids.at["pop", "kind"] == "extensive" and grids.at["pop", "cell_size_m"] == 50
    assert grids.at["pop", "crs"] == "EPSG:25833" and grids.at["pop", "label"] == "Einwohner"
    stored = ws.grid_cells("pop")
    valid = data[np.isfinite(data) & (data != -1)]
    assert len(stored) == len(valid) == report.written and stored["value"].notna().all()
    assert stored["value"].sum() == pytest.approx(float(valid.sum()))
    assert not report.notices          # no areas: the whole raster, nothing clipped
    ws.close()


def test_window_around_the_workspace_areas(tiny_ws, tmp_path):
    data = _values()
    path = write_tif(tmp_path / "pop.tif", data)
    report = im.import_grid(tiny_ws, path, RasterGridSpec(grid_id="pop", kind="count"), SRC, max_bytes=MAX_BYTES)
    assert only_problem(report.notices, "raster_clipped")
    stored = tiny_ws.grid_cells("pop")
    # every cell whose square touches the areas' bounding box is there, and none far from it
    minx, miny, maxx, maxy = tiny_ws.extent()
    full = read_raster_cells(path, max_bytes=MAX_BYTES)
    touching = (full.x + 25 > minx) & (full.x - 25 < maxx) & (full.y + 25 > miny) & (full.y - 25 < maxy)
    stored_xy = set(zip(stored["x"], stored["y"]))
    assert set(zip(full.x[touching], full.y[touching])) <= stored_xy
    assert len(stored) < len(full.value)
    assert all(minx - 100 < x < maxx + 100 and miny - 100 < y < maxy + 100 for x, y in stored_xy)
    # zonal sums over the areas: the same from the clipped grid as from the whole file
    areas = tiny_ws.areas("plr").set_index("area_id")
    from jmdiq_geo.analysis.zonal import zonal_sums
    clipped = zonal_sums(stored, cell_size_m=50, polygons=areas, kind="extensive", crs=WORK_CRS)
    whole = zonal_from_file(path, areas, kind="count")
    assert np.allclose(clipped["value"], whole["value"]) and clipped["value"].sum() > 0


def test_raster_far_from_the_areas_is_refused(tiny_ws, tmp_path):
    path = write_tif(tmp_path / "far.tif", _values(),
                     transform=Affine(50.0, 0.0, 600000.0, 0.0, -50.0, 5900000.0))
    err = expect_failure(tiny_ws, InputError, lambda: im.import_grid(
        tiny_ws, path, RasterGridSpec(grid_id="far", kind="count"), SRC, max_bytes=MAX_BYTES))
    assert_rendered(only_problem(err, "raster_outside"), "--no-clip")


@pytest.mark.parametrize("case, code, exc, needles", [
    ("no_crs", "raster_crs_missing", InputError, ["EPSG:3035"]),
    ("rotated", "raster_rotated", InputError, ["b = 10", "d = 10"]),
    ("not_square", "raster_pixels_not_square", InputError, ["50 × 25"]),
    ("two_bands", "raster_band_needed", InputError, ["2", "--band"]),
    ("no_kind", "raster_kind_missing", InputError, ["--kind count", "--kind share"]),
    ("bad_kind", "raster_kind_unknown", InputError, ["dichte"]),
    ("degrees", "raster_not_metric", InputError, ["EPSG:4326", "gdalwarp"]),
    ("not_a_raster", "raster_unreadable", InputError, []),
    ("not_georeferenced", "raster_not_georeferenced", CrsError, []),
])
def test_bad_rasters_are_refused_and_nothing_written(tiny_ws, tmp_path, case, code, exc, needles):
    data = _values(8, 8)
    path = tmp_path / f"{case}.tif"
    kind, band = "count", None
    if case == "no_crs":
        write_tif(path, data, crs=None)
    elif case == "rotated":
        write_tif(path, data, transform=Affine(50.0, 10.0, 389000.0, 10.0, -50.0, 5821000.0))
    elif case == "not_square":
        write_tif(path, data, transform=Affine(50.0, 0.0, 389000.0, 0.0, -25.0, 5821000.0))
    elif case == "two_bands":
        write_tif(path, np.stack([data, data]))
    elif case == "degrees":
        write_tif(path, data, crs="EPSG:4326", transform=Affine(0.001, 0.0, 13.3, 0.0, -0.001, 52.5))
    elif case == "not_a_raster":
        path.write_text("kein Raster", encoding="utf-8")
    elif case == "not_georeferenced":
        from rasterio.errors import NotGeoreferencedWarning
        with warnings.catch_warnings():      # writing the bad file on purpose; reading it must fail
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            write_tif(path, data, crs=None, transform=Affine.identity())
    else:
        write_tif(path, data)
        kind = None if case == "no_kind" else "dichte"
    err = expect_failure(tiny_ws, exc, lambda: im.import_grid(
        tiny_ws, path, RasterGridSpec(grid_id="g", kind=kind, band=band), SRC, max_bytes=MAX_BYTES))
    assert_rendered(only_problem(err, code), *needles)


def test_all_problems_at_once_and_band_choice(tiny_ws, tmp_path):
    data = _values(8, 8)
    path = write_tif(tmp_path / "bands.tif", np.stack([data, data * 2]), crs=None)
    err = expect_failure(tiny_ws, InputError, lambda: im.import_grid(
        tiny_ws, path, RasterGridSpec(grid_id="g", kind=None), SRC, max_bytes=MAX_BYTES))
    assert {p.code for p in err.problems} == {"raster_kind_missing", "raster_crs_missing", "raster_band_needed"}
    err = expect_failure(tiny_ws, InputError, lambda: im.import_grid(
        tiny_ws, write_tif(tmp_path / "b2.tif", np.stack([data, np.where(data == -1, -1, data * 2)])),
        RasterGridSpec(grid_id="g", kind="count", band=3), SRC, max_bytes=MAX_BYTES))
    assert_rendered(only_problem(err, "raster_band_unknown"), "3", "2")
    im.import_grid(tiny_ws, tmp_path / "b2.tif", RasterGridSpec(grid_id="g", kind="count", band=2, clip=False),
                   SRC, max_bytes=MAX_BYTES)
    valid = data[np.isfinite(data) & (data != -1)]
    assert tiny_ws.grid_cells("g")["value"].sum() == pytest.approx(2 * float(valid.sum()))


def test_cli_import_raster_grid_and_zonal(tiny_ws, tmp_path, capsys):
    db = tiny_ws.path
    tiny_ws.close()
    data = np.full((40, 40), 10.0, dtype="float32")
    path = write_tif(tmp_path / "ew.tif", data)
    code = cli_main(["--lang", "en", "import", "grid", str(path), "--db", str(db), "--title", "T",
                     "--licence", "CC0"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "--kind count" in err and "nothing was written" in err
    assert cli_main(["--lang", "en", "import", "grid", str(path), "--db", str(db), "--kind", "count",
                     "--grid-id", "ew50", "--label", "Einwohner 50 m", "--title", "T", "--licence", "CC0"]) == 0
    capsys.readouterr()
    out_csv = tmp_path / "zonal.csv"
    assert cli_main(["--lang", "en", "zonal", "ew50", "--db", str(db), "--level", "plr", "--out", str(out_csv)]) == 0
    out = capsys.readouterr().out
    # each tiny area is a 100 m square: four 50 m cells of 10 each
    assert "01000001" in out and "40" in out and "Total of all areas: 160" in out
    assert cli_main(["--lang", "en", "zonal", str(path), "--db", str(db), "--level", "bzr"]) == 2
    assert "--kind count" in capsys.readouterr().err


def test_zonal_from_file_matches_an_overlay_of_the_cells(tmp_path):
    """exactextract's coverage-weighted sums against shapely: each cell × the share of its
    square inside a triangle and a circle, summed (independent of both our modules)."""
    data = _values(20, 20, seed=7)
    path = write_tif(tmp_path / "pop.tif", data)
    polys = gpd.GeoDataFrame({"name": ["tri", "disc"]}, index=["t", "d"], crs=WORK_CRS, geometry=[
        shapely.Polygon([(389100, 5820100), (389900, 5820300), (389300, 5820950)]),
        shapely.Point(389500, 5820500).buffer(330)])
    got = zonal_from_file(path, polys, kind="count")
    rows, cols = np.nonzero(np.isfinite(data) & (data != -1))
    boxes = [shapely.box(389000 + 50 * c, 5821000 - 50 * (r + 1), 389000 + 50 * (c + 1), 5821000 - 50 * r)
             for r, c in zip(rows, cols)]
    vals = data[rows, cols].astype(float)
    for pid, geom in zip(polys.index, polys.geometry):
        expected = sum(v * b.intersection(geom).area / 2500 for v, b in zip(vals, boxes))
        assert got.at[pid, "value"] == pytest.approx(expected, rel=1e-6)


def test_zonal_from_cells_equals_the_pure_version_and_the_file(tmp_path):
    """The grid put back on its lattice (exactextract) gives the shapely version's numbers and
    the file's; with a memory limit of nothing the file is read polygon by polygon, same numbers."""
    from jmdiq_geo.analysis.zonal import zonal_sums
    from jmdiq_geo.io.rasters import zonal_from_cells

    data = _values(20, 20, seed=11)
    path = write_tif(tmp_path / "pop.tif", data)
    cells = read_raster_cells(path, max_bytes=MAX_BYTES)
    frame = __import__("pandas").DataFrame({"x": cells.x, "y": cells.y, "value": cells.value})
    polys = gpd.GeoDataFrame(index=["a", "b"], crs=WORK_CRS, geometry=[
        shapely.Point(389400, 5820600).buffer(280), shapely.box(389020, 5820030, 389777, 5820333)])
    lattice = zonal_from_cells(frame, cell_size_m=50, crs=WORK_CRS, polygons=polys, kind="extensive")
    pure = zonal_sums(frame, cell_size_m=50, polygons=polys, kind="extensive", crs=WORK_CRS)
    from_file = zonal_from_file(path, polys, kind="count")
    streamed = zonal_from_file(path, polys, kind="count", max_bytes=1)
    for other in (pure, from_file, streamed):     # exactextract keeps coverage fractions as float32
        assert np.allclose(lattice["value"], other["value"], rtol=1e-6)
        assert np.allclose(lattice["cells"], other["cells"], rtol=1e-6)
    shares = frame.assign(value=frame["value"] / 50)
    lat = zonal_from_cells(shares, cell_size_m=50, crs=WORK_CRS, polygons=polys, kind="intensive", weights=frame)
    ref = zonal_sums(shares, cell_size_m=50, polygons=polys, kind="intensive", crs=WORK_CRS, weights=frame)
    assert np.allclose(lat[["value", "weight"]], ref[["value", "weight"]], rtol=1e-6)
    # centres off the lattice: not for exactextract (the service then takes the shapely version)
    off = frame.copy()
    off.loc[0, "x"] += 7
    assert zonal_from_cells(off, cell_size_m=50, crs=WORK_CRS, polygons=polys, kind="extensive") is None


def test_a_raster_grid_rebuilds_from_the_written_manifest(tmp_path, capsys):
    """import grid FILE.tif → jmdiq-geo manifest → demo --city: the same grid (entry with kind, band…)."""
    import json

    from pyproj import Transformer

    from jmdiq_geo.services.workspace import open_workspace

    data = tmp_path / "daten"
    data.mkdir()
    x0, y0 = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True).transform(7.4, 51.5)
    x0, y0 = round(x0, -2), round(y0, -2)
    areas = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nr": f"0{i}", "titel": f"Gebiet {i}"},
         "geometry": shapely.geometry.mapping(shapely.box(x0 + 300 * i, y0 - 600, x0 + 300 * (i + 1), y0 - 300))}
        for i in range(2)],
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}}
    (data / "gebiete.geojson").write_text(json.dumps(areas), encoding="utf-8")
    tif = write_tif(data / "ew.tif", np.stack([_values(30, 30, seed=3), _values(30, 30, seed=4)]), crs="EPSG:25832",
                    transform=Affine(50.0, 0.0, x0 - 200, 0.0, -50.0, y0 + 200))
    db = str(tmp_path / "stadt.duckdb")
    common = ["--db", db, "--licence", "dl-de/by-2-0"]
    assert cli_main(["new", "--name", "Teststadt", "--db", db]) == 0
    assert cli_main(["import", "boundaries", str(data / "gebiete.geojson"), "--level", "g", "--label", "Gebiet",
                     "--key", "nr", "--name", "titel", *common]) == 0
    assert cli_main(["import", "grid", str(tif), "--kind", "count", "--band", "2", "--grid-id", "ew50",
                     "--label", "Einwohner (50 m)", "--period", "2022-05-15", *common]) == 0
    toml = tmp_path / "teststadt.toml"
    assert cli_main(["manifest", "--db", db, "--data-root", str(data), "--out", str(toml)]) == 0
    text = toml.read_text(encoding="utf-8")
    assert 'file = "ew.tif"' in text and 'kind = "count"' in text and "band = 2" in text
    again = tmp_path / "again.duckdb"
    assert cli_main(["demo", "--city", str(toml), "--db", str(again), "--data-root", str(data), "--quiet"]) == 0
    with open_workspace(db, read_only=True) as a, open_workspace(again, read_only=True) as b:
        assert a.grids().drop(columns=["source_id"]).equals(b.grids().drop(columns=["source_id"]))
        cells_a = a.grid_cells("ew50").sort_values(["x", "y"]).reset_index(drop=True)
        assert cells_a.equals(b.grid_cells("ew50").sort_values(["x", "y"]).reset_index(drop=True))
        assert len(cells_a) > 0


def test_preview_of_a_raster_says_what_it_is(tmp_path):
    from jmdiq_geo.services.imports import preview_file

    path = write_tif(tmp_path / "zwei.tif", np.stack([_values(8, 6), _values(8, 6)]))
    p = preview_file(path, max_bytes=MAX_BYTES)
    row = p.head.iloc[0]
    assert p.form == "raster" and p.columns == [] and p.crs == "EPSG:25833" and p.rows == 48
    assert (row["width"], row["height"], row["bands"], row["cell_width"], row["nodata"]) == (6, 8, 2, 50.0, -1.0)
    (tmp_path / "kaputt.tif").write_bytes(b"II*\x00kein tiff")
    with pytest.raises(InputError) as info:
        preview_file(tmp_path / "kaputt.tif", max_bytes=MAX_BYTES)
    assert_rendered(only_problem(info.value, "raster_unreadable"))


def test_zonal_sums_of_a_raster_in_degrees(tmp_path):
    """A WorldPop-style raster in EPSG:4326 is no grid (its cells are not squares in metres), but
    zonal sums work on it as it is: polygons in metres are brought to degrees."""
    from jmdiq_geo.crs import to_crs_of

    data = np.ones((10, 10), dtype="float32")
    data[0, 0] = -1
    path = write_tif(tmp_path / "wp.tif", data, crs="EPSG:4326",
                     transform=Affine(0.01, 0.0, 13.3, 0.0, -0.01, 52.6))
    # whole cells in degrees (rows 0–1, columns 0–3: 8 cells, one without a value), given in UTM 33
    box = gpd.GeoDataFrame(index=["k"], crs="EPSG:4326", geometry=[shapely.box(13.3, 52.58, 13.34, 52.6)])
    got = zonal_from_file(path, to_crs_of(box, "EPSG:25833"), kind="count")
    # (its four corners go to UTM and back to the same degrees)
    assert got.at["k", "value"] == pytest.approx(7, rel=1e-5)
    assert got.at["k", "cells"] == pytest.approx(7, rel=1e-5)
