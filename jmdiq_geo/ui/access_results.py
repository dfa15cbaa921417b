"""The result of a walking-access run: the headline, the report's numbers, the maps (nominal,
effective, the non-physical barrier, detours) beside their tables, and the downloads."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from jmdiq_geo.i18n import format_date, format_number, localized
from jmdiq_geo.render.access_maps import access_map, detour_map, measure_label
from jmdiq_geo.render.maps import standalone_html
from jmdiq_geo.render.print_map import access_print, map_outlines
from jmdiq_geo.services.access import barrier_table, excluded_services
from jmdiq_geo.services.access_export import area_table, crossing_labels, report_bytes, table_downloads
from jmdiq_geo.ui.map_export import map_export
from jmdiq_geo.ui.access import category_label
from jmdiq_geo.ui.map_view import zoom_controls
from jmdiq_geo.ui.maps import display_geometry_of, readable, show_map
from jmdiq_geo.ui.state import lang, tr, workspace
from jmdiq_geo.ui.widgets import number_table


def _headline(nominal, effective) -> None:
    """One sentence a working group can quote."""
    def pct(v):
        return format_number(v, lang(), digits=0) if v is not None else "–"
    r = nominal.result.report
    far = format_number(max(r["thresholds"]), lang(), digits=0)
    text = tr("acc_headline", share=pct(r.get("share_beyond_all")), minutes=far, category=category_label(r["category"]),
              network_share=pct(r.get("share_beyond_network")))
    if effective is not None:
        text += " " + tr("acc_headline_effective", share=pct(effective.result.report.get("share_beyond_all")))
    st.markdown(f"**{text}**")
    if effective is not None:
        r_eff = effective.result.report
        unknown, total = r_eff.get("services_unknown_any", 0), r["services"]
        if total and unknown >= total / 2:
            # the persona can tell little apart where the attributes it asks about are missing
            st.warning(tr("acc_persona_little_known", unknown=unknown, total=total), icon=":material/help:")


def _report_lines(access) -> None:
    r = access.result.report
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("acc_origins"), format_number(r["origins"], lang(), digits=0),
              help=tr("acc_origins_help", network=r["origins_on_network"]))
    c2.metric(tr("acc_unreachable"), format_number(r["origins_unreachable"], lang(), digits=0),
              help=tr("acc_unreachable_help"))
    c3.metric(tr("acc_services"), f"{r['services_on_network']} / {r['services']}", help=tr("acc_services_help"))
    c4.metric(tr("acc_detour"), format_number(r["detour_factor"], lang(), digits=2),
              help=tr("acc_detour_calibrated" if r["detour_calibrated"] else "acc_detour_default",
                      n=r["detour_pairs"]))
    kinds = r.get("origin_kinds") or {}
    if r.get("buildings_set_aside"):           # a town's extract with a handful of mapped houses
        st.caption(tr("cli_access_origins", buildings=kinds.get("building", 0), cells=kinds.get("grid", 0),
                      areas=kinds.get("area", 0), set_aside=r["buildings_set_aside"]))


def show_result(nominal, effective, version: float) -> None:
    ws = workspace()
    report = nominal.result.report
    st.subheader(tr("acc_result_title", category=category_label(report["category"])))
    _report_lines(nominal)
    defs = ws.indicators().set_index("indicator_id")
    target = report.get("target_indicator")
    if target in defs.index:
        label = localized(defs.loc[target], lang())
        st.caption(tr("acc_target", indicator=label, period=format_date(report.get("target_period"), lang())))
    else:
        st.caption(tr("acc_target_none"))
    demand = report.get("demand_indicator")
    group = None
    if demand and demand != target and demand in defs.index:       # e.g. Kitas: children under 6
        group = localized(defs.loc[demand], lang())
        if report["has_capacity"]:
            st.caption(tr("acc_demand", indicator=group))
    _headline(nominal, effective)
    views = ["nominal", "effective", "barrier", "detour"] if effective else ["nominal", "detour"]
    view = st.radio(tr("acc_view"), views, horizontal=True, key="acc_view",
                    format_func=lambda v: tr(f"acc_view_{v}"))
    level = report["level"]
    target, _ = zoom_controls(version, key="acc", with_only=False)
    areas = ws.areas(level)
    coverage = ws.network_coverage()
    sources = sorted(set(areas["source_id"].dropna()) | set(nominal.services["source_id"].dropna())
                     | set(ws.networks()["source_id"]) | set(ws.origins()["source_id"].dropna())
                     | (set(ws.barriers()["source_id"].dropna()) if view == "detour" else set())
                     # homes from grid cells: the grid's source (e.g. the Zensus) is named too
                     | (set(ws.grids()["source_id"].dropna()) if "grid" in set(nominal.result.origins.get("kind", []))
                        else set()))
    attributions = ws.attributions(sources)
    if view == "detour":
        st.write(tr("acc_detour_intro"))
        m = detour_map(nominal.result.origins, nominal.result.pairs, ws.barriers(within=coverage),
                       crs=ws.work_crs, lang=lang(), attributions=attributions, coverage=coverage)
        readable(m, version, level=level, key="acc_detour_map", target=target, with_context=False)
        _map_download(m, f"umwege_{report['category']}")
        show_map(m, key="acc_detour_map", height=600)
        pairs = nominal.result.pairs
        st.markdown(f"**{tr('access_worst_pairs')}**")
        names = ws.area_names(nominal.result.report["level"]).set_index("area_id")["name"]
        st.dataframe(number_table(pd.DataFrame({
            tr("tt_area"): pairs["area"].map(names).fillna(pairs["area"]), tr("tt_service"): pairs["service"],
            tr("acc_crosses"): crossing_labels(pairs["crosses"], lang()) if "crosses" in pairs else "",
            tr("access_m_detour"): pairs["detour"], tr("acc_straight"): pairs["straight_m"],
            tr("acc_network"): pairs["network_m"]}),
            {tr("acc_straight"): 0, tr("acc_network"): 0}), hide_index=True, width="stretch")
        return
    far = max(report["thresholds"])
    options = ["share_beyond", "median_min"] + [f"n_within_{th:g}" for th in report["thresholds"]] \
        + (["e2sfca"] if report["has_capacity"] else [])
    measure = st.selectbox(tr("acc_measure"), options, key="acc_measure",
                           format_func=lambda m: measure_label(m, lang(), far=far, group=group))
    if view == "barrier":
        r_eff = effective.result.report
        if r_eff["services_excluded"] == 0:
            st.info(tr("acc_no_difference", kept=r_eff["services_kept_unknown"]))
        table, col = barrier_table(nominal, effective, measure)
        title = tr("acc_barrier_title", measure=measure_label(measure, lang(), far=far, group=group))
        m = access_map(areas, table, measure="value", title=title, lang=lang(), attributions=attributions,
                       coverage=coverage, breaks_for=col, display=display_geometry_of(version, level))
        printable = dict(areas=areas, table=table, measure="value", title=title, breaks_for=col)
        table["name"] = table["area"].map(ws.area_names(level).set_index("area_id")["name"])
        shown = table[["name", col, f"{measure}_nominal", f"{measure}_effective", "area"]]
    else:
        access = nominal if view == "nominal" else effective
        table = area_table(ws, access, lang=lang())
        title = measure_label(measure, lang(), far=far, group=group) + " — " + tr(f"acc_view_{view}")
        m = access_map(areas, table, measure=measure, title=title, lang=lang(), attributions=attributions,
                       coverage=coverage, display=display_geometry_of(version, level), services=access.services)
        printable = dict(areas=areas, table=table, measure=measure, title=title)
        # beside places per child, the children (Kitas), not the JMD target group
        persons = "demand_group" if measure == "e2sfca" and group and "demand_group" in table else "target_group"
        shown = table[["name", measure, persons, "method_label", "area"]]
    left, right = st.columns([3, 2])
    with left:
        shapes, lg = map_outlines(ws, level), lang()          # read here; the print is drawn on click
        readable(m, version, level=level, key=f"acc_map_{view}", target=target)
        _map_download(m, f"erreichbarkeit_{report['category']}_{view}", lambda: access_print(
            **printable, lang=lg, attributions=attributions, coverage=coverage, outlines=shapes))
        show_map(m, key=f"acc_map_{view}", height=620)
    with right:
        shown = shown.sort_values(shown.columns[1], ascending=False, na_position="last")
        labels = _column_labels(list(shown.columns), far) | {"demand_group": tr("acc_demand_group")}
        st.dataframe(number_table(shown.rename(columns=labels),
                                  {labels[c]: 0 for c in ("target_group", "demand_group") if c in shown}),
                     hide_index=True, width="stretch", height=620,
                     column_config={tr("acc_demand_group"): st.column_config.Column(help=group)})
    st.caption(tr("acc_estimate_note", factor=format_number(report["detour_factor"], lang(), digits=2)))
    _details(nominal, effective)


def _column_labels(columns: list[str], far: float) -> dict:
    labels = {"area": tr("tt_id"), "name": tr("tt_area"), "target_group": tr("acc_target_group"),
              "method_label": tr("acc_method"), "method": tr("acc_method")}
    for c in columns:
        for suffix, extra in (("_nominal", tr("acc_short_nominal")), ("_effective", tr("acc_short_effective")),
                              ("_diff", tr("acc_diff"))):
            if c.endswith(suffix):
                labels[c] = measure_label(c[: -len(suffix)], lang(), far=far, short=True) + " · " + extra
        if c not in labels and c not in ("area", "name"):
            labels[c] = measure_label(c, lang(), far=far, short=True)
    return labels


def _map_download(m, name: str, build=None) -> None:
    """The map as one offline HTML file (Leaflet and the plugins inlined), for the working group,
    and (``build``) for print as PDF, PNG or SVG (``ui.map_export``). The HTML is rendered before
    st_folium shows the map (it renames the map's elements while rendering)."""
    page = standalone_html(m)
    map_export(f"dl_{name}", name=name, build=build, html=lambda: page)


def _details(nominal, effective) -> None:
    ws = workspace()
    r = nominal.result.report
    off = r.get("services_off_network") or []
    if off and r["services_on_network"] > 0:
        with st.expander(tr("acc_off_network", n=len(off))):
            st.write(tr("acc_off_network_intro"))
            st.dataframe(pd.DataFrame({tr("tt_service"): off}), hide_index=True, width="stretch")
    if effective is not None and effective.fit is not None:
        out = excluded_services(ws, effective)
        with st.expander(tr("acc_excluded", n=len(out), kept=effective.result.report["services_kept_unknown"])):
            st.dataframe(pd.DataFrame({
                tr("tt_service"): out["name"],
                tr("acc_reasons"): out["reasons"].map(lambda rs: ", ".join(tr(f"acc_reason_{x}") for x in rs)),
                tr("acc_unknown_attrs"): out["unknown"].map(lambda rs: ", ".join(tr(f"acc_reason_{x}") for x in rs)),
            }), hide_index=True, width="stretch")
    c1, c2, c3 = st.columns(3)
    for col, access, label in ((c1, nominal, "nominal"), (c2, effective, "effective")):
        if access is None:
            continue
        csv, gpkg = table_downloads(ws, access, lang=lang())
        col.download_button(tr("acc_download", view=tr(f"acc_view_{label}")), csv,
                            file_name=f"erreichbarkeit_{r['category']}_{label}.csv", mime="text/csv",
                            key=f"acc_dl_{label}")
        col.download_button(tr("acc_download_gpkg", view=tr(f"acc_view_{label}")), gpkg,
                            file_name=f"erreichbarkeit_{r['category']}_{label}.gpkg",
                            mime="application/geopackage+sqlite3", key=f"acc_dl_gpkg_{label}")
    c3.download_button(tr("acc_download_report"), report_bytes(nominal),
                       file_name=f"erreichbarkeit_{r['category']}_bericht.json", mime="application/json",
                       key="acc_dl_report")
