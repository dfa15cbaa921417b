"""Tables of an access run for people: per area (with names) and per origin, CSV/GeoPackage."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from jmdiq_geo.services.access import Access
from jmdiq_geo.i18n import t
from jmdiq_geo.store.workspace import Workspace


def area_table(ws: Workspace, access: Access, *, lang: str = "de") -> pd.DataFrame:
    """One row per area; ``method`` says whether times come from the network or are estimates
    (straight line × detour factor)."""
    report = access.result.report
    areas = access.result.areas.copy()
    names = ws.area_names(report["level"]).set_index("area_id")["name"]
    areas.insert(1, "name", areas["area"].map(names))
    areas["method_label"] = areas["method"].map(lambda m: t(f"access_method_{m}", lang))
    areas["detour_factor_used"] = round(report["detour_factor"], 3)
    if report.get("has_capacity"):
        # whose places-per-100 the e2sfca column is (not always the target group: Kitas)
        areas["e2sfca_per_100_of"] = report.get("demand_indicator") or "–"
        areas["e2sfca_period"] = report.get("demand_period") or "–"
    return areas


def origin_table(ws: Workspace, access: Access) -> pd.DataFrame:
    return access.result.origins.copy()


def write_table(table: pd.DataFrame, out: Path | str, *, attribution: list[str], geometry=None,
                crs: str | None = None, excel_de: bool = False) -> Path:
    """CSV or GeoPackage by suffix; every row names the sources. CSV is plain (``,``, decimal
    point, UTF-8); ``excel_de`` writes it as German Excel opens it (``;``, decimal comma, UTF-8
    with BOM, numbers rounded to 3 decimals)."""
    out = Path(out)
    table = table.copy()
    table["sources"] = " | ".join(attribution)
    if out.suffix.lower() == ".gpkg":
        if geometry is None and {"x", "y"} <= set(table.columns):
            geometry = gpd.points_from_xy(table["x"], table["y"])
        gpd.GeoDataFrame(table, geometry=geometry, crs=crs).to_file(out, driver="GPKG", layer="access")
    elif excel_de:
        numbers = table.select_dtypes("float").columns
        table[numbers] = table[numbers].round(3)
        table.to_csv(out, index=False, sep=";", decimal=",", encoding="utf-8-sig")
    else:
        table.to_csv(out, index=False)
    return out
