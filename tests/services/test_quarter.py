"""Quarters on the real Berlin data: exact unions, nesting, conservation, checks, CLI."""
import time

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import mapping

from jmdiq_geo.config import Settings
from jmdiq_geo.errors import InputError
from jmdiq_geo.io.rulesets import load_ruleset, shipped_rulesets
from jmdiq_geo.services.quarter import (check_quarter, quarter_from_areas, quarter_from_geojson, quarter_numbers,
                               result_to_dict, weight_grid)

pytestmark = pytest.mark.realdata
SETTINGS = Settings.from_env()


def _ew(ws):
    from datetime import date
    return ws.values("ew", period=date(2024, 12, 31), level="plr")


def test_union_of_planungsraeume_is_exact(berlin_ws):
    ids = ["08100103", "08100104", "08100105"]
    numbers = quarter_numbers(berlin_ws, quarter_from_areas(berlin_ws, level="plr", area_ids=ids), settings=SETTINGS)
    assert numbers.population == _ew(berlin_ws)[ids].sum()
    assert numbers.methods == {"full": 3} and numbers.share_partial == 0.0


def test_bezirksregionen_reproduce_their_sums(berlin_ws):
    ew = _ew(berlin_ws)
    plr = berlin_ws.area_names("plr")
    grid = weight_grid(berlin_ws)
    bzr = berlin_ws.areas("bzr")
    for _, row in bzr.sample(25, random_state=1).iterrows():
        quarter = quarter_from_geojson(berlin_ws, mapping(gpd.GeoSeries([row.geometry], crs="EPSG:25833")
                                                          .to_crs(4326).iloc[0]))
        numbers = quarter_numbers(berlin_ws, quarter, settings=SETTINGS, grid=grid)
        expected = ew[plr.loc[plr["parent_id"] == row["area_id"], "area_id"]].sum()
        assert numbers.population == pytest.approx(expected, rel=1e-6), row["name"]


def test_drawn_polygon_conserves_total(berlin_ws):
    """A circle and the rest of the city together hold every resident (within 0.5 %)."""
    grid = weight_grid(berlin_ws)
    centre = gpd.GeoSeries([shapely.Point(13.4245, 52.4868)], crs=4326).to_crs(25833).iloc[0]
    circle = centre.buffer(1500)
    city = shapely.union_all(berlin_ws.areas("plr").geometry.array).buffer(1)
    parts = [circle, city.difference(circle)]
    total = 0.0
    for part in parts:
        q = quarter_from_geojson(berlin_ws, mapping(gpd.GeoSeries([part], crs=25833).to_crs(4326).iloc[0]))
        total += quarter_numbers(berlin_ws, q, settings=SETTINGS, grid=grid).population
    assert total == pytest.approx(_ew(berlin_ws).sum(), rel=0.005)


def test_self_intersecting_drawing_is_repaired_and_outside_is_refused(berlin_ws):
    bow = {"type": "Polygon", "coordinates": [[[13.40, 52.50], [13.44, 52.52], [13.44, 52.50], [13.40, 52.52],
                                               [13.40, 52.50]]]}
    q = quarter_from_geojson(berlin_ws, bow)
    assert q.notices and q.notices[0].code == "quarter_repaired" and q.geometry.is_valid
    with pytest.raises(InputError) as err:
        quarter_from_geojson(berlin_ws, {"type": "Polygon", "coordinates": [[[10, 50], [10.1, 50], [10.1, 50.1],
                                                                              [10, 50]]]})
    assert err.value.problems[0].code == "quarter_outside"


def test_check_of_a_drawn_polygon(berlin_ws):
    centre = gpd.GeoSeries([shapely.Point(13.4245, 52.4868)], crs=4326).to_crs(25833).iloc[0]
    drawn = mapping(gpd.GeoSeries([centre.buffer(800)], crs=25833).to_crs(4326).iloc[0])
    start = time.perf_counter()
    quarter = quarter_from_geojson(berlin_ws, drawn)
    result = check_quarter(berlin_ws, quarter, load_ruleset(shipped_rulesets()["paragraf_171e"]), settings=SETTINGS)
    seconds = time.perf_counter() - start
    print(f"check of a drawn polygon: {seconds:.2f} s")
    data = result_to_dict(result)
    assert data["verdict"] in ("met", "not_met") and len(data["criteria"]) == 4
    assert all(c["numbers"].get("threshold") for c in data["criteria"])
    assert 0 < data["share_population_from_partly_covered_areas"] <= 1
    # the JMD-iQ rules: no programme areas in the demo data → that criterion is unknown, not an error
    jmd = result_to_dict(check_quarter(berlin_ws, quarter, load_ruleset(shipped_rulesets()["jmdiq_standort"]),
                                       settings=SETTINGS))
    assert next(c for c in jmd["criteria"] if c["id"] == "programmgebiet")["status"] == "unknown"
