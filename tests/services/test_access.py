"""Access on a workspace (``jmdiq_geo.services.access``): runs are cached and invalidated, the
caller's cache of networks and homes, the privacy rule with the Settings' thresholds, personas,
the headline; on the real data every service and home is snapped or reported."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.analysis.access.compute import AccessSettings
from jmdiq_geo.analysis.attributes import make_persona
from jmdiq_geo.cli import main
from jmdiq_geo.config import Settings
from jmdiq_geo.services.access import AccessCache, access_for, build_origins, load_network, suppress_small


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
def test_real_data_every_home_and_service_snapped_or_reported(berlin_db, tmp_path, copy_workspace):
    from jmdiq_geo.store.workspace import Workspace
    db = copy_workspace(berlin_db, tmp_path / "b.duckdb")
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
    # every home, except those of areas whose numbers are hidden (their weights would show them)
    hidden = set(kita.areas.loc[kita.areas["suppressed"].astype(bool), "area"])
    homes = pd.read_csv(tmp_path / "o.csv", dtype={"area": str})
    assert len(homes) == int((~kita.origins["area"].isin(hidden)).sum()) and hidden
    assert not set(homes["area"]) & hidden


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


@pytest.mark.backend_free
def test_headline_share_beyond_is_weighted_by_the_target_group():
    from jmdiq_geo.services.access import headline
    origins = pd.DataFrame({"weight": [1.0, 3.0, 4.0], "nearest_min": [5.0, 20.0, np.nan],
                            "method": ["network", "network", "estimate"]})
    h = headline(origins, far=15)
    assert h["share_beyond_all"] == pytest.approx(7 / 8 * 100)      # 3 beyond + 4 unreachable of 8
    assert h["share_beyond_network"] == pytest.approx(3 / 4 * 100)


def test_the_cache_is_the_callers(street_ws):
    ws = street_ws
    cache = AccessCache()
    net = load_network(ws, cache=cache)
    assert load_network(ws, cache=cache) is net                 # kept by the cache passed
    assert load_network(ws) is not net                           # without one: built per call
    access_for(ws, "jugendfreizeit", cache=cache, use_cache=False)
    assert len(cache.networks) == 1 and len(cache.origins) == 1
    assert cache.network((str(ws.location), ws.data_stamp()), lambda: None) is net
    cache.clear()
    assert not cache.networks and not cache.origins


@pytest.mark.backend_free
def test_a_full_cache_is_emptied_before_the_next_entry():
    cache = AccessCache(max_networks=1)
    for i in range(2):
        cache.network(("ws", str(i)), lambda: i)
    assert len(cache.networks) == 2
    cache.network(("ws", "2"), lambda: 2)
    assert list(cache.networks) == [("ws", "2")]


@pytest.mark.backend_free
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


@pytest.mark.backend_free
def test_small_demand_groups_show_no_count_and_no_places():
    """The privacy rule of the target group holds for E2SFCA's own group too (< 3 persons)."""
    from jmdiq_geo.services.access import suppress_small
    areas = pd.DataFrame({"area": ["a", "b", "c"], "target_group": [50.0, 50.0, 2.0],
                          "median_min": [5.0, 6.0, 7.0], "e2sfca": [10.0, 20.0, 30.0],
                          "demand_group": [12.4, 2.0, 40.0]})
    out = suppress_small(areas).set_index("area")
    assert out.loc["a", "demand_group"] == 12 and out.loc["a", "e2sfca"] == 10
    assert np.isnan(out.loc["b", "demand_group"]) and np.isnan(out.loc["b", "e2sfca"])
    assert out.loc["b", "median_min"] == 6                      # the target group's measures stay
    assert out.loc["c"][["target_group", "median_min", "e2sfca", "demand_group"]].isna().all()


@pytest.mark.backend_free
def test_buildings_stand_for_an_areas_homes_only_where_they_lie_in_half_its_inhabited_cells():
    """Area A: buildings in 2 of its 3 inhabited 100 m cells → kept; area B: one building in 1 of
    its 4 cells (an extract with a few mapped houses) → the cells stand for B's homes."""
    import numpy as np
    import pandas as pd

    from jmdiq_geo.services.access import _thin_building_areas

    centre = lambda i, j: (4_000_050.0 + 100 * i, 3_000_050.0 + 100 * j)        # noqa: E731
    cells = pd.DataFrame([(*centre(i, 0), 5.0) for i in range(3)] + [(*centre(i, 5), 5.0) for i in range(4)],
                         columns=["x", "y", "value"])
    cell_area = np.array(["A"] * 3 + ["B"] * 4, dtype=object)
    # buildings anywhere inside a cell (not at its centre): A in cells 0 and 1, B in cell 2
    xy = np.array([[4_000_010.0, 3_000_090.0], [4_000_020.0, 3_000_010.0], [4_000_180.0, 3_000_030.0],
                   [4_000_260.0, 3_000_520.0]])
    home_area = np.array(["A", "A", "A", "B"], dtype=object)
    grid = pd.Series({"crs": "EPSG:3035", "cell_size_m": 100.0})
    assert _thin_building_areas(xy, home_area, cells, cell_area, grid, "EPSG:3035") == {"B"}
    # without buildings nothing is set aside
    assert _thin_building_areas(np.zeros((0, 2)), np.array([], dtype=object), cells, cell_area, grid,
                                "EPSG:3035") == set()
