"""The README's "your own city" steps with the CLI only, from an empty folder, on Dortmund's real
files: a second city works without writing TOML — and its shipped data package builds the same."""
import csv
from datetime import date

import pytest

from jmdiq_geo.cli import main
from jmdiq_geo.services.workspace import open_workspace

pytestmark = pytest.mark.realdata

SOURCE = ["--publisher", "Stadt Dortmund", "--licence", "nicht angegeben (Stadt Dortmund)"]


def _run(*args) -> None:
    assert main(list(args)) == 0, args


@pytest.fixture(scope="module")
def dortmund_db(data_root, workspace_locations):
    d = data_root / "dortmund"
    db = str(workspace_locations("dortmund"))
    _run("new", "--name", "Dortmund", "--db", db)
    _run("import", "boundaries", str(d / "boundaries" / "Statist_UnterbezirkePolygon.geojson"), "--db", db,
         "--level", "ubz", "--label", "Unterbezirk", "--key", "unbeznr", "--name", "bezeichnun",
         "--source-id", "ubz", "--title", "Statistische Unterbezirke", *SOURCE)
    _run("import", "indicators", str(d / "indicators" / "do_data2018.geojson"), "--db", db, "--level", "ubz",
         "--key", "Nummer", "--period", "2018-12-31", "--source-id", "atlas2018", "--title", "Statistikatlas 2018",
         *SOURCE)
    _run("import", "indicators", str(d / "indicators" / "do_data2024.geojson"), "--db", db, "--level", "ubz",
         "--key", "Schlüssel", "--period", "2024-12-31", "--source-id", "atlas2024", "--title", "Statistik 2024",
         *SOURCE)
    # residents from the census grids (Dortmund publishes no counts); the shares weighted by
    # density × area of their own year
    _run("zensus", "--db", db, "--data-root", str(data_root), "--quiet")
    _run("define", "ew_geschaetzt", "--db", db, "--label", "Gewicht der Anteile (Dichte × Fläche)", "--density",
         "population_density_ha_abs", "--per", "ha")
    for rate in ("unemployed_pct", "unemployed_under_25_pct", "transfer_payment_pct", "children_under_15_sgb_ii_pct"):
        _run("denominator", rate, "ew_geschaetzt", "--db", db)
    _run("import", "services", str(d / "facilities" / "youth_centers.geojson"), "--db", db, "--category",
         "jugendfreizeit", "--name", "objektname", "--source-id", "jfz", "--title", "Jugendfreizeitstätten", *SOURCE)
    _run("import", "programme-areas", str(d / "programme_areas" / "dortmund_aktionsraeume_members.csv"), "--db", db,
         "--key", "aktionsraum_nr", "--name", "aktionsraum", "--member", "unbeznr", "--member-level", "ubz",
         "--programme-name", "Aktionsplan Soziale Stadt", "--source-id", "ar", "--title", "Aktionsräume", *SOURCE)
    _run("roles", "--db", db, "residents=zensus_ew", "unemployment_share=unemployed_pct",
         "youth_unemployment_share=unemployed_under_25_pct", "transfer_share=transfer_payment_pct",
         "child_poverty_share=children_under_15_sgb_ii_pct")
    return db


def test_workspace_holds_the_city(dortmund_db):
    with open_workspace(dortmund_db, read_only=True) as ws:
        assert ws.work_crs == "EPSG:25832" and ws.levels_in_order() == ["ubz"]
        assert len(ws.area_names("ubz")) == 170 and len(ws.programme_areas()) == 13
        for period in ("2018-12-31", "2024-12-31"):
            values = ws.values("unemployed_pct", period=date.fromisoformat(period), level="ubz")
            assert values.notna().sum() >= 169
        assert ws.indicators().set_index("indicator_id").at["unemployed_pct", "kind"] == "intensive"


def test_residents_from_the_census_grids(dortmund_db, data_root, capsys):
    """Every Unterbezirk's residents from the Zensus 2022 1 km grid, spread within each cell over
    its inhabited 100 m cells: the Unterbezirke add up to what one outline of the whole city
    gets (the quarter check's path), which is close to the cells whose centre lies in the city
    (read here from the nationwide file); a density × area "estimate" was 3.3 times that."""
    import geopandas as gpd
    import shapely

    from jmdiq_geo.config import Settings
    from jmdiq_geo.io import nationwide
    from jmdiq_geo.services.grids import grid_basis, grid_numbers

    zensus = date(2022, 5, 15)
    with open_workspace(dortmund_db, read_only=True) as ws:
        residents = ws.values("zensus_ew", period=zensus, level="ubz")
        foreigners = ws.values("zensus_ausl", period=zensus, level="ubz")
        share = ws.values("zensus_ausl_anteil", period=zensus, level="ubz")
        density = ws.values("ew_geschaetzt", period=date(2024, 12, 31), level="ubz")
        city = shapely.union_all(ws.areas("ubz").geometry.array)
        whole = grid_numbers(city, work_crs=ws.work_crs, basis=grid_basis(ws), settings=Settings.from_env())
        outline_3035 = gpd.GeoSeries([city], crs=ws.work_crs).to_crs("EPSG:3035").iloc[0]
        assert ws.meta()["population_indicator"] == "zensus_ew"
        assert "zensus_ausl_anteil" in ws.meta()["roles"]
    assert len(residents) == 170 and residents.notna().all()
    assert residents.sum() == pytest.approx(whole.line("residents").raw, rel=1e-9)
    assert foreigners.sum() == pytest.approx(whole.line("foreigners").raw, rel=1e-9)
    assert share.to_dict() == pytest.approx((100 * foreigners / residents).to_dict())
    layer = next(g for g in nationwide.load_layers(data_root).grids if g.grid_id == "zensus_1km_ew")
    cells = nationwide.read_cells(layer, bbox=outline_3035.bounds).dropna()
    by_centre = cells["value"][shapely.contains_xy(outline_3035, cells["x"], cells["y"])].sum()
    assert abs(residents.sum() / by_centre - 1) < 0.05
    assert density.sum() > 3 * residents.sum()


def test_areas_under_300_census_residents_are_hidden(dortmund_db):
    """The 2024 shares are weighted by density × area of 2024, three times the residents; for
    the privacy rule an area takes the smaller of that and the census (31 months away): the
    Unterbezirke with fewer than 300 census residents show no share."""
    from jmdiq_geo.config import Settings
    from jmdiq_geo.services.layers import indicator_layer

    with open_workspace(dortmund_db, read_only=True) as ws:
        residents = ws.values("zensus_ew", period=date(2022, 5, 15), level="ubz")
        layer = indicator_layer(ws, indicator_id="unemployed_pct", period=date(2024, 12, 31), level="ubz",
                                settings=Settings.from_env())
    small = set(residents[residents < 300].index)
    assert small                                     # Dortmund has such areas (harbour, industry)
    shown = layer.areas.set_index("area_id")["value"]
    assert shown.reindex(sorted(small)).isna().all()
    assert shown.notna().sum() >= 170 - len(small) - 1


def test_maps_index_and_check_of_nordmarkt(dortmund_db, tmp_path, capsys):
    _run("map", "--db", dortmund_db, "--indicator", "unemployed_pct", "--period", "2024-12-31",
         "--out", str(tmp_path / "al.html"))
    _run("map", "--db", dortmund_db, "--indicator", "unemployed_pct", "--period", "2024-12-31", "--change-from",
         "2018-12-31", "--out", str(tmp_path / "al_change.html"))
    html = (tmp_path / "al_change.html").read_text(encoding="utf-8")
    assert "2018" in html and "2024" in html and "Statistik 2024" in html
    _run("index", "--db", dortmund_db, "--definition", "sozialindex", "--period", "2024-12-31",
         "--out", str(tmp_path / "sozialindex.csv"))
    with (tmp_path / "sozialindex.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 170 and {r["sozial_class"] for r in rows} >= {"mittel", "niedrig"}
    capsys.readouterr()
    _run("--lang", "en", "check", "--db", dortmund_db, "--programme-area", "022", "--rules", "paragraf_171e")
    out = capsys.readouterr().out
    verdicts = [line for line in out.splitlines() if line.strip().startswith("[")]
    assert len(verdicts) == 4 and not any("[unknown]" in v for v in verdicts)
    assert "Social deprivation" in out and ": met" in out


def test_shipped_data_package_builds_the_same(dortmund_db, data_root, new_workspace_location):
    db = str(new_workspace_location("paket"))
    _run("demo", "--city", "dortmund", "--db", db, "--data-root", str(data_root), "--quiet")
    with open_workspace(db, read_only=True) as a, open_workspace(dortmund_db, read_only=True) as b:
        # the same areas, programme areas and values (the package adds readable labels and more services)
        assert a.snapshot()["areas"] == b.snapshot()["areas"]
        pa, pb = a.programme_areas(), b.programme_areas()
        assert pa[["pa_id", "name", "members"]].equals(pb[["pa_id", "name", "members"]])
        va = a.values("unemployed_pct", period=date(2024, 12, 31), level="ubz")
        vb = b.values("unemployed_pct", period=date(2024, 12, 31), level="ubz")
        assert va.equals(vb)
        za = a.values("zensus_ew", period=date(2022, 5, 15), level="ubz")
        assert za.to_dict() == pytest.approx(b.values("zensus_ew", period=date(2022, 5, 15), level="ubz").to_dict())
        assert a.meta()["population_indicator"] == "zensus_ew" and a.grids().equals(b.grids())


def test_its_own_manifest_takes_the_census_again(dortmund_db, data_root, tmp_path, new_workspace_location):
    """The data package the workspace writes says ``zensus = true`` (the grids are cut again, not
    listed as files) and rebuilds the same tables."""
    from tests.services.test_manifest_writer import _tables

    toml = tmp_path / "dortmund_again.toml"
    _run("manifest", "--db", dortmund_db, "--data-root", str(data_root), "--out", str(toml))
    text = toml.read_text(encoding="utf-8")
    assert "zensus = true" in text and "jmdiq-geo new" not in text and "germany/" not in text
    again = str(new_workspace_location("again"))
    _run("demo", "--city", str(toml), "--db", again, "--data-root", str(data_root), "--quiet")
    assert _tables(again) == _tables(dortmund_db)
