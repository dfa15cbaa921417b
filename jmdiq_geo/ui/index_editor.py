"""Copy an index definition, change its indicators, weights and directions, save it."""
from __future__ import annotations

import copy

import pandas as pd
import streamlit as st

from jmdiq_geo.analysis.index import IndexDef, WeightedIndicator
from jmdiq_geo.services.definitions import save_index
from jmdiq_geo.i18n import DECIMAL_MARK, localized, localized_column
from jmdiq_geo.services.forms import read_number
from jmdiq_geo.ui.feedback import guard
from jmdiq_geo.ui.state import lang, tr, workspace

DIRECTIONS = ["higher_worse", "higher_better"]
#: the id of a definition just saved, to be selected on the next run (a select box's value can
#: only be set before the box is drawn)
_SAVED = "index_definition_saved"


def select_saved(key: str) -> None:
    """Before drawing the definition select box ``key``: select a definition saved last run."""
    if _SAVED in st.session_state:
        st.session_state[key] = st.session_state.pop(_SAVED)
        st.toast(tr("index_saved", id=st.session_state[key]), icon=":material/check:")


def remember_saved(index_id: str) -> None:
    """Select the definition ``index_id`` on the next run (see ``select_saved``)."""
    st.session_state[_SAVED] = index_id


def edit_definition(definition: IndexDef) -> None:
    ws = workspace()
    ind = ws.indicators()
    usable = ind[ind["kind"] != "class"]
    labels = dict(zip(usable["indicator_id"], localized_column(usable, lang())))
    # the table keeps ids and codes, shown as names in the UI's language (two indicators of the
    # same name keep their id beside it)
    named = pd.Series(list(labels.values()))
    labels = {i: (f"{n} ({i})" if (named == n).sum() > 1 else n) for i, n in labels.items()}
    new = copy.deepcopy(definition)
    decimal = DECIMAL_MARK[lang()]
    valid = True
    for comp in new.components:
        st.markdown(f"**{localized(comp, lang())}**")
        # weights as text in the UI's number format: a number column would read "2,5" as 25
        frame = pd.DataFrame([{"indicator": w.id, "weight": f"{w.weight:g}".replace(".", decimal),
                               "direction": w.direction} for w in comp.indicators])
        edited = st.data_editor(frame, num_rows="dynamic", key=f"index_edit_{definition.id}_{comp.id}",
                                width="stretch", column_config={
            "indicator": st.column_config.SelectboxColumn(tr("map_indicator"), options=list(labels), required=True,
                                                          format_func=lambda i: labels.get(i, i)),
            "weight": st.column_config.TextColumn(tr("index_weight"), required=True),
            "direction": st.column_config.SelectboxColumn(tr("index_direction"), options=DIRECTIONS, required=True,
                                                          format_func=lambda d: tr(f"polarity_{d}"))})
        comp.indicators = []
        for r in edited.dropna().itertuples():
            weight = read_number(str(r.weight), lang())
            if weight is None or weight < 0:
                st.error(tr("index_weight_invalid", text=r.weight, indicator=labels.get(r.indicator, r.indicator)))
                valid = False
                continue
            comp.indicators.append(WeightedIndicator(r.indicator, weight, r.direction))
    c1, c2 = st.columns(2)
    new.id = c1.text_input(tr("index_new_id"), value=f"{definition.id}_kopie", key="index_new_id")
    new.label_de = c2.text_input(tr("index_new_label"), value=f"{definition.label_de} (Kopie)",
                                 key="index_new_label")
    new.label_en = new.label_de
    if st.button(tr("index_save"), key="index_save", type="primary", disabled=not valid):
        with guard():
            save_index(ws, new, based_on=definition.id)
            st.cache_data.clear()
            remember_saved(new.id)
            st.rerun()
