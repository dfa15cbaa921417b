"""Steckbrief: one area (or two side by side) against its district and the city."""
import streamlit as st

from jmdiq_geo.ui.feedback import guard
from jmdiq_geo.ui.profile import children_list, profile_choices, profile_downloads, render_profile, trend_chart
from jmdiq_geo.ui.state import require_areas, tr, workspace_version
from jmdiq_geo.ui.story import add_to_story
from jmdiq_geo.ui.widgets import indicator_picker, level_picker

st.title(tr("profile_title"))
ws = require_areas()

version = workspace_version()
preset_level, preset_area = st.session_state.get("profile_area", (None, None))
levels = ws.levels_in_order()
if preset_level in levels and "profile_level" not in st.session_state:
    st.session_state["profile_level"] = preset_level
c1, c2, c3 = st.columns([1, 2, 2])
with c1:
    level = level_picker(ws, key="profile_level")
choices = profile_choices(version, level)
ids = choices["area_id"].tolist()
labels = dict(zip(choices["area_id"], choices["label"]))
first = c2.selectbox(tr("profile_area"), ids, format_func=labels.get, key=f"profile_a_{level}",
                     index=ids.index(preset_area) if preset_area in ids else 0)
# one area: nothing to compare it with
compare = c3.toggle(tr("profile_compare"), key="profile_compare") if len(ids) > 1 else False
second = c3.selectbox(tr("profile_area_b"), ids, format_func=labels.get, key=f"profile_b_{level}",
                      index=min(1, len(ids) - 1)) if compare else None

columns = st.columns(2) if second else [st.container()]
for column, area_id in zip(columns, [first, second] if second else [first]):
    with column:
        render_profile(version, level, area_id, compact=bool(second))
add_to_story({"kind": "profile", "level": level, "area_id": first})
profile_downloads(version, level, [a for a in (first, second) if a])
children_list(version, level, first, labels.get(first, first))

st.subheader(tr("profile_trend"))
indicator_id, _ = indicator_picker(ws, key="profile_trend_indicator", kinds=("extensive", "intensive"))
with guard():            # e.g. a rate without its denominator on a level above the smallest: a message
    trend_chart(version, indicator_id, level, [a for a in (first, second) if a])
