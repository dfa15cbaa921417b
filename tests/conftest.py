"""Shared fixtures: tiny workspaces the tests build themselves, and the real Berlin workspace
built from ../shared/data (JMDIQ_DATA_ROOT) once per test session."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from jmdiq_geo.config import Settings
from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path
from jmdiq_geo.errors import JmdiqError, Problem
from jmdiq_geo.i18n import format_problem
from jmdiq_geo.io import imports as im
from jmdiq_geo.store.workspace import Workspace

WORK_CRS = "EPSG:25833"
MAX_BYTES = 50 * 1024 * 1024


@pytest.fixture(scope="session")
def data_root() -> Path:
    root = Settings.from_env().data_root
    if root is None or not (root / "berlin").is_dir():
        pytest.skip("real data not available: set JMDIQ_DATA_ROOT or put ../shared/data beside the repo")
    return root


@pytest.fixture(scope="session")
def berlin_db(tmp_path_factory, data_root) -> Path:
    """The Berlin demo workspace, built once from the real files."""
    db = tmp_path_factory.mktemp("berlin") / "berlin.duckdb"
    settings = Settings.from_env().with_(db_path=db, data_root=data_root)
    build_workspace(load_manifest(manifest_path("berlin"), data_root=data_root), settings=settings)
    return db


@pytest.fixture
def berlin_ws(berlin_db):
    with Workspace(berlin_db, read_only=True) as ws:
        yield ws


def square(x0: float, y0: float, size: float = 100.0):
    return shapely.box(x0, y0, x0 + size, y0 + size)


def write_geojson(path: Path, features: list[dict], *, crs: str | None = "EPSG:25833") -> Path:
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs.replace(':', '::')}"}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def count_table(path: Path, rows) -> Path:
    """A ``;``-separated table of one count per area: rows of (PLR_ID, Anzahl)."""
    path.write_text("PLR_ID;Anzahl\n" + "\n".join(f"{a};{v}" for a, v in rows), encoding="utf-8")
    return path


def feature(geom, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}


#: four 100 m squares in a row, two per parent area "A" and "B"
TINY_AREAS = [("01000001", "Nord-Ost", "A"), ("01000002", "Süd-Straße", "A"), ("01000003", "Mitte & Park", "B"),
              ("01000004", "Weißensee", "B")]


@pytest.fixture
def tiny_files(tmp_path) -> dict[str, Path]:
    areas = write_geojson(tmp_path / "areas.geojson", [
        feature(square(390000 + i * 100, 5820000), PLR_ID=aid, PLR_NAME=name, BZR=parent)
        for i, (aid, name, parent) in enumerate(TINY_AREAS)])
    parents = write_geojson(tmp_path / "parents.geojson", [
        feature(shapely.box(390000, 5820000, 390200, 5820100), ID="A", NAME="Bezirk A"),
        feature(shapely.box(390200, 5820000, 390400, 5820100), ID="B", NAME="Bezirk B")])
    return {"areas": areas, "parents": parents}


@pytest.fixture
def tiny_ws(tmp_path, tiny_files) -> Workspace:
    """A workspace with two levels (plr → bzr) and four tiny areas."""
    ws = Workspace.create(tmp_path / "tiny.duckdb", work_crs=WORK_CRS, city="Teststadt")
    with ws.transaction():
        ws.put_level("plr", label_de="Planungsraum", label_en="Planning area", rank=0, parent_level="bzr")
        ws.put_level("bzr", label_de="Bezirksregion", label_en="District region", rank=1, parent_level=None)
    src = im.Source("test", "Testdaten", licence="CC0")
    im.import_boundaries(ws, tiny_files["areas"], im.BoundarySpec(level="plr", key="PLR_ID", name="PLR_NAME",
                                                                  parent="BZR", valid_from="2021-01-01"),
                         src, max_bytes=MAX_BYTES)
    im.import_boundaries(ws, tiny_files["parents"], im.BoundarySpec(level="bzr", key="ID", name="NAME",
                                                                    valid_from="2021-01-01"),
                         src, max_bytes=MAX_BYTES)
    yield ws
    ws.close()


# ------------------------------------------------------------------ bad-input assertions

def expect_failure(ws, exc_type: type[JmdiqError], call) -> JmdiqError:
    """Run ``call``; it must raise exactly ``exc_type`` and leave the workspace unchanged."""
    before = ws.snapshot()
    with pytest.raises(exc_type) as info:
        call()
    if exc_type is not JmdiqError:
        assert type(info.value) is exc_type, f"expected {exc_type.__name__}, got {type(info.value).__name__}"
    assert info.value.problems, "a JmdiqError must carry problems"
    assert ws.snapshot() == before, "a failed import must not write anything"
    return info.value


def only_problem(found: JmdiqError | list[Problem], code: str) -> Problem:
    """The one problem of an error (or the one notice of a report); it must have ``code``."""
    problems = found.problems if isinstance(found, JmdiqError) else found
    assert [p.code for p in problems] == [code], problems
    return problems[0]


def assert_rendered(problem: Problem, *needles) -> tuple[str, str]:
    """Render ``problem`` in English and German; both must name file/row/column and ``needles``."""
    en, de = format_problem(problem, "en"), format_problem(problem, "de")
    assert en != de, "the German text must not be the English one"
    for text in (en, de):
        assert "{" not in text and "}" not in text, text
        for needle in needles:
            assert str(needle) in text, f"{needle!r} missing in {text!r}"
    if problem.file:
        assert en.startswith(f"File '{problem.file}'"), en
        assert de.startswith(f"Datei „{problem.file}“"), de
    if problem.row is not None:
        assert f"row {problem.row}" in en and f"Zeile {problem.row}" in de
    if problem.column:
        assert f"column '{problem.column}'" in en and f"Spalte „{problem.column}“" in de
    return en, de
