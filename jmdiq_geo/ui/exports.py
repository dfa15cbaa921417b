"""Daten page: the workspace (or a selection) for other tools — GeoPackage with QGIS styles,
GeoParquet, CSV (plain or for German Excel) and XLSX, built by ``services.exports`` (the same
function as ``jmdiq-geo export``)."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.i18n import format_date, localized
from jmdiq_geo.services.exports import FORMATS, LAYERS, default_period, export_bytes
from jmdiq_geo.ui.feedback import guard
from jmdiq_geo.ui.state import lang, require_workspace, settings, tr


def export_section() -> None:
    ws = require_workspace()
    levels = [lv for lv in ws.levels_in_order() if lv in ws.levels_with_areas()]
    if not levels:                      # a new, empty workspace: nothing to export yet
        st.caption(tr("exp_no_areas"))
        return
    st.caption(tr("exp_help", min=settings().min_residents, small=settings().small_count))
    level_rows = ws.levels().set_index("level")
    periods = sorted(ws.periods(level=ws.lowest_level()), reverse=True)
    c1, c2, c3 = st.columns(3)
    fmt = c1.selectbox(tr("exp_format"), FORMATS, format_func=lambda f: tr(f"exp_format_{f.replace('-', '_')}"),
                       key="exp_format")
    chosen_levels = c2.multiselect(tr("exp_levels"), levels, default=levels,
                                   format_func=lambda lv: localized(level_rows.loc[lv], lang()), key="exp_levels")
    period = c3.selectbox(tr("exp_period"), periods, format_func=lambda p: format_date(p, lang()),
                          index=periods.index(default_period(ws)) if periods else None, key="exp_period")
    layers = st.multiselect(tr("exp_layers"), LAYERS, default=list(LAYERS),
                            format_func=lambda x: tr(f"exp_layer_{x}"), key="exp_layers")
    defs = ws.indicators()
    with_values = [i for i in defs["indicator_id"] if period is not None and period in ws.periods(indicator_id=i)]
    labels = dict(zip(defs["indicator_id"], (localized(r, lang()) for _, r in defs.iterrows())))
    start = ws.meta().get("default_indicator")          # as the Karte opens
    style = st.selectbox(tr("exp_style_indicator"), with_values, format_func=lambda i: labels.get(i, i),
                         index=with_values.index(start) if start in with_values else 0,
                         key="exp_style_indicator", help=tr("exp_style_help"))
    selection = (fmt, tuple(chosen_levels), period, tuple(layers), style)
    if st.button(tr("exp_make"), key="exp_make", disabled=not chosen_levels and "areas" in layers):
        with guard(), st.spinner(tr("exp_making")):
            name = f"{ws.meta().get('city_id') or 'export'}_{period.isoformat() if period else 'daten'}"
            st.session_state["exp_result"] = (selection, *export_bytes(
                ws, fmt=fmt, settings=settings(), lang=lang(), name=name, levels=list(chosen_levels) or None,
                period=period, layers=tuple(layers), default_indicator=style))
    done = st.session_state.get("exp_result")
    if done and done[0] == selection:           # a download only for what the widgets show
        _, data, file_name, mime = done
        st.download_button(tr("exp_download", name=file_name, size=f"{len(data) / 1e6:.1f}"), data=data,
                           file_name=file_name, mime=mime, key="exp_download")
