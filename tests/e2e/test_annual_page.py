"""The annual report in the real browser: a user records the team's activity shares for three
months (a month that does not sum to 100 % is refused with a clear message), then draws the
Netzwerkkarte of 2025 beside 2024 - and nothing is saved by drawing (the ties and the audit log
are the same before and after)."""
import re
import shutil

import pytest

from jmdiq_geo.analysis.projects import Partner, Tie
from jmdiq_geo.services.activity import months_table, year_figures
from jmdiq_geo.services.projects import save_partner, save_tie
from jmdiq_geo.store.workspace import Workspace
from tests.e2e.conftest import offline_page, serve, shot_dir
from tests.e2e.test_pages import choose, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]

CATEGORIES = ["Beratung", "Case Management", "Gruppenangebote", "Netzwerk- und Sozialraumarbeit",
              "Sonstige Tätigkeiten"]
MONTHS = {"Januar": ("40", "20", "15", "20", "5", "160"), "Februar": ("35", "25", "15", "20", "5", "150"),
          "März": ("30,5", "24,5", "20", "20", "5", "170")}


def visible(locator):
    return locator.filter(visible=True).first


def tab(page, name):
    page.locator('[data-testid="stRadio"] label').filter(has_text=name).first.click()
    page.wait_for_timeout(1500)


def fill_month(page, month: str, values: tuple[str, ...]):
    choose(page, "Monat", month)
    page.wait_for_timeout(1000)
    for label, value in zip([*(f"{c} (%)" for c in CATEGORIES), "Arbeitsstunden des Teams"], values):
        field = visible(page.get_by_label(label, exact=True))
        field.fill(value)
        field.press("Tab")
        page.wait_for_timeout(600)


@pytest.fixture
def seeded_db(berlin_db, tmp_path):
    db = tmp_path / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    with Workspace(db) as ws:
        for pid, name, typ in (("org001", "QM Nord", "Quartiersmanagement"), ("org002", "Grundschule am Park", "Schule"),
                               ("org003", "Jobcenter", "Jobcenter"), ("org004", "Kulturhaus", "Kultur-/Bildungseinrichtung")):
            save_partner(ws, Partner(pid, name, typ), expected_version=None, user="t")
        for pid, year, intensity, importance in (("org001", 2024, 2, 3), ("org002", 2024, 2, 2), ("org003", 2024, 1, 1),
                                                 ("org001", 2025, 3, 3), ("org002", 2025, 1, 2), ("org004", 2025, 2, 2)):
            save_tie(ws, Tie(pid, year, intensity, importance), expected_version=None, user="t")
    return db


def test_activity_for_three_months_and_two_network_years_side_by_side(browser, seeded_db):
    with Workspace(seeded_db, read_only=True) as ws:
        ties_before = ws.record_rows("tie")
        snap = ws.snapshot()
        tables_before = snap["network_ties"], snap["partners"], len(ws.audit_entries("tie", "org001:2025"))
    with serve(seeded_db) as url, offline_page(browser, url) as page:
        page.goto(url + "/mikroprojekte", wait_until="networkidle")
        page.get_by_role("heading", name="Mikroprojekte und Netzwerk").wait_for(timeout=60000)
        tab(page, "Tätigkeiten")
        year = visible(page.get_by_label("Jahr", exact=True))
        year.fill("2025")
        year.press("Enter")
        page.wait_for_timeout(1500)
        # a month that does not sum to 100 %: the page says so, saving is refused, nothing written
        fill_month(page, "Januar", ("40", "20", "15", "10", "5", "160"))
        page.get_by_text(re.compile(r"Summe: 90,0 %.*es fehlen 10,0 Prozentpunkte")).wait_for(timeout=30000)
        visible(page.get_by_role("button", name="Monat speichern")).click()
        page.get_by_text(re.compile("ergeben zusammen 90")).first.wait_for(timeout=30000)
        for month, values in MONTHS.items():
            fill_month(page, month, values)
            page.get_by_text("Summe: 100,0 %").wait_for(timeout=30000)
            visible(page.get_by_role("button", name="Monat speichern")).click()
            page.get_by_text(re.compile(r"Gespeichert: 2025-0\d")).first.wait_for(timeout=30000)
            page.wait_for_timeout(1500)
        page.get_by_text("Jahreswerte 2025 zum Übertragen in JMD i-mpuls").wait_for(timeout=30000)
        page.get_by_text(re.compile("aus 3 erfassten Monaten 2025")).wait_for(timeout=30000)
        page.locator('[role="gridcell"]').filter(has_text="2025-03").first.wait_for(state="attached", timeout=60000)
        cells = page.locator('[role="gridcell"]').all_inner_texts()
        assert "2025-03" in cells and "Netzwerk- und Sozialraumarbeit" in cells
        page.set_viewport_size({"width": 1400, "height": 2200})   # the whole section in one picture
        page.wait_for_timeout(1000)
        page.screenshot(path=str(shot_dir() / "taetigkeiten.png"), full_page=True)
        # the Netzwerkkarte: 2025 beside 2024, chosen apart from the entry form
        tab(page, "Netzwerkkarte")
        page.get_by_text("Netzwerkkarte zeigen").wait_for(timeout=30000)
        choose(page, "Daneben zeigen", "nur dieses Jahr")
        page.locator('[data-testid="stImage"] img').first.wait_for(timeout=30000)
        choose(page, "Daneben zeigen", "2024")
        page.get_by_text("Vergleich zweier Jahre: 2024 → 2025").wait_for(timeout=30000)
        # the table of changes is drawn after its heading: wait for its cells
        page.locator('[role="gridcell"]').filter(has_text="beendet").first.wait_for(state="attached", timeout=60000)
        img = page.locator('[data-testid="stImage"] img').first
        img.wait_for(timeout=30000)
        box = img.bounding_box()
        assert box["width"] > 2 * box["height"] * 0.8            # two maps side by side: a wide picture
        cells = page.locator('[role="gridcell"]').all_inner_texts()
        assert {"neu", "beendet", "verstärkt", "abgeschwächt"} <= set(cells), cells
        assert "None" not in cells
        page.screenshot(path=str(shot_dir() / "netzwerkkarte_zwei_jahre.png"), full_page=True)
        no_exceptions(page)
    with Workspace(seeded_db, read_only=True) as ws:
        assert ws.record_rows("tie") == ties_before          # drawing saved nothing
        snap = ws.snapshot()
        assert (snap["network_ties"], snap["partners"], len(ws.audit_entries("tie", "org001:2025"))) == tables_before
        months = months_table(ws, 2025)
        assert list(months["month"]) == ["2025-01", "2025-02", "2025-03"]
        assert months["netzwerk_sozialraum"].tolist() == [20.0, 20.0, 20.0]
        assert months["beratung"].tolist() == [40.0, 35.0, 30.5] and months["hours"].tolist() == [160, 150, 170]
        figures = year_figures(ws, 2025)
        expected = (40 * 160 + 35 * 150 + 30.5 * 170) / (160 + 150 + 170)
        assert figures["table"].set_index("category").at["beratung", "share"] == pytest.approx(expected)
