"""Service attributes: read from the OSM tags a services file carries, and imported in bulk from
a team's table (``io.service_attributes``) keyed by id or by name + address — unmatched and
ambiguous rows reported, bad values with row and column, nothing written on refusal, and the
attributes kept when the services are imported again."""
from __future__ import annotations

import pandas as pd
import pytest
import shapely

from jmdiq_geo.cli import main
from jmdiq_geo.errors import InputError, SchemaError
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.service_attributes import AttributeSpec, import_service_attributes, normalise_address
from jmdiq_geo.services.manifest import write_manifest
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.files import MAX_BYTES, feature, write_geojson
from tests.fixtures.problems import assert_rendered, expect_failure, only_problem

X0, Y0 = 390000, 5820000
SERVICES = [("1", "Jugendclub West", "Beusselstr.", "12", X0 + 20), ("2", "Jugendclub Ost", "Rostocker Straße", "3",
                                                                      X0 + 380),
            ("3", "Treffpunkt", "Turmstraße", "1", X0 + 100), ("4", "Treffpunkt", "Perleberger Str.", "7", X0 + 300)]
TEAM = im.Source("team", "Merkmale des Teams", licence="intern")


def _services_file(tmp_path, rows=SERVICES, **extra):
    return write_geojson(tmp_path / "jfe.geojson", [
        feature(shapely.Point(x, Y0 + 50), nr=i, name=n, strasse=s, hnr=h, **{k: v[j] for k, v in extra.items()})
        for j, (i, n, s, h, x) in enumerate(rows)])


def _import_services(ws, path, **spec):
    return im.import_services(ws, path, im.ServiceSpec(category="jugendfreizeit", name="name", id="nr",
                                                       address=["strasse", "hnr"], **spec),
                              im.Source("jfe", "Jugendclubs", licence="CC0"), max_bytes=MAX_BYTES)


@pytest.fixture
def ws(tiny_ws, tmp_path):
    _import_services(tiny_ws, _services_file(tmp_path))
    return tiny_ws


def _table(tmp_path, text, name="merkmale.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(ws, path, key="service_id", **kw):
    return import_service_attributes(ws, path, AttributeSpec(key=key, **kw), TEAM, max_bytes=MAX_BYTES)


def _svc(ws):
    return ws.services().set_index("service_id")


# --------------------------------------------------------------------------- OSM tags in a services file

def test_osm_tag_columns_of_a_services_file_are_read(tiny_ws, tmp_path):
    path = _services_file(tmp_path, SERVICES[:3], opening_hours=["Mo-Fr 14:00-20:00", "Mo-Fr 25:00", None],
                          wheelchair=["limited", "yes", None], fee=["no", "yes", "donation"],
                          **{"language:ar": ["yes", None, "no"], "language:de": ["yes", "yes", None],
                             "min_age": [None, "12", None], "max_age": [None, "27", None], "age": ["6-12", None, None]})
    report = _import_services(tiny_ws, path)
    s = _svc(tiny_ws)
    assert s.loc["jfe:1", "languages"] == "ar, de" and s.loc["jfe:1", "opening_hours"] == "Mo-Fr 14:00-20:00"
    assert s.loc["jfe:1", "barrier_free"] == False and s.loc["jfe:1", "cost"] == "free"  # noqa: E712 (numpy bool)
    assert (s.loc["jfe:1", "age_min"], s.loc["jfe:1", "age_max"]) == (6, 12)
    assert s.loc["jfe:2", "barrier_free"] == True and s.loc["jfe:2", "cost"] == "paid"  # noqa: E712
    assert (s.loc["jfe:2", "age_min"], s.loc["jfe:2", "age_max"]) == (12, 27)
    assert s.loc["jfe:2", "languages"] == "de" and pd.isna(s.loc["jfe:2", "opening_hours"])
    assert pd.isna(s.loc["jfe:3", "languages"]) and pd.isna(s.loc["jfe:3", "cost"])
    codes = [n.code for n in report.notices]
    assert codes[0] == "service_osm_tags"
    bad = {n.column: n for n in report.notices if n.code == "service_osm_tag_unreadable"}
    assert set(bad) == {"opening_hours", "fee"} and bad["fee"].row == 3 and bad["opening_hours"].row == 2
    assert_rendered(bad["fee"], "donation")


def test_mapped_columns_win_over_osm_tags(tiny_ws, tmp_path):
    path = _services_file(tmp_path, SERVICES[:1], fee=["yes"], kosten=["kostenlos"])
    _import_services(tiny_ws, path, cost="kosten")
    assert _svc(tiny_ws).loc["jfe:1", "cost"] == "free"


def test_a_file_without_osm_tags_says_nothing(tiny_ws, tmp_path):
    report = _import_services(tiny_ws, _services_file(tmp_path))
    assert report.written == 4 and not [n for n in report.notices if n.code.startswith("service_osm")]
    assert _svc(tiny_ws)[["languages", "opening_hours", "cost", "barrier_free"]].isna().all().all()


# --------------------------------------------------------------------------- bulk import by id

def test_bulk_import_by_id_full_or_local(ws, tmp_path):
    path = _table(tmp_path, "ID;Sprachen;Öffnungszeiten;Barrierefrei;Kosten;Alter;Plätze;Bemerkung\n"
                            "jfe:1;Arabisch, de;Mo-Fr 14:00-20:00;ja;kostenlos;12-27;40;netter Ort\n"
                            "2;tr;;nein;;;;\n")
    report = _run(ws, path)
    s = _svc(ws)
    assert s.loc["jfe:1", "languages"] == "ar, de" and s.loc["jfe:1", "opening_hours"] == "Mo-Fr 14:00-20:00"
    assert s.loc["jfe:1", "barrier_free"] == True and s.loc["jfe:1", "cost"] == "free"  # noqa: E712
    assert (s.loc["jfe:1", "age_min"], s.loc["jfe:1", "age_max"], s.loc["jfe:1", "capacity"]) == (12, 27, 40)
    # empty cells change nothing; the local id "2" found "jfe:2"
    assert s.loc["jfe:2", "languages"] == "tr" and s.loc["jfe:2", "barrier_free"] == False  # noqa: E712
    assert pd.isna(s.loc["jfe:2", "opening_hours"]) and pd.isna(s.loc["jfe:2", "cost"])
    assert report.written == 2 and report.details["matched"] == 2 and report.details["changed"] == 9
    # the unknown column is reported, not kept
    note = only_problem([n for n in report.notices if n.code == "svcattr_unknown_columns"], "svcattr_unknown_columns")
    assert_rendered(note, "Bemerkung")
    assert bool(s.loc["jfe:1", "edited"])


def test_imported_attributes_survive_a_reimport_of_the_services(ws, tmp_path):
    _run(ws, _table(tmp_path, "service_id;languages\njfe:1;ar\n"))
    _import_services(ws, _services_file(tmp_path))          # the open data again, without languages
    assert _svc(ws).loc["jfe:1", "languages"] == "ar"
    # the same table again changes nothing
    assert _run(ws, _table(tmp_path, "service_id;languages\njfe:1;ar\n")).written == 0


def test_xlsx_by_name_and_address_leniently(ws, tmp_path):
    path = tmp_path / "merkmale.xlsx"
    pd.DataFrame({"Einrichtung": ["  JUGENDCLUB west ", "Jugendclub Ost", "Treffpunkt"],
                  "Adresse": ["Beusselstraße 12", "rostocker str. 3, Berlin", "Perleberger Straße 7"],
                  "Kosten": ["kostenlos", "ermäßigt", "0"]}).to_excel(path, index=False)
    report = _run(ws, path, key="name+address")
    s = _svc(ws)
    assert list(s.loc[["jfe:1", "jfe:2", "jfe:4"], "cost"]) == ["free", "reduced", "free"]
    assert pd.isna(s.loc["jfe:3", "cost"]) and report.written == 3


def test_normalise_address():
    assert normalise_address("Beusselstr. 12") == normalise_address("beusselstraße  12") == {"beusselstrasse", "12"}
    assert normalise_address("Kaiserin-Augusta-Allee 100") == {"kaiserin", "augusta", "allee", "100"}


# --------------------------------------------------------------------------- bad input

def test_unmatched_and_ambiguous_rows_reported_rest_written(ws, tmp_path):
    path = _table(tmp_path, "Name;Adresse;Sprachen\nJugendclub West;;ar\nJugendclub Ost;Rostocker Str. 3;tr\n"
                            "Treffpunkt;;de\nGibt es nicht;Irgendwo 1;de\n")
    report = _run(ws, path, key="name+address")
    unmatched = only_problem([n for n in report.notices if n.code == "svcattr_unmatched"], "svcattr_unmatched")
    assert unmatched.row == 5 and unmatched.params["rows"] == "5"           # row 5 of the file (header row 1)
    ambiguous = only_problem([n for n in report.notices if n.code == "svcattr_ambiguous"], "svcattr_ambiguous")
    assert ambiguous.row == 4 and ambiguous.params["ids"] == "jfe:3, jfe:4"
    assert_rendered(ambiguous, "jfe:3")
    s = _svc(ws)
    assert s.loc["jfe:1", "languages"] == "ar" and s.loc["jfe:2", "languages"] == "tr"
    assert s.loc[["jfe:3", "jfe:4"], "languages"].isna().all() and report.written == 2


def test_too_few_matches_refused_nothing_written(ws, tmp_path):
    path = _table(tmp_path, "Name;Sprachen\nJugendclub Nord;ar\nJugendklub West;ar\nJugendclub West;ar\n")
    err = expect_failure(ws, InputError, lambda: _run(ws, path, key="name+address"))
    codes = [p.code for p in err.problems]
    assert codes == ["svcattr_too_few", "svcattr_unmatched"]
    assert err.problems[0].params == {"matched": 1, "rows": 3, "share": 50}
    assert err.problems[1].params["rows"] == "2, 3"
    assert ws.service_edit_count("jfe") == 0


def test_bad_values_named_by_row_and_column_nothing_written(ws, tmp_path):
    path = _table(tmp_path, "ID;Sprachen;Öffnungszeiten;Barrierefrei;Kosten;Alter;Plätze\n"
                            "jfe:1;Klingonisch;Mo-Fr 25:00;vielleicht;teuer;27-12;3,5\n"
                            "jfe:2;de;Mo-Fr 10:00-12:00;ja;kostenlos;12-27;20\n")
    err = expect_failure(ws, InputError, lambda: _run(ws, path))
    found = {(p.code, p.row, p.column) for p in err.problems}
    assert found == {("svcattr_bad_languages", 2, "Sprachen"), ("svcattr_bad_opening_hours", 2, "Öffnungszeiten"),
                     ("svcattr_bad_barrier_free", 2, "Barrierefrei"), ("svcattr_bad_cost", 2, "Kosten"),
                     ("svcattr_bad_age", 2, "Alter"), ("svcattr_bad_number", 2, "Plätze")}
    lang = next(p for p in err.problems if p.code == "svcattr_bad_languages")
    assert_rendered(lang, "merkmale.csv", "Klingonisch")


def test_two_rows_for_one_service_and_missing_columns(ws, tmp_path):
    err = expect_failure(ws, InputError, lambda: _run(ws, _table(tmp_path, "ID;Sprachen\njfe:1;ar\n1;de\n")))
    dup = only_problem(err, "svcattr_duplicate")
    assert dup.params == {"service": "jfe:1", "rows": "2, 3"}
    err = expect_failure(ws, SchemaError, lambda: _run(ws, _table(tmp_path, "Name;Sprachen\nJugendclub West;ar\n")))
    assert_rendered(only_problem(err, "svcattr_key_column_missing"), "service_id")
    err = expect_failure(ws, SchemaError, lambda: _run(ws, _table(tmp_path, "ID;Farbe\njfe:1;rot\n")))
    assert_rendered(only_problem(err, "svcattr_no_value_columns"), "Farbe")


def test_cli_import_service_attributes(ws, tmp_path, capsys):
    db = ws.path
    ws.close()
    # named like the services' dataset: its source (and licence) stays
    good = _table(tmp_path, "Name;Adresse;Alter\nJugendclub West;Beusselstr. 12;ab 10\n", name="jfe.csv")
    assert main(["import", "service-attributes", str(good), "--key", "name+address", "--db", str(db)]) == 0
    assert "1 von 1 Zeilen zugeordnet" in capsys.readouterr().out
    with Workspace(db, read_only=True) as w:
        sources = w.sources().set_index("source_id")
        assert sources.loc["jfe", "licence"] == "CC0" and "attributes-jfe" in sources.index
        assert w.services().set_index("service_id").loc["jfe:1", "age_min"] == 10
        # the data package written from the workspace names the table, and does not rebuild it
        manifest = write_manifest(w, data_root=None)
        assert "# service-attributes from jfe.csv" in manifest and manifest.count("[[services]]") == 1
    bad = _table(tmp_path, "ID;Alter\njfe:9;12\n", name="falsch.csv")
    assert main(["import", "service-attributes", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "falsch.csv" in err and "Nur 0 von 1 Zeilen" in err and "Traceback" not in err
