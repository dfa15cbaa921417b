"""Import: upload, preview, map columns, validate, import, see the report."""
import streamlit as st

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.services.imports import ATTRIBUTE_KIND, KINDS, ZENSUS_KIND, import_file
from jmdiq_geo.ui.attributes_import import attributes_form
from jmdiq_geo.ui.feedback import guard, show_error, show_notices
from jmdiq_geo.ui.import_form import layer_select, preview, save_upload, source_form, spec_form, with_layer
from jmdiq_geo.ui.import_report import import_progress, show_access_details
from jmdiq_geo.ui.level_form import new_level_spec, remember_new_level
from jmdiq_geo.ui.zensus_form import zensus_form, zensus_offered
from jmdiq_geo.ui.state import lang, require_workspace, settings, tr

st.title(tr("import_title"))
st.write(tr("import_intro"))
ws = require_workspace()

kind = st.selectbox(tr("import_kind"), [*KINDS, ATTRIBUTE_KIND, *([ZENSUS_KIND] if zensus_offered() else [])],
                    format_func=lambda k: tr(f"import_kind_{k}"), key="import_kind")
if kind != "boundaries" and not ws.levels_with_areas():
    st.info(tr("import_boundaries_first"), icon=":material/info:")      # everything else refers to areas
    st.stop()
if kind == ZENSUS_KIND:             # no file: the nationwide grids, cut to the workspace's areas
    zensus_form()
    st.stop()
files = st.file_uploader(tr("import_file"), accept_multiple_files=True, key="import_files",
                         type=["geojson", "json", "gpkg", "zip", "shp", "shx", "dbf", "prj", "cpg", "parquet",
                               "csv", "txt", "tsv", "xlsx", "pbf", "tif", "tiff"])
path = save_upload(files)
if path is None:
    st.stop()

layer = layer_select(path)           # a file of several layers (a GeoPackage): which one
try:
    columns, head, info, decimal = preview(str(path), path.stat().st_mtime, layer)
except JmdiqError as exc:
    show_error(exc, title_key="import_failed")
    st.stop()
st.caption(info)
st.dataframe(head, hide_index=True, width="stretch", height=220)
if kind == ATTRIBUTE_KIND:          # a team's table of service attributes: matched, not mapped
    attributes_form(path)
    st.stop()

st.subheader(tr("import_mapping"))
spec = spec_form(kind, columns, ws.levels(), set(ws.indicators()["indicator_id"]), lang(), sample=head,
                 decimal=decimal, path=path, layer=layer)
spec = with_layer(spec, layer)
st.subheader(tr("import_source"))
source = source_form(path)
level = new_level_spec(ws.levels()) if kind == "boundaries" else None

c1, c2 = st.columns(2)
check = c1.button(tr("import_check"), disabled=spec is None, key="import_check")
go = c2.button(tr("import_run"), type="primary", disabled=spec is None or source.licence is None, key="import_run")
if check or go:
    with guard("import_failed"):
        report = import_file(ws, kind, path, spec, source, max_bytes=settings().max_file_bytes, dry_run=check,
                             level=level, progress=import_progress(kind))
        st.success(tr("import_checked" if check else "import_done", rows=report.rows, written=report.written))
        show_access_details(report)
        if report.join:
            st.write(tr("import_join", matched=report.join.matched,
                        table_unmatched=len(report.join.table_unmatched),
                        areas_unmatched=len(report.join.areas_unmatched)))
        show_notices(report.notices)
        if go:
            st.cache_data.clear()
            if level:
                remember_new_level(level.level)
