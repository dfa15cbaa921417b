"""The exchange files of the project register through the services: export bytes read back, and
every wrong upload a typed error naming the file (never a bare exception text)."""
import json

import pytest

from jmdiq_geo.errors import InputError, JmdiqError, ParseError
from jmdiq_geo.i18n import format_problem
from jmdiq_geo.services.projects import export_files, import_file, records, save_project
from tests.fixtures.projects import add_partners, make_project


def test_export_bytes_import_back(tiny_ws):
    add_partners(tiny_ws)
    save_project(tiny_ws, make_project(), expected_version=None, user="anna")
    csv, geojson = export_files(tiny_ws, "project")
    assert csv.decode("utf-8").splitlines()[0].startswith("project_id,title")
    features = json.loads(geojson)["features"]
    assert len(features) == 1 and features[0]["geometry"]["type"] == "Point"
    lon, lat = features[0]["geometry"]["coordinates"]
    assert 0 < lon < 90 and 0 < lat < 90                      # shown in EPSG:4326
    for name, data in (("projects.csv", csv), ("projects.geojson", geojson)):
        assert import_file(tiny_ws, "project", name, data, user="ben") == 1
    assert records(tiny_ws, "project")["version"].tolist() == [3]


def test_a_wrong_number_names_row_and_column(tiny_ws):
    add_partners(tiny_ws)
    save_project(tiny_ws, make_project(), expected_version=None, user="anna")
    csv, _ = export_files(tiny_ws, "project")
    lines = csv.decode("utf-8").splitlines()
    header = lines[0].split(",")
    before = tiny_ws.snapshot()
    bad = lines[1].replace(",1500.0,", ",viel,")
    with pytest.raises(ParseError) as err:
        import_file(tiny_ws, "project", "p.csv", "\n".join([lines[0], bad]).encode("utf-8"), user="ben")
    problem = err.value.problems[0]
    assert problem.code == "exchange_bad_number" and problem.row == 1 and problem.column == "budget_planned"
    assert "budget_planned" in header
    assert "„viel“ ist keine Zahl" in format_problem(problem, "de")
    assert tiny_ws.snapshot() == before


@pytest.mark.parametrize("name, data", [("p.geojson", b"not json at all"),
                                        ("p.csv", b"project_id,title\np1,a,b\np2,a,b,c\n")])
def test_an_unreadable_file_is_a_typed_error(tiny_ws, name, data):
    before = tiny_ws.snapshot()
    with pytest.raises(InputError) as err:
        import_file(tiny_ws, "project", name, data, user="ben")
    assert isinstance(err.value, JmdiqError)
    problem = err.value.problems[0]
    assert problem.code == "exchange_bad_file" and problem.file == name
    assert "Exportformat" in format_problem(problem, "de")
    assert tiny_ws.snapshot() == before
