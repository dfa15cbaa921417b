"""Files the app writes for people, and the exchange files it reads back.

- access tables as CSV (plain, or as German Excel opens it) or GeoPackage (``write_table``), and
  the same as bytes for a download (``table_bytes``);
- the project register's exchange format: CSV and GeoJSON as exported (``exchange_bytes``), read
  back by ``read_exchange``;
- an upload as a file in a temporary folder, for readers that take a path (``as_file``).
"""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Iterator

import geopandas as gpd
import pandas as pd
import pyogrio.errors

from jmdiq_geo.crs import to_display_crs, to_work_crs
from jmdiq_geo.errors import InputError, Problem


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


def table_bytes(table: pd.DataFrame, suffix: str, *, attribution: list[str], geometry=None, crs: str | None = None,
                excel_de: bool = False) -> bytes:
    """``write_table`` into a temporary folder, as bytes (``suffix``: ``.csv`` or ``.gpkg``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(table, Path(tmp) / f"access{suffix}", attribution=attribution, geometry=geometry,
                           crs=crs, excel_de=excel_de)
        return path.read_bytes()


@contextmanager
def as_file(name: str, data: bytes) -> Iterator[Path]:
    """``data`` as the file ``name`` in a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        yield path


# --------------------------------------------------------------------------- project exchange
def exchange_bytes(gdf: gpd.GeoDataFrame) -> tuple[bytes, bytes]:
    """(CSV, GeoJSON) of records: the CSV without geometry, the GeoJSON in EPSG:4326 (the
    records that have a location; all of them when none has)."""
    csv = gdf.drop(columns="geometry").to_csv(index=False).encode("utf-8")
    shown = to_display_crs(gdf[gdf.geometry.notna()]) if gdf.geometry.notna().any() else gdf
    return csv, shown.to_json(drop_id=True).encode("utf-8")


def read_exchange(name: str, data: bytes, work_crs: str) -> pd.DataFrame:
    """A CSV (every value as text) or GeoJSON (in the work CRS, with ``x``/``y`` from the points)
    as exported; a file that cannot be read as such is an ``InputError`` naming the file."""
    csv = name.lower().endswith(".csv")
    try:
        if csv:
            return pd.read_csv(BytesIO(data), dtype=str, keep_default_na=False)
        frame = to_work_crs(gpd.read_file(BytesIO(data)), work_crs)
        frame["x"], frame["y"] = frame.geometry.x, frame.geometry.y
        return frame
    except (ValueError, KeyError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        raise InputError(Problem("exchange_bad_file", {"format": "CSV" if csv else "GeoJSON"}, file=name)) from None
