"""The team's activity log on the micro-project page: one month's shares of working time by
category (they must sum to 100 %), the months of a year, and the year's figures for "JMD i-mpuls"
with a CSV download."""
from __future__ import annotations

from datetime import date

import streamlit as st

from jmdiq_geo.analysis.activity import ActivityMonth
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import format_number
from jmdiq_geo.services.activity import (catalogue_title, categories, get_month, months_table, save_month, year_csv,
                                         year_figures)
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.projects import number_cells, saved, user
from jmdiq_geo.ui.state import lang, tr, workspace
from jmdiq_geo.ui.widgets import decimal_input


def activity_section() -> None:
    ws = workspace()
    cats = categories(lang())
    st.caption(tr("activity_intro", title=catalogue_title(lang())))
    c1, c2 = st.columns(2)
    year = int(c1.number_input(tr("projects_year"), 2000, 2100, value=date.today().year, key="activity_year"))
    month_no = c2.selectbox(tr("activity_month"), list(range(1, 13)), index=date.today().month - 1,
                            key="activity_month", format_func=lambda m: tr(f"month_{m}"))
    month = f"{year:04d}-{month_no:02d}"
    stored = get_month(ws, month)
    # the version the form started from: a save based on it is refused if someone saved meanwhile
    version_key = f"activity_version_{month}"
    st.session_state.setdefault(version_key, stored[1] if stored else None)
    values, ok = {}, True
    cols = st.columns(len(cats) + 1)
    for box, (cat, label) in zip(cols, cats.items()):
        value, good = decimal_input(f"{label} (%)", stored[0].shares.get(cat) if stored else None,
                                    key=f"activity_{month}_{cat}", min_value=0, max_value=100, digits=1, container=box)
        values[cat], ok = value, ok and good
    hours, good = decimal_input(tr("activity_hours"), stored[0].hours if stored else None, key=f"activity_{month}_hours",
                                min_value=0, digits=1, container=cols[-1], help=tr("activity_hours_help"))
    ok = ok and good
    total = sum(v for v in values.values() if v is not None)
    text = tr("activity_total", total=format_number(total, lang(), digits=1))
    (st.success if abs(total - 100) <= 0.05 else st.warning)(
        text if abs(total - 100) <= 0.05 else text + " " + tr("activity_total_off",
                                                              missing=format_number(100 - total, lang(), digits=1)))
    if st.button(tr("activity_save"), type="primary", key="activity_save", disabled=not ok):
        try:
            version, notices = save_month(ws, ActivityMonth(month, {k: v for k, v in values.items() if v is not None},
                                                            hours), expected_version=st.session_state[version_key],
                                          user=user())
        except JmdiqError as exc:
            show_error(exc, fields={c: f"{label} (%)" for c, label in cats.items()} | {"hours": tr("activity_hours"),
                                                                                     "month": tr("activity_month")})
        else:
            st.session_state[version_key] = version
            saved(version, notices, record=month)
    year_tables(ws, year, cats)


def year_tables(ws, year: int, cats: dict[str, str]) -> None:
    months = months_table(ws, year)
    if months.empty:
        st.info(tr("activity_none", year=year))
        return
    st.markdown(f"**{tr('activity_months_heading', year=year)}**")
    shown = months.rename(columns={**{c: f"{label} (%)" for c, label in cats.items()}, "month": tr("activity_month"),
                                   "hours": tr("activity_hours"), "total": tr("activity_sum"),
                                   "version": tr("col_version"), "updated_by": tr("col_changed_by")})
    st.dataframe(**number_cells(shown, {tr("col_version"): 0, tr("activity_hours"): 1, tr("activity_sum"): 1,
                                        **{f"{label} (%)": 1 for label in cats.values()}}))
    figures = year_figures(ws, year, lang())
    st.markdown(f"**{tr('activity_year_heading', year=year)}**")
    table = figures["table"].drop(columns=["category"]).rename(columns={
        "label": tr("activity_category"), "share": tr("activity_share"), "share_whole": tr("activity_share_whole"),
        "hours": tr("activity_hours")})
    table[tr("activity_share_whole")] = table[tr("activity_share_whole")].astype(float)
    st.dataframe(**number_cells(table, {tr("activity_share"): 1, tr("activity_share_whole"): 0,
                                        tr("activity_hours"): 1}))
    st.caption(figures["how"])
    st.download_button(tr("activity_csv"), year_csv(ws, year, lang()), file_name=f"taetigkeiten_{year}.csv",
                       mime="text/csv", key="activity_csv")
