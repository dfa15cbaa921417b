"""Files the app writes for people, and the exchange files it reads back.

- access tables as CSV (plain, or as German Excel opens it) or GeoPackage (``write_table``), and
  the same as bytes for a download (``table_bytes``);
- several tables at once (``write_tables``): CSV files in a folder or a ZIP, or one XLSX
  workbook with a sheet per table (``write_xlsx``);
- every text cell that a spreadsheet would run as a formula is neutralised by one function
  (``neutralise_formulas``), for CSV and XLSX alike;
- the project register's exchange format: CSV and GeoJSON as exported (``exchange_bytes``), read
  back by ``read_exchange``;
- an upload as a file in a temporary folder, for readers that take a path (``as_file``).
"""
from __future__ import annotations

import tempfile
import zipfile
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Iterator

import geopandas as gpd
import pandas as pd
import pyogrio.errors

from jmdiq_geo.crs import to_display_crs, to_work_crs
from jmdiq_geo.errors import InputError, Problem


#: a cell that starts with one of these is run as a formula by spreadsheet programs (CSV
#: injection): such text cells are written with a leading apostrophe, which Excel and LibreOffice
#: show as text and ``read_exchange`` takes off again
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutral(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells (and text index) cannot start a formula; numbers
    (negative ones too) stay numbers."""
    out = table.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(_neutral)
    out.columns = [_neutral(c) for c in out.columns]
    if not pd.api.types.is_numeric_dtype(out.index):
        out.index = out.index.map(_neutral)
    return out


def restore_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Inverse of ``neutralise_formulas`` for text read back (an exported file imported again)."""
    def back(v):
        return v[1:] if isinstance(v, str) and v.startswith("'") and v[1:].startswith(FORMULA_STARTS) else v
    return table.map(back)


#: CSV as German Excel opens it by double-click: ``;``, decimal comma, UTF-8 with BOM
EXCEL_DE = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}


def write_csv(table: pd.DataFrame, out, *, index: bool = True, excel_de: bool = False, **options):
    """A CSV file for people (spreadsheets): formula-like text cells neutralised; lines end in
    CRLF, so a cell holding a line break of either kind is quoted (a bare CR would split the row).
    Plain: ``,``, decimal point, UTF-8; ``excel_de``: ``EXCEL_DE``. ``out``: a path or a binary
    file object."""
    options = {**(EXCEL_DE if excel_de else {"encoding": "utf-8"}), **options}
    neutralise_formulas(table).to_csv(out, index=index, lineterminator="\r\n", **options)
    return Path(out) if isinstance(out, (str, Path)) else out


#: characters a sheet name must not hold (Excel), and its longest length
_SHEET_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_name(text: str, taken: set[str]) -> str:
    """An Excel sheet name from ``text``: forbidden characters replaced, at most 31 characters,
    unique among ``taken`` (a number appended)."""
    base = (text.translate(_SHEET_BAD).strip("'") or "Tabelle")[:31]
    name, i = base, 2
    while name.casefold() in {t.casefold() for t in taken}:
        name = f"{base[:28]}_{i}"
        i += 1
    taken.add(name)
    return name


def write_xlsx(tables: dict[str, pd.DataFrame], out: Path | str) -> Path:
    """One workbook, a sheet per table (named by its key), text that would run as a formula
    neutralised as in CSV (openpyxl would store ``=…`` as a formula)."""
    out = Path(out)
    taken: set[str] = set()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, table in tables.items():
            neutralise_formulas(table).to_excel(writer, sheet_name=sheet_name(name, taken), index=False)
    return out


def write_tables(tables: dict[str, pd.DataFrame], out: Path | str, *, excel_de: bool = False) -> Path:
    """Every table as ``<name>.csv`` (``write_csv``, plain or ``excel_de``): into the folder
    ``out``, or into one ZIP archive when ``out`` ends in ``.zip``."""
    out = Path(out)
    if out.suffix.lower() == ".zip":
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, table in tables.items():
                buffer = BytesIO()
                write_csv(table, buffer, index=False, excel_de=excel_de)
                archive.writestr(f"{name}.csv", buffer.getvalue())
        return out
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_csv(table, out / f"{name}.csv", index=False, excel_de=excel_de)
    return out


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
        write_csv(table, out, index=False, excel_de=True)
    else:
        write_csv(table, out, index=False)
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
    buffer = BytesIO()
    write_csv(pd.DataFrame(gdf.drop(columns="geometry")), buffer, index=False)
    csv = buffer.getvalue()
    shown = to_display_crs(gdf[gdf.geometry.notna()]) if gdf.geometry.notna().any() else gdf
    return csv, shown.to_json(drop_id=True).encode("utf-8")


def read_exchange(name: str, data: bytes, work_crs: str) -> pd.DataFrame:
    """A CSV (every value as text) or GeoJSON (in the work CRS, with ``x``/``y`` from the points)
    as exported; a file that cannot be read as such is an ``InputError`` naming the file."""
    csv = name.lower().endswith(".csv")
    try:
        if csv:
            return restore_formulas(pd.read_csv(BytesIO(data), dtype=str, keep_default_na=False))
        frame = to_work_crs(gpd.read_file(BytesIO(data)), work_crs)
        frame["x"], frame["y"] = frame.geometry.x, frame.geometry.y
        return frame
    except (ValueError, KeyError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        raise InputError(Problem("exchange_bad_file", {"format": "CSV" if csv else "GeoJSON"}, file=name)) from None
