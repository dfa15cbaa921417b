"""The Karte's grid section: a population grid's cells as the statistical layer (the default
where a workspace has no areas with numbers of its own, e.g. a Gemeinde starter; an additional
choice elsewhere)."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.analysis.classify import SCHEMES
from jmdiq_geo.i18n import format_date
from jmdiq_geo.render.indicator_map import draw
from jmdiq_geo.render.maps import PALETTES, display_geometry
from jmdiq_geo.services.grids import GRID_LEVEL, grid_layer, grid_meta, statistical_layers
from jmdiq_geo.services.maps import describe_grid_map, grid_outline_level as outline_level
from jmdiq_geo.ui.maps import context, labels as map_labels, outlines, show_map, view_name
from jmdiq_geo.ui.map_export import description_export
from jmdiq_geo.ui.state import lang, settings, tr, workspace
from jmdiq_geo.ui.widgets import parse_breaks


@st.cache_data(show_spinner=False, max_entries=4)
def _layers(version: float) -> list[str]:
    return statistical_layers(workspace())


@st.cache_data(show_spinner=False, max_entries=16)
def cached_grid_layer(version: float, grid_id: str):
    return grid_layer(workspace(), grid_id=grid_id, settings=settings())


@st.cache_data(show_spinner=False, max_entries=16)
def _display(version: float, grid_id: str):
    """The cells in EPSG:4326 (squares: nothing to simplify), in layer order."""
    return display_geometry(cached_grid_layer(version, grid_id).areas[["geometry"]], tolerance_m=0.0).geometry


def layer_choice(version: float) -> str:
    """``areas`` or ``grid``: a radio where the workspace has both, with grids the default where
    it has no areas with numbers of its own."""
    layers = _layers(version)
    if len(layers) == 1:
        return layers[0]
    if layers[0] == "grid":
        st.caption(tr("map_grid_only"))
    return st.radio(tr("map_layer"), layers, horizontal=True, key="map_layer",
                    format_func=lambda x: tr(f"map_layer_{x}"))


def grid_map_section(version: float) -> None:
    """Choose a grid variable and its classes; the map of its cells with the privacy rules."""
    ws = workspace()
    grids = grid_meta(ws)
    labels = {g: (lab if isinstance(lab, str) and lab else g) for g, lab in zip(grids.index, grids["label"])}
    # the residents grid first: it is what a town without areas looks at first
    ids = sorted(labels, key=lambda g: (grids.at[g, "role"] != "residents", labels[g].lower()))
    c1, c2, c3 = st.columns([3, 1.4, 1.2])
    grid_id = c1.selectbox(tr("map_grid_variable"), ids, format_func=labels.get, key="map_grid")
    scheme = c2.selectbox(tr("map_scheme"), SCHEMES, format_func=lambda s: tr(f"scheme_{s}"), key="map_grid_scheme")
    k = c2.slider(tr("map_classes"), 3, 7, 5, key="map_grid_k", disabled=scheme in ("std_mean", "manual"))
    palette = c3.selectbox(tr("map_palette"), PALETTES, key="map_grid_palette")
    breaks = None
    if scheme == "manual":
        breaks = parse_breaks(st.text_input(tr("map_breaks"), key="map_grid_breaks", value="10; 25; 50; 75"))
        if not breaks:
            st.warning(tr("map_breaks_bad"))
            st.stop()
    layer = cached_grid_layer(version, grid_id)
    description = describe_grid_map(ws, grid_id=grid_id, settings=settings(), lang=lang(), scheme=scheme, k=k,
                                    palette=palette, breaks=breaks, layer=layer, context=context(version)[0],
                                    labels=map_labels(version, outline_level(ws)))
    # the top level's outlines (a town's own outline, Berlin's Bezirke) and the Kreis and Land around it
    m = draw(description, outlines=outlines(version, GRID_LEVEL), display=_display(version, grid_id),
             context=context(version)[1], view=(view_name("grid_map"), ""))
    cells = layer.areas
    st.caption(tr("map_grid_caption", title=description.title,
                  period=format_date(layer.period, lang()) if layer.period else "–",
                  n=int(cells["value"].notna().sum()), total=len(cells), min=settings().min_residents,
                  small=settings().small_count))
    show_map(m, key="grid_map")
    description_export("grid", version, description, outlines=outlines(version, GRID_LEVEL),
                       display=_display(version, grid_id))
