"""A map described once: what an indicator map shows, as plain data.

``describe_indicator_map`` answers "what is on this map" — the layer (values after the privacy
rules, ranks, the city value), its title, its classes or official categories, the outlines, the
overlays and every source with its licence. ``render.indicator_map.draw`` turns the description
into a Leaflet map; the app (Karte), the CLI (``jmdiq-geo map``) and exports all draw from the
same description, so they cannot disagree about a class bound or a source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely

from jmdiq_geo.analysis.classify import Classes, classify
from jmdiq_geo.config import Settings
from jmdiq_geo.errors import InputError, Problem, raise_if_errors
from jmdiq_geo.i18n import class_label, localized, t
from jmdiq_geo.crs import to_display_crs
from jmdiq_geo.render.map_context import label_groups, label_min_zoom
from jmdiq_geo.render.maps import PALETTES
from jmdiq_geo.services.context import context_layers, context_sources
from jmdiq_geo.services.grids import GRID_LEVEL, grid_layer, has_area_statistics
from jmdiq_geo.services.layers import IndicatorLayer, change_layer, indicator_layer
from jmdiq_geo.services.projects import located_points
from jmdiq_geo.store.workspace import Workspace


@dataclass
class Overlays:
    """What is drawn on top of the areas (each toggled in the map's layer switcher)."""
    programme_areas: gpd.GeoDataFrame | None = None
    services: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)     # category → points
    projects: gpd.GeoDataFrame | None = None
    partners: gpd.GeoDataFrame | None = None

    def any(self) -> bool:
        return self.programme_areas is not None or bool(self.services) or self.projects is not None \
            or self.partners is not None


@dataclass
class MapDescription:
    """Everything an indicator map shows, before anything is drawn."""
    layer: IndicatorLayer
    title: str
    lang: str
    palette: str
    #: the classes of the values (None for an indicator with official classes)
    classes: Classes | None
    #: official classes as (code, label) in code order (empty for anything else)
    official: list[tuple[float, str]]
    unit: str | None
    city_name: str
    value_digits: int
    #: a change between two periods: a ramp diverging at zero
    diverging: bool
    attributions: list[str]
    #: the level whose outlines are drawn over the areas (the top level), None on the top level itself
    outline_level: str | None
    overlays: Overlays = field(default_factory=Overlays)
    #: the layer is grid cells (squares: drawn without simplification and without cell borders)
    cells: bool = False
    #: context layers (streets, water, rail, parks → features in the work CRS); empty: none
    context: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    #: area names shown by zoom (``render.map_context.label_groups``); empty: none
    labels: list[dict] = field(default_factory=list)


def official_classes(definition: dict) -> list[tuple[float, str]]:
    """(code, key) of a class indicator's official classes in code order (keys that are no
    number cannot match a value and are left out); empty for anything else."""
    if definition.get("kind") != "class" or not definition.get("classes"):
        return []
    codes = []
    for key in definition["classes"]:
        try:
            codes.append((float(key), key))
        except (TypeError, ValueError):
            continue
    return sorted(codes)


def load_overlays(ws: Workspace, *, show_programmes: bool = False, service_categories: tuple[str, ...] = (),
                  show_projects: bool = False) -> Overlays:
    """The overlays a map asks for, read from the workspace."""
    return Overlays(
        programme_areas=ws.programme_areas() if show_programmes else None,
        services={c: ws.services(category=c) for c in service_categories},
        projects=located_points(ws, "project") if show_projects else None,
        partners=located_points(ws, "partner") if show_projects else None)


def outline_shapes(ws: Workspace, level: str) -> gpd.GeoDataFrame | None:
    """What is drawn as outlines over a map of ``level`` (work CRS): the top level's areas when
    the map shows a lower level, and the context outlines (the Kreis and Land around a Gemeinde
    starter); None when there is nothing to outline."""
    parts = []
    top = ws.top_level()
    if top != level:
        parts.append(ws.areas(top)[["geometry"]])
    context = ws.context_areas()
    if len(context):
        parts.append(context[["geometry"]])
    if not parts:
        return None
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=ws.work_crs)


def _digits(ws: Workspace, indicator_id: str, definition: dict, *, relative: bool) -> int:
    """Counts (and their changes in persons) without decimals; rates and shares with one."""
    kind = definition.get("kind")
    if kind == "change" and not relative:
        kinds = ws.indicators().set_index("indicator_id")["kind"]
        kind = kinds.get(indicator_id, kind)
    return 0 if kind == "extensive" else 1


def map_labels(ws: Workspace, level: str, *, areas: gpd.GeoDataFrame | None = None,
                parent_ids: list[str] | None = None) -> list[dict]:
    """The label groups of a map of ``level``: the top level's names at city zoom, then the
    names of ``level`` (``areas``: only these, e.g. one district's; default all) where they fit.
    ``parent_ids``: the top-level areas whose names are shown (default all)."""
    areas = ws.areas(level) if areas is None else areas
    if areas.empty:
        return []
    top = ws.top_level()
    minx, miny, maxx, maxy = areas.total_bounds
    centre = shapely.Point((minx + maxx) / 2, (miny + maxy) / 2)
    latitude = float(to_display_crs(gpd.GeoDataFrame(geometry=[centre], crs=areas.crs)).geometry.iloc[0].y)
    levels = []
    if top != level:
        parents = ws.areas(top)
        if parent_ids is not None:
            parents = parents[parents["area_id"].isin(parent_ids)]
        if len(parents):
            levels.append((parents, label_min_zoom(parents.geometry.area, latitude)))
    levels.append((areas, label_min_zoom(areas.geometry.area, latitude)))
    return label_groups(levels)


def _check_request(ws: Workspace, *, indicator_id: str, level: str, palette: str, periods: list[date]) -> None:
    """Every problem with what a map asks for, at once (an unknown indicator or level, a period
    without values), instead of a KeyError deep inside."""
    problems = []
    if palette not in PALETTES:
        problems.append(Problem("map_palette_unknown", {"palette": palette, "known": ", ".join(PALETTES)}))
    if indicator_id not in ws.indicator_ids():
        problems.append(Problem("indicator_unknown", {"indicators": indicator_id}))
    levels = ws.levels_in_order()
    if level not in levels:
        problems.append(Problem("level_unknown", {"level": level, "known": ", ".join(levels)}))
    if not problems:
        have = ws.periods(indicator_id=indicator_id, level=ws.lowest_level())
        for period in periods:
            if period not in have:
                problems.append(Problem("map_no_values", {
                    "indicator": indicator_id, "period": period.isoformat(),
                    "known": ", ".join(p.isoformat() for p in have) or "–"}))
    raise_if_errors(problems)


def describe_indicator_map(ws: Workspace, *, indicator_id: str, period: date, level: str | None = None,
                           settings: Settings, lang: str = "de", scheme: str = "quantiles", k: int = 5,
                           palette: str = "YlOrRd", period_from: date | None = None, relative: bool = False,
                           breaks: list[float] | None = None, overlays: Overlays | None = None,
                           layer: IndicatorLayer | None = None, context: dict | None = None,
                           labels: list[dict] | None = None) -> MapDescription:
    """Describe the map of one indicator (or its change since ``period_from``) on ``level``.

    ``layer``, ``overlays``, ``context`` (``services.context.context_layers``) and ``labels``
    (``map_labels``) may be handed in when the caller has them cached (the app); otherwise they
    are computed here."""
    level = level or ws.lowest_level()
    if layer is None:
        _check_request(ws, indicator_id=indicator_id, level=level, palette=palette,
                       periods=[p for p in (period_from, period) if p is not None])
        layer = (change_layer(ws, indicator_id=indicator_id, period_from=period_from, period_to=period, level=level,
                              relative=relative, settings=settings) if period_from is not None else
                 indicator_layer(ws, indicator_id=indicator_id, period=period, level=level, settings=settings))
    overlays = overlays or Overlays()
    definition = layer.definition
    codes = official_classes(definition) if period_from is None else []
    # official classes (e.g. the MSS status index) are drawn as they are; anything else is
    # classified; for changes zero is a class bound, so no class mixes falls and rises
    classes = None if codes else classify(layer.areas["value"], scheme=scheme, k=k, breaks=breaks,
                                          centre=0.0 if period_from is not None else None)
    title = localized(definition, lang)
    if period_from is not None:
        title = t("map_change_title", lang, title=title, a=period_from.year, b=period.year)
    # the overlays' sources are named too (every map names all of its sources)
    extra = set()
    for points in overlays.services.values():
        extra |= set(points["source_id"].dropna())
    if overlays.programme_areas is not None:
        extra |= set(overlays.programme_areas["source_id"].dropna())
    extra |= set(ws.context_areas()["source_id"].dropna())       # the context outlines drawn too
    context = context_layers(ws) if context is None else context
    extra |= set(context_sources(context))                       # streets, water … drawn too
    attributions = list(dict.fromkeys(layer.attributions + (ws.attributions(sorted(extra)) if extra else [])))
    top = ws.top_level()
    return MapDescription(
        layer=layer, title=title, lang=lang, palette=palette, classes=classes,
        official=[(code, class_label(definition["classes"], key, lang)) for code, key in codes],
        unit=definition.get("unit"), city_name=ws.meta().get("city", "") or t("tt_city", lang),
        value_digits=_digits(ws, indicator_id, definition, relative=relative), diverging=period_from is not None,
        attributions=attributions, outline_level=top if top != layer.level else None, overlays=overlays,
        context=context, labels=map_labels(ws, layer.level) if labels is None else labels)


def grid_outline_level(ws: Workspace) -> str:
    """The level outlined (and named) over a grid map: the districts where the workspace has
    areas of its own, else its outline."""
    return ws.top_level() if has_area_statistics(ws) else ws.lowest_level()


def describe_grid_map(ws: Workspace, *, grid_id: str, settings: Settings, lang: str = "de",
                      scheme: str = "quantiles", k: int = 5, palette: str = "YlOrRd",
                      breaks: list[float] | None = None, overlays: Overlays | None = None,
                      layer: IndicatorLayer | None = None, context: dict | None = None,
                      labels: list[dict] | None = None) -> MapDescription:
    """Describe the map of one grid variable: its cells (``services.grids.grid_layer``: privacy
    rules applied, clipped to the workspace's outline) classified like any indicator, titled with
    the grid's label, naming the grid's source and the outline's."""
    if palette not in PALETTES:
        raise_if_errors([Problem("map_palette_unknown", {"palette": palette, "known": ", ".join(PALETTES)})])
    layer = layer or grid_layer(ws, grid_id=grid_id, settings=settings)
    overlays = overlays or Overlays()
    definition = layer.definition
    classes = classify(layer.areas["value"], scheme=scheme, k=k, breaks=breaks)
    extra = set()
    for points in overlays.services.values():
        extra |= set(points["source_id"].dropna())
    if overlays.programme_areas is not None:
        extra |= set(overlays.programme_areas["source_id"].dropna())
    context = context_layers(ws) if context is None else context
    extra |= set(context_sources(context))                       # streets, water … drawn too
    attributions = list(dict.fromkeys(layer.attributions + (ws.attributions(sorted(extra)) if extra else [])))
    outline_level = grid_outline_level(ws)
    return MapDescription(context=context, labels=map_labels(ws, outline_level) if labels is None else labels,
        layer=layer, title=localized(definition, lang), lang=lang, palette=palette, classes=classes, official=[],
        unit=definition.get("unit"), city_name=ws.meta().get("city", "") or t("tt_city", lang),
        value_digits=0 if definition["kind"] == "extensive" else 1, diverging=False, attributions=attributions,
        outline_level=outline_level if layer.level == GRID_LEVEL else None, overlays=overlays, cells=True)


def index_map_parts(ws: Workspace, definition, table: pd.DataFrame, part: str, lang: str):
    """What the map of one component of a composite index (or its overall groups) shows:
    (codes per area of ``ws.areas(definition.level)``, in its order; categories as
    [(code, label, colour)] on a YlOrRd ramp; title; sources with licences). ``table``: the
    computed index (``services.layers.compute_index_for(...).table``). The Indizes page and
    presentations draw it alike."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    from jmdiq_geo.analysis.index import group_table

    areas = ws.areas(definition.level)
    ramp = colormaps["YlOrRd"]
    if part == "overall":
        groups = group_table(definition)
        cats = [(code, label, to_hex(ramp(0.1 + 0.85 * i / max(1, len(groups) - 1))))
                for i, (code, label) in enumerate(groups)]
        codes, title = table["overall_code"], localized(definition.overall, lang)
    else:
        comp = next((c for c in definition.components if c.id == part), None)
        if comp is None:
            raise InputError(Problem("story_index_unknown", {"index": part}))
        n = len(comp.classes)
        cats = [(c.code, localized(c, lang), to_hex(ramp(0.1 + 0.85 * i / max(1, n - 1))))
                for i, c in enumerate(comp.classes)]
        codes, title = table[f"{part}_code"], localized(comp, lang)
    codes = codes.reindex(areas["area_id"].to_numpy())
    codes.index = areas.index
    sources = ws.attributions(sorted(set(ws.value_sources(definition.indicator_ids()))
                                     | set(areas["source_id"].dropna())))
    return codes, cats, title, sources


def zoom_targets(ws: Workspace, lang: str) -> pd.DataFrame:
    """What a map can zoom to: every area of every level, largest level first (level, area_id,
    name, label "Level · Name")."""
    levels = ws.levels().set_index("level")
    rows = []
    for level in reversed(ws.levels_in_order()):
        names = ws.area_names(level)
        if names.empty:
            continue
        level_label = localized(levels.loc[level].to_dict(), lang) or level
        part = names[["area_id", "name"]].copy()
        part["name"] = part["name"].fillna(part["area_id"]).astype(str)
        part.insert(0, "level", level)
        part["label"] = level_label + " · " + part["name"]
        rows.append(part.sort_values("name", kind="stable"))
    if not rows:
        return pd.DataFrame(columns=["level", "area_id", "name", "label"])
    return pd.concat(rows, ignore_index=True)


def target_bounds(ws: Workspace, level: str, area_id: str) -> tuple[float, float, float, float]:
    """The bounds (lon/lat: min x, min y, max x, max y) of one area, to zoom the map to."""
    areas = ws.areas(level)
    area = areas[areas["area_id"] == area_id]
    if area.empty:
        raise_if_errors([Problem("area_unknown", {"area": area_id, "level": level})])
    return tuple(float(v) for v in to_display_crs(area[["geometry"]]).total_bounds)


def areas_within(ws: Workspace, level: str, target_level: str, target_id: str) -> set[str]:
    """The ids of the areas of ``level`` that lie in the area ``target_id`` of ``target_level``
    (a point inside each area decides; the area itself when the levels are the same)."""
    if level == target_level:
        return {target_id}
    target = ws.areas(target_level)
    target = target[target["area_id"] == target_id]
    if target.empty:
        return set()
    areas = ws.areas(level)
    inside = areas.geometry.representative_point().within(target.geometry.iloc[0])
    if not inside.any():          # a target smaller than the map's areas: the areas it touches
        inside = areas.geometry.intersects(target.geometry.iloc[0])
    return set(areas.loc[inside.to_numpy(), "area_id"])
