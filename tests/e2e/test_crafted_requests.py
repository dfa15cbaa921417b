"""Crafted requests to Streamlit's own endpoint (issue "Trust"): a client that speaks the
websocket protocol directly (``streamlit_wire``) sends what the browser would never send —
widget values for forms the page did not draw for this user, pages the navigation did not
offer. The ids are taken from an admin's session (widget ids are the same in every session),
so the requests are exactly the admin's; sent by nobody or by a viewer, nothing is written.
The same requests sent by the admin do write: the test's requests are the real ones."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import serve
from tests.e2e.streamlit_wire import Session, text, trigger
from tests.e2e.test_login_page import PASSWORD, _snapshot, city  # noqa: F401 (city: the fixture)

pytestmark = [pytest.mark.e2e]

RULES_TEXT = "Text des Regelwerks (TOML)"
RULES_SAVE = "Als eigenes Regelwerk speichern"
SECTION = "Bereich"
PARTNER_NAME = "Name der Organisation"
PARTNER_SAVE = "Partner speichern"
REFUSED = "ist als „viewer“ angemeldet"
IMPORT_HEADING = "Daten importieren"


async def _login(session: Session, name: str) -> None:
    form = await session.run()
    assert "Anmelden bei jmdiq-geo" in form.text()
    await session.run([text(form.widgets["Anmeldename"], name), text(form.widgets["Passwort"], PASSWORD),
                       trigger(form.widgets["Anmelden"])])


async def _admin_forms(url: str) -> dict:
    """The widget ids (and the rule set's text) of two forms, as an admin's session sees them."""
    async with Session(url) as admin:
        await _login(admin, "adam")
        check = await admin.run(page="pruefen")
        projects = await admin.run(page="mikroprojekte")
        partner = await admin.run([text(projects.widgets[SECTION], "Partner")])
        imports = await admin.run(page="import")
        assert IMPORT_HEADING in imports.text()
        return {"import_page": admin.pages["import"], "rules_text": check.widgets[RULES_TEXT], "rules_save": check.widgets[RULES_SAVE],
                "rules": check.defaults[RULES_TEXT], "section": projects.widgets[SECTION],
                "partner_name": partner.widgets[PARTNER_NAME], "partner_save": partner.widgets[PARTNER_SAVE]}


def _rule_save(ids: dict) -> list:
    return [text(ids["rules_text"], ids["rules"] + "\n# eingeschleust\n"), trigger(ids["rules_save"])]


def _partner_save(ids: dict) -> list:
    return [text(ids["section"], "Partner"), text(ids["partner_name"], "Eingeschleuster Träger"),
            trigger(ids["partner_save"])]


def test_crafted_requests_of_nobody_and_of_a_viewer_write_nothing(city):
    db, users = city

    async def scenario(url: str) -> None:
        ids = await _admin_forms(url)
        assert ids["rules"].strip()
        before = _snapshot(db)

        # nobody logged in: the admin's requests, on the pages they belong to
        async with Session(url) as nobody:
            await nobody.run()
            for page, states in (("pruefen", _rule_save(ids)), ("mikroprojekte", _partner_save(ids))):
                run = await nobody.run(states, page=page)
                assert "Anmelden bei jmdiq-geo" in run.text()
                assert RULES_TEXT not in run.widgets and PARTNER_NAME not in run.widgets
            run = await nobody.run([], page_hash=ids["import_page"])
            assert "Anmelden bei jmdiq-geo" in run.text() and IMPORT_HEADING not in run.text()
        assert _snapshot(db) == before

        # a viewer: the same requests are refused by the services; the Import page is not offered
        async with Session(url) as viewer:
            await _login(viewer, "vera")
            run = await viewer.run(_rule_save(ids), page="pruefen")
            assert REFUSED in run.text()
            run = await viewer.run(_partner_save(ids), page="mikroprojekte")
            assert REFUSED in run.text()
            # the Import page is not offered to a viewer; asked for by its hash, it is not drawn
            assert "import" not in viewer.pages and "mikroprojekte" in viewer.pages
            run = await viewer.run([], page_hash=ids["import_page"])
            assert IMPORT_HEADING not in run.text() and "Angemeldet: vera" in run.text()
        assert _snapshot(db) == before

        # the admin sending the very same requests does change the workspace
        async with Session(url) as admin:
            await _login(admin, "adam")
            await admin.run(_partner_save(ids), page="mikroprojekte")
        assert _snapshot(db) != before

    with serve(db, {"JMDIQ_AUTH": "accounts", "JMDIQ_USERS": str(users)}) as url:
        # in a thread of its own: the browser tests' Playwright keeps an event loop in this one
        with ThreadPoolExecutor(1) as pool:
            pool.submit(lambda: asyncio.run(scenario(url))).result()
