"""The source line of a map names each source once: a layer's sources and its context's (OSM
for both, e.g.) are merged in the browser into one line (``render.safe.sources_js``)."""
from __future__ import annotations

import pytest

from jmdiq_geo.render.map_context import make_readable
from jmdiq_geo.render.maps import standalone_html
from tests.render.test_map_scripts import tiny_map

pytestmark = pytest.mark.e2e


def test_a_source_named_by_the_layer_and_its_context_is_named_once(browser):
    m = tiny_map(title="Anteil", attributions=["Amt für Statistik, CC BY 4.0", "© OpenStreetMap (ODbL)"])
    make_readable(m, context={}, labels=[], attributions=["© OpenStreetMap (ODbL)", "BKG, dl-de/by-2-0"])
    page = browser.new_page()
    try:
        page.route("**/*", lambda r: r.abort())          # the standalone HTML needs nothing outside
        page.set_content(standalone_html(m))
        line = page.locator(".leaflet-control-attribution").inner_text()
    finally:
        page.close()
    assert line == "Amt für Statistik, CC BY 4.0 · © OpenStreetMap (ODbL) · BKG, dl-de/by-2-0"
