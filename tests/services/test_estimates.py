"""Cities that publish only shares: a count estimated from a density (residents per ha × the area's
surface) gives the shares their denominator, so higher levels and the whole city can be weighted."""
from datetime import date

import pandas as pd
import pytest

from jmdiq_geo.analysis.derived import DerivedDef, derive_values
from jmdiq_geo.cli import main
from jmdiq_geo.config import Settings
from jmdiq_geo.errors import AnalysisError, SchemaError
from jmdiq_geo.services.definitions import save_derived, set_denominator
from jmdiq_geo.services.imports import IndicatorDef, Source, TableSpec, import_file
from jmdiq_geo.services.layers import indicator_layer

PERIOD = "2024-12-31"


def _shares(ws, tmp_path):
    path = tmp_path / "quoten.csv"
    # four 1-ha areas; density (residents per ha) and an unemployment share in %
    path.write_text("PLR_ID;Dichte;Arbeitslos\n01000001;400;10\n01000002;1200;20\n01000003;800;5\n01000004;600;15\n",
                    encoding="utf-8")
    import_file(ws, "indicators", path, TableSpec(level="plr", period=PERIOD, key="PLR_ID",
                                                  columns={"Dichte": "dichte", "Arbeitslos": "al_quote"},
                                                  indicators=[IndicatorDef("dichte", "Einwohner je ha", unit="je ha"),
                                                              IndicatorDef("al_quote", "Arbeitslosenquote", unit="%")]),
                Source("amt", "Statistikamt", licence="CC0"), max_bytes=10**7)


@pytest.mark.backend_free
def test_density_times_surface_is_aligned_and_exact():
    values = pd.DataFrame({"area_id": ["b", "a"], "indicator_id": "d", "period": date(2024, 12, 31),
                           "value": [50.0, 10.0]})
    d = DerivedDef("ew_est", "Einwohner (geschätzt)", density="d", per="ha")
    out = derive_values(values, d, area_m2=pd.Series({"a": 20_000.0, "b": 5_000.0})).set_index("area_id")
    assert out.loc["a", "value"] == 20.0 and out.loc["b", "value"] == 25.0
    assert d.kind == "extensive"
    with pytest.raises(AnalysisError):
        derive_values(values, d)                    # no surfaces: no estimate


def test_shares_weighted_by_an_estimated_count(tiny_ws, tmp_path):
    _shares(tiny_ws, tmp_path)
    settings = Settings.from_env()
    before = indicator_layer(tiny_ws, indicator_id="al_quote", period=date(2024, 12, 31), level="plr",
                             settings=settings)
    assert pd.isna(before.city_value)                     # a share without a denominator has no city value
    counts = save_derived(tiny_ws, DerivedDef("ew_est", "Einwohner:innen (geschätzt)", density="dichte", per="ha",
                                              description="geschätzt: Einwohner je ha × Fläche"))
    assert counts["ew_est"] == 4
    est = tiny_ws.values("ew_est", period=date(2024, 12, 31), level="plr")
    assert est.to_dict() == pytest.approx({"01000001": 400, "01000002": 1200, "01000003": 800, "01000004": 600})
    with pytest.raises(SchemaError):
        set_denominator(tiny_ws, "al_quote", "dichte")    # a rate is no denominator
    set_denominator(tiny_ws, "al_quote", "ew_est")
    city = indicator_layer(tiny_ws, indicator_id="al_quote", period=date(2024, 12, 31), level="plr",
                           settings=settings).city_value
    assert city == pytest.approx((10 * 400 + 20 * 1200 + 5 * 800 + 15 * 600) / 3000)
    upper = indicator_layer(tiny_ws, indicator_id="al_quote", period=date(2024, 12, 31), level="bzr",
                            settings=settings).areas.set_index("area_id")["value"]
    assert upper["A"] == pytest.approx((10 * 400 + 20 * 1200) / 1600)
    assert upper["B"] == pytest.approx((5 * 800 + 15 * 600) / 1400)


def test_cli_define_and_denominator(tiny_ws, tmp_path, capsys):
    _shares(tiny_ws, tmp_path)
    db = str(tiny_ws.location)
    tiny_ws.close()
    assert main(["define", "ew_est", "--label", "Einwohner (geschätzt)", "--density", "dichte", "--db", db]) == 0
    assert main(["denominator", "al_quote", "nope", "--db", db]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["denominator", "al_quote", "ew_est", "--db", db]) == 0
    assert main(["define", "x", "--label", "X", "--density", "dichte", "--per", "acre", "--db", db]) == 2
