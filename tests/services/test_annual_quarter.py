"""The annual report annex for a drawn quarter (not an area of the workspace) on the real Berlin
workspace: its indicator values are the quarter check's estimation (whole areas: the plain sums of
the stored values; partly covered areas: marked "geschätzt"), its projects and Netzwerkkarte are
those located in the quarter, and the CLI takes the quarter as a file."""
import shutil
import subprocess
from pathlib import Path

import duckdb
import geopandas as gpd
import pytest
import shapely

from jmdiq_geo.analysis.projects import MicroProject, Partner, Tie
from jmdiq_geo.cli import main
from jmdiq_geo.config import Settings
from jmdiq_geo.render.annual import FONT_DIR
from jmdiq_geo.services.annual import annex_csv, annex_pdf, annual_annex
from jmdiq_geo.services.projects import save_partner, save_project, save_tie
from jmdiq_geo.services.quarter import (covered_areas, quarter_from_file, quarter_from_geojson, quarter_numbers)
from jmdiq_geo.store.workspace import Workspace

pytestmark = [pytest.mark.realdata,
              pytest.mark.skipif(not (FONT_DIR / "DejaVuSans.ttf").exists(), reason="Debian's DejaVu fonts missing"),
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")]


@pytest.fixture(scope="module")
def quarter_db(berlin_db, tmp_path_factory, copy_workspace):
    """A copy of Berlin; two neighbouring areas A and B of the lowest level with residents; a
    partner and a project located in A, a partner and a project far away, a project with only
    B's area id; ties of 2024 and 2025. Returns (db, A, B, geometry of A, geometry of B)."""
    db = copy_workspace(berlin_db, tmp_path_factory.mktemp("annual_q") / "berlin.duckdb")
    with Workspace(db) as ws:
        lowest = ws.lowest_level()
        con = ws.cursor()
        big = {r[0] for r in con.execute("SELECT area_id FROM indicator_values WHERE level = ? AND indicator_id = 'ew' "
                                         "AND value > 2000", [lowest]).fetchall()}
        areas = ws.areas(lowest).set_index("area_id")
        areas = areas[areas.index.isin(big)].sort_index()
        a = areas.index[0]
        touching = areas[areas.geometry.touches(areas.geometry.loc[a]) & (areas.index != a)]
        b = touching.index[0]
        ga, gb = areas.geometry.loc[a], areas.geometry.loc[b]
        far = areas.geometry.loc[areas.index[-1]].representative_point()
        inside = ga.representative_point()
        save_partner(ws, Partner("in1", "Treff im Quartier", "Kultur-/Bildungseinrichtung", x=inside.x, y=inside.y),
                     expected_version=None, user="t")
        save_partner(ws, Partner("out1", "Verein weit weg", "Sportverein", x=far.x, y=far.y),
                     expected_version=None, user="t")
        for pid, year, intensity in (("in1", 2024, 1), ("in1", 2025, 3), ("out1", 2024, 2), ("out1", 2025, 2)):
            save_tie(ws, Tie(pid, year, intensity, 2), expected_version=None, user="t")
        for pid, title, x, y, area in (("q1", "Fest im Quartier", inside.x, inside.y, None),
                                       ("q2", "Aktion weit weg", far.x, far.y, None),
                                       ("q3", "Werkstatt im Nachbargebiet", None, None, b)):
            save_project(ws, MicroProject(pid, title, area_id=area, x=x, y=y, start="2025-02-01", end="2025-05-31",
                                          budget_planned=1000.0, status="laufend"), expected_version=None, user="t")
    return db, a, b, ga, gb


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "annex.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _file(tmp_path, geometry, crs) -> str:
    path = tmp_path / "quartier.gpkg"
    gpd.GeoDataFrame({"name": ["Q"]}, geometry=[geometry], crs=crs).to_file(path, driver="GPKG")
    return str(path)


def test_a_quarter_of_whole_areas_has_their_plain_sums_and_is_not_called_estimated(quarter_db, tmp_path, berlin_db):
    db, a, b, ga, gb = quarter_db
    with Workspace(db, read_only=True) as ws:
        quarter = quarter_from_file(ws, _file(tmp_path, shapely.union_all([ga, gb]), ws.work_crs), max_bytes=10**8)
        annex = annual_annex(ws, year=2025, quarter=quarter, settings=Settings.from_env())
        lowest = ws.lowest_level()
    assert [c["area_id"] for c in annex.covered] == sorted([a, b]) or {c["area_id"] for c in annex.covered} == {a, b}
    assert all(c["method"] == "full" for c in annex.covered) and not annex.estimated
    ind = annex.indicators[annex.indicators["kind"] == "extensive"].dropna(subset=["value_to"])
    assert len(ind) > 5 and not annex.indicators["estimated"].any()
    # plain DuckDB (on PostgreSQL: the file it was copied from; the additions hold no values)
    con = duckdb.connect(str(db if isinstance(db, Path) else berlin_db), read_only=True)
    for r in ind.itertuples():
        for period, value in ((r.period_from, r.value_from), (r.period_to, r.value_to)):
            total = con.execute("SELECT sum(value) FROM indicator_values WHERE level = ? AND area_id IN (?, ?) "
                                "AND indicator_id = ? AND period = ?", [lowest, a, b, r.indicator_id, period]).fetchone()[0]
            assert value == pytest.approx(total), (r.indicator_id, period)
    con.close()
    text = _text(annex_pdf(annex), tmp_path)
    assert "Werte des Quartiers wie bei" not in text and "geschätzt" not in text


def test_a_drawn_quarter_cutting_an_area_uses_the_check_estimation_and_says_geschaetzt(quarter_db, tmp_path):
    db, a, b, ga, gb = quarter_db
    with Workspace(db, read_only=True) as ws:
        west, south, east, north = gb.bounds
        half = gb.intersection(shapely.box(west, south, (west + east) / 2, north))
        drawn = gpd.GeoSeries([shapely.union_all([ga, half]).buffer(0)], crs=ws.work_crs)
        geojson = drawn.to_crs("EPSG:4326").iloc[0].__geo_interface__
        quarter = quarter_from_geojson(ws, geojson, label="Gezeichnet")
        settings = Settings.from_env()
        annex = annual_annex(ws, year=2025, quarter=quarter, settings=settings)
        numbers = quarter_numbers(ws, quarter, settings=settings)          # what the quarter check computes
        covered = covered_areas(ws, numbers)
    assert annex.estimated and annex.covered == covered
    assert any(c["method"] != "full" and c["area_id"] == b for c in annex.covered)
    compared = 0
    for r in annex.indicators.dropna(subset=["value_to"]).itertuples():
        assert r.estimated
        if r.indicator_id in numbers.values.index and numbers.values.at[r.indicator_id, "period"] == r.period_to:
            assert r.value_to == pytest.approx(float(numbers.values.at[r.indicator_id, "value"])), r.indicator_id
            compared += 1
    assert compared > 5
    # located in the quarter: the project and partner inside A, the project with B's area id is
    # not (B's inner point may lie on either side; it is in exactly when the quarter covers it)
    titles = set(annex.projects["title"])
    assert "Fest im Quartier" in titles and "Aktion weit weg" not in titles
    assert ("Werkstatt im Nachbargebiet" in titles) == bool(quarter.geometry.covers(gb.representative_point()))
    assert annex.network_years == (2024, 2025)
    assert set(annex.network_changes["partner_id"]) == {"in1"}
    text = _text(annex_pdf(annex), tmp_path)
    for expected in ("Gezeichnet", "geschätzt", "Werte des Quartiers wie bei", "Gebiete im Quartier",
                     "Treff im Quartier", "Fest im Quartier", "nur die 1 Partner mit Standort im Quartier"):
        assert expected in text, expected
    assert "Verein weit weg" not in text and "Aktion weit weg" not in text
    files = annex_csv(annex)
    assert any(name.endswith("_quartier_gebiete.csv") for name in files)


def test_cli_takes_the_quarter_as_a_file_and_refuses_area_and_quarter_together(quarter_db, tmp_path, capsys):
    db, a, b, ga, gb = quarter_db
    with Workspace(db, read_only=True) as ws:
        crs = ws.work_crs
    path = _file(tmp_path, ga, crs)
    out = tmp_path / "annex.pdf"
    assert main(["annual", "--year", "2025", "--quarter", path, "--db", str(db), "--out", str(out), "--csv"]) == 0
    text = _text(out.read_bytes(), tmp_path)
    assert "Fest im Quartier" in text and "quartier" in text.lower()
    assert len(list(tmp_path.glob("anhang_2025_quartier_*.csv"))) == 6       # with quartier_gebiete and beteiligung
    capsys.readouterr()
    bad = tmp_path / "bad.pdf"
    assert main(["annual", "--year", "2025", "--area", a, "--quarter", path, "--db", str(db), "--out", str(bad)]) == 2
    assert "--quarter" in capsys.readouterr().err and not bad.exists()
