"""Participation (issue 18): sessions, pins, limits, expiry, screening, moderation, deletion, and
results that show a place only where at least k different participants pinned it."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from jmdiq_geo.analysis.participation import count_places, screen_comment
from jmdiq_geo.crs import transform_xy
from jmdiq_geo.errors import AccessDenied, InputError
from jmdiq_geo.io.participation import default_categories, screening_hints
from jmdiq_geo.services import participation as part
from jmdiq_geo.services.auth import Actor, act_as, set_default_actor
from jmdiq_geo.services.quarter import quarter_from_areas
from tests.fixtures.files import TINY_AREAS, WORK_CRS

NOW = datetime(2026, 5, 4, 16, 37, 12)


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = transform_xy([x], [y], from_crs=WORK_CRS, to_crs="EPSG:4326")
    return float(lon[0]), float(lat[0])


def cell_centre(i: int) -> tuple[float, float]:
    """The centre of the i-th tiny area (= the i-th 100 m cell)."""
    return lonlat(390000 + i * 100 + 50, 5820050)


@pytest.fixture
def session(tiny_ws):
    quarter = quarter_from_areas(tiny_ws, level="plr", area_ids=[a for a, _, _ in TINY_AREAS])
    return part.create_session(tiny_ws, title="Jugendclub Mittwoch", quarter=quarter, starts_at=NOW - timedelta(hours=1),
                               ends_at=NOW + timedelta(hours=2), cell_size_m=100, k=3, max_pins=5)


def joined(ws, session, n: int, **answers) -> list[str]:
    people = [part.new_participant() for _ in range(n)]
    for p in people:
        part.join(ws, session.token, p, age_band=answers.get("age_band", "15-17"),
                  newcomer=answers.get("newcomer", "no"), now=NOW)
    return people


def pin(ws, session, who, category, cell, limiter=None, comment=None, now=NOW):
    lon, lat = cell_centre(cell)
    return part.add_pin(ws, session.token, who, category=category, lon=lon, lat=lat, comment=comment,
                        limiter=limiter or part.PinLimiter(), now=now)


def test_session_stores_no_personal_data_and_an_unguessable_token(tiny_ws, session):
    assert len(session.token) >= 20 and session.k == 3
    assert [c["id"] for c in session.categories] == [c["id"] for c in default_categories()]
    who = joined(tiny_ws, session, 1)[0]
    pin(tiny_ws, session, who, "missing", 0, comment="Hier fehlt ein Basketballkorb")
    pins = tiny_ws.cursor().execute("SELECT * FROM participation_pins").df()
    people = tiny_ws.cursor().execute("SELECT * FROM participation_participants").df()
    assert set(pins.columns) == {"pin_id", "session_id", "participant", "category", "x", "y", "comment",
                                 "comment_status", "comment_flags", "created_hour"}
    assert set(people.columns) == {"session_id", "participant", "age_band", "newcomer", "joined_hour"}
    # the time only to the hour
    assert pins["created_hour"].iloc[0] == pd.Timestamp("2026-05-04 16:00:00")
    assert people["joined_hour"].iloc[0] == pd.Timestamp("2026-05-04 16:00:00")


def test_k_anonymity_two_participants_hidden_three_shown(tiny_ws, session):
    three, two = joined(tiny_ws, session, 3), joined(tiny_ws, session, 2)
    for p in three:
        pin(tiny_ws, session, p, "often_here", 1)
    for p in two:
        pin(tiny_ws, session, p, "often_here", 2)
        pin(tiny_ws, session, p, "often_here", 2)        # one person twice is still one person
    res = part.results(tiny_ws, session.session_id, unit="grid")
    assert res.places[["place", "category", "participants", "pins"]].values.tolist() == [
        ["100m_390100_5820000", "often_here", 3, 3]]
    assert res.suppressed == 1 and res.participants == 5 and res.pins == 7
    # one aggregation per session: no second view of the same pins to set against this one
    with pytest.raises(InputError) as exc:
        part.results(tiny_ws, session.session_id, unit="areas")
    assert exc.value.problems[0].code == "participation_unit_fixed"
    # the same rule in the CSV export
    text = part.results_csv(res).decode()
    assert "390100" in text and "390200" not in text


def test_filters_only_above_k_for_the_group_and_the_rest(tiny_ws, session):
    young = joined(tiny_ws, session, 3, age_band="12-14")
    older = joined(tiny_ws, session, 1, age_band="18-20")
    for p in young + older:
        pin(tiny_ws, session, p, "good", 3)
    assert part.results(tiny_ws, session.session_id).places["participants"].tolist() == [4]
    # 3 of 4 are 12-14: shown, the rest is one person - "all minus group" would point at them
    assert part.results(tiny_ws, session.session_id, age_band="12-14").places.empty
    more = joined(tiny_ws, session, 2, age_band="18-20")
    for p in more:
        pin(tiny_ws, session, p, "good", 3)
    filtered = part.results(tiny_ws, session.session_id, age_band="12-14").places
    assert filtered["participants"].tolist() == [3]


@pytest.mark.backend_free
def test_count_places_against_a_plain_count():
    pins = pd.DataFrame({"place": list("aaabbbbc"), "category": ["x"] * 8,
                         "participant": ["p1", "p2", "p3", "p1", "p1", "p2", "p2", "p9"]})
    out = count_places(pins, k=3)
    plain = pins.groupby("place")["participant"].nunique()
    assert out["place"].tolist() == [p for p, n in plain.items() if n >= 3]
    with pytest.raises(ValueError):
        count_places(pins, k=2)


def test_k_below_three_is_refused(tiny_ws):
    quarter = quarter_from_areas(tiny_ws, level="plr", area_ids=[TINY_AREAS[0][0]])
    with pytest.raises(InputError) as exc:
        part.create_session(tiny_ws, title="x", quarter=quarter, starts_at=NOW, ends_at=NOW + timedelta(hours=1), k=2)
    assert "participation_k_low" in {p.code for p in exc.value.problems}


def test_limits_per_participant_and_per_minute(tiny_ws, session):
    who = joined(tiny_ws, session, 1)[0]
    clock = Clock()
    limiter = part.PinLimiter(per_minute=3, clock=clock)
    for _ in range(3):
        pin(tiny_ws, session, who, "good", 0, limiter=limiter)
    with pytest.raises(InputError) as exc:
        pin(tiny_ws, session, who, "good", 0, limiter=limiter)
    assert exc.value.problems[0].code == "participation_too_fast"
    clock.t = 61
    pin(tiny_ws, session, who, "good", 0, limiter=limiter)
    pin(tiny_ws, session, who, "good", 0, limiter=limiter)          # 5 = the session's max_pins
    clock.t = 200
    with pytest.raises(InputError) as exc:
        pin(tiny_ws, session, who, "good", 0, limiter=limiter)
    assert exc.value.problems[0].code == "participation_limit"
    assert tiny_ws.participation_pin_count(session.session_id, who) == 5


def test_expired_closed_and_not_started_sessions_refuse_pins(tiny_ws, session):
    who = joined(tiny_ws, session, 1)[0]
    for when, code in ((NOW + timedelta(hours=3), "participation_expired"),
                       (NOW - timedelta(hours=2), "participation_not_started")):
        with pytest.raises(InputError) as exc:
            pin(tiny_ws, session, who, "good", 0, now=when)
        assert exc.value.problems[0].code == code
        assert part.public_session(tiny_ws, session.token, now=when).status == code.split("_", 1)[1]
    assert part.close_session(tiny_ws, session.session_id)
    with pytest.raises(InputError) as exc:
        pin(tiny_ws, session, who, "good", 0)
    assert exc.value.problems[0].code == "participation_closed"
    with pytest.raises(InputError):
        part.join(tiny_ws, session.token, part.new_participant(), age_band=None, newcomer=None, now=NOW)
    assert tiny_ws.cursor().execute("SELECT count(*) FROM participation_pins").fetchone()[0] == 0


def test_bad_input_is_refused(tiny_ws, session):
    who = joined(tiny_ws, session, 1)[0]
    with pytest.raises(InputError) as exc:
        pin(tiny_ws, session, who, "<script>", 0)
    assert exc.value.problems[0].code == "participation_category_unknown"
    with pytest.raises(InputError) as exc:
        part.add_pin(tiny_ws, session.token, who, category="good", lon=13.0, lat=52.0, limiter=part.PinLimiter(),
                     now=NOW)
    assert exc.value.problems[0].code == "participation_outside"
    with pytest.raises(InputError) as exc:
        pin(tiny_ws, session, who, "good", 0, comment="x" * 300)
    assert exc.value.problems[0].code == "participation_comment_long"
    with pytest.raises(InputError) as exc:
        pin(tiny_ws, session, part.new_participant(), "good", 0)
    assert exc.value.problems[0].code == "participation_not_joined"
    for token in ("", "x", session.token[:-1] + ("A" if session.token[-1] != "A" else "B")):
        with pytest.raises(InputError):
            part.public_session(tiny_ws, token)


@pytest.mark.parametrize("text, flags", [
    ("Ruf mich an: 0151 2345 6789", ["phone"]),
    ("+49 (30) 123-45-67", ["phone"]),
    ("schreib an lena.m@example.org", ["email"]),
    ("mail: foo (at) bar (dot) de", ["email"]),
    ("Ich wohne Musterstraße 12a", ["address"]),
    ("Hauptstr. 5 ist laut", ["address"]),
    ("Ich heiße Zoran und bin oft hier", ["name"]),
    ("folgt @kiez_kids", ["name"]),
    ("اسمي سمير", ["name"]),
    ("Mehmet ist immer hier", ["name"]),
    ("Hier fehlt ein Basketballkorb, seit 2021", []),
    ("Der Platz ist dunkel, Bus 165 fährt selten", []),
    ("ich bin oft hier nach der Schule", []),
])
@pytest.mark.backend_free
def test_comment_screening(text, flags):
    names, cues = screening_hints()
    assert sorted(screen_comment(text, first_names=names, name_cues=cues)) == sorted(flags)


def test_comments_are_held_then_moderated(tiny_ws, session):
    a, b = joined(tiny_ws, session, 2)
    held = pin(tiny_ws, session, a, "avoid", 0, comment="Ruf an 0176 12345678")
    clean = pin(tiny_ws, session, b, "missing", 0, comment="Hier fehlen Bänke")
    assert held.comment_held and not clean.comment_held
    queue = part.moderation_queue(tiny_ws, session.session_id)
    assert queue.set_index("pin_id")["comment_status"].to_dict() == {held.pin_id: "held", clean.pin_id: "pending"}
    assert set(queue.columns) == {"pin_id", "category", "comment", "comment_status", "comment_flags"}
    assert part.approved_comments(tiny_ws, session.session_id).empty          # nobody sees them before moderation
    part.moderate(tiny_ws, session.session_id, held.pin_id, approve=False)
    part.moderate(tiny_ws, session.session_id, clean.pin_id, approve=True)
    assert part.approved_comments(tiny_ws, session.session_id)["comment"].tolist() == ["Hier fehlen Bänke"]
    rejected = tiny_ws.cursor().execute("SELECT comment FROM participation_pins WHERE pin_id = ?",
                                        [held.pin_id]).fetchone()[0]
    assert rejected is None                                                   # the text is gone
    assert part.moderation_queue(tiny_ws, session.session_id).empty


def test_delete_session_removes_everything_and_leaves_others(tiny_ws, session):
    other = part.create_session(tiny_ws, title="Schule", quarter=quarter_from_areas(
        tiny_ws, level="plr", area_ids=[TINY_AREAS[0][0]]), starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    for s in (session, other):
        for p in joined(tiny_ws, s, 2):
            pin(tiny_ws, s, p, "good", 0, comment="ok")
    removed = part.delete_session(tiny_ws, session.session_id)
    assert removed == {"participation_pins": 2, "participation_participants": 2, "participation_sessions": 1}
    for table in ("participation_pins", "participation_participants", "participation_sessions"):
        ids = {r[0] for r in tiny_ws.cursor().execute(f"SELECT session_id FROM {table}").fetchall()}
        assert ids == {other.session_id}, table
    with pytest.raises(InputError):
        part.public_session(tiny_ws, session.token)


def test_staff_functions_need_the_participation_right(tiny_ws, session):
    act_as(Actor("gast", "viewer", "test"))
    try:
        for call in (lambda: part.sessions(tiny_ws), lambda: part.results(tiny_ws, session.session_id),
                     lambda: part.delete_session(tiny_ws, session.session_id),
                     lambda: part.moderation_queue(tiny_ws, session.session_id)):
            with pytest.raises(AccessDenied):
                call()
    finally:
        act_as(None)


def test_nobody_acting_gets_nothing_but_the_public_functions(tiny_ws, session):
    """The participant page acts as nobody: every staff function refuses, the public ones work."""
    set_default_actor(None)
    act_as(None)
    try:
        for call in (lambda: part.sessions(tiny_ws), lambda: part.results(tiny_ws, session.session_id),
                     lambda: part.close_session(tiny_ws, session.session_id),
                     lambda: part.approved_comments(tiny_ws, session.session_id)):
            with pytest.raises(AccessDenied):
                call()
        who = part.new_participant()
        part.join(tiny_ws, session.token, who, age_band=None, newcomer=None, now=NOW)
        assert pin(tiny_ws, session, who, "good", 0).pin_id > 0
    finally:
        set_default_actor(Actor("test", "admin", "test"))


def test_public_session_gives_only_outline_and_categories(tiny_ws, session):
    view = part.public_session(tiny_ws, session.token, now=NOW)
    assert view.status == "open" and view.title == "Jugendclub Mittwoch"
    assert set(vars(view)) == {"session_id", "title", "status", "categories", "outline_geojson", "bounds", "attributions"}
    assert view.attributions == tuple(tiny_ws.attributions(["test"]))
    assert '"Polygon"' in view.outline_geojson


@pytest.mark.backend_free
def test_qr_png_is_a_png():
    png = part.qr_png(part.participation_link("http://192.168.0.2:8501", "abc" * 8))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_two_sessions_side_by_side_each_only_above_k(tiny_ws):
    quarter = quarter_from_areas(tiny_ws, level="plr", area_ids=[a for a, _, _ in TINY_AREAS])
    session = part.create_session(tiny_ws, title="Jugendclub", quarter=quarter, starts_at=NOW - timedelta(hours=1),
                                  ends_at=NOW + timedelta(hours=2), unit="areas")
    later = part.create_session(tiny_ws, title="Ein Jahr später", quarter=quarter, starts_at=NOW - timedelta(hours=1),
                                ends_at=NOW + timedelta(hours=1), unit="areas")
    cells = part.create_session(tiny_ws, title="Zellen", quarter=quarter, starts_at=NOW - timedelta(hours=1),
                                ends_at=NOW + timedelta(hours=1), cell_size_m=250)
    for p in joined(tiny_ws, session, 3):
        pin(tiny_ws, session, p, "missing", 0)
    for p in joined(tiny_ws, later, 2):          # two: hidden in the comparison too
        pin(tiny_ws, later, p, "missing", 0)
    for p in joined(tiny_ws, later, 4):
        pin(tiny_ws, later, p, "good", 2)
    table = part.compare_sessions(tiny_ws, session.session_id, later.session_id)
    rows = {(r.place, r.category): (r.participants_first, r.participants_second) for r in table.itertuples()}
    assert set(rows) == {(TINY_AREAS[0][0], "missing"), (TINY_AREAS[2][0], "good")}
    assert rows[(TINY_AREAS[0][0], "missing")][0] == 3 and pd.isna(rows[(TINY_AREAS[0][0], "missing")][1])
    assert pd.isna(rows[(TINY_AREAS[2][0], "good")][0]) and rows[(TINY_AREAS[2][0], "good")][1] == 4
    with pytest.raises(InputError) as exc:
        part.compare_sessions(tiny_ws, session.session_id, cells.session_id)
    assert exc.value.problems[0].code == "participation_compare_cells"


def test_pins_keep_the_data_generation_and_are_counted_at_once(tiny_ws, session):
    """A workshop's pins and joins do not raise the data generation, so the layers and maps
    shared under it stay cached while phones pin; the results, read uncached, count them at once.
    A staff write (closing the session) still raises it."""
    before = tiny_ws.data_generation()
    people = joined(tiny_ws, session, 3)
    for p in people:
        pin(tiny_ws, session, p, "often_here", 1)
    assert tiny_ws.data_generation() == before
    res = part.results(tiny_ws, session.session_id, unit="grid")
    assert res.participants == 3 and res.pins == 3
    part.close_session(tiny_ws, session.session_id)
    assert tiny_ws.data_generation() == before + 1
