"""Quartier prüfen: rule sets of one's own, uploaded as TOML (checked as the shipped ones are),
kept in the workspace and offered next to the shipped rule sets."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.analysis.rules import RuleSet
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import localized
from jmdiq_geo.services.catalogue import (STORED_PREFIX, check_rule_sets, remove_rule_set, rule_set_text, store_rule_set,
                                         stored_rule_sets)
from jmdiq_geo.services.roles import rule_set_applies
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.state import lang, tr, workspace

#: the uploads handled in this session: file id → the error it gave (None: stored)
_DONE = "check_rules_uploads"


def rule_sets() -> dict[str, RuleSet]:
    """The shipped rule sets and the workspace's own (key → rule set); one of the workspace's
    that no longer reads is a message."""
    return check_rule_sets(workspace(), on_unusable=show_error)


def rule_set_label(rulesets: dict[str, RuleSet], key: str, *, applies: bool = True) -> str:
    """The rule set's label; the workspace's own ones marked as such, and those the workspace has
    no data for."""
    own = key.startswith(STORED_PREFIX)
    return (localized(rulesets[key], lang()) + (f" ({tr('check_rules_own')})" if own else "")
            + ("" if applies else f" – {tr('check_rules_no_data')}"))


def choose_rule_sets(rulesets: dict[str, RuleSet]) -> list[str]:
    """The rule sets to check against; at first those this workspace has data for (a rule set
    for another city's indicators is offered, marked, but not chosen)."""
    ws = workspace()
    applies = {k: rule_set_applies(ws, r) for k, r in rulesets.items()}
    kept = st.session_state.get("check_rules")
    if kept is not None and any(k not in rulesets for k in kept):      # one removed in another session
        st.session_state["check_rules"] = [k for k in kept if k in rulesets]
    default = [k for k in rulesets if applies[k]] or list(rulesets)
    return st.multiselect(tr("check_rules"), list(rulesets), key="check_rules",
                          default=None if kept is not None else default,
                          format_func=lambda k: rule_set_label(rulesets, k, applies=applies[k]))


def _choose(key: str | None, gone: str | None = None) -> None:
    """Keep the page's rule-set choice in step: a new rule set chosen, a removed one not."""
    chosen = st.session_state.get("check_rules")
    if chosen is not None:
        st.session_state["check_rules"] = [k for k in chosen if k != gone] + ([key] if key and key not in chosen else [])
    st.session_state.pop("check_result", None)


def upload_rule_set() -> None:
    """An expander with the uploader and the workspace's own rule sets (to remove one). Call it
    before the page's rule-set choice: a new rule set is added to that choice."""
    ws = workspace()
    with st.expander(tr("check_rules_upload")):
        st.caption(tr("check_rules_upload_help"))
        file = st.file_uploader(tr("check_rules_file"), type=["toml"], key="check_rules_file")
        done = st.session_state.setdefault(_DONE, {})
        if file is not None and file.file_id not in done:
            try:
                key, _ = store_rule_set(ws, file.getvalue(), file=file.name)
                done[file.file_id] = None
                _choose(key)
            except JmdiqError as exc:
                done[file.file_id] = exc
        if file is not None:
            if (error := done[file.file_id]) is not None:
                show_error(error, title_key="check_rules_refused")
            else:
                st.success(tr("check_rules_stored", file=file.name), icon=":material/check_circle:")
        own = stored_rule_sets(ws)
        if own:
            c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
            gone = c1.selectbox(tr("check_rules_own_list"), list(own), key="check_rules_remove_choice",
                                format_func=lambda k: localized(own[k], lang()))
            if c2.button(tr("check_rules_remove"), key="check_rules_remove"):
                remove_rule_set(ws, gone)
                _choose(None, gone)
                st.rerun()


def edit_rule_set(rulesets: dict[str, RuleSet]) -> None:
    """An expander to change a rule set as text (thresholds, criteria, paths): a shipped one is
    saved as the workspace's own copy, an own one is replaced; checked as an upload is."""
    ws = workspace()
    with st.expander(tr("check_rules_edit")):
        st.caption(tr("check_rules_edit_help"))
        key = st.selectbox(tr("check_rules_edit_choice"), list(rulesets), key="check_rules_edit_choice",
                           format_func=lambda k: rule_set_label(rulesets, k))
        text = st.text_area(tr("check_rules_edit_text"), value=rule_set_text(ws, key), height=320,
                            key=f"check_rules_edit_text_{key}")
        if st.button(tr("check_rules_edit_save"), key="check_rules_edit_save"):
            try:
                saved, _ = store_rule_set(ws, text, file=f"{key.removeprefix(STORED_PREFIX)}.toml")
            except JmdiqError as exc:
                show_error(exc, title_key="check_rules_refused")
            else:
                _choose(saved)
                st.session_state["check_rules_saved"] = saved
                st.rerun()
        if (saved := st.session_state.pop("check_rules_saved", None)) is not None:
            st.success(tr("check_rules_edit_saved", label=rule_set_label(rulesets, saved)),
                       icon=":material/check_circle:")
