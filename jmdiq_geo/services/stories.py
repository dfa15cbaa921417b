"""Presentations (stories): a saved sequence of slides, each a view of the app with a caption.

A slide records what is needed to draw the view again from the workspace — the kind of page
(indicator map, change map, index map, walking-access map, Netzwerkkarte of a year, area profile), level, indicator,
period(s), classes, the extent (bounds in EPSG:4326), highlighted areas and a caption (the user's
text: escaped wherever it becomes HTML). A story is one record with a ``version`` (optimistic
locking, ``store/stories.py``); every change names the version it was based on and is written
to the audit log.

``story_slides`` draws every slide (the same map descriptions and drawings as the pages) and
``story_html`` writes the story as one standalone HTML file that opens offline.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date

import geopandas as gpd
import pandas as pd

from jmdiq_geo.config import Settings
from jmdiq_geo.crs import to_display_crs
from jmdiq_geo.errors import ConflictError, InputError, JmdiqError, Problem, raise_if_errors
from jmdiq_geo.i18n import format_date, t
from jmdiq_geo.services.auth import authorize
from jmdiq_geo.store.workspace import Workspace

#: the kinds of slide, in the order the app offers them
KINDS = ("indicator_map", "change_map", "index_map", "access_map", "network", "profile", "participation")
CAPTION_MAX = 2000
TITLE_MAX = 200
#: geometry simplification of story maps (metres, work CRS): coarser than the app's 15 m, which
#: keeps five city-wide slides in one light file; outlines are simplified twice as much.
#: Coordinates are rounded to 4 decimals (about 7–11 m, below the tolerance; shared vertices
#: round alike, so neighbours still meet)
STORY_TOLERANCE_M = 25.0
STORY_DECIMALS = 4


@dataclass
class Slide:
    """One view of the app (see the module)."""
    kind: str
    caption: str = ""
    level: str | None = None
    indicator_id: str | None = None
    period: str | None = None             # ISO date
    period_from: str | None = None        # ISO date: a change map since this period
    relative: bool = False
    scheme: str = "quantiles"
    k: int = 5
    palette: str = "YlOrRd"
    breaks: list[float] | None = None     # manual class bounds
    index_key: str | None = None
    index_part: str | None = None
    category: str | None = None           # access map: the service category …
    measure: str | None = None            # … the measure shown (share_beyond, median_min, …)
    access_settings: dict | None = None   # … and the run's settings (``AccessSettings.as_dict``)
    year: int | None = None               # Netzwerkkarte
    session_id: str | None = None         # participation: the session (and ``category``)
    area_id: str | None = None            # profile
    bounds: list[float] | None = None     # [west, south, east, north], EPSG:4326
    highlight: list[str] = field(default_factory=list)
    title: str = ""                       # the view's title when the slide was added

    @classmethod
    def from_dict(cls, data: dict) -> "Slide":
        allowed = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in allowed})


@dataclass
class Story:
    story_id: str
    title: str
    slides: list[Slide]
    version: int


def _user() -> str:
    return authorize("present").name


def _body(title: str, slides: list[Slide]) -> dict:
    return {"title": title, "slides": [asdict(s) for s in slides]}


def _check_title(title: str) -> str:
    title = (title or "").strip()
    problems = []
    if not title:
        problems.append(Problem("story_title_missing", column="title"))
    elif len(title) > TITLE_MAX:
        problems.append(Problem("story_text_long", {"n": TITLE_MAX}, column="title"))
    raise_if_errors(problems, InputError)
    return title


def check_slide(ws: Workspace, slide: Slide) -> list[Problem]:
    """Every problem with a slide at once: an unknown kind, level, indicator or area, a missing
    period or year, a caption too long."""
    problems = []
    if slide.kind not in KINDS:
        problems.append(Problem("story_kind_unknown", {"kind": slide.kind, "known": ", ".join(KINDS)}))
        return problems
    if len(slide.caption or "") > CAPTION_MAX:
        problems.append(Problem("story_text_long", {"n": CAPTION_MAX}, column="caption"))
    levels = ws.levels_in_order()
    if slide.kind == "participation":
        row = ws.participation_session(slide.session_id or "")
        if row is None:
            problems.append(Problem("participation_unknown_session", {"session": slide.session_id}))
        elif slide.category not in {c["id"] for c in row["categories"]}:
            problems.append(Problem("participation_category_unknown"))
        return problems
    if slide.kind != "network" and slide.level not in levels:
        problems.append(Problem("level_unknown", {"level": slide.level, "known": ", ".join(levels)}))
    if slide.kind in ("indicator_map", "change_map"):
        if slide.indicator_id not in ws.indicator_ids():
            problems.append(Problem("indicator_unknown", {"indicators": slide.indicator_id}))
        if not slide.period or (slide.kind == "change_map" and not slide.period_from):
            problems.append(Problem("story_period_missing", {"kind": slide.kind}))
    if slide.kind == "index_map" and not (slide.index_key and slide.period and slide.index_part):
        problems.append(Problem("story_period_missing", {"kind": slide.kind}))
    if slide.kind == "access_map" and not (slide.category and slide.measure):
        problems.append(Problem("story_period_missing", {"kind": slide.kind}))
    if slide.kind == "network" and slide.year is None:
        problems.append(Problem("story_period_missing", {"kind": slide.kind}))
    if slide.kind == "profile" or slide.highlight:
        known = set(ws.area_names(slide.level)["area_id"]) if slide.level in levels else set()
        wanted = ([slide.area_id] if slide.kind == "profile" else []) + list(slide.highlight)
        unknown = [a for a in wanted if a not in known]
        if unknown:
            problems.append(Problem("story_area_unknown", {"areas": ", ".join(map(str, unknown[:5]))}))
    return problems


# --------------------------------------------------------------------------- records

def list_stories(ws: Workspace) -> pd.DataFrame:
    """story_id, title, number of slides, version, who/when."""
    authorize("view")
    rows = [{"story_id": r["story_id"], "title": r["title"], "slides": len(r["slides"]), "version": r["version"],
             "updated_at": r["updated_at"], "updated_by": r["updated_by"]} for r in ws.story_rows()]
    return pd.DataFrame(rows, columns=["story_id", "title", "slides", "version", "updated_at", "updated_by"])


def get_story(ws: Workspace, story_id: str) -> Story:
    authorize("view")
    row = ws.story_row(story_id)
    if row is None or row[2]:
        raise InputError(Problem("story_unknown", {"story": story_id}))
    body, version, _ = row
    return Story(story_id, body["title"], [Slide.from_dict(s) for s in body["slides"]], version)


def create_story(ws: Workspace, title: str) -> tuple[str, int]:
    """A new, empty story with the next free id; returns (id, version)."""
    user = _user()
    title = _check_title(title)
    with ws.transaction():
        story_id = ws.next_story_id()
        version = ws.save_story(story_id, _body(title, []), expected_version=None, user=user)
    return story_id, version


def _change(ws: Workspace, story_id: str, expected_version: int, change, *, action: str | None = None,
            archived: bool = False) -> int:
    """Apply ``change(title, slides) -> (title, slides)`` to the story as of ``expected_version``."""
    user = _user()
    row = ws.story_row(story_id)
    if row is None or row[2]:
        raise ConflictError(Problem("conflict_gone", {"record": story_id}))
    story = Story(story_id, row[0]["title"], [Slide.from_dict(s) for s in row[0]["slides"]], row[1])
    title, slides = change(story.title, list(story.slides))
    return ws.save_story(story_id, _body(title, slides), expected_version=expected_version, user=user,
                         action=action, archived=archived)


def _index(slides: list[Slide], position: int) -> int:
    if not 0 <= position < len(slides):
        raise InputError(Problem("story_slide_unknown", {"n": position + 1, "total": len(slides)}))
    return position


def add_slide(ws: Workspace, story_id: str, slide: Slide, *, expected_version: int) -> int:
    """Append a slide (checked first, every problem at once); returns the new version."""
    raise_if_errors(check_slide(ws, slide), InputError)
    if slide.bounds is None:
        slide = replace(slide, bounds=slide_bounds(ws, slide))
    return _change(ws, story_id, expected_version, lambda title, slides: (title, slides + [slide]))


def reorder(ws: Workspace, story_id: str, order: list[int], *, expected_version: int) -> int:
    """Put the slides in ``order`` (a permutation of their positions, 0-based)."""
    def change(title, slides):
        if sorted(order) != list(range(len(slides))):
            raise InputError(Problem("story_order_bad", {"total": len(slides)}))
        return title, [slides[i] for i in order]
    return _change(ws, story_id, expected_version, change)


def move_slide(ws: Workspace, story_id: str, position: int, step: int, *, expected_version: int) -> int:
    """Move one slide ``step`` places (-1 earlier, +1 later), within the story."""
    def change(title, slides):
        i = _index(slides, position)
        j = min(max(i + step, 0), len(slides) - 1)
        slides.insert(j, slides.pop(i))
        return title, slides
    return _change(ws, story_id, expected_version, change)


def delete_slide(ws: Workspace, story_id: str, position: int, *, expected_version: int) -> int:
    def change(title, slides):
        slides.pop(_index(slides, position))
        return title, slides
    return _change(ws, story_id, expected_version, change)


def set_caption(ws: Workspace, story_id: str, position: int, caption: str, *, expected_version: int) -> int:
    if len(caption or "") > CAPTION_MAX:
        raise InputError(Problem("story_text_long", {"n": CAPTION_MAX}, column="caption"))

    def change(title, slides):
        i = _index(slides, position)
        slides[i] = replace(slides[i], caption=caption or "")
        return title, slides
    return _change(ws, story_id, expected_version, change)


def rename_story(ws: Workspace, story_id: str, title: str, *, expected_version: int) -> int:
    title = _check_title(title)
    return _change(ws, story_id, expected_version, lambda _, slides: (title, slides))


def delete_story(ws: Workspace, story_id: str, *, expected_version: int) -> int:
    """Archive the story (kept in the audit log, gone from the list)."""
    return _change(ws, story_id, expected_version, lambda title, slides: (title, slides), action="archive",
                   archived=True)


def story_history(ws: Workspace, story_id: str) -> pd.DataFrame:
    authorize("view")
    return ws.audit_entries("story", story_id)


# --------------------------------------------------------------------------- views

def slide_bounds(ws: Workspace, slide: Slide) -> list[float] | None:
    """The extent a slide opens at: its highlighted areas (or the profile's area), else the
    whole level; [west, south, east, north] in EPSG:4326. None for a Netzwerkkarte."""
    if slide.kind == "network" or slide.level is None:
        return None
    areas = ws.areas(slide.level)
    wanted = list(slide.highlight) or ([slide.area_id] if slide.kind == "profile" else [])
    chosen = areas[areas["area_id"].isin(wanted)] if wanted else areas
    if chosen.empty:
        chosen = areas
    return [round(float(v), 5) for v in to_display_crs(chosen[["geometry"]]).total_bounds]


# --------------------------------------------------------------------------- drawing

class _Geometry:
    """Display geometry per level, made once per export (every map slide of a level shares it)."""

    def __init__(self, ws: Workspace, tolerance_m: float, decimals: int = 5):
        self.ws, self.tolerance_m, self.decimals, self._areas, self._outlines = ws, tolerance_m, decimals, {}, {}

    def areas(self, level: str):
        from jmdiq_geo.render.maps import display_geometry
        if level not in self._areas:
            self._areas[level] = display_geometry(self.ws.areas(level), tolerance_m=self.tolerance_m,
                                                 decimals=self.decimals).geometry
        return self._areas[level]

    def outlines(self, level: str):
        from jmdiq_geo.render.maps import display_geometry
        from jmdiq_geo.services.maps import outline_shapes
        if level not in self._outlines:
            shapes = outline_shapes(self.ws, level)
            self._outlines[level] = (display_geometry(shapes, tolerance_m=2 * self.tolerance_m, decimals=self.decimals)
                                     if shapes is not None else None)
        return self._outlines[level]

    def highlighted(self, level: str, ids: list[str]):
        if not ids:
            return None
        areas = self.ws.areas(level)
        mask = areas["area_id"].isin(ids).to_numpy()
        return gpd.GeoDataFrame(geometry=self.areas(level)[mask].to_numpy(), crs="EPSG:4326")


def _index_map(ws: Workspace, slide: Slide, geometry: _Geometry, *, lang: str, asset_base: str | None):
    """The index page's map of one component (or the overall groups) of an index definition."""
    from jmdiq_geo.render.maps import category_map
    from jmdiq_geo.services.catalogue import usable_indices
    from jmdiq_geo.services.layers import compute_index_for
    from jmdiq_geo.services.maps import index_map_parts

    definitions = usable_indices(ws, on_unusable=lambda exc: None)
    if slide.index_key not in definitions:
        raise InputError(Problem("story_index_unknown", {"index": slide.index_key}))
    definition = definitions[slide.index_key]
    table = compute_index_for(ws, definition, period=date.fromisoformat(slide.period)).table
    codes, cats, title, sources = index_map_parts(ws, definition, table, slide.index_part, lang)
    m = category_map(ws.areas(definition.level), codes=codes, categories=cats, title=title, lang=lang,
                     attributions=sources, outlines=geometry.outlines(definition.level),
                     display=geometry.areas(definition.level), asset_base=asset_base,
                     tolerance_m=geometry.tolerance_m)
    return m, f"{title} · {format_date(date.fromisoformat(slide.period), lang)}", sources


def _access_map(ws: Workspace, slide: Slide, geometry: _Geometry, *, settings: Settings, lang: str,
                asset_base: str | None):
    """The Zugang page's map of one measure of a nominal walking-access run (found in the
    workspace's stored runs when it was run before with the same settings)."""
    from jmdiq_geo.analysis.access.compute import AccessSettings
    from jmdiq_geo.i18n import t_or
    from jmdiq_geo.render.access_maps import access_map, measure_label
    from jmdiq_geo.services.access import access_for
    from jmdiq_geo.services.access_export import area_table

    given = {k: tuple(v) if isinstance(v, list) else v for k, v in (slide.access_settings or {}).items()}
    access = access_for(ws, slide.category, settings=AccessSettings(**given), level=slide.level, config=settings)
    report = access.result.report
    areas = ws.areas(report["level"])
    table = area_table(ws, access, lang=lang)
    if slide.measure not in table.columns:
        raise InputError(Problem("story_period_missing", {"kind": f"{slide.kind}: {slide.measure}"}))
    sources = sorted(set(areas["source_id"].dropna()) | set(access.services["source_id"].dropna())
                     | set(ws.networks()["source_id"].dropna()) | set(ws.origins()["source_id"].dropna())
                     | (set(ws.grids()["source_id"].dropna()) if "grid" in set(access.result.origins.get("kind", []))
                        else set()))
    attributions = ws.attributions(sources)
    title = (measure_label(slide.measure, lang, far=max(report["thresholds"]))
             + " — " + t_or(f"cat_{slide.category}", slide.category, lang))
    m = access_map(areas, table, measure=slide.measure, title=title, lang=lang, attributions=attributions,
                   coverage=ws.network_coverage(), display=geometry.areas(report["level"]),
                   services=access.services, asset_base=asset_base)
    return m, title, attributions


def _participation_map(ws: Workspace, slide: Slide, *, settings: Settings, lang: str, asset_base: str | None):
    """A participation session's results of one category as the staff see them: only the places
    where at least k different people pinned it, over the quarter, with the session, its dates
    and participants in the title (``services.participation_results``)."""
    from jmdiq_geo.render.participation import results_map, slide_title
    from jmdiq_geo.services.participation import _load, _target_layer
    from jmdiq_geo.services.participation_results import summarise

    row = ws.participation_session(slide.session_id or "")
    if row is None:
        raise InputError(Problem("participation_unknown_session", {"session": slide.session_id}))
    session = _load(ws, slide.session_id)
    summary = summarise(ws, session)
    labels = {c["id"]: c.get(lang) or c["de"] for c in session.categories}
    if slide.category not in labels:
        raise InputError(Problem("participation_category_unknown"))
    places = summary.places[summary.places["category"] == slide.category]
    quarter = gpd.GeoDataFrame(geometry=[session.quarter], crs=ws.work_crs)
    colour = next(c["colour"] for c in session.categories if c["id"] == slide.category)
    target = _target_layer(ws, session, settings=settings, lang=lang)      # the areas beneath, as the staff see them
    sources = list(dict.fromkeys([summary.attribution, *ws.attributions(session.source_ids or None),
                                  *(target[2] if target else [])]))
    m = results_map(places, quarter, colour=colour, title=labels[slide.category], lang=lang, attributions=sources,
                    target=target[0] if target else None, target_title=target[1] if target else "",
                    asset_base=asset_base)
    return m, slide_title(summary, labels[slide.category], lang), sources


def render_slide(ws: Workspace, slide: Slide, *, settings: Settings, lang: str, asset_base: str | None,
                 geometry: _Geometry | None = None):
    """One slide drawn from the workspace as it is now (``render.story.RenderedSlide``)."""
    from jmdiq_geo.render.indicator_map import draw
    from jmdiq_geo.render.story import RenderedSlide, fit, highlight, network_svg, profile_table
    from jmdiq_geo.services.maps import describe_indicator_map

    authorize("view")
    geometry = geometry or _Geometry(ws, STORY_TOLERANCE_M, STORY_DECIMALS)
    if slide.kind in ("indicator_map", "change_map"):
        period = date.fromisoformat(slide.period)
        period_from = date.fromisoformat(slide.period_from) if slide.kind == "change_map" else None
        d = describe_indicator_map(ws, indicator_id=slide.indicator_id, period=period, level=slide.level,
                                   settings=settings, lang=lang, scheme=slide.scheme, k=slide.k,
                                   palette=slide.palette, period_from=period_from, relative=slide.relative,
                                   breaks=slide.breaks)
        m = draw(d, outlines=geometry.outlines(slide.level), display=geometry.areas(slide.level),
                 asset_base=asset_base)
        when = format_date(period, lang) if period_from is None else \
            f"{format_date(period_from, lang)} – {format_date(period, lang)}"
        title, sources = f"{d.title} · {when}", d.attributions
    elif slide.kind == "index_map":
        m, title, sources = _index_map(ws, slide, geometry, lang=lang, asset_base=asset_base)
    elif slide.kind == "access_map":
        m, title, sources = _access_map(ws, slide, geometry, settings=settings, lang=lang, asset_base=asset_base)
    elif slide.kind == "network":
        from jmdiq_geo.services.projects import records
        partners, ties = records(ws, "partner"), records(ws, "tie")
        svg = network_svg(partners, ties, year=int(slide.year), title=t("network_title", lang))
        return RenderedSlide("network", f"{t('network_title', lang)} {slide.year}", slide.caption,
                             [t("story_network_source", lang)], svg=svg)
    elif slide.kind == "participation":
        m, title, sources = _participation_map(ws, slide, settings=settings, lang=lang, asset_base=asset_base)
        fit(m, slide.bounds)
        return RenderedSlide(slide.kind, title, slide.caption, list(sources), map=m)
    elif slide.kind == "profile":
        from jmdiq_geo.services.profile import area_profile
        p = area_profile(ws, level=slide.level, area_id=slide.area_id, settings=settings)
        rows = p.indicators.assign(label=p.indicators.get(f"label_{lang}", p.indicators.get("label_de")),
                                   value_text=p.indicators.get(f"value_label_{lang}")) \
            if len(p.indicators) else pd.DataFrame(columns=["label", "unit", "period", "value", "value_text",
                                                            "district", "city", "rank", "n"])
        table = profile_table(rows, lang=lang, alone=p.alone,
                              district_label=p.district_label.get(lang, p.district_label.get("de", "")))
        return RenderedSlide("profile", f"{t('story_kind_profile', lang)}: {p.name}", slide.caption,
                             list(p.attributions), table_html=table)
    else:
        raise InputError(Problem("story_kind_unknown", {"kind": slide.kind, "known": ", ".join(KINDS)}))
    highlight(m, geometry.highlighted(slide.level, slide.highlight))
    fit(m, slide.bounds)
    return RenderedSlide(slide.kind, title, slide.caption, list(sources), map=m)


def export_story(ws: Workspace, story_id: str, *, settings: Settings, lang: str = "de",
                 tolerance_m: float = STORY_TOLERANCE_M, decimals: int = STORY_DECIMALS) -> str:
    """The story as one standalone HTML file (text) that opens offline."""
    from jmdiq_geo.render.story import ASSET_BASE, story_html

    story = get_story(ws, story_id)
    if not story.slides:
        raise InputError(Problem("story_empty", {"story": story.title}))
    geometry = _Geometry(ws, tolerance_m, decimals)
    slides = []
    for n, slide in enumerate(story.slides, start=1):
        try:
            slides.append(render_slide(ws, slide, settings=settings, lang=lang, asset_base=ASSET_BASE,
                                       geometry=geometry))
        except JmdiqError as exc:       # e.g. an indicator deleted since: say which slide
            raise type(exc)([Problem("story_slide_failed", {"n": n, "kind": slide.kind}), *exc.problems]) from None
    return story_html(story.title, slides, lang=lang)
