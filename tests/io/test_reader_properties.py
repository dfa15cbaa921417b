"""Property-based tests of the readers (issue 16): whatever bytes a CSV file holds and whatever
JSON-ish document a GeoJSON file holds, reading it - and the steps an import takes next (geometry
checks, the CRS gate) - gives a result or a typed ``JmdiqError``, never another exception.

Examples are few and the same every run (``tests.fixtures.properties``); set
``JMDIQ_HYPOTHESIS_EXAMPLES=1000`` to search longer.
"""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jmdiq_geo.crs import to_work_crs
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.io.readers import read_table, read_vector
from jmdiq_geo.io.validate import check_geometries
from tests.fixtures.files import MAX_BYTES, WORK_CRS
from tests.fixtures.properties import property_settings

PROPERTY = property_settings(60)


def read_or_refuse(call):
    """``call()``'s result, or None when it refused with a typed error; anything else fails."""
    try:
        return call()
    except JmdiqError as exc:
        assert exc.problems and all(p.code for p in exc.problems)
        assert str(exc)                                  # renders (the catalogue has the text)
        return None


# --------------------------------------------------------------------------- CSV

CSV_ALPHABET = st.sampled_from(list(';,\t|"\n\r 0123456789.-eE+xyzÄöß€') + ["PLR_ID", "Anzahl", "NaN", "inf",
                                                                            "\x00", "\ufeff", "1)", "Quelle:"])


@PROPERTY
@given(data=st.one_of(st.binary(max_size=400), st.lists(CSV_ALPHABET, max_size=120).map(lambda p: "".join(p).encode())))
def test_any_bytes_as_csv_read_or_refused(tmp_path, data):
    path = tmp_path / "tabelle.csv"
    path.write_bytes(data)
    table = read_or_refuse(lambda: read_table(path, max_bytes=MAX_BYTES))
    if table is not None:
        assert len(table.frame) > 0 and len(set(table.frame.columns)) == len(table.frame.columns)


@PROPERTY
@given(rows=st.lists(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
                              min_size=1, max_size=5), min_size=1, max_size=8),
       delimiter=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_any_grid_of_cells_as_csv_read_or_refused(tmp_path, rows, delimiter, encoding):
    text = "\n".join(delimiter.join(r) for r in rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path = tmp_path / "tabelle.csv"
    path.write_bytes(data)
    read_or_refuse(lambda: read_table(path, max_bytes=MAX_BYTES))


# --------------------------------------------------------------------------- GeoJSON

NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                    st.floats(390000, 391000), st.floats(5820000, 5821000))
JSONISH = st.recursive(st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=6)),
                       lambda inner: st.one_of(st.lists(inner, max_size=5),
                                               st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                       max_leaves=25)
POSITION = st.lists(NUMBERS, min_size=0, max_size=4)
RING = st.lists(st.lists(st.floats(390000, 390400), min_size=2, max_size=2), min_size=0, max_size=6)
GEOMETRY = st.one_of(
    st.none(), JSONISH,
    st.fixed_dictionaries({"type": st.just("Point"), "coordinates": POSITION}),
    st.fixed_dictionaries({"type": st.sampled_from(["Polygon", "LineString", "MultiPolygon", "Triangle"]),
                           "coordinates": st.one_of(st.lists(RING, max_size=3), st.lists(st.lists(POSITION, max_size=5),
                                                                                        max_size=3))}))
FEATURE = st.fixed_dictionaries({"type": st.sampled_from(["Feature", "Feature", "feature"]),
                                 "properties": st.one_of(st.none(), st.dictionaries(
                                     st.sampled_from(["PLR_ID", "name", "", "a"]), JSONISH, max_size=3)),
                                 "geometry": GEOMETRY})
CRS_MEMBER = st.sampled_from([None, "urn:ogc:def:crs:EPSG::25833", "urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:99999", ""])


def _document(features, crs, kind):
    doc = {"type": kind, "features": features}
    if crs is not None:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return doc


@PROPERTY
@given(doc=st.one_of(JSONISH, st.builds(_document, st.lists(FEATURE, max_size=4), CRS_MEMBER,
                                        st.sampled_from(["FeatureCollection", "Feature", "GeometryCollection"]))))
def test_any_json_document_as_geojson_read_or_refused(tmp_path, doc):
    path = tmp_path / "grenzen.geojson"
    path.write_text(json.dumps(doc, allow_nan=True), encoding="utf-8")
    gdf = read_or_refuse(lambda: read_vector(path, max_bytes=MAX_BYTES))
    if gdf is None:
        return
    checked = read_or_refuse(lambda: check_geometries(gdf, expected="polygon", file=path.name))
    if checked is not None and not any(p.severity == "error" for p in checked[1]):
        moved = read_or_refuse(lambda: to_work_crs(checked[0], WORK_CRS, file=path.name))
        if moved is not None:                            # what is accepted has finite coordinates
            assert all(math.isfinite(v) for v in moved.total_bounds)


@pytest.mark.parametrize("text", ['{"type": "FeatureCollection", "features": [', "{" * 50_000, '"\\ud800"', "\ufeff{}"])
def test_broken_json_texts_are_refused(tmp_path, text):
    path = tmp_path / "kaputt.geojson"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(JmdiqError):
        read_vector(path, max_bytes=MAX_BYTES)
