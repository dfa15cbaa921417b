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
    _run("define", "ew_geschaetzt", "--db", db, "--label", "Einwohner:innen (geschätzt)", "--density",
         "population_density_ha_abs", "--per", "ha")
    for rate in ("unemployed_pct", "unemployed_under_25_pct", "transfer_payment_pct", "children_under_15_sgb_ii_pct"):
        _run("denominator", rate, "ew_geschaetzt", "--db", db)
    _run("import", "services", str(d / "facilities" / "youth_centers.geojson"), "--db", db, "--category",
         "jugendfreizeit", "--name", "objektname", "--source-id", "jfz", "--title", "Jugendfreizeitstätten", *SOURCE)
    _run("import", "programme-areas", str(d / "programme_areas" / "dortmund_aktionsraeume_members.csv"), "--db", db,
         "--key", "aktionsraum_nr", "--name", "aktionsraum", "--member", "unbeznr", "--member-level", "ubz",
         "--programme-name", "Aktionsplan Soziale Stadt", "--source-id", "ar", "--title", "Aktionsräume", *SOURCE)
    _run("roles", "--db", db, "residents=ew_geschaetzt", "unemployment_share=unemployed_pct",
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
