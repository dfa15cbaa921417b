"""In the real browser: a user exports the Karte as a PDF and downloads a Quartiersprofil; the
files are read back with poppler (every page rendered, title, Stichtag and sources found)."""
import shutil
import subprocess

import pytest

from tests.e2e.conftest import shot_dir
from tests.e2e.test_pages import map_frame, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def read_pdf(path, prefix: str) -> tuple[int, str]:
    """(pages rendered by pdftoppm, text) of a downloaded PDF."""
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(shot_dir() / prefix)], check=True)
    pages = sorted(shot_dir().glob(f"{prefix}*.png"))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True).stdout.decode()
    return len(pages), " ".join(text.split())


def test_export_the_karte_as_pdf(page, app_url, tmp_path):
    for old in shot_dir().glob("karte_export*.png"):
        old.unlink()
    page.goto(app_url + "/karte", wait_until="networkidle")
    map_frame(page)
    button = page.get_by_role("button", name="Karte herunterladen")
    button.scroll_into_view_if_needed()
    page.screenshot(path=str(shot_dir() / "karte_widget.png"), full_page=True)
    with page.expect_download(timeout=120000) as download:
        button.click()
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = tmp_path / "karte.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    pages, text = read_pdf(pdf, "karte_export")
    assert pages == 1
    assert "JMD-Zielgruppe" in text and "Stichtag 31.12.2024" in text
    assert "Amt für Statistik Berlin-Brandenburg" in text
    no_exceptions(page)


def test_download_a_quartiersprofil(page, app_url, tmp_path):
    for old in shot_dir().glob("profil_export*.png"):
        old.unlink()
    page.goto(app_url + "/steckbrief", wait_until="networkidle")
    page.get_by_role("button", name="Quartiersprofil als PDF erstellen").click()
    button = page.get_by_role("button", name="PDF herunterladen")
    button.wait_for(timeout=120000)
    with page.expect_download(timeout=60000) as download:
        button.click()
    pdf = tmp_path / "profil.pdf"
    download.value.save_as(pdf)
    pages, text = read_pdf(pdf, "profil_export")
    assert pages >= 2
    assert "Quartiersprofil:" in text and "Stichtage" in text
    assert "Datenquellen und Lizenzen" in text and "Amt für Statistik Berlin-Brandenburg" in text
    page.screenshot(path=str(shot_dir() / "steckbrief_pdf.png"), full_page=True)
    no_exceptions(page)


def test_planungsraeume_of_a_bezirksregion_listed_and_downloaded(page, app_url, tmp_path):
    from tests.e2e.test_pages import arm, choose, idle

    page.goto(app_url + "/steckbrief", wait_until="networkidle")
    choose(page, "Gebietsebene", "Bezirksregion")
    choose(page, "Gebiet (Name oder Schlüssel eintippen)", "Moabit West")
    arm(page)
    page.get_by_text("Die Gebiete der Ebene „Planungsraum“ in Moabit West").click()
    idle(page)
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.wait_for(timeout=60000)
    with page.expect_download(timeout=60000) as download:
        page.get_by_role("button", name="Liste als CSV herunterladen").click()
    csv = tmp_path / "liste.csv"
    download.value.save_as(csv)
    lines = csv.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 6 and "MSS Status-Index (amtliche Klasse)" in lines[0]
    assert all(any(c in line for c in ("hoch", "mittel", "niedrig")) for line in lines[1:])
    page.screenshot(path=str(shot_dir() / "steckbrief_liste.png"), full_page=True)
    no_exceptions(page)
