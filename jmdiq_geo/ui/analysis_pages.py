"""Cached computations and maps for the index and hot-spot pages."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from jmdiq_geo.analysis.hotspots import VALUED_LABELS, local_moran
from jmdiq_geo.analysis.index import IndexDef
from jmdiq_geo.errors import AnalysisError, InputError, Problem
from jmdiq_geo.services.catalogue import usable_indices
from jmdiq_geo.services.layers import compute_index_for, indicator_layer
from jmdiq_geo.services.maps import index_map_parts
from jmdiq_geo.render.maps import category_map, standalone_html
from jmdiq_geo.ui.feedback import show_notices
from jmdiq_geo.ui.map_export import category_map_export
from jmdiq_geo.ui.maps import display_geometry_of, outlines
from jmdiq_geo.i18n import localized
from jmdiq_geo.ui.state import settings, tr, workspace

#: hot-spot colours: red hot spots, blue cold spots, light tones for outliers (ColorBrewer RdBu)
CLUSTER_COLOURS = {"high_high": "#d7191c", "low_low": "#2c7bb6", "high_low": "#fdae61", "low_high": "#abd9e9",
                   "not_significant": "#f0f0f0", "island": "#bdbdbd"}


def index_definitions() -> dict[str, IndexDef]:
    """Shipped definitions (data/indices/*.toml) and the ones saved in the workspace. A shipped
    definition this city's data cannot serve (the MSS needs Berlin's indicators) is a notice
    saying what it lacks, not an error: nothing went wrong."""
    unusable = []
    found = usable_indices(workspace(), on_unusable=lambda exc: unusable.extend(exc.problems))
    if unusable:                  # folded: what another city's definition lacks is a detail here
        files = {p.file for p in unusable}
        with st.expander(tr("index_definitions_unusable", n=len(files)), icon=":material/info:"):
            show_notices(unusable, title_key="index_definition_unusable")
    return found


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs={IndexDef: repr})
def cached_index(version: float, definition: IndexDef, period: date):
    return compute_index_for(workspace(), definition, period=period).table


def index_map(version: float, definition: IndexDef, period: date, part: str, lang: str):
    """(map, counts table) for one component of an index, or its overall groups."""
    table = cached_index(version, definition, period)
    ws = workspace()
    areas = ws.areas(definition.level)
    codes, cats, title, sources = index_map_parts(ws, definition, table, part, lang)
    drawn = dict(areas=areas, codes=codes, categories=cats, title=title, lang=lang, attributions=sources,
                 outlines=outlines(version, definition.level), display=display_geometry_of(version, definition.level))
    m = category_map(**drawn)
    category_map_export("index", version, level=definition.level, areas=areas, codes=codes, categories=cats,
                        title=title, attributions=sources, periods=[period],
                        html=lambda: standalone_html(category_map(**drawn)))
    counts = pd.DataFrame([(label, int((codes == code).sum())) for code, label, _ in cats],
                          columns=["label", "n"])
    counts["share"] = counts["n"] / max(1, counts["n"].sum())
    return m, counts, title


@st.cache_data(show_spinner=False, max_entries=16)
def cached_hotspots(version: float, indicator_id: str, period: date, level: str, significance: float):
    layer = indicator_layer(workspace(), indicator_id=indicator_id, period=period, level=level, settings=settings())
    values = layer.areas.set_index("area_id")["value"]
    try:
        result = local_moran(layer.areas[["area_id", "geometry"]], values, significance=significance)
    except AnalysisError as exc:     # too few values, all equal, no neighbours: why, in the page's language
        raise InputError([Problem("hotspot_not_possible_why"), *exc.problems]) from None
    except ValueError as exc:        # anything else the statistics refuse: say so, no traceback
        raise InputError(Problem("hotspot_not_possible", {"reason": str(exc)})) from None
    return layer, result


def hotspot_map(version: float, indicator_id: str, period: date, level: str, significance: float, lang: str):
    layer, result = cached_hotspots(version, indicator_id, period, level, significance)
    areas = layer.areas
    codes = result.table["cluster"].reindex(areas["area_id"].to_numpy())
    codes.index = areas.index
    cats = [(label, tr(f"cluster_{label}"), CLUSTER_COLOURS[label]) for label in VALUED_LABELS]
    definition = layer.definition
    title = tr("hotspot_map_title", indicator=localized(definition, lang))
    drawn = dict(areas=areas, codes=codes, categories=cats, title=title, lang=lang, attributions=layer.attributions,
                 outlines=outlines(version, level), display=display_geometry_of(version, level))
    m = category_map(**drawn)
    category_map_export("hotspot", version, level=level, areas=areas, codes=codes, categories=cats, title=title,
                        attributions=layer.attributions, periods=[period],
                        html=lambda: standalone_html(category_map(**drawn)))
    shares = pd.DataFrame([(tr(f"cluster_{k}"), v) for k, v in result.shares.items()], columns=["label", "share"])
    return m, shares, result
