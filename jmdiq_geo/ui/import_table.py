"""The Import page's form for an indicator table: level, key or names, value columns (none
chosen: every column holding numbers), the period (or the periods the table carries), a
preview of the values as they will be stored, and per new indicator its kind, unit and
denominator."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import format_date
from jmdiq_geo.services import imports as im
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.state import lang, settings, tr, workspace, workspace_version
from jmdiq_geo.ui.widgets import column_select

@st.cache_data(show_spinner=False, max_entries=16)
def _plan(version: float, path: str, mtime: float, spec: im.TableSpec) -> im.TablePlan:
    return im.table_plan(workspace(), path, spec, max_bytes=settings().max_file_bytes)


def table_spec(columns: list[str], level_labels: dict[str, str], known_indicators: set[str],
               sample: pd.DataFrame | None, decimal: str, path: Path | None,
               layer: str | None = None) -> im.TableSpec | None:
    c1, c2 = st.columns(2)
    level = c1.selectbox(tr("map_level"), list(level_labels), format_func=level_labels.get, key="imp_level")
    by_name = st.toggle(tr("import_by_name"), key="imp_by_name")
    key = None if by_name else column_select("import_key", columns, key="imp_key", guess=("id", "PLR_ID", "key"))
    name = column_select("import_name", columns, key="imp_name_col", guess=("name",)) if by_name else None
    values = st.multiselect(tr("import_value_columns"), [c for c in columns if c not in (key, name)],
                            key="imp_values", placeholder=tr("import_value_columns_all"),
                            help=tr("import_value_columns_help"))
    missing = [m.strip() for m in st.text_input(tr("import_missing"), key="imp_missing",
                                                help=tr("import_missing_help")).split(",") if m.strip()]
    # chosen columns keep their names as ids; without a choice every column holding numbers is
    # taken (of a long or wide table: its variables, one period per year)
    cols = {c: c.lower() for c in values}
    base = im.TableSpec(level=level, period=None, columns=cols, key=key, name_column=name, missing_values=missing,
                        define=True, layer=layer)
    if path is None:
        return None
    try:
        plan = _plan(workspace_version(), str(path), path.stat().st_mtime, base)
    except JmdiqError as exc:
        show_error(exc, title_key="import_failed")
        return None
    in_table = [p for p in plan.periods if p is not None]
    period = None
    if len(in_table) < len(plan.periods):               # a plain table (or columns without a year)
        period = _period_input(c2, plan.period_hint, str(path))
    if in_table:
        st.caption(tr("import_periods_in_table", shape=tr(f"import_shape_{plan.shape}"),
                      periods=", ".join(format_date(p, lang()) for p in sorted(set(in_table)))))
    with st.expander(tr("import_values_preview")):
        shown = plan.preview.assign(period=plan.preview["period"].map(
            lambda p: format_date(p, lang()) if p is not None and not pd.isna(p) else (
                format_date(period, lang()) if period else "–")))
        st.dataframe(shown.rename(columns={"area": tr("import_preview_area"), "period": tr("map_period"),
                                           "column": tr("import_column"), "indicator": tr("map_indicator"),
                                           "value": tr("import_preview_value")}),
                     hide_index=True, width="stretch", height=220)
    new = [(col, d) for col, d, _ in plan.new if d.indicator_id not in known_indicators]
    if not plan.columns:
        return None
    kinds, units, dens = _kinds_form([col for col, _ in new], sample, decimal,
                                     list(plan.columns) + sorted(known_indicators),
                                     guessed={col: d.kind for col, d in new})
    defs = [im.IndicatorDef(d.indicator_id, label_de=col, label_en=col, unit=units[col], kind=kinds[col])
            for col, d in new]
    if period is None and len(in_table) < len(plan.periods):
        return None                                     # the form is shown whole; the period is missing
    return im.TableSpec(level=level, period=period.isoformat() if period else None, columns=plan.columns, key=key,
                        name_column=name, missing_values=missing, indicators=defs, denominators=dens, layer=layer)


def _period_input(column, hint, file: str):
    """The period of a plain table: offered as its title rows or its file name give it (said
    below the field), else empty until the user gives it. A new file sets it anew."""
    if st.session_state.get("imp_period_for") != (file, hint):
        st.session_state["imp_period_for"] = (file, hint)
        st.session_state["imp_period"] = hint[0] if hint else None
    period = column.date_input(tr("map_period"), key="imp_period", format="DD.MM.YYYY", min_value=date(1950, 1, 1))
    if hint and period == hint[0]:
        column.caption(tr(f"import_period_from_{hint[1]}", date=format_date(hint[0], lang())))
    elif period is None:
        column.caption(tr("import_period_give"))
    return period


def _kinds_form(columns: list[str], sample: pd.DataFrame | None, decimal: str, denominators: list[str], *,
                guessed: dict[str, str]) -> tuple[dict, dict, dict]:
    """Per new indicator: a count (summed on higher levels) or a rate/share (never summed), its
    unit and, for a rate, its denominator (a count column of the table or an indicator: the
    weight on higher levels); guessed from the column's name and values, changeable in a table."""
    if not columns:
        return {}, {}, {}
    guessed = [guessed.get(c) or im.guess_indicator_kind(c, sample[c] if sample is not None and c in sample else None,
                                                         decimal=decimal) for c in columns]
    # the kinds stay codes in the table (shown in the UI's language): a label kept across a
    # language switch cannot be misread
    rows = pd.DataFrame({"column": columns, "kind": guessed,
                         "unit": ["%" if k == "intensive" else "" for k in guessed], "denominator": [""] * len(columns)})
    st.caption(tr("import_kinds_help"))
    edited = st.data_editor(rows, hide_index=True, disabled=["column"], width="stretch",
                            key="imp_kinds_" + "|".join(columns), column_config={
                                "column": st.column_config.TextColumn(tr("import_column")),
                                "kind": st.column_config.SelectboxColumn(
                                    tr("import_indicator_kind"), options=list(im.INDICATOR_KINDS), required=True,
                                    format_func=lambda k: tr(f"kind_{k}")),
                                "unit": st.column_config.TextColumn(tr("import_unit")),
                                "denominator": st.column_config.SelectboxColumn(
                                    tr("import_denominator"), options=[""] + list(dict.fromkeys(denominators)),
                                    format_func=lambda d: d or "–", help=tr("import_denominator_help"))})
    kinds = {r.column: r.kind if r.kind in im.INDICATOR_KINDS else "extensive" for r in edited.itertuples()}
    units = {r.column: (str(r.unit).strip() or None) if isinstance(r.unit, str) else None for r in edited.itertuples()}
    dens = {r.column: r.denominator for r in edited.itertuples()
            if isinstance(r.denominator, str) and r.denominator and kinds[r.column] == "intensive"}
    return kinds, units, dens
