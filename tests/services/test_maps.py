"""One map description, drawn alike by the app, the CLI and exports."""
import re
from datetime import date

import pytest

from jmdiq_geo.analysis.classify import classify
from jmdiq_geo.config import Settings
from jmdiq_geo.i18n import format_number
from jmdiq_geo.render.indicator_map import draw
from jmdiq_geo.render.maps import standalone_html
from jmdiq_geo.services.layers import indicator_layer
from jmdiq_geo.services.maps import describe_indicator_map, load_overlays, official_classes
from jmdiq_geo.store.workspace import Workspace

PERIOD = date(2024, 12, 31)


@pytest.mark.realdata
def test_description_holds_what_the_map_shows(berlin_ws):
    settings = Settings.from_env()
    d = describe_indicator_map(berlin_ws, indicator_id="jmd_zg_anteil", period=PERIOD, level="bzr",
                               settings=settings, lang="en", scheme="equal_interval", k=4)
    layer = indicator_layer(berlin_ws, indicator_id="jmd_zg_anteil", period=PERIOD, level="bzr", settings=settings)
    expected = classify(layer.areas["value"], scheme="equal_interval", k=4)
    assert d.classes.upper == expected.upper and d.classes.counts == expected.counts
    assert d.official == [] and d.unit == "%" and d.value_digits == 1 and not d.diverging
    assert d.outline_level == berlin_ws.top_level() and d.layer.level == "bzr"
    # the layer's sources, then those of the context drawn over it (railways, water, streets)
    context = {row.source_id for row in berlin_ws.sources().itertuples() if row.source_id in {"osm_geofabrik", "osm_moabit"}}
    assert d.attributions == list(dict.fromkeys(layer.attributions + berlin_ws.attributions(sorted(context))))
    assert set(d.context) == {"rail", "water", "streets"}
    html = draw(d, outlines=berlin_ws.areas(d.outline_level)).get_root().render()
    assert d.title in html and all(a in html for a in d.attributions)


@pytest.mark.realdata
def test_change_and_official_classes_and_overlays(berlin_ws):
    settings = Settings.from_env()
    change = describe_indicator_map(berlin_ws, indicator_id="jmd_zg_anteil", period=PERIOD,
                                    period_from=date(2021, 12, 31), settings=settings)
    assert change.diverging and 0.0 in change.classes.upper and "2021" in change.title and "2024" in change.title
    definition = berlin_ws.indicators().set_index("indicator_id").loc["mss_status"].to_dict()
    codes = official_classes(definition)
    overlays = load_overlays(berlin_ws, service_categories=("jugendfreizeit",))
    mss = describe_indicator_map(berlin_ws, indicator_id="mss_status", period=berlin_ws.periods(
        indicator_id="mss_status")[-1], settings=settings, overlays=overlays)
    assert mss.classes is None and [c for c, _ in mss.official] == [c for c, _ in codes] and len(codes) >= 3
    # the overlay's source is named beside the layer's
    assert len(mss.attributions) > len(mss.layer.attributions)
    html = standalone_html(draw(mss))
    # nothing is loaded from anywhere: Leaflet and its plugins are inlined
    assert "<script src=" not in html and not re.findall(r'<link[^>]+href="https?://', html)
    assert all(label in html for _, label in mss.official)


@pytest.mark.realdata
def test_cli_writes_the_same_map_offline(berlin_location, tmp_path, capsys):
    from jmdiq_geo.cli import main

    out = tmp_path / "karte.html"
    assert main(["--lang", "en", "map", "--db", str(berlin_location), "--indicator", "jmd_zg_anteil", "--period",
                 "2024-12-31", "--level", "bzr", "--scheme", "equal_interval", "--k", "4", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<script src=" not in html and "Amt für Statistik Berlin-Brandenburg, CC BY 3.0 DE" in html
    # the legend's class bounds are those of the description the app draws
    with Workspace(berlin_location, read_only=True) as ws:
        d = describe_indicator_map(ws, indicator_id="jmd_zg_anteil", period=PERIOD, level="bzr",
                                   settings=Settings.from_env(), lang="en", scheme="equal_interval", k=4)
    assert all(format_number(hi, "en", digits=1) in html for hi in d.classes.upper)
    assert "143 areas" in capsys.readouterr().out


@pytest.mark.realdata
def test_cli_map_bad_request_is_a_message(berlin_location, tmp_path, capsys):
    from jmdiq_geo.cli import main

    out = tmp_path / "x.html"
    assert main(["--lang", "en", "map", "--db", str(berlin_location), "--indicator", "nope", "--period", "2024-12-31",
                 "--level", "nowhere", "--palette", "rainbow", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "nowhere" in err and "rainbow" in err and "Traceback" not in err
    assert not out.exists()
