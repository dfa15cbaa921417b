"""Real clients open the exported GeoPackage: QGIS itself (Debian's python3-qgis under the system
python3, headless) and GDAL's ogrinfo. ``scripts/setup.sh --with-browser`` (used by
``scripts/test.sh`` and CI) installs both; without them these tests are skipped saying so."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jmdiq_geo.config import Settings
from tests.fixtures.exports import EXPORT_PERIOD

pytestmark = pytest.mark.realdata
SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("qgis_open.py")


def _qgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def qgis_view(exported, tmp_path_factory):
    """What QGIS made of every layer of the exported GeoPackage (one QGIS start for all)."""
    if not _qgis_available():
        pytest.skip("Debian's python3-qgis is not installed for /usr/bin/python3 "
                    "(bash scripts/setup.sh --with-browser installs it)")
    out = tmp_path_factory.mktemp("qgis")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(out)}
    done = subprocess.run([SYSTEM_PYTHON, str(SCRIPT), str(exported["gpkg"].path), str(out)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _description(hostile_db, indicator, level):
    from jmdiq_geo.services.maps import describe_indicator_map
    from jmdiq_geo.store.workspace import Workspace

    with Workspace(hostile_db, read_only=True) as ws:
        return describe_indicator_map(ws, indicator_id=indicator, period=EXPORT_PERIOD, level=level,
                                      settings=Settings.from_env(), lang="de")


def test_qgis_opens_every_layer_with_its_default_style_and_draws_it(qgis_view, exported):
    assert set(qgis_view) == set(exported["gpkg"].layers)
    for name, info in qgis_view.items():
        assert info["valid"], name
        assert info["features"] == exported["gpkg"].layers[name], name
        assert info["abstract"], name                                 # sources and licences
        if name != "sources":
            assert info["stored_styles"] >= 1, name
            # a layer drawn in the default style is not blank (a PNG QGIS rendered itself)
            assert info["painted_pixels"] > (5000 if name.startswith("areas") else 10), (name, info["painted_pixels"])
            assert Path(info["png"]).stat().st_size > 1000
    assert qgis_view["services"]["renderer"] == "categorizedSymbol"
    # without the stored default QGIS would draw a single symbol in a random colour
    from jmdiq_geo.render.indicator_map import PARTNER_COLOUR, PROJECT_COLOUR
    assert qgis_view["projects"]["colour"] == PROJECT_COLOUR.lower()
    assert qgis_view["partners"]["colour"] == PARTNER_COLOUR.lower()
    assert qgis_view["areas_plr"]["aliases"]["area_id"] == "Gebiets-ID"
    # area names as labels: the 542 planning areas from 1:75 000 inwards, the 12 districts always
    from jmdiq_geo.services.exports import NAMES_UP_TO_SCALE
    plr, bezirk = qgis_view["areas_plr"], qgis_view["areas_bezirk"]
    assert plr["labels_enabled"] and plr["label_field"] == "name" and plr["label_up_to_scale"] == NAMES_UP_TO_SCALE
    assert bezirk["labels_enabled"] and bezirk["label_field"] == "name" and bezirk["label_up_to_scale"] is None


def test_qgis_graduated_classes_equal_the_apps(qgis_view, hostile_db):
    """The district layer opens in the count's style: QGIS' ranges, colours and labels are the
    Karte's classes (``describe_indicator_map``) and palette colours."""
    from jmdiq_geo.render.maps import palette_colours

    view = qgis_view["areas_bezirk"]
    assert view["renderer"] == "graduatedSymbol" and view["field"] == "mss_ew"
    app = _description(hostile_db, "mss_ew", "bezirk")
    got = view["ranges"]
    assert [r["lower"] for r in got] == pytest.approx(app.classes.lower)
    assert [r["upper"] for r in got] == pytest.approx(app.classes.upper)
    assert [r["colour"] for r in got] == palette_colours(app.palette, app.classes.k)
    assert all(re.fullmatch(r"[\d.]+ – [\d.]+", r["label"]) for r in got)        # German, persons without decimals


def test_qgis_official_classes_are_categories_with_their_labels(qgis_view, hostile_db):
    from jmdiq_geo.render.maps import NO_VALUE_COLOUR, palette_colours

    view = qgis_view["areas_plr"]
    assert view["renderer"] == "categorizedSymbol" and view["field"] == "mss_status"
    app = _description(hostile_db, "mss_status", "plr")
    colours = palette_colours(app.palette, len(app.official))
    expected = [(format(code, "g"), label, colour) for (code, label), colour in zip(app.official, colours)]
    got = [(str(c["value"]), c["label"], c["colour"]) for c in view["categories"]]
    assert got[:-1] == expected and got[-1] == ("", "keine Angabe", NO_VALUE_COLOUR)
    assert [label for _, label, _ in expected] == ["hoch", "mittel", "niedrig", "sehr niedrig"]


def test_ogrinfo_lists_every_layer_with_its_feature_count(exported, hostile_db):
    from jmdiq_geo.services.projects import records
    from jmdiq_geo.store.workspace import Workspace

    if shutil.which("ogrinfo") is None:
        pytest.skip("GDAL's ogrinfo is not installed (bash scripts/setup.sh --with-browser installs gdal-bin)")
    done = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(exported["gpkg"].path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    counts = dict(zip(re.findall(r"^Layer name: (\S+)", done.stdout, re.M),
                      map(int, re.findall(r"^Feature Count: (\d+)", done.stdout, re.M))))
    with Workspace(hostile_db, read_only=True) as ws:
        source = {"areas_plr": len(ws.areas("plr")), "areas_bezirk": len(ws.areas("bezirk")),
                  "services": len(ws.services()), "projects": len(records(ws, "project")),
                  "partners": len(records(ws, "partner")), "sources": len(ws.sources())}
    assert {k: v for k, v in counts.items() if k != "layer_styles"} == source
    assert counts["layer_styles"] >= len(source) - 1          # at least one style per spatial layer
