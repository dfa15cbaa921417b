"""Small widgets shared by pages (each owns its session key)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from jmdiq_geo.i18n import format_number, localized_column, number_styler
from jmdiq_geo.services.forms import read_number
from jmdiq_geo.services.workspace import Workspace
from jmdiq_geo.ui.state import lang, tr


def number_table(frame: pd.DataFrame, digits: int | dict[str, int] = 2):
    """``frame`` for ``st.dataframe`` with its numbers written as in the UI's language (see
    ``i18n.number_styler``); sorting a column still sorts by its numbers."""
    return number_styler(frame, lang(), digits)


def decimal_input(label: str, value: float | None, *, key: str, min_value: float | None = None,
                  max_value: float | None = None, digits: int = 2, container=None,
                  help: str | None = None, required: bool = False) -> tuple[float | None, bool]:
    """A number field that reads numbers as the UI's language writes them (``4,5`` in German;
    Streamlit's number field drops the comma and reads 45). Returns (value, ok); an empty field
    is (None, True), a text that is no number or lies outside the range shows a message and is
    (None, False)."""
    box = container or st
    shown = "" if value is None else format_number(value, lang(), digits=digits)
    text = box.text_input(label, value=shown, key=key, help=help)
    if not text.strip():
        if required:
            box.error(tr("input_required"))
        return None, not required
    number = read_number(text, lang())
    if number is None:
        box.error(tr("input_not_a_number", text=text.strip()))
        return None, False
    if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
        low, high = (format_number(v, lang(), digits=digits) for v in (min_value, max_value))
        box.error(tr("input_at_least", low=low) if max_value is None else tr("input_out_of_range", low=low, high=high))
        return None, False
    return number, True


def indicator_picker(ws: Workspace, *, key: str, kinds: tuple[str, ...] = ("extensive", "intensive", "class"),
                     label_key: str = "map_indicator", default: str | None = None) -> tuple[str, str]:
    """Select an indicator by its label; returns (id, kind)."""
    ind = ws.indicators()
    ind = ind[ind["kind"].isin(kinds)]
    labels = dict(zip(ind["indicator_id"], localized_column(ind, lang())))
    ids = sorted(labels, key=lambda i: labels[i].lower())
    if not ids:                          # a new workspace: nothing to pick yet
        st.info(tr("ui_no_indicators_yet"), icon=":material/upload_file:")
        st.stop()
    default = default or ws.meta().get("default_indicator")
    chosen = st.selectbox(tr(label_key), ids, index=ids.index(default) if default in ids else 0,
                          format_func=labels.get, key=key)
    row = ind.set_index("indicator_id").loc[chosen]
    # a rate without a denominator cannot be rebuilt on higher levels: treat it like a class there,
    # and say why (the user can give it one on the Daten page)
    kind = row["kind"] if row["kind"] != "intensive" or row["denominator"] else "class"
    if row["kind"] == "intensive" and not row["denominator"]:
        st.caption(tr("map_rate_without_denominator"))
    return chosen, kind


def level_picker(ws: Workspace, *, key: str, lowest_only: bool = False) -> str:
    levels = ws.levels()
    with_areas = ws.levels_with_areas()
    levels = levels[levels["level"].isin(with_areas)]                # levels without areas cannot be shown
    ids = levels["level"].tolist()[:1] if lowest_only else levels["level"].tolist()
    if not ids:
        st.info(tr("ui_no_areas_yet"), icon=":material/upload_file:")
        st.stop()
    return st.selectbox(tr("map_level"), ids, format_func=dict(zip(levels["level"], localized_column(levels, lang()))).get,
                        key=key)


def parse_breaks(text: str) -> list[float] | None:
    """``"10; 25,5; 50"`` → [10.0, 25.5, 50.0] (German or English decimals); None when malformed."""
    try:
        values = [float(part.strip().replace(",", ".")) for part in text.split(";") if part.strip()]
    except ValueError:
        return None
    return sorted(values) or None


#: the choice "no column" in a column select
NONE = "—"


def column_select(label_key: str, columns: list[str], *, key: str, optional: bool = False,
                  guess: tuple[str, ...] = ()) -> str | None:
    """A select of a file's columns, preset to the first of ``guess`` the file has (case
    ignored); ``optional`` adds "—" (None)."""
    options = ([NONE] if optional else []) + columns
    lowered = [c.lower() for c in options]
    index = next((lowered.index(g.lower()) for g in guess if g.lower() in lowered), 0)
    value = st.selectbox(tr(label_key), options, index=index, key=key)
    return None if value == NONE else value


#: Streamlit's table toolbar offers "Download as CSV" of whatever a table shows, written in the
#: browser without neutralising formula-like cells (``=``, ``+``, ``-``, ``@``) and with no
#: option to turn it off (streamlit/streamlit#8402). The app's own downloads neutralise them
#: (``io.exports``), so the toolbar's is hidden; search, columns and full screen stay.
_NO_TABLE_CSV = ('<style>[data-testid="stElementToolbarButton"]:has(button[aria-label="Download as CSV"])'
                 '{display: none !important;}</style>')


def hide_unsafe_table_export() -> None:
    """Hide the table toolbar's own CSV download on every page (call once per run, in app.py)."""
    st.html(_NO_TABLE_CSV)
