"""The justification sheet of a quarter check as a PDF (German by default), ready to attach to
an application: the verdict, every criterion with its figures and periods, how the numbers were
estimated, a map, and the data sources with licences. fpdf2 with Debian's DejaVu fonts."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from fpdf import FPDF  # noqa: E402

from jmdiq_geo.i18n import format_date, format_number, t  # noqa: E402

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
STATUS_COLOURS = {"met": (27, 120, 55), "not_met": (178, 24, 43), "unknown": (120, 120, 120)}


def quarter_png(quarter: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame | None) -> bytes:
    """A small static map: the areas around the quarter, district outlines, the quarter in black."""
    minx, miny, maxx, maxy = quarter.total_bounds
    pad = max(maxx - minx, maxy - miny) * 0.6 + 300
    fig, ax = plt.subplots(figsize=(6, 4.2), dpi=150)
    near = areas.cx[minx - pad:maxx + pad, miny - pad:maxy + pad]
    near.plot(ax=ax, color="#f2f2ee", edgecolor="#aaaaaa", linewidth=0.4)
    if outlines is not None:
        outlines.cx[minx - pad:maxx + pad, miny - pad:maxy + pad].boundary.plot(ax=ax, color="#333333", linewidth=1)
    quarter.plot(ax=ax, color="#fdae61", alpha=0.5, edgecolor="#000000", linewidth=1.8)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_axis_off()
    ax.set_aspect("equal")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


class _Sheet(FPDF):
    def __init__(self, lang: str):
        super().__init__(format="A4")
        self.lang = lang
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"jmdiq-geo · {t('report_page', self.lang, page=self.page_no())}", align="C")


def criterion_note(criterion: dict, detail: dict, lang: str) -> str:
    """One line under a criterion: the Stichtag of its values, the threshold and the city value,
    whether the quarter's value is estimated or an exact sum, and the base a rate was rebuilt with."""
    digits = 0 if detail.get("kind") == "extensive" else 1
    unit = detail.get("unit") or ""
    unit = "" if unit == "Personen" else (" %" if unit == "%" else f" {unit}" if unit else "")
    parts = [t("report_stichtag", lang, date=format_date(detail["period"], lang) if detail.get("period") else "–")]
    numbers = criterion.get("numbers") or {}
    if numbers.get("threshold") is not None:
        parts.append(t("report_threshold", lang, value=format_number(numbers["threshold"], lang, digits=digits) + unit))
    elif numbers.get("min") is not None:
        parts.append(t("report_threshold", lang, value=format_number(numbers["min"], lang, digits=digits) + unit))
    if detail.get("city") is not None:
        parts.append(t("report_city_value", lang, value=format_number(detail["city"], lang, digits=digits) + unit))
    if detail.get("kind") != "class":
        parts.append(t("report_value_estimated" if detail.get("estimated") else "report_value_exact", lang))
    text = " · ".join(parts) + "."
    if detail.get("rebuilt"):
        base = detail.get("base_en") if lang == "en" else detail.get("base")
        text += " " + t("report_rebuilt_own" if detail.get("own_base") else "report_rebuilt_other", lang, base=base)
    return text


def justification_pdf(result: dict, *, lang: str = "de", map_png: bytes | None = None,
                      created: date | None = None) -> bytes:
    """``result``: one or more check results as made by ``quarter.result_to_dict``."""
    results = result if isinstance(result, list) else [result]
    first = results[0]
    pdf = _Sheet(lang)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, new_x="LMARGIN", new_y="NEXT", align="L", text=t("report_title", lang, quarter=first["quarter"]["label"]))
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(90, 90, 90)
    q = first["quarter"]
    pdf.multi_cell(0, 5, new_x="LMARGIN", new_y="NEXT", align="L", text=t("report_meta", lang, date=format_date(created or date.today(), lang),
                           km2=format_number(q["area_km2"], lang, digits=2),
                           kind=t(f"quarter_kind_{q['kind']}", lang),
                           ids=", ".join(q["area_ids"]) or (t("report_ids_below", lang) if first.get("areas") else "–")))
    pdf.set_text_color(0, 0, 0)
    if map_png:
        pdf.image(io.BytesIO(map_png), w=110)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 9)
    share = first["share_population_from_partly_covered_areas"]
    # "geschätzt" only where something is: a union of whole areas is an exact sum
    estimated = first.get("estimated", True)
    pdf.multi_cell(0, 5, new_x="LMARGIN", new_y="NEXT", align="L", text=t(
        "report_numbers" if estimated else "report_numbers_exact", lang,
        population=format_number(first["population"], lang, digits=0),
        share=format_number(100 * share, lang, digits=0) if share is not None else "–",
        grid=first["weights"].get("grid_label") or first["weights"]["grid"] or "–"))
    if first.get("areas"):
        pdf.set_font("DejaVu", "B", 9)
        pdf.multi_cell(0, 5, new_x="LMARGIN", new_y="NEXT", align="L",
                       text=t("report_areas", lang, n=len(first["areas"])))
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(0, 4, new_x="LMARGIN", new_y="NEXT", align="L", text="; ".join(
            f"{a['name']} ({a['area_id']}): " + (t("report_area_whole", lang) if a["method"] == "full" else t(
                "report_area_part", lang, share=format_number(100 * a["share"], lang, digits=0),
                method=t(f"method_{a['method']}", lang))) for a in first["areas"]))
        pdf.set_font("DejaVu", "", 9)
    methods = first["weights"]["methods"] or {}
    pdf.multi_cell(0, 5, new_x="LMARGIN", new_y="NEXT", align="L", text=t(
        "report_methods", lang, full=methods.get("full", 0), dasymetric=methods.get("dasymetric", 0),
        area=methods.get("area", 0)))
    if first.get("grids"):                  # residents and foreign citizens from the population grids
        grids = first["grids"]
        pdf.multi_cell(0, 5, new_x="LMARGIN", new_y="NEXT", align="L", text=t(
            "cli_check_grid", lang, lines="; ".join(f"{x['label']} {x['text']}" for x in grids["lines"])))
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(0, 4, new_x="LMARGIN", new_y="NEXT", align="L", text=grids["weighting_text"])
        pdf.set_font("DejaVu", "", 9)
    for r in results:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", align="L", text=r["ruleset"]["label"])
        pdf.set_font("DejaVu", "", 8)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(0, 4, new_x="LMARGIN", new_y="NEXT", align="L", text=t("report_ruleset", lang, version=r["ruleset"]["version"] or "–",
                               source=r["ruleset"]["source"] or "–"))
        colour = STATUS_COLOURS[r["verdict"]]
        pdf.set_text_color(*colour)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", align="L", text=t("report_verdict", lang, verdict=t(f"verdict_{r['verdict']}", lang)) + " – " + r["reason"])
        pdf.set_text_color(0, 0, 0)
        for c in r["criteria"]:
            pdf.set_font("DejaVu", "B", 9)
            pdf.set_text_color(*STATUS_COLOURS[c["status"]])
            pdf.multi_cell(0, 5, new_x="LMARGIN", new_y="NEXT", align="L", text=f"[{t('verdict_' + c['status'], lang)}] {c['label']}")
            pdf.set_text_color(0, 0, 0)
            pdf.set_font("DejaVu", "", 9)
            pdf.set_x(pdf.l_margin + 5)
            pdf.multi_cell(0, 5, new_x="LMARGIN", new_y="NEXT", align="L", text=c["reason"])
            detail = (r.get("details") or {}).get(c["id"])
            if detail:
                pdf.set_font("DejaVu", "", 8)
                pdf.set_text_color(70, 70, 70)
                pdf.set_x(pdf.l_margin + 5)
                pdf.multi_cell(0, 4, new_x="LMARGIN", new_y="NEXT", align="L", text=criterion_note(c, detail, lang))
                pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", align="L", text=t("report_method_title", lang))
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4, new_x="LMARGIN", new_y="NEXT", align="L", text=t("report_method", lang))
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", align="L", text=t("report_sources", lang))
    pdf.set_font("DejaVu", "", 8)
    for source in first["sources"]:
        pdf.multi_cell(0, 4, new_x="LMARGIN", new_y="NEXT", align="L", text="– " + source)
    return bytes(pdf.output())
