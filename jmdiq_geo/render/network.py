"""The classic concentric network map (Netzwerkkarte) for the annual report, as PNG or SVG.

The JMD-iQ team sits in the centre; partners are placed in sectors by type, closer to the centre
the more important they are (importance 3 = inner ring), and linked by lines whose width grows
with the intensity of the contact.
"""
from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

RADIUS = {3: 1.0, 2: 2.0, 1: 3.0}


def network_figure(partners: pd.DataFrame, ties: pd.DataFrame, *, year: int, title: str, centre: str = "JMD-iQ",
                   fmt: str = "png") -> bytes:
    """``partners``: partner_id, name, type; ``ties`` of ``year``: partner_id, intensity, importance."""
    year_ties = ties[ties["year"] == year].merge(partners[["partner_id", "name", "type"]], on="partner_id")
    types = sorted(year_ties["type"].unique()) or ["–"]
    fig, ax = plt.subplots(figsize=(8, 8), dpi=120)
    ax.set_aspect("equal")
    ax.axis("off")
    for r in (1, 2, 3):
        ax.add_patch(plt.Circle((0, 0), r, fill=False, color="#cccccc", lw=0.8, ls="--"))
    sector = 2 * math.pi / len(types)
    cmap = plt.get_cmap("tab10")
    for k, typ in enumerate(types):
        angle = k * sector
        ax.plot([0, 3.4 * math.cos(angle)], [0, 3.4 * math.sin(angle)], color="#eeeeee", lw=0.8, zorder=0)
        mid = angle + sector / 2
        ax.text(3.6 * math.cos(mid), 3.6 * math.sin(mid), typ, ha="center", va="center", fontsize=9,
                color=cmap(k % 10), weight="bold")
        members = year_ties[year_ties["type"] == typ].sort_values("name")
        for j, row in enumerate(members.itertuples()):
            a = angle + sector * (j + 1) / (len(members) + 1)
            r = RADIUS.get(int(row.importance), 3.0)
            x, y = r * math.cos(a), r * math.sin(a)
            ax.plot([0, x], [0, y], color=cmap(k % 10), lw=0.8 + 1.6 * (int(row.intensity) - 1), alpha=0.7, zorder=1)
            ax.scatter([x], [y], s=120, color=cmap(k % 10), zorder=2, edgecolor="white")
            ax.text(x, y - 0.22, row.name, ha="center", va="top", fontsize=7)
    ax.scatter([0], [0], s=900, color="#333333", zorder=3)
    ax.text(0, 0, centre, ha="center", va="center", color="white", fontsize=8, weight="bold", zorder=4)
    ax.set_xlim(-4.2, 4.2)
    ax.set_ylim(-4.2, 4.2)
    ax.set_title(f"{title} {year}", fontsize=12)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
