"""Login and roles in the real browser (issue "Trust"): with accounts, nothing shows before a
login; a viewer sees the maps but neither the Import page nor a way to change records (a save
sent anyway is refused by the services and writes nothing); an admin sees the Import page. A
server without accounts that listens beyond 127.0.0.1 refuses to run without login."""
from __future__ import annotations

import pytest

from jmdiq_geo.services.auth import add_user
from jmdiq_geo.services.workspace import open_workspace
from tests.e2e.conftest import offline_page, serve, shot_dir
from tests.e2e.test_pages import no_exceptions
from tests.fixtures.other_city import build_other_city

pytestmark = [pytest.mark.e2e]

PASSWORD = "ein langes Passwort"


@pytest.fixture
def city(tmp_path):
    db = build_other_city(tmp_path)
    users = tmp_path / "users.toml"
    add_user(users, "vera", role="viewer", password=PASSWORD)
    add_user(users, "adam", role="admin", password=PASSWORD)
    return db, users


def settle(page):
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60000)


def log_in(page, url, name):
    """A fresh page load is a new session: the login comes first, then the page asked for."""
    page.goto(url, wait_until="networkidle")
    page.get_by_role("heading", name="Anmelden bei jmdiq-geo").wait_for(timeout=60000)
    assert "Übersicht" not in page.locator('[data-testid="stSidebar"]').inner_text()
    page.get_by_label("Anmeldename").fill(name)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text(f"Angemeldet: {name}").wait_for(timeout=60000)
    settle(page)


def test_a_viewer_reads_but_cannot_import_or_change(browser, city):
    db, users = city
    with serve(db, {"JMDIQ_AUTH": "accounts", "JMDIQ_USERS": str(users)}) as url, offline_page(browser, url) as page:
        page.goto(url, wait_until="networkidle")
        page.get_by_label("Anmeldename").fill("vera")
        page.get_by_label("Passwort").fill("falsch falsch falsch")
        page.get_by_role("button", name="Anmelden").click()
        page.get_by_text("Name oder Passwort stimmen nicht.").wait_for(timeout=30000)
        log_in(page, f"{url}/import", "vera")                       # the Import page typed in directly
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Karte" in nav and "Import" not in nav
        assert "Daten importieren" not in page.locator("[data-testid='stMain']").inner_text()
        # the partner form is there, but saving is refused by the services
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Mikroprojekte").click()
        page.get_by_role("heading", name="Mikroprojekte und Netzwerk").wait_for(timeout=60000)
        settle(page)
        before = _snapshot(db)
        page.locator('[data-testid="stRadio"] label').filter(has_text="Partner").first.click()
        settle(page)
        page.get_by_label("Name der Organisation").fill("Heimlicher Träger")
        page.get_by_role("button", name="Partner speichern").click()
        page.get_by_text("ist als „viewer“ angemeldet").wait_for(timeout=30000)
        page.screenshot(path=str(shot_dir() / "login_viewer_refused.png"), full_page=True)
        assert _snapshot(db) == before
        no_exceptions(page)


def test_an_admin_sees_the_import_page(browser, city):
    db, users = city
    with serve(db, {"JMDIQ_AUTH": "accounts", "JMDIQ_USERS": str(users)}) as url, offline_page(browser, url) as page:
        log_in(page, url, "adam")
        assert "Import" in page.locator('[data-testid="stSidebarNav"]').inner_text()
        page.get_by_role("button", name="Abmelden").click()
        page.get_by_role("heading", name="Anmelden bei jmdiq-geo").wait_for(timeout=30000)


def test_without_accounts_beyond_loopback_there_is_no_app(browser, city):
    db, _ = city
    with serve(db, address="0.0.0.0") as url, offline_page(browser, url) as page:
        page.goto(url, wait_until="networkidle")
        page.get_by_text("Ohne Anmeldung läuft jmdiq-geo nur für eine Person").wait_for(timeout=60000)
        assert "Karte" not in page.locator('[data-testid="stSidebar"]').inner_text()


def _snapshot(db):
    # the app holds the file: read it through a copy
    import shutil
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.duckdb"
        shutil.copy(db, copy)
        wal = Path(str(db) + ".wal")
        if wal.exists():
            shutil.copy(wal, Path(str(copy) + ".wal"))
        with open_workspace(copy, read_only=True) as ws:
            return ws.snapshot()
