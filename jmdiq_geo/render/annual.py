"""The annual report annex as a PDF (German by default, A4): the Netzwerkkarte of the year beside
the previous year's with its legend and the changes, the micro-projects with budgets and
Verstetigung, the indicator changes in the quarter, the activity-log year summary for "JMD
i-mpuls", and the sources with licences. fpdf2 with Debian's DejaVu fonts, as ``render/report.py``.

``annex``: a ``services.annual.Annex`` (read by attribute; render imports no service)."""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from jmdiq_geo.i18n import format_date, format_number, t

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
HEAD = FontFace(emphasis="BOLD", fill_color=(232, 236, 240))


class _Annex(FPDF):
    def __init__(self, lang: str, title: str):
        super().__init__(format="A4")
        self.lang = lang
        self.doc_title = title
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=18)
        self.set_margins(16, 14, 16)
        self.set_title(title)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"{self.doc_title} · {t('report_page', self.lang, page=self.page_no())}", align="C")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("DejaVu", "B", 12)
        self.set_text_color(0, 0, 0)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 8.5)

    def para(self, text: str, size: float = 8.5, grey: bool = False) -> None:
        self.set_font("DejaVu", "", size)
        self.set_text_color(*((90, 90, 90) if grey else (0, 0, 0)))
        self.multi_cell(0, 4.4, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def grid(self, header: list[str], rows: list[list[str]], widths: tuple[float, ...], aligns: str) -> None:
        self.set_font("DejaVu", "", 7.5)
        with self.table(col_widths=widths, headings_style=HEAD, line_height=4.2, text_align=tuple(
                {"l": "LEFT", "r": "RIGHT", "c": "CENTER"}[a] for a in aligns), first_row_as_headings=True) as table:
            for cells in [header, *rows]:
                row = table.row()
                for c in cells:
                    row.cell(c)


def _num(value, lang: str, digits: int = 1) -> str:
    return "–" if value is None or pd.isna(value) else format_number(float(value), lang, digits=digits)


def _date(value, lang: str) -> str:
    stamp = pd.to_datetime(value, errors="coerce")
    return "–" if pd.isna(stamp) else format_date(stamp.date(), lang)


def _digits(row) -> int:
    """Counts (persons) without decimals, rates and shares with one."""
    return 0 if getattr(row, "kind", None) == "extensive" else 1


def _span(start, end, lang: str) -> str:
    if pd.isna(pd.to_datetime(end, errors="coerce")):
        return t("annual_since", lang, start=_date(start, lang))
    return f"{_date(start, lang)} – {_date(end, lang)}"


def annex_pdf(annex, *, created: date | None = None) -> bytes:
    lang = annex.lang
    title = t("annual_title", lang, year=annex.year)
    pdf = _Annex(lang, title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.para(t("annual_meta", lang, quarter=annex.area_label, city=annex.city, year=annex.year,
               date=format_date(created or date.today(), lang)), grey=True)
    for note in annex.notes:
        pdf.para(note, grey=True)
    # 1 network
    pdf.heading(t("annual_network_heading", lang, years=" / ".join(str(y) for y in annex.network_years) or annex.year))
    if annex.network_png:
        pdf.image(io.BytesIO(annex.network_png), w=pdf.epw)
        pdf.para(t("annual_network_caption", lang), size=7.5, grey=True)
    if annex.network_changes is not None and not annex.network_changes.empty:
        changes = annex.network_changes
        counts = changes["change"].value_counts()
        pdf.para(t("annual_network_counts", lang, **{c: int(counts.get(c, 0)) for c in
                                                     ("new", "ended", "strengthened", "weakened", "unchanged")}))
        rows = [[str(r.name), t(f"network_{r.change}", lang), _num(r.intensity_a, lang, 0), _num(r.intensity_b, lang, 0),
                 _num(r.importance_a, lang, 0), _num(r.importance_b, lang, 0)] for r in changes.itertuples()]
        a, b = annex.network_years[0], annex.network_years[-1]
        pdf.grid([t("partners_name", lang), t("network_change", lang), f"{t('network_intensity', lang)} {a}",
                  f"{t('network_intensity', lang)} {b}", f"{t('network_importance', lang)} {a}",
                  f"{t('network_importance', lang)} {b}"], rows, (52, 26, 24, 24, 24, 24), "llrrrr")
    # 2 projects
    pdf.add_page()
    pdf.heading(t("annual_projects_heading", lang, year=annex.year))
    projects = annex.projects
    if projects.empty:
        pdf.para(t("annual_projects_none", lang))
    else:
        rows = [[r.title, r.area if isinstance(r.area, str) and r.area else "–", r.status, _span(r.start, r.end, lang),
                 _num(r.budget_planned, lang, 2), _num(r.budget_spent, lang, 2),
                 r.sustainability + (f": {r.sustainability_form}" if r.sustainability_form else "")]
                for r in projects.itertuples()]
        rows.append([t("annual_total", lang), "", "", "", _num(projects["budget_planned"].sum(min_count=1), lang, 2),
                     _num(projects["budget_spent"].sum(min_count=1), lang, 2),
                     t("annual_continued", lang, n=int((projects["sustainability"] != "keine").sum()),
                       total=len(projects))])
        pdf.grid([t("projects_field_title", lang), t("projects_area", lang), t("projects_status", lang),
                  t("annual_period", lang), t("projects_budget_planned", lang), t("projects_budget_spent", lang),
                  t("projects_sustainability", lang)], rows, (38, 24, 18, 30, 18, 18, 32), "lllcrrl")
    # 3 indicators
    pdf.heading(t("annual_indicators_heading", lang, quarter=annex.area_label))
    ind = annex.indicators
    if ind.empty:
        pdf.para(t("annual_indicators_none", lang, year=annex.year))
    else:
        pdf.para(t("annual_indicators_how", lang), size=7.5, grey=True)
        quarter = annex.area_id is not None or getattr(annex, "quarter_kind", None) is not None
        if getattr(annex, "estimated", False):
            pdf.para(t("annual_quarter_estimated_how", lang), size=7.5, grey=True)
        estimated = t("annual_estimated_mark", lang)
        rows = [[r.indicator + (f" ({r.unit})" if r.unit else "") + (f" – {estimated}" if getattr(r, "estimated", False)
                                                                    else ""),
                 f"{_date(r.period_from, lang)} → {_date(r.period_to, lang)}",
                 *([_num(r.value_from, lang, _digits(r)), _num(r.value_to, lang, _digits(r)),
                    _num(r.change, lang, _digits(r))] if quarter else []),
                 _num(r.city_change, lang, _digits(r))] for r in ind.itertuples()]
        header = [t("annual_indicator", lang), t("annual_periods", lang),
                  *([t("annual_value_from", lang), t("annual_value_to", lang), t("annual_change", lang)] if quarter else []),
                  t("annual_city_change", lang)]
        widths = (64, 40, 18, 18, 18, 20) if quarter else (100, 50, 28)
        pdf.grid(header, rows, widths, "llrrrr" if quarter else "llr")
    covered = getattr(annex, "covered", None)
    if covered:
        pdf.heading(t("report_areas", lang, n=len(covered)))
        pdf.grid([t("tt_area", lang), t("tt_id", lang), t("annual_covered_share", lang), t("annual_covered_method", lang)],
                 [[a["name"], a["area_id"], format_number(100 * a["share"], lang, digits=0) + " %",
                   t(f"method_{a['method']}", lang)] for a in covered], (70, 34, 28, 50), "llrl")
    # 4 activity log
    act = annex.activity
    pdf.heading(t("annual_activity_heading", lang, year=annex.year))
    pdf.para(act["title"], size=8)
    if act["months"] == 0:
        pdf.para(t("activity_none", lang, year=annex.year))
    else:
        rows = [[r.label, _num(r.share, lang), str(r.share_whole), _num(r.hours, lang)] for r in act["table"].itertuples()]
        pdf.grid([t("activity_category", lang), t("activity_share", lang), t("activity_share_whole", lang),
                  t("activity_hours", lang)], rows, (80, 34, 34, 34), "lrrr")
        pdf.para(act["how"], size=7.5, grey=True)
    # 5 participation (only places with at least k people)
    _participation(pdf, annex, lang)
    # sources
    pdf.heading(t("report_sources", lang))
    for source in annex.sources:
        pdf.para("– " + source, size=7.5)
    return bytes(pdf.output())


def _participation(pdf, annex, lang: str) -> None:
    from jmdiq_geo.render.participation import session_line, summary_rows
    pdf.heading(t("part_report_heading", lang))
    if not annex.participation:
        pdf.para(t("part_report_none", lang))
    for summary in annex.participation:
        pdf.para(session_line(summary, lang))
        if summary.rows.empty:
            pdf.para(t("part_report_nothing_here", lang, k=summary.k), size=7.5, grey=True)
            continue
        header, rows = summary_rows(summary, lang)
        pdf.grid(header, rows, (64, 40, 44, 30), "lrrr")


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF made here (its ``/Type /Page`` objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
