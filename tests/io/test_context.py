"""Context layers of the maps (streets, water, rail, parks): imported from tiny files built
here, from the data package's files, and what ``services.context.context_layers`` returns."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from jmdiq_geo.errors import InputError
from jmdiq_geo.i18n import t
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.catalogues import osm_context
from jmdiq_geo.io.context import CLIP_MARGIN_M, ContextSpec, context_features
from jmdiq_geo.services.context import context_layers, context_sources
from tests.fixtures.files import MAX_BYTES, WORK_CRS, feature, write_geojson

X0, Y0 = 390000, 5820000
SRC = im.Source("osm_test", "OSM-Test", licence="ODbL 1.0", attribution="© OpenStreetMap contributors")


def line(dx=0.0, dy=0.0, length=300.0):
    return shapely.LineString([(X0 + dx, Y0 + dy), (X0 + dx + length, Y0 + dy + 20)])


def osm_file(tmp_path):
    """OSM-tagged features: what each should become is in ``expect`` (None: left out)."""
    rows = [(line(), dict(highway="primary", name="Hauptstraße"), ("streets", "primary")),
            (line(dy=30), dict(highway="residential"), None),                     # not a main street
            (line(dy=60), dict(railway="rail", tunnel="yes"), None),               # in a tunnel
            (line(dy=90), dict(railway="rail", name="Ringbahn"), ("rail", "rail")),
            (line(dy=120), dict(railway="subway"), None),
            (line(dy=150), dict(waterway="river", name="Spree"), ("water", "river")),
            (shapely.box(X0, Y0 - 300, X0 + 200, Y0 - 100), dict(leisure="park", name="<b>Park</b>"), ("parks", "park")),
            (shapely.box(X0 + 300, Y0 - 300, X0 + 400, Y0 - 200), dict(natural="water"), ("water", "water")),
            (shapely.Point(X0, Y0), dict(leisure="park"), "point")]
    path = write_geojson(tmp_path / "context.geojson", [feature(g, **p) for g, p, _ in rows])
    return path, [e for _, _, e in rows]


def counts(ws) -> dict[str, int]:
    return ws.context_layer_counts()


def test_osm_tagged_file_goes_into_its_layers(tiny_ws, tmp_path):
    path, expect = osm_file(tmp_path)
    report = im.run_import(tiny_ws, "context", path, ContextSpec(), SRC, max_bytes=MAX_BYTES)
    wanted = [e for e in expect if isinstance(e, tuple)]
    assert report.rows == len(expect) and report.written == len(wanted)
    assert report.details["by_layer"] == dict(sorted(pd.Series([e[0] for e in wanted]).value_counts().items()))
    assert any(p.code == "context_skipped" for p in report.notices)        # the park drawn as a point
    stored = tiny_ws.context_features()
    assert sorted(zip(stored["layer"], stored["class"])) == sorted(wanted)
    assert stored.crs == WORK_CRS and set(stored["source_id"]) == {"osm_test"}
    assert "<b>Park</b>" in set(stored["name"])                           # stored as given; maps escape it
    # imported again: replaced, not doubled
    im.run_import(tiny_ws, "context", path, ContextSpec(), SRC, max_bytes=MAX_BYTES)
    assert sum(counts(tiny_ws).values()) == len(wanted)


def test_geofabrik_fclass_and_a_named_layer(tiny_ws, tmp_path):
    fclass = write_geojson(tmp_path / "gis_osm_railways.geojson", [
        feature(line(dy=i * 10), fclass=c, name=None) for i, c in enumerate(["rail", "light_rail", "tram", "subway"])])
    im.run_import(tiny_ws, "context", fclass, ContextSpec(), SRC, max_bytes=MAX_BYTES)
    assert counts(tiny_ws) == {"rail": 2}
    # a file of one kind: every feature into the layer named, narrowed by its classes
    parks = write_geojson(tmp_path / "gruen.geojson", [
        feature(shapely.box(X0 + i * 300, Y0, X0 + i * 300 + 250, Y0 + 250), art=a)
        for i, a in enumerate(["Park", "Friedhof", "Kleingarten"])])
    im.run_import(tiny_ws, "context", parks, ContextSpec(context_layer="parks", class_column="art",
                                                         keep=["Park", "Friedhof"]), SRC, max_bytes=MAX_BYTES)
    assert counts(tiny_ws) == {"parks": 2, "rail": 2}


def test_a_file_without_context_is_refused_and_nothing_written(tiny_ws, tmp_path):
    path = write_geojson(tmp_path / "wege.geojson", [feature(line(), highway="footway")])
    before = counts(tiny_ws)
    with pytest.raises(InputError) as exc:
        im.run_import(tiny_ws, "context", path, ContextSpec(), SRC, max_bytes=MAX_BYTES)
    assert exc.value.problems[0].code == "context_none"
    with pytest.raises(InputError) as exc:
        im.run_import(tiny_ws, "context", path, ContextSpec(context_layer="roads"), SRC, max_bytes=MAX_BYTES)
    assert exc.value.problems[0].code == "context_layer_unknown"
    assert counts(tiny_ws) == before == {}
    assert context_layers(tiny_ws) == {}


def test_context_layers_fall_back_to_the_network_and_the_barriers(tiny_ws):
    """A workspace that never imported context shows the main streets of its walking network
    and the railways and water of its barriers."""
    segments = pd.DataFrame({"x1": [X0, X0 + 100, X0], "y1": [Y0, Y0, Y0 + 50], "x2": [X0 + 100, X0 + 200, X0 + 100],
                             "y2": [Y0, Y0, Y0 + 50], "fclass": ["primary", "primary", "footway"]})
    barriers = gpd.GeoDataFrame({"barrier_id": ["b:1", "b:2"], "kind": ["rail", "road"], "class": ["rail", "motorway"],
                                 "name": [None, "A 100"]}, geometry=[line(dy=200), line(dy=300)], crs=WORK_CRS)
    with tiny_ws.transaction():
        tiny_ws.replace_network("walk", label="Netz", segments=segments, coverage=None, source_id="osm_test")
        tiny_ws.replace_barriers(barriers, source_id="osm_test", id_prefix="b")
    layers = context_layers(tiny_ws)
    assert set(layers) == {"streets", "rail"}                  # a motorway barrier is no context layer
    streets = layers["streets"]
    assert len(streets) == 1 and streets.geometry.iloc[0].length == pytest.approx(200.0)   # two segments merged
    assert set(streets["class"]) == {"primary"} and context_sources(layers) == ["osm_test"]
    assert all(frame.crs == WORK_CRS for frame in layers.values())


# ---------------------------------------------------------------- real data
def _osm_rule(frame: pd.DataFrame, values: set[str]) -> pd.Series:
    keep = frame["fclass"].isin(values)
    if "tunnel" in frame:
        keep &= frame["tunnel"].astype(str).str.upper() != "T"
    return keep


@pytest.mark.realdata
def test_berlin_demo_draws_railways_water_and_moabit_streets(berlin_ws, data_root):
    """The demo's context layers against the source files read here with geopandas."""
    base = data_root / "berlin" / "barriers" / "osm_geofabrik_2019-12-03"
    rail = gpd.read_file(base / "gis_osm_railways_free_1.shp")
    waterways = gpd.read_file(base / "gis_osm_waterways_free_1.shp")
    water_a = gpd.read_file(base / "gis_osm_water_a_free_1.shp")
    roads = gpd.read_file(data_root / "berlin" / "network" / "moabit_osm_2019" / "moabit_roads.gpkg")
    cat = osm_context()
    # the features of the kept classes that reach within CLIP_MARGIN_M of the workspace's areas
    frame = shapely.box(*berlin_ws.extent()).buffer(CLIP_MARGIN_M, join_style="mitre")

    def wanted(gdf, values):
        near = gdf.to_crs(berlin_ws.work_crs).intersects(frame)
        return int((_osm_rule(gdf, values) & near).sum())
    layers = context_layers(berlin_ws)
    assert set(layers) == {"rail", "water", "streets"}            # the package has no parks
    assert len(layers["rail"]) == wanted(rail, set(cat["rail"]["railway"]))
    water_values = {v for values in cat["water"].values() for v in values}
    assert len(layers["water"]) == wanted(waterways, water_values) + wanted(water_a, water_values)
    assert len(layers["streets"]) == wanted(roads, set(cat["streets"]["highway"]))
    assert {"osm_geofabrik", "osm_moabit"} == set(context_sources(layers))
    assert all(frame.crs == berlin_ws.work_crs for frame in layers.values())


@pytest.mark.realdata
def test_heidelberg_extract_gives_streets_rail_and_parks(data_root):
    pbf = data_root / "heidelberg" / "heidelberg_2024-09.osm.pbf"
    out, rows, _ = context_features(pbf, ContextSpec(), work_crs="EPSG:25832", max_bytes=50 * 1024 * 1024)
    assert {"streets", "rail", "parks"} <= set(out["layer"])
    centres = gpd.GeoSeries(out.geometry.representative_point(), crs="EPSG:25832").to_crs("EPSG:4326")
    assert 8.58 < centres.x.median() < 8.84 and 49.34 < centres.y.median() < 49.51    # the town's real extent
    assert set(out.loc[out["layer"] == "streets", "class"]) <= set(osm_context()["streets"]["highway"])


def test_cli_import_context_and_a_clear_error(tiny_ws, tmp_path, capsys):
    from jmdiq_geo.cli import main as cli_main

    path, expect = osm_file(tmp_path)
    db = tiny_ws.path
    tiny_ws.close()
    assert cli_main(["--lang", "en", "import", "context", str(path), "--db", str(db), "--source-id", "osm",
                     "--title", "OSM", "--licence", "ODbL 1.0"]) == 0
    out = capsys.readouterr().out
    wanted = pd.Series([e[0] for e in expect if isinstance(e, tuple)]).value_counts()
    assert f"Railways {wanted['rail']}" in out and f"Water {wanted['water']}" in out
    bad = write_geojson(tmp_path / "wege.geojson", [feature(line(), highway="footway")])
    assert cli_main(["--lang", "en", "import", "context", str(bad), "--db", str(db), "--source-id", "osm",
                     "--title", "OSM", "--licence", "ODbL 1.0"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "wege.geojson" in err and "--context-layer" in err


@pytest.mark.realdata
def test_a_town_from_its_osm_extract(town, tmp_path):
    """Heidelberg (a starter with a grid and the OSM extract's network and barriers): main
    streets and railways before any context import, parks too after ``import context``; the
    grid map names the town and draws the context."""
    import shutil

    from jmdiq_geo.config import Settings
    from jmdiq_geo.render.indicator_map import draw
    from jmdiq_geo.render.map_context import STYLE
    from jmdiq_geo.services.maps import describe_grid_map
    from jmdiq_geo.store.workspace import Workspace

    db = tmp_path / "hd.duckdb"
    shutil.copy(town.db, db)
    with Workspace(db) as ws:
        before = context_layers(ws)
        assert {"streets", "rail"} <= set(before) and "parks" not in before
        main = set(osm_context()["streets"]["highway"])
        assert set(before["streets"]["class"]) <= main
        report = im.run_import(ws, "context", town.pbf, ContextSpec(), im.Source(
            "osm_ctx", "OSM Heidelberg", licence="ODbL 1.0", attribution="© OpenStreetMap contributors, ODbL 1.0"),
            max_bytes=Settings.from_env().max_file_bytes)
        assert report.details["by_layer"]["parks"] > 0 and report.details["by_layer"]["streets"] > 0
        after = context_layers(ws)
        assert {"streets", "rail", "parks"} <= set(after)
        assert len(after["parks"]) == report.details["by_layer"]["parks"]
        grid_id = ws.grids()["grid_id"].iloc[0]
        d = describe_grid_map(ws, grid_id=grid_id, settings=Settings.from_env())
        assert d.context and [i[2] for g in d.labels for i in g["items"]] == ["Heidelberg"]
        html = draw(d).get_root().render()
        assert STYLE["parks"]["fillColor"] in html and "© OpenStreetMap contributors" in html
        assert t("map_no_context", "de") not in html
