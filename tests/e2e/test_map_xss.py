"""No user-supplied string runs as script in any map (issue "Trust"): the maps are built with
hostile names, labels and titles everywhere, exported as the standalone HTML the app offers,
opened in Chromium, and every tooltip and popup is opened. No dialog may appear, no element from a
payload may exist and nothing may load from outside."""
from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from jmdiq_geo.analysis.classify import classify
from jmdiq_geo.render.access_maps import access_map, add_service_clusters, detour_map, services_map
from jmdiq_geo.render.maps import (VENDOR_DIR, add_points, add_programme_areas, choropleth, drawing_map, finish_layers,
                                   quarter_map, standalone_html)
from tests.e2e.conftest import CHROMIUM

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not (VENDOR_DIR / "leaflet/leaflet.js").exists(), reason="front-end assets missing")]

PAYLOADS = ['<img src=x onerror="alert(1)">', "<script>alert(2)</script>", '"><svg onload=alert(3)>',
            "<iframe src=javascript:alert(4)>", "' onmouseover='alert(5)",
            # template text: folium's second render pass evaluated it on the server (render/safe.py)
            "{{ lipsum.__globals__.os.getcwd() }}", "{% if x"]
X0, Y0 = 390000, 5820000
CRS = "EPSG:25833"


def _areas():
    return gpd.GeoDataFrame({"area_id": [f"a{i}<b>" for i in range(len(PAYLOADS))], "name": PAYLOADS},
                            geometry=[shapely.box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100)
                                      for i in range(len(PAYLOADS))], crs=CRS)


def _points(n=len(PAYLOADS)):
    return gpd.GeoDataFrame({"name": PAYLOADS[:n], "address": PAYLOADS[:n][::-1], "category": ["jugendfreizeit"] * n,
                             "languages": ["ar"] * n, "service_id": [f"s{i}" for i in range(n)]},
                            geometry=[shapely.Point(X0 + 50 + 100 * i, Y0 + 50) for i in range(n)], crs=CRS)


def maps() -> dict[str, str]:
    areas = _areas()
    title = PAYLOADS[0]
    values = pd.Series([10.0 * (i + 1) for i in range(len(areas))], index=areas["area_id"])
    table = areas.assign(value=values.to_numpy(), raw=values.to_numpy(), reason=None, rank=list(range(1, len(areas) + 1)), n_ranked=len(areas),
                         coverage=1.0)
    classes = classify(table["value"], scheme="quantiles", k=3)
    out = {}
    m = choropleth(table, classes=classes, palette="YlOrRd", title=title, unit=PAYLOADS[1], lang="de",
                   attributions=PAYLOADS, city_value=30.0, city_name=PAYLOADS[2])
    programmes = areas.assign(programme=PAYLOADS)
    add_programme_areas(m, programmes, name=PAYLOADS[3], lang="de")
    add_points(m, _points(), name=PAYLOADS[4], colour="#000000", lang="de")
    finish_layers(m)
    out["karte"] = standalone_html(m)
    out["draw"] = standalone_html(drawing_map(areas, lang="de", attributions=PAYLOADS))
    weights = pd.DataFrame({"area_id": areas["area_id"], "method": "full", "weight": 1.0})
    quarter = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 300, Y0 + 100)], crs=CRS).to_crs("EPSG:4326")
    out["quarter"] = standalone_html(quarter_map(quarter, areas, weights=weights, lang="de", attributions=PAYLOADS))
    m = services_map(areas, values, _points(), title=title, lang="de", attributions=PAYLOADS)
    out["services"] = standalone_html(m)
    acc = pd.DataFrame({"area": areas["area_id"], "share_beyond": [10.0, 60.0, 5.0, 1.0, 3.0, 20.0, 40.0], "method": "network"})
    out["access"] = standalone_html(access_map(areas, acc, measure="share_beyond", title=title, lang="de",
                                               attributions=PAYLOADS))
    origins = pd.DataFrame({"x": [X0 + 50, X0 + 150, X0 + 250], "y": [Y0 + 50] * 3, "on_network": [True, True, False],
                            "detour": [1.2, 2.5, np.nan], "unreachable": [False, False, True],
                            "nearest_name": PAYLOADS[:3]})
    pairs = pd.DataFrame({"x": [X0 + 150], "y": [Y0 + 50], "sx": [X0 + 380], "sy": [Y0 + 50], "service": [PAYLOADS[1]],
                          "straight_m": [230.0], "network_m": [575.0], "detour": [2.5]})
    barriers = gpd.GeoDataFrame({"kind": ["water"], "class": [PAYLOADS[3]], "name": [PAYLOADS[4]]},
                                geometry=[shapely.LineString([(X0, Y0 + 80), (X0 + 400, Y0 + 80)])], crs=CRS)
    out["detour"] = standalone_html(detour_map(origins, pairs, barriers, crs=CRS, lang="de", attributions=PAYLOADS,
                                               coverage=shapely.box(X0, Y0, X0 + 500, Y0 + 100)))
    return out


OPEN_ALL = """() => {
  const maps = Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k]).filter(m => m && m.eachLayer);
  let n = 0;
  const visit = (layer, map) => {
    if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(layer.getLatLng ? layer.getLatLng() : map.getCenter()); n++; }
    if (layer.getPopup && layer.getPopup()) { layer.openPopup(); n++; }
    if (layer.eachLayer) layer.eachLayer(l => visit(l, map));
  };
  maps.forEach(m => m.eachLayer(l => visit(l, m)));
  return n;
}"""


@pytest.mark.parametrize("name", ["karte", "draw", "quarter", "services", "access", "detour"])
def test_no_payload_runs_in_any_map(browser, tmp_path, name):
    html = maps()[name]
    assert os.getcwd() not in html                      # no template text was evaluated
    dialogs, outside = [], []
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
               else (outside.append(r.request.url), r.abort()))
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_timeout(500)
    opened = page.evaluate(OPEN_ALL)
    page.wait_for_timeout(800)
    found = page.evaluate("() => document.querySelectorAll('img[src=x], svg[onload], iframe, script:not([src])')"
                          ".length - document.querySelectorAll('script:not([src])').length")
    text = page.evaluate("() => document.body.innerText")
    context.close()
    assert opened > 0, "no tooltip or popup was opened"
    assert dialogs == [] and outside == [] and found == 0, (dialogs, outside, found)
    assert "<img src=x" in text or "<script>alert(2)</script>" in text       # the payloads show as text
