"""Presentation mode in Chromium: the standalone story HTML of five Berlin slides opens with every
request outside the file refused, draws its polygons, steps through all slides by keyboard and
click and shows a hostile caption as text; in the app, a user builds a three-step story on the
map pages, shows it full-screen and downloads it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jmdiq_geo.analysis.projects import Partner, Tie
from jmdiq_geo.config import Settings
from jmdiq_geo.render.maps import VENDOR_DIR
from jmdiq_geo.render.map_context import context_display
from jmdiq_geo.services.catalogue import usable_indices
from jmdiq_geo.services.context import context_layers
from jmdiq_geo.services.maps import outline_shapes
from jmdiq_geo.services.projects import save_partner, save_tie
from jmdiq_geo.services.stories import Slide, add_slide, create_story, export_story
from jmdiq_geo.store.workspace import Workspace
from tests.e2e.conftest import shot_dir

pytestmark = [pytest.mark.e2e, pytest.mark.realdata,
              pytest.mark.skipif(not (VENDOR_DIR / "leaflet/leaflet.js").exists(), reason="front-end assets missing")]

HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'


def _open_offline(browser, path: Path):
    """A page on the file with every request that is not the file itself (or data:) refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE")
    pg = context.new_page()
    pg.outside, pg.errors, pg.dialogs = [], [], []

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            return r.continue_()
        pg.outside.append(r.request.url)
        return r.abort()
    pg.route("**/*", route)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(path.as_uri())
    return context, pg


def _current_paths(pg) -> int:
    return pg.evaluate("document.querySelectorAll('section.slide.current .leaflet-overlay-pane path').length")


@pytest.fixture
def berlin_story(berlin_db, tmp_path):
    """Five slides on a copy of the Berlin workspace: a map with highlighted areas, a change map,
    the MSS index, the Netzwerkkarte of 2025 and a profile with a hostile caption."""
    db = tmp_path / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    with Workspace(db) as ws:
        save_partner(ws, Partner("org1", "Quartiersmanagement Moabit-Ost", "Quartiersmanagement"),
                     expected_version=None, user="t")
        save_partner(ws, Partner("org2", "Sportverein am Kanal", "Sportverein"), expected_version=None, user="t")
        for pid, intensity in (("org1", 3), ("org2", 2)):
            save_tie(ws, Tie(pid, 2025, intensity, 3), expected_version=None, user="t")
        periods = ws.periods(indicator_id="jmd_zg_anteil", level="plr")
        regions = ws.area_names("bzr")
        names = ws.area_names("plr")             # the Planungsräume of the Bezirksregionen Moabit Ost/West
        moabit = names[names["parent_id"].isin(regions[regions["name"].str.contains("Moabit")]["area_id"])]
        moabit = moabit["area_id"].tolist()
        mss = usable_indices(ws, on_unusable=lambda exc: None)["mss2021"]
        first = mss.components[0].indicators[0].id
        mss_period = ws.periods(indicator_id=first, level=mss.level)[-1]
        sid, v = create_story(ws, "Arbeitskreis <Moabit>")
        slides = [
            Slide("indicator_map", caption="Zielgruppe in Moabit", level="plr", indicator_id="jmd_zg_anteil",
                  period=periods[-1].isoformat(), highlight=moabit),
            Slide("change_map", caption="Veränderung", level="bzr", indicator_id="ew_mh_anteil",
                  period=periods[-1].isoformat(), period_from=periods[0].isoformat()),
            Slide("index_map", caption="MSS", level=mss.level, index_key="mss2021", index_part="overall",
                  period=mss_period.isoformat()),
            Slide("network", caption="Netzwerk 2025", year=2025),
            Slide("profile", caption=HOSTILE, level="plr", area_id=moabit[0]),
        ]
        for slide in slides:
            v = add_slide(ws, sid, slide, expected_version=v)
        # indicator and change maps draw the workspace's context too: one path per layer and shape
        # kind; streets only from a quarter's zoom (a slide with highlights zooms to them)
        shown = context_display(context_layers(ws))
        context = sum(len(frame) for frame in shown.values())
        streets = len(shown["streets"]) if "streets" in shown else 0
        expected = [len(ws.areas(s.level)) + len(outline_shapes(ws, s.level)) + len(s.highlight)
                    + ((context if s.highlight else context - streets) if s.kind in ("indicator_map", "change_map")
                       else 0)
                    if s.kind.endswith("_map") else 0 for s in slides]
        html = export_story(ws, sid, settings=Settings.from_env().with_(db_path=db))
    out = tmp_path / "story.html"
    out.write_text(html, encoding="utf-8")
    return out, expected, moabit


def test_story_html_offline_draws_every_map_and_steps_through_all_slides(browser, berlin_story):
    path, expected, moabit = berlin_story
    assert len(expected) == 5 and len(moabit) >= 2
    context, pg = _open_offline(browser, path)
    try:
        pg.wait_for_function("window.jmdiqStory && window.jmdiqStory.count === 5", timeout=60000)
        for n, want in enumerate(expected, start=1):
            assert pg.inner_text("#counter") == f"{n} / 5"
            assert pg.get_attribute(f"#slide-{n}", "class") == "slide current"
            if want:
                pg.wait_for_function("w => document.querySelectorAll("
                                     "'section.slide.current .leaflet-overlay-pane path').length === w",
                                     arg=want, timeout=30000)
                attribution = pg.inner_text("section.slide.current .leaflet-control-attribution")
                assert "Amt für Statistik Berlin-Brandenburg" in attribution
            pg.screenshot(path=str(shot_dir() / f"story_html_{n}.png"))
            pg.keyboard.press("ArrowRight")
        assert pg.inner_text("#counter") == "5 / 5"            # the last slide stays the last
        assert "Sportverein am Kanal" in pg.text_content("#slide-4 svg")            # the network's names as text
        caption = pg.locator("#slide-5 .caption")
        assert caption.text_content() == HOSTILE                             # shown as text
        assert pg.locator("#slide-5 img, #slide-5 .caption script").count() == 0
        assert pg.evaluate("window.pwned === undefined")
        pg.keyboard.press("Home")
        assert pg.inner_text("#counter") == "1 / 5"
        pg.click("#next")
        pg.click("#next")
        assert pg.inner_text("#counter") == "3 / 5"
        pg.keyboard.press("ArrowLeft")
        assert pg.inner_text("#counter") == "2 / 5"
        assert pg.outside == [] and pg.errors == [] and pg.dialogs == []
    finally:
        context.close()
    assert path.stat().st_size <= 3_000_000


def _add_from_popover(pg, caption: str, *, new_title: str | None = None) -> None:
    """Open "Zur Präsentation hinzufügen" under the page's view and add it as a slide."""
    body = pg.get_by_test_id("stExpander").filter(has_text="Zur Präsentation hinzufügen")
    body.get_by_text("Zur Präsentation hinzufügen").click()
    body.get_by_label("Bildunterschrift").wait_for(timeout=30000)
    if new_title:
        title = body.get_by_label("Titel der neuen Präsentation")
        title.fill(new_title)
        title.press("Enter")
    text = body.get_by_label("Bildunterschrift")
    text.fill(caption)
    text.press("Control+Enter")
    pg.wait_for_timeout(800)
    add_button(body).click()
    pg.get_by_text("Folie hinzugefügt").wait_for(timeout=60000)


def add_button(body):
    """The add button: a map page's reads the map's view in the browser (a component in its own
    frame, ``ui/view_button``); other pages' is a plain button."""
    if body.locator("iframe").count():
        return body.frame_locator("iframe").first.get_by_role("button", name="Folie hinzufügen")
    return body.get_by_role("button", name="Folie hinzufügen")


def test_user_builds_a_three_step_story_shows_and_downloads_it(page, warm_app, browser, tmp_path):
    pg, base = page, warm_app.rstrip("/")
    pg.goto(base + "/karte")
    pg.get_by_text("Zur Präsentation hinzufügen").wait_for(timeout=90000)
    _add_from_popover(pg, "Die Zielgruppe <b>nach</b> Planungsräumen", new_title="Arbeitskreis Moabit")
    pg.goto(base + "/indizes")
    pg.get_by_text("Zur Präsentation hinzufügen").wait_for(timeout=90000)
    _add_from_popover(pg, "Der Status-Index")
    pg.goto(base + "/steckbrief")
    pg.get_by_text("Zur Präsentation hinzufügen").wait_for(timeout=90000)
    _add_from_popover(pg, "Ein Planungsraum im Profil")

    pg.goto(base + "/praesentation")
    pg.get_by_role("button", name="Vorführen").wait_for(timeout=90000)
    assert pg.get_by_text("3. Gebietsprofil").count() == 1
    pg.get_by_role("button", name="Vorführen").click()
    pg.get_by_text("1 / 3").wait_for(timeout=60000)
    pg.frame_locator("iframe[title*=folium]").locator(".leaflet-overlay-pane path").first.wait_for(timeout=60000)
    assert pg.get_by_test_id("stSidebar").is_hidden()
    assert pg.get_by_text("Die Zielgruppe <b>nach</b> Planungsräumen").count() == 1     # as text
    assert pg.locator(".story-caption b").count() == 0
    pg.screenshot(path=str(shot_dir() / "story_show_1.png"))
    pg.get_by_role("button", name="→").click()
    pg.get_by_text("2 / 3").wait_for(timeout=60000)
    pg.keyboard.press("ArrowRight")                 # the show's keys (focus on the page, not in the map)
    pg.get_by_text("3 / 3").wait_for(timeout=60000)
    pg.get_by_text("Ein Planungsraum im Profil").wait_for(timeout=60000)
    pg.screenshot(path=str(shot_dir() / "story_show_3.png"))
    pg.get_by_role("button", name="Vorführung beenden").click()

    pg.get_by_role("button", name="Als HTML-Datei erstellen").click()
    button = pg.get_by_role("button", name="HTML herunterladen (öffnet ohne Netz)")
    button.wait_for(timeout=120000)
    with pg.expect_download(timeout=60000) as info:
        button.click()
    saved = tmp_path / "story.html"
    info.value.save_as(saved)
    context, offline = _open_offline(browser, saved)
    try:
        offline.wait_for_function("window.jmdiqStory && window.jmdiqStory.count === 3", timeout=60000)
        assert _current_paths(offline) > 500
        for _ in range(2):
            offline.keyboard.press("ArrowRight")
        assert offline.inner_text("#counter") == "3 / 3"
        assert offline.outside == [] and offline.errors == []
    finally:
        context.close()
    assert pg.outside_requests == []
