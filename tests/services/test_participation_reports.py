"""Participation results beside everything else (issue 18): in the Quartiersprofil PDF, a
presentation slide and the annual annex with the session, its dates and participants, only ever
the places with at least k people; set against the stored walking-access runs; and the privacy
rules against differencing (one aggregation per session, complementary suppression of filters)."""
from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pandas as pd
import pytest

from jmdiq_geo.analysis.participation import complementary_shown, count_places
from jmdiq_geo.config import Settings
from jmdiq_geo.errors import InputError
from jmdiq_geo.services import participation as part
from jmdiq_geo.services.access import access_for
from jmdiq_geo.services.participation_results import context_table, sessions_in
from jmdiq_geo.services.profile_report import profile_doc, profile_report_pdf
from jmdiq_geo.services.quarter import quarter_from_areas
from jmdiq_geo.services.stories import Slide, add_slide, check_slide, create_story, export_story
from tests.fixtures.files import TINY_AREAS
from tests.services.test_participation import NOW, joined, pin

pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")


@pytest.fixture
def pinned(tiny_ws):
    """Three people say something is missing in area 0 (one of them twice), two avoid area 1 (too
    few: never shown), four find area 2 good."""
    quarter = quarter_from_areas(tiny_ws, level="plr", area_ids=[a for a, _, _ in TINY_AREAS])
    s = part.create_session(tiny_ws, title="Jugendclub Mittwoch", quarter=quarter, starts_at=NOW - timedelta(hours=1),
                            ends_at=NOW + timedelta(hours=2), cell_size_m=100)
    three = joined(tiny_ws, s, 3)
    for p in three:
        pin(tiny_ws, s, p, "missing", 0)
    pin(tiny_ws, s, three[0], "missing", 0)
    for p in joined(tiny_ws, s, 2):
        pin(tiny_ws, s, p, "avoid", 1)
    for p in joined(tiny_ws, s, 4):
        pin(tiny_ws, s, p, "good", 2)
    return s


def _area(ws, i):
    return ws.areas("plr").set_index("area_id").geometry[TINY_AREAS[i][0]]


def test_sessions_in_an_area_sum_only_the_places_shown(tiny_ws, pinned):
    pins = tiny_ws.participation_pins(pinned.session_id)
    (first,) = sessions_in(tiny_ws, _area(tiny_ws, 0))
    assert (first.title, first.participants, first.k) == ("Jugendclub Mittwoch", 9, 3)
    # independent count: the pins of category "missing" in area 0's cell, by plain pandas
    here = pins[(pins["category"] == "missing") & (pins["x"] // 100 * 100 == 390000)]
    assert first.rows[["category", "places", "participants_max", "pins"]].values.tolist() == [
        ["missing", 1, here["participant"].nunique(), len(here)]]
    # area 1: two people only - the session is named, but nothing of its place
    (second,) = sessions_in(tiny_ws, _area(tiny_ws, 1))
    assert second.rows.empty and second.places.empty
    # a year without the session: none
    assert sessions_in(tiny_ws, _area(tiny_ws, 0), start=NOW.date() + timedelta(days=400)) == []


@pdftotext
def test_the_profile_pdf_names_session_dates_participants_and_only_shown_places(tiny_ws, pinned, tmp_path):
    settings = Settings.from_env()
    doc = profile_doc(tiny_ws, level="plr", area_id=TINY_AREAS[0][0], settings=settings)
    assert [s.session_id for s in doc.participation] == [pinned.session_id]
    text = " ".join(_text(profile_report_pdf(tiny_ws, level="plr", area_ids=[TINY_AREAS[0][0]],
                                             settings=settings)[0], tmp_path).split())
    assert "Beteiligung junger Menschen" in text and "„Jugendclub Mittwoch“, 04.05.2026–04.05.2026" in text
    assert "9 Teilnehmende" in text and "Hier fehlt etwas 1 3 4" in text
    assert "Beteiligung „Jugendclub Mittwoch“, 04.05.2026–04.05.2026" in text        # in the sources
    # the area two people pinned: the session, but no place and no count of them
    text = " ".join(_text(profile_report_pdf(tiny_ws, level="plr", area_ids=[TINY_AREAS[1][0]],
                                             settings=settings)[0], tmp_path).split())
    assert "Hier kein Ort mit mindestens 3 Personen" in text and "meide" not in text.split("Beteiligung junger")[1]


def test_a_participation_slide_shows_only_places_with_k(tiny_ws, pinned, tmp_path):
    sid, version = create_story(tiny_ws, "Quartier")
    assert [p.code for p in check_slide(tiny_ws, Slide("participation", session_id="ps_none", category="x"))] == [
        "participation_unknown_session"]
    assert [p.code for p in check_slide(tiny_ws, Slide("participation", session_id=pinned.session_id,
                                                       category="nope"))] == ["participation_category_unknown"]
    for category in ("missing", "avoid"):
        version = add_slide(tiny_ws, sid, Slide("participation", session_id=pinned.session_id, category=category),
                            expected_version=version)
    html = export_story(tiny_ws, sid, settings=Settings.from_env().with_(db_path=tmp_path / "x.duckdb"))
    assert "Jugendclub Mittwoch" in html and "9 Teilnehmende" in html
    assert "100m_390000_5820000" in html                       # three people: shown
    assert "100m_390100_5820000" not in html                   # two people: on no slide


def test_the_annual_annex_lists_the_years_sessions(tiny_ws, pinned, tmp_path):
    from jmdiq_geo.services.annual import annex_csv, annex_pdf, annual_annex
    annex = annual_annex(tiny_ws, year=NOW.year, area_id=TINY_AREAS[0][0])
    assert [s.session_id for s in annex.participation] == [pinned.session_id]
    assert any("Jugendclub Mittwoch" in s for s in annex.sources)
    table = pd.read_csv(pd.io.common.BytesIO(annex_csv(annex)[f"anhang_{NOW.year}_{TINY_AREAS[0][0]}_beteiligung.csv"]))
    assert table[["category", "places", "pins", "participants"]].values.tolist() == [["missing", 1, 4, 9]]
    assert annual_annex(tiny_ws, year=NOW.year - 1, area_id=TINY_AREAS[0][0]).participation == []
    if shutil.which("pdftotext"):
        text = " ".join(_text(annex_pdf(annex), tmp_path).split())
        assert "Beteiligung junger Menschen" in text and "Hier fehlt etwas 1 3 4" in text


def test_context_table_sets_the_shown_places_against_the_stored_access_run(street_ws):
    ws = street_ws
    quarter = quarter_from_areas(ws, level="plr", area_ids=[a for a, _, _ in TINY_AREAS])
    s = part.create_session(ws, title="Zugang", quarter=quarter, starts_at=NOW - timedelta(hours=1),
                            ends_at=NOW + timedelta(hours=2), unit="areas")
    for i in (1, 3):
        for p in joined(ws, s, 3):
            pin(ws, s, p, "missing", i)
    for p in joined(ws, s, 2):
        pin(ws, s, p, "missing", 0)
    table, notes = context_table(ws, s.session_id, "missing", settings=Settings.from_env())
    assert "median_min:jugendfreizeit" not in table           # no stored run yet
    run = access_for(ws, "jugendfreizeit")
    table, notes = context_table(ws, s.session_id, "missing", settings=Settings.from_env())
    assert sorted(table["place"]) == [TINY_AREAS[1][0], TINY_AREAS[3][0]]     # not area 0: two people
    expected = run.result.areas.set_index("area")
    for row in table.itertuples():
        assert getattr(row, "participants") == 3
        for measure in ("median_min", "share_beyond"):
            got = table.set_index("place").at[row.place, f"{measure}:jugendfreizeit"]
            assert got == pytest.approx(expected.at[row.place, measure], nan_ok=True)
    assert any("jugendfreizeit" in n.lower() or "jugend" in n.lower() for n in notes)


# --------------------------------------------------------------------------- differencing

def test_one_aggregation_per_session(tiny_ws, pinned):
    assert pinned.unit == "grid"
    with pytest.raises(InputError) as exc:
        part.results(tiny_ws, pinned.session_id, unit="areas")
    assert exc.value.problems[0].code == "participation_unit_fixed"
    quarter = quarter_from_areas(tiny_ws, level="plr", area_ids=[TINY_AREAS[0][0]])
    areas = part.create_session(tiny_ws, title="Gebiete", quarter=quarter, starts_at=NOW, unit="areas",
                                ends_at=NOW + timedelta(hours=1))
    assert areas.unit == "areas" and part.get_session(tiny_ws, areas.session_id).unit == "areas"
    with pytest.raises(InputError):
        part.results(tiny_ws, areas.session_id, unit="grid")


@pytest.mark.parametrize("sizes, shown", [
    ([3, 3, 1], [False, True, False]),        # 3+3 shown would leave 1: withhold a 3 (the first) too
    ([5, 4, 0, 2], [True, False, True, False]),
    ([3, 3, 3], [True, True, True]),
    ([6, 2, 1], [True, False, False]),        # withheld 2+1 = 3: enough
    ([2, 1], [False, False]),
])
@pytest.mark.backend_free
def test_complementary_shown(sizes, shown):
    assert complementary_shown(sizes, 3) == shown
    hidden = sum(s for s, f in zip(sizes, shown) if not f)
    assert hidden == 0 or hidden >= 3 or sum(sizes) < 3


@pytest.mark.backend_free
def test_no_group_of_one_or_two_from_the_whole_minus_the_groups_shown():
    # a place: 3 people 12-14, 3 people 15-17, 1 person 18-20; all seven pinned the same category
    groups = ["12-14"] * 3 + ["15-17"] * 3 + ["18-20"]
    pins = pd.DataFrame({"place": "a", "category": "x", "participant": [f"p{i}" for i in range(7)], "group": groups})
    assert count_places(pins, k=3)["participants"].tolist() == [7]
    shown = sum(int(count_places(pins, k=3, group=g)["participants"].sum()) for g in ("12-14", "15-17", "18-20"))
    assert 7 - shown == 0 or 7 - shown >= 3


def test_filtered_totals_are_not_revealed_by_the_session_total(tiny_ws, pinned):
    # 9 people: 15-17 all of them (``joined``'s default). Two more of 18-20: the 18-20 total is 2
    for p in joined(tiny_ws, pinned, 2, age_band="18-20"):
        pin(tiny_ws, pinned, p, "good", 3)
    total = part.results(tiny_ws, pinned.session_id).participants
    older = part.results(tiny_ws, pinned.session_id, age_band="18-20").participants
    young = part.results(tiny_ws, pinned.session_id, age_band="15-17").participants
    assert total == 11 and older == 0
    assert young == 0, "11 - 9 would give the two of 18-20"
    # a third of 18-20: now both groups may be shown
    for p in joined(tiny_ws, pinned, 1, age_band="18-20"):
        pin(tiny_ws, pinned, p, "good", 3)
    assert part.results(tiny_ws, pinned.session_id, age_band="18-20").participants == 3
    assert part.results(tiny_ws, pinned.session_id, age_band="15-17").participants == 9
    with pytest.raises(InputError) as exc:
        part.results(tiny_ws, pinned.session_id, age_band="18-20", newcomer="yes")
    assert exc.value.problems[0].code == "participation_one_filter"


def test_cli_opens_a_session_per_area_and_refuses_the_other_view(tiny_ws, capsys):
    from datetime import datetime

    from jmdiq_geo.cli import main
    path = str(tiny_ws.location)
    assert main(["participation", "create", "--db", path, "--title", "Je Gebiet", "--areas",
                 ",".join(a for a, _, _ in TINY_AREAS), "--start", NOW.isoformat(), "--end",
                 (datetime.now() + timedelta(hours=1)).isoformat(timespec="minutes"), "--unit", "areas"]) == 0
    session_id = capsys.readouterr().out.split()[1]
    assert part.get_session(tiny_ws, session_id).unit == "areas"
    assert main(["participation", "results", session_id, "--db", path]) == 0
    assert "unit=areas" in capsys.readouterr().out
    assert main(["participation", "results", session_id, "--db", path, "--unit", "grid"]) == 2
    assert "beim Anlegen" in capsys.readouterr().err
    assert main(["participation", "results", session_id, "--db", path, "--age-band", "12-14", "--newcomer",
                 "yes"]) == 2
    assert "nur einen Filter" in capsys.readouterr().err
