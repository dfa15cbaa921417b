"""Maps of walking access (``jmdiq_geo.render.access_maps``) drawn offline from tiny inputs: the
labels of the measures, the persona line, the access map and the detour map name their sources,
link nothing outside the app, and say where a figure is an estimate."""
import html as html_lib
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from jmdiq_geo.analysis.attributes import Persona
from jmdiq_geo.i18n import t
from jmdiq_geo.render.access_maps import access_map, detour_map, measure_label, persona_summary
from jmdiq_geo.render.maps import VENDOR_DIR, standalone_html

X0, Y0 = 390000, 5820000
SOURCES = ["Testamt Teststadt, CC BY 4.0", "OpenStreetMap-Mitwirkende, ODbL 1.0"]


def plain(html: str) -> str:
    """The page's text as a reader sees it (JSON escapes and HTML entities undone)."""
    return html_lib.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html))


def outside_links(html: str) -> list[str]:
    """Scripts, styles and images the page would load from elsewhere (a plain link such as
    Leaflet's own attribution prefix loads nothing)."""
    return re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', html)


@pytest.fixture
def areas() -> gpd.GeoDataFrame:
    """Four 100 m squares in a row (EPSG:25833)."""
    return gpd.GeoDataFrame({"area_id": ["a1", "a2", "a3", "a4"], "name": ["Nord", "Süd", "Mitte", "West"]},
                            geometry=[shapely.box(X0 + i * 100, Y0, X0 + (i + 1) * 100, Y0 + 100) for i in range(4)],
                            crs="EPSG:25833")


# --------------------------------------------------------------------------- labels

@pytest.mark.parametrize("lang", ["de", "en"])
def test_measure_labels_name_their_minutes(lang):
    assert measure_label("share_beyond", lang, far=15) == t("access_m_share_beyond", lang, th="15")
    assert "15" in measure_label("share_beyond", lang, far=15)
    assert "20" in measure_label("share_beyond", lang, far=20)
    # the count within a threshold takes the minutes from the column, not from ``far``
    within = measure_label("n_within_10", lang, far=15)
    assert "10" in within and "15" not in within
    short = measure_label("share_beyond", lang, far=15, short=True)
    assert short == t("access_s_share_beyond", lang, th="15") and len(short) < len(measure_label(
        "share_beyond", lang, far=15))


def test_measure_label_names_the_demand_group_of_e2sfca():
    assert "Kinder unter 6" in measure_label("e2sfca", "de", far=15, group="Kinder unter 6")
    assert "Kinder unter 6" not in measure_label("e2sfca", "de", far=15)
    assert "Kinder unter 6" not in measure_label("e2sfca", "de", far=15, short=True, group="Kinder unter 6")
    assert measure_label("e2sfca", "de", far=15) != measure_label("e2sfca", "en", far=15)


def test_persona_summary_names_what_the_persona_asks_for():
    persona = Persona("Test", 16.0, ["ar", "de"], "Mo-Fr 15:00-18:00", True, True)
    de = persona_summary(persona, "de")
    assert de.split(" · ") == [t("persona_age_is", "de", age="16"), "Arabisch (ar), Deutsch (de)", "Mo-Fr 15:00-18:00",
                               t("persona_free", "de"), t("persona_wheelchair", "de")]
    assert "Arabic (ar)" in persona_summary(persona, "en")
    assert persona_summary(Persona(), "de") == "–"
    assert persona_summary(Persona(languages=["tr"]), "en") == "Turkish (tr)"


# --------------------------------------------------------------------------- access map

def test_access_map_names_sources_and_estimates_offline(areas):
    table = pd.DataFrame({"area": ["a1", "a2", "a3"], "share_beyond": [10.0, 60.0, 30.0],
                          "method": ["network", "estimate", "mixed"]})
    m = access_map(areas, table, measure="share_beyond", title="Anteil über 15 Min.", lang="de",
                   attributions=SOURCES, coverage=shapely.box(X0, Y0, X0 + 200, Y0 + 100))
    raw = m.get_root().render()
    assert outside_links(raw) == []
    html = plain(raw)
    assert all(source in html for source in SOURCES)
    # the legend says how many areas are estimates (one; a mixed area is not counted) …
    assert "Anteil über 15 Min. — " + t("access_legend_estimates", "de", n=1) in html
    # … and the tooltips which area is estimated or mixed, in German numbers
    assert "60 · " + t("access_method_estimate", "de") in html and "30 · " + t("access_method_mixed", "de") in html
    # an area without a value is named so, and the network area is outlined
    assert t("no_value", "de") in html and t("access_network_area", "de") in html


def test_access_map_numbers_in_the_page_language(areas):
    table = pd.DataFrame({"area": ["a1", "a2", "a3", "a4"], "median_min": [4.25, 12.5, 7.75, 21.0],
                          "method": "network"})
    de = plain(access_map(areas, table, measure="median_min", title="Median", lang="de",
                          attributions=SOURCES[:1]).get_root().render())
    en = plain(access_map(areas, table, measure="median_min", title="Median", lang="en",
                          attributions=SOURCES[:1]).get_root().render())
    assert "12,5" in de and "12.5" in en                      # one digit for minutes
    assert not any(t("access_legend_estimates", "de", n=n) in de for n in range(1, 5))   # nothing estimated
    assert SOURCES[0] in de and SOURCES[0] in en


@pytest.mark.skipif(not (VENDOR_DIR / "leaflet/leaflet.js").exists(), reason="front-end assets not installed")
def test_access_map_export_opens_offline(areas):
    table = pd.DataFrame({"area": ["a1", "a2"], "share_beyond": [10.0, 60.0], "method": "network"})
    html = standalone_html(access_map(areas, table, measure="share_beyond", title="Anteil", lang="de",
                                      attributions=SOURCES))
    assert "<script src=" not in html and outside_links(html) == []
    assert SOURCES[0] in plain(html)


# --------------------------------------------------------------------------- detour map

def test_detour_map_shows_barriers_pairs_and_cut_off_homes(areas):
    origins = pd.DataFrame({"x": [X0 + 50, X0 + 150, X0 + 250], "y": [Y0 + 50] * 3,
                            "on_network": [True, True, False], "detour": [1.2, 2.5, np.nan],
                            "unreachable": [False, False, True],
                            "nearest_name": ["Jugendclub West", "Jugendclub Ost", None]})
    pairs = pd.DataFrame({"x": [X0 + 150], "y": [Y0 + 50], "sx": [X0 + 380], "sy": [Y0 + 50],
                          "service": ["Jugendclub Ost"], "straight_m": [230.0], "network_m": [575.0], "detour": [2.5]})
    barriers = gpd.GeoDataFrame({"kind": ["water", "rail"], "class": ["river", "rail"], "name": ["Spree", "Ringbahn"]},
                                geometry=[shapely.LineString([(X0, Y0 + 80), (X0 + 400, Y0 + 80)]),
                                          shapely.LineString([(X0 + 200, Y0), (X0 + 200, Y0 + 100)])],
                                crs="EPSG:25833")
    m = detour_map(origins, pairs, barriers, crs="EPSG:25833", lang="de", attributions=SOURCES,
                   coverage=shapely.box(X0, Y0, X0 + 400, Y0 + 100))
    raw = m.get_root().render()
    assert outside_links(raw) == []
    html = plain(raw)
    assert all(source in html for source in SOURCES)
    assert "Spree" in html and "Ringbahn" in html
    assert t("access_barrier_water", "de") in html and t("access_barrier_rail", "de") in html
    # the worst pair with both distances, the detour factors in German numbers
    assert t("access_pair_tip", "de", service="Jugendclub Ost", straight="230", network="575") in html
    assert "2,50" in html and "1,20" in html
    # the home that is not connected is shown and counted
    assert f"{t('acc_unreachable', 'de')} (1)" in html
    # the homes sit in Berlin in degrees (the map is in EPSG:4326)
    lat = [float(v) for v in re.findall(r"\[(52\.\d+), 13\.\d+\]", html)]
    assert lat and all(52.4 < v < 52.6 for v in lat)
