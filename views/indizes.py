"""Indizes: composite indices defined as data (MSS 2021 …), mapped; copy and change a definition."""
import streamlit as st

from jmdiq_geo.i18n import format_date, format_number, localized
from jmdiq_geo.services.layers import value_periods
from jmdiq_geo.ui.analysis_pages import index_definitions, index_map
from jmdiq_geo.ui.index_editor import edit_definition, select_saved
from jmdiq_geo.ui.index_upload import upload_index
from jmdiq_geo.ui.map_view import zoom_controls
from jmdiq_geo.ui.maps import readable, show_map, view_name
from jmdiq_geo.ui.state import lang, require_areas, tr, workspace_version
from jmdiq_geo.ui.story import add_to_story

st.title(tr("index_title"))
st.write(tr("index_intro"))
ws = require_areas()
definitions = index_definitions()
if not definitions:
    st.info(tr("index_none"))
    upload_index()
    st.stop()
names = {k: localized(d, lang()) for k, d in definitions.items()}
c1, c2, c3 = st.columns([2.4, 1.2, 1.6])
select_saved("index_definition")
key = c1.selectbox(tr("index_definition"), list(definitions), format_func=names.get, key="index_definition")
definition = definitions[key]
first = definition.components[0].indicators[0].id
periods = value_periods(ws, first)[::-1]
default = [p for p in periods if definition.period and p.isoformat() == definition.period]
period = c2.selectbox(tr("map_period"), periods, format_func=lambda p: format_date(p, lang()), key="index_period",
                      index=periods.index(default[0]) if default else 0)
parts = [c.id for c in definition.components] + (["overall"] if definition.overall else [])
part_names = {c.id: localized(c, lang()) for c in definition.components}
part_names["overall"] = tr("index_overall")
part = c3.radio(tr("index_part"), parts, format_func=part_names.get, key="index_part", horizontal=True)

m, counts, title = index_map(workspace_version(), definition, period, part, lang())
target, _ = zoom_controls(workspace_version(), key="index", with_only=False)
readable(m, workspace_version(), level=definition.level, key="index_map", target=target)
show_map(m, key="index_map")
add_to_story({"kind": "index_map", "index_key": key, "period": period, "index_part": part, "level": definition.level, "title": title},
             view_key=view_name("index_map"))
st.caption(tr("index_caption", description=definition.description or "", source=definition.source or "–"))
st.dataframe(counts.assign(share=counts["share"].map(lambda v: format_number(100 * v, lang()) + " %")).rename(
    columns={"label": tr("index_class"), "n": tr("col_areas"), "share": tr("index_share")}),
    hide_index=True, width="content")
with st.expander(tr("index_edit")):
    edit_definition(definition)
upload_index()
