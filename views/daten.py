"""Daten: sources, periods and licences in the workspace, and the import log."""
import streamlit as st

from jmdiq_geo.i18n import DATE_FORMAT, format_date, localized_column, markdown_safe, t_or
from jmdiq_geo.services.manifest import write_manifest
from jmdiq_geo.ui.actions import backup_section
from jmdiq_geo.ui.derived_form import derived_form
from jmdiq_geo.ui.exports import export_section
from jmdiq_geo.ui.index_editor import DIRECTIONS as POLARITIES
from jmdiq_geo.ui.roles_form import denominator_form, roles_form, show_toast
from jmdiq_geo.ui.state import lang, require_workspace, settings, tr
from jmdiq_geo.ui.widgets import number_table

st.title(tr("data_title"))
ws = require_workspace()
show_toast()

sources = ws.sources()
sources["periods"] = sources["periods"].map(
    lambda text: ", ".join(format_date(p, lang()) for p in text.split(", ")) if isinstance(text, str) and text else None)
st.subheader(tr("data_sources"))
st.dataframe(number_table(sources[["source_id", "title", "licence", "periods", "reference_date", "n_areas",
                                   "n_values", "n_services", "n_cells", "files", "publisher"]].rename(columns={
    "source_id": "ID", "title": tr("col_title"), "publisher": tr("col_publisher"), "licence": tr("col_licence"),
    "reference_date": tr("col_reference_date"), "periods": tr("col_periods"), "n_areas": tr("col_areas"),
    "n_values": tr("col_values"), "n_services": tr("col_services"), "n_cells": tr("col_cells"),
    "files": tr("col_files")}), 0),
    hide_index=True, width="stretch", column_config={tr("col_title"): st.column_config.TextColumn(width="medium")})
st.subheader(tr("data_attribution"))
st.markdown("\n".join(f"- {markdown_safe(a)}" for a in ws.attributions()) or "–")

st.subheader(tr("data_indicators"))
ind = ws.indicators()
label = "label"
ind = ind.assign(label=localized_column(ind, lang()))
ind = ind.assign(kind=ind["kind"].map(lambda k: tr(f"kind_{k}") if k else None),
                 polarity=ind["polarity"].map(lambda p: tr(f"polarity_{p}") if p in POLARITIES else p))
st.dataframe(number_table(ind[["indicator_id", label, "unit", "kind", "denominator", "polarity", "source_id"]].rename(
    columns={"indicator_id": tr("tt_id"), label: tr("col_label"), "unit": tr("col_unit"), "kind": tr("col_kind"),
             "denominator": tr("col_denominator"), "polarity": tr("col_polarity"), "source_id": tr("col_source")})),
    hide_index=True, width="stretch")

st.subheader(tr("exp_title"))
export_section()

with st.expander(tr("data_derived")):
    derived_form()
with st.expander(tr("data_denominator")):
    denominator_form()
with st.expander(tr("data_roles")):
    roles_form()

st.subheader(tr("data_imports"))
log = ws.imports()
log = log.assign(imported_at=log["imported_at"].dt.strftime(DATE_FORMAT[lang()] + " %H:%M"),
                 kind=log["kind"].map(lambda k: t_or(f"import_kind_{k}", k, lang())))
st.dataframe(number_table(log[["import_id", "kind", "file", "source_id", "imported_at"]].rename(columns={
    "import_id": tr("col_no"), "kind": tr("col_kind"), "file": tr("col_file"),
    "source_id": tr("col_source"), "imported_at": tr("col_when")}), 0),
    hide_index=True, width="stretch")
st.caption(tr("data_files_note", root=str(ws.meta().get("manifest", "–"))))
st.download_button(tr("data_manifest_download"), data=write_manifest(ws, data_root=settings().data_root),
                   file_name=f"{ws.meta().get('city_id') or 'stadt'}.toml", mime="application/toml")
st.caption(tr("data_manifest_help"))
with st.expander(tr("data_backup")):
    backup_section()
