"""The workspace is composed of one repository per kind of data; its public API stays whole and
the store methods that replaced SQL elsewhere answer as the SQL did."""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from jmdiq_geo.store import access, areas, base, definitions, services, values, workspace
from jmdiq_geo.store.workspace import SERVICE_FIELDS, Workspace
from tests.fixtures.files import MAX_BYTES, TINY_AREAS, count_table

#: every public name of ``Workspace`` before it was split into repositories
PUBLIC_API = {
    "create", "close", "cursor", "schema_version", "transaction", "set_meta", "meta", "work_crs",
    "put_source", "put_level", "replace_areas", "put_indicators", "put_values", "replace_services",
    "put_programme_areas", "replace_grid", "log_import", "levels", "levels_in_order", "lowest_level", "top_level",
    "editions", "area_names", "areas", "indicator_ids", "indicators", "periods", "values", "values_long", "sources",
    "attributions", "services", "edit_service", "add_service", "remove_service", "revert_service",
    "replace_network", "networks", "network_segments", "network_coverage", "replace_origins", "origins",
    "replace_barriers", "barriers", "access_run", "put_access_run", "services_stamp", "data_stamp",
    "programme_areas", "grids", "grid_cells", "imports", "summary", "snapshot",
}


@pytest.mark.backend_free
def test_workspace_keeps_its_public_api():
    missing = sorted(name for name in PUBLIC_API if not hasattr(Workspace, name))
    assert missing == []


@pytest.mark.backend_free
def test_workspace_is_composed_of_the_repositories():
    for repo in (areas.AreasRepository, values.ValuesRepository, definitions.DefinitionsRepository,
                 services.ServicesRepository, access.AccessRepository):
        assert issubclass(Workspace, repo) and issubclass(repo, base.Repository)


@pytest.mark.backend_free
def test_each_repository_holds_its_own_methods():
    """No method is defined twice (a later mixin would silently shadow an earlier one)."""
    seen: dict[str, str] = {}
    for cls in Workspace.__mro__:
        if cls in (object, base.Repository):
            continue
        for name, value in vars(cls).items():
            if callable(value) or isinstance(value, (property, classmethod)):
                if name.startswith("__"):
                    continue
                assert name not in seen, f"{name} in {cls.__name__} and {seen[name]}"
                seen[name] = cls.__name__


@pytest.mark.backend_free
def test_service_fields_importable_from_both_places():
    assert services.SERVICE_FIELDS is SERVICE_FIELDS
    assert "opening_hours" in SERVICE_FIELDS


@pytest.mark.backend_free
def test_every_store_module_has_a_docstring():
    folder = Path(workspace.__file__).parent
    for path in sorted(folder.glob("*.py")):
        if path.name == "__init__.py":
            continue
        assert ast.get_docstring(ast.parse(path.read_text())), path.name


def _values(tiny_ws, tmp_path, numbers, *, source="test"):
    from jmdiq_geo.io import imports as im
    path = count_table(tmp_path / "werte.csv", [(a, v) for (a, _, _), v in zip(TINY_AREAS, numbers)])
    spec = im.TableSpec(level="plr", period="2024-12-31", columns={"Anzahl": "anzahl"}, key="PLR_ID",
                        indicators=[im.IndicatorDef("anzahl", "Anzahl", kind="extensive")])
    return im.import_indicator_table(tiny_ws, path, spec, im.Source(source, "Test"), max_bytes=MAX_BYTES)


def test_area_and_import_log_readers(tiny_ws, tmp_path):
    assert tiny_ws.levels_with_areas() == {"plr", "bzr"}
    before = tiny_ws.newest_import_id()
    assert before == 2                                   # the two boundary imports of the fixture
    _values(tiny_ws, tmp_path, [1, 2, 3, 4])
    assert tiny_ws.newest_import_id() == before + 1 == int(tiny_ws.imports()["import_id"].max())


def test_value_readers_and_delete(tiny_ws, tmp_path):
    _values(tiny_ws, tmp_path, [1, 2, 3, 4], source="zaehlung")
    assert tiny_ws.indicator_kinds() == {"anzahl": "extensive"}
    assert tiny_ws.value_levels() == ["plr"]
    assert tiny_ws.value_source(level="plr", indicator_id="anzahl") == "zaehlung"
    assert tiny_ws.value_sources(["anzahl"]) == ["zaehlung"]
    assert tiny_ws.value_sources(["anzahl"], period=date(2024, 12, 31)) == ["zaehlung"]
    assert tiny_ws.value_sources(["anzahl"], period=date(2023, 12, 31)) == []
    with tiny_ws.transaction():
        tiny_ws.delete_values(level="plr", indicator_id="anzahl")
    assert tiny_ws.values_long(level="plr").empty


def test_definition_bodies_round_trip(tiny_ws):
    body = {"index": {"id": "x", "label_de": "Ä-Index"}, "components": []}
    with tiny_ws.transaction():
        tiny_ws.put_index_definition("x", label_de="Ä-Index", body=body, based_on=None)
        tiny_ws.put_derived_definition("b", {"indicator_id": "b"})
        tiny_ws.put_derived_definition("a", {"indicator_id": "a"})
    assert tiny_ws.index_definition_bodies() == {"x": body}
    assert tiny_ws.index_definition_body("x") == body and tiny_ws.index_definition_body("y") is None
    assert [b["indicator_id"] for b in tiny_ws.derived_definition_bodies()] == ["b", "a"]   # defined order


def test_service_edit_count_and_checkpoint(tiny_ws):
    import geopandas as gpd
    import shapely
    gdf = gpd.GeoDataFrame({"service_id": ["kita:1", "kita:2"], "category": "kita", "name": ["A", "B"]},
                           geometry=[shapely.Point(390050, 5820050), shapely.Point(390150, 5820050)],
                           crs="EPSG:25833")
    with tiny_ws.transaction():
        tiny_ws.replace_services(gdf, source_id="test", id_prefix="kita")
    assert tiny_ws.service_edit_count("kita") == 0
    tiny_ws.edit_service("kita:1", {"name": "A2"})
    tiny_ws.remove_service("kita:2")
    assert tiny_ws.service_edit_count("kita") == 2 and tiny_ws.service_edit_count("other") == 0
    before = tiny_ws.snapshot()
    tiny_ws.checkpoint()
    assert tiny_ws.snapshot() == before
    assert isinstance(tiny_ws.services(include_hidden=True), pd.DataFrame)
