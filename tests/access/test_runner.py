"""Access on a workspace: staff edits survive re-imports, runs are cached and invalidated, and on
the real data every service and home is snapped or reported."""
import numpy as np
import pandas as pd
import pytest
import shapely

from jmdiq_geo.analysis.attributes import make_persona
from jmdiq_geo.analysis.access.compute import AccessSettings
from jmdiq_geo.services.access import AccessCache, access_for, build_origins
from jmdiq_geo.cli import main
from jmdiq_geo.errors import InputError
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.networks import NetworkSpec, import_network
from tests.conftest import MAX_BYTES, expect_failure, feature, write_geojson

X0, Y0 = 390000, 5820000


@pytest.fixture
def services_file(tmp_path):
    pts = [("y1", "Jugendclub West", X0 + 20, Y0 + 50), ("y2", "Jugendclub Ost", X0 + 380, Y0 + 50)]
    return write_geojson(tmp_path / "jfe.geojson", [feature(shapely.Point(x, y), nr=i, name=n) for i, n, x, y in pts])


def import_services(ws, path):
    return im.import_services(ws, path, im.ServiceSpec(category="jugendfreizeit", name="name", id="nr"),
                              im.Source("jfe", "Jugendclubs", licence="CC0"), max_bytes=MAX_BYTES)


def test_staff_edits_survive_a_reimport(tiny_ws, services_file):
    ws = tiny_ws
    import_services(ws, services_file)
    ws.edit_service("jfe:y1", {"languages": "ar, de", "opening_hours": "Mo-Fr 14:00-19:00", "cost": "free"},
                    user="Anna")
    new_id = ws.add_service({"category": "beratung", "name": "Migrationsberatung", "languages": "ar, fa"},
                            x=X0 + 150, y=Y0 + 50, user="Anna")
    ws.remove_service("jfe:y2", user="Anna")
    import_services(ws, services_file)                  # the register is imported again
    services = ws.services().set_index("service_id")
    assert services.loc["jfe:y1", "languages"] == "ar, de"
    assert services.loc["jfe:y1", "edited"]
    assert services.loc[new_id, "name"] == "Migrationsberatung" and services.loc[new_id, "origin"] == "user"
    assert "jfe:y2" not in services.index                       # hidden stays hidden
    assert "jfe:y2" in set(ws.services(include_hidden=True)["service_id"])
    ws.revert_service("jfe:y1")
    assert pd.isna(ws.services().set_index("service_id").loc["jfe:y1", "languages"])
    with pytest.raises(ValueError):
        ws.edit_service("jfe:y1", {"colour": "red"})


@pytest.fixture
def street_ws(tiny_ws, tmp_path, services_file):
    """A street along the four tiny areas (y = Y0 + 50), services at both ends."""
    ws = tiny_ws
    street = write_geojson(tmp_path / "street.geojson", [
        feature(shapely.LineString([(X0, Y0 + 50), (X0 + 400, Y0 + 50)]), highway="residential")])
    import_network(ws, street, NetworkSpec(class_column="highway"), im.Source("osm", "OSM", licence="ODbL 1.0"),
                   max_bytes=MAX_BYTES)
    import_services(ws, services_file)
    return ws


def test_run_is_cached_and_invalidated_by_an_edit_or_a_setting(street_ws):
    ws = street_ws
    first = access_for(ws, "jugendfreizeit")
    assert not first.cached
    assert access_for(ws, "jugendfreizeit").cached
    # the homes: one per area (no buildings, no grid) at the representative point on the street
    assert first.result.report["origins"] == 4
    assert first.result.report["origins_on_network"] == 4
    assert not access_for(ws, "jugendfreizeit", settings=AccessSettings(speed_kmh=4.0)).cached
    ws.edit_service("jfe:y1", {"capacity": 20.0})
    again = access_for(ws, "jugendfreizeit")
    assert not again.cached
    assert again.result.report["has_capacity"]


def test_persona_keeps_only_fitting_services(street_ws):
    ws = street_ws
    ws.edit_service("jfe:y2", {"languages": "tr", "age_min": 12, "age_max": 21})
    persona = make_persona({"age": 16, "languages": ["tr"]})
    nominal = access_for(ws, "jugendfreizeit")
    strict = access_for(ws, "jugendfreizeit", persona=persona, settings=AccessSettings(unknown="drop"))
    assert strict.services["service_id"].tolist() == ["jfe:y2"]
    assert strict.result.report["services_excluded"] == 1
    # homes in the west now walk to the east end: effective times are longer there
    a = nominal.result.origins.set_index("area")["nearest_min"]
    b = strict.result.origins.set_index("area")["nearest_min"]
    assert (b >= a - 1e-9).all() and (b > a).any()
    lenient = access_for(ws, "jugendfreizeit", persona=persona, settings=AccessSettings(unknown="keep"))
    assert lenient.result.report["services_kept_unknown"] == 1


@pytest.mark.realdata
def test_real_data_every_home_and_service_snapped_or_reported(berlin_db, tmp_path):
    import shutil

    from jmdiq_geo.store.workspace import Workspace
    db = tmp_path / "b.duckdb"
    shutil.copy(berlin_db, db)
    cache = AccessCache()               # the network and the homes, built once for the runs below
    with Workspace(db) as ws:
        acc = access_for(ws, "jugendfreizeit", cache=cache)
        r = acc.result.report
        origins = acc.result.origins
        info = build_origins(ws, "plr", AccessSettings(), cache=cache)
        # every stored residential building is a home, none fell outside the Planungsräume
        assert info.dropped_outside == 0
        assert (info.origins.kind == "building").sum() == len(ws.origins()) == 2389
        # homes: on the network, or estimated — and those inside the network area that are not
        # connected are counted
        assert r["origins_on_network"] + int((~origins["on_network"]).sum()) == r["origins"]
        assert r["origins_unreachable"] == int(origins["unreachable"].sum())
        # every residential building of Moabit reaches the connected network within 250 m
        assert origins.loc[origins["kind"] == "building", "on_network"].all()
        assert origins["nearest_min"].notna().all()
        # services: on the network, or listed by name as off the network
        assert r["services_on_network"] + len(r["services_off_network"]) == r["services"] == 407
        assert r["services_on_network"] > 5
        # the detour factor is calibrated on Moabit's network
        assert r["detour_calibrated"] and 1.1 < r["detour_factor"] < 2.0
        areas = acc.result.areas
        assert len(areas) == 542
        assert set(areas["method"]) >= {"network", "estimate"}
        # weights: the target group is conserved from the areas to the homes
        target = ws.values("jmd_zg", period=ws.periods(indicator_id="jmd_zg", level="plr")[-1], level="plr")
        assert origins["weight"].sum() == pytest.approx(target.sum(), rel=1e-9)
        # the worst detours name railways or rivers they cross where they do
        assert len(acc.result.pairs) > 0 and (acc.result.pairs["detour"] > 2).all()
        # Kitas: E2SFCA per 100 children under 6 (manifest access_demand), spread over the same
        # homes as the target group and conserved; youth centres stay per 100 of the target group
        assert r["demand_indicator"] == "jmd_zg"
        kita = access_for(ws, "kita", cache=cache).result
        assert kita.report["demand_indicator"] == "ew_u6"
        under6 = ws.values("ew_u6", period=ws.periods(indicator_id="ew_u6", level="plr")[-1], level="plr")
        assert info.spread(under6).sum() == pytest.approx(under6.sum(), rel=1e-9)
        assert kita.origins["demand"].sum() == pytest.approx(under6.sum(), rel=1e-9)
        assert kita.origins["weight"].sum() == pytest.approx(target.sum(), rel=1e-9)
        # the area table counts the children beside their places (not the target group alone)
        shown = kita.areas.dropna(subset=["demand_group"]).set_index("area")["demand_group"]
        assert len(shown) > 400 and (shown - under6.reindex(shown.index)).abs().max() <= 0.5
    out = tmp_path / "access.csv"
    assert main(["access", "--db", str(db), "--category", "kita", "--level", "bzr", "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype={"area": str})
    assert len(table) == 143 and table["area"].str.len().eq(6).all()
    assert table["sources"].str.contains("OpenStreetMap").all()
    assert np.isfinite(table["e2sfca"]).sum() > 100          # Kitas have places: E2SFCA per area
    gpkg = tmp_path / "access.gpkg"
    assert main(["access", "--db", str(db), "--category", "kita", "--level", "bzr", "--out", str(gpkg)]) == 0
    import pyogrio
    layer = pyogrio.read_dataframe(gpkg)
    assert len(layer) == 143 and layer.geometry.notna().all() and layer.crs.to_epsg() == 25833
    assert main(["access", "--db", str(db), "--category", "kita", "--origins", "--out", str(tmp_path / "o.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "o.csv")) == r["origins"]


def test_cli_access_bad_persona_and_category(street_ws, tmp_path, capsys):
    db = street_ws.path
    street_ws.close()
    bad = tmp_path / "p.toml"
    bad.write_text('languages = ["klingonisch"]\nwhen = "Mo-Fr 25:00"\n', encoding="utf-8")
    assert main(["access", "--db", str(db), "--category", "jugendfreizeit", "--persona", str(bad),
                 "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "klingonisch" in err and "Mo-Fr 25:00" in err
    assert main(["access", "--db", str(db), "--category", "arbeit", "--out", str(tmp_path / "x.csv")]) == 2
    assert "arbeit" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_review_fixes_edits_hidden_ids_and_networks(tiny_ws, services_file, tmp_path):
    ws = tiny_ws
    import_services(ws, services_file)
    # correcting a hidden service keeps it hidden
    ws.remove_service("jfe:y2")
    ws.edit_service("jfe:y2", {"capacity": 5.0})
    assert "jfe:y2" not in set(ws.services()["service_id"])
    # a re-import without an id column would lose the edits' identity: refused, nothing written
    error = expect_failure(ws, InputError, lambda: im.import_services(
        ws, services_file, im.ServiceSpec(category="jugendfreizeit", name="name"), im.Source("jfe", "Jugendclubs"),
        max_bytes=MAX_BYTES))
    assert error.problems[0].code == "services_need_id"
    # a network file with nothing walkable never replaces the stored network
    street = write_geojson(tmp_path / "s.geojson", [
        feature(shapely.LineString([(X0, Y0 + 50), (X0 + 400, Y0 + 50)]), highway="residential")])
    import_network(ws, street, NetworkSpec(network_id="n", class_column="highway"), im.Source("osm", "OSM"),
                   max_bytes=MAX_BYTES)
    motorway = write_geojson(tmp_path / "m.geojson", [
        feature(shapely.LineString([(X0, Y0), (X0 + 400, Y0)]), highway="motorway")])
    with pytest.raises(InputError) as info:
        import_network(ws, motorway, NetworkSpec(network_id="n", class_column="highway"), im.Source("osm", "OSM"),
                       max_bytes=MAX_BYTES)
    assert info.value.problems[0].code == "network_nothing_walkable"
    assert len(ws.network_segments()) == 1


def test_effective_run_uses_the_nominal_detour_factor_and_target_changes_invalidate(street_ws):
    ws = street_ws
    ws.edit_service("jfe:y2", {"languages": "tr"})
    nominal = access_for(ws, "jugendfreizeit", settings=AccessSettings(unknown="drop"))
    effective = access_for(ws, "jugendfreizeit", persona=make_persona({"languages": ["tr"]}),
                           settings=AccessSettings(unknown="drop"))
    assert effective.result.report["detour_factor"] == nominal.result.report["detour_factor"]
    # the target group changes without an import (e.g. a derived indicator saved in the app)
    with ws.transaction():
        ws.put_indicators([{"indicator_id": "zg", "label_de": "Zielgruppe", "kind": "extensive"}])
        ws.put_values(pd.DataFrame({"level": "plr", "area_id": ["01000001", "01000002", "01000003", "01000004"],
                                    "indicator_id": "zg", "period": "2024-12-31", "value": [10.0, 20, 30, 40],
                                    "source_id": None}))
        ws.set_meta(target_group_indicator="zg")
    first = access_for(ws, "jugendfreizeit")
    assert not first.cached and first.result.origins["weight"].sum() == pytest.approx(100)
    with ws.transaction():
        ws.put_values(pd.DataFrame({"level": "plr", "area_id": ["01000001", "01000002", "01000003", "01000004"],
                                    "indicator_id": "zg", "period": "2024-12-31", "value": [1.0, 2, 3, 4],
                                    "source_id": None}))
    second = access_for(ws, "jugendfreizeit")
    assert not second.cached and second.result.origins["weight"].sum() == pytest.approx(10)
    # fewer than 3 persons of the target group: no count and no measure for that area
    areas = second.result.areas.set_index("area")
    assert areas.loc["01000001", "suppressed"] and pd.isna(areas.loc["01000001", "median_min"])
    assert not areas.loc["01000004", "suppressed"] and areas.loc["01000004", "median_min"] >= 0


def test_cli_access_bad_settings(street_ws, tmp_path, capsys):
    db = street_ws.path
    street_ws.close()
    for args in (["--thresholds", "10,x"], ["--speed", "0"]):
        assert main(["access", "--db", str(db), "--category", "jugendfreizeit", *args,
                     "--out", str(tmp_path / "x.csv")]) == 2
        assert "--thresholds 10,15" in capsys.readouterr().err


def test_headline_share_beyond_is_weighted_by_the_target_group():
    from jmdiq_geo.services.access import headline
    origins = pd.DataFrame({"weight": [1.0, 3.0, 4.0], "nearest_min": [5.0, 20.0, np.nan],
                            "method": ["network", "network", "estimate"]})
    h = headline(origins, far=15)
    assert h["share_beyond_all"] == pytest.approx(7 / 8 * 100)      # 3 beyond + 4 unreachable of 8
    assert h["share_beyond_network"] == pytest.approx(3 / 4 * 100)


def test_area_table_csv_for_german_excel(tmp_path):
    """The app's CSV download in German: ';', decimal comma, BOM; the plain CSV (CLI) stays ','."""
    from jmdiq_geo.io.exports import write_table
    table = pd.DataFrame({"area": ["01100101"], "median_min": [12.3456789], "target_group": [419.0]})
    excel = write_table(table, tmp_path / "a.csv", attribution=["Amt für Statistik, CC BY 3.0 DE"], excel_de=True)
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig").splitlines()
    assert text[0] == "area;median_min;target_group;sources"
    assert text[1] == "01100101;12,346;419,0;Amt für Statistik, CC BY 3.0 DE"
    plain = write_table(table, tmp_path / "b.csv", attribution=["x"])
    assert pd.read_csv(plain, dtype={"area": str})["median_min"].iloc[0] == 12.3456789
