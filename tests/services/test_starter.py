"""A starter workspace for any Gemeinde from the nationwide layers (``new --gemeinde``), and the
``germany`` workspace (``new --germany``), on the real files of ``germany/``.

Every number a test compares is computed here independently of the package: the outline read
with geopandas, the cells selected with matplotlib's point-in-polygon (centres) or a geopandas
spatial join (cell squares), the sums taken by plain DuckDB over the parquet files."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import tomllib
import shapely
from matplotlib.path import Path as PlotPath

from jmdiq_geo.cli import main
from jmdiq_geo.config import Settings
from jmdiq_geo.crs import utm_crs_for
from jmdiq_geo.errors import SchemaError
from jmdiq_geo.i18n import format_number, t
from jmdiq_geo.io.nationwide import LAYERS_FILE, load_layers
from jmdiq_geo.services.imports import BoundarySpec, LevelSpec, Source, import_file
from jmdiq_geo.services.layers import indicator_layer
from jmdiq_geo.services.manifest import write_manifest
from jmdiq_geo.services.maps import outline_shapes
from jmdiq_geo.services.profile import area_profile, profile_indicator_ids
from jmdiq_geo.services.roles import indicator_roles
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.nationwide import HEIDELBERG

pytestmark = pytest.mark.realdata

GRID_1KM = "germany/zensus2022/1km/continuous_Einwohner.parquet"
GRID_100M = "germany/zensus2022/100m/demography_STAATSANGE_KURZ_2.parquet"


def _outline_3035(root, ags):
    gem = gpd.read_file(root / "germany" / "VG5000_GEM.shp")
    return gem[gem["AGS"] == ags].to_crs("EPSG:3035").geometry.iloc[0]


def _centres_inside(polygon, x, y) -> np.ndarray:
    """Point in polygon by matplotlib (ray casting, holes subtracted): not shapely's code."""
    parts = list(polygon.geoms) if polygon.geom_type == "MultiPolygon" else [polygon]
    pts = np.column_stack([x, y])
    inside = np.zeros(len(pts), dtype=bool)
    for part in parts:
        hit = PlotPath(np.asarray(part.exterior.coords)).contains_points(pts)
        for hole in part.interiors:
            hit &= ~PlotPath(np.asarray(hole.coords)).contains_points(pts)
        inside |= hit
    return inside


def _parquet(root, rel, column) -> pd.DataFrame:
    """The whole file, as DuckDB reads it (no filter)."""
    return duckdb.sql(f"SELECT x, y, \"{column}\" AS v FROM read_parquet('{root / rel}')").df()


def _nothing_written(db, request) -> None:
    """No workspace and no leftover in the file's folder; a PostgreSQL database without a single
    table of its own (a refused ``new`` does not even open it)."""
    if isinstance(db, Path):
        assert list(db.parent.iterdir()) == []
        return
    server = request.getfixturevalue("pg_server")
    tables = server.psql("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                         "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                         "AND table_name NOT IN ('spatial_ref_sys', 'geometry_columns', 'geography_columns')",
                         server.dbname(db))
    assert tables.split() == []


def test_heidelberg_starter_outline_context_and_sources(heidelberg_starter, nationwide_root):
    db, report = heidelberg_starter
    with Workspace(db, read_only=True) as ws:
        assert ws.levels_in_order() == ["gemeinde"]
        areas = ws.areas("gemeinde")
        assert list(areas["area_id"]) == ["08221000"] and list(areas["name"]) == [HEIDELBERG]
        assert ws.work_crs == "EPSG:25832" and ws.meta()["city"] == HEIDELBERG
        # the roles of the layers file: the Steckbrief lists residents and the foreigners' share
        roles = tomllib.loads(LAYERS_FILE.read_text(encoding="utf-8"))["roles"]
        assert indicator_roles(ws)["foreigners_share"] == roles["foreigners_share"]
        assert roles["foreigners_share"] in profile_indicator_ids(ws)
        # the outline is the BKG one, reprojected: the same area as geopandas computes
        gem = gpd.read_file(nationwide_root / "germany" / "VG5000_GEM.shp", where="AGS = '08221000'")
        assert areas["area_m2"].iloc[0] == pytest.approx(gem.to_crs("EPSG:25832").area.iloc[0], rel=1e-9)
        # Kreis and Land as context outlines (not levels: nothing is aggregated to them)
        context = ws.context_areas()
        assert dict(zip(context["kind"], context["area_id"])) == {"kreis": "08221", "land": "08"}
        assert "Baden-Württemberg" in set(context["name"])
        assert len(outline_shapes(ws, "gemeinde")) == 2
        attributions = " ".join(ws.attributions())
        assert "© GeoBasis-DE / BKG" in attributions and "Zensus 2022" in attributions
        assert set(ws.sources()["licence"]) == {"dl-de/by-2-0"}
    # the progress went through every step, in order
    assert [i for i, _ in report.steps] == list(range(report.steps[0][1]))


def test_heidelberg_cells_are_those_touching_the_outline_with_their_values(heidelberg_starter, nationwide_root):
    db, _ = heidelberg_starter
    outline = _outline_3035(nationwide_root, "08221000")
    with Workspace(db, read_only=True) as ws:
        grids = ws.grids().set_index("grid_id")
        for rel, column, grid_id, size in ((GRID_1KM, "Einwohner", "zensus_1km_ew", 1000),
                                           (GRID_100M, "value", "zensus_100m_ausl", 100)):
            assert grids.at[grid_id, "crs"] == "EPSG:3035" and grids.at[grid_id, "cell_size_m"] == size
            every = _parquet(nationwide_root, rel, column)
            squares = gpd.GeoDataFrame(every, geometry=shapely.box(every.x - size / 2, every.y - size / 2,
                                                                   every.x + size / 2, every.y + size / 2),
                                       crs="EPSG:3035")
            touching = gpd.sjoin(squares, gpd.GeoDataFrame(geometry=[outline], crs="EPSG:3035"),
                                 predicate="intersects")
            stored = ws.grid_cells(grid_id)
            assert len(stored) == len(touching) > 0
            merged = stored.merge(touching[["x", "y", "v"]], on=["x", "y"], how="outer", validate="one_to_one",
                                  indicator=True)
            assert (merged["_merge"] == "both").all()
            # −1 (no value or suppressed) is stored as no value, every other value unchanged
            expected = merged["v"].where(merged["v"] >= 0)
            pd.testing.assert_series_equal(merged["value"], expected.astype(float), check_names=False)


def test_heidelberg_residents_equal_the_parquet_sum_of_the_cells_with_their_centre_inside(heidelberg_starter,
                                                                                         nationwide_root):
    db, report = heidelberg_starter
    outline = _outline_3035(nationwide_root, "08221000")
    expected = {}
    for rel, column, ind in ((GRID_1KM, "Einwohner", "zensus_ew"), (GRID_100M, "value", "zensus_ausl")):
        every = _parquet(nationwide_root, rel, column)
        inside = every[_centres_inside(outline, every["x"].to_numpy(), every["y"].to_numpy())]
        con = duckdb.connect()
        con.register("inside", inside[["x", "y"]])
        expected[ind] = con.execute(f"SELECT sum(\"{column}\") FROM read_parquet('{nationwide_root / rel}') p "
                                    f"JOIN inside USING (x, y) WHERE \"{column}\" >= 0").fetchone()[0]
    assert expected["zensus_ew"] > 100_000
    settings = Settings.from_env()
    with Workspace(db, read_only=True) as ws:
        for ind in ("zensus_ew", "zensus_ausl"):
            layer = indicator_layer(ws, indicator_id=ind, period=pd.Timestamp("2022-05-15").date(),
                                    settings=settings)
            assert layer.areas["value"].iloc[0] == expected[ind]
        share = ws.values("zensus_ausl_anteil", period=pd.Timestamp("2022-05-15").date(), level="gemeinde")
        assert share.iloc[0] == pytest.approx(100 * expected["zensus_ausl"] / expected["zensus_ew"])
    assert report.values["zensus_ew"] == expected["zensus_ew"]


def test_by_ags_the_same_gemeinde(nationwide_root, heidelberg_starter, capsys, new_workspace_location):
    db = new_workspace_location("hd")
    assert main(["new", "--gemeinde", "08221000", "--db", str(db), "--data-root", str(nationwide_root)]) == 0
    out = capsys.readouterr()
    assert "[1/8]" in out.err and "[8/8]" in out.err          # progress steps on stderr
    with Workspace(db, read_only=True) as a, Workspace(heidelberg_starter[0], read_only=True) as b:
        assert a.meta()["city"] == HEIDELBERG
        assert a.snapshot()["grid_cells"] == b.snapshot()["grid_cells"]
        assert a.snapshot()["indicator_values"] == b.snapshot()["indicator_values"]


def test_an_ambiguous_name_lists_the_candidates_with_their_kreis_and_writes_nothing(tmp_path, nationwide_root,
                                                                                   capsys, new_workspace_location,
                                                                                   request):
    gem = pyogrio.read_dataframe(nationwide_root / "germany" / "VG5000_GEM.shp", read_geometry=False)
    krs = pyogrio.read_dataframe(nationwide_root / "germany" / "VG5000_KRS.shp", read_geometry=False)
    same = gem[gem["GEN"] == "Mühlhausen"]
    assert len(same) >= 2                                  # the name exists several times
    db = new_workspace_location("m")
    assert main(["--lang", "en", "new", "--gemeinde", "Mühlhausen", "--db", str(db),
                 "--data-root", str(nationwide_root)]) == 2
    err = capsys.readouterr().err
    assert f"matches {len(same)} Gemeinden" in err
    kreis = dict(zip(krs["AGS"], krs["GEN"]))
    for ags in same["AGS"]:
        line = next(line for line in err.splitlines() if ags in line)
        assert kreis[ags[:5]] in line
    _nothing_written(db, request)


def test_an_unknown_name_gets_close_matches(nationwide_root, capsys, new_workspace_location, request):
    db = new_workspace_location("x")
    assert main(["--lang", "en", "new", "--gemeinde", "Heidelbrg", "--db", str(db),
                 "--data-root", str(nationwide_root)]) == 2
    err = capsys.readouterr().err
    assert "There is no Gemeinde 'Heidelbrg'" in err and "similar: Heidelberg (Stadt" in err
    _nothing_written(db, request)


def test_the_gemeinde_profile_is_the_whole_without_city_value_or_rank(heidelberg_starter, tmp_path):
    """The starter's one Gemeinde is the whole: no city column and no "1 von 1" beside its value
    (Steckbrief service, PDF, story slide); an area among several keeps them (below)."""
    from jmdiq_geo.render.story import profile_table
    from jmdiq_geo.services.profile_report import profile_report_pdf
    from tests.render.test_print_map import pdf_text

    settings = Settings.from_env()
    with Workspace(heidelberg_starter[0], read_only=True) as ws:
        p = area_profile(ws, level="gemeinde", area_id="08221000", settings=settings)
        assert p.alone and len(p.indicators)
        text = pdf_text(profile_report_pdf(ws, level="gemeinde", area_ids=["08221000"], settings=settings)[0], tmp_path)
    assert t("profile_pdf_indicators_whole", "de") in text and t("profile_pdf_indicators", "de") not in text
    assert t("tt_rank", "de") not in text and t("rank_of", "de", rank=1, n=1) not in text
    assert t("profile_pdf_rank_note", "de") not in text
    rows = p.indicators.assign(label=p.indicators["label_de"], value_text=p.indicators["value_label_de"])
    html = profile_table(rows, lang="de", district_label="", alone=p.alone)
    assert t("tt_rank", "de") not in html and t("tt_city", "de") not in html
    assert format_number(p.indicators["value"].iloc[0], "de", digits=0) in html
    full = profile_table(rows, lang="de", district_label="")
    assert t("tt_rank", "de") in full and t("tt_city", "de") in full


def test_the_towns_own_areas_go_below_the_gemeinde(tmp_path, heidelberg_starter, copy_workspace):
    """Two made-up quarters inside Heidelberg, imported as a new level under the Gemeinde."""
    db = copy_workspace(heidelberg_starter[0], tmp_path / "hd.duckdb")
    with Workspace(db) as ws:
        centre = ws.areas("gemeinde").geometry.iloc[0].representative_point()
        west = shapely.box(centre.x - 800, centre.y - 400, centre.x, centre.y + 400)
        east = shapely.box(centre.x, centre.y - 400, centre.x + 800, centre.y + 400)
        path = tmp_path / "quartiere.geojson"
        gpd.GeoDataFrame({"nr": ["01", "02"], "name": ["West", "Ost"]}, geometry=[west, east],
                         crs=ws.work_crs).to_file(path, driver="GeoJSON")
        before = ws.snapshot()
        report = import_file(ws, "boundaries", path, BoundarySpec(level="quartier", key="nr", name="name"),
                             Source("stadt", "Stadt Heidelberg, Quartiere", licence="intern"), max_bytes=10 ** 7,
                             level=LevelSpec("quartier", label_de="Quartier", parent_level="gemeinde"))
        assert report.written == 2
        assert ws.levels_in_order() == ["quartier", "gemeinde"] and ws.top_level() == "gemeinde"
        assert set(ws.areas("quartier")["parent_id"]) == {"08221000"}
        after = ws.snapshot()
        # the starter's grids, indicators and context stay as they were
        for table in ("grid_cells", "grids", "indicator_values", "context_areas"):
            assert after[table] == before[table]
        assert len(outline_shapes(ws, "quartier")) == 3         # the Gemeinde + Kreis and Land
        # a quarter among two is not the whole: its profile compares it with the city
        assert not area_profile(ws, level="quartier", area_id="01", settings=Settings.from_env()).alone
        manifest = write_manifest(ws, data_root=None)
        assert "--gemeinde 08221000" in manifest and "quartiere.geojson" in manifest


def test_germany_workspace_counts(germany_db, nationwide_root):
    db, report = germany_db
    gem = nationwide_root / "germany" / "VG5000_GEM.shp"
    n_gem = pyogrio.read_info(gem)["features"]
    with Workspace(db, read_only=True) as ws:
        assert ws.levels_in_order() == ["gemeinde", "kreis", "land"]
        # the work CRS, chosen from the outlines' extent in degrees (set once they are read)
        assert ws.work_crs == report.work_crs == utm_crs_for(
            gpd.read_file(nationwide_root / "germany" / "VG5000_LAN.shp", where="GF = 9"))
        n = {lv: len(ws.area_names(lv)) for lv in ws.levels_in_order()}
        assert n == {"gemeinde": n_gem, "kreis": 401, "land": 16} and n_gem == 10_997
        names = ws.area_names("gemeinde")
        assert names["parent_id"].notna().all()
        assert set(names["parent_id"]) <= set(ws.area_names("kreis")["area_id"])
        cells = ws.grids().set_index("grid_id")["n_cells"]
        for rel, column, grid_id in ((GRID_1KM, "Einwohner", "zensus_1km_ew"), (GRID_100M, "value", "zensus_100m_ausl")):
            count, total = duckdb.sql(f"SELECT count(*), sum(\"{column}\") FILTER (WHERE \"{column}\" >= 0) "
                                      f"FROM read_parquet('{nationwide_root / rel}')").fetchone()
            assert cells[grid_id] == count == report.cells[grid_id]      # as DuckDB counted them
            stored = ws.grid_cells(grid_id)["value"]
            assert stored.sum() == total and stored.isna().sum() == duckdb.sql(
                f"SELECT count(*) FROM read_parquet('{nationwide_root / rel}') WHERE \"{column}\" < 0").fetchone()[0]
        assert cells["zensus_1km_ew"] == 361_478 and cells["zensus_100m_ausl"] == 626_374
        # every cell counts for at most one Gemeinde: the Länder (aggregated) hold at most the grid's total
        layer = indicator_layer(ws, indicator_id="zensus_ew", period=pd.Timestamp("2022-05-15").date(), level="land",
                                settings=Settings.from_env())
        grid_total = ws.grid_cells("zensus_1km_ew")["value"].sum()
        assert 0.99 * grid_total < layer.areas["raw"].sum() <= grid_total
    assert report.values["zensus_ew"] == n_gem
    assert json.dumps(report.cells)            # plain data


@pytest.mark.duckdb_file("the build's file, its .building file and the insert's own connection")
def test_a_germany_build_that_fails_while_the_grids_go_in_waits_for_them_and_leaves_nothing(
        tmp_path, nationwide_root, monkeypatch):
    """The grids go in on a connection of their own while this thread writes the outlines; when
    the build fails meanwhile, the insert is waited for before the file is removed, and neither
    the workspace nor its ``.building`` file remains."""
    from jmdiq_geo.services import new_city

    running, ended = threading.Event(), threading.Event()
    insert = Workspace.insert_cells_from_parquet

    def watched(self, *args, **kwargs):
        running.set()
        try:
            return insert(self, *args, **kwargs)
        finally:
            ended.set()

    def fail(*args, **kwargs):
        assert running.wait(10)
        raise RuntimeError("the disk is full")

    closing = []
    close = Workspace.close

    def watched_close(self):
        closing.append((self.path.name, ended.is_set()))
        close(self)

    monkeypatch.setattr(Workspace, "insert_cells_from_parquet", watched)
    monkeypatch.setattr(Workspace, "close", watched_close)
    monkeypatch.setattr(new_city, "_write_level", fail)
    with pytest.raises(RuntimeError, match="the disk is full"):
        new_city.new_germany(tmp_path / "de.duckdb", data_root=nationwide_root)
    assert closing == [("de.duckdb.building", True)]      # closed once the insert had ended
    assert list(tmp_path.iterdir()) == []


@pytest.mark.backend_free
def test_a_layers_file_with_an_unknown_role_or_indicator_is_refused(tmp_path, nationwide_root):
    """The roles of the nationwide layers name known roles and the file's own indicators; both
    mistakes are named at once, with the file."""
    text = LAYERS_FILE.read_text(encoding="utf-8").replace(
        '[roles]\n', '[roles]\nmigrant_share = "zensus_ew"\ntarget_group_share = "gibtsnicht"\n')
    bad = tmp_path / "germany.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load_layers(nationwide_root, bad)
    assert [(p.code, p.file) for p in err.value.problems] == [("rule_role_unknown", str(bad)),
                                                               ("role_indicator_unknown", str(bad))]
