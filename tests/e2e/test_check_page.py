"""Quarter check in the real browser: draw a polygon, check it, download the PDF and render it."""
import shutil
import subprocess

import pytest

from tests.e2e.conftest import shot_dir
from tests.e2e.test_pages import draw_quarter, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def test_draw_check_and_download_pdf(page, app_url, tmp_path):
    page.goto(app_url + "/pruefen", wait_until="networkidle")
    draw_quarter(page, 40, 30)
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
