"""The classic concentric network map (Netzwerkkarte) for the annual report, as PNG or SVG.

The JMD-iQ team sits in the centre; partners are placed in sectors by type, closer to the centre
the more important they are (importance 3 = inner ring), and linked by lines whose width grows
with the intensity of the contact. A legend explains rings, sectors and line widths. Compared
with an earlier year, new, ended, strengthened and weakened ties are marked: a new tie with a
black ring, a strengthened one with a black ▲, a weakened one with a black ▼, an ended one as a
hollow grey point on a dashed line where it was the year before.

Drawing never saves anything: the figure is made from the ties as they are.
"""
from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from jmdiq_geo.i18n import t  # noqa: E402

RADIUS = {3: 1.0, 2: 2.0, 1: 3.0}
#: change marks in black and grey: readable in a black-and-white print, never mistaken for a sector colour
NEW, UP, DOWN, ENDED = "#000000", "#000000", "#000000", "#8c8c8c"


def _width(intensity: int) -> float:
    return 0.8 + 1.6 * (int(intensity) - 1)


def _draw(ax, partners: pd.DataFrame, ties: pd.DataFrame, *, year: int, title: str, centre: str,
          types: list[str], changes: dict[str, str] | None, before: pd.DataFrame | None) -> None:
    """One year's map on ``ax``. ``changes``: partner id → new/ended/strengthened/weakened/unchanged
    against ``before`` (the earlier year's ties, for where an ended tie was)."""
    year_ties = ties[ties["year"] == year].merge(partners[["partner_id", "name", "type"]], on="partner_id")
    year_ties = year_ties.assign(ended=False)
    if changes and before is not None:
        gone = [p for p, c in changes.items() if c == "ended"]
        old = before[before["partner_id"].isin(gone)].merge(partners[["partner_id", "name", "type"]], on="partner_id")
        year_ties = pd.concat([year_ties, old.assign(ended=True)], ignore_index=True)
    ax.set_aspect("equal")
    ax.axis("off")
    for r in (1, 2, 3):
        ax.add_patch(plt.Circle((0, 0), r, fill=False, color="#bbbbbb", lw=0.8, ls="--"))
    sector = 2 * math.pi / max(len(types), 1)
    cmap = plt.get_cmap("tab10")
    for k, typ in enumerate(types):
        angle = k * sector
        colour = cmap(k % 10)
        ax.plot([0, 3.4 * math.cos(angle)], [0, 3.4 * math.sin(angle)], color="#e4e4e4", lw=0.8, zorder=0)
        members = year_ties[year_ties["type"] == typ].sort_values("name")
        for j, row in enumerate(members.itertuples()):
            a = angle + sector * (j + 1) / (len(members) + 1)
            r = RADIUS.get(int(row.importance), 3.0)
            x, y = r * math.cos(a), r * math.sin(a)
            change = (changes or {}).get(row.partner_id)
            if row.ended:
                ax.plot([0, x], [0, y], color=ENDED, lw=1.0, ls=(0, (3, 2)), zorder=1)
                ax.scatter([x], [y], s=120, facecolor="white", edgecolor=ENDED, linewidth=1.5, zorder=2)
                ax.text(x, y - 0.22, row.name, ha="center", va="top", fontsize=6.5, color=ENDED)
                continue
            ax.plot([0, x], [0, y], color=colour, lw=_width(row.intensity), alpha=0.75, zorder=1)
            edge, lw = (NEW, 2.6) if change == "new" else ("white", 1.0)
            ax.scatter([x], [y], s=130, color=colour, zorder=2, edgecolor=edge, linewidth=lw)
            if change in ("strengthened", "weakened"):
                ax.scatter([x + 0.2], [y + 0.2], s=55, marker="^" if change == "strengthened" else "v",
                           color=UP if change == "strengthened" else DOWN, zorder=3, edgecolor="white", linewidth=0.5)
            ax.text(x, y - 0.22, row.name, ha="center", va="top", fontsize=6.5)
    ax.scatter([0], [0], s=900, color="#333333", zorder=3)
    ax.text(0, 0, centre, ha="center", va="center", color="white", fontsize=7.5, weight="bold", zorder=4)
    for r, imp in ((1, 3), (2, 2), (3, 1)):
        ax.text(r * math.cos(math.radians(100)), r * math.sin(math.radians(100)), str(imp), fontsize=6,
                color="#888888", ha="center", va="center", zorder=0)
    ax.set_xlim(-3.8, 3.8)
    ax.set_ylim(-3.8, 3.8)
    ax.set_title(f"{title} {year}", fontsize=12)


def _legend(fig, types: list[str], *, lang: str, with_changes: bool, top: float) -> None:
    cmap = plt.get_cmap("tab10")
    rings = [Line2D([], [], color="#bbbbbb", ls="--", label=t(f"network_legend_ring_{i}", lang)) for i in (3, 2, 1)]
    sectors = [Patch(color=cmap(k % 10), label=typ) for k, typ in enumerate(types)]
    widths = [Line2D([], [], color="#555555", lw=_width(i), label=t(f"network_legend_intensity_{i}", lang))
              for i in (1, 2, 3)]
    columns = [(t("network_legend_rings", lang), rings), (t("network_legend_sectors", lang), sectors),
               (t("network_legend_widths", lang), widths)]
    if with_changes:
        marks = [Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor="#cccccc", markeredgecolor=NEW,
                        markeredgewidth=2.4, label=t("network_new", lang)),
                 Line2D([], [], marker="^", ls="", markersize=8, color=UP, label=t("network_strengthened", lang)),
                 Line2D([], [], marker="v", ls="", markersize=8, color=DOWN, label=t("network_weakened", lang)),
                 Line2D([], [], marker="o", ls=(0, (3, 2)), markersize=8, color=ENDED, markerfacecolor="white",
                        label=t("network_ended", lang))]
        columns.append((t("network_legend_changes", lang), marks))
    n = len(columns)
    for i, (heading, handles) in enumerate(columns):
        fig.legend(handles=handles, title=heading, loc="upper left", bbox_to_anchor=(0.02 + i * 0.98 / n, top),
                   fontsize=7, title_fontsize=8, frameon=False, alignment="left")


def _types(partners: pd.DataFrame, ties: pd.DataFrame, years: list[int]) -> list[str]:
    shown = ties[ties["year"].isin(years)].merge(partners[["partner_id", "type"]], on="partner_id")
    return sorted(shown["type"].dropna().unique()) or ["–"]


def _save(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=120, bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return buf.getvalue()


def network_figure(partners: pd.DataFrame, ties: pd.DataFrame, *, year: int, title: str, centre: str = "JMD-iQ",
                   fmt: str = "png", lang: str = "de") -> bytes:
    """``partners``: partner_id, name, type; ``ties``: partner_id, year, intensity, importance.
    One year's map with its legend."""
    types = _types(partners, ties, [year])
    fig = plt.figure(figsize=(8, 9.6))
    ax = fig.add_axes([0.02, 0.2, 0.96, 0.78])
    _draw(ax, partners, ties, year=year, title=title, centre=centre, types=types, changes=None, before=None)
    _legend(fig, types, lang=lang, with_changes=False, top=0.2)
    return _save(fig, fmt)


def network_pair_figure(partners: pd.DataFrame, ties: pd.DataFrame, *, year_a: int, year_b: int, title: str,
                        changes: pd.DataFrame | None = None, centre: str = "JMD-iQ", fmt: str = "png",
                        lang: str = "de") -> bytes:
    """The map of ``year_a`` beside the map of ``year_b`` (same sectors and colours), the ties of
    ``year_b`` marked by how they changed since ``year_a`` (``changes``: partner_id, change, as
    ``analysis.project_summary.compare_years`` makes it), one legend below both."""
    types = _types(partners, ties, [year_a, year_b])
    marks = dict(zip(changes["partner_id"], changes["change"])) if changes is not None else None
    fig = plt.figure(figsize=(12, 7.4))
    for i, year in enumerate((year_a, year_b)):
        ax = fig.add_axes([0.01 + i * 0.5, 0.23, 0.48, 0.74])
        _draw(ax, partners, ties, year=year, title=title, centre=centre, types=types,
              changes=marks if i == 1 else None, before=ties[ties["year"] == year_a] if i == 1 else None)
    _legend(fig, types, lang=lang, with_changes=marks is not None, top=0.23)
    return _save(fig, fmt)
