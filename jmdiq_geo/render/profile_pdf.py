"""The Quartiersprofil as a PDF (German by default, A4): one area, or two side by side.

A locator map, the key indicators against district and city with rank, the target group,
trend charts, programme-area membership, services inside and nearby, micro-projects and the
network, sources and licences. fpdf2 with Debian's DejaVu fonts (as ``render.report``);
pictures drawn with matplotlib figures (no pyplot). Takes ``services.profile_report.ProfileDoc``s.
"""
from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from jmdiq_geo.i18n import DATE_FORMAT, format_date, format_number, localized, t, t_or
from jmdiq_geo.render.print_map import _fill, _halo_text, _lines
from jmdiq_geo.render.report import _Sheet

#: the areas' colours (first, second), district and city — as the Steckbrief's chart
AREA_COLOURS = ["#c0392b", "#2471a3"]
DISTRICT_COLOUR, CITY_COLOUR = "#8c8c8c", "#222222"


def _png(fig: Figure, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def locator_png(areas, area_ids: list[str], *, districts=None, context: dict | None = None) -> bytes:
    """Two panels: the whole city with the district(s) and the area(s) in colour, and the
    surroundings of the area(s) with their neighbours' names."""
    chosen = areas[areas["area_id"].isin(area_ids)]
    fig = Figure(figsize=(7.0, 3.3))
    FigureCanvasAgg(fig)
    overview = fig.add_axes([0.0, 0.0, 0.36, 1.0])
    zoom = fig.add_axes([0.38, 0.0, 0.62, 1.0])
    for ax in (overview, zoom):
        ax.set_axis_off()
        ax.set_aspect("equal")
    _fill(overview, areas.geometry, facecolor="#eeeeea", edgecolor="#ffffff", linewidth=0.1)
    if districts is not None:
        _lines(overview, districts.geometry, color="#555555", linewidth=0.5)
    for aid, colour in zip(area_ids, AREA_COLOURS):
        _fill(overview, areas[areas["area_id"] == aid].geometry, facecolor=colour, zorder=3)
    minx, miny, maxx, maxy = areas.total_bounds
    overview.set_xlim(minx, maxx)
    overview.set_ylim(miny, maxy)
    # the zoom: the chosen areas with a margin
    bx0, by0, bx1, by1 = chosen.total_bounds
    span = max(bx1 - bx0, (by1 - by0) * 1.9, 800.0)
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    half_w, half_h = span * 0.8, span * 0.8 / 1.9
    box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    near = areas.cx[box[0]:box[2], box[1]:box[3]]
    _fill(zoom, near.geometry, facecolor="#f2f2ee", edgecolor="#9a9a9a", linewidth=0.5)
    for key, style in (("parks", {"facecolor": "#cfe6c4"}), ("water", {"facecolor": "#a9cbe8"})):
        frame = (context or {}).get(key)
        if frame is not None and len(frame):
            _fill(zoom, frame.cx[box[0]:box[2], box[1]:box[3]].geometry, zorder=2, **style)
    frame = (context or {}).get("streets")
    if frame is not None and len(frame):
        _lines(zoom, frame.cx[box[0]:box[2], box[1]:box[3]].geometry, color="#bbbbbb", linewidth=0.6, zorder=2)
    for aid, colour in zip(area_ids, AREA_COLOURS):
        part = areas[areas["area_id"] == aid]
        _fill(zoom, part.geometry, facecolor=colour, alpha=0.35, zorder=3)
        _lines(zoom, part.geometry, color=colour, linewidth=2.0, zorder=4)
    if districts is not None:
        _lines(zoom, districts.cx[box[0]:box[2], box[1]:box[3]].geometry, color="#333333", linewidth=1.2, zorder=4)
    width_pt = 0.62 * 7.0 * 72
    m_per_pt = (box[2] - box[0]) / width_pt
    for name, aid, geom in zip(near["name"], near["area_id"], near.geometry):
        g0, _, g1, _ = geom.bounds
        if len(str(name)) * 0.55 * 6.5 * m_per_pt > (g1 - g0) and aid not in area_ids:
            continue
        p = geom.representative_point()
        _halo_text(zoom, p.x, p.y, name, fontsize=6.5 if aid not in area_ids else 8, ha="center", va="center",
                   fontweight="bold" if aid in area_ids else "normal", clip_on=True, zorder=6)
    zoom.set_xlim(box[0], box[2])
    zoom.set_ylim(box[1], box[3])
    return _png(fig)


def trend_png(series: list[pd.DataFrame], names: list[str], *, title: str, district: str, city: str,
              unit: str | None, digits: int, lang: str, counts: bool = False, alone: bool = False) -> bytes:
    """One indicator over the periods: each area in its colour, the (first area's) district and
    the city; counts without the city (its total flattens every line), and ``alone`` (the area
    is its level's only one, the whole) without the city line that would repeat its own."""
    fig = Figure(figsize=(3.4, 2.2))
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.16, 0.22, 0.77, 0.6])
    lines = [(s["area"], n, AREA_COLOURS[i], "-") for i, (s, n) in enumerate(zip(series, names))]
    if not counts:          # counts: the areas alone (the district's and city's totals flatten their lines)
        if "district" in series[0]:
            lines.append((series[0]["district"], district, DISTRICT_COLOUR, "--"))
        if not alone:
            lines.append((series[0]["city"], city, CITY_COLOUR, ":"))
    periods = list(series[0].index)
    labels = [pd.Timestamp(p).strftime(DATE_FORMAT[lang]) for p in periods]
    xs = np.arange(len(periods))
    for data, label, colour, style in lines:
        y = data.reindex(periods).astype(float).to_numpy()
        ax.plot(xs, y, style, color=colour, marker="o", markersize=3, linewidth=1.4, label=label)
    ax.set_xticks(xs)
    ax.set_xticklabels(labels, fontsize=6)
    ax.tick_params(axis="y", labelsize=6)
    ax.yaxis.set_major_formatter(lambda v, _: format_number(v, lang, digits=digits))
    import textwrap
    full = title + (f" ({unit})" if unit and unit != "Personen" else "")
    ax.set_title("\n".join(textwrap.wrap(full, 56)[:2]), fontsize=7, loc="left")
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=5.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, frameon=False)
    return _png(fig)


def _value_text(row, lang: str) -> str:
    label = row.get(f"value_label_{lang}")
    if isinstance(label, str):
        return label
    if pd.isna(row["value"]):
        return t(f"reason_{row['reason'] or 'missing'}", lang)
    digits = 0 if row["kind"] == "extensive" else 1
    unit = row["unit"] if isinstance(row["unit"], str) and row["unit"] not in ("", "Personen") else ""
    return format_number(row["value"], lang, digits=digits) + (f" {unit}" if unit else "")


def _num(v, kind: str, lang: str) -> str:
    return format_number(v, lang, digits=0 if kind == "extensive" else 1) if pd.notna(v) else "–"


class _Doc(_Sheet):
    def heading(self, text: str, size: float = 11, room: float = 20) -> None:
        """A heading, on a new page when less than ``room`` mm would follow it."""
        self.ln(2)
        if self.get_y() + room > self.page_break_trigger:
            self.add_page()
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, 6, text=text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 8.5)

    def para(self, text: str, size: float = 8.5, colour=(0, 0, 0)) -> None:
        self.set_font("DejaVu", "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, 4.4, text=text, new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_text_color(0, 0, 0)

    def table(self, header: list[str], rows: list[list[str]], widths: list[float], *, bold_first: bool = True,
              size: float = 7.5) -> None:
        """A simple table; long first-column texts wrap over two lines."""
        self.set_font("DejaVu", "B", size)
        self.set_fill_color(235, 235, 235)
        h = 4.6
        if self.get_y() + 2 * h > self.page_break_trigger:
            self.add_page()
        for text, w in zip(header, widths):
            self.cell(w, h, text, border="B", fill=True)
        self.ln(h)
        self.set_font("DejaVu", "", size)
        for row in rows:
            self.set_font("DejaVu", "B" if bold_first else "", size)
            lines = len(self.multi_cell(widths[0], h, row[0], dry_run=True, output="LINES")) if row else 1
            rh = h * max(1, lines)
            if self.get_y() + rh > self.page_break_trigger:
                self.add_page()
            x, y = self.get_x(), self.get_y()
            self.multi_cell(widths[0], h, row[0], border="B", new_x="RIGHT", new_y="TOP", align="L")
            self.set_font("DejaVu", "", size)
            self.set_xy(x + widths[0], y)
            for text, w in zip(row[1:], widths[1:]):
                self.cell(w, rh, text, border="B")
            self.ln(rh)


def profile_pdf(docs: list, *, lang: str = "de", locator: bytes | None = None, city: str = "",
                attributions: list[str] | None = None, created: date | None = None) -> bytes:
    """``docs``: one ``ProfileDoc`` (a profile) or two (compared side by side)."""
    pdf = _Doc(lang)
    pdf.set_title(t("profile_pdf_title", lang, name=" / ".join(d.profile.name for d in docs)))
    pdf.set_creator("jmdiq-geo")
    pdf.add_page()
    ps = [d.profile for d in docs]
    two = len(docs) == 2
    pdf.set_font("DejaVu", "B", 16)
    title = t("profile_pdf_title", lang, name=" / ".join(p.name for p in ps))
    pdf.multi_cell(0, 8, text=title, new_x="LMARGIN", new_y="NEXT")
    periods = sorted({r["period"] for p in ps for _, r in p.indicators.iterrows()})
    stichtag = t("print_periods" if len(periods) > 1 else "print_period", lang,
                 dates=", ".join(format_date(x, lang) for x in periods)) if periods else ""
    for p, d, colour in zip(ps, docs, AREA_COLOURS):
        chain = " · ".join(f"{name} ({aid})" for _, aid, name in p.hierarchy)
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)) if two else (60, 60, 60)
        pdf.para(f"{d.level_label} {p.name} ({p.area_id}) · {format_number(p.area_km2, lang, digits=2)} km²"
                 + (f" · {chain}" if chain else "") + (f" · {city}" if city and city not in chain else ""), 8.5,
                 colour=rgb)
    pdf.para(t("profile_pdf_meta", lang, date=format_date(created or date.today(), lang), stichtag=stichtag), 8,
             colour=(90, 90, 90))
    if locator:
        pdf.image(io.BytesIO(locator), w=pdf.epw)
    # key indicators
    pdf.heading(t("profile_pdf_indicators_whole" if ps[0].alone else "profile_pdf_indicators", lang))
    district = ps[0].district_label.get(lang) or t("col_district", lang)
    base = ps[0].indicators
    if base.empty:
        pdf.para(t("profile_no_indicators", lang))
    else:
        if two:
            other = ps[1].indicators.set_index("indicator_id")
            header = [t("col_indicator", lang), t("col_period", lang), ps[0].name[:22], ps[1].name[:22],
                      t("col_city", lang)]
            widths = [64, 22, 33, 33, 22]
            rows = []
            for _, r in base.iterrows():
                o = other.loc[r["indicator_id"]] if r["indicator_id"] in other.index else None
                rows.append([localized(r, lang), format_date(r["period"], lang), _value_text(r, lang) + _rank(r, lang),
                             (_value_text(o, lang) + _rank(o, lang)) if o is not None else "–",
                             _num(r["city"], r["kind"], lang)])
        else:
            header = [t("col_indicator", lang), t("col_period", lang), t("col_value", lang), district,
                      t("col_city", lang), t("tt_rank", lang)]
            widths = [62, 21, 26, 22, 22, 21]
            rows = [[localized(r, lang), format_date(r["period"], lang), _value_text(r, lang),
                     _num(r["district"], r["kind"], lang) if ps[0].hierarchy else "–", _num(r["city"], r["kind"], lang),
                     t("rank_of", lang, rank=int(r["rank"]), n=r["n"]) if pd.notna(r["rank"]) else "–"]
                    for _, r in base.iterrows()]
            if ps[0].alone:        # the level's only area is the whole: no city value or rank beside its own
                keep = 4 if ps[0].hierarchy else 3
                widths = [82, 25, 45, 22] if ps[0].hierarchy else [97, 30, 47]
                header, rows = header[:keep], [row[:keep] for row in rows]
        pdf.table(header, rows, widths)
        if not ps[0].alone:
            pdf.para(t("profile_pdf_rank_note", lang), 7, colour=(90, 90, 90))
    # the target group
    pdf.heading(t("profile_pdf_target", lang))
    target_lines = []
    for p, d in zip(ps, docs):
        rows = p.indicators[p.indicators["indicator_id"].isin(d.target_ids)] if len(p.indicators) else p.indicators
        parts = [f"{localized(r, lang)}: {_value_text(r, lang)}"
                 + ("" if p.alone else f" ({t('col_city', lang)} {_num(r['city'], r['kind'], lang)})")
                 for _, r in rows.iterrows()]
        target_lines.append((p.name + ": " if two else "") + ("; ".join(parts) or t("profile_pdf_no_target", lang)))
    for line in target_lines:
        pdf.para(line)
    # trend charts: two per row
    series_ids = [i for i in docs[0].series if all(i in d.series for d in docs)]
    if series_ids:
        pdf.heading(t("profile_trend", lang), room=60)
        defs = base.set_index("indicator_id")
        w = (pdf.epw - 4) / 2
        for n, ind in enumerate(series_ids):
            r = defs.loc[ind]
            png = trend_png([d.series[ind] for d in docs], [p.name for p in ps], title=localized(r, lang),
                            district=district, city=city or t("col_city", lang),
                            unit=r["unit"] if isinstance(r["unit"], str) else None,
                            digits=0 if r["kind"] == "extensive" else 1, lang=lang,
                            counts=r["kind"] == "extensive", alone=ps[0].alone)
            h = w * 2.2 / 3.4
            if n % 2 == 0:
                if pdf.get_y() + h > pdf.page_break_trigger:
                    pdf.add_page()
                y = pdf.get_y()
                pdf.image(io.BytesIO(png), x=pdf.l_margin, y=y, w=w)
            else:
                pdf.image(io.BytesIO(png), x=pdf.l_margin + w + 4, y=y, w=w)
                pdf.set_y(y + h + 1)
        if len(series_ids) % 2:
            pdf.set_y(y + h + 1)
    # programme areas
    pdf.heading(t("profile_programmes", lang))
    for p in ps:
        prefix = p.name + ": " if two else ""
        if p.programmes.empty:
            pdf.para(prefix + t("profile_no_programmes", lang))
        else:
            pdf.para(prefix + "; ".join(
                f"{r['name']} ({r['programme']}, {format_number(100 * r['share_of_area'], lang, digits=0)} % "
                f"{t('profile_pdf_of_area', lang)})" for _, r in p.programmes.iterrows()))
    # services
    pdf.heading(t("profile_services", lang))
    cats = sorted(set().union(*[set(p.services["category"]) for p in ps]))
    if not cats:
        pdf.para(t("profile_no_services", lang))
    else:
        header = [t("col_category", lang)]
        for i, p in enumerate(ps):
            post = f" ({i + 1})" if two else ""
            header += [t("profile_inside", lang) + post, t("profile_pdf_near", lang) + post]
        if two:
            pdf.para(" · ".join(f"({i + 1}) {p.name}" for i, p in enumerate(ps)), 7.5)
        tables = [p.services.set_index("category") for p in ps]
        rows = []
        for c in cats:
            row = [t_or(f"cat_{c}", c, lang)]
            for tb in tables:
                row += [format_number(tb.at[c, "inside"], lang, digits=0) if c in tb.index else "0",
                        format_number(tb.at[c, "nearby"], lang, digits=0) if c in tb.index else "0"]
            rows.append(row)
        widths = [60] + [(pdf.epw - 60) / (len(header) - 1)] * (len(header) - 1)
        pdf.table(header, rows, widths)
        pdf.para(t("profile_pdf_nearby_note", lang), 7, colour=(90, 90, 90))
    for p in ps:
        if not p.youth_centres.empty:
            pdf.para((p.name + " – " if two else "") + t("profile_youth_centres", lang) + ": " + "; ".join(
                f"{r['name']}" + (f" ({format_number(r['capacity'], lang, digits=0)} {t('profile_places', lang)})"
                                  if pd.notna(r["capacity"]) else "")
                for _, r in p.youth_centres.head(12).iterrows()) + (" …" if len(p.youth_centres) > 12 else ""), 7.5)
    _access_table(pdf, ps, docs, lang, two)
    _participation(pdf, ps, docs, lang, two)
    # micro-projects and the network
    pdf.heading(t("profile_pdf_projects", lang))
    for p, d in zip(ps, docs):
        prefix = p.name + ": " if two else ""
        if d.projects.empty:
            pdf.para(prefix + t("profile_pdf_no_projects", lang))
        else:
            pdf.para(prefix + "; ".join(
                f"{r['title']} ({t_or('projects_status_' + str(r['status']), str(r['status']), lang)}"
                + (f", {format_number(r['budget_planned'], lang, digits=0)} €" if pd.notna(r["budget_planned"]) else "")
                + ")" for _, r in d.projects.iterrows()))
        years = "; ".join(f"{int(r['year'])}: {int(r['ties'])}" for _, r in d.ties.iterrows()) or "–"
        pdf.para(prefix + t("profile_pdf_network", lang, partners=d.partners, years=years), 8)
    # sources
    pdf.heading(t("report_sources", lang), 10)
    for source in attributions or sorted(set().union(*[p.attributions for p in ps])):
        pdf.para("– " + source, 7.5)
    return bytes(pdf.output())


def _rank(row, lang: str) -> str:
    return f" · {t('rank_of', lang, rank=int(row['rank']), n=row['n'])}" if pd.notna(row["rank"]) else ""


def _access_table(pdf, ps, docs, lang: str, two: bool) -> None:
    """Walking access from the area's homes (the Zugang page's stored runs), or where to get it."""
    if all(d.access.empty for d in docs):
        pdf.para(t("profile_pdf_access_note", lang), 7, colour=(90, 90, 90))
        return
    pdf.para(t("profile_pdf_access_title", lang), 8.5)
    for p, d in zip(ps, docs):
        if d.access.empty:
            continue
        if two:
            pdf.para(p.name, 7.5)
        within = sorted((c for c in d.access.columns if c.startswith("n_within_")),
                        key=lambda c: float(c.removeprefix("n_within_").replace("_", ".")))
        far = format_number(d.access["far_min"].max(), lang, digits=0)
        header = [t("profile_pdf_access_category", lang), t("profile_pdf_access_median", lang),
                  t("profile_pdf_access_beyond", lang, minutes=far)] + [
            t("profile_pdf_access_within", lang, minutes=_minutes(float(c.removeprefix("n_within_")), lang))
            for c in within] + [t("profile_pdf_access_computed", lang)]
        rows = [[t_or(f"cat_{r['category']}", r["category"], lang),
                 format_number(r["median_min"], lang, digits=1), format_number(r["share_beyond"], lang, digits=0)]
                + [format_number(r[c], lang, digits=1) for c in within] + [format_date(r["computed"], lang)]
                for _, r in d.access.iterrows()]
        widths = [50] + [(pdf.epw - 50) / (len(header) - 1)] * (len(header) - 1)
        pdf.table(header, rows, widths)
    pdf.para(t("profile_pdf_access_source", lang), 7, colour=(90, 90, 90))


def _participation(pdf, ps, docs, lang: str, two: bool) -> None:
    """The participation sessions over the area: session, dates, participants, and per category
    the places shown inside the area (only those with at least k people)."""
    from jmdiq_geo.render.participation import session_line, summary_rows
    pdf.heading(t("part_report_heading", lang))
    for p, d in zip(ps, docs):
        prefix = p.name + ": " if two else ""
        if not d.participation:
            pdf.para(prefix + t("part_report_none", lang), 8)
            continue
        for summary in d.participation:
            pdf.para(prefix + session_line(summary, lang), 8)
            if summary.rows.empty:
                pdf.para(t("part_report_nothing_here", lang, k=summary.k), 7.5, colour=(90, 90, 90))
                continue
            header, rows = summary_rows(summary, lang)
            pdf.table(header, rows, [60, 40, 50, pdf.epw - 150])


def _minutes(value: float, lang: str) -> str:
    return format_number(value, lang, digits=0 if value.is_integer() else 1)
