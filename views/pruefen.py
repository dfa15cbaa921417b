"""Quartier prüfen: a quarter from areas, a programme area, a drawing or a file, checked against
rule sets (§ 171e, MSS, JMD-iQ site) with a justification to download."""
import streamlit as st

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.ui.check import choose_quarter, run_check, show_results
from jmdiq_geo.ui.feedback import show_error, show_notices
from jmdiq_geo.ui.rules_upload import choose_rule_sets, edit_rule_set, rule_sets, upload_rule_set
from jmdiq_geo.ui.state import lang, require_areas, tr, workspace_version

st.title(tr("check_title"))
st.write(tr("check_intro"))
ws = require_areas()
version = workspace_version()
source = st.radio(tr("check_source"), ["areas", "programme", "drawn", "file"], horizontal=True, key="check_source",
                  format_func=lambda s: tr(f"check_source_{s}"))
try:
    quarter = choose_quarter(version, source)
except JmdiqError as exc:
    show_error(exc)
    st.stop()
upload_rule_set()
rulesets = rule_sets()
edit_rule_set(rulesets)
chosen = choose_rule_sets(rulesets)
if quarter is None or not chosen:
    st.stop()
show_notices(quarter.notices)
signature = (quarter.geometry.wkb_hex, tuple(chosen), version, lang())
if st.button(tr("check_run"), type="primary", key="check_run"):
    try:
        st.session_state["check_result"] = (signature, run_check(version, quarter, [rulesets[k] for k in chosen]))
    except JmdiqError as exc:
        show_error(exc)
        st.stop()
stored = st.session_state.get("check_result")
if stored and stored[0] == signature:
    show_results(version, stored[1])
