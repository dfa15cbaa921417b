"""Indicator tables as statistics offices publish them (``io.tables``, ``io.readers.read_table``,
``io.imports.import_indicator_table``, the CLI's ``import indicators``): rows without an area
classified (totals stored on their level, merged areas, the rest named with row numbers), keys
matched as numbers, title rows / two-row headers / notes, long and wide tables, value columns
found without ``--column`` with guessed kinds, vector files as tables.

The workspace is ``tiny_ws``: level ``plr`` (``01000001`` … ``01000004``: Nord-Ost, Süd-Straße,
Mitte & Park, Weißensee) below level ``bzr`` (``A`` Bezirk A, ``B`` Bezirk B), city Teststadt.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from jmdiq_geo.cli import main as cli_main
from jmdiq_geo.errors import InputError, JoinError, SchemaError
from jmdiq_geo.i18n import format_problem
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.names import classify_unmatched, match_keys
from jmdiq_geo.io.readers import read_table
from jmdiq_geo.io.tables import period_hint, period_of, read_indicator_source, slug
from tests.fixtures.files import MAX_BYTES, TINY_AREAS, feature, square, write_geojson
from tests.fixtures.problems import assert_rendered, expect_failure, only_problem

SRC = im.Source("tabellen", "Testtabelle", licence="CC0")
AREA_IDS = [aid for aid, _, _ in TINY_AREAS]
NAMES = [name for _, name, _ in TINY_AREAS]
PERIOD = "2022-12-31"


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding)
    return path


def spec(**kw) -> im.TableSpec:
    return im.TableSpec(**{"level": "plr", "period": PERIOD, "columns": {}, "key": "PLR_ID", **kw})


def run(ws, path, **kw) -> im.ImportReport:
    return im.import_indicator_table(ws, path, spec(**kw), SRC, max_bytes=MAX_BYTES)


def values(ws, indicator_id, *, level="plr", period=PERIOD) -> dict[str, float]:
    return ws.values(indicator_id, period=date.fromisoformat(period), level=level).to_dict()


def notice(report, code):
    found = [n for n in report.notices if n.code == code]
    assert len(found) == 1, [n.code for n in report.notices]
    return found[0]


def cli(ws, *args, lang="en") -> list[str]:
    return ["--lang", lang, "import", "indicators", *map(str, args), "--db", str(ws.path), "--level", "plr",
            "--key", "PLR_ID"]


# --------------------------------------------------------------------------- 1. rows without an area

def test_totals_merged_and_unknown_rows_are_reported_and_totals_stored_on_their_level(tiny_ws, inbox):
    path = write(inbox / "werte.csv", [
        "PLR_ID;Name;Anzahl",
        *(f"{a};{n};{i + 1}" for i, (a, n) in enumerate(zip(AREA_IDS, NAMES))),
        "A;Bezirk A;3",                                     # row 5: an area of level bzr
        ";Teststadt insgesamt;10",                          # row 6: the city total, no key
        f"{AREA_IDS[2]}/{AREA_IDS[3]};Mitte & Park und Weißensee;7",   # row 7: two areas together
        "01009999;Unbekannt;1",                             # row 8: no area at all
    ])
    report = run(tiny_ws, path)
    assert values(tiny_ws, "anzahl") == {a: float(i + 1) for i, a in enumerate(AREA_IDS)}
    assert values(tiny_ws, "anzahl", level="bzr") == {"A": 3.0}
    assert report.written == 5 and report.details["stored_above"] == {"bzr": 1}
    assert report.join.matched == 4
    stored = notice(report, "rows_total_stored")
    assert stored.row == 5 and stored.params["count"] == 1
    assert_rendered(stored, "'A' (5)", "bzr 'A'")
    total = notice(report, "rows_total")
    assert total.row == 6 and total.params["rows"] == "6"
    assert_rendered(total, "(6)")
    merged = notice(report, "rows_merged")
    assert merged.row == 7
    assert_rendered(merged, f"'{AREA_IDS[2]}/{AREA_IDS[3]}' (7)", f"{AREA_IDS[2]} + {AREA_IDS[3]}")
    other = notice(report, "rows_unmatched")
    assert other.row == 8 and other.params["count"] == 1
    assert_rendered(other, "'01009999' (8)", "plr")
    # nothing was dropped without a line: 4 areas + 4 rows named
    assert {n.code for n in report.notices} == {"rows_total_stored", "rows_total", "rows_merged", "rows_unmatched",
                                                "columns_not_imported"}


def test_totals_by_name_and_merged_names(tiny_ws, inbox):
    path = write(inbox / "namen.csv", [
        "Gebiet;Anteil Arbeitslose",
        *(f"{n};{i + 1},5" for i, n in enumerate(NAMES)),
        "Bezirk B insgesamt;4,5",               # the total of an area of level bzr, by name
        "Summe;3,0",
        "Nord-Ost und Süd-Straße;2,0",
        "Mitte & Park, Weißensee;2,5",
    ])
    report = run(tiny_ws, path, key=None, name_column="Gebiet")
    assert values(tiny_ws, "anteil_arbeitslose") == {a: i + 1.5 for i, a in enumerate(AREA_IDS)}
    assert values(tiny_ws, "anteil_arbeitslose", level="bzr") == {"B": 4.5}
    assert notice(report, "rows_total").params["rows"] == "6"
    merged = notice(report, "rows_merged")
    assert merged.params["count"] == 2 and merged.params["rows"] == "7, 8"
    assert tiny_ws.indicator_kinds()["anteil_arbeitslose"] == "intensive"


def test_a_row_without_key_that_is_no_total_is_named(tiny_ws, inbox):
    path = write(inbox / "luecke.csv", ["PLR_ID;Name;Anzahl", *(f"{a};x;{i}" for i, a in enumerate(AREA_IDS)),
                                        ";;5"])
    report = run(tiny_ws, path)
    empty = notice(report, "rows_key_empty")
    assert empty.row == 5 and empty.params["rows"] == "5"
    assert_rendered(empty, "5")


def test_less_than_half_matching_is_refused_and_nothing_written(tiny_ws, inbox):
    path = write(inbox / "fremd.csv", ["PLR_ID;Anzahl", f"{AREA_IDS[0]};1", "99;2", "98;3", "Gesamt;6"])
    err = expect_failure(tiny_ws, JoinError, lambda: run(tiny_ws, path))
    problem = only_problem(err, "join_too_few")
    assert problem.params["matched"] == 1 and problem.params["rows"] == 4
    assert_rendered(problem, "'99' (2)", "'98' (3)", "plr")


def test_exactly_half_is_enough(tiny_ws, inbox):
    path = write(inbox / "halb.csv", ["PLR_ID;Anzahl", f"{AREA_IDS[0]};1", f"{AREA_IDS[1]};2", "97;3", "98;4"])
    report = run(tiny_ws, path)
    assert report.join.matched == 2 and notice(report, "rows_unmatched").params["count"] == 2


def test_duplicate_keys_stay_an_error(tiny_ws, inbox):
    path = write(inbox / "doppelt.csv", ["PLR_ID;Anzahl", f"{AREA_IDS[0]};1", f"{AREA_IDS[1]};2", f"{AREA_IDS[0]};3",
                                         "Summe;6", "Summe;6"])
    err = expect_failure(tiny_ws, InputError, lambda: run(tiny_ws, path))
    problem = only_problem(err, "key_duplicate")          # two totals are no conflict, two values for an area are
    assert_rendered(problem, f"'{AREA_IDS[0]}' (1, 3)")


def test_classify_unmatched_is_pure():
    out = classify_unmatched([("7", []), ("", ["Musterstadt gesamt"]), ("1+2", []), ("9", ["irgendwas"])],
                             by="key", level_areas={"01": "Eins", "02": "Zwei"},
                             upper_levels=[("bez", {"7": "Sieben"})], city="Musterstadt")
    assert out.upper == {0: ("bez", "7")} and out.totals == [1] and out.merged == {2: ["01", "02"]}
    assert out.other == [3]


# --------------------------------------------------------------------------- 2. keys as numbers

def test_integer_and_float_keys_match_zero_padded_keys(tiny_ws, inbox):
    keys = [AREA_IDS[0].lstrip("0"), AREA_IDS[1], AREA_IDS[2].lstrip("0") + ".0", AREA_IDS[3]]
    path = write(inbox / "ohne_null.csv", ["PLR_ID;Anteil"] + [f"{k};{i},5" for i, k in enumerate(keys)])
    report = run(tiny_ws, path)
    assert values(tiny_ws, "anteil") == {a: i + 0.5 for i, a in enumerate(AREA_IDS)}
    padded = notice(report, "keys_as_numbers")
    assert padded.params["count"] == 2 and padded.column == "PLR_ID"
    assert_rendered(padded, f"'{keys[0]}' → '{AREA_IDS[0]}'", f"'{keys[2]}' → '{AREA_IDS[2]}'")


def test_numeric_match_refuses_two_candidates():
    join = match_keys(["11", "12"], ["011", "0011", "012"], numeric=True)
    assert join.mapping == {"12": "012"} and join.ambiguous == ["11"] and join.as_numbers == [("12", "012")]
    assert match_keys(["11"], ["011"]).table_unmatched == ["11"]          # only when asked


def test_xlsx_with_integer_keys(tiny_ws, inbox):
    path = inbox / "zahlen.xlsx"
    pd.DataFrame({"PLR_ID": [int(a) for a in AREA_IDS], "Einwohner": [100, 200, 300, 400]}).to_excel(path, index=False)
    report = run(tiny_ws, path)
    assert values(tiny_ws, "einwohner") == {a: 100.0 * (i + 1) for i, a in enumerate(AREA_IDS)}
    assert notice(report, "keys_as_numbers").params["count"] == 4
    assert tiny_ws.indicator_kinds()["einwohner"] == "extensive"


# --------------------------------------------------------------------------- 3. vector files

def test_geojson_attributes_are_a_table(tiny_ws, inbox):
    path = write_geojson(inbox / "werte.geojson", [
        feature(square(0, 0), Nummer=int(a), Name=n, unemployed_pct=2.5 * (i + 1), residents=100 * (i + 1),
                rowid=str(9000 + i))
        for i, (a, n) in enumerate(zip(AREA_IDS, NAMES))], crs=None)
    report = run(tiny_ws, path, key="Nummer")
    assert report.join.matched == 4 and report.details["indicators"] == ["residents", "unemployed_pct"]
    assert values(tiny_ws, "unemployed_pct") == {a: 2.5 * (i + 1) for i, a in enumerate(AREA_IDS)}
    kinds = tiny_ws.indicator_kinds()
    assert kinds["unemployed_pct"] == "intensive" and kinds["residents"] == "extensive"
    skipped = notice(report, "columns_not_imported")           # text columns (the rowid as text) are no values
    assert_rendered(skipped, "'Name'", "'rowid'")


# --------------------------------------------------------------------------- 4. without --column

def test_every_numeric_column_becomes_an_indicator_with_a_guessed_kind(tiny_ws, inbox):
    path = write(inbox / "auto.csv", ["PLR_ID;Gebiet;Anzahl Beratungen;Anteil Neuzugewanderte (%);Bemerkung;Nr",
                                      *(f"{a};{n};{i * 3};{i},5;ok;{i}" for i, (a, n) in enumerate(zip(AREA_IDS, NAMES)))])
    planned = im.plan_indicator_table(tiny_ws, path, spec(), max_bytes=MAX_BYTES)
    assert planned.columns == {"Anzahl Beratungen": "anzahl_beratungen",
                               "Anteil Neuzugewanderte (%)": "anteil_neuzugewanderte"}
    assert {d.indicator_id: d.kind for d in planned.indicators} == {"anzahl_beratungen": "extensive",
                                                                    "anteil_neuzugewanderte": "intensive"}
    assert tiny_ws.indicator_ids() == set()                  # planning writes nothing
    report = run(tiny_ws, path)
    assert report.details["new_indicators"] == [
        {"column": "Anzahl Beratungen", "indicator": "anzahl_beratungen", "kind": "extensive", "guessed": True},
        {"column": "Anteil Neuzugewanderte (%)", "indicator": "anteil_neuzugewanderte", "kind": "intensive",
         "guessed": True}]
    assert values(tiny_ws, "anteil_neuzugewanderte")[AREA_IDS[3]] == 3.5
    assert_rendered(notice(report, "columns_not_imported"), "'Gebiet'", "'Bemerkung'", "'Nr'")


def test_no_numeric_column_is_a_clear_error(tiny_ws, inbox):
    path = write(inbox / "text.csv", ["PLR_ID;Name", *(f"{a};{n}" for a, n in zip(AREA_IDS, NAMES))])
    err = expect_failure(tiny_ws, SchemaError, lambda: run(tiny_ws, path))
    assert_rendered(only_problem(err, "table_no_value_columns"), "'Name'")


def test_slugs():
    assert slug("Arbeitslose insgesamt") == "arbeitslose_insgesamt"
    assert slug("Anteil Ältere (%)") == "anteil_aeltere"
    assert slug("children_under_15_SGB_II_pct") == "children_under_15_sgb_ii_pct"


# --------------------------------------------------------------------------- 5. header, title rows, notes

TITLED = ["Statistikatlas Teststadt 2024", "", "PLR_ID;Name;Arbeitslose;;Einwohner", ";;insgesamt;unter 25;",
          *(f"{a};{n};{10 * (i + 1)};{i + 1};{1000 * (i + 1)}" for i, (a, n) in enumerate(zip(AREA_IDS, NAMES))),
          "", "Quelle: Stadt Teststadt, Statistikstelle", "1) ohne Personen in Einrichtungen"]


def test_title_rows_two_row_header_and_notes(tiny_ws, inbox):
    path = write(inbox / "atlas.csv", TITLED)
    table = read_table(path, max_bytes=MAX_BYTES)
    assert list(table.frame.columns) == ["PLR_ID", "Name", "Arbeitslose insgesamt", "Arbeitslose unter 25",
                                         "Einwohner"]
    assert len(table.frame) == 4 and table.header_row == 3 and table.header_rows == 2
    assert table.delimiter == ";"
    report = run(tiny_ws, path)
    assert values(tiny_ws, "arbeitslose_insgesamt") == {a: 10.0 * (i + 1) for i, a in enumerate(AREA_IDS)}
    assert values(tiny_ws, "einwohner")[AREA_IDS[3]] == 4000.0
    assert report.details["header_row"] == 3 and report.rows == 4
    assert_rendered(notice(report, "table_header_row"), "3", "'Statistikatlas Teststadt 2024'")
    assert_rendered(notice(report, "table_header_two_rows"), "3, 4", "Arbeitslose insgesamt")
    notes = notice(report, "table_notes_below")
    assert notes.params["count"] == 2 and notes.params["rows"] == "10, 11"
    assert_rendered(notes, "'Quelle: Stadt Teststadt, Statistikstelle'")


def test_group_row_above_the_header(tiny_ws, inbox):
    path = write(inbox / "gruppe.csv", [";;Arbeitslose;;", "PLR_ID;Name;insgesamt;unter 25;Einwohner",
                                        *(f"{a};{n};{i};{i};{i}" for i, (a, n) in enumerate(zip(AREA_IDS, NAMES)))])
    table = read_table(path, max_bytes=MAX_BYTES)
    assert list(table.frame.columns) == ["PLR_ID", "Name", "Arbeitslose insgesamt", "Arbeitslose unter 25",
                                         "Einwohner"]
    assert table.header_row == 1 and table.header_rows == 2


def test_xlsx_with_title_rows(tiny_ws, inbox):
    path = inbox / "atlas.xlsx"
    rows = [["Statistikatlas Teststadt 2024", None], [None, None], ["PLR_ID", "Anzahl"],
            *([a, i] for i, a in enumerate(AREA_IDS)), [None, None], ["Quelle: Teststadt", None]]
    pd.DataFrame(rows).to_excel(path, index=False, header=False)
    report = run(tiny_ws, path)
    assert report.details["header_row"] == 3 and report.rows == 4
    assert values(tiny_ws, "anzahl") == {a: float(i) for i, a in enumerate(AREA_IDS)}


def test_header_row_given(tiny_ws, inbox):
    # a header the search would not take (one name per column is missing) - the user says where it is
    lines = ["Tabelle 7", "PLR_ID;Anzahl", *(f"{a};{i}" for i, a in enumerate(AREA_IDS))]
    path = write(inbox / "kopf.csv", lines)
    report = run(tiny_ws, path, header_row=2)
    assert report.details["header_row"] == 2 and values(tiny_ws, "anzahl")[AREA_IDS[1]] == 1.0
    err = expect_failure(tiny_ws, InputError, lambda: run(tiny_ws, path, header_row=40))
    assert_rendered(only_problem(err, "header_row_invalid"), "40")


def test_plain_tables_are_read_as_before(tmp_path):
    path = write(tmp_path / "plain.csv", ["ID;Wert", "0101;1.234,5", "0102;7,25"])
    table = read_table(path, max_bytes=MAX_BYTES)
    assert table.notices == [] and table.header_row == 1 and table.frame["ID"].tolist() == ["0101", "0102"]


# --------------------------------------------------------------------------- 6. long and wide tables

def test_long_table_becomes_one_import_per_period(tiny_ws, inbox):
    lines = ["Schlüssel;Merkmal;Jahr;Wert"]
    for year in (2022, 2024):
        for i, a in enumerate(AREA_IDS):
            lines += [f"{a};Arbeitslose;{year};{i + year - 2004}", f"{a};Anteil Ältere;{year};{i},5"]
    lines += [f";Arbeitslose;{year};99" for year in (2022, 2024)]        # a total without key: reported
    path = write(inbox / "lang.csv", lines)
    imports_before = len(tiny_ws.imports())
    report = run(tiny_ws, path, key="Schlüssel", period=None)
    assert report.details["periods"] == ["2022-12-31", "2024-12-31"] and report.details["shape"] == "long"
    assert values(tiny_ws, "arbeitslose", period="2022-12-31") == {a: float(i + 18) for i, a in enumerate(AREA_IDS)}
    assert values(tiny_ws, "arbeitslose", period="2024-12-31")[AREA_IDS[3]] == 23.0
    assert values(tiny_ws, "anteil_aeltere", period="2024-12-31")[AREA_IDS[2]] == 2.5
    assert tiny_ws.indicator_kinds() == {"arbeitslose": "extensive", "anteil_aeltere": "intensive"}
    assert len(tiny_ws.imports()) == imports_before + 2                 # one import per period
    assert_rendered(notice(report, "table_long"), "Merkmal", "Jahr", "Wert", "2022-12-31, 2024-12-31")
    assert notice(report, "rows_key_empty").params["rows"] == "17, 18"


def test_long_table_with_a_duplicate_is_refused(tiny_ws, inbox):
    path = write(inbox / "lang.csv", ["PLR_ID;Merkmal;Jahr;Wert", f"{AREA_IDS[0]};EW;2020;1", f"{AREA_IDS[0]};EW;2020;2"])
    err = expect_failure(tiny_ws, InputError, lambda: run(tiny_ws, path))
    assert_rendered(only_problem(err, "long_duplicate"), "'EW'", "(1, 2)")


def test_wide_table_with_years_in_column_names(tiny_ws, inbox):
    path = write(inbox / "breit.csv", ["PLR_ID;Arbeitslose_2022;Arbeitslose 2024;Einwohner-2022;Einwohner 2024;Fläche",
                                       *(f"{a};{i};{i + 10};{100 * i};{100 * i + 1};{i}" for i, a in enumerate(AREA_IDS))])
    report = run(tiny_ws, path, period=None)
    assert report.details["periods"] == ["2022-12-31", "2024-12-31"] and report.details["shape"] == "wide"
    assert sorted(report.details["indicators"]) == ["arbeitslose", "einwohner"]
    assert values(tiny_ws, "arbeitslose", period="2024-12-31")[AREA_IDS[2]] == 12.0
    assert values(tiny_ws, "einwohner", period="2022-12-31")[AREA_IDS[1]] == 100.0
    assert_rendered(notice(report, "table_wide_years"), "'Arbeitslose_2022'", "2022-12-31, 2024-12-31")
    assert_rendered(notice(report, "table_columns_without_year"), "'Fläche'")
    # with a period, the columns without a year are imported at it
    report = run(tiny_ws, path, period="2023-06-30")
    assert values(tiny_ws, "flaeche", period="2023-06-30")[AREA_IDS[3]] == 3.0
    assert report.details["periods"] == ["2022-12-31", "2023-06-30", "2024-12-31"]


def test_a_table_without_any_period_needs_one(tiny_ws, inbox):
    path = write(inbox / "ohne.csv", ["PLR_ID;Anzahl", *(f"{a};1" for a in AREA_IDS)])
    err = expect_failure(tiny_ws, SchemaError, lambda: run(tiny_ws, path, period=None))
    assert_rendered(only_problem(err, "period_needed"))
    # the date the title row or the file name suggests is named, with the option that takes it
    titled = write(inbox / "titel.csv", ["Anzahl nach Planungsräumen, Stand 30.06.2023", "",
                                         "PLR_ID;Anzahl", *(f"{a};1" for a in AREA_IDS)])
    err = expect_failure(tiny_ws, SchemaError, lambda: run(tiny_ws, titled, period=None))
    assert_rendered(only_problem(err, "period_needed_title"), "--period 2023-06-30")
    named = write(inbox / "anzahl_2019.csv", ["PLR_ID;Anzahl", *(f"{a};1" for a in AREA_IDS)])
    err = expect_failure(tiny_ws, SchemaError, lambda: run(tiny_ws, named, period=None))
    assert_rendered(only_problem(err, "period_needed_file"), "--period 2019-12-31")


@pytest.mark.parametrize("text, expected", [("2018", date(2018, 12, 31)), ("202012", date(2020, 12, 31)),
                                            ("2024-06-30", date(2024, 6, 30)), ("31.12.2019", date(2019, 12, 31)),
                                            ("2018.0", date(2018, 12, 31)), ("Herbst", None)])
def test_periods(text, expected):
    assert period_of(text) == expected


# --------------------------------------------------------------------------- 7. the CLI

def test_cli_prints_guessed_kinds_and_takes_overrides(tiny_ws, inbox, capsys):
    path = write(inbox / "auto.csv", ["PLR_ID;Beratungen;Anteil Neuzugewanderte",
                                      *(f"{a};{i};{i},5" for i, a in enumerate(AREA_IDS))])
    tiny_ws.close()
    assert cli_main(cli(tiny_ws, path, "--period", PERIOD, "--kind", "Beratungen=rate")) == 0
    out = capsys.readouterr().out
    assert "'beratungen' from column 'Beratungen': Rate/share (recomputed)" in out
    assert "'anteil_neuzugewanderte' from column 'Anteil Neuzugewanderte': Rate/share (recomputed) (guessed" in out
    assert "Beratungen': Rate/share (recomputed) (guessed" not in out
    from jmdiq_geo.store.workspace import Workspace
    with Workspace(tiny_ws.path, read_only=True) as ws:
        assert ws.indicator_kinds() == {"beratungen": "intensive", "anteil_neuzugewanderte": "intensive"}


def test_cli_indicator_kind_is_the_default_for_all(tiny_ws, inbox, capsys):
    path = write(inbox / "klassen.csv", ["PLR_ID;Status;Typ", *(f"{a};{i};{i}" for i, a in enumerate(AREA_IDS))])
    tiny_ws.close()
    assert cli_main(cli(tiny_ws, path, "--period", PERIOD, "--indicator-kind", "class", "--kind", "Typ=count")) == 0
    from jmdiq_geo.store.workspace import Workspace
    with Workspace(tiny_ws.path, read_only=True) as ws:
        assert ws.indicator_kinds() == {"status": "class", "typ": "extensive"}


def test_cli_header_row(tiny_ws, inbox, capsys):
    path = write(inbox / "kopf.csv", ["Tabelle 7", "PLR_ID;Anzahl", *(f"{a};{i}" for i, a in enumerate(AREA_IDS))])
    tiny_ws.close()
    assert cli_main(cli(tiny_ws, path, "--period", PERIOD, "--header-row", "2", "--column", "Anzahl=anzahl")) == 0
    assert "row 2 of the file was taken as the header" in capsys.readouterr().err.lower()


@pytest.mark.parametrize("extra, needle", [
    (["--period", PERIOD, "--kind", "Anzahl=viele"], "'viele'"),
    (["--period", PERIOD, "--kind", "Anzahl"], "--kind Anzahl"),
    (["--period", PERIOD, "--kind", "Gibtsnicht=count"], "'Gibtsnicht'"),
    (["--period", PERIOD, "--header-row", "99"], "99"),
    ([], "--period"),
    (["--period", PERIOD, "--column", "Name"], "Name"),
])
def test_cli_bad_input_is_exit_2_with_a_message(tiny_ws, inbox, capsys, extra, needle):
    path = write(inbox / "werte.csv", ["PLR_ID;Name;Anzahl", *(f"{a};{n};{i}" for i, (a, n) in
                                                              enumerate(zip(AREA_IDS, NAMES)))])
    before = tiny_ws.snapshot()
    tiny_ws.close()
    code = cli_main(cli(tiny_ws, path, *extra))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and needle in err, err
    from jmdiq_geo.store.workspace import Workspace
    with Workspace(tiny_ws.path, read_only=True) as ws:
        assert ws.snapshot() == before


def test_cli_table_without_numbers(tiny_ws, inbox, capsys):
    path = write(inbox / "text.csv", ["PLR_ID;Name", *(f"{a};{n}" for a, n in zip(AREA_IDS, NAMES))])
    tiny_ws.close()
    code = cli_main(cli(tiny_ws, path, "--period", PERIOD, lang="de"))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "keine Spalte mit Zahlen" in err


def test_every_new_message_reads_in_both_languages(tiny_ws, inbox):
    """The notices of one busy import, rendered in German and English."""
    path = write(inbox / "atlas.csv", TITLED[:-4] + [";Teststadt insgesamt;1;1;1", "", "Quelle: Teststadt"])
    report = run(tiny_ws, path)
    for n in report.notices:
        assert format_problem(n, "de") != format_problem(n, "en")


def test_a_column_named_like_a_period_without_periods_is_a_value(tiny_ws, inbox):
    path = write(inbox / "zeit.csv", ["PLR_ID;Zeit", *(f"{a};{10 + i}" for i, a in enumerate(AREA_IDS))])
    report = run(tiny_ws, path)
    assert report.details["shape"] == "plain" and values(tiny_ws, "zeit")[AREA_IDS[1]] == 11.0


def test_a_period_column_with_a_bad_cell_is_named(tiny_ws, inbox):
    path = write(inbox / "jahr.csv", ["PLR_ID;Jahr;Anzahl", f"{AREA_IDS[0]};2022;1", f"{AREA_IDS[1]};2022;2",
                                      f"{AREA_IDS[2]};letztes Jahr;3"])
    err = expect_failure(tiny_ws, InputError, lambda: run(tiny_ws, path))
    problem = only_problem(err, "period_unreadable")
    assert problem.row == 3 and problem.column == "Jahr"
    assert_rendered(problem, "'letztes Jahr'")


# --------------------------------------------------------------------------- 8. denominators

def test_cli_rate_with_its_denominator_column_weights_the_level_above(tiny_ws, inbox, capsys):
    rows = [(AREA_IDS[0], 10.0, 100), (AREA_IDS[1], 30.0, 300), (AREA_IDS[2], 20.0, 1000), (AREA_IDS[3], 50.0, 1000)]
    path = write(inbox / "quote.csv", ["PLR_ID;Quote;Einwohner",
                                       *(f"{a};{q:.1f};{e}".replace(".", ",") for a, q, e in rows)])
    tiny_ws.close()
    assert cli_main(cli(tiny_ws, path, "--period", PERIOD, "--denominator", "Quote=Einwohner")) == 0
    assert "denominator: einwohner" in capsys.readouterr().out
    from jmdiq_geo.config import Settings
    from jmdiq_geo.services.layers import indicator_layer
    from jmdiq_geo.store.workspace import Workspace
    with Workspace(tiny_ws.path, read_only=True) as ws:
        defs = ws.indicators().set_index("indicator_id")
        assert defs.at["quote", "denominator"] == "einwohner"
        layer = indicator_layer(ws, indicator_id="quote", period=date.fromisoformat(PERIOD), level="bzr",
                                settings=Settings.from_env().with_(min_residents=0))
    by_parent = {}
    for aid, q, e in rows:
        parent = dict((a, p) for a, _, p in TINY_AREAS)[aid]
        num, den = by_parent.get(parent, (0.0, 0.0))
        by_parent[parent] = (num + q * e, den + e)
    got = dict(zip(layer.areas["area_id"], layer.areas["raw"]))
    for parent, (num, den) in by_parent.items():
        assert got[parent] == pytest.approx(num / den)
    total_num, total_den = map(sum, zip(*by_parent.values()))
    assert layer.city_value == pytest.approx(total_num / total_den)


def test_denominator_for_a_rate_the_workspace_knows_and_for_an_indicator(tiny_ws, inbox):
    path = write(inbox / "e.csv", ["PLR_ID;Einwohner", *(f"{a};{100 * (i + 1)}" for i, a in enumerate(AREA_IDS))])
    run(tiny_ws, path, columns={}, define=True, kinds={"Einwohner": "count"})
    path = write(inbox / "q.csv", ["PLR_ID;Quote", *(f"{a};{i + 1},5" for i, a in enumerate(AREA_IDS))])
    run(tiny_ws, path, columns={}, define=True)
    assert tiny_ws.indicators().set_index("indicator_id").at["quote", "denominator"] is None
    # a second year of the same rate names its denominator, an indicator of the workspace
    run(tiny_ws, path, columns={}, define=True, period="2023-12-31", denominators={"quote": "einwohner"})
    assert tiny_ws.indicators().set_index("indicator_id").at["quote", "denominator"] == "einwohner"


@pytest.mark.parametrize("denominators, code", [
    ({"Gibtsnicht": "Einwohner"}, "denominator_rate_unknown"),
    ({"Quote": "Gibtsnicht"}, "denominator_unknown"),
    ({"Quote": "Quote2"}, "denominator_not_count"),
    ({"Einwohner": "Einwohner"}, "denominator_not_rate"),
])
def test_bad_denominators_are_refused_with_nothing_written(tiny_ws, inbox, denominators, code):
    path = write(inbox / "q.csv", ["PLR_ID;Quote;Quote2;Einwohner",
                                   *(f"{a};{i},5;{i},1;{100 + i}" for i, a in enumerate(AREA_IDS))])
    err = expect_failure(tiny_ws, SchemaError, lambda: run(tiny_ws, path, columns={}, define=True,
                                                           denominators=denominators))
    assert_rendered(only_problem(err, code))


@pytest.mark.parametrize("titles, name, expected", [
    (["Junge Menschen nach Unterbezirken, Stand 31.12.2024"], "t.csv", (date(2024, 12, 31), "title")),
    (["Bevölkerung am 2023-06-30 (Melderegister)"], "t.csv", (date(2023, 6, 30), "title")),
    (["Arbeitslose, Stand: Juni 2024"], "t.csv", (date(2024, 6, 30), "title")),
    (["Arbeitslose im Jahr 2022", "Tabelle 4"], "daten_2018.csv", (date(2022, 12, 31), "title")),
    ([], "do_data2018.geojson", (date(2018, 12, 31), "file")),
    (["Sozialbericht"], "sozialbericht_2021.xlsx", (date(2021, 12, 31), "file")),
    # two dates or years where the first clue lies: nothing is offered (the user says which)
    (["Stand 31.12.2024, Vorjahr 31.12.2023"], "t2024.csv", None),
    (["Vergleich 2018 und 2024"], "t.csv", None),
    ([], "werte_2018_2024.csv", None),
    ([], "werte.csv", None),
    (["Tabelle 3.2020", "Stand 31.02.2024"], "t.csv", None),      # a section number; no such day
])
def test_the_period_a_plain_table_names(titles, name, expected):
    assert period_hint(titles, name) == expected


def test_the_reader_keeps_the_title_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Junge Menschen, Stand 31.12.2024\n\nNr;Junge\n01;3\n02;4\n", encoding="utf-8")
    table = read_indicator_source(path, max_bytes=10_000)
    assert table.titles == ["Junge Menschen, Stand 31.12.2024"]
    assert period_hint(table.titles, table.file) == (date(2024, 12, 31), "title")
