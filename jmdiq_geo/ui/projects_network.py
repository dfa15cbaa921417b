"""The yearly network of partners (ties, the network map, changes between two years) and the
CSV/GeoJSON exchange of projects and partners."""
from __future__ import annotations

from datetime import date

import streamlit as st

from jmdiq_geo.analysis.projects import FORMALISATION, Tie
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.services.projects import (export_files, get_record, import_file, network_maps, records, save_tie,
                                         tie_years, ties_of_year)
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.projects import field_labels, headed, number_cells, partner_label, saved, user
from jmdiq_geo.ui.state import lang, tr, workspace


def network_section() -> None:
    ws = workspace()
    partners = records(ws, "partner")
    if partners.empty:
        st.info(tr("network_no_partners"))
        return
    names = dict(zip(partners["partner_id"], partners["name"]))
    tie_form(ws, names)
    network_map_section(ws, records(ws, "tie"), names)


def tie_form(ws, names: dict[str, str]) -> None:
    """Enter or change one partner's tie of one year (the only part of the section that saves)."""
    with st.form("tie_form"):
        c1, c2, c3, c4, c5 = st.columns([2.2, 1, 1, 1, 1.4])
        partner = c1.selectbox(tr("projects_partners"), list(names), format_func=partner_label(names),
                               key="tie_partner")
        year = c2.number_input(tr("projects_year"), 2000, 2100, value=date.today().year, key="network_year")
        intensity = c3.selectbox(tr("network_intensity"), [1, 2, 3], index=1, key="tie_intensity")
        importance = c4.selectbox(tr("network_importance"), [1, 2, 3], index=1, key="tie_importance")
        formal = c5.selectbox(tr("network_formalisation"), FORMALISATION, key="tie_formal")
        topic = st.text_input(tr("network_topic"), key="tie_topic")
        if st.form_submit_button(tr("network_save"), type="primary"):
            old = get_record(ws, "tie", f"{partner}:{int(year)}")
            try:
                result = save_tie(ws, Tie(partner, int(year), int(intensity), int(importance), formal, topic),
                                  expected_version=old[1] if old else None, user=user())
            except JmdiqError as exc:
                show_error(exc, fields=field_labels())
            else:
                # the map shows the year just entered, beside the year before it (the choosers come
                # later in this run, so their state may still be set here)
                st.session_state["network_map_year"] = int(year)
                st.session_state.pop("network_map_other", None)
                saved(*result, record=f"{names[partner]} {int(year)}")


def network_map_section(ws, ties, names: dict[str, str]) -> None:
    """The Netzwerkkarte of a chosen year, beside an earlier (or any second) year with the changes
    marked: chosen apart from the entry form, drawn from the saved ties, saving nothing."""
    years = tie_years(ties)
    if not years:
        return
    st.markdown(f"**{tr('network_map_heading')}**")
    c1, c2 = st.columns(2)
    year = c1.selectbox(tr("network_map_year"), years, index=len(years) - 1, key="network_map_year")
    others = [None, *[y for y in years if y != year]]
    previous = max((y for y in years if y < year), default=None)
    other = c2.selectbox(tr("network_map_compare"), others, index=others.index(previous), key="network_map_other",
                         format_func=lambda y: tr("network_map_alone") if y is None else str(y))
    shown = ties_of_year(ties, names, int(year))
    st.dataframe(headed(shown[["name", "year", "intensity", "importance", "formalisation", "topic", "version",
                               "updated_by"]]), hide_index=True, width="stretch")
    fig, changes = network_maps(ws, int(year), other, title=tr("network_title"), lang=lang())
    st.image(fig, width="stretch" if other is not None else 560)
    stem = f"netzwerkkarte_{year}" + (f"_{other}" if other is not None else "")
    d1, d2 = st.columns(2)
    d1.download_button("PNG", fig, file_name=f"{stem}.png", mime="image/png", key="network_png")
    d2.download_button("SVG", network_maps(ws, int(year), other, title=tr("network_title"), lang=lang(), fmt="svg")[0],
                       file_name=f"{stem}.svg", mime="image/svg+xml", key="network_svg")
    if changes is not None:
        st.markdown(f"**{tr('network_compare')}: {other} → {year}**")
        changes["change"] = changes["change"].map(lambda c: tr(f"network_{c}"))
        years = {f"{k}_{ab}": f"{tr(k)} {y}" for k in ("network_intensity", "network_importance")
                 for ab, y in (("a", other), ("b", year))}
        shown = headed(changes.rename(columns={k.removeprefix("network_"): v for k, v in years.items()}))
        st.dataframe(**number_cells(shown, {v: 0 for v in years.values()}))


def exchange_section() -> None:
    """Download projects and partners as CSV or GeoJSON; upload such a file to import (all or nothing)."""
    ws = workspace()
    for entity, label in (("project", tr("projects_projects")), ("partner", tr("projects_tab_partners"))):
        csv, geojson = export_files(ws, entity)
        c1, c2 = st.columns(2)
        c1.download_button(f"{label}: CSV", csv, file_name=f"{entity}s.csv", mime="text/csv",
                           key=f"export_{entity}_csv")
        c2.download_button(f"{label}: GeoJSON", geojson, file_name=f"{entity}s.geojson", mime="application/geo+json",
                           key=f"export_{entity}_geojson")
    c1, c2 = st.columns([1, 3])
    entity = c1.selectbox(tr("exchange_kind"), ["project", "partner"], key="exchange_kind",
                          format_func=lambda e: tr("projects_projects") if e == "project" else tr("projects_tab_partners"))
    upload = c2.file_uploader(tr("exchange_upload"), type=["csv", "geojson"], key=f"exchange_file_{entity}")
    if upload is not None and st.button(tr("exchange_import"), key="exchange_import"):
        try:
            n = import_file(ws, entity, upload.name, upload.getvalue(), user=user())
        except JmdiqError as exc:
            show_error(exc, fields=field_labels())
        else:
            saved(None, [], message=tr("exchange_done", n=n))
