"""Daten page: a user makes the export for German Excel and for QGIS, and downloads them."""
import csv
import re
import io
import sqlite3
import zipfile

import pytest

from tests.e2e.conftest import shot_dir
from tests.e2e.test_pages import choose, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def _make_and_download(page, fmt_label: str, tmp_path):
    choose(page, "Format", fmt_label)
    page.get_by_role("button", name="Export erstellen").click()
    button = page.get_by_role("button", name=re.compile(r"^berlin_2024-12-31\.\w+ herunterladen"))
    button.wait_for(timeout=180000)
    with page.expect_download(timeout=60000) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_daten_page_exports_csv_for_german_excel_and_a_geopackage(page, app_url, tmp_path):
    page.goto(app_url + "/daten", wait_until="networkidle")
    page.get_by_role("heading", name="Export für andere Programme").wait_for(timeout=60000)
    path = _make_and_download(page, "CSV für deutsches Excel", tmp_path)
    page.get_by_role("heading", name="Export für andere Programme").scroll_into_view_if_needed()
    page.screenshot(path=str(shot_dir() / "daten_export.png"), full_page=True)
    with zipfile.ZipFile(path) as archive:
        raw = archive.read("areas_plr.csv")
        names = set(archive.namelist())
    assert {"areas_plr.csv", "areas_bezirk.csv", "services.csv", "sources.csv"} <= names
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Gebiets-ID", "Name"] and len(rows) == 1 + 542
    gpkg = _make_and_download(page, "GeoPackage", tmp_path)
    with sqlite3.connect(gpkg) as con:
        defaults = con.execute("SELECT f_table_name, sum(useAsDefault) FROM layer_styles GROUP BY 1").fetchall()
    assert defaults and all(n == 1 for _, n in defaults)
    no_exceptions(page)
