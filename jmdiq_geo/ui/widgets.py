"""Small widgets shared by pages (each owns its session key)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from jmdiq_geo.i18n import number_styler
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.ui.state import lang, tr


def number_table(frame: pd.DataFrame, digits: int | dict[str, int] = 2):
    """``frame`` for ``st.dataframe`` with its numbers written as in the UI's language (see
    ``i18n.number_styler``); sorting a column still sorts by its numbers."""
    return number_styler(frame, lang(), digits)


def indicator_picker(ws: Workspace, *, key: str, kinds: tuple[str, ...] = ("extensive", "intensive", "class"),
                     label_key: str = "map_indicator", default: str | None = None) -> tuple[str, str]:
    """Select an indicator by its label; returns (id, kind)."""
    ind = ws.indicators()
    ind = ind[ind["kind"].isin(kinds)]
    label_col = "label_de" if lang() == "de" else "label_en"
    labels = {i: (l_ or d) for i, l_, d in zip(ind["indicator_id"], ind[label_col], ind["label_de"])}
    ids = sorted(labels, key=lambda i: labels[i].lower())
    default = default or ws.meta().get("default_indicator")
    chosen = st.selectbox(tr(label_key), ids, index=ids.index(default) if default in ids else 0,
                          format_func=labels.get, key=key)
    row = ind.set_index("indicator_id").loc[chosen]
    # a rate without a denominator cannot be rebuilt on higher levels: treat it like a class there
    kind = row["kind"] if row["kind"] != "intensive" or row["denominator"] else "class"
    return chosen, kind


def level_picker(ws: Workspace, *, key: str, lowest_only: bool = False) -> str:
    levels = ws.levels().sort_values("rank")
    with_areas = {r[0] for r in ws.cursor().execute("SELECT DISTINCT level FROM areas").fetchall()}
    levels = levels[levels["level"].isin(with_areas)]                # levels without areas cannot be shown
    label_col = "label_de" if lang() == "de" else "label_en"
    ids = levels["level"].tolist()[:1] if lowest_only else levels["level"].tolist()
    return st.selectbox(tr("map_level"), ids, format_func=dict(zip(levels["level"], levels[label_col])).get, key=key)


def parse_breaks(text: str) -> list[float] | None:
    """``"10; 25,5; 50"`` → [10.0, 25.5, 50.0] (German or English decimals); None when malformed."""
    try:
        values = [float(part.strip().replace(",", ".")) for part in text.split(";") if part.strip()]
    except ValueError:
        return None
    return sorted(values) or None
