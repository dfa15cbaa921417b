"""Quarter check in the real browser: draw a polygon, check it, download the PDF and render it."""
import shutil
import subprocess

import pytest

from tests.e2e.conftest import shot_dir
from tests.e2e.test_pages import no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def test_draw_check_and_download_pdf(page, app_url, tmp_path):
    page.goto(app_url + "/pruefen", wait_until="networkidle")
    page.get_by_text("einer Zeichnung").click()
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument &&"
                           " f.contentDocument.querySelector('.leaflet-draw-draw-polygon'))", timeout=60000)
    frame = next(f for f in page.frames if "st_folium" in f.url)
    iframe = page.locator('iframe[title*="st_folium"]').first
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    frame.locator(".leaflet-draw-draw-polygon").click()
    points = [(cx - 40, cy - 30), (cx + 40, cy - 30), (cx + 40, cy + 30), (cx - 40, cy + 30)]
    for x, y in points:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    page.mouse.click(*points[0])                # closing the ring finishes the polygon
    page.get_by_text("Gezeichnet: eine Fläche").wait_for(timeout=30000)
    page.get_by_role("button", name="Prüfen", exact=True).click()
    page.get_by_text("Einwohner:innen (geschätzt)").wait_for(timeout=30000)
    main = page.locator("[data-testid='stMain']")
    page.get_by_text("Soziale Missstände (§ 171e BauGB)").first.wait_for(timeout=30000)
    assert "JMD-iQ-Standort" in main.inner_text()
    page.screenshot(path=str(shot_dir() / "pruefen.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Begründung als PDF herunterladen").click()
    pdf = tmp_path / "bericht.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                        str(shot_dir() / "bericht")], check=True)
        assert list(shot_dir().glob("bericht*.png"))
    no_exceptions(page)
