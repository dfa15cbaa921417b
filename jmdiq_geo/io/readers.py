"""Read the files a city really has, with every problem named.

Vector: GeoJSON, GeoPackage, Shapefile (the ``.shp`` or a folder or a ``.zip``), GeoParquet.
Tables: CSV (``;`` or ``,`` or tab, decimal comma, thousands separators, UTF-8 / UTF-8-BOM /
cp1252 / UTF-16 with BOM) and XLSX. Tables are read as text; numbers are parsed later by
``jmdiq_geo.io.numbers`` so that keys keep their leading zeros and bad cells can be named.
Tables as offices publish them are recognised: title rows above the header, a two-row header
(a group row over its sub-columns, joined: "Arbeitslose insgesamt") and notes below the table
("Quelle: …", "1) …"); ``header_row`` overrides where the header is. The attribute table of a
vector file is read by ``read_attributes`` (geometry not read, columns keep their types).
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import math
import re
import tempfile
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import pyproj
import shapely
import shapely.errors

from jmdiq_geo.crs import check_coordinates, check_placeable
from jmdiq_geo.errors import CrsError, InputError, Problem
from jmdiq_geo.io.numbers import PLACEHOLDERS

VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet", ".zip"}
TABLE_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}
_SHAPEFILE_PARTS = (".shx", ".dbf")


@dataclass
class TableRead:
    """A table read as text, with how it was read."""

    frame: pd.DataFrame
    file: str
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    notices: list[Problem] = field(default_factory=list)
    #: 1-based row of the file taken as the header (the upper one of a two-row header)
    header_row: int = 1
    #: 1, or 2 for a group row over its sub-columns (names joined: "Arbeitslose insgesamt")
    header_rows: int = 1
    #: the attributes of a vector file: columns keep their types (numbers are numbers)
    typed: bool = False
    #: the title rows above the header, as text ("… nach Unterbezirken, Stand 31.12.2024")
    titles: list[str] = field(default_factory=list)


def human_size(n_bytes: int) -> str:
    """A size people read: ``512 B``, ``12 KB``, ``3 MB`` (rounded up, no decimals)."""
    if n_bytes < 1024:
        return f"{n_bytes} B"
    if n_bytes < 1024 * 1024:
        return f"{-(-n_bytes // 1024)} KB"
    return f"{-(-n_bytes // (1024 * 1024))} MB"


def check_file(path: Path, *, max_bytes: int) -> None:
    """Raise ``InputError`` unless ``path`` exists, is a non-empty file and within the size limit."""
    name = path.name
    if not path.exists():
        raise InputError(Problem("file_missing", {"path": str(path)}, file=name))
    if path.is_dir():
        return
    size = path.stat().st_size
    if size == 0:
        raise InputError(Problem("file_empty", file=name))
    if size > max_bytes:
        raise InputError(Problem("file_too_large", {"size": human_size(size), "limit": human_size(max_bytes)},
                                 file=name))


# --------------------------------------------------------------------------- zip archives

#: an entry's name (bytes of UTF-8) and each of its folder names may be at most this long
#: (file systems refuse longer names: 255 bytes a name, 4096 a path on Linux)
_ZIP_NAME_PART = 255
_ZIP_NAME_TOTAL = 1024
#: the unpacked size of an archive (zip, XLSX) may be this many times the file size limit …
UNPACKED_FACTOR = 10
#: … and never more than this (a 5 MB file that unpacks to 935 MB takes minutes to parse)
UNPACKED_CAP = 2 * 1024 ** 3


def unpacked_limit(max_bytes: int) -> int:
    """How much an archive of files of at most ``max_bytes`` may unpack to: ``UNPACKED_FACTOR``
    times the limit, at most ``UNPACKED_CAP`` (and never less than the limit itself)."""
    return max(max_bytes, min(UNPACKED_FACTOR * max_bytes, UNPACKED_CAP))


def _open_zip(path: Path, *, code: str = "zip_unreadable") -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputError(Problem(code, file=path.name)) from None


def zip_problems(archive: zipfile.ZipFile, name: str, *, limit: int) -> list[Problem]:
    """What is wrong with an archive's entries, found from its directory before anything is
    unpacked: paths outside the target (zip slip), links, encrypted entries, names too long for
    a file system, unknown compression, and an unpacked size beyond ``limit`` (zip bombs; the
    sizes the directory declares are the most that ``zipfile`` unpacks)."""
    problems, total = [], 0
    for info in archive.infolist():
        shown = _short(info.filename, 80)
        entry = PurePosixPath(info.filename.replace("\\", "/"))
        if entry.is_absolute() or ".." in entry.parts or (entry.parts and entry.parts[0].endswith(":")):
            problems.append(Problem("zip_entry_outside", {"entry": shown}, file=name))
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            problems.append(Problem("zip_entry_link", {"entry": shown}, file=name))
        if info.flag_bits & 0x1:
            problems.append(Problem("zip_entry_encrypted", {"entry": shown}, file=name))
        if len(info.filename.encode("utf-8")) > _ZIP_NAME_TOTAL or any(
                len(part.encode("utf-8")) > _ZIP_NAME_PART for part in entry.parts):
            problems.append(Problem("zip_entry_name_long", {"entry": shown, "limit": _ZIP_NAME_PART}, file=name))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            problems.append(Problem("zip_entry_method", {"entry": shown, "method": info.compress_type}, file=name))
        total += info.file_size
    if total > limit:
        problems.append(Problem("unpacked_too_large", {"size": human_size(total), "limit": human_size(limit)},
                                file=name))
    return problems


def extract_zip_safely(path: Path, target: Path, *, max_bytes: int) -> list[Path]:
    """Extract ``path`` into ``target`` after checking every entry; return the files written.

    Refuses the archive when ``zip_problems`` finds anything, and a damaged entry (bad CRC,
    truncated data) found while unpacking, naming it. Nothing is extracted when one entry is bad
    (a damaged one found late leaves only the temporary folder, which the caller removes).
    """
    name = path.name
    with _open_zip(path) as archive:
        problems = zip_problems(archive, name, limit=unpacked_limit(max_bytes))
        if problems:
            raise InputError(problems)
        for info in archive.infolist():
            try:
                archive.extract(info, target)
            except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
                raise InputError(Problem("zip_entry_damaged", {"entry": _short(info.filename, 80),
                                                               "reason": _short(str(exc), 120)}, file=name)) from None
            except OSError as exc:
                raise InputError(Problem("zip_entry_unwritable", {"entry": _short(info.filename, 80),
                                                                  "reason": _short(exc.strerror or str(exc), 120)},
                                         file=name)) from None
        return [target / i.filename for i in archive.infolist() if not i.is_dir()]


def _pick_dataset(files: list[Path], archive_name: str) -> Path:
    candidates = [f for f in files if f.suffix.lower() in VECTOR_SUFFIXES - {".zip", ".json"}
                  or f.suffix.lower() in TABLE_SUFFIXES or f.suffix.lower() == ".json"]
    candidates = [f for f in candidates if not f.name.startswith(".") and "__MACOSX" not in f.parts]
    if len(candidates) != 1:
        raise InputError(Problem("zip_ambiguous", {"found": ", ".join(sorted(f.name for f in candidates)) or "–"},
                                 file=archive_name))
    return candidates[0]


# --------------------------------------------------------------------------- vector

def read_vector(path: Path | str, *, crs: str | None = None, layer: str | None = None,
                max_bytes: int) -> gpd.GeoDataFrame:
    """Read a vector file into a GeoDataFrame with a CRS; raise ``InputError``/``CrsError``.

    ``crs`` is used only when the file declares none (a Shapefile without ``.prj``, a CSV of
    points); a file that declares a CRS keeps its own.
    """
    path = Path(path)
    check_file(path, max_bytes=max_bytes)
    if path.is_dir():
        return read_vector(_single_shapefile(path), crs=crs, layer=layer, max_bytes=max_bytes)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="jmdiq-zip-") as tmp:
            files = extract_zip_safely(path, Path(tmp), max_bytes=max_bytes)
            inner = _pick_dataset(files, path.name)      # unpacked: within the archive's limit
            gdf = read_vector(inner, crs=crs, layer=layer, max_bytes=unpacked_limit(max_bytes))
            return gdf
    if suffix not in VECTOR_SUFFIXES:
        raise InputError(Problem("format_unknown", {"suffix": suffix or "–",
                                                    "known": ", ".join(sorted(VECTOR_SUFFIXES))}, file=path.name))
    if suffix == ".shp":
        missing = [ext for ext in _SHAPEFILE_PARTS if not _sibling(path, ext)]
        if missing:
            raise InputError(Problem("shapefile_part_missing", {"parts": ", ".join(missing)}, file=path.name))
    if suffix not in (".parquet", ".geoparquet"):
        layer = _check_layer(path, layer)
    try:
        caught = []
        if suffix in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        elif suffix in (".geojson", ".json") and not _is_utf8(path):
            # GeoJSON must be UTF-8, but some offices write Latin-1 (Dortmund's Unterbezirke):
            # read it as Windows-1252 (a superset of Latin-1) rather than fail on "Ö"
            gdf, caught = _read_ogr(path, layer=layer, use_arrow=False, encoding="cp1252")
            gdf.attrs["encoding"] = "cp1252"
        else:
            gdf, caught = _read_ogr(path, layer=layer, use_arrow=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError) as exc:
        if suffix in (".geojson", ".json"):
            _check_json_syntax(path)      # names line and column of a broken or truncated file
        raise InputError(Problem("vector_unreadable", {"reason": _short(_first_line(exc), 200)},
                                 file=path.name)) from None
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in gdf.columns and len(gdf):
        check_coordinates(gdf, file=path.name)       # NaN, Infinity, 1e308: named, before any sum
        if caught:
            _refuse_dropped_geometries(gdf, caught, path.name)
    _pass_on(caught)
    if suffix == ".json" and gdf.geometry.name not in gdf.columns:
        _check_json_syntax(path)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise InputError(Problem("no_geometry", file=path.name))
    if len(gdf) == 0:
        raise InputError(Problem("no_features", file=path.name))
    if gdf.crs is not None and not (gdf.crs.is_projected or gdf.crs.is_geographic or gdf.crs.is_geocentric):
        # an engineering CRS (LOCAL_CS in a .prj) cannot be placed on the Earth: the CRS given
        # replaces it; without one the file is refused with what to do
        if not crs:
            check_placeable(gdf.crs, file=path.name)
        gdf = gdf.set_crs(None, allow_override=True)
    if gdf.crs is None:
        if not crs:
            raise CrsError(Problem("crs_missing", file=path.name))
        gdf = gdf.set_crs(crs)
    elif gdf.crs.is_geographic and len(gdf) and np.isfinite(gdf.total_bounds).all():
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            # GeoJSON without a "crs" member is read as WGS84; metric coordinates show it was not
            if not crs:
                raise CrsError(Problem("crs_not_lonlat", {"x": round(float(minx)), "y": round(float(miny))},
                                       file=path.name))
            gdf = gdf.set_crs(crs, allow_override=True)
    elif gdf.crs.is_projected and len(gdf) and np.isfinite(gdf.total_bounds).all():
        minx, miny, maxx, maxy = gdf.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90 and crs \
                and pyproj.CRS.from_user_input(crs).is_geographic:
            # degrees under a metric CRS: the user says which CRS the numbers really are in
            gdf = gdf.set_crs(crs, allow_override=True)
    return gdf


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _check_layer(path: Path, layer: str | None) -> str | None:
    """The layer to read: ``layer`` when the file has it; the only one when it has one. A file
    of several layers (a GeoPackage) without ``layer`` is refused with the list of its layers:
    taking the first would import the wrong data without a word."""
    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError, RecursionError):
        return layer                     # reading names what is wrong with the file
    shown = ", ".join(f"'{_short(n, 60)}'" for n in names[:30]) + (" …" if len(names) > 30 else "")
    if layer is not None:
        if layer not in names:
            raise InputError(Problem("layer_unknown", {"layer": _short(str(layer), 60), "layers": shown or "–"},
                                     file=path.name))
        return layer
    if len(names) > 1:
        raise InputError(Problem("layers_several", {"count": len(names), "layers": shown}, file=path.name))
    return None


def vector_layers(path: Path | str) -> list[str]:
    """The layers of a vector file (one for GeoJSON or a Shapefile, any number in a
    GeoPackage); empty when the file cannot be opened (reading it names what is wrong)."""
    try:
        return [str(n) for n in pyogrio.list_layers(Path(path))[:, 0]]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError, RecursionError):
        return []


def _read_ogr(path: Path, **kw) -> tuple[gpd.GeoDataFrame, list]:
    """``pyogrio.read_dataframe`` and the warnings it gave. A geometry GEOS cannot build (an
    unclosed ring, a ring of two points) is refused naming its features. The caller passes the
    warnings on (``_pass_on``) once the file is accepted: a file refused for their cause (NaN
    coordinates: "invalid value encountered") is not also warned about."""
    problem = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            gdf = pyogrio.read_dataframe(path, **kw)
        except shapely.errors.GEOSException as exc:
            problem = _broken_geometries(path, kw.get("layer"), exc)
    if problem is not None:
        raise InputError(problem)
    return gdf, list(caught)


def _refuse_dropped_geometries(gdf: gpd.GeoDataFrame, caught: list, file: str) -> None:
    """GDAL warns and reads no geometry where a feature's geometry is malformed (a point of no
    coordinates, an unknown type): those features are refused, GDAL's complaint as the reason,
    rather than reported as merely empty (or a warning on the console nobody sees)."""
    geoms = gdf.geometry.array
    dropped = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(dropped):
        rows = [int(i) + 1 for i in dropped]
        raise InputError(Problem("geometry_unreadable", {"count": len(rows), "rows": ", ".join(map(str, rows[:10])),
                                                         "reason": _short(str(caught[0].message), 160)},
                                 file=file, row=rows[0]))


def _pass_on(caught: list) -> None:
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _broken_geometries(path: Path, layer: str | None, exc: Exception) -> Problem:
    """The features whose geometry GEOS refuses, found by reading the raw WKB."""
    rows: list[int] = []
    try:
        _, _, wkb, _ = pyogrio.raw.read(path, layer=layer, columns=[])
        geoms = shapely.from_wkb(wkb, on_invalid="ignore")
        rows = [i + 1 for i, (raw, g) in enumerate(zip(wkb, geoms)) if raw is not None and g is None]
    except Exception:                    # noqa: BLE001 - only the row numbers are lost
        rows = []
    return Problem("geometry_unreadable", {"count": len(rows) or "?", "rows": ", ".join(map(str, rows[:10])) or "–",
                                           "reason": _short(_first_line(exc), 120)},
                   file=path.name, row=rows[0] if rows else None)


def _is_utf8(path: Path) -> bool:
    """Whether the file's bytes are valid UTF-8 (read in blocks; a character split across a
    block boundary is carried over)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _single_shapefile(folder: Path) -> Path:
    """The one Shapefile of a folder (several or none: a message listing what is there)."""
    shp = sorted(folder.glob("*.shp"))
    if len(shp) != 1:
        raise InputError(Problem("zip_ambiguous", {"found": ", ".join(p.name for p in shp) or "–"},
                                 file=folder.name))
    return shp[0]


def _sibling(path: Path, ext: str) -> Path | None:
    for cand in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if cand.exists():
            return cand
    return None


def _check_json_syntax(path: Path) -> None:
    raw = path.read_bytes()
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(Problem("encoding_unknown", file=path.name)) from None
    except RecursionError:
        raise InputError(Problem("json_too_deep", file=path.name)) from None
    except json.JSONDecodeError as exc:
        raise InputError(Problem("json_syntax", {"line": exc.lineno, "col": exc.colno},
                                 file=path.name)) from None
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise InputError(Problem("not_geojson", file=path.name))


def read_attributes(path: Path | str, *, layer: str | None = None, max_bytes: int) -> TableRead:
    """The attribute table of a vector file (GeoJSON, GeoPackage, Shapefile, GeoParquet, a folder
    or ``.zip`` of one): the geometry is not read, so no CRS is needed; columns keep their types."""
    path = Path(path)
    check_file(path, max_bytes=max_bytes)
    if path.is_dir():
        return read_attributes(_single_shapefile(path), layer=layer, max_bytes=max_bytes)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="jmdiq-zip-") as tmp:
            files = extract_zip_safely(path, Path(tmp), max_bytes=max_bytes)
            return read_attributes(_pick_dataset(files, path.name), layer=layer, max_bytes=unpacked_limit(max_bytes))
    if suffix not in VECTOR_SUFFIXES:
        raise InputError(Problem("format_unknown", {"suffix": suffix or "–",
                                                    "known": ", ".join(sorted(VECTOR_SUFFIXES))}, file=path.name))
    if suffix == ".shp" and not _sibling(path, ".dbf"):
        raise InputError(Problem("shapefile_part_missing", {"parts": ".dbf"}, file=path.name))
    if suffix not in (".parquet", ".geoparquet"):
        layer = _check_layer(path, layer)
    encoding = "utf-8"
    try:
        if suffix in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
            frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        elif suffix in (".geojson", ".json") and not _is_utf8(path):
            frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False, use_arrow=False, encoding="cp1252")
            encoding = "cp1252"
        else:
            frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False, use_arrow=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError) as exc:
        if suffix in (".geojson", ".json"):
            _check_json_syntax(path)
        raise InputError(Problem("vector_unreadable", {"reason": str(exc).splitlines()[0][:200]},
                                 file=path.name)) from None
    if len(frame) == 0:
        raise InputError(Problem("no_features", file=path.name))
    frame = pd.DataFrame(frame).reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    return _checked(TableRead(frame, path.name, encoding=encoding, delimiter="", decimal=".", typed=True))


# --------------------------------------------------------------------------- tables

#: XLSX: at most this much unpacked (about a million cells; openpyxl reads ~0.75 MB of sheet
#: XML a second here: 24 MB took 64 s when a table was still read twice) …
XLSX_UNPACKED_CAP = 64 * 1024 ** 2
#: … and at most Excel's own number of rows
XLSX_MAX_ROWS = 1_048_576
_SML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def check_xlsx(path: Path, *, sheet: str | int | None, max_bytes: int) -> None:
    """Check a workbook before it is parsed: its archive (``zip_problems``: encrypted entries,
    an unpacked size beyond ``unpacked_limit`` and ``XLSX_UNPACKED_CAP`` - a 3 MB file that
    unpacks to 935 MB is refused in 0.06 s), then the sheet read, streamed: more than ``XLSX_MAX_ROWS`` rows, or
    formulas without stored results (read with their results, they would all be empty:
    written by a program that does not calculate, they must be saved once in Excel or
    LibreOffice)."""
    from xml.etree.ElementTree import ParseError, iterparse

    name = path.name
    archive = _open_zip(path, code="xlsx_not_zip")
    with archive:
        limit = min(unpacked_limit(max_bytes), XLSX_UNPACKED_CAP)
        problems = zip_problems(archive, name, limit=limit)
        if problems:
            # beyond the workbook cap a larger file size limit does not help: CSV does
            raise InputError([dataclasses.replace(p, code="xlsx_unpacked_too_large")
                              if p.code == "unpacked_too_large" and limit == XLSX_UNPACKED_CAP else p
                              for p in problems])
        try:
            entry, sheet_name = _sheet_entry(archive, sheet, name)
            if entry is None:
                return                    # an unusual workbook: openpyxl names what is wrong
            formulas, rows = [], 0
            with archive.open(entry) as fh:
                for _, elem in iterparse(fh, events=("end",)):
                    if elem.tag == f"{_SML}row":
                        rows = max(rows + 1, int(elem.get("r") or 0))
                        if rows > XLSX_MAX_ROWS:
                            raise InputError(Problem("xlsx_too_many_rows", {
                                "sheet": _short(sheet_name, 60), "rows": f"> {XLSX_MAX_ROWS:,}".replace(",", "."),
                                "limit": f"{XLSX_MAX_ROWS:,}".replace(",", ".")}, file=name))
                        elem.clear()
                    elif elem.tag == f"{_SML}c" and elem.find(f"{_SML}f") is not None:
                        value = elem.find(f"{_SML}v")
                        # no result, or an empty one where only text may be empty (openpyxl
                        # writes <v/>; Excel writes <v></v> only for a formula's text "")
                        if value is None or (not value.text and elem.get("t") not in ("str", "inlineStr")):
                            formulas.append(elem.get("r") or "?")
        except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError) as exc:
            raise InputError(Problem("table_unreadable", {"reason": _short(_first_line(exc), 200)},
                                     file=name)) from None
    if formulas:
        raise InputError(Problem("xlsx_formulas_without_values", {
            "count": len(formulas), "sheet": _short(sheet_name, 60),
            "cells": ", ".join(formulas[:5]) + (" …" if len(formulas) > 5 else "")}, file=name))


def _sheet_entry(archive: zipfile.ZipFile, sheet: str | int | None, file: str) -> tuple[str | None, str]:
    """The archive entry of the sheet ``sheet`` (a name, an index, or None: the first) and its
    name, from ``xl/workbook.xml`` and its relationships."""
    from xml.etree.ElementTree import fromstring

    try:
        book = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return None, str(sheet or "")
    sheets = [(s.get("name") or "", s.get(f"{_REL}id")) for s in book.iter(f"{_SML}sheet")]
    if not sheets:
        return None, str(sheet or "")
    if sheet is None or sheet == "":
        chosen = sheets[0]
    elif isinstance(sheet, int):
        chosen = sheets[sheet] if 0 <= sheet < len(sheets) else None
    else:
        chosen = next((s for s in sheets if s[0] == sheet), None)
    if chosen is None:
        raise InputError(Problem("xlsx_sheet_unknown", {
            "sheet": _short(str(sheet), 60), "sheets": ", ".join(f"'{_short(n, 40)}'" for n, _ in sheets[:30])},
            file=file))
    target = next((r.get("Target") for r in rels if r.get("Id") == chosen[1]), None)
    if not target:
        return None, chosen[0]
    entry = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return (entry if entry in archive.namelist() else None), chosen[0]


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if b"\x00" in raw[:4096]:
        raise InputError(Problem("not_text", file=name))
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        return text, ("utf-8" if enc == "utf-8-sig" and not raw.startswith(b"\xef\xbb\xbf")
                      else enc)
    raise InputError(Problem("encoding_unknown", file=name))


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        # title rows above the table or notes below it confuse the sniffer: take the delimiter
        # that most lines have equally often (the table's rows), not the first line's
        lines = [line for line in text.splitlines()[:30] if line.strip()]
        best, score = ",", 0
        for d in ";,\t|":
            counts = Counter(line.count(d) for line in lines if line.count(d))
            n = counts.most_common(1)[0][1] if counts else 0
            if n > score:
                best, score = d, n
        return best


def read_table(path: Path | str, *, sheet: str | int | None = None, max_bytes: int,
               header_row: int | None = None) -> TableRead:
    """Read a CSV or XLSX table as text (every cell a ``str``, empty cells ``""``).

    The header is the first row that fills the table's columns (title rows above it are skipped,
    a group row over sub-columns is joined with them, notes below the table are left out, each
    with a notice); ``header_row`` (1-based row of the file) says where it is instead."""
    path = Path(path)
    check_file(path, max_bytes=max_bytes)
    if path.is_dir():
        raise InputError(Problem("file_is_folder", {"path": _short(path.name, 80)}, file=path.name))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(path, sheet=sheet, max_bytes=max_bytes)

        try:
            raw = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, engine="openpyxl", header=None).fillna("")
        except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
            raise InputError(Problem("table_unreadable", {"reason": str(exc)[:200]}, file=path.name)) from None
        grid = [[str(c) for c in row] for row in raw.itertuples(index=False)]
        if not any(c.strip() for row in grid for c in row):
            raise InputError(Problem("no_rows", file=path.name))
        layout = _layout(grid, forced=header_row, first=0, file=path.name)
        if layout.trivial:
            # the sheet is read once: the frame is cut from the same cells (a second read took as
            # long as the first, minutes for the largest workbook accepted)
            _refuse_duplicate_names(layout.names, path.name)
            return _checked(TableRead(_grid_frame(grid, layout, path.name), path.name, encoding="xlsx",
                                      delimiter="", decimal="."))
        return _checked(TableRead(_grid_frame(grid, layout, path.name), path.name, encoding="xlsx", delimiter="",
                                  decimal=".", notices=layout.notices(path.name), header_row=layout.top + 1,
                                  header_rows=layout.rows, titles=[t for _, t in layout.titles]))
    if suffix not in TABLE_SUFFIXES:
        raise InputError(Problem("format_unknown", {"suffix": suffix or "–",
                                                    "known": ", ".join(sorted(TABLE_SUFFIXES))}, file=path.name))
    text, encoding = _decode(path.read_bytes(), path.name)
    if not text.strip():
        raise InputError(Problem("file_empty", file=path.name))
    delimiter = "\t" if suffix == ".tsv" else _sniff_delimiter(text)
    if '"' in text:
        _check_quotes(text, delimiter, path.name)
    decimal = "," if delimiter == ";" else "."
    grid = _Lines.of(text, delimiter)
    if grid is None:
        try:
            grid = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error:
            grid = None                   # pandas below names what is wrong
    if grid is not None:
        first = next((i for i, row in enumerate(grid) if row), 0)    # pandas skips blank lines
        layout = _layout(grid, forced=header_row, first=first, file=path.name)
        if not layout.trivial:
            return _checked(TableRead(_grid_frame(list(grid), layout, path.name), path.name, encoding=encoding,
                                      delimiter=delimiter, decimal=decimal, notices=layout.notices(path.name),
                                      header_row=layout.top + 1, header_rows=layout.rows,
                                      titles=[t for _, t in layout.titles]))
        header_at = layout.top + 1
        _refuse_duplicate_names(layout.names, path.name)         # pandas would rename the second
    else:
        header_at = 1
    bad_lines: list[list[str]] = []
    slow = False
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
        if not isinstance(frame.index, pd.RangeIndex):
            # more fields than header names in the first rows: pandas would silently shift the
            # columns by using the first one as the index
            raise pd.errors.ParserError("ragged")
    except pd.errors.EmptyDataError:
        raise InputError(Problem("no_rows", file=path.name)) from None
    except pd.errors.ParserError:
        # Slow path only for broken files: collect every bad line at once.
        slow = True
        try:
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                                engine="python", on_bad_lines=lambda line: bad_lines.append(line) and None)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
            raise InputError(Problem("table_unreadable", {"reason": str(exc)[:200]}, file=path.name)) from None
    if slow:
        # only here can rows have more fields than the header: pandas' C parser refuses them,
        # and the index check above catches them in the first rows
        try:
            widths = _row_widths(text, delimiter)
        except csv.Error as exc:          # a carriage return inside a field, a NUL byte
            raise InputError(Problem("table_unreadable", {"reason": str(exc)[:200]}, file=path.name)) from None
        ncol = widths[0] if widths else 0
        too_many = [i for i, w in enumerate(widths[1:], start=1) if w > ncol]
        if bad_lines or too_many:
            raise InputError(Problem("ragged_rows", {"count": len(too_many), "expected": ncol,
                                                     "rows": ", ".join(map(str, too_many[:10]))},
                                     file=path.name, row=too_many[0] if too_many else None))
    frame.columns = [str(c).strip() for c in frame.columns]
    return _checked(TableRead(frame, path.name, encoding=encoding, delimiter=delimiter, decimal=decimal,
                              header_row=header_at))


class _Lines:
    """The rows of a CSV text without quotes, carriage returns or NUL bytes, split as
    ``csv.reader`` splits them (a row per line, an empty line an empty row), each only when it
    is looked at (finding the header reads ~80 rows of a table of 10,000)."""

    def __init__(self, lines: list[str], delimiter: str):
        self.lines, self.delimiter = lines, delimiter

    @classmethod
    def of(cls, text: str, delimiter: str) -> _Lines | None:
        if '"' in text or "\r" in text or "\x00" in text:
            return None                   # csv.reader's own rules apply
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()                   # the final line break ends the last row
        if lines and max(map(len, lines)) > csv.field_size_limit():
            return None                   # csv.reader refuses such a field
        return cls(lines, delimiter)

    def __len__(self) -> int:
        return len(self.lines)

    def _row(self, line: str) -> list[str]:
        return line.split(self.delimiter) if line else []

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._row(line) for line in self.lines[i]]
        return self._row(self.lines[i])

    def __iter__(self):
        return (self._row(line) for line in self.lines)


# --------------------------------------------------------------------------- where the table is

#: the start of a note below a table: "Quelle: …", "1) …", "* …", "a) …", "© …"
_NOTE = re.compile(r"^(?:(?:quelle|quellen|anmerkung|anmerkungen|hinweis|hinweise|fu(?:ß|ss)note|fu(?:ß|ss)noten|"
                   r"stand|source|sources|note|notes|erl(?:ä|ae)uterung|legende|zeichenerkl(?:ä|ae)rung)\b|"
                   r"\(?\d{1,2}\)|\*|[a-z]\)\s|©)", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\(?[+-]?(?:\d{1,3}(?:[.,'\u00a0\u202f ]\d{3})+|\d+)(?:[.,]\d+)?\)?\s*%?$")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
#: how far down the header may lie, how many rows at the end may be notes
_HEADER_SEARCH = 50
_NOTES_SEARCH = 30


def _is_number(cell: str) -> bool:
    return bool(_NUMBER.match(cell))


@dataclass
class _Layout:
    """Where the table lies in a file's rows (0-based indexes)."""

    top: int                      # the (upper) header row
    rows: int                     # header rows: 1 or 2
    end: int                      # rows from here on are notes below the table
    first: int                    # where pandas would take the header (the first non-blank line)
    forced: bool = False
    titles: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @property
    def trivial(self) -> bool:
        """The plain case that pandas reads as it always did: header on the first line, no notes."""
        return self.top == self.first and self.rows == 1 and not self.notes and not self.titles

    def notices(self, file: str) -> list[Problem]:
        out = [Problem("table_header_row", {
            "row": self.top + 1,
            "skipped": "; ".join(f"{i + 1}: '{_short(t)}'" for i, t in self.titles[:3]) or "–"},
            file=file, severity="notice")]
        if self.rows == 2:
            joined = [n for n in self.names if " " in n] or self.names
            out.append(Problem("table_header_two_rows", {"rows": f"{self.top + 1}, {self.top + 2}",
                                                         "example": joined[0] if joined else "–"},
                               file=file, severity="notice"))
        if self.notes:
            out.append(Problem("table_notes_below", {
                "count": len(self.notes), "rows": ", ".join(str(i + 1) for i, _ in self.notes[:10]),
                "examples": "; ".join(f"'{_short(t)}'" for _, t in self.notes[:3])}, file=file, severity="notice"))
        return out


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _layout(grid: list[list[str]], *, forced: int | None, first: int, file: str) -> _Layout:
    """Find the header (and a second header row), the title rows above it and the notes below."""
    n = len(grid)
    # only the rows where a header or notes can be are looked at (a table of 10,000 rows stays fast)
    seen = sorted(set(range(min(n, _HEADER_SEARCH + 2))) | set(range(max(0, n - _NOTES_SEARCH), n))
                  | {j for j in ((forced - 2, forced - 1, forced) if forced else ()) if 0 <= j < n})
    rows = dict.fromkeys(range(n), [])
    rows.update({i: [c.strip() for c in grid[i]] for i in seen})
    filled = dict.fromkeys(range(n), 1)
    filled.update({i: sum(1 for c in rows[i] if c) for i in seen})
    extent = {i: max((j + 1 for j, c in enumerate(rows[i]) if c), default=0) for i in seen}
    wide = Counter(extent[i] for i in seen if filled[i] >= 2)
    width = max(wide.items(), key=lambda kv: (kv[1], kv[0]))[0] if wide else max(extent.values(), default=0)
    nonblank = [i for i in seen if filled[i]]
    if forced is not None:
        top = forced - 1
        if not 0 <= top < n or not filled[top]:
            raise InputError(Problem("header_row_invalid", {"row": forced, "rows": n}, file=file))
    else:
        need = max(2, math.ceil(width / 2))
        top = next((i for i in nonblank[:_HEADER_SEARCH] if filled[i] >= need), nonblank[0] if nonblank else 0)
    header_rows = 1
    if forced is None and top > 0 and filled[top - 1] and _is_group_row(rows[top - 1], rows[top]):
        top, header_rows = top - 1, 2
    elif top + 1 < n and _is_sub_header(rows[top], rows[top + 1], width):
        header_rows = 2
    start = top + header_rows
    end = n
    i = n - 1
    notes = []
    while i >= max(start, n - _NOTES_SEARCH) and width >= 2:
        if not filled[i]:
            i -= 1
            continue
        if not _is_note(rows[i], filled[i]):
            break
        notes.append((i, " ".join(c for c in rows[i] if c)))
        i -= 1
    if i >= start:            # row i holds values (or lies above the rows looked at)
        end = i + 1
    else:                     # nothing but notes below the header: they are the table
        notes = []
    titles = [(j, " ".join(c for c in rows[j] if c)) for j in seen if j < top and filled[j]]
    layout = _Layout(top, header_rows, end, first, forced=forced is not None, titles=titles, notes=notes[::-1])
    layout.names = _header_names(rows[top], rows[top + 1] if header_rows == 2 else None)
    return layout


def _is_group_row(upper: list[str], lower: list[str]) -> bool:
    """A row of group labels over the header row: nothing in the first column, no numbers, each
    label standing over a named column."""
    cells = [(j, c) for j, c in enumerate(upper) if c]
    if not cells or (upper and upper[0]) or not (lower and lower[0]):
        return False
    if any(_is_number(c) and not _YEAR.match(c) for _, c in cells):
        return False
    return all(j < len(lower) and lower[j] for j, _ in cells)


def _is_sub_header(upper: list[str], lower: list[str], width: int) -> bool:
    """A second header row: only labels (or years), filling gaps the header row leaves or leaving
    the key column empty - a data row has a key and numbers."""
    cells = [c for c in lower if c]
    if not cells or any(c in PLACEHOLDERS or (_is_number(c) and not _YEAR.match(c)) for c in cells):
        return False
    cell = lambda r, j: r[j] if j < len(r) else ""  # noqa: E731
    gaps = any(not cell(upper, j) and cell(lower, j) for j in range(max(width, len(lower))))
    return gaps or bool(cell(upper, 0) and not cell(lower, 0))


def _is_note(row: list[str], filled: int) -> bool:
    """A note below the table ("Quelle: …", "1) …"), or a lone sentence in the first column."""
    text = next((c for c in row if c), "")
    if not row or not row[0]:
        return False
    if _NOTE.match(text):
        return True
    return filled == 1 and not _is_number(text) and (len(text) >= 40 or ":" in text)


def _header_names(upper: list[str], lower: list[str] | None) -> list[str]:
    """Column names: the header row, or a group row joined with the row below it ("Arbeitslose"
    over "insgesamt | unter 25" → "Arbeitslose insgesamt", "Arbeitslose unter 25")."""
    if lower is None:
        return list(upper)
    names, group, style = [], "", None

    def style_of(text: str) -> bool:          # "insgesamt", "unter 25" vs. "Einwohner"
        return text[:1].isupper()
    for j in range(max(len(upper), len(lower))):
        u = upper[j] if j < len(upper) else ""
        low = lower[j] if j < len(lower) else ""
        if u:
            group, style = u, (style_of(low) if low else None)
        elif not low or (style is not None and style_of(low) != style):
            group = ""                        # a merged group cell ends where its sub-labels end
        label = u or (group if low else "")
        names.append(" ".join(x for x in (label, low) if x))
    return names


def _grid_frame(grid: list[list[str]], layout: _Layout, file: str) -> pd.DataFrame:
    """The table between the header and the notes as text; blank rows are skipped (as pandas
    does), columns without a name and without a value dropped, rows with more fields refused."""
    names = layout.names
    width = len(names)
    body = [r for r in grid[layout.top + layout.rows:layout.end] if any(c.strip() for c in r)]
    too_many = [i for i, r in enumerate(body, start=1) if any(c.strip() for c in r[width:])]
    if too_many:
        raise InputError(Problem("ragged_rows", {"count": len(too_many), "expected": width,
                                                 "rows": ", ".join(map(str, too_many[:10]))},
                                 file=file, row=too_many[0]))
    cells = [[r[j] if j < len(r) else "" for j in range(width)] for r in body]
    keep = [j for j in range(width) if names[j] or any(row[j].strip() for row in cells)]
    frame = pd.DataFrame([[row[j] for j in keep] for row in cells], columns=[names[j] for j in keep], dtype=object)
    return frame.reset_index(drop=True)


def _row_widths(text: str, delimiter: str) -> list[int]:
    """Fields per non-empty line (the header first)."""
    return [len(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]


def _check_quotes(text: str, delimiter: str, name: str) -> None:
    """An unclosed quote would swallow every following row: refuse it, naming the line."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error:
        raise InputError(Problem("unclosed_quote", {"line": reader.line_num}, file=name)) from None


def _duplicate_names(names: list[str], file: str) -> list[Problem]:
    """A problem for each column name that occurs more than once, naming its positions
    (1-based): a table with two columns "Anzahl" is ambiguous, whichever one is taken."""
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        if str(name).strip():
            positions.setdefault(str(name).strip(), []).append(i)
    return [Problem("duplicate_column_positions", {"column": _short(name, 80),
                                                   "positions": ", ".join(map(str, where[:10]))},
                    file=file, column=_short(name, 80))
            for name, where in positions.items() if len(where) > 1]


def _refuse_duplicate_names(names: list[str], file: str) -> None:
    problems = _duplicate_names(names, file)
    if problems:
        raise InputError(problems)


def _checked(table: TableRead) -> TableRead:
    frame = table.frame
    if frame.empty:
        raise InputError(Problem("no_rows", file=table.file))
    problems = _duplicate_names([str(c) for c in frame.columns], table.file)
    unnamed = [i + 1 for i, c in enumerate(frame.columns) if not c or c.startswith("Unnamed:")]
    if unnamed:
        problems.append(Problem("unnamed_columns", {"positions": ", ".join(map(str, unnamed))}, file=table.file))
    if problems:
        raise InputError(problems)
    return table


def read_points_table(table: TableRead, *, x: str, y: str, crs: str, decimal: str | None = None) -> gpd.GeoDataFrame:
    """Points from coordinate columns of a table (e.g. a Zensus grid CSV or a list of addresses)."""
    from jmdiq_geo.io.numbers import parse_numeric

    problems: list[Problem] = []
    xs, p1 = parse_numeric(table.frame[x], column=x, file=table.file, decimal=decimal or table.decimal)
    ys, p2 = parse_numeric(table.frame[y], column=y, file=table.file, decimal=decimal or table.decimal)
    problems += p1 + p2
    missing = (xs.isna() | ys.isna())
    if missing.any():
        rows = [int(i) + 1 for i in missing[missing].index[:10]]
        problems.append(Problem("coordinates_missing", {"count": int(missing.sum()), "rows": ", ".join(map(str, rows))},
                                file=table.file, row=rows[0], column=f"{x}/{y}"))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    points = gpd.GeoDataFrame(table.frame, geometry=gpd.points_from_xy(xs, ys), crs=crs)
    check_coordinates(points, file=table.file)        # "inf", 1e300: named rows, not an access crash
    return points
