"""Session state, settings and the cached workspace connection."""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state

from jmdiq_geo.config import Settings
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import DEFAULT_LANG, LANGUAGES, format_problems, markdown_safe, t
from jmdiq_geo.services.workspace import Workspace, open_workspace

LANG_KEY = "lang"


def lang() -> str:
    return st.session_state.get(LANG_KEY, DEFAULT_LANG)


def tr(key: str, **params) -> str:
    """The catalogue text in the user's language."""
    return t(key, lang(), **params)


def trm(key: str, **params) -> str:
    """``tr`` for Markdown (Streamlit's text elements) with values from the workspace, a file or
    a user: each value shown literally (``i18n.markdown_safe``), never as a link, image or markup."""
    return t(key, lang(), **{k: markdown_safe(v) if isinstance(v, str) else v for k, v in params.items()})


def language_switch() -> None:
    """Sidebar switch; owns the ``lang`` session key."""
    st.session_state.setdefault(LANG_KEY, DEFAULT_LANG)
    st.sidebar.radio("Sprache / Language", LANGUAGES, key=LANG_KEY, horizontal=True,
                     format_func=lambda code: {"de": "Deutsch", "en": "English"}[code], on_change=_keep_choices)


#: Streamlit's widgets that keep their choice in the browser as the option's label
_LABELLED = {"SelectboxSerde", "RadioSerde", "MultiSelectSerde", "SelectSliderSerde",
             "_SingleSelectButtonGroupSerde", "_MultiSelectButtonGroupSerde"}


def _keep_choices() -> None:
    """After a language switch, every choice made stays made. The browser keeps a select box's
    choice as its label ("Bezirk"); in the other language no option has that label any more, and
    the next click would reset the box. Setting these widgets' values again before the pages draw
    sends them with the new labels. Which widgets keep labels is read from Streamlit's widget
    registry (an internal of the pinned Streamlit; the e2e test of the switch guards it); other
    widgets (texts, numbers, buttons, uploads, table editors) keep their values anyway."""
    state = get_session_state()._state
    ids, metadata = state._key_id_mapper, state._new_widget_state.widget_metadata
    for key in list(st.session_state.keys()):
        meta = metadata.get(ids.get_id_from_key(key, None))
        serde = getattr(getattr(meta, "deserializer", None), "__self__", None)
        if type(serde).__name__ in _LABELLED:
            st.session_state[key] = st.session_state[key]


@st.cache_resource
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource
def _workspace(path: str, identity: tuple[int, int]) -> Workspace:
    return open_workspace(path)


def file_identity(path) -> tuple[int, int]:
    """The file itself (device, inode): the same while it is written to and checkpointed, new
    when the workspace is rebuilt or restored and moved into place."""
    stat = path.stat()
    return stat.st_dev, stat.st_ino


def workspace() -> Workspace | None:
    """The workspace of the settings, or None when it has not been built yet.

    One connection per file for the whole app: keyed on the file's identity, not its mtime
    (every checkpoint changes the mtime; a second connection opened then would run its own
    recovery beside another session's open transaction and hold a second write lock). A
    rebuilt or restored workspace is a new file and is reopened.
    """
    path = settings().db_path
    if settings().uses_postgres:      # a server: one connection per URL (writers take turns there)
        identity = (0, 0)
    elif not path.exists():
        return None
    else:
        identity = file_identity(path)
    try:
        return _workspace(str(path), identity)
    except JmdiqError as exc:            # e.g. another program holds the file: a message, no traceback
        for line in format_problems(exc.problems, lang()):
            st.error(line)
        st.stop()


def workspace_version() -> str:
    """A value that changes whenever the workspace is written, by any session or process (the
    cache key of the loaders): the open workspace (a rebuilt or restored file is another one)
    and its data generation, which every committed write raises (``store/generation.py``)."""
    ws = workspace()
    if ws is None:
        return "none"
    return f"{id(ws)}:{ws.data_generation()}"


def require_workspace() -> Workspace:
    """The workspace, or a message and the end of the page when there is none yet."""
    ws = workspace()
    if ws is None:
        st.warning(tr("overview_no_workspace"))
        st.stop()
    return ws


def require_areas() -> Workspace:
    """The workspace, when it holds areas; else a message (import boundaries first) and the end
    of the page. For the pages that show or check areas."""
    ws = require_workspace()
    if not ws.levels_with_areas():
        st.info(tr("ui_no_areas_yet"), icon=":material/upload_file:")
        st.stop()
    return ws
