"""The one CRS gate (``jmdiq_geo.crs``): work happens in a metric CRS, maps are shown in EPSG:4326,
a layer without a CRS or two layers in different CRSs are an error (``CrsError``), never a guess."""
import geopandas as gpd
import numpy as np
import pytest
import shapely

from jmdiq_geo.crs import (DISPLAY_CRS, SharedVertices, require_metric, require_same_crs, to_display_crs,
                           to_work_crs, transform_xy, utm_crs_at, utm_crs_for)
from jmdiq_geo.errors import CrsError
from jmdiq_geo.i18n import format_problem
from tests.fixtures.files import WORK_CRS, square

#: ETRS89 / UTM zone 33N: the central meridian is 15° E, the false easting 500 000 m
CENTRAL = (500_000.0, 0.0)


def frame(crs, *geoms) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"area_id": [str(i) for i in range(len(geoms))]}, geometry=list(geoms), crs=crs)


@pytest.mark.parametrize("crs", ["EPSG:25833", "EPSG:25832", "EPSG:3857", "epsg:25833"])
def test_metric_crs_is_accepted(crs):
    parsed = require_metric(crs)
    assert parsed.is_projected and parsed.axis_info[0].unit_name in ("metre", "meter")


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4258", "EPSG:2263"])     # degrees, degrees, US feet
def test_crs_in_degrees_or_feet_is_refused(crs):
    with pytest.raises(CrsError) as err:
        require_metric(crs)
    [problem] = err.value.problems
    assert problem.code == "crs_not_metric" and problem.params["crs"] == crs
    assert crs in format_problem(problem, "de") and crs in format_problem(problem, "en")


@pytest.mark.parametrize("crs", ["foo", "EPSG:99999", "UTM 32"])
def test_unknown_crs_is_a_crs_error_naming_it(crs):
    with pytest.raises(CrsError) as err:
        require_metric(crs)
    [problem] = err.value.problems
    assert problem.code == "crs_unknown" and crs in format_problem(problem, "de") and crs in format_problem(problem, "en")


def test_layer_without_crs_is_refused_naming_the_file():
    gdf = frame(None, square(390000, 5820000))
    with pytest.raises(CrsError) as err:
        to_work_crs(gdf, WORK_CRS, file="grenzen.geojson")
    [problem] = err.value.problems
    assert problem.code == "crs_missing" and problem.file == "grenzen.geojson"
    assert "grenzen.geojson" in format_problem(problem, "de")


def test_layer_already_in_the_work_crs_is_returned_as_it_is():
    gdf = frame("EPSG:25833", square(390000, 5820000))
    assert to_work_crs(gdf, WORK_CRS) is gdf
    assert to_work_crs(gdf, "epsg:25833") is gdf              # the same CRS written otherwise


def test_layer_in_degrees_is_reprojected_to_the_work_crs():
    lon, lat = 15.0, 52.5                                      # on zone 33's central meridian
    gdf = frame("EPSG:4326", shapely.Point(lon, lat))
    out = to_work_crs(gdf, WORK_CRS)
    assert out.crs == WORK_CRS and gdf.crs == "EPSG:4326"     # the input is left alone
    x, y = out.geometry.iloc[0].x, out.geometry.iloc[0].y
    assert x == pytest.approx(500_000.0, abs=1e-3)            # the central meridian: the false easting
    assert 5_800_000 < y < 5_830_000                          # 52.5° N lies some 5 817 km north
    assert out["area_id"].tolist() == gdf["area_id"].tolist()


def test_display_crs_is_degrees_and_agrees_with_transform_xy():
    gdf = frame("EPSG:25833", shapely.Point(*CENTRAL), shapely.Point(390000, 5820000))
    shown = to_display_crs(gdf)
    assert shown.crs == DISPLAY_CRS == "EPSG:4326"
    assert (shown.geometry.iloc[0].x, shown.geometry.iloc[0].y) == pytest.approx((15.0, 0.0), abs=1e-9)
    lon, lat = transform_xy(np.array([390000.0]), np.array([5820000.0]), from_crs="EPSG:25833", to_crs=DISPLAY_CRS)
    assert (shown.geometry.iloc[1].x, shown.geometry.iloc[1].y) == pytest.approx((lon[0], lat[0]), abs=1e-9)
    assert 13.0 < lon[0] < 13.5 and 52.4 < lat[0] < 52.6        # Berlin


def test_transform_xy_is_lon_lat_and_goes_back_and_forth():
    xs, ys = np.array([500_000.0, 390_000.0, 400_000.0]), np.array([0.0, 5_820_000.0, 5_830_000.0])
    lon, lat = transform_xy(xs, ys, from_crs="EPSG:25833", to_crs="EPSG:4326")
    assert (lon[0], lat[0]) == pytest.approx((15.0, 0.0), abs=1e-9)     # always x = longitude
    assert len(lon) == len(lat) == 3
    back_x, back_y = transform_xy(lon, lat, from_crs="EPSG:4326", to_crs="EPSG:25833")
    np.testing.assert_allclose(back_x, xs, atol=1e-6)
    np.testing.assert_allclose(back_y, ys, atol=1e-6)


def test_layers_in_one_crs_pass():
    a = frame("EPSG:25833", square(390000, 5820000))
    b = frame("epsg:25833", shapely.Point(390050, 5820050))
    assert require_same_crs(a, b) is None
    assert require_same_crs(a) is None


def test_layers_in_different_crs_are_an_error_naming_both():
    a = frame("EPSG:25833", square(390000, 5820000))
    b = frame("EPSG:4326", shapely.Point(13.4, 52.5))
    with pytest.raises(CrsError) as err:
        require_same_crs(a, b, a)
    [problem] = err.value.problems
    assert problem.code == "crs_mismatch"
    assert "EPSG:25833" in problem.params["crs"] and "EPSG:4326" in problem.params["crs"]
    assert "EPSG:4326" in format_problem(problem, "de") and "EPSG:25833" in format_problem(problem, "en")


def test_a_layer_without_crs_does_not_match_one_with():
    with pytest.raises(CrsError) as err:
        require_same_crs(frame("EPSG:25833", square(390000, 5820000)), frame(None, square(390000, 5820000)))
    assert err.value.problems[0].code == "crs_mismatch" and "–" in err.value.problems[0].params["crs"]


def _tiles():
    """Gemeinden tiling a Kreis (with a hole and a part of two pieces) in DHDN / Gauß-Krüger."""
    rng = np.random.default_rng(3)
    xs = 3_480_000 + np.cumsum(rng.uniform(200, 900, 6))
    ys = 5_470_000 + np.cumsum(rng.uniform(200, 900, 6))
    cells = [shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for i in range(5) for j in range(5)]
    cells[7] = cells[7].difference(cells[7].centroid.buffer(50))
    return (frame("EPSG:31467", *cells),
            frame("EPSG:31467", shapely.union_all(cells), shapely.MultiPolygon([cells[0], cells[24]])))


def test_frames_sharing_vertices_are_reprojected_as_one_by_one_to_the_bit():
    """``SharedVertices`` transforms each distinct vertex once; without a hub the result is what
    ``to_work_crs`` gives for each frame (Gemeinden tiling a Kreis, the Kreis, a hole, a part)."""
    gemeinden, kreis = _tiles()
    for target in ("EPSG:25832", "EPSG:3035"):
        shared = SharedVertices([gemeinden, kreis]).to(target)
        for got, one in zip(shared, (gemeinden, kreis)):
            expected = to_work_crs(one, target)
            assert got.crs == expected.crs and list(got.columns) == list(expected.columns)
            assert list(got["area_id"]) == list(expected["area_id"])
            assert np.array_equal(shapely.get_coordinates(got.geometry.array),
                                  shapely.get_coordinates(expected.geometry.array))
            assert (shapely.to_wkb(got.geometry.array) == shapely.to_wkb(expected.geometry.array)).all()


def test_frames_in_the_target_crs_or_in_different_crs():
    a = frame(WORK_CRS, square(390000, 5820000))
    assert SharedVertices([a]).to(WORK_CRS)[0] is a            # nothing to do: the frame as it is
    with pytest.raises(CrsError) as err:
        SharedVertices([a, frame("EPSG:25832", square(390000, 5820000))]).to("EPSG:3035")
    assert err.value.problems[0].code == "crs_mismatch"


def test_shared_vertices_through_a_hub_are_the_direct_transformation_up_to_rounding():
    """With a hub (the grids' datum), every target on that datum is a projection of the
    vertices' geographic coordinates: the same places as ``to_work_crs`` to a micrometre, the
    same attributes and geometry structure; a target on another datum is transformed directly
    (to the bit); the extent in degrees is that of the frame in the hub's geographic CRS."""
    gemeinden, kreis = _tiles()
    shared = SharedVertices([gemeinden, kreis], hub="EPSG:3035")
    for target in ("EPSG:25832", "EPSG:3035", "EPSG:25833"):
        for got, one in zip(shared.to(target), (gemeinden, kreis)):
            expected = to_work_crs(one, target)
            assert got.crs == expected.crs and list(got["area_id"]) == list(expected["area_id"])
            assert (shapely.get_num_coordinates(got.geometry.array)
                    == shapely.get_num_coordinates(expected.geometry.array)).all()
            assert np.abs(shapely.get_coordinates(got.geometry.array)
                          - shapely.get_coordinates(expected.geometry.array)).max() < 1e-6
            assert np.allclose(got.geometry.area, expected.geometry.area, rtol=0, atol=1e-4)   # m²
    for got, one in zip(shared.to("EPSG:3857"), (gemeinden, kreis)):          # WGS 84: not the hub's datum
        assert np.array_equal(shapely.get_coordinates(got.geometry.array),
                              shapely.get_coordinates(to_work_crs(one, "EPSG:3857").geometry.array))
    for i, one in enumerate((gemeinden, kreis)):
        assert np.allclose(shared.lonlat_bounds(i), one.to_crs("EPSG:4258").geometry.total_bounds, rtol=0, atol=1e-12)
    assert utm_crs_at(*shared.lonlat_bounds(1)) == utm_crs_for(kreis) == "EPSG:25832"


def test_shared_vertices_without_a_hub_and_in_the_source_crs():
    gemeinden, kreis = _tiles()
    shared = SharedVertices([gemeinden, kreis])
    assert shared.to("EPSG:31467")[0] is gemeinden                        # nothing to do
    assert np.allclose(shared.lonlat_bounds(1), to_display_crs(kreis).geometry.total_bounds)
    assert SharedVertices([]).to("EPSG:25832") == []
