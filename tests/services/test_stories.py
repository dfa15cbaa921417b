"""Stories (presentation mode): records with versions and an audit log, slide checks, reorder,
captions, roles; the slides drawn from the workspace; the HTML escapes every text."""
import json
import re

import pytest

from jmdiq_geo.analysis.projects import Tie
from jmdiq_geo.config import Settings
from jmdiq_geo.crs import to_display_crs
from jmdiq_geo.errors import AccessDenied, ConflictError, InputError
from jmdiq_geo.services.auth import Actor, act_as
from jmdiq_geo.services.projects import save_tie
from jmdiq_geo.services.stories import (CAPTION_MAX, Slide, add_slide, create_story, delete_slide, delete_story,
                                        export_story, get_story, list_stories, move_slide, rename_story, reorder,
                                        set_caption, story_history)
from jmdiq_geo.store.schema import MIGRATIONS
from tests.fixtures.projects import add_partners

HOSTILE = '<img src=x onerror="alert(1)"></footer><script>alert(2)</script>'


def _profile(area="01000001", caption="", **over):
    return Slide("profile", caption=caption, level="plr", area_id=area, **over)


def test_one_migration_creates_the_stories_table(tiny_ws):
    assert sum("CREATE TABLE stories" in sql for statements in MIGRATIONS for sql in statements) == 1
    assert list_stories(tiny_ws).empty


def test_create_add_reorder_caption_delete_each_a_new_version_in_the_audit_log(tiny_ws):
    sid, v = create_story(tiny_ws, "Arbeitskreis März")
    assert (sid, v) == ("s001", 1)
    add_partners(tiny_ws)
    save_tie(tiny_ws, Tie("qm", 2025, 2, 3), expected_version=None, user="anna")
    v = add_slide(tiny_ws, sid, _profile("01000001", "erste"), expected_version=v)
    v = add_slide(tiny_ws, sid, Slide("network", caption="zweite", year=2025), expected_version=v)
    v = add_slide(tiny_ws, sid, _profile("01000003", "dritte", highlight=["01000003", "01000004"]),
                  expected_version=v)
    story = get_story(tiny_ws, sid)
    assert story.version == v == 4
    assert [s.caption for s in story.slides] == ["erste", "zweite", "dritte"]
    # the extent a slide opens at: its highlighted areas, computed independently here
    areas = tiny_ws.areas("plr")
    expected = to_display_crs(areas[areas["area_id"].isin(["01000003", "01000004"])][["geometry"]]).total_bounds
    assert story.slides[2].bounds == pytest.approx(list(expected), abs=1e-5)
    assert story.slides[1].bounds is None
    v = reorder(tiny_ws, sid, [2, 0, 1], expected_version=v)
    assert [s.caption for s in get_story(tiny_ws, sid).slides] == ["dritte", "erste", "zweite"]
    v = move_slide(tiny_ws, sid, 0, 1, expected_version=v)
    assert [s.caption for s in get_story(tiny_ws, sid).slides] == ["erste", "dritte", "zweite"]
    v = set_caption(tiny_ws, sid, 1, "Mitte & Park\nzweite Zeile", expected_version=v)
    v = delete_slide(tiny_ws, sid, 2, expected_version=v)
    v = rename_story(tiny_ws, sid, "Arbeitskreis April", expected_version=v)
    story = get_story(tiny_ws, sid)
    assert story.title == "Arbeitskreis April"
    assert [s.caption for s in story.slides] == ["erste", "Mitte & Park\nzweite Zeile"]
    log = story_history(tiny_ws, sid)
    assert log["version"].tolist() == list(range(1, v + 1))
    assert log["by"].unique().tolist() == ["test"]          # the actor, never a typed name
    assert len(json.loads(log["after"].iloc[-1])["slides"]) == 2
    row = list_stories(tiny_ws).iloc[0]
    assert (row["story_id"], row["slides"], row["version"]) == (sid, 2, v)
    delete_story(tiny_ws, sid, expected_version=v)
    assert list_stories(tiny_ws).empty
    with pytest.raises(InputError):
        get_story(tiny_ws, sid)


def test_a_stale_version_is_refused_and_nothing_is_overwritten(tiny_ws):
    sid, v = create_story(tiny_ws, "Doppelt bearbeitet")
    add_slide(tiny_ws, sid, _profile(caption="meine"), expected_version=v)
    with pytest.raises(ConflictError):
        add_slide(tiny_ws, sid, _profile(caption="deine"), expected_version=v)
    with pytest.raises(ConflictError):
        set_caption(tiny_ws, sid, 0, "überschrieben", expected_version=v)
    assert [s.caption for s in get_story(tiny_ws, sid).slides] == ["meine"]


def test_every_problem_of_a_slide_at_once_and_nothing_written(tiny_ws):
    sid, v = create_story(tiny_ws, "Fehler")
    before = tiny_ws.snapshot()
    with pytest.raises(InputError) as err:
        add_slide(tiny_ws, sid, Slide("indicator_map", caption="x" * (CAPTION_MAX + 1), level="nirgends",
                                      indicator_id="gibtsnicht"), expected_version=v)
    assert {p.code for p in err.value.problems} == {"story_text_long", "level_unknown", "indicator_unknown",
                                                    "story_period_missing"}
    with pytest.raises(InputError) as err:
        add_slide(tiny_ws, sid, Slide("slideshow"), expected_version=v)
    assert err.value.problems[0].code == "story_kind_unknown"
    with pytest.raises(InputError) as err:
        add_slide(tiny_ws, sid, _profile("99999999", highlight=["01000001", "zzz"]), expected_version=v)
    assert "99999999" in str(err.value) and "zzz" in str(err.value)
    with pytest.raises(InputError):
        reorder(tiny_ws, sid, [0, 0], expected_version=v)
    with pytest.raises(InputError):
        create_story(tiny_ws, "   ")
    assert tiny_ws.snapshot() == before


def test_viewers_make_presentations_nobody_unknown_does(tiny_ws):
    act_as(Actor("vera", "viewer", "test"))
    try:
        sid, v = create_story(tiny_ws, "Von Vera")
        add_slide(tiny_ws, sid, _profile(), expected_version=v)
        assert story_history(tiny_ws, sid)["by"].tolist() == ["vera", "vera"]
        act_as(Actor("x", "nobody", "test"))
        with pytest.raises(AccessDenied):
            create_story(tiny_ws, "Nein")
    finally:
        act_as(None)


def test_the_html_escapes_title_caption_and_names_and_shows_every_slide(tiny_ws, tmp_path):
    sid, v = create_story(tiny_ws, HOSTILE)
    add_partners(tiny_ws)
    save_tie(tiny_ws, Tie("qm", 2025, 3, 3), expected_version=None, user="anna")
    v = add_slide(tiny_ws, sid, _profile("01000003", HOSTILE), expected_version=v)
    v = add_slide(tiny_ws, sid, Slide("network", caption=HOSTILE, year=2025), expected_version=v)
    html = export_story(tiny_ws, sid, settings=Settings.from_env().with_(db_path=tmp_path / "x.duckdb"))
    assert "<script>alert(2)" not in html and "<img src=x" not in html
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 3      # title twice, captions
    assert "Mitte &amp; Park" in html                                          # the area's name, escaped
    assert len(re.findall(r'<section class="slide"', html)) == 2
    assert "<svg" in html and "Quartiersmanagement Nord" in html               # the network as inline SVG
    assert not re.search(r'(src|href)="(https?:)?//', html)                    # nothing from outside


def test_an_empty_story_is_not_exported(tiny_ws, tmp_path):
    sid, _ = create_story(tiny_ws, "Leer")
    with pytest.raises(InputError) as err:
        export_story(tiny_ws, sid, settings=Settings.from_env())
    assert err.value.problems[0].code == "story_empty"


def test_an_access_slide_draws_the_stored_run_of_its_settings(street_ws, tmp_path):
    from jmdiq_geo.analysis.access.compute import AccessSettings
    from jmdiq_geo.services.access import access_for
    from jmdiq_geo.services.access_export import area_table

    run = AccessSettings(speed_kmh=4.0)
    table = area_table(street_ws, access_for(street_ws, "jugendfreizeit", settings=run, level="plr"))
    sid, v = create_story(street_ws, "Zugang")
    add_slide(street_ws, sid, Slide("access_map", level="plr", category="jugendfreizeit", measure="median_min",
                                    access_settings=run.as_dict(), caption="Wege"), expected_version=v)
    slide = get_story(street_ws, sid).slides[0]
    assert slide.access_settings["thresholds_min"] == [10.0, 15.0]          # JSON: lists, read back as tuples
    html = export_story(street_ws, sid, settings=Settings.from_env().with_(db_path=tmp_path / "x.duckdb"))
    assert html.count('<section class="slide"') == 1 and 'data-kind="access_map"' in html
    # every area of the run is a feature of the map, with its own value text
    features = re.findall(r'"area_id": ?"(0100000\d)"', html)
    assert sorted(set(features)) == sorted(table["area"])
    assert street_ws.attributions(["test"])[0] in html


def test_a_slide_that_cannot_be_drawn_any_more_is_named(tiny_ws, tmp_path):
    sid, v = create_story(tiny_ws, "Alt")
    v = add_slide(tiny_ws, sid, _profile(), expected_version=v)
    add_slide(tiny_ws, sid, Slide("index_map", level="plr", index_key="weg", index_part="overall",
                                  period="2024-12-31"), expected_version=v)
    with pytest.raises(InputError) as err:
        export_story(tiny_ws, sid, settings=Settings.from_env().with_(db_path=tmp_path / "x.duckdb"))
    assert [p.code for p in err.value.problems] == ["story_slide_failed", "story_index_unknown"]
    assert err.value.problems[0].params["n"] == 2
