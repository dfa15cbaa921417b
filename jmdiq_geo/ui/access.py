"""Parts of *Einrichtungen und Zugang* shared by its sections: labels, the access cache the app
keeps for all sessions, and the note on the stored network.

The sections: the service map and the staff's edits (``ui/access_services.py``), walking access
with personas (``ui/access_run.py``) and its results (``ui/access_results.py``).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from jmdiq_geo.i18n import format_number, language_names, t_or
from jmdiq_geo.services.access import AccessCache, network_summary
from jmdiq_geo.ui.state import lang, tr, workspace



@st.cache_resource
def access_cache() -> AccessCache:
    """One cache of networks and homes for every session of this app process."""
    return AccessCache()


def category_label(c: str) -> str:
    return t_or(f"cat_{c}", c, lang())


def lang_options() -> list[str]:
    return list(language_names())


def txt(v) -> str:
    """Text for an input field: missing values (None, NaN, NA) are empty, never "nan"."""
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def network_note() -> None:
    summary = network_summary(workspace(), cache=access_cache())
    if summary is None:
        st.info(tr("acc_no_network"))
    else:
        st.caption(tr("acc_network_info", label=", ".join(summary["labels"]),
                      km=format_number(summary["km"], lang(), digits=1),
                      share=format_number(summary["share"], lang(), digits=1)))
