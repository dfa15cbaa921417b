"""A map prepared once (``ui/map_payload.py``) reaches streamlit-folium's component with exactly
the arguments ``st_folium`` would give it for the same map: the prepared map is what every
session of the Karte shows."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import streamlit_folium

from jmdiq_geo.analysis.classify import classify
from jmdiq_geo.render.map_context import add_labels
from jmdiq_geo.render.maps import choropleth
from jmdiq_geo.ui import map_payload


def _map():
    areas = gpd.GeoDataFrame({"area_id": ["a", "b", "c"], "name": ["Nord", "Süd <b>", "Mitte"],
                              "value": [1.0, 5.0, 9.0], "rank": [3.0, 2.0, 1.0], "reason": [None] * 3,
                              "coverage": [1.0] * 3, "n_ranked": [3] * 3},
                             geometry=[shapely.box(390000 + i * 100, 5820000, 390100 + i * 100, 5820100)
                                       for i in range(3)], crs="EPSG:25833")
    m = choropleth(areas, classes=classify(pd.Series(areas["value"]), k=3), palette="YlOrRd", title="Wert",
                   unit="%", lang="de", attributions=["Quelle, CC BY 4.0"])
    add_labels(m, [])
    return m


def test_prepared_map_reaches_the_component_as_st_folium_would_send_it(monkeypatch):
    calls = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: calls.append(kwargs))
    streamlit_folium.st_folium(_map(), key="indicator_map", height=640, use_container_width=True,
                               returned_objects=["last_active_drawing"])
    prepared = map_payload.prepare(_map(), key="indicator_map", returned_objects=("last_active_drawing",))
    map_payload.show(prepared, key="indicator_map", height=640)
    theirs, ours = ({k: v for k, v in c.items() if k != "on_change"} for c in calls)
    assert set(theirs) == set(ours)
    for name in theirs:
        assert ours[name] == theirs[name], name
    assert "Süd &lt;b&gt;" in ours["script"] or "S\\u00fcd" in ours["script"]      # the map's own text is in it
