"""Access use cases below the page: the caller's cache of networks and homes, the privacy rule
with the Settings' thresholds, service edits checked and diffed, the download bytes."""
import dataclasses

import numpy as np
import pandas as pd
import pytest
import shapely

from jmdiq_geo.config import Settings
from jmdiq_geo.services.access import AccessCache, access_for, load_network, suppress_small
from jmdiq_geo.services.access_edits import ServiceForm, check_service, save_service_edit, service_changes
from jmdiq_geo.services.access_export import report_bytes, table_downloads
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.networks import NetworkSpec, import_network
from tests.access.test_runner import X0, Y0, import_services
from tests.conftest import MAX_BYTES, feature, write_geojson


@pytest.fixture
def street_ws(tiny_ws, tmp_path):
    """A street along the four tiny areas, youth centres at both ends (as in test_runner)."""
    pts = [("y1", "Jugendclub West", X0 + 20, Y0 + 50), ("y2", "Jugendclub Ost", X0 + 380, Y0 + 50)]
    import_services(tiny_ws, write_geojson(tmp_path / "jfe.geojson", [
        feature(shapely.Point(x, y), nr=i, name=n) for i, n, x, y in pts]))
    street = write_geojson(tmp_path / "street.geojson", [
        feature(shapely.LineString([(X0, Y0 + 50), (X0 + 400, Y0 + 50)]), highway="residential")])
    import_network(tiny_ws, street, NetworkSpec(class_column="highway"), im.Source("osm", "OSM", licence="ODbL 1.0"),
                   max_bytes=MAX_BYTES)
    return tiny_ws


def test_the_cache_is_the_callers(street_ws):
    ws = street_ws
    cache = AccessCache()
    net = load_network(ws, cache=cache)
    assert load_network(ws, cache=cache) is net                 # kept by the cache passed
    assert load_network(ws) is not net                           # without one: built per call
    access_for(ws, "jugendfreizeit", cache=cache, use_cache=False)
    assert len(cache.networks) == 1 and len(cache.origins) == 1
    assert cache.network((str(ws.path), ws.data_stamp()), lambda: None) is net
    cache.clear()
    assert not cache.networks and not cache.origins


def test_a_full_cache_is_emptied_before_the_next_entry():
    cache = AccessCache(max_networks=1)
    for i in range(2):
        cache.network(("ws", str(i)), lambda: i)
    assert len(cache.networks) == 2
    cache.network(("ws", "2"), lambda: 2)
    assert list(cache.networks) == [("ws", "2")]


def test_privacy_thresholds_come_from_the_settings():
    areas = pd.DataFrame({"area": ["a", "b", "c", "d"], "target_group": [50.0, 4.0, 0.0, np.nan],
                          "median_min": [5.0, 6.0, 7.0, 8.0]})
    residents = pd.Series({"a": 250.0, "b": 1000.0})
    out = suppress_small(areas, residents=residents).set_index("area")
    assert out["suppressed"].tolist() == [True, False, True, False]       # 250 < 300; nobody; no count
    stricter = suppress_small(areas, residents=residents, min_residents=200, small_count=5).set_index("area")
    assert stricter["suppressed"].tolist() == [False, True, True, False]
    assert Settings.min_residents == 300 and Settings.small_count == 3


def test_other_thresholds_make_another_run(street_ws, tmp_path):
    ws = street_ws
    config = Settings(data_root=None, db_path=tmp_path / "x.duckdb")
    assert not access_for(ws, "jugendfreizeit", config=config).cached
    assert access_for(ws, "jugendfreizeit").cached                        # the defaults: the same run
    assert not access_for(ws, "jugendfreizeit", config=dataclasses.replace(config, small_count=5)).cached


def _form(**over):
    base = dict(category="beratung", name="Beratung", address="", languages="ar, de", opening_hours="Mo-Fr 10:00-12:00",
                cost="", age_min="", age_max="", wheelchair="", capacity="")
    base.update(over)
    return ServiceForm(**base)


def test_service_form_every_problem_at_once():
    values, problems = check_service(_form(name=" ", languages="klingonisch", opening_hours="Mo-Fr 25:00",
                                           age_min="20", age_max="12", capacity="3,5"), "de")
    assert values is None
    assert [p.code for p in problems] == ["svc_name_missing", "persona_unknown_language", "svc_bad_hours",
                                          "svc_bad_number", "svc_age_range"]
    assert problems[0].column == "Einrichtung" and problems[3].column == "Plätze"     # as the form names them
    values, problems = check_service(_form(cost="free", wheelchair="yes", capacity="20"), "de")
    assert problems == [] and values["barrier_free"] is True and values["capacity"] == 20
    assert values["languages"] == "ar, de" and values["address"] is None


def test_only_what_changed_is_saved(street_ws):
    ws = street_ws
    row = ws.services().set_index("service_id").loc["jfe:y1"].to_dict()
    same = {"name": row["name"], "address": None, "capacity": None, "colour": "red"}
    assert service_changes(row, same) == {}
    assert save_service_edit(ws, "jfe:y1", row, {**same, "capacity": 12.0}, user="Anna") == 1
    assert ws.services().set_index("service_id").loc["jfe:y1", "capacity"] == 12


def test_downloads_are_bytes(street_ws):
    ws = street_ws
    acc = access_for(ws, "jugendfreizeit")
    csv, gpkg = table_downloads(ws, acc, lang="de")
    assert csv.startswith(b"\xef\xbb\xbf") and b";" in csv.splitlines()[0]
    assert gpkg[:15] == b"SQLite format 3"
    assert b'"category": "jugendfreizeit"' in report_bytes(acc)
