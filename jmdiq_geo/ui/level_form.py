"""The level of a boundary import on the Import page: one of the workspace's levels, or a new one
(its id, German and English label, and the level it lies below, or none: then it goes on top).
A workspace without levels has only the new one to choose. The chosen level's id goes into the
``BoundarySpec``; ``new_level_spec`` gives the ``LevelSpec`` the import needs to create it."""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from jmdiq_geo.i18n import localized_column
from jmdiq_geo.services.imports import LevelSpec
from jmdiq_geo.ui.state import tr

NEW_LEVEL = "__new__"
ON_TOP = "__top__"
LEVEL_KEY = "imp_boundary_level"
#: the level just created, chosen in the select on the next run (a widget's value cannot change
#: once it is drawn)
_NEXT_KEY = "imp_boundary_level_next"
_ID_KEY, _DE_KEY, _EN_KEY, _PARENT_KEY = ("imp_new_level_id", "imp_new_level_de", "imp_new_level_en",
                                          "imp_new_level_parent")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def level_select(column, levels: pd.DataFrame, lang: str) -> str | None:
    """The select (in ``column``) and, for a new level, its fields below; returns the id of the
    level the file's areas go to (None while the new level is incomplete)."""
    labels = dict(zip(levels["level"], localized_column(levels, lang)))
    options = list(labels) + [NEW_LEVEL]
    if _NEXT_KEY in st.session_state:            # the level just created; its fields start empty again
        st.session_state[LEVEL_KEY] = st.session_state.pop(_NEXT_KEY)
        for key in (_ID_KEY, _DE_KEY, _EN_KEY, _PARENT_KEY):
            st.session_state.pop(key, None)
    if st.session_state.get(LEVEL_KEY) not in options:
        st.session_state.pop(LEVEL_KEY, None)
    chosen = column.selectbox(tr("map_level"), options, key=LEVEL_KEY,
                              format_func=lambda lv: labels.get(lv) or tr("import_new_level"))
    if chosen != NEW_LEVEL:
        return chosen
    lowest = levels["level"].iloc[0] if len(levels) else None       # levels come in order, lowest first
    c1, c2, c3, c4 = st.columns(4)
    label_de = c1.text_input(tr("import_level_label_de"), key=_DE_KEY, placeholder=tr("import_level_label_placeholder"))
    c2.text_input(tr("import_level_label_en"), key=_EN_KEY)
    level_id = c3.text_input(tr("import_level_id"), key=_ID_KEY, placeholder=_slug(label_de) or "ubz",
                             help=tr("import_level_id_help"))
    c4.selectbox(tr("import_level_parent"), [ON_TOP] + ([lowest] if lowest else []), key=_PARENT_KEY,
                 format_func=lambda lv: tr("import_level_on_top") if lv == ON_TOP else labels[lv],
                 help=tr("import_level_parent_help"))
    spec, problem = _read(levels)
    if problem:
        st.warning(tr(problem, level=level_id.strip() or _slug(label_de)))
    elif spec is None:
        st.caption(tr("import_level_label_needed"))
    return spec.level if spec else None


def new_level_spec(levels: pd.DataFrame) -> LevelSpec | None:
    """The new level chosen in ``level_select`` (None when an existing level is chosen, or the
    new one is incomplete)."""
    if levels.empty or st.session_state.get(LEVEL_KEY) == NEW_LEVEL:
        return _read(levels)[0]
    return None


def remember_new_level(level_id: str) -> None:
    """After the import created ``level_id``: the select shows it from the next run on."""
    st.session_state[_NEXT_KEY] = level_id


def _read(levels: pd.DataFrame) -> tuple[LevelSpec | None, str | None]:
    """(the new level from its fields, or None; the catalogue key of what is wrong, or None)."""
    label_de = (st.session_state.get(_DE_KEY) or "").strip()
    label_en = (st.session_state.get(_EN_KEY) or "").strip() or None
    level_id = (st.session_state.get(_ID_KEY) or "").strip() or _slug(label_de)
    parent = st.session_state.get(_PARENT_KEY)
    if not label_de:
        return None, None
    if not _ID_PATTERN.match(level_id):
        return None, "import_level_id_bad"
    if level_id in set(levels["level"]):
        return None, "import_level_exists"
    return LevelSpec(level_id, label_de, label_en=label_en,
                     parent_level=parent if parent in set(levels["level"]) else None), None


def _slug(label: str) -> str:
    """``Unterbezirk`` → ``unterbezirk``, ``Stadtteil Süd`` → ``stadtteil_sued``."""
    text = label.strip().lower().translate(_UMLAUTS)
    return "_".join(part for part in re.split(r"[^a-z0-9]+", text) if part)
