"""The justification sheet of a quarter check (``jmdiq_geo.render.report``): a PDF whose text (read
back with poppler's ``pdftotext``) names the quarter, the verdict, every criterion and the data
sources; the quarter's small map is a PNG."""
import shutil
import struct
import subprocess
from datetime import date

import geopandas as gpd
import pytest
import shapely

from jmdiq_geo.i18n import format_date, t
from jmdiq_geo.render.report import FONT_DIR, justification_pdf, quarter_png

X0, Y0 = 390000, 5820000
SOURCES = ["Amt für Statistik Berlin-Brandenburg, CC BY 3.0 DE", "Testamt Teststadt, CC BY 4.0"]

pytestmark = pytest.mark.skipif(not (FONT_DIR / "DejaVuSans.ttf").exists(), reason="Debian's DejaVu fonts missing")


def pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode("utf-8").split())          # one line: words wrap where the page ends


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def result(verdict: str = "met", **over) -> dict:
    """A check result as ``services.quarter.result_to_dict`` makes it."""
    base = {"quarter": {"label": "Testkiez Nord", "kind": "areas", "area_ids": ["01000001", "01000002"],
                        "area_km2": 0.02},
            "ruleset": {"id": "r", "version": "2024", "label": "Testregeln Quartier", "source": "Leitfaden 2024"},
            "verdict": verdict, "reason": "Alle Kriterien des Wegs „Sozialindex“ sind erfüllt.",
            "criteria": [{"id": "q", "label": "Arbeitslosenquote", "status": "met", "numbers": {},
                          "reason": "12,0 % liegt über 9,6 % (1,2 × Stadt)."},
                         {"id": "p", "label": "Programmgebiet", "status": "unknown", "numbers": {},
                          "reason": "Keine Programmgebiete gespeichert."}],
            "population": 12345.0, "share_population_from_partly_covered_areas": 0.25,
            "weights": {"grid": "zensus_100m", "grid_label": "Zensus 2022, 100-m-Gitter",
                        "methods": {"full": 2, "dasymetric": 1, "area": 0}},
            "sources": SOURCES}
    base.update(over)
    return base


def test_sheet_names_quarter_verdict_criteria_and_sources(tmp_path):
    pdf = justification_pdf(result(), lang="de", created=date(2025, 3, 1))
    assert pdf[:5] == b"%PDF-"
    text = pdf_text(pdf, tmp_path)
    assert t("report_title", "de", quarter="Testkiez Nord") in text
    assert "01000001, 01000002" in text and format_date(date(2025, 3, 1), "de") in text
    assert "Testregeln Quartier" in text and "Leitfaden 2024" in text
    assert t("report_verdict", "de", verdict=t("verdict_met", "de")) in text
    assert "Alle Kriterien des Wegs „Sozialindex“ sind erfüllt." in text
    for label, status in (("Arbeitslosenquote", "met"), ("Programmgebiet", "unknown")):
        assert f"[{t('verdict_' + status, 'de')}] {label}" in text
    assert "12,0 % liegt über 9,6 % (1,2 × Stadt)." in text
    assert "12.345" in text and "Zensus 2022, 100-m-Gitter" in text          # German numbers
    assert all(source in text for source in SOURCES)


def test_sheet_in_english_with_two_rule_sets_and_a_map(tmp_path):
    png = quarter_png(gpd.GeoDataFrame(geometry=[shapely.box(X0 + 100, Y0, X0 + 300, Y0 + 100)], crs="EPSG:25833"),
                      gpd.GeoDataFrame(geometry=[shapely.box(X0 + i * 100, Y0, X0 + (i + 1) * 100, Y0 + 100)
                                                 for i in range(4)], crs="EPSG:25833"), None)
    two = [result(), result("not_met", ruleset={"id": "s", "version": None, "label": "Zweite Regeln", "source": None})]
    with_map = justification_pdf(two, lang="en", map_png=png)
    without = justification_pdf(two, lang="en")
    assert len(with_map) > len(without) + 1000                   # the map is in it
    text = pdf_text(with_map, tmp_path)
    assert t("report_title", "en", quarter="Testkiez Nord") in text
    assert t("report_verdict", "en", verdict=t("verdict_met", "en")) in text
    assert t("report_verdict", "en", verdict=t("verdict_not_met", "en")) in text
    assert "Testregeln Quartier" in text and "Zweite Regeln" in text
    assert "12,345" in text                                      # English numbers
    assert all(source in text for source in SOURCES)


def test_quarter_png_is_a_map_image():
    quarter = gpd.GeoDataFrame(geometry=[shapely.box(X0 + 100, Y0, X0 + 300, Y0 + 100)], crs="EPSG:25833")
    areas = gpd.GeoDataFrame(geometry=[shapely.box(X0 + i * 100, Y0, X0 + (i + 1) * 100, Y0 + 100) for i in range(4)],
                             crs="EPSG:25833")
    outlines = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 400, Y0 + 100)], crs="EPSG:25833")
    png = quarter_png(quarter, areas, outlines)
    width, height = png_size(png)
    assert width > 300 and height > 200
    assert png_size(quarter_png(quarter, areas, None))[0] > 300


@pytest.mark.realdata
def test_sheet_of_a_real_check(berlin_ws, tmp_path):
    from jmdiq_geo.config import Settings
    from jmdiq_geo.io.rulesets import load_ruleset, shipped_rulesets
    from jmdiq_geo.services.quarter import check_quarter, quarter_from_areas, result_to_dict

    quarter = quarter_from_areas(berlin_ws, level="plr", area_ids=["08100103", "08100104"])
    checked = check_quarter(berlin_ws, quarter, load_ruleset(shipped_rulesets()["paragraf_171e"]),
                            settings=Settings.from_env())
    data = result_to_dict(checked, lang="de")
    q = gpd.GeoDataFrame(geometry=[quarter.geometry], crs=berlin_ws.work_crs)
    png = quarter_png(q, berlin_ws.areas("plr"), berlin_ws.areas(berlin_ws.top_level()))
    text = pdf_text(justification_pdf(data, lang="de", map_png=png), tmp_path)
    assert t("report_title", "de", quarter=data["quarter"]["label"]) in text
    assert t("report_verdict", "de", verdict=t(f"verdict_{data['verdict']}", "de")) in text
    assert all(c["label"] in text for c in data["criteria"])
    assert data["sources"] and all(source in text for source in data["sources"])
    assert "Amt für Statistik Berlin-Brandenburg" in text
