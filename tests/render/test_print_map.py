"""Static maps for print (``jmdiq_geo.render.print_map``) read back with real clients: poppler
renders every page of the PDF (``pdftoppm``) and reads its text (``pdftotext``), Pillow opens the
PNG, an XML parser the SVG. The map must not be blank, and the print shows the same classes as the
interactive map of the same description."""
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from jmdiq_geo.config import Settings
from jmdiq_geo.i18n import format_date, t
from jmdiq_geo.render.indicator_map import draw
from jmdiq_geo.render.maps import NO_VALUE_COLOUR, standalone_html
from jmdiq_geo.render.print_map import PAPER, from_categories, indicator_print, render
from jmdiq_geo.services.maps import describe_indicator_map

X0, Y0 = 390000, 5820000
SOURCES = ["Testamt Teststadt, CC BY 4.0", "Geoportal Test / Grenzen, Datenlizenz Deutschland"]


def poppler(tool: str):
    if shutil.which(tool) is None:
        pytest.skip(f"poppler-utils ({tool}) not installed")


def pdf_pages(pdf: bytes, tmp_path, dpi: int = 40) -> list[np.ndarray]:
    """Every page rendered by pdftoppm, as RGB arrays."""
    poppler("pdftoppm")
    path = tmp_path / "map.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True)
    files = sorted(tmp_path.glob("page*.png"))
    return [np.asarray(Image.open(f).convert("RGB")) for f in files]


def pdf_text(pdf: bytes, tmp_path) -> str:
    poppler("pdftotext")
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return " ".join(out.stdout.decode("utf-8").split())


def page_size_mm(pdf: bytes, tmp_path) -> tuple[float, float]:
    poppler("pdfinfo")
    path = tmp_path / "size.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True).stdout.decode()
    line = next(x for x in info.splitlines() if x.startswith("Page size"))
    w, h = (float(v) for v in line.split(":")[1].split("pts")[0].split("x"))
    return w / 72 * 25.4, h / 72 * 25.4


def coloured(pixels: np.ndarray) -> float:
    """Share of pixels that are neither white nor grey (a map drawn in colour)."""
    p = pixels.astype(int)
    spread = p.max(axis=2) - p.min(axis=2)
    return float((spread > 40).mean())


def tiny_print(**over):
    """Six squares in two districts: three classes, one hidden area (no value)."""
    areas = gpd.GeoDataFrame({"area_id": [f"0{i}" for i in range(6)], "name": [f"Gebiet {i}" for i in range(6)]},
                             geometry=[shapely.box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000)
                                       for i in range(6)], crs="EPSG:25833")
    codes = pd.Series([1, 1, 2, 3, None, 3], index=areas.index)
    outlines = gpd.GeoDataFrame({"name": ["Bezirk West", "Bezirk Ost"]},
                                geometry=[shapely.box(X0, Y0, X0 + 3000, Y0 + 1000),
                                          shapely.box(X0 + 3000, Y0, X0 + 6000, Y0 + 1000)], crs="EPSG:25833")
    args = dict(codes=codes, categories=[(1, "hoch", "#2c7bb6"), (2, "mittel", "#ffffbf"), (3, "niedrig", "#d7191c")],
                title="Testindex Klassen", lang="de", attributions=SOURCES, outlines=outlines,
                periods=[date(2024, 12, 31)], subtitle="Teststadt · Planungsraum")
    args.update(over)
    return from_categories(areas, **args)


def test_legend_counts_categories_and_hidden_areas_show_no_value():
    pm = tiny_print()
    assert pm.legend_rows == [("#2c7bb6", "hoch", 2), ("#ffffbf", "mittel", 1), ("#d7191c", "niedrig", 2),
                              (NO_VALUE_COLOUR, t("no_value", "de"), 1)]
    assert pm.fill[4] == NO_VALUE_COLOUR


def test_pdf_a4_page_renders_with_title_stichtag_sources(tmp_path):
    pdf = render(tiny_print(), "pdf", paper="A4")
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) == 1
    assert coloured(pages[0]) > 0.03                     # the map is drawn, not blank
    w, h = page_size_mm(pdf, tmp_path)
    assert (round(w), round(h)) == (297, 210)            # wide squares: landscape
    text = pdf_text(pdf, tmp_path)
    assert "Testindex Klassen" in text
    assert t("print_period", "de", dates=format_date(date(2024, 12, 31), "de")) in text
    for source in SOURCES:
        assert source in text
    assert "hoch (2)" in text and f"{t('no_value', 'de')} (1)" in text
    assert all(f"Gebiet {i}" in text for i in range(6))  # few areas: each named on the map
    assert "N" in text.split() and "0 1 km" in text      # north arrow and scale bar


def test_pdf_a3_and_portrait(tmp_path):
    pdf = render(tiny_print(), "pdf", paper="A3", orientation="portrait")
    w, h = page_size_mm(pdf, tmp_path)
    assert (round(w), round(h)) == (297, 420)
    assert len(pdf_pages(pdf, tmp_path)) == 1


def test_png_at_print_resolution_and_svg_valid():
    png = render(tiny_print(), "png")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (round(PAPER["A4"][1] * 300), round(PAPER["A4"][0] * 300))      # A4 landscape, 300 dpi
    assert coloured(np.asarray(image.convert("RGB"))[::8, ::8]) > 0.03
    svg = render(tiny_print(), "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 10


def test_english_print(tmp_path):
    text = pdf_text(render(tiny_print(lang="en"), "pdf"), tmp_path)
    assert t("print_period", "en", dates=format_date(date(2024, 12, 31), "en")) in text
    assert t("print_sources", "en", sources=SOURCES[0] + " · " + SOURCES[1])[:30] in text


@pytest.mark.realdata
def test_berlin_map_prints_the_classes_of_the_interactive_map(berlin_ws, tmp_path):
    settings = Settings.from_env()
    ind = berlin_ws.meta()["default_indicator"]
    period = berlin_ws.periods(indicator_id=ind, level=berlin_ws.lowest_level())[-1]
    d = describe_indicator_map(berlin_ws, indicator_id=ind, period=period, settings=settings)
    pm = indicator_print(berlin_ws, d)
    html = standalone_html(draw(d))
    for _, label, count in pm.legend_rows:            # each class bound and count as on screen (legend in JS)
        assert json.dumps(f'{label} <span style="color:#555">({count})</span>', ensure_ascii=False)[1:-1] in html
    # hidden areas (privacy) are no value on paper too
    hidden = int(d.layer.areas["value"].isna().sum())
    assert hidden > 0 and sum(1 for f in pm.fill if f == NO_VALUE_COLOUR) == hidden
    pdf = render(pm, "pdf")
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) == 1 and coloured(pages[0]) > 0.1
    text = pdf_text(pdf, tmp_path)
    assert d.title[:40] in text and format_date(period, "de") in text
    assert all(a in text for a in d.attributions)
    assert "Mitte" in text and "Spandau" in text           # the Bezirke named


@pytest.mark.realdata
def test_change_map_names_both_dates_and_counts_without_decimals(berlin_ws, tmp_path):
    settings = Settings.from_env()
    periods = berlin_ws.periods(indicator_id="ew", level=berlin_ws.lowest_level())
    d = describe_indicator_map(berlin_ws, indicator_id="ew", period=periods[-1], period_from=periods[0],
                               level="bezirk", settings=settings)
    pm = indicator_print(berlin_ws, d, period_from=periods[0])
    assert all("," not in label for _, label, _ in pm.legend_rows)        # persons: whole numbers
    text = pdf_text(render(pm, "pdf"), tmp_path)
    assert t("print_periods", "de", dates=f"{format_date(periods[0], 'de')} / {format_date(periods[-1], 'de')}") in text
    assert "Treptow-Köpenick" in text                    # on the Bezirk level every area is labelled
