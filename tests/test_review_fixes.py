"""Regression tests for problems found in review: number formats per column, projected GeoJSON,
editions in any order, re-imports, concurrent sessions, rates without denominator."""
import threading
from datetime import date

import pandas as pd
import pytest

from jmdiq_geo.config import Settings
from jmdiq_geo.errors import CrsError, InputError
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.numbers import parse_numeric
from jmdiq_geo.io.readers import read_vector
from jmdiq_geo.services.layers import indicator_layer, time_series
from tests.conftest import MAX_BYTES, TINY_AREAS, count_table, feature, square, write_geojson

PERIOD = date(2024, 12, 31)


@pytest.mark.parametrize("values,hint,expected", [
    (["12.345", "7.5"], ",", [12.345, 7.5]),          # a ';' file written with decimal points
    (["1.234", "12,5"], ".", [1234.0, 12.5]),         # a German tab export
    (["1.234", "5.678"], ",", [1234.0, 5678.0]),      # only thousands: the file's hint decides
    (["1.234,5", "3,25"], ".", [1234.5, 3.25]),
    (["1,234.5", "7.25"], ",", [1234.5, 7.25]),
])
def test_decimal_separator_decided_per_column(values, hint, expected):
    out, problems = parse_numeric(pd.Series(values), column="x", file="f.csv", decimal=hint)
    assert out.tolist() == expected and not problems


def test_infinite_is_not_a_number():
    out, problems = parse_numeric(pd.Series(["inf", "1"]), column="x", file="f.csv")
    assert problems[0].code == "not_numeric" and out.tolist()[1] == 1.0


def test_geojson_with_metric_coordinates_but_no_crs(tmp_path):
    path = write_geojson(tmp_path / "a.geojson", [feature(square(390000, 5818000), ID="1")], crs=None)
    with pytest.raises(CrsError) as err:
        read_vector(path, max_bytes=MAX_BYTES)
    assert err.value.problems[0].code == "crs_not_lonlat" and "390000" in str(err.value)
    gdf = read_vector(path, max_bytes=MAX_BYTES, crs="EPSG:25833")
    assert gdf.crs == "EPSG:25833" and gdf.geometry.area.iloc[0] == pytest.approx(10000)


def test_older_edition_imported_after_newer(tiny_ws, tmp_path):
    old = write_geojson(tmp_path / "alt.geojson", [feature(square(390000, 5820000, 400), PLR_ID="99000001",
                                                           PLR_NAME="Alt", BZR="A")])
    im.import_boundaries(tiny_ws, old, im.BoundarySpec(level="plr", key="PLR_ID", name="PLR_NAME", parent="BZR",
                                                       valid_from="2006-01-01"), im.Source("t", "T"),
                         max_bytes=MAX_BYTES)
    assert tiny_ws.area_names("plr")["area_id"].tolist() == [a for a, _, _ in TINY_AREAS]
    assert tiny_ws.area_names("plr", at=date(2010, 1, 1))["area_id"].tolist() == ["99000001"]


def _table(tmp_path, rows):
    return count_table(tmp_path / "t.csv", rows)


SPEC = im.TableSpec(level="plr", period=PERIOD.isoformat(), columns={"Anzahl": "anzahl"}, key="PLR_ID",
                    indicators=[im.IndicatorDef("anzahl", "Anzahl", kind="extensive")])


def test_reimport_with_fewer_areas_leaves_no_stale_values(tiny_ws, tmp_path):
    ids = [a for a, _, _ in TINY_AREAS]
    im.import_indicator_table(tiny_ws, _table(tmp_path, [(a, 10) for a in ids]), SPEC, im.Source("t", "T"),
                              max_bytes=MAX_BYTES)
    im.import_indicator_table(tiny_ws, _table(tmp_path, [(ids[0], 99)]), SPEC, im.Source("t", "T"),
                              max_bytes=MAX_BYTES)
    assert tiny_ws.values("anzahl", period=PERIOD, level="plr").to_dict() == {ids[0]: 99.0}


def test_other_threads_see_only_committed_data_and_writers_wait(tiny_ws, tmp_path):
    ids = [a for a, _, _ in TINY_AREAS]
    inside, release, seen = threading.Event(), threading.Event(), {}

    def writer():
        with tiny_ws.transaction():
            tiny_ws.put_indicators([{"indicator_id": "x", "label_de": "X", "kind": "extensive"}])
            inside.set()
            release.wait(5)
            raise RuntimeError("rolled back")

    def reader():
        inside.wait(5)
        seen["ids"] = tiny_ws.indicator_ids()
        seen["in_tx"] = tiny_ws._in_transaction

    t1 = threading.Thread(target=lambda: pytest.raises(RuntimeError, writer))
    t2 = threading.Thread(target=reader)
    t1.start(), t2.start()
    t2.join(5)
    release.set()
    t1.join(5)
    assert "x" not in seen["ids"] and seen["in_tx"] is False
    assert "x" not in tiny_ws.indicator_ids()
    im.import_indicator_table(tiny_ws, _table(tmp_path, [(a, 1) for a in ids]), SPEC, im.Source("t", "T"),
                              max_bytes=MAX_BYTES)
    assert "anzahl" in tiny_ws.indicator_ids()


def test_rate_without_denominator(tiny_ws, tmp_path):
    spec = im.TableSpec(level="plr", period=PERIOD.isoformat(), columns={"Anzahl": "quote"}, key="PLR_ID",
                        indicators=[im.IndicatorDef("quote", "Quote", kind="intensive")])
    im.import_indicator_table(tiny_ws, _table(tmp_path, [(a, 5) for a, _, _ in TINY_AREAS]), spec,
                              im.Source("t", "T"), max_bytes=MAX_BYTES)
    settings = Settings.from_env().with_(min_residents=0)
    layer = indicator_layer(tiny_ws, indicator_id="quote", period=PERIOD, level="plr", settings=settings)
    assert layer.areas["value"].tolist() == [5.0] * 4 and pd.isna(layer.city_value)
    with pytest.raises(InputError) as err:
        indicator_layer(tiny_ws, indicator_id="quote", period=PERIOD, level="bzr", settings=settings)
    assert err.value.problems[0].code == "not_aggregatable"
    assert time_series(tiny_ws, indicator_id="nothing", area_id="x", level="plr", settings=settings).empty


@pytest.mark.realdata
def test_incomplete_aggregates_are_flagged(berlin_ws):
    from jmdiq_geo.analysis.classify import classify
    from jmdiq_geo.render.maps import choropleth

    layer = indicator_layer(berlin_ws, indicator_id="mss_ew", period=date(2020, 12, 31), level="bezirk",
                            settings=Settings.from_env())
    areas = layer.areas.set_index("area_id")
    assert areas.loc["03", "coverage"] < 1 and (areas.drop("03")["coverage"] == 1).all()   # Pankow lacks one PLR
    html = choropleth(layer.areas, classes=classify(layer.areas["value"]), palette="YlOrRd", title="EW",
                      unit=None, lang="de", attributions=[]).get_root().render()
    assert "unvollst" in html and "Werte f" in html     # (non-ASCII is escaped in the GeoJSON)
