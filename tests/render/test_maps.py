"""Maps draw without any network: no CDN links, Leaflet inlined in exports, attribution present."""
import re
from datetime import date

import pytest

from jmdiq_geo.analysis.classify import classify
from jmdiq_geo.config import Settings
from jmdiq_geo.services.layers import indicator_layer
from jmdiq_geo.render.maps import VENDOR_DIR, choropleth, standalone_html


@pytest.fixture
def berlin_map(berlin_ws):
    layer = indicator_layer(berlin_ws, indicator_id="jmd_zg_anteil", period=date(2024, 12, 31), level="plr",
                            settings=Settings.from_env())
    classes = classify(layer.areas["value"], scheme="quantiles", k=5)
    return choropleth(layer.areas, classes=classes, palette="YlOrRd", title="Anteil", unit="%", lang="de",
                      attributions=layer.attributions, city_value=layer.city_value), layer


@pytest.mark.realdata
def test_map_html_has_no_outside_links(berlin_map):
    m, layer = berlin_map
    html = m.get_root().render()
    outside = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert outside == []
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "Amt für Statistik Berlin-Brandenburg, CC BY 3.0 DE" in html
    # the 6 areas under 300 residents are hidden, and with each a neighbour in its Bezirksregion
    # (secondary suppression: the region's total minus the shown ones must not give it away)
    reasons = layer.areas["reason"].value_counts().to_dict()
    assert len(layer.areas) == 542 and reasons == {"small_area": 6, "complement": 6}
    assert layer.areas["value"].notna().sum() == 530


@pytest.mark.realdata
@pytest.mark.skipif(not (VENDOR_DIR / "leaflet/leaflet.js").exists(), reason="front-end assets not installed")
def test_standalone_export_inlines_leaflet(berlin_map):
    html = standalone_html(berlin_map[0])
    assert "<script src=" not in html and "L.geoJson" in html or "L.geoJSON" in html
    assert "Leaflet" in html and "cdn" not in html.lower()
