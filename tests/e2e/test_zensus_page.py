"""The census for a city of its own areas, in the real browser, offline: the Import page's kind
"Zensus 2022" needs no file; one button cuts the nationwide grids to the city and the Karte then
maps the residents of its Unterbezirke. Screenshots go to ``<tmp>/jmdiq-e2e/``."""
import pytest

from tests.e2e.conftest import offline_page, serve, shot_dir
from tests.e2e.test_pages import choose, drawn_shapes, no_exceptions
from tests.fixtures.other_city import build_other_city

pytestmark = [pytest.mark.e2e]


def test_the_census_from_the_import_page_to_the_map(browser, tmp_path, nationwide_root):
    db = build_other_city(tmp_path)
    with serve(db, extra_env={"JMDIQ_DATA_ROOT": str(nationwide_root)}) as url:
        with offline_page(browser, url) as page:
            page.goto(url + "/import", wait_until="networkidle")
            page.get_by_role("heading", name="Daten importieren").wait_for(timeout=60000)
            choose(page, "Art der Daten", "Zensus 2022")
            assert page.locator('[data-testid="stFileUploader"]').count() == 0
            page.get_by_role("button", name="Zensus übernehmen").click()
            page.get_by_text("Zensus 2022 übernommen").wait_for(timeout=60000)
            page.screenshot(path=str(shot_dir() / "zensus_import.png"), full_page=True)
            no_exceptions(page)
            page.goto(url + "/karte", wait_until="networkidle")
            page.get_by_role("heading", name="Karte").wait_for(timeout=60000)
            choose(page, "Indikator", "Einwohner:innen (Zensus 2022")
            assert drawn_shapes(page, 4) >= 4
            assert "4 von 4 Gebieten mit Wert" in page.locator("[data-testid='stMain']").inner_text()
            page.screenshot(path=str(shot_dir() / "zensus_karte.png"), full_page=True)
            no_exceptions(page)
            assert not page.outside_requests
