"""Micro-projects, partners and ties: validation, optimistic locking, audit, exchange, summaries."""
import threading

import geopandas as gpd
import pandas as pd
import pytest

from jmdiq_geo.errors import ConflictError, InputError
from jmdiq_geo.i18n import format_problem
from jmdiq_geo.analysis.projects import Partner, Tie
from jmdiq_geo.services.projects import (archive, from_table, get_record, history, import_records, records, save_partner,
                                     save_project, save_tie, to_geodataframe)
from jmdiq_geo.analysis.project_summary import compare_years, project_summary
from jmdiq_geo.render.network import network_figure
from tests.fixtures.projects import add_partners, make_project


def test_form_names_every_wrong_field(tiny_ws):
    add_partners(tiny_ws)
    bad = make_project(start="2025-06-30", end="2025-03-01", budget_planned=None, x=10.0, y=10.0,
                   partners=["qm", "niemand"], notes="Kontakt: max@example.org")
    before = tiny_ws.snapshot()
    with pytest.raises(InputError) as err:
        save_project(tiny_ws, bad, expected_version=None, user="anna")
    codes = {p.code for p in err.value.problems}
    assert codes == {"form_end_before_start", "form_spent_without_planned", "form_outside", "form_unknown_partner"}
    assert "niemand" in str(err.value)
    assert tiny_ws.snapshot() == before
    _, notices = save_project(tiny_ws, make_project(notes="Tel. 030 1234567"), expected_version=None, user="anna")
    assert [n.code for n in notices] == ["form_personal_data"]


def test_the_same_partner_twice_is_refused_and_named_by_its_field(tiny_ws):
    add_partners(tiny_ws)
    before = tiny_ws.snapshot()
    with pytest.raises(InputError) as err:
        save_partner(tiny_ws, Partner("org9", "  quartiersmanagement   NORD ", "Quartiersmanagement"),
                     expected_version=None, user="anna")
    problem = err.value.problems[0]
    assert problem.code == "form_partner_exists" and problem.params["partner"] == "qm"
    assert tiny_ws.snapshot() == before
    # the message names the form's field, not the stored column
    text = format_problem(problem, "de", fields={"name": "Name der Einrichtung"})
    assert text.startswith("Feld „Name der Einrichtung“: Diesen Partner gibt es schon (qm)")
    assert format_problem(problem, "de").startswith("Spalte „name“")
    # saving the existing partner itself (an update) is no duplicate
    version, _ = save_partner(tiny_ws, Partner("qm", "Quartiersmanagement Nord", "Quartiersmanagement"),
                              expected_version=1, user="anna")
    assert version == 2


def test_extension_needs_what_is_new(tiny_ws):
    add_partners(tiny_ws)
    save_project(tiny_ws, make_project(), expected_version=None, user="anna")
    follow = make_project(project_id="p2", title="Graffiti-Workshop II", predecessor="p1")
    with pytest.raises(InputError) as err:
        save_project(tiny_ws, follow, expected_version=None, user="anna")
    assert [p.code for p in err.value.problems] == ["form_extension_needs_new"]
    follow.what_is_new = "Neue Zielgruppe: junge Frauen 16–21; Thema Antirassismus"
    version, _ = save_project(tiny_ws, follow, expected_version=None, user="anna")
    assert version == 1 and get_record(tiny_ws, "project", "p2")[0].predecessor == "p1"


def test_concurrent_sessions_conflict_and_nothing_is_lost(tiny_ws):
    add_partners(tiny_ws)
    save_project(tiny_ws, make_project(), expected_version=None, user="anna")
    record, version, _ = get_record(tiny_ws, "project", "p1")
    results = {}
    barrier = threading.Barrier(2)

    def session(name, title):
        copy = make_project(title=title)
        barrier.wait()
        try:
            results[name] = save_project(tiny_ws, copy, expected_version=version, user=name)[0]
        except ConflictError as exc:
            results[name] = exc
    threads = [threading.Thread(target=session, args=(n, t)) for n, t in (("anna", "Titel A"), ("ben", "Titel B"))]
    [t.start() for t in threads]
    [t.join(10) for t in threads]
    saved = [n for n, r in results.items() if r == 2]
    refused = [r for r in results.values() if isinstance(r, ConflictError)]
    assert len(saved) == 1 and len(refused) == 1
    winner_title = "Titel A" if saved == ["anna"] else "Titel B"
    stored, stored_version, _ = get_record(tiny_ws, "project", "p1")
    assert stored.title == winner_title and stored_version == 2
    message = format_problem(refused[0].problems[0], "de")
    assert "Version 1" in message and "Version 2" in message and "title" in message
    log = history(tiny_ws, "project", "p1")
    assert log["action"].tolist() == ["create", "update"] and log["by"].tolist()[0] == "anna"


def test_archive_keeps_history(tiny_ws):
    add_partners(tiny_ws)
    save_project(tiny_ws, make_project(), expected_version=None, user="anna")
    archive(tiny_ws, "project", "p1", expected_version=1, user="ben")
    assert records(tiny_ws, "project").empty and len(records(tiny_ws, "project", include_archived=True)) == 1
    assert history(tiny_ws, "project", "p1")["action"].tolist() == ["create", "archive"]


def test_csv_and_geojson_round_trip(tiny_ws, tmp_path):
    add_partners(tiny_ws)
    save_project(tiny_ws, make_project(), expected_version=None, user="anna")
    save_project(tiny_ws, make_project(project_id="p2", title="Sprachcafé", fields_of_action=["Sprache"],
                                   budget_spent=None, predecessor="p1", what_is_new="Sprache statt Kunst"),
                 expected_version=None, user="anna")
    gdf = to_geodataframe(tiny_ws, "project")
    gdf.drop(columns="geometry").to_csv(tmp_path / "p.csv", index=False)
    gdf.to_file(tmp_path / "p.geojson")
    original = records(tiny_ws, "project").drop(columns=["version", "archived", "updated_at", "updated_by"])
    for back in (pd.read_csv(tmp_path / "p.csv", dtype=str), gpd.read_file(tmp_path / "p.geojson")):
        items = from_table(back, "project")
        again = pd.DataFrame([vars(i) for i in items])[original.columns]
        pd.testing.assert_frame_equal(again.reset_index(drop=True), original.reset_index(drop=True),
                                      check_dtype=False)


def test_import_writes_nothing_when_one_record_is_wrong(tiny_ws):
    add_partners(tiny_ws)
    before = tiny_ws.snapshot()
    items = [make_project(), make_project(project_id="p2", partners=["gibtsnicht"])]
    with pytest.raises(InputError) as err:
        import_records(tiny_ws, "project", items, user="anna")
    assert err.value.problems[0].row == 2 and tiny_ws.snapshot() == before


def test_summaries_and_network_years(tiny_ws):
    add_partners(tiny_ws)
    save_project(tiny_ws, make_project(), expected_version=None, user="anna")
    save_project(tiny_ws, make_project(project_id="p2", title="Sport", fields_of_action=["Sport"], budget_spent=None,
                                   participation_planning="", sustainability="keine", start="2026-01-10",
                                   end="2026-02-01"), expected_version=None, user="anna")
    projects = records(tiny_ws, "project")
    by_field = project_summary(projects, by="field")
    assert by_field.loc["Kultur", "n"] == 1 and by_field["n"].sum() == 3
    by_year = project_summary(projects, by="year")
    assert by_year.loc[2025, "budget_spent"] == 1200.0 and by_year.loc[2026, "share_participation"] == 0.0
    assert project_summary(projects, by="area_id").loc["01000002", "share_continued"] == 0.5
    save_tie(tiny_ws, Tie("qm", 2025, 2, 3), expected_version=None, user="anna")
    save_tie(tiny_ws, Tie("qm", 2026, 3, 3, "Kooperationsvertrag"), expected_version=None, user="anna")
    save_tie(tiny_ws, Tie("schule", 2026, 1, 2), expected_version=None, user="anna")
    ties = records(tiny_ws, "tie")
    changes = compare_years(ties, 2025, 2026).set_index("partner_id")["change"].to_dict()
    assert changes == {"qm": "strengthened", "schule": "new"}
    png = network_figure(records(tiny_ws, "partner"), ties, year=2026, title="Netzwerkkarte")
    svg = network_figure(records(tiny_ws, "partner"), ties, year=2026, title="Netzwerkkarte", fmt="svg")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and b"<svg" in svg[:500]
    with pytest.raises(InputError) as err:
        save_tie(tiny_ws, Tie("qm", 2027, 4, 0), expected_version=None, user="anna")
    assert {p.code for p in err.value.problems} == {"form_scale"}


# --------------------------------------------------------------------------- no lost update on new records

def test_two_sessions_adding_a_partner_at_once_get_two_ids(tiny_ws):
    from jmdiq_geo.services.projects import create_partner

    add_partners(tiny_ws)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def add(name):
        barrier.wait()
        try:
            results.append(create_partner(tiny_ws, Partner("", name, "Schule"), user=name))
        except Exception as exc:          # noqa: BLE001 - collected and asserted below
            errors.append(exc)
    threads = [threading.Thread(target=add, args=(n,)) for n in ("Schule A", "Schule B")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    ids = sorted(r[0] for r in results)
    assert ids == ["org001", "org002"]
    stored = records(tiny_ws, "partner").set_index("partner_id")
    assert {stored.at[i, "name"] for i in ids} == {"Schule A", "Schule B"}


def test_a_new_record_under_a_taken_id_is_a_conflict_not_an_overwrite(tiny_ws):
    from jmdiq_geo.services.projects import create_partner, create_project

    add_partners(tiny_ws)
    before = records(tiny_ws, "partner").set_index("partner_id").loc["qm"].to_dict()
    with pytest.raises(ConflictError) as err:
        create_partner(tiny_ws, Partner("qm", "Ganz anderer Träger", "Schule"), user="bert")
    assert [p.code for p in err.value.problems] == ["record_id_taken"]
    assert records(tiny_ws, "partner").set_index("partner_id").loc["qm"].to_dict() == before
    pid, version, _ = create_project(tiny_ws, make_project(project_id=""), user="anna")
    assert (pid, version) == ("p001", 1)
    with pytest.raises(ConflictError):
        save_project(tiny_ws, make_project(project_id=pid, title="Überschrieben?"), expected_version=None, user="bert")
    assert get_record(tiny_ws, "project", pid)[0].title != "Überschrieben?"
