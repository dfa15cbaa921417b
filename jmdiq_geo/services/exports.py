"""Exports for other tools: the workspace (or a selection) as a GeoPackage that QGIS opens with the
app's classes, colours and labels, as GeoParquet, as CSV (plain or for German Excel) and as XLSX.

What is exported is what the app shows, never more:

- ``areas``: one wide table per level, one column per indicator with values at the period —
  the values **after the privacy rules** (``services.layers.indicator_layer``: areas under the
  residents' threshold, small counts, what could be derived from them), never the raw ones;
  each indicator's classes and colours come from ``services.maps.describe_indicator_map`` (as
  on the Karte), written as a QGIS style per indicator (one the default);
- ``programmes`` (programme areas), ``services`` (the staff's edits applied, removed ones left
  out), ``projects`` and ``partners`` (only fields about organisations and projects: no notes,
  no free text about people, no user names);
- ``sources``: every source with publisher, licence and attribution, always; each layer's
  description names its own sources too.

The CLI (``jmdiq-geo export``) and the Daten page call ``export_workspace`` / ``export_bytes``.
"""
from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from jmdiq_geo.config import Settings
from jmdiq_geo.errors import InputError, Problem, raise_if_errors
from jmdiq_geo.i18n import format_number, localized, t, t_or
from jmdiq_geo.io.exports import write_tables, write_xlsx
from jmdiq_geo.io.geopackage import ExportLayer, Style, write_geopackage, write_geoparquet
from jmdiq_geo.render.access_maps import CATEGORY_COLOURS
from jmdiq_geo.render.indicator_map import PARTNER_COLOUR, PROJECT_COLOUR
from jmdiq_geo.render.maps import NO_VALUE_COLOUR, PALETTES, palette_colours
from jmdiq_geo.render.qml import categorized_qml, graduated_qml, single_qml
from jmdiq_geo.services.layers import indicator_layer
from jmdiq_geo.services.maps import describe_indicator_map
from jmdiq_geo.services.projects import records
from jmdiq_geo.store.workspace import Workspace

FORMATS = ("gpkg", "parquet", "csv", "csv-de", "xlsx")
LAYERS = ("areas", "programmes", "services", "projects", "partners")
#: fields of projects and partners that are exported (about organisations and projects only)
PROJECT_FIELDS = ("project_id", "title", "area_id", "fields_of_action", "target_groups", "age_min", "age_max",
                  "partners", "budget_planned", "budget_spent", "start", "end", "status", "sustainability")
PARTNER_FIELDS = ("partner_id", "name", "type", "address")
SERVICE_FIELDS = ("service_id", "category", "name", "address", "languages", "opening_hours", "barrier_free", "cost",
                  "age_min", "age_max", "capacity", "edited", "source_id")
SOURCE_FIELDS = ("source_id", "title", "publisher", "licence", "attribution", "url", "reference_date")
#: column → catalogue key of its header
HEADERS = {"area_id": "exp_col_area_id", "name": "exp_col_name", "parent_id": "exp_col_parent_id",
           "pa_id": "exp_col_pa_id", "programme": "exp_col_programme", "since": "exp_col_since",
           "until": "exp_col_until", "service_id": "exp_col_service_id", "category": "exp_col_category",
           "address": "exp_col_address", "languages": "exp_col_languages", "opening_hours": "exp_col_opening_hours",
           "barrier_free": "exp_col_barrier_free", "cost": "exp_col_cost", "age_min": "exp_col_age_min",
           "age_max": "exp_col_age_max", "capacity": "exp_col_capacity", "edited": "exp_col_edited",
           "source_id": "exp_col_source_id", "project_id": "exp_col_project_id", "title": "exp_col_title",
           "fields_of_action": "exp_col_fields_of_action", "target_groups": "exp_col_target_groups",
           "partners": "exp_col_partners", "budget_planned": "exp_col_budget_planned",
           "budget_spent": "exp_col_budget_spent", "start": "exp_col_start", "end": "exp_col_end",
           "status": "exp_col_status", "sustainability": "exp_col_sustainability", "partner_id": "exp_col_partner_id",
           "type": "exp_col_type", "publisher": "exp_col_publisher", "licence": "exp_col_licence",
           "attribution": "exp_col_attribution", "url": "exp_col_url", "reference_date": "exp_col_reference_date",
           "x": "exp_col_x", "y": "exp_col_y"}


@dataclass
class Export:
    path: Path
    layers: dict[str, int]          # layer name → rows written
    period: date | None
    levels: list[str]


def _field(indicator_id: str, taken: set[str]) -> str:
    """A field name for an indicator (letters, digits and _), unique in its table."""
    base = re.sub(r"[^a-z0-9_]", "_", indicator_id.lower()) or "wert"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def _headers(columns, lang: str) -> dict[str, str]:
    return {c: t(HEADERS[c], lang) for c in columns if c in HEADERS}


def default_period(ws: Workspace) -> date | None:
    """The latest period with values on the lowest level."""
    periods = ws.periods(level=ws.lowest_level())
    return max(periods) if periods else None


def _check(ws: Workspace, *, levels: list[str] | None, period: date | None, layers: tuple[str, ...],
           palette: str, indicators: list[str] | None) -> None:
    """Every problem with what an export asks for, at once."""
    problems = []
    unknown_ids = [i for i in indicators or [] if i not in ws.indicator_ids()]
    if unknown_ids:
        problems.append(Problem("indicator_unknown", {"indicators": ", ".join(unknown_ids)}))
    known = ws.levels_in_order()
    for level in levels or []:
        if level not in known:
            problems.append(Problem("level_unknown", {"level": level, "known": ", ".join(known)}))
    unknown = [x for x in layers if x not in LAYERS]
    if unknown:
        problems.append(Problem("export_layer_unknown", {"layers": ", ".join(unknown), "known": ", ".join(LAYERS)}))
    if palette not in PALETTES:
        problems.append(Problem("map_palette_unknown", {"palette": palette, "known": ", ".join(PALETTES)}))
    have = ws.periods(level=ws.lowest_level())
    if period is not None and "areas" in layers and period not in have:
        problems.append(Problem("export_no_period", {"period": period.isoformat(),
                                                     "known": ", ".join(p.isoformat() for p in have) or "–"}))
    when = period or (max(have) if have else None)
    for ind in indicators or []:
        if ind not in unknown_ids and when is not None and when not in ws.periods(indicator_id=ind):
            problems.append(Problem("map_no_values", {
                "indicator": ind, "period": when.isoformat(),
                "known": ", ".join(p.isoformat() for p in ws.periods(indicator_id=ind)) or "–"}))
    raise_if_errors(problems)


#: more areas than this: their names are drawn only from ``NAMES_UP_TO_SCALE`` inwards
MANY_AREAS = 60
NAMES_UP_TO_SCALE = 75_000


def _names(n_areas: int) -> tuple[str, int | None]:
    """(field, up to scale) of the area names as labels in QGIS."""
    return "name", NAMES_UP_TO_SCALE if n_areas > MANY_AREAS else None


def _indicator_style(description, column: str, aliases: dict[str, str], lang: str) -> str:
    """The QML of one indicator column: the Karte's classes and colours (official classes as
    categories, areas without a value in the app's grey), area names as labels."""
    names = _names(len(description.layer.areas))
    if description.official:
        colours = palette_colours(description.palette, len(description.official))
        categories = [(code, label, colour) for (code, label), colour in zip(description.official, colours)]
        return categorized_qml(column, categories=categories, other=(t("no_value", lang), NO_VALUE_COLOUR),
                               aliases=aliases, names=names)
    classes = description.classes
    if classes is None or classes.k == 0:
        return single_qml("polygon", NO_VALUE_COLOUR, outline="#777777", outline_width=0.15, aliases=aliases,
                          names=names)
    digits = description.value_digits
    labels = [f"{format_number(lo, lang, digits=digits)} – {format_number(hi, lang, digits=digits)}"
              for lo, hi in zip(classes.lower, classes.upper)]
    return graduated_qml(column, lower=classes.lower, upper=classes.upper,
                         colours=palette_colours(description.palette, classes.k), labels=labels, aliases=aliases,
                         names=names)


def area_layer(ws: Workspace, *, level: str, period: date, settings: Settings, lang: str,
               indicators: list[str] | None = None, default_indicator: str | None = None,
               scheme: str = "quantiles", k: int = 5, palette: str = "YlOrRd") -> ExportLayer:
    """The areas of ``level`` with one column per indicator at ``period`` (values as the app
    shows them, privacy rules applied) and a QGIS style per indicator."""
    defs = ws.indicators().set_index("indicator_id")
    on_lowest = level == ws.lowest_level()
    # on a higher level only what can be carried up (counts, rates with their denominator)
    ids = [i for i in (indicators or defs.index) if period in ws.periods(indicator_id=i)
           and (on_lowest or defs.at[i, "kind"] == "extensive"
                or (defs.at[i, "kind"] == "intensive" and pd.notna(defs.at[i, "denominator"])
                    and bool(defs.at[i, "denominator"])))]
    areas = ws.areas(level)
    frame = areas[["area_id", "name", "parent_id", "geometry"]].copy()
    taken = set(frame.columns) | {"geom", "fid"}           # the GeoPackage's own column names
    headers = _headers(["area_id", "name", "parent_id"], lang)
    described, attributions = [], ws.attributions(sorted(set(areas["source_id"].dropna())))
    for ind in ids:
        layer = indicator_layer(ws, indicator_id=ind, period=period, level=level, settings=settings)
        column = _field(ind, taken)
        frame[column] = layer.areas["value"].to_numpy()
        unit = defs.at[ind, "unit"]
        headers[column] = localized(defs.loc[ind], lang) + (f" ({unit})" if isinstance(unit, str) and unit else "")
        described.append((ind, column, describe_indicator_map(ws, indicator_id=ind, period=period, level=level,
                                                              settings=settings, lang=lang, scheme=scheme, k=k,
                                                              palette=palette, layer=layer)))
        attributions += layer.attributions
    # two indicators with the same label get their ids in the header
    labels = pd.Series(headers)
    for column in labels[labels.duplicated(keep=False)].index:
        headers[column] = f"{headers[column]} [{column}]"
    level_label = localized(ws.levels().set_index("level").loc[level], lang)
    # coloured on opening by: the one asked for, else the workspace's default indicator (as the
    # Karte opens), else the first
    first = next((i for i in (default_indicator, ws.meta().get("default_indicator")) if i in ids), ids[0] if ids else None)
    styles = [Style(f"{d.title} ({period.isoformat()})", _indicator_style(d, column, headers, lang),
                    default=ind == first, description=" · ".join(d.attributions)) for ind, column, d in described]
    if not styles:
        styles = [Style(level_label, single_qml("polygon", NO_VALUE_COLOUR, outline="#777777", aliases=headers,
                                                names=_names(len(frame))), default=True)]
    return ExportLayer(name=f"areas_{_field(level, set())}", title=f"{level_label} {period.isoformat()}",
                       frame=gpd.GeoDataFrame(frame, geometry="geometry", crs=ws.work_crs),
                       description=" · ".join(dict.fromkeys(attributions)), styles=styles, headers=headers)


def _points(ws: Workspace, entity: str, fields: tuple[str, ...]) -> gpd.GeoDataFrame:
    frame = records(ws, entity)
    frame = frame[[c for c in (*fields, "x", "y") if c in frame.columns]].copy()
    for column in ("fields_of_action", "partners"):
        if column in frame:
            frame[column] = frame[column].map(lambda v: "; ".join(v) if isinstance(v, list) else "")
    geometry = gpd.points_from_xy(frame["x"], frame["y"])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=ws.work_crs)


def other_layers(ws: Workspace, layers: tuple[str, ...], lang: str) -> list[ExportLayer]:
    out = []
    if "programmes" in layers:
        pa = ws.programme_areas()
        frame = pa[["pa_id", "name", "programme", "since", "until", "source_id", "geometry"]]
        out.append(ExportLayer("programme_areas", t("map_programme_areas", lang), frame,
                               " · ".join(ws.attributions(sorted(set(pa["source_id"].dropna())))),
                               [Style(t("map_programme_areas", lang),
                                      single_qml("polygon", "#5e3c99", outline="#5e3c99", fill=False, dashed=True,
                                                 outline_width=0.8, aliases=_headers(frame.columns, lang)),
                                      default=True)], _headers(frame.columns, lang)))
    if "services" in layers:
        svc = ws.services()
        frame = svc[[*SERVICE_FIELDS, "geometry"]].copy()
        frame["barrier_free"] = frame["barrier_free"].astype("boolean")
        present = sorted(set(frame["category"].dropna()))
        headers = _headers(frame.columns, lang)
        qml = categorized_qml("category", categories=[(c, t_or(f"cat_{c}", c, lang), CATEGORY_COLOURS.get(c, "#444444"))
                                                      for c in present],
                              other=(t("no_value", lang), "#444444"), geometry="point", aliases=headers)
        out.append(ExportLayer("services", t("col_services", lang), frame,
                               " · ".join(ws.attributions(sorted(set(svc["source_id"].dropna())))),
                               [Style(t("col_services", lang), qml, default=True)],
                               {**headers, **_headers(["x", "y"], lang)}))        # tables carry x, y
    for entity, fields, colour, key in (("project", PROJECT_FIELDS, PROJECT_COLOUR, "projects_projects"),
                                        ("partner", PARTNER_FIELDS, PARTNER_COLOUR, "projects_tab_partners")):
        if f"{entity}s" in layers:
            frame = _points(ws, entity, fields)
            headers = _headers(frame.columns, lang)
            out.append(ExportLayer(f"{entity}s", t(key, lang), frame, t("exp_projects_source", lang),
                                   [Style(t(key, lang), single_qml("point", colour, aliases=headers), default=True)],
                                   headers))
    return out


def sources_layer(ws: Workspace, lang: str) -> ExportLayer:
    frame = ws.sources()[list(SOURCE_FIELDS)].copy()
    frame["reference_date"] = frame["reference_date"].astype(str).replace({"None": "", "NaT": ""})
    return ExportLayer("sources", t("data_sources", lang), frame, t("exp_sources_description", lang),
                       headers=_headers(frame.columns, lang))


def export_layers(ws: Workspace, *, settings: Settings, lang: str = "de", levels: list[str] | None = None,
                  period: date | None = None, layers: tuple[str, ...] = LAYERS, indicators: list[str] | None = None,
                  default_indicator: str | None = None, scheme: str = "quantiles", k: int = 5,
                  palette: str = "YlOrRd") -> tuple[list[ExportLayer], date | None, list[str]]:
    """The layers of an export (areas per level, the others asked for, the sources), the period
    and the levels they hold."""
    _check(ws, levels=levels, period=period, layers=layers, palette=palette, indicators=indicators)
    period = period or default_period(ws)
    levels = levels or [lv for lv in ws.levels_in_order() if lv in ws.levels_with_areas()]
    out = []
    if "areas" in layers and period is not None:
        out += [area_layer(ws, level=lv, period=period, settings=settings, lang=lang, indicators=indicators,
                           default_indicator=default_indicator, scheme=scheme, k=k, palette=palette) for lv in levels]
    out += [layer for layer in other_layers(ws, layers, lang) if len(layer.frame)]      # none: no empty layer
    out.append(sources_layer(ws, lang))
    return out, period, levels


def write_export(layers: list[ExportLayer], fmt: str, out: Path | str) -> Path:
    """Write ``layers`` as ``fmt`` to ``out``: gpkg and xlsx one file; parquet, csv and csv-de a
    folder of files, or one ZIP archive when ``out`` ends in ``.zip``."""
    out = Path(out)
    if fmt == "gpkg":
        return write_geopackage(layers, out)
    if fmt == "xlsx":
        return write_xlsx({layer.name: layer.table() for layer in layers}, out)
    if fmt in ("csv", "csv-de"):
        return write_tables({layer.name: layer.table() for layer in layers}, out, excel_de=fmt == "csv-de")
    if fmt == "parquet":
        if out.suffix.lower() != ".zip":
            write_geoparquet(layers, out)
            return out
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(out, "w") as archive:
            for path in write_geoparquet(layers, tmp):
                archive.write(path, path.name)
        return out
    raise InputError(Problem("export_format_unknown", {"format": fmt, "known": ", ".join(FORMATS)}))


def export_workspace(ws: Workspace, *, fmt: str, out: Path | str, settings: Settings, lang: str = "de",
                     **selection) -> Export:
    """The export asked for, written to ``out``; the rows per layer say what it holds."""
    if fmt not in FORMATS:
        raise InputError(Problem("export_format_unknown", {"format": fmt, "known": ", ".join(FORMATS)}))
    layers, period, levels = export_layers(ws, settings=settings, lang=lang, **selection)
    path = write_export(layers, fmt, out)
    return Export(path, {layer.name: len(layer.frame) for layer in layers}, period, levels)


#: format → (file suffix of a download, MIME type)
DOWNLOADS = {"gpkg": (".gpkg", "application/geopackage+sqlite3"), "parquet": (".zip", "application/zip"),
             "csv": (".zip", "application/zip"), "csv-de": (".zip", "application/zip"),
             "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def export_bytes(ws: Workspace, *, fmt: str, settings: Settings, lang: str = "de", name: str = "export",
                 **selection) -> tuple[bytes, str, str]:
    """An export as (bytes, file name, MIME type) for a download."""
    if fmt not in FORMATS:
        raise InputError(Problem("export_format_unknown", {"format": fmt, "known": ", ".join(FORMATS)}))
    suffix, mime = DOWNLOADS[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        result = export_workspace(ws, fmt=fmt, out=Path(tmp) / f"{name}{suffix}", settings=settings, lang=lang,
                                  **selection)
        return result.path.read_bytes(), f"{name}{suffix}", mime
