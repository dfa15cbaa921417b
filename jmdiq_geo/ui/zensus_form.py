"""Import page, kind "zensus": the Zensus 2022 grids of the nationwide layers cut to the
workspace's areas, and every area's residents and foreign nationals from them
(``services.new_city.add_zensus``); offered where the nationwide layers are below the data root."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.i18n import format_number, localized_column
from jmdiq_geo.services.new_city import add_zensus, nationwide_available, zensus_residents
from jmdiq_geo.ui.feedback import guard
from jmdiq_geo.ui.state import lang, settings, tr, workspace


def zensus_offered() -> bool:
    return nationwide_available(settings().data_root)


def zensus_form() -> None:
    ws = workspace()
    st.write(tr("zensus_intro"))
    if ws.meta().get("zensus") == "true":
        st.caption(tr("zensus_again"))
    current = ws.meta().get("population_indicator")
    residents = False
    if current and current != zensus_residents(settings().data_root):
        indicators = ws.indicators()
        labels = dict(zip(indicators["indicator_id"], localized_column(indicators, lang())))
        residents = st.checkbox(tr("zensus_as_residents", current=labels.get(current, current)),
                                key="zensus_residents")
    if not st.button(tr("zensus_run"), type="primary", key="zensus_run"):
        return
    with guard("import_failed"):
        bar = st.progress(0.0)
        report = add_zensus(ws, data_root=settings().data_root, residents=residents, lang=lang(),
                            progress=lambda i, total, label: bar.progress(i / total, text=label))
        bar.empty()
        st.cache_data.clear()
        st.success(tr("zensus_done", areas=format_number(sum(report.areas.values()), lang(), digits=0),
                      cells=format_number(sum(report.cells.values()), lang(), digits=0)))
