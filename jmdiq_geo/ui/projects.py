"""Widgets of the micro-project page: project form (location by map click), partners, network."""
from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.crs import to_display_crs, to_work_crs
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import DATE_FORMAT
from jmdiq_geo.analysis.projects import (FIELDS_OF_ACTION, FORMALISATION, PARTNER_TYPES, STATUSES, SUSTAINABILITY,
                                      MicroProject, Partner, Tie)
from jmdiq_geo.services.projects import (archive, located_points, from_table, get_record, history, import_records, records, save_partner,
                                     save_project, save_tie, to_geodataframe)
from jmdiq_geo.analysis.project_summary import compare_years, project_summary
from jmdiq_geo.render.maps import add_points, drawing_map, finish_layers
from jmdiq_geo.render.network import network_figure
from jmdiq_geo.ui.feedback import show_error, show_notices
from jmdiq_geo.ui.maps import outlines
from jmdiq_geo.ui.state import lang, tr, workspace
from jmdiq_geo.ui.widgets import decimal_input, number_table

USER_KEY = "projects_user"


def user() -> str:
    return st.session_state.get(USER_KEY) or "unbekannt"


FLASH_KEY = "projects_flash"
#: table columns → catalogue keys of their headings
HEADINGS = {"project_id": "projects_id", "title": "projects_field_title", "area_id": "projects_area",
            "status": "projects_status", "start": "projects_start", "end": "projects_end",
            "budget_planned": "projects_budget_planned", "budget_spent": "projects_budget_spent",
            "predecessor": "projects_predecessor", "version": "col_version", "updated_by": "col_changed_by",
            "name": "partners_name", "type": "partners_type", "address": "tt_address", "partner_id": "projects_id",
            "year": "projects_year", "intensity": "network_intensity", "importance": "network_importance",
            "formalisation": "network_formalisation", "change": "network_change", "n": "col_count",
            "share_participation": "projects_share_participation_pct", "share_continued": "projects_share_continued_pct",
            "intensity_a": "network_intensity_a", "intensity_b": "network_intensity_b",
            "importance_a": "network_importance_a", "importance_b": "network_importance_b",
            "action": "col_action", "at": "col_when", "topic": "network_topic"}


#: form fields (ids in problems) → catalogue keys of their labels, beyond the table headings
FORM_FIELDS = {"age_min": "projects_age_min", "age_max": "projects_age_max", "fields_of_action": "projects_fields",
               "partners": "projects_partners", "sustainability": "projects_sustainability",
               "what_is_new": "projects_what_is_new", "location": "projects_place_search",
               "target_groups": "projects_target"}


def field_labels() -> dict[str, str]:
    """A form's field ids → their labels, so messages name the field as the form shows it."""
    return {c: tr(k) for c, k in {**HEADINGS, **FORM_FIELDS}.items()}


def partner_label(names: dict[str, str]):
    """``Name (org001)``: two partners of the same name stay two choices."""
    return lambda i: f"{names[i]} ({i})" if i in names else "–"


def headed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: tr(k) for c, k in HEADINGS.items() if c in frame.columns})


def _saved(version, notices, *, record: str = "", message: str | None = None) -> None:
    """Remember the confirmation and rerun, so every list and choice shows the new record."""
    st.session_state[FLASH_KEY] = (message or tr("projects_saved", record=record, version=version), notices)
    st.cache_data.clear()
    st.rerun()


def show_flash() -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash[0])
        show_notices(flash[1], fields=field_labels())


def location_picker(version: float, key: str) -> tuple[float | None, float | None]:
    """A map to click the project's location on; returns x, y in the work CRS."""
    ws = workspace()
    lowest = ws.lowest_level()
    areas = ws.areas(lowest)
    m = drawing_map(areas, lang=lang(), attributions=ws.attributions(areas["source_id"].dropna().unique().tolist()),
                    outlines=outlines(version, lowest), with_draw=False)
    projects, partners = project_points(), partner_points()
    if not projects.empty or not partners.empty:
        add_points(m, projects, name=tr("projects_projects"), colour="#D55E00", lang=lang())
        add_points(m, partners, name=tr("projects_tab_partners"), colour="#0072B2", lang=lang())
        finish_layers(m)
    state = st_folium(m, key=key, height=420, use_container_width=True, returned_objects=["last_clicked"])
    clicked = (state or {}).get("last_clicked")
    if not clicked:
        return None, None
    point = to_work_crs(gpd.GeoDataFrame(geometry=gpd.points_from_xy([clicked["lng"]], [clicked["lat"]]),
                                         crs="EPSG:4326"), ws.work_crs).geometry.iloc[0]
    st.caption(tr("projects_clicked", lat=f"{clicked['lat']:.5f}", lng=f"{clicked['lng']:.5f}"))
    return point.x, point.y


def project_points() -> gpd.GeoDataFrame:
    return located_points(workspace(), "project")


def partner_points() -> gpd.GeoDataFrame:
    return located_points(workspace(), "partner")


def place_search(query: str, limit: int = 20) -> gpd.GeoDataFrame:
    """Places of the workspace whose name or address contains ``query`` (services of every
    category: schools, youth centres, libraries …) — offline, no geocoder."""
    services = workspace().services()
    text = (services["name"].fillna("") + " " + services["address"].fillna("")).str.lower()
    return services[text.str.contains(query.strip().lower(), regex=False)].head(limit)


def project_form(version: float) -> None:
    ws = workspace()
    existing = records(ws, "project")
    if st.session_state.pop("projects_reset_edit", False):
        st.session_state["projects_edit"] = "__new__"
    if "projects_select" in st.session_state:       # a new project just saved: edit it from now on
        st.session_state["projects_edit"] = st.session_state.pop("projects_select")
    choices = ["__new__"] + existing["project_id"].tolist()
    titles = dict(zip(existing["project_id"], existing["title"]))
    chosen = st.selectbox(tr("projects_edit"), choices, key="projects_edit",
                          format_func=lambda i: tr("projects_new") if i == "__new__" else f"{titles[i]} ({i})")
    current, base_version = (None, None)
    if chosen != "__new__":
        current, stored_version, _ = get_record(ws, "project", chosen)
        # the version this session started editing from: kept across reruns, so a save made by
        # someone else in between is detected instead of silently overwritten
        base_key = f"projects_base_{chosen}"
        if base_key not in st.session_state:
            st.session_state[base_key] = (stored_version, current)
        base_version, current = st.session_state[base_key]      # the form shows the copy being edited
        if base_version != stored_version:
            st.warning(tr("projects_changed_elsewhere", version=stored_version))
            if st.button(tr("projects_reload"), key=f"projects_reload_{chosen}"):
                del st.session_state[base_key]
                st.rerun()
    p = current or MicroProject(project_id=f"p{len(existing) + 1:03d}", title="")
    x, y = location_picker(version, key=f"projects_map_{chosen}")
    c1, c2 = st.columns(2)
    query = c1.text_input(tr("projects_place_search"), key=f"projects_place_{chosen}",
                          help=tr("projects_place_help"))
    if query.strip():
        hits = place_search(query)
        if hits.empty:
            c1.caption(tr("projects_place_none"))
        else:
            labels = dict(zip(hits.index, hits["name"] + " – " + hits["address"].fillna("")))
            pick = c1.selectbox(tr("projects_place_pick"), list(labels), format_func=labels.get,
                                key=f"projects_place_pick_{chosen}")
            x, y = hits.at[pick, "geometry"].x, hits.at[pick, "geometry"].y
    partner_records = records(ws, "partner")
    via = c2.selectbox(tr("projects_location_partner"), [""] + partner_records["partner_id"].tolist(),
                       format_func=partner_label(dict(zip(partner_records["partner_id"], partner_records["name"]))),
                       key=f"projects_via_{chosen}")
    partners = records(ws, "partner")
    partner_names = dict(zip(partners["partner_id"], partners["name"]))
    lowest = ws.lowest_level()
    names = ws.area_names(lowest)
    area_labels = dict(zip(names["area_id"], names["name"] + " (" + names["area_id"] + ")"))
    with st.form(f"project_form_{chosen}"):
        c1, c2 = st.columns([1, 3])
        pid = c1.text_input(tr("projects_id"), value=p.project_id, disabled=current is not None)
        title = c2.text_input(tr("projects_field_title"), value=p.title)
        area = st.selectbox(tr("projects_area"), [""] + list(area_labels), format_func=lambda a: area_labels.get(a, "–"),
                            index=([""] + list(area_labels)).index(p.area_id) if p.area_id in area_labels else 0)
        fields = st.multiselect(tr("projects_fields"), FIELDS_OF_ACTION, default=p.fields_of_action,
                                placeholder=tr("ui_choose"))
        c3, c4, c5 = st.columns([2, 1, 1])
        target = c3.text_input(tr("projects_target"), value=p.target_groups)
        age_min = c4.number_input(tr("projects_age_min"), 0, 99, value=p.age_min or 12)
        age_max = c5.number_input(tr("projects_age_max"), 0, 99, value=p.age_max or 27)
        planning = st.text_area(tr("projects_planning"), value=p.participation_planning, height=68)
        doing = st.text_area(tr("projects_doing"), value=p.participation_doing, height=68)
        linked = st.multiselect(tr("projects_partners"), list(partner_names), default=[x for x in p.partners
                                                                                       if x in partner_names],
                                format_func=partner_label(partner_names), placeholder=tr("ui_choose"))
        c6, c7, c8, c9 = st.columns(4)
        # keys with the version edited from: after "reload" the fields show the stored budget
        planned, planned_ok = decimal_input(tr("projects_budget_planned"), p.budget_planned, min_value=0.0,
                                            key=f"projects_planned_{chosen}_{base_version}", container=c6)
        spent, spent_ok = decimal_input(tr("projects_budget_spent"), p.budget_spent, min_value=0.0,
                                        key=f"projects_spent_{chosen}_{base_version}", container=c7)
        start = c8.date_input(tr("projects_start"), value=date.fromisoformat(p.start) if p.start else date.today(),
                              format="DD.MM.YYYY")
        end = c9.date_input(tr("projects_end"), value=date.fromisoformat(p.end) if p.end else date.today(),
                            format="DD.MM.YYYY")
        c10, c11, c12 = st.columns(3)
        status = c10.selectbox(tr("projects_status"), STATUSES, index=STATUSES.index(p.status))
        sustain = c11.selectbox(tr("projects_sustainability"), SUSTAINABILITY, index=SUSTAINABILITY.index(p.sustainability))
        sustain_form = c12.text_input(tr("projects_sustainability_form"), value=p.sustainability_form)
        others = [i for i in existing["project_id"] if i != p.project_id]
        predecessor = st.selectbox(tr("projects_predecessor"), [""] + others,
                                   index=([""] + others).index(p.predecessor) if p.predecessor in others else 0,
                                   format_func=lambda i: titles.get(i, "–"))
        new = st.text_area(tr("projects_what_is_new"), value=p.what_is_new, height=68)
        submitted = st.form_submit_button(tr("projects_save"), type="primary")
    if current is not None:
        if st.button(tr("projects_archive"), key=f"projects_archive_{chosen}"):
            try:
                new_version = archive(ws, "project", chosen, expected_version=base_version, user=user())
            except JmdiqError as exc:
                show_error(exc, fields=field_labels())
            else:
                st.session_state.pop(f"projects_base_{chosen}", None)
                st.session_state["projects_reset_edit"] = True      # back to "new project" on the next run
                _saved(new_version, [], record=chosen)
        with st.expander(tr("projects_history")):
            log = history(ws, "project", p.project_id)
            st.dataframe(headed(log[["version", "action", "at", "by"]].rename(columns={"by": "updated_by"})),
                         hide_index=True, width="stretch")
    if submitted and planned_ok and spent_ok:
        record = MicroProject(pid.strip(), title, area or None, x if x is not None else p.x, y if y is not None else p.y,
                              via or None, fields, target, int(age_min), int(age_max), planning, doing, linked,
                              planned or None, spent or None, start.isoformat(), end.isoformat(), status, sustain,
                              sustain_form, predecessor or None, new, p.notes)
        try:
            result = save_project(ws, record, expected_version=base_version, user=user())
        except JmdiqError as exc:
            show_error(exc, fields=field_labels())
        else:
            st.session_state[f"projects_base_{record.project_id}"] = (result[0], record)
            if current is None:
                # the form now edits the saved project: a second click updates it instead of
                # saving a copy under the next number
                st.session_state["projects_select"] = record.project_id
            _saved(*result, record=record.project_id)


def project_overview(version: float) -> None:
    ws = workspace()
    frame = records(ws, "project")
    if frame.empty:
        st.info(tr("projects_none"))
        return
    c1, c2, c3, c4 = st.columns(4)
    years = sorted(pd.to_datetime(frame["start"], errors="coerce").dt.year.dropna().astype(int).unique())
    areas = sorted(a for a in frame["area_id"].dropna().unique())
    area = c4.selectbox(tr("projects_area"), ["–", *areas], key="projects_filter_area")
    year = c1.selectbox(tr("projects_year"), ["–"] + years, key="projects_filter_year")
    field = c2.selectbox(tr("projects_fields"), ["–", *FIELDS_OF_ACTION], key="projects_filter_field")
    status = c3.selectbox(tr("projects_status"), ["–", *STATUSES], key="projects_filter_status")
    shown = frame
    if year != "–":
        shown = shown[pd.to_datetime(shown["start"], errors="coerce").dt.year == year]
    if field != "–":
        shown = shown[shown["fields_of_action"].map(lambda f: field in f)]
    if status != "–":
        shown = shown[shown["status"] == status]
    if area != "–":
        shown = shown[shown["area_id"] == area]
    table = shown[["project_id", "title", "area_id", "status", "start", "end", "budget_planned", "budget_spent",
                   "predecessor", "version", "updated_by"]].copy()
    for col in ("start", "end"):
        table[col] = pd.to_datetime(table[col], errors="coerce").dt.strftime(DATE_FORMAT[lang()])
    st.dataframe(number_table(headed(table), {tr("col_version"): 0}), hide_index=True, width="stretch")
    st.markdown(f"**{tr('projects_summary')}**")
    by = st.radio(tr("projects_summary_by"), ["area_id", "field", "year"], horizontal=True, key="projects_by",
                  format_func=lambda b: tr(f"projects_by_{b}"))
    summary = project_summary(shown, by=by)
    summary[["share_participation", "share_continued"]] *= 100           # shares in %
    summary.index = summary.index.map(lambda v: "–" if pd.isna(v) else (str(int(v)) if by == "year" else v))
    summary = summary.rename_axis(tr({"area_id": "projects_area", "field": "projects_fields",
                                      "year": "projects_year"}[by])).reset_index()
    st.dataframe(number_table(headed(summary), {tr("col_count"): 0,
                                                tr("projects_share_participation_pct"): 0,
                                                tr("projects_share_continued_pct"): 0}),
                 hide_index=True, width="stretch")


def partner_form(version: float) -> None:
    ws = workspace()
    partners = records(ws, "partner")
    x, y = location_picker(version, key="partners_map")
    st.dataframe(headed(partners[["partner_id", "name", "type", "address", "version"]]), hide_index=True,
                 width="stretch")
    # a new generation of field keys after each save: the form starts empty again (a second
    # click would otherwise save the same partner under the next number)
    gen = st.session_state.get("partner_form_gen", 0)
    with st.form("partner_form"):
        c1, c2, c3 = st.columns([1, 2, 2])
        pid = c1.text_input(tr("projects_id"), value=f"org{len(partners) + 1:03d}", key=f"partner_id_{gen}")
        name = c2.text_input(tr("partners_name"), key=f"partner_name_{gen}")
        typ = c3.selectbox(tr("partners_type"), PARTNER_TYPES, key=f"partner_type_{gen}")
        address = st.text_input(tr("tt_address"), key=f"partner_address_{gen}")
        if st.form_submit_button(tr("partners_add"), type="primary"):
            existing = get_record(ws, "partner", pid.strip())
            try:
                result = save_partner(ws, Partner(pid.strip(), name, typ, address, x, y),
                                      expected_version=existing[1] if existing else None, user=user())
            except JmdiqError as exc:
                show_error(exc, fields=field_labels())
            else:
                st.session_state["partner_form_gen"] = gen + 1
                _saved(*result, record=pid.strip())


def network_section() -> None:
    ws = workspace()
    partners = records(ws, "partner")
    if partners.empty:
        st.info(tr("network_no_partners"))
        return
    names = dict(zip(partners["partner_id"], partners["name"]))
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
                _saved(*result, record=f"{names[partner]} {int(year)}")
    ties = records(ws, "tie")
    year = int(st.session_state.get("network_year", date.today().year))
    shown = ties[ties["year"] == year].assign(name=lambda f: f["partner_id"].map(names))
    st.dataframe(headed(shown[["name", "year", "intensity", "importance", "formalisation", "topic", "version",
                               "updated_by"]]),
                 hide_index=True, width="stretch")
    if (ties["year"] == year).any():
        png = network_figure(partners, ties, year=int(year), title=tr("network_title"))
        st.image(png, width=560)
        d1, d2 = st.columns(2)
        d1.download_button("PNG", png, file_name=f"netzwerkkarte_{year}.png", mime="image/png", key="network_png")
        d2.download_button("SVG", network_figure(partners, ties, year=int(year), title=tr("network_title"), fmt="svg"),
                           file_name=f"netzwerkkarte_{year}.svg", mime="image/svg+xml", key="network_svg")
    years = sorted(ties["year"].unique())
    if len(years) >= 2:
        st.markdown(f"**{tr('network_compare')}**")
        c1, c2 = st.columns(2)
        a = c1.selectbox(tr("network_year_a"), years, index=len(years) - 2, key="network_a")
        b = c2.selectbox(tr("network_year_b"), years, index=len(years) - 1, key="network_b")
        changes = compare_years(ties, int(a), int(b))
        changes["change"] = changes["change"].map(lambda c: tr(f"network_{c}"))
        changes.insert(1, "name", changes["partner_id"].map(dict(zip(partners["partner_id"], partners["name"]))))
        st.dataframe(headed(changes), hide_index=True, width="stretch")


def exchange_section() -> None:
    """Download projects and partners as CSV or GeoJSON; upload such a file to import (all or nothing)."""
    ws = workspace()
    for entity, label in (("project", tr("projects_projects")), ("partner", tr("projects_tab_partners"))):
        gdf = to_geodataframe(ws, entity)
        c1, c2 = st.columns(2)
        c1.download_button(f"{label}: CSV", gdf.drop(columns="geometry").to_csv(index=False).encode("utf-8"),
                           file_name=f"{entity}s.csv", mime="text/csv", key=f"export_{entity}_csv")
        shown = to_display_crs(gdf[gdf.geometry.notna()]) if gdf.geometry.notna().any() else gdf
        c2.download_button(f"{label}: GeoJSON", shown.to_json(drop_id=True).encode("utf-8"),
                           file_name=f"{entity}s.geojson", mime="application/geo+json", key=f"export_{entity}_geojson")
    c1, c2 = st.columns([1, 3])
    entity = c1.selectbox(tr("exchange_kind"), ["project", "partner"], key="exchange_kind",
                          format_func=lambda e: tr("projects_projects") if e == "project" else tr("projects_tab_partners"))
    upload = c2.file_uploader(tr("exchange_upload"), type=["csv", "geojson"], key=f"exchange_file_{entity}")
    if upload is not None and st.button(tr("exchange_import"), key="exchange_import"):
        try:
            if upload.name.lower().endswith(".csv"):
                frame = pd.read_csv(upload, dtype=str, keep_default_na=False)
            else:
                frame = to_work_crs(gpd.read_file(upload), ws.work_crs)
                frame["x"], frame["y"] = frame.geometry.x, frame.geometry.y
            n = import_records(ws, entity, from_table(frame, entity), user=user())
        except (JmdiqError, ValueError, KeyError) as exc:
            if isinstance(exc, JmdiqError):
                show_error(exc, fields=field_labels())
            else:
                st.error(tr("exchange_bad_file", reason=str(exc)))
        else:
            _saved(None, [], message=tr("exchange_done", n=n))
