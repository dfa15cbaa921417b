"""Strings from the workspace, a file or a user never become Markdown markup in the app (issue
"Trust"): an area name, a source's attribution and a problem's values are shown literally."""
import shutil

import pytest
import streamlit as st

from jmdiq_geo.errors import Problem
from jmdiq_geo.i18n import format_problem, markdown_safe
from jmdiq_geo.services.workspace import open_workspace
from tests.fixtures.apptest import run_page
from tests.fixtures.other_city import build_other_city

PAYLOAD = "![x](http://example.org/x.png) <img src=x onerror=alert(1)> [klick](javascript:alert(1)) :red[rot] $x$"


def _unsafe(markdown: str) -> bool:
    """Markup that survived: an unescaped ``![``, ``](``, ``<img`` or ``:red[``."""
    import re
    return bool(re.search(r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(|(?<!\\)<img|:red\[", markdown))


def test_markdown_safe_leaves_no_markup():
    assert not _unsafe(markdown_safe(PAYLOAD)) and _unsafe(PAYLOAD)
    assert markdown_safe("Nord-Ost (01)\nzweite_Zeile [x]") == "Nord-Ost (01) zweite_Zeile \\[x\\]"


def test_problem_values_are_escaped_for_the_app_not_for_the_cli():
    p = Problem("workspace_missing", {"path": PAYLOAD}, file=PAYLOAD)
    assert not _unsafe(format_problem(p, "de", escape=markdown_safe))
    assert PAYLOAD in format_problem(p, "de")


@pytest.fixture
def city(tmp_path, monkeypatch):
    db = build_other_city(tmp_path)
    ws = open_workspace(db)
    ws.con.execute("UPDATE areas SET name = ? WHERE area_id = '02'", [PAYLOAD])
    ws.con.execute("UPDATE sources SET attribution = ?", [PAYLOAD])
    ws.close()
    monkeypatch.setenv("JMDIQ_DB", str(db))
    yield db
    st.cache_resource.clear()


def _markdown(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "subheader", "info", "error", "warning")
            for e in getattr(at, kind)]


@pytest.mark.parametrize("page, state", [("steckbrief", {"profile_level": "ubz", "profile_a_ubz": "02"}), ("karte", {}),
                                         ("daten", {})])
def test_pages_show_a_hostile_name_literally(city, page, state):
    at = run_page(page, state=state)
    assert not at.exception, [e.value for e in at.exception]
    texts = _markdown(at)
    assert not [m for m in texts if _unsafe(m)], [m for m in texts if _unsafe(m)]
    if page != "karte":               # (the Karte shows it in the map, tested in tests/render)
        assert any(markdown_safe(PAYLOAD) in m for m in texts), texts
