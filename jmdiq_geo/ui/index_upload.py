"""Indizes: an index definition of one's own, uploaded as TOML (the form of the shipped ones in
``data/indices/``; indicator roles allowed), checked against the workspace and kept in it."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.services.catalogue import store_index_file
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.index_editor import remember_saved
from jmdiq_geo.ui.state import tr, workspace

#: the uploads handled in this session: file id → the error it gave (None: stored)
_DONE = "index_uploads"


def upload_index() -> None:
    """An expander with the uploader; a stored definition is selected on the next run."""
    # open while it holds a file: after a definition is stored the page is drawn anew with it
    with st.expander(tr("index_upload"), expanded=st.session_state.get("index_upload_file") is not None):
        st.caption(tr("index_upload_help"))
        file = st.file_uploader(tr("index_upload_file"), type=["toml"], key="index_upload_file")
        if file is None:
            return
        done = st.session_state.setdefault(_DONE, {})
        if file.file_id not in done:
            try:
                definition = store_index_file(workspace(), file.getvalue(), file=file.name)
            except JmdiqError as exc:
                done[file.file_id] = exc
            else:
                done[file.file_id] = None
                st.cache_data.clear()
                remember_saved(definition.id)
                st.rerun()
        if (error := done[file.file_id]) is not None:
            show_error(error, title_key="index_upload_refused")
        else:
            st.success(tr("index_upload_stored", file=file.name), icon=":material/check_circle:")
