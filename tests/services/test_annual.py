"""The annual report annex on the real Berlin workspace: the PDF (rendered page by page with
poppler's pdftoppm, its images not blank, its text read back with pdftotext), the CSV tables
(checked against plain DuckDB queries and sums computed here), the CLI, and that drawing the
Netzwerkkarte of two years saves nothing."""
import io
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from jmdiq_geo.analysis.activity import ActivityMonth
from jmdiq_geo.analysis.projects import MicroProject, Partner, Tie
from jmdiq_geo.cli import main
from jmdiq_geo.config import Settings
from jmdiq_geo.render.annual import FONT_DIR, page_count
from jmdiq_geo.services.activity import save_month
from jmdiq_geo.services.annual import annex_csv, annex_pdf, annual_annex
from jmdiq_geo.services.projects import network_maps, save_partner, save_project, save_tie
from jmdiq_geo.store.workspace import Workspace

pytestmark = [pytest.mark.realdata,
              pytest.mark.skipif(not (FONT_DIR / "DejaVuSans.ttf").exists(), reason="Debian's DejaVu fonts missing"),
              pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")]

PARTNERS = [("org001", "QM Nord", "Quartiersmanagement"), ("org002", "Grundschule am Park", "Schule"),
            ("org003", "SV Blau-Weiß", "Sportverein"), ("org004", "Jobcenter", "Jobcenter"),
            ("org005", "Kulturhaus", "Kultur-/Bildungseinrichtung")]
TIES = [("org001", 2024, 2, 3), ("org002", 2024, 2, 2), ("org003", 2024, 1, 1), ("org004", 2024, 3, 2),
        ("org001", 2025, 3, 3), ("org002", 2025, 1, 2), ("org003", 2025, 1, 1), ("org005", 2025, 2, 2)]
CATS = ["beratung", "case_management", "gruppenangebote", "netzwerk_sozialraum", "sonstige"]
MONTHS = {"2025-01": (40, 20, 15, 20, 5), "2025-02": (30, 30, 10, 25, 5), "2025-03": (25, 25, 25, 20, 5)}


@pytest.fixture(scope="module")
def annex_db(berlin_db, tmp_path_factory, copy_workspace):
    """A copy of Berlin with partners, ties of 2024 and 2025, three projects in one area (one
    outside 2025) and three months of activity; returns (db, area id)."""
    db = copy_workspace(berlin_db, tmp_path_factory.mktemp("annual") / "berlin.duckdb")
    with Workspace(db) as ws:
        lowest = ws.lowest_level()
        con = ws.cursor()
        # an area of the lowest level with enough residents for its values to be shown
        area = con.execute("SELECT area_id FROM indicator_values WHERE level = ? AND indicator_id = 'ew' "
                           "AND value > 2000 ORDER BY area_id LIMIT 1", [lowest]).fetchone()[0]
        for pid, name, typ in PARTNERS:
            save_partner(ws, Partner(pid, name, typ), expected_version=None, user="t")
        for pid, year, intensity, importance in TIES:
            save_tie(ws, Tie(pid, year, intensity, importance), expected_version=None, user="t")
        for pid, title, start, end, planned, spent, sust in (
                ("p001", "Graffiti-Workshop", "2025-03-01", "2025-06-30", 1500.0, 1200.0, "Anschlussförderung"),
                ("p002", "Nachtliga", "2024-09-01", None, 2000.0, None, "keine"),
                ("p003", "Alte Aktion", "2023-01-01", "2023-12-31", 500.0, 500.0, "keine")):
            save_project(ws, MicroProject(pid, title, area_id=area, budget_planned=planned, budget_spent=spent,
                                          start=start, end=end, status="laufend", sustainability=sust),
                         expected_version=None, user="t")
        for month, shares in MONTHS.items():
            save_month(ws, ActivityMonth(month, dict(zip(CATS, shares))), expected_version=None, user="t")
    return db, area


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "annex.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode("utf-8").split())


def test_the_annex_pdf_renders_every_page_and_names_title_year_and_sources(annex_db, tmp_path):
    db, area = annex_db
    with Workspace(db, read_only=True) as ws:
        annex = annual_annex(ws, year=2025, area_id=area, settings=Settings.from_env())
        attributions = ws.attributions()
        name = ws.area_names(ws.lowest_level()).set_index("area_id").at[area, "name"]
    pdf = annex_pdf(annex)
    path = tmp_path / "annex.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == page_count(pdf) >= 2
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == pages
    for png in rendered:                        # every page drawn, none empty
        assert np.asarray(Image.open(png).convert("L"), dtype=float).std() > 5
    # the embedded Netzwerkkarte is an image with content (not one colour)
    subprocess.run(["pdfimages", "-png", str(path), str(tmp_path / "img")], check=True)
    images = sorted(tmp_path.glob("img-*.png"))
    assert images
    pixels = np.asarray(Image.open(images[0]).convert("RGB"), dtype=float)
    assert pixels.shape[1] > 1000 and pixels.std() > 10
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20
    text = _text(pdf, tmp_path)
    for expected in ("Anhang zum Jahresbericht 2025", "Berichtsjahr 2025", "Netzwerkkarte 2024 / 2025",
                     "Datenquellen und Lizenzen", "Mikroprojekte 2025", "Graffiti-Workshop", "Nachtliga",
                     "Strukturdaten JMD i-mpuls", "Netzwerk- und Sozialraumarbeit", name):
        assert expected in text, expected
    assert "Alte Aktion" not in text            # ended in 2023
    assert any(a in text for a in attributions)
    assert "None" not in text and "nan" not in text.split()


def test_the_csv_tables_equal_independent_computations(annex_db, tmp_path, berlin_db):
    db, area = annex_db
    with Workspace(db, read_only=True) as ws:
        annex = annual_annex(ws, year=2025, area_id=area, settings=Settings.from_env())
        lowest = ws.lowest_level()
    files = annex_csv(annex)
    tables = {name.rsplit("_", 1)[-1].removesuffix(".csv"): pd.read_csv(io.BytesIO(data)) for name, data in files.items()}
    assert set(tables) == {"netzwerk", "mikroprojekte", "indikatoren", "taetigkeiten", "beteiligung"}
    assert tables["beteiligung"].empty          # no participation session in this workspace
    # network: new, ended, strengthened, weakened by set logic on the ties given above
    a = {p: (i, m) for p, y, i, m in TIES if y == 2024}
    b = {p: (i, m) for p, y, i, m in TIES if y == 2025}
    expected = {p: "new" if p not in a else "ended" if p not in b else "strengthened" if b[p] > a[p]
                else "weakened" if b[p] < a[p] else "unchanged" for p in set(a) | set(b)}
    assert dict(zip(tables["netzwerk"]["partner_id"], tables["netzwerk"]["change"])) == expected
    # projects of 2025: p001 and p002, budgets summed here
    projects = tables["mikroprojekte"]
    assert sorted(projects["project_id"]) == ["p001", "p002"]
    assert projects["budget_planned"].sum() == 1500.0 + 2000.0
    assert projects["budget_spent"].sum() == 1200.0 and projects["budget_spent"].isna().sum() == 1
    # activity: three months without hours, each weighing the same
    activity = tables["taetigkeiten"].set_index("category")
    for i, cat in enumerate(CATS):
        assert activity.at[cat, "share"] == pytest.approx(np.mean([s[i] for s in MONTHS.values()]))
    assert activity["share_whole"].sum() == 100
    # indicators: the area's values are the stored values of that area and period (plain DuckDB)
    ind = tables["indikatoren"].dropna(subset=["value_to"])
    assert len(ind) > 5
    # (on PostgreSQL: the file it was copied from; the annex's additions hold no values)
    con = duckdb.connect(str(db if isinstance(db, Path) else berlin_db), read_only=True)
    for r in ind.itertuples():
        for period, value in ((r.period_from, r.value_from), (r.period_to, r.value_to)):
            raw = con.execute("SELECT value FROM indicator_values WHERE level = ? AND area_id = ? AND indicator_id = ? "
                              "AND period = ?", [lowest, area, r.indicator_id, period]).fetchone()[0]
            assert value == pytest.approx(raw), (r.indicator_id, period)
        assert r.change == pytest.approx(r.value_to - r.value_from)
    con.close()


def test_drawing_two_years_saves_nothing(annex_db):
    db, _ = annex_db
    with Workspace(db) as ws:
        before = ws.snapshot()
        ties_before = ws.record_rows("tie")
        png, changes = network_maps(ws, 2025, 2024, title="Netzwerkkarte")
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(changes) == 5
        svg, _ = network_maps(ws, 2024, None, title="Netzwerkkarte", fmt="svg")
        assert b"<svg" in svg
        assert ws.snapshot() == before and ws.record_rows("tie") == ties_before


def test_cli_writes_the_pdf_and_csv_and_refuses_an_unknown_area(annex_db, tmp_path, capsys):
    db, area = annex_db
    out = tmp_path / "annex.pdf"
    assert main(["annual", "--year", "2025", "--area", area, "--db", str(db), "--out", str(out), "--csv"]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    assert len(list(tmp_path.glob(f"anhang_2025_{area}_*.csv"))) == 5       # with beteiligung
    printed = capsys.readouterr().out
    assert "Anhang 2025 geschrieben" in printed
    bad = tmp_path / "bad.pdf"
    assert main(["annual", "--year", "2025", "--area", "kein-gebiet", "--db", str(db), "--out", str(bad)]) == 2
    assert "kein-gebiet" in capsys.readouterr().err and not bad.exists()
    # the whole city, a year without ties of the year before: one map and a note
    city = tmp_path / "city.pdf"
    assert main(["annual", "--year", "2024", "--db", str(db), "--out", str(city)]) == 0
    text = _text(city.read_bytes(), tmp_path)
    assert "Für 2023 sind keine Netzwerkkontakte erfasst" in text and "Netzwerkkarte 2024" in text
