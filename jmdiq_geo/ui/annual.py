"""The annual report annex on the micro-project page: a year (default: last year, the one a
report is written about) and a quarter (an area of the workspace or the whole city, the quarter
last drawn or uploaded and checked on "Quartier prüfen", or a boundary file) chosen, the PDF and
the figures as CSV made - nothing saved."""
from __future__ import annotations

from datetime import date

import streamlit as st

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import localized
from jmdiq_geo.services.annual import annex_pdf, annex_zip, annual_annex
from jmdiq_geo.services.quarter import quarter_from_file
from jmdiq_geo.ui.import_form import save_upload
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.jobs import finished, start
from jmdiq_geo.ui.state import lang, settings, tr, workspace

RESULT_KEY = "annual_annex_files"
CHECKED_KEY = "check_result"          # the Prüfen page's last check: (signature, [CheckResult, …])
JOB_KEY = "annual_annex_job"


def _make(ws, *, year: int, area_id: str | None, what, quarter, lang: str, settings, progress) -> tuple:
    """(year, area or quarter, PDF, CSV zip) of the annex: a job (no Streamlit here)."""
    progress(0.05, "")
    annex = annual_annex(ws, year=year, area_id=area_id, lang=lang, settings=settings, quarter=quarter)
    progress(0.8, "")
    return year, what, annex_pdf(annex), annex_zip(annex)


def annex_section() -> None:
    ws = workspace()
    st.caption(tr("annual_intro"))
    source = st.radio(tr("annual_quarter_source"), ["area", "checked", "file"], horizontal=True, key="annual_source",
                      format_func=lambda s: tr(f"annual_quarter_source_{s}"))
    c1, c2, c3 = st.columns([1, 1, 2])
    year = int(c1.number_input(tr("projects_year"), 2000, 2100, value=date.today().year - 1, key="annual_year"))
    area, quarter = None, None
    if source == "area":
        levels = ws.levels().set_index("level")
        level = c2.selectbox(tr("map_level"), ws.levels_in_order(), key="annual_level",
                             format_func=lambda lv: localized(levels.loc[lv], lang()))
        names = ws.area_names(level)
        labels = dict(zip(names["area_id"], names["name"]))
        area = c3.selectbox(tr("annual_area"), [None, *labels], key="annual_area",
                            format_func=lambda a: tr("annual_whole_city") if a is None else f"{labels[a]} ({a})")
    else:
        try:
            quarter = _quarter(ws, source)
        except JmdiqError as exc:
            show_error(exc)
        if quarter is None:
            return
    what = area if quarter is None else quarter.geometry.wkb_hex
    if st.button(tr("annual_make"), type="primary", key="annual_make"):
        start(JOB_KEY, "annual annex", _make, ws, year=year, area_id=area, what=what, quarter=quarter, lang=lang(),
              settings=settings())
    job = finished(JOB_KEY, tr("annual_make"))        # made beside the page (ui/jobs.py)
    if job is not None:
        try:
            st.session_state[RESULT_KEY] = job.outcome()
        except JmdiqError as exc:
            show_error(exc)
    made = st.session_state.get(RESULT_KEY)
    if made and made[:2] == (year, what):
        stem = f"anhang_jahresbericht_{year}" + (f"_{area}" if area else "_quartier" if quarter else "")
        d1, d2 = st.columns(2)
        d1.download_button("PDF", made[2], file_name=f"{stem}.pdf", mime="application/pdf", key="annual_pdf")
        d2.download_button(tr("annual_csv_zip"), made[3], file_name=f"{stem}_csv.zip", mime="application/zip",
                           key="annual_zip")


def _quarter(ws, source: str):
    """The drawn quarter: the one last checked on "Quartier prüfen" (the page keeps its result in
    the session), or the polygons of an uploaded file."""
    if source == "checked":
        stored = st.session_state.get(CHECKED_KEY)
        if not stored or not stored[1]:
            st.info(tr("annual_quarter_none_checked"))
            return None
        quarter = stored[1][0].quarter
        st.caption(tr("annual_quarter_checked", label=quarter.label))
        return quarter
    files = st.file_uploader(tr("check_file"), accept_multiple_files=True, key="annual_file",
                             type=["geojson", "json", "gpkg", "zip", "shp", "shx", "dbf", "prj", "cpg"])
    path = save_upload(files)
    return quarter_from_file(ws, path, max_bytes=settings().max_file_bytes) if path else None
