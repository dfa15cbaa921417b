"""The Karte's small things (issue 15, user review), on the Berlin demo workspace in AppTest:
official classes by their label, counts without decimals, "show only" one district."""
from __future__ import annotations

import tomllib

import pandas as pd
import pytest

from jmdiq_geo.config import CITIES_DIR
from jmdiq_geo.i18n import format_number, t
from tests.fixtures.apptest import run_page, shown_table, texts

pytestmark = pytest.mark.realdata


@pytest.fixture
def berlin(berlin_db, monkeypatch):
    monkeypatch.setenv("JMDIQ_DB", str(berlin_db))
    return berlin_db


def test_official_classes_by_label_without_rank(berlin, data_root):
    at = run_page("karte", state={"map_indicator": "mss_status", "map_table_open": True})
    assert not at.exception, [e.value for e in at.exception]
    table = shown_table(at.dataframe[0]).set_index(t("tt_id", "de"))
    assert t("tt_rank", "de") not in table.columns
    column = next(c for c in table.columns if c.startswith("MSS Status-Index"))
    with open(CITIES_DIR / "berlin.toml", "rb") as f:
        labels = tomllib.load(f)["indicators"]["mss_status"]["classes"]
    official = pd.read_csv(data_root / "berlin/indicators/mss_2021_indizes.csv", dtype={"PLR_ID": str})
    official = official[official["SI_N"] > 0].set_index("PLR_ID")
    expected = official["SI_N"].astype(int).astype(str).map(lambda c: labels[c]["de"])
    assert (table.loc[expected.index, column] == expected).all()
    assert set(table[column]) <= set(expected) | {t("no_value", "de")}


def test_counts_show_no_decimals(berlin, data_root):
    at = run_page("karte", state={"map_indicator": "ew", "map_table_open": True})
    assert not at.exception, [e.value for e in at.exception]
    total = int(pd.read_csv(data_root / "berlin/indicators/einwohner_plr_2024-12_t1.csv")["inhabitants"].sum())
    # the whole is named as the workspace names itself, and the counts read as German numbers
    caption = next(c for c in texts(at.caption) if "Gebieten mit Wert" in c)
    assert f"Berlin: {format_number(total, 'de', digits=0)}." in caption
    table = shown_table(at.dataframe[0])
    column = next(c for c in table.columns if c.startswith("Einwohner"))
    assert not table[column].astype(str).str.contains(",").any()


def test_show_only_one_district(berlin):
    at = run_page("karte", state={"map_zoom_to": "bezirk\x1f01", "map_show_only": True, "map_table_open": True})
    assert not at.exception, [e.value for e in at.exception]
    table = shown_table(at.dataframe[0])
    ids = table[t("tt_id", "de")].astype(str)
    assert len(ids) and ids.str.startswith("01").all()     # Berlin's PLR keys begin with their Bezirk's


def test_a_slide_from_the_karte_opens_on_the_area_zoomed_to(berlin_db, monkeypatch, tmp_path):
    """The extent of a Karte slide is the "zoom to" target's (without highlights), not the
    whole city's."""
    import shutil

    from jmdiq_geo.services.maps import target_bounds
    from jmdiq_geo.services.stories import get_story, list_stories
    from jmdiq_geo.store.workspace import Workspace

    db = tmp_path / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    monkeypatch.setenv("JMDIQ_DB", str(db))
    at = run_page("karte", state={"map_zoom_to": "bezirk\x1f01", "story_add_indicator_map_open": True})
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="story_add_indicator_map_title").set_value("Arbeitskreis")
    # the add button is a component that reads the map's view in the browser on click (AppTest
    # runs no JavaScript: the click is given as the value it sends); no view kept -> "zoom to"
    at.session_state["story_add_indicator_map_go"] = {"nonce": "click-1", "view": None}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    with Workspace(db) as ws:                     # (the page's connection is still open: same mode)
        [story_id] = list_stories(ws)["story_id"]
        [slide] = get_story(ws, story_id).slides
        zoomed = [round(v, 5) for v in target_bounds(ws, "bezirk", "01")]
        city = [round(float(v), 5) for v in ws.areas(slide.level).to_crs(4326).total_bounds]
    assert slide.bounds == pytest.approx(zoomed, abs=1e-5)
    assert slide.bounds != pytest.approx(city, abs=1e-3)


def test_a_slide_from_the_karte_records_the_extent_on_screen_once_per_click(berlin_db, monkeypatch, tmp_path):
    """Panned and zoomed freely: the view the map reports with the click is the slide's extent
    (over the "zoom to" target); a rerun without a new click adds nothing."""
    import shutil

    from jmdiq_geo.services.stories import get_story, list_stories
    from jmdiq_geo.store.workspace import Workspace

    db = tmp_path / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    monkeypatch.setenv("JMDIQ_DB", str(db))
    at = run_page("karte", state={"map_zoom_to": "bezirk\x1f01", "story_add_indicator_map_open": True})
    at.text_input(key="story_add_indicator_map_title").set_value("Arbeitskreis")
    on_screen = [13.3312345, 52.5198765, 13.3687654, 52.5354321]
    at.session_state["story_add_indicator_map_go"] = {"nonce": "click-1", "view": {
        "token": "", "lat": 52.52, "lng": 13.35, "zoom": 15, "bounds": on_screen}}
    at.run()
    at.run()                                      # the component keeps its value: not a second click
    assert not at.exception, [e.value for e in at.exception]
    with Workspace(db) as ws:
        [story_id] = list_stories(ws)["story_id"]
        [slide] = get_story(ws, story_id).slides
    assert slide.bounds == [round(v, 5) for v in on_screen]
