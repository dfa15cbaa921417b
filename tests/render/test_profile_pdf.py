"""The Quartiersprofil PDF (``render.profile_pdf`` from ``services.profile_report``), the quarter
sheet's new lines, ``map --out`` and ``report`` — read back with poppler (every page rendered,
the text found) on the real Berlin workspace; the lists by parent area against a plain
selection of the workspace's hierarchy."""
import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.cli import main
from jmdiq_geo.config import Settings
from jmdiq_geo.i18n import class_label, format_date, format_number, t
from jmdiq_geo.render.report import justification_pdf
from jmdiq_geo.services.catalogue import check_rule_sets
from jmdiq_geo.services.profile_report import children_table, profile_report_pdf
from jmdiq_geo.services.quarter import check_quarter, quarter_from_areas, quarter_from_geojson, result_to_dict
from jmdiq_geo.ui.profile import series_colours
from tests.render.test_print_map import coloured, page_size_mm, pdf_pages, pdf_text

pytestmark = pytest.mark.realdata


def test_chart_colours_follow_the_series_not_their_position():
    # the columns come as area, district, second area, city: the district stays grey
    colours = series_colours(["A (1)", "Bezirk", "B (2)", "Stadt"], ["A (1)", "B (2)"], "Bezirk", "Stadt")
    assert colours == ["#c0392b", "#8c8c8c", "#2471a3", "#222222"]


@pytest.fixture
def moabit(berlin_ws):
    plr = berlin_ws.area_names("plr")
    bzr = berlin_ws.area_names("bzr")
    west = bzr.loc[bzr["name"] == "Moabit West", "area_id"].item()
    return west, plr.loc[plr["parent_id"] == west, "area_id"].tolist()


def test_profile_pdf_of_one_area(berlin_ws, moabit, tmp_path):
    _, ids = moabit
    pdf, names = profile_report_pdf(berlin_ws, level="plr", area_ids=ids[:1], settings=Settings.from_env())
    pages = pdf_pages(pdf, tmp_path)
    assert 2 <= len(pages) <= 4 and all(p.shape[0] > p.shape[1] for p in pages)       # A4 portrait
    assert coloured(pages[0]) > 0.005                                                    # the locator map
    assert tuple(round(x) for x in page_size_mm(pdf, tmp_path)) == (210, 297)
    text = pdf_text(pdf, tmp_path)
    assert t("profile_pdf_title", "de", name=names[0]) in text
    assert "31.12.2024" in text and t("profile_pdf_indicators", "de") in text
    assert t("profile_pdf_target", "de") in text and t("profile_trend", "de") in text
    assert t("profile_programmes", "de") in text and t("profile_pdf_projects", "de") in text
    assert "Amt für Statistik Berlin-Brandenburg, CC BY 3.0 DE" in text
    # the residents as the workspace holds them (privacy: a shown area has ≥ 300)
    residents = berlin_ws.values("ew", period=pd.Timestamp("2024-12-31").date(), level="plr")[ids[0]]
    assert format_number(residents, "de", digits=0) in text


def test_two_areas_compared(berlin_ws, moabit, tmp_path):
    _, ids = moabit
    pdf, names = profile_report_pdf(berlin_ws, level="plr", area_ids=ids[:2], settings=Settings.from_env())
    text = pdf_text(pdf, tmp_path)
    assert t("profile_pdf_title", "de", name=f"{names[0]} / {names[1]}") in text
    assert all(n in text for n in names)
    assert len(pdf_pages(pdf, tmp_path)) >= 2


def test_planungsraeume_of_moabit_west_with_their_mss_classes(berlin_ws, moabit):
    west, ids = moabit
    table = children_table(berlin_ws, parent_level="bzr", parent_id=west, settings=Settings.from_env())
    assert sorted(table["area_id"]) == sorted(ids)
    defs = berlin_ws.indicators().set_index("indicator_id")
    label = defs.loc["mss_status", "label_de"]
    raw = berlin_ws.values("mss_status", period=berlin_ws.periods(indicator_id="mss_status", level="plr")[-1],
                           level="plr")
    expected = [class_label(defs.loc["mss_status", "classes"], int(raw[a]), "de") if pd.notna(raw.get(a)) else None
                for a in table["area_id"]]
    assert table[label].tolist() == expected and any(isinstance(x, str) for x in expected)


def test_quarter_sheet_exact_union_is_not_estimated_and_names_stichtag_and_city(berlin_ws, moabit, tmp_path):
    settings = Settings.from_env()
    _, ids = moabit
    quarter = quarter_from_areas(berlin_ws, level="plr", area_ids=ids)
    results = [result_to_dict(check_quarter(berlin_ws, quarter, r, settings=settings))
               for r in check_rule_sets(berlin_ws).values()]
    assert results[0]["estimated"] is False
    assert sorted(a["area_id"] for a in results[0]["areas"]) == sorted(ids)
    text = pdf_text(justification_pdf(results), tmp_path)
    assert t("report_value_exact", "de") in text and t("report_value_estimated", "de") not in text
    assert "(geschätzt)" not in text
    assert t("report_stichtag", "de", date="31.12.2020") in text            # the MSS criteria
    details = [d for r in results for d in r["details"].values() if d.get("city") is not None]
    assert details and t("report_city_value", "de", value="") in text
    # MSS rates weighted by all residents (not their own base): said so
    assert t("report_rebuilt_other", "de", base="Einwohner:innen (MSS 2021)")[:60] in text
    names = berlin_ws.area_names("plr").set_index("area_id")["name"]
    assert all(names[a] in text for a in ids)


def test_quarter_sheet_drawn_polygon_is_estimated(berlin_ws, tmp_path):
    settings = Settings.from_env()
    quarter = quarter_from_geojson(berlin_ws, '{"type":"Polygon","coordinates":[[[13.32,52.525],[13.345,52.525],'
                                              '[13.345,52.535],[13.32,52.535],[13.32,52.525]]]}', label="Gezeichnet")
    results = [result_to_dict(check_quarter(berlin_ws, quarter, r, settings=settings))
               for r in check_rule_sets(berlin_ws).values()]
    assert results[0]["estimated"] is True
    assert any(a["method"] != "full" for a in results[0]["areas"])
    text = pdf_text(justification_pdf(results), tmp_path)
    assert "(geschätzt)" in text and t("report_value_estimated", "de") in text


@pytest.mark.parametrize("suffix", ["pdf", "png", "svg", "html"])
def test_map_out_by_suffix(berlin_db, tmp_path, suffix, capsys):
    out = tmp_path / f"map.{suffix}"
    assert main(["map", "--db", str(berlin_db), "--indicator", "jmd_zg_anteil", "--period", "2024-12-31",
                 "--out", str(out)] + (["--paper", "A3"] if suffix == "pdf" else [])) == 0
    data = out.read_bytes()
    assert data[:8] == {"pdf": b"%PDF-1.4", "png": b"\x89PNG\r\n\x1a\n"}.get(suffix, data[:8])
    if suffix == "pdf":
        assert tuple(round(x) for x in page_size_mm(data, tmp_path)) == (420, 297)
        assert format_date(pd.Timestamp("2024-12-31").date(), "de") in pdf_text(data, tmp_path)
    if suffix == "html":
        assert b"<script>" in data and b"<script src=" not in data and b'<link rel="stylesheet" href=' not in data


def test_map_out_unknown_suffix_and_report_unknown_area(berlin_db, tmp_path, capsys):
    assert main(["map", "--db", str(berlin_db), "--indicator", "jmd_zg_anteil", "--period", "2024-12-31",
                 "--out", str(tmp_path / "map.docx")]) == 2
    assert main(["report", "--db", str(berlin_db), "--area", "nope", "--out", str(tmp_path / "p.pdf")]) == 2
    err = capsys.readouterr().err
    assert "map.docx" in err and "nope" in err and "Traceback" not in err
    assert not (tmp_path / "p.pdf").exists()


def test_report_cli_with_compare(berlin_db, moabit, tmp_path):
    _, ids = moabit
    out = tmp_path / "profil.pdf"
    assert main(["report", "--db", str(berlin_db), "--area", ids[0], "--compare", ids[1], "--out", str(out)]) == 0
    pages = pdf_pages(out.read_bytes(), tmp_path)
    assert len(pages) >= 2 and np.mean([coloured(p) for p in pages]) > 0.002
