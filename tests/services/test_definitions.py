"""Derived indicators and saved index definitions live in the workspace and stay current."""
from datetime import date

import pytest

from jmdiq_geo.analysis.derived import DerivedDef
from jmdiq_geo.services.definitions import save_derived, save_index, stored_derived, stored_index
from jmdiq_geo.services.imports import import_file
from jmdiq_geo.errors import SchemaError
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.indexdefs import load_index_file, shipped_indices
from tests.fixtures.files import MAX_BYTES, TINY_AREAS

PERIOD = date(2024, 12, 31)


def _import(ws, tmp_path, name, column, values):
    path = tmp_path / f"{name}.csv"
    path.write_text(f"PLR_ID;{column}\n" + "\n".join(f"{a};{v}" for (a, _, _), v in zip(TINY_AREAS, values)),
                    encoding="utf-8")
    spec = im.TableSpec(level="plr", period=PERIOD.isoformat(), columns={column: column.lower()}, key="PLR_ID",
                        indicators=[im.IndicatorDef(column.lower(), column, kind="extensive")])
    return import_file(ws, "indicators", path, spec, im.Source(name, name), max_bytes=MAX_BYTES)


def test_rate_from_two_counts_is_stored_and_refreshed(tiny_ws, tmp_path):
    _import(tiny_ws, tmp_path, "a", "Jung", [10, 20, 0, 5])
    _import(tiny_ws, tmp_path, "b", "Alle", [100, 100, 50, 0])
    written = save_derived(tiny_ws, DerivedDef("jung_anteil", "Anteil Junge", unit="%", numerator="jung",
                                               denominator="alle"))
    assert written["jung_anteil"] == 3                                          # denominator 0 → no value
    share = tiny_ws.values("jung_anteil", period=PERIOD, level="plr")
    assert share.tolist() == [10.0, 20.0, 0.0] and TINY_AREAS[3][0] not in share.index
    assert tiny_ws.indicators().set_index("indicator_id").loc["jung_anteil", "kind"] == "intensive"
    # a new import of the numerator recomputes the rate
    report = _import(tiny_ws, tmp_path, "a2", "Jung", [50, 20, 0, 5])
    assert report.details["derived"] == {"jung_anteil": 3}
    assert tiny_ws.values("jung_anteil", period=PERIOD, level="plr").iloc[0] == 50.0
    assert [d.indicator_id for d in stored_derived(tiny_ws)] == ["jung_anteil"]


def test_derived_values_only_where_their_inputs_are(tiny_ws, tmp_path):
    """No stored gaps: a period where an input is missing offers no (empty) map; a value that can
    no longer be derived after a new import is gone."""
    _import(tiny_ws, tmp_path, "a", "Jung", [10, 20, 0, 5])
    _import(tiny_ws, tmp_path, "b", "Alle", [100, 100, 50, 40])
    save_derived(tiny_ws, DerivedDef("jung_anteil", "Anteil Junge", unit="%", numerator="jung", denominator="alle"))
    assert len(tiny_ws.values("jung_anteil", period=PERIOD, level="plr")) == 4
    _import(tiny_ws, tmp_path, "b2", "Alle", [100, 100, 50, 0])
    assert len(tiny_ws.values("jung_anteil", period=PERIOD, level="plr")) == 3
    assert tiny_ws.periods(indicator_id="jung_anteil", level="plr") == [PERIOD]


def test_derived_checks_report_everything(tiny_ws, tmp_path):
    _import(tiny_ws, tmp_path, "a", "Jung", [1, 2, 3, 4])
    with pytest.raises(SchemaError) as err:
        save_derived(tiny_ws, DerivedDef("jung", "x", numerator="jung", denominator="fehlt"))
    codes = {p.code for p in err.value.problems}
    assert codes == {"derived_id_taken", "indicator_unknown"}
    before = tiny_ws.snapshot()
    with pytest.raises(SchemaError):
        save_derived(tiny_ws, DerivedDef("bad id!", "x"))
    assert tiny_ws.snapshot() == before


@pytest.mark.realdata
def test_saved_index_copy_with_other_weights(berlin_db, tmp_path, copy_workspace):
    from jmdiq_geo.services.layers import compute_index_for
    from jmdiq_geo.store.workspace import Workspace

    db = copy_workspace(berlin_db, tmp_path / "copy.duckdb")
    with Workspace(db) as ws:
        definition = load_index_file(shipped_indices()["mss2021"])
        definition.id, definition.label_de = "mss_kinder", "MSS mit doppelter Kinderarmut"
        definition.components[0].indicators[2].weight = 2.0
        save_index(ws, definition, based_on="mss2021")
        again = stored_index(ws, "mss_kinder")
        assert again.components[0].indicators[2].weight == 2.0
        result = compute_index_for(ws, again, period=date(2020, 12, 31)).table
        official = ws.values("mss_status", period=date(2020, 12, 31), level="plr")
        considered = result.index[result["considered"]]
        changed = (result.loc[considered, "status_code"].astype(float) != official[considered]).sum()
        assert 0 < changed < 536           # other weights move some areas, not all
        definition.components[0].indicators[0].id = "unbekannt"
        with pytest.raises(SchemaError):
            save_index(ws, definition)
