"""QGIS itself opens the PostGIS layers of a live PostgreSQL workspace (the server the tests
start, tests/fixtures/postgres.py): valid, in the work CRS, every feature, styled from the
``layer_styles`` table with the app's colours, drawn."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from jmdiq_geo.render.access_maps import CATEGORY_COLOURS
from jmdiq_geo.render.indicator_map import PROJECT_COLOUR
from jmdiq_geo.services.postgis import publish_qgis_styles
from tests.fixtures.files import WORK_CRS
from tests.fixtures.projects import INSIDE, add_partners, make_project
from tests.fixtures.workspaces import tiny_workspace
from tests.clients.test_qgis import SYSTEM_PYTHON, _qgis_available

pytestmark = pytest.mark.postgres
SCRIPT = Path(__file__).with_name("qgis_postgis.py")


def test_qgis_opens_the_postgis_layers_of_a_live_workspace(tiny_files, pg_server, tmp_path):
    if not _qgis_available():
        pytest.skip("Debian's python3-qgis is not installed for /usr/bin/python3 "
                    "(bash scripts/setup.sh --with-browser installs it)")
    from jmdiq_geo.services.projects import save_project

    url = pg_server.new_database("qgis")
    with tiny_workspace(url, tiny_files) as ws:
        add_partners(ws)
        save_project(ws, make_project(), expected_version=None, user="anna")
        ws.add_service({"category": "kita", "name": "Kita"}, x=INSIDE[0], y=INSIDE[1])
        ws.add_service({"category": "schule", "name": "Schule"}, x=INSIDE[0] + 50, y=INSIDE[1])
        assert publish_qgis_styles(ws)
        n_areas = len(ws.areas("plr")) + len(ws.areas("bzr"))
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run([SYSTEM_PYTHON, str(SCRIPT), query["host"][0], parts.path.lstrip("/"), query["user"][0],
                           str(tmp_path), "areas", "services", "projects"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    view = json.loads(done.stdout.strip().splitlines()[-1])
    assert {name: (v["valid"], v["crs"]) for name, v in view.items()} == \
        {name: (True, WORK_CRS) for name in ("areas", "services", "projects")}
    assert [view[n]["features"] for n in ("areas", "services", "projects")] == [n_areas, 2, 1]
    assert view["services"]["renderer"] == "categorizedSymbol"
    assert view["services"]["categories"] == {**{c: CATEGORY_COLOURS[c].lower() for c in ("kita", "schule")},
                                              "": "#444444"}          # "" = every other category
    assert view["projects"]["colour"] == PROJECT_COLOUR.lower()
    assert all(v["stored_styles"] >= 1 and v["painted_pixels"] > 0 for v in view.values())
    for name in view:
        Path(view[name]["png"]).replace(Path(os.environ.get("JMDIQ_QGIS_PNG_DIR", tmp_path)) / f"pg_{name}.png")
