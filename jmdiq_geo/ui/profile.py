"""Widgets of the profile page (Steckbrief)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from jmdiq_geo.i18n import DATE_FORMAT, format_date, format_number, localized, markdown_safe, t_or
from jmdiq_geo.render.participation import session_line, summary_rows
from jmdiq_geo.services.layers import time_series
from jmdiq_geo.services.participation_results import attributions, sessions_in_area
from jmdiq_geo.services.profile import area_choices, area_profile
from jmdiq_geo.ui.maps import cached_layer
from jmdiq_geo.ui.state import lang, settings, tr, trm, workspace


@st.cache_data(show_spinner=False, max_entries=16)
def profile_choices(version: float, level: str) -> pd.DataFrame:
    return area_choices(workspace(), level)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_profile(version: float, level: str, area_id: str):
    # the layers (whole levels, for ranks and city values) are shared with the map and every area
    return area_profile(workspace(), level=level, area_id=area_id, settings=settings(),
                        layer=lambda ind, period, lv: cached_layer(version, level=lv, indicator_id=ind, period=period))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_series(version: float, indicator_id: str, level: str, area_id: str) -> pd.DataFrame:
    return time_series(workspace(), indicator_id=indicator_id, area_id=area_id, level=level, settings=settings())


def _value(row, lg: str) -> str:
    if isinstance(row[f"value_label_{lg}"], str):
        return row[f"value_label_{lg}"]
    if pd.isna(row["value"]):
        return tr(f"reason_{row['reason'] or 'missing'}")
    digits = 0 if row["kind"] == "extensive" else 1
    unit = f" {row['unit']}" if isinstance(row["unit"], str) and row["unit"] not in ("", "Personen") else ""
    return format_number(row["value"], lg, digits=digits) + unit


def render_profile(version: float, level: str, area_id: str, *, compact: bool = False) -> None:
    p = cached_profile(version, level, area_id)
    lg = lang()
    st.subheader(markdown_safe(f"{p.name} ({p.area_id})"))
    st.caption(" · ".join([markdown_safe(f"{name} ({aid})") for _, aid, name in p.hierarchy]
                          + [f"{format_number(p.area_km2, lg, digits=2)} km²"]))
    rows, district, whole = [], p.district_label.get(lg) or tr("col_district"), p.city_name or tr("col_city")
    for _, r in p.indicators.iterrows():
        digits = 0 if r["kind"] == "extensive" else 1
        rows.append({tr("col_indicator"): localized(r, lg), tr("col_period"): format_date(r["period"], lg),
                     tr("col_value"): _value(r, lg),
                     district: format_number(r["district"], lg, digits=digits) if pd.notna(r["district"]) else "–",
                     whole: format_number(r["city"], lg, digits=digits) if pd.notna(r["city"]) else "–",
                     tr("tt_rank"): tr("rank_of", rank=int(r["rank"]), n=r["n"]) if pd.notna(r["rank"]) else "–"})
    if rows:
        table = pd.DataFrame(rows).set_index(tr("col_indicator"))
        # without a level above, there is no district to compare with; the level's only area is
        # the whole: no city value or rank beside its own
        drop = ([] if p.hierarchy else [district]) + ([whole, tr("tt_rank")] if p.alone else [])
        st.table(table.drop(columns=drop))
    else:
        st.info(tr("profile_no_indicators"))
    st.markdown(f"**{tr('profile_programmes')}**")
    if p.programmes.empty:
        st.caption(tr("profile_no_programmes"))
    else:
        st.table(p.programmes.assign(share_of_area=(100 * p.programmes["share_of_area"]).map(
                     lambda v: format_number(v, lg, digits=0) + " %"))
                 .rename(columns={"name": tr("tt_area"), "programme": tr("tt_programme"),
                                  "share_of_area": tr("profile_share")}).set_index(tr("tt_area")))
    st.markdown(f"**{tr('profile_services')}**")
    services = p.services.assign(category=p.services["category"].map(lambda c: t_or(f"cat_{c}", c, lg)))
    if services.empty:
        st.caption(tr("profile_no_services"))
    else:
        st.table(services.rename(columns={"category": tr("col_category"), "inside": tr("profile_inside"),
                                          "nearby": tr("profile_nearby")}).set_index(tr("col_category")))
    if not compact and not p.youth_centres.empty:
        st.markdown(f"**{tr('profile_youth_centres')}**")
        st.table(p.youth_centres.assign(inside=p.youth_centres["inside"].map(
            lambda x: tr("profile_inside") if x else tr("profile_nearby")),
            capacity=p.youth_centres["capacity"].map(lambda v: format_number(v, lg, digits=0) if pd.notna(v) else "–"),
            address=p.youth_centres["address"].fillna("–")).rename(columns={
                "name": tr("tt_service"), "address": tr("tt_address"), "capacity": tr("profile_places"),
                "inside": tr("profile_where")}).set_index(tr("tt_service")))
    sessions = participation(level, area_id) if not compact else []
    st.caption(trm("profile_sources", sources="; ".join([*p.attributions, *attributions(sessions)])))


def participation(level: str, area_id: str) -> list:
    """The participation sessions over the area, each with its places shown inside it (only
    those with at least k people; ``services.participation_results``), as in the profile PDF;
    returns them (the source line names them as the PDF's does)."""
    summaries = sessions_in_area(workspace(), level, area_id)
    st.markdown(f"**{tr('part_report_heading')}**")
    if not summaries:
        st.caption(tr("part_report_none"))
    for summary in summaries:
        st.caption(markdown_safe(session_line(summary, lang())))
        if summary.rows.empty:
            st.caption(tr("part_report_nothing_here", k=summary.k))
            continue
        header, rows = summary_rows(summary, lang())
        st.table(pd.DataFrame(rows, columns=header).set_index(header[0]))
    return summaries


#: the areas' lines (the first is the area of the profile), then district and city
_AREA_COLOURS = ["#c0392b", "#2471a3", "#1e8449", "#7d3c98"]
_DISTRICT_COLOUR, _CITY_COLOUR = "#8c8c8c", "#222222"
#: numbers and dates in charts as the UI's language writes them (Vega's locale)
_CHART_LOCALE = {"de": {"number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " €"]}},
                 "en": {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " €"]}}}


def series_colours(order: list[str], area_names: list[str], district: str, city: str) -> list[str]:
    """One colour per chart column in the columns' order (area, district, second area, city):
    the district grey, the city black, each area its own colour whatever the order."""
    return [_DISTRICT_COLOUR if c == district else _CITY_COLOUR if c == city
            else _AREA_COLOURS[area_names.index(c) % len(_AREA_COLOURS)] for c in order]


def trend_chart(version: float, indicator_id: str, level: str, area_ids: list[str]) -> None:
    """Line chart: each area against its district and the city over all periods. The periods are
    the x axis as they are (31.12.2021 stays at 2021; a time axis put it at the 2022 tick), and
    each series keeps its colour whichever area is chosen."""
    import altair as alt

    frames = []
    names = profile_choices(version, level).set_index("area_id")["label"]
    # the top level's own name (Bezirk, Stadtbezirk …), as in the profile's table
    first = cached_profile(version, level, area_ids[0])
    district, whole = first.district_label.get(lang()) or tr("col_district"), first.city_name or tr("col_city")
    for aid in area_ids:
        series = cached_series(version, indicator_id, level, aid)
        frame = pd.DataFrame({names.get(aid, aid): series["area"]})
        if "district" in series and aid == area_ids[0]:
            frame[district] = series["district"]
        frames.append(frame)
    data = pd.concat(frames, axis=1)
    if not first.alone:                          # the level's only area is the whole: its line is the city's
        data[whole] = cached_series(version, indicator_id, level, area_ids[0])["city"]
        if data.abs().max().max() > 1000:        # counts: the city's total would flatten every line
            st.caption(tr("profile_trend_scale"))
            data = data.drop(columns=[whole])
    order = list(data.columns)
    colours = series_colours(order, [names.get(aid, aid) for aid in area_ids], district, whole)
    long = data.rename_axis("period").reset_index().melt(id_vars="period", var_name="series", value_name="value")
    long = long.dropna(subset=["value"])
    long["period"] = pd.to_datetime(long["period"])
    long["label"] = long["period"].dt.strftime(DATE_FORMAT[lang()])
    labels = long.drop_duplicates("period").sort_values("period")["label"].tolist()     # in time order
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("label:O", sort=labels, title=tr("col_period"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None, axis=alt.Axis(format=",.1~f")),
        color=alt.Color("series:N", scale=alt.Scale(domain=order, range=colours),
                        legend=alt.Legend(title=None, orient="bottom")),
        tooltip=[alt.Tooltip("series:N", title=tr("tt_area")), alt.Tooltip("label:O", title=tr("col_period")),
                 alt.Tooltip("value:Q", title=tr("col_value"), format=",.1~f")],
    ).properties(height=320).configure(locale=_CHART_LOCALE[lang()])
    st.altair_chart(chart, width="stretch")


def _report(signature, ws, *, progress, **options) -> tuple:
    """(signature, PDF, the areas' names joined): a job (no Streamlit here)."""
    from jmdiq_geo.services.profile_report import profile_report_pdf
    progress(0.05, "")
    data, names = profile_report_pdf(ws, **options)
    return signature, data, "_".join(names)


def profile_downloads(version: float, level: str, area_ids: list[str]) -> None:
    """The profile (or the two areas compared) as a PDF: made on "prepare", then downloaded."""
    from jmdiq_geo.errors import JmdiqError
    from jmdiq_geo.ui.feedback import show_error
    from jmdiq_geo.ui.jobs import finished, start
    from jmdiq_geo.ui.map_export import cached_context

    signature = (version, level, tuple(area_ids), lang())
    key = "compare" if len(area_ids) > 1 else "one"
    c1, c2 = st.columns([1, 2])
    if c1.button(tr(f"profile_pdf_prepare_{key}"), key="profile_pdf_prepare", icon=":material/picture_as_pdf:"):
        # made beside the page (ui/jobs.py); the layers are the ones every session shares
        start("profile_pdf_job", "profile pdf", _report, signature, workspace(), level=level, area_ids=area_ids,
              settings=settings(), lang=lang(), context=cached_context(version))
    job = finished("profile_pdf_job", tr("profile_pdf_making"))
    if job is not None:
        try:
            st.session_state["profile_pdf"] = job.outcome()
        except JmdiqError as exc:
            show_error(exc)
    kept = st.session_state.get("profile_pdf")
    if kept and kept[0] == signature:
        from jmdiq_geo.ui.map_export import _slug
        c2.download_button(tr("profile_pdf_download"), kept[1], file_name=f"quartiersprofil_{_slug(kept[2])}.pdf",
                           mime="application/pdf", key="profile_pdf_download", type="primary",
                           icon=":material/download:", on_click="ignore")


def children_list(version: float, level: str, area_id: str, name: str) -> None:
    """The areas of the next level down inside this area with the key indicators (MSS classes by
    their names), on screen and as CSV."""
    from jmdiq_geo.services.profile_report import children_table

    levels = workspace().levels_in_order()
    if levels.index(level) == 0:
        return
    child = levels[levels.index(level) - 1]
    label = workspace().levels().set_index("level").at[child, "label_de" if lang() == "de" else "label_en"]
    if not st.toggle(tr("profile_children", level=label, name=name), key="profile_children"):
        return
    table = children_table(workspace(), parent_level=level, parent_id=area_id, settings=settings(), lang=lang(),
                           layer=lambda ind, period, lv: cached_layer(version, level=lv, indicator_id=ind, period=period))
    digits = table.attrs.get("digits", {})
    table = table.rename(columns={"area_id": tr("tt_id"), "name": tr("tt_area")})
    from jmdiq_geo.ui.widgets import number_table
    st.dataframe(number_table(table, digits), hide_index=True, width="stretch")
    st.download_button(tr("profile_children_csv"), table.to_csv(index=False).encode("utf-8"),
                       file_name=f"gebiete_{area_id}.csv", mime="text/csv", key="profile_children_csv",
                       on_click="ignore")
