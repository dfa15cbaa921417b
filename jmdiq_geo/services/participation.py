"""Participation (issue 18): young people map their quarter (a digital needle method).

Staff (role ``editor``, action ``participation``) open a session for a quarter and a time window
and hand out its link (``?p=<token>``) and QR code; young people pin places on their phones
without an account. Two kinds of functions:

- **staff** (``create_session``, ``sessions``, ``close_session``, ``delete_session``,
  ``moderation_queue``, ``moderate``, ``results``, ``results_csv``): each calls ``authorize``;
- **public** (``public_session``, ``join``, ``add_pin``): the only functions the page without
  login calls. They need the session's unguessable token, read nothing but the session's title,
  categories, status and quarter outline, and write only into an open session.

Results are only ever counts per place (grid cell or area) and category where at least ``k``
different participants pinned (``analysis.participation.count_places``); nothing else about a
pin leaves this module.

**One aggregation per session, chosen when it is opened** (100 m cells, 250 m cells or the
smallest areas; ``Session.unit``). Were a session's pins shown both per cell and per area, the
two views could be set against each other: an area shown with 5 participants whose cells show
3 (the cells cut by its edge hidden) leaves 2 people in the rest of the area, in a place the
difference of two shapes narrows down. With one partition of the quarter per session there is
no second view to subtract: every other output (the profile, the presentation, the annual
annex, the comparison with access) sums only the places shown. Stored as ``cell_size_m`` = 0
for "per area" (sessions opened before this rule keep their cells).

**Filters (age band or newcomer), one at a time**, each with complementary suppression
(``analysis.participation.complementary_shown``) per place and for the session's totals: a
group's count is shown only when it and the groups withheld beside it are none or at least k.
Both filters at once would make a table with margins whose cells could be solved for; refused.
"""
from __future__ import annotations

import io
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import geopandas as gpd
import pandas as pd
import shapely

from jmdiq_geo.analysis.participation import (MIN_K, cell_corner, complementary_shown, count_places, grid_cells,
                                              screen_comment)
from jmdiq_geo.config import Settings
from jmdiq_geo.crs import to_display_crs, to_work_crs
from jmdiq_geo.errors import InputError, Problem
from jmdiq_geo.io.exports import neutralise_formulas
from jmdiq_geo.io.participation import (PAGE_LANGUAGES, check_categories, default_categories,  # noqa: F401 (re-exported)
                                        read_categories_file, screening_hints)
from jmdiq_geo.services.auth import authorize
from jmdiq_geo.services.quarter import Quarter
from jmdiq_geo.store.workspace import Workspace

AGE_BANDS = ("12-14", "15-17", "18-20", "21-26")
NEWCOMER = ("yes", "no", "na")
CELL_SIZES = (100, 250)
#: how a session's pins are counted: per grid cell (the session's size) or per smallest area
UNITS = ("grid", "areas")
COMMENT_MAX = 280
#: a participant's pins per session, unless the session says otherwise
MAX_PINS = 30
#: pins per participant per minute, and per session per minute (all phones together)
PER_MINUTE = 10
SESSION_PER_MINUTE = 600
#: how far outside the quarter outline a tap still counts (a tap on the border line)
TOLERANCE_M = 25.0


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


# --------------------------------------------------------------------------- limits

class PinLimiter:
    """Pins per participant and per session in the last minute, kept in memory only (no exact
    time is ever stored). One per app process (``st.cache_resource``), the CLI and tests make
    their own."""

    def __init__(self, per_minute: int = PER_MINUTE, session_per_minute: int = SESSION_PER_MINUTE,
                 clock=time.monotonic):
        self.per_minute, self.session_per_minute, self.clock = per_minute, session_per_minute, clock
        self._lock = threading.Lock()
        self._seen: dict[tuple, deque] = defaultdict(deque)

    def allow(self, session_id: str, participant: str) -> str | None:
        """None when one more pin is allowed now (and count it); else the problem code."""
        now = self.clock()
        with self._lock:
            mine, all_ = self._seen[(session_id, participant)], self._seen[(session_id,)]
            for q in (mine, all_):
                while q and now - q[0] >= 60:
                    q.popleft()
            if len(mine) >= self.per_minute:
                return "participation_too_fast"
            if len(all_) >= self.session_per_minute:
                return "participation_busy"
            mine.append(now)
            all_.append(now)
        return None


# --------------------------------------------------------------------------- staff

@dataclass
class Session:
    session_id: str
    token: str
    title: str
    quarter_label: str
    starts_at: datetime
    ends_at: datetime
    categories: list[dict]
    cell_size_m: int
    k: int
    max_pins: int
    closed_at: datetime | None
    quarter: object = field(repr=False, default=None)        # polygon, work CRS
    source_ids: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        """``grid`` (cells of ``cell_size_m``) or ``areas``: the one aggregation of the session."""
        return "areas" if self.cell_size_m == 0 else "grid"

    def status(self, now: datetime | None = None) -> str:
        """``open``, ``closed``, ``expired`` or ``not_started``."""
        now = now or _now()
        if self.closed_at is not None:
            return "closed"
        if now >= self.ends_at:
            return "expired"
        if now < self.starts_at:
            return "not_started"
        return "open"


def _session(row: dict) -> Session:
    return Session(row["session_id"], row["token"], row["title"], row["quarter_label"] or "", row["starts_at"],
                   row["ends_at"], row["categories"], int(row["cell_size_m"]), int(row["k"]), int(row["max_pins"]),
                   row["closed_at"], row["quarter_geom"], row["source_ids"])


def create_session(ws: Workspace, *, title: str, quarter: Quarter, starts_at: datetime, ends_at: datetime,
                   categories: list[dict] | None = None, cell_size_m: int = 100, k: int = MIN_K,
                   max_pins: int = MAX_PINS, settings: Settings | None = None, unit: str = "grid") -> Session:
    """Open a session for ``quarter`` from ``starts_at`` to ``ends_at``; its link token is
    unguessable (``secrets.token_urlsafe``). ``k`` is never below 3 (nor below the settings'
    smallest count shown). ``unit``: its results per grid cell of ``cell_size_m`` or per smallest
    area - fixed for the session (see the module)."""
    actor = authorize("participation")
    floor = max(MIN_K, settings.small_count if settings else MIN_K)
    problems = []
    title = " ".join(str(title or "").split())
    if not 1 <= len(title) <= 120:
        problems.append(Problem("participation_title"))
    if not ends_at > starts_at or ends_at - starts_at > timedelta(days=366):
        problems.append(Problem("participation_window"))
    if unit not in UNITS:
        problems.append(Problem("participation_unit", {"unit": unit}))
    elif unit == "grid" and cell_size_m not in CELL_SIZES:
        problems.append(Problem("participation_cell_size", {"size": cell_size_m,
                                                            "sizes": ", ".join(map(str, CELL_SIZES))}))
    if int(k) < floor:
        problems.append(Problem("participation_k_low", {"k": k, "min": floor}))
    if not 1 <= int(max_pins) <= 200:
        problems.append(Problem("participation_max_pins", {"n": max_pins}))
    if problems:
        raise InputError(problems)
    cats = check_categories(list(categories) if categories is not None else [dict(c) for c in default_categories()])
    areas = ws.areas(ws.lowest_level())
    sources = sorted(str(v) for v in areas["source_id"].dropna().unique()) if "source_id" in areas else []
    row = {"session_id": "ps_" + secrets.token_hex(4), "token": secrets.token_urlsafe(16), "title": title,
           "quarter_label": quarter.label, "quarter_kind": quarter.kind, "quarter_geom": quarter.geometry,
           "source_ids": sources, "starts_at": starts_at.replace(microsecond=0),
           "ends_at": ends_at.replace(microsecond=0), "categories": cats,
           "cell_size_m": int(cell_size_m) if unit == "grid" else 0,
           "k": int(k), "max_pins": int(max_pins), "created_at": _now(), "created_by": actor.name}
    ws.insert_participation_session(row)
    return _session(ws.participation_session(row["session_id"]))


def sessions(ws: Workspace) -> pd.DataFrame:
    """Every session with its live counts (participants, pins, comments to moderate)."""
    authorize("participation")
    return ws.participation_sessions()


def get_session(ws: Workspace, session_id: str) -> Session:
    authorize("participation")
    return _load(ws, session_id)


def _load(ws: Workspace, session_id: str) -> Session:
    row = ws.participation_session(session_id)
    if row is None:
        raise InputError(Problem("participation_unknown_session", {"session": session_id}))
    return _session(row)


def close_session(ws: Workspace, session_id: str) -> bool:
    """Close a session now (it accepts nothing any more); False when it was closed already."""
    get_session(ws, session_id)
    return ws.close_participation_session(session_id, _now())


def delete_session(ws: Workspace, session_id: str) -> dict[str, int]:
    """Delete a session with its participants, pins and comments; the rows removed per table."""
    get_session(ws, session_id)
    return ws.delete_participation_session(session_id)


def moderation_queue(ws: Workspace, session_id: str) -> pd.DataFrame:
    """Comments awaiting moderation: pin id, category, text, why they were held (no place, no
    participant, no time)."""
    get_session(ws, session_id)
    return ws.participation_comments(session_id, ("held", "pending"))


def moderate(ws: Workspace, session_id: str, pin_id: int, *, approve: bool) -> bool:
    """Approve a comment (staff may then see it beside the results) or reject it (its text is
    deleted)."""
    get_session(ws, session_id)
    return ws.moderate_participation_comment(session_id, int(pin_id), "approved" if approve else "rejected")


def approved_comments(ws: Workspace, session_id: str) -> pd.DataFrame:
    """Approved comments per category (text only: no place, no participant)."""
    get_session(ws, session_id)
    return ws.participation_comments(session_id, ("approved",))[["category", "comment"]]


# --------------------------------------------------------------------------- results

@dataclass
class Results:
    session: Session
    unit: str                       # grid | areas
    places: gpd.GeoDataFrame        # place, category, participants, pins, geometry (work CRS): >= k only
    participants: int               # in the whole session (or the filtered group)
    pins: int
    suppressed: int                 # place × category combinations pinned but not shown
    attributions: list[str]
    filters: dict


def results(ws: Workspace, session_id: str, *, unit: str | None = None, age_band: str | None = None,
            newcomer: str | None = None) -> Results:
    """The session's pins counted per place of its one aggregation (grid cells of its size, or
    smallest areas) and category, only where at least k different participants pinned; with a
    filter by age band OR newcomer status, the group's counts with complementary suppression
    (``count_places``; see the module). ``unit`` may only name the session's own."""
    return _results(ws, get_session(ws, session_id), unit=unit, age_band=age_band, newcomer=newcomer)


def _results(ws: Workspace, session: Session, *, unit: str | None = None, age_band: str | None = None,
             newcomer: str | None = None) -> Results:
    unit = unit or session.unit
    if unit not in UNITS:
        raise InputError(Problem("participation_unit", {"unit": unit}))
    if unit != session.unit:
        raise InputError(Problem("participation_unit_fixed", {"unit": unit, "own": session.unit}))
    if age_band is not None and age_band not in AGE_BANDS or newcomer is not None and newcomer not in NEWCOMER:
        raise InputError(Problem("participation_filter"))
    if age_band is not None and newcomer is not None:
        raise InputError(Problem("participation_one_filter"))
    pins = ws.participation_pins(session.session_id)
    if unit == "grid":
        pins["place"] = grid_cells(pins["x"], pins["y"], session.cell_size_m)
    else:
        pins["place"] = _area_of(ws, pins)
        pins = pins[pins["place"].notna()]
    column, value = ("age_band", age_band) if age_band is not None else ("newcomer", newcomer)
    filtered = value is not None
    if filtered:
        pins["group"] = pins[column].fillna("na")
    counts = count_places(pins[["place", "category", "participant", *(["group"] if filtered else [])]],
                          k=session.k, group=value)
    chosen = pins[pins["group"] == value] if filtered else pins
    pinned = chosen.groupby(["place", "category"]).ngroups if len(chosen) else 0
    geoms = _place_geometries(ws, counts["place"], unit)
    places = gpd.GeoDataFrame(counts, geometry=geoms, crs=ws.work_crs)
    n_part = int(chosen["participant"].nunique())
    shown = n_part >= session.k
    if filtered and shown:          # the group's total beside the session's: complementary suppression too
        sizes = pins.groupby("group")["participant"].nunique()
        shown = dict(zip(sizes.index, complementary_shown(sizes.to_numpy(), session.k))).get(value, False)
    attribution = f"Beteiligung „{session.title}“, {session.starts_at:%d.%m.%Y}–{session.ends_at:%d.%m.%Y}"
    return Results(session, unit, places, n_part if shown else 0, int(len(chosen)) if shown else 0,
                   pinned - len(counts), [attribution, *ws.attributions(session.source_ids or None)],
                   {"age_band": age_band, "newcomer": newcomer})


def _area_of(ws: Workspace, pins: pd.DataFrame) -> pd.Series:
    areas = ws.areas(ws.lowest_level())[["area_id", "geometry"]]
    points = gpd.GeoDataFrame(index=pins.index, geometry=gpd.points_from_xy(pins["x"], pins["y"]), crs=ws.work_crs)
    joined = gpd.sjoin(points, areas, how="left", predicate="within")
    return joined.groupby(level=0)["area_id"].first().reindex(pins.index)


def _place_geometries(ws: Workspace, places: pd.Series, unit: str) -> list:
    if unit == "grid":
        return [shapely.box(x0, y0, x0 + s, y0 + s) for x0, y0, s in map(cell_corner, places)]
    areas = ws.areas(ws.lowest_level()).set_index("area_id")
    return [areas.geometry.get(p) for p in places]


def compare_sessions(ws: Workspace, first: str, second: str) -> pd.DataFrame:
    """Two sessions (e.g. two years) side by side: per place and category the participants of
    each, each shown only where that session has at least its k (else missing). Only when both
    sessions count alike - the same cells or both per area (else ``participation_compare_cells``)."""
    a, b = get_session(ws, first), get_session(ws, second)
    if a.cell_size_m != b.cell_size_m:
        raise InputError(Problem("participation_compare_cells", {"a": _unit_label(a), "b": _unit_label(b)}))
    left = results(ws, first).places[["place", "category", "participants"]]
    right = results(ws, second).places[["place", "category", "participants"]]
    out = pd.merge(left.rename(columns={"participants": "participants_first"}),
                   right.rename(columns={"participants": "participants_second"}),
                   on=["place", "category"], how="outer")
    for col in ("participants_first", "participants_second"):
        out[col] = out[col].astype("Int64")
    return out.sort_values(["category", "place"]).reset_index(drop=True)


def _unit_label(session: Session) -> str:
    return f"{session.cell_size_m} m" if session.unit == "grid" else "areas"


def results_table(res: Results) -> pd.DataFrame:
    """The shown counts as a table (place, category label in German, participants, pins)."""
    labels = {c["id"]: c["de"] for c in res.session.categories}
    out = pd.DataFrame(res.places.drop(columns="geometry"))
    out.insert(2, "category_label", out["category"].map(labels))
    return out


def results_csv(res: Results) -> bytes:
    """The shown counts as CSV, with the session, its dates, k and sources in header lines."""
    buf = io.StringIO()
    s = res.session
    buf.write(f"# {s.title}; {s.starts_at:%Y-%m-%d}..{s.ends_at:%Y-%m-%d}; k={s.k}; "
              f"participants={res.participants}; unit={res.unit}\n")
    buf.write("# " + "; ".join(res.attributions) + "\n")
    neutralise_formulas(results_table(res)).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- public (no login)

@dataclass(frozen=True)
class PublicSession:
    """All the page without login learns about a session."""
    session_id: str
    title: str
    status: str
    categories: tuple[dict, ...]
    outline_geojson: str            # the quarter's outline, EPSG:4326, simplified
    bounds: tuple[float, float, float, float]
    attributions: tuple[str, ...]   # the sources of the outline (every map names them)


def _by_token(ws: Workspace, token: str) -> dict:
    token = str(token or "")
    row = ws.participation_session_by_token(token) if 16 <= len(token) <= 64 else None
    if row is None:
        raise InputError(Problem("participation_no_session"))
    return row


def public_session(ws: Workspace, token: str, *, now: datetime | None = None) -> PublicSession:
    s = _session(_by_token(ws, token))
    outline = to_display_crs(gpd.GeoDataFrame(geometry=[s.quarter.simplify(5.0)], crs=ws.work_crs))
    geom = shapely.set_precision(outline.geometry.iloc[0], 1e-5)
    return PublicSession(s.session_id, s.title, s.status(now), tuple(s.categories), shapely.to_geojson(geom),
                         tuple(float(v) for v in outline.total_bounds),
                         tuple(ws.attributions(s.source_ids)) if s.source_ids else ())


def _open(ws: Workspace, token: str, now: datetime) -> Session:
    s = _session(_by_token(ws, token))
    status = s.status(now)
    if status != "open":
        raise InputError(Problem(f"participation_{status}"))
    return s


def new_participant() -> str:
    """A random participant token (kept in the phone's session only)."""
    return secrets.token_urlsafe(12)


def join(ws: Workspace, token: str, participant: str, *, age_band: str | None, newcomer: str | None,
         now: datetime | None = None) -> None:
    """Record a participant's answers once (age band, newcomer yes/no/no answer; None: no answer)."""
    now = now or _now()
    s = _open(ws, token, now)
    if age_band is not None and age_band not in AGE_BANDS or newcomer is not None and newcomer not in NEWCOMER:
        raise InputError(Problem("participation_filter"))
    if not 8 <= len(participant) <= 64:
        raise InputError(Problem("participation_no_session"))
    ws.put_participation_participant(s.session_id, participant, age_band=age_band, newcomer=newcomer,
                                     hour=_hour(now))


def has_joined(ws: Workspace, token: str, participant: str) -> bool:
    s = _session(_by_token(ws, token))
    return ws.participation_participant(s.session_id, participant) is not None


@dataclass(frozen=True)
class PinReceipt:
    pin_id: int
    comment_held: bool
    pins_left: int


def add_pin(ws: Workspace, token: str, participant: str, *, category: str, lon: float, lat: float,
            comment: str | None = None, limiter: PinLimiter, now: datetime | None = None) -> PinReceipt:
    """One pin of a participant who joined: refused (a message) when the session is not open, the
    category unknown, the point outside the quarter, the comment too long, or a limit reached."""
    now = now or _now()
    s = _open(ws, token, now)
    if ws.participation_participant(s.session_id, participant) is None:
        raise InputError(Problem("participation_not_joined"))
    if category not in {c["id"] for c in s.categories}:
        raise InputError(Problem("participation_category_unknown"))
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InputError(Problem("participation_outside")) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(Problem("participation_outside"))
    point = to_work_crs(gpd.GeoDataFrame(geometry=gpd.points_from_xy([lon], [lat]), crs="EPSG:4326"),
                        ws.work_crs).geometry.iloc[0]
    if s.quarter.distance(point) > TOLERANCE_M:
        raise InputError(Problem("participation_outside"))
    text = " ".join(str(comment or "").split()) or None
    if text is not None and len(text) > COMMENT_MAX:
        raise InputError(Problem("participation_comment_long", {"max": COMMENT_MAX}))
    flags = screen_comment(text, first_names=screening_hints()[0], name_cues=screening_hints()[1]) if text else []
    if ws.participation_pin_count(s.session_id, participant) >= s.max_pins:
        raise InputError(Problem("participation_limit", {"max": s.max_pins}))
    refused = limiter.allow(s.session_id, participant)
    if refused:
        raise InputError(Problem(refused))
    pin_id = ws.add_participation_pin(s.session_id, participant, category=category, x=point.x, y=point.y,
                                      comment=text, comment_status=("held" if flags else "pending") if text else None,
                                      comment_flags=flags, hour=_hour(now), max_pins=s.max_pins)
    if pin_id is None:
        raise InputError(Problem("participation_limit", {"max": s.max_pins}))
    return PinReceipt(pin_id, bool(flags), s.max_pins - ws.participation_pin_count(s.session_id, participant))


def participation_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/?p={token}"


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """The link as a QR code PNG to print (segno: pure Python, offline)."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


# --------------------------------------------------------------------------- context of the results

def target_group_layer(ws: Workspace, session_id: str, *, settings: Settings, lang: str = "de"
                       ) -> tuple[gpd.GeoDataFrame, str, list[str]] | None:
    """The workspace's target-group indicator (role ``target_group``) of the newest period on the
    smallest areas touching the session's quarter, privacy rules applied (``indicator_layer``):
    (areas with ``value``, title, attributions); None when the workspace maps no such role."""
    return _target_layer(ws, get_session(ws, session_id), settings=settings, lang=lang)


def _target_layer(ws: Workspace, session: Session, *, settings: Settings, lang: str = "de"):
    """``target_group_layer`` of a loaded session (the caller authorised)."""
    from jmdiq_geo.i18n import localized
    from jmdiq_geo.services.layers import indicator_layer, value_periods
    from jmdiq_geo.services.roles import indicator_roles

    indicator = indicator_roles(ws).get("target_group")
    periods = value_periods(ws, indicator) if indicator else []
    if not periods:
        return None
    layer = indicator_layer(ws, indicator_id=indicator, period=max(periods), settings=settings)
    areas = layer.areas[layer.areas.intersects(session.quarter.buffer(-1.0))]     # not the neighbours it only touches
    title = f"{localized(layer.definition, lang)} ({max(periods):%Y})"
    return areas[["area_id", "name", "value", "geometry"]], title, layer.attributions


def services_near(ws: Workspace, session_id: str, categories: list[str]) -> dict[str, gpd.GeoDataFrame]:
    """Services of ``categories`` inside the session's quarter (with 500 m around it)."""
    session = get_session(ws, session_id)
    area = session.quarter.buffer(500)
    out = {}
    for category in categories:
        points = ws.services(category=category)
        out[category] = points[points.within(area)]
    return out


def service_categories(ws: Workspace) -> list[str]:
    return sorted(ws.services()["category"].dropna().unique().tolist())
