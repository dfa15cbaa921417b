"""Read the files a city really has, with every problem named.

Vector: GeoJSON, GeoPackage, Shapefile (the ``.shp`` or a folder or a ``.zip``), GeoParquet.
Tables: CSV (``;`` or ``,`` or tab, decimal comma, thousands separators, UTF-8 / UTF-8-BOM /
cp1252 / UTF-16 with BOM) and XLSX. Tables are read as text; numbers are parsed later by
``jmdiq_geo.io.numbers`` so that keys keep their leading zeros and bad cells can be named.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj

from jmdiq_geo.errors import CrsError, InputError, Problem

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

def extract_zip_safely(path: Path, target: Path, *, max_bytes: int) -> list[Path]:
    """Extract ``path`` into ``target`` after checking every entry; return the files written.

    Refuses entries with absolute paths or ``..`` (zip slip), links, and archives whose
    unpacked size exceeds ``max_bytes`` (zip bombs). Nothing is extracted when one entry is bad.
    """
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(Problem("zip_unreadable", file=name)) from None
    with archive:
        problems, total = [], 0
        for info in archive.infolist():
            entry = PurePosixPath(info.filename.replace("\\", "/"))
            if entry.is_absolute() or ".." in entry.parts or (entry.parts and entry.parts[0].endswith(":")):
                problems.append(Problem("zip_entry_outside", {"entry": info.filename}, file=name))
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                problems.append(Problem("zip_entry_link", {"entry": info.filename}, file=name))
            total += info.file_size
        if total > max_bytes:
            problems.append(Problem("file_too_large", {"size": human_size(total), "limit": human_size(max_bytes)},
                                    file=name))
        if problems:
            raise InputError(problems)
        archive.extractall(target)
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
        shp = sorted(path.glob("*.shp"))
        if len(shp) != 1:
            raise InputError(Problem("zip_ambiguous", {"found": ", ".join(p.name for p in shp) or "–"},
                                     file=path.name))
        return read_vector(shp[0], crs=crs, layer=layer, max_bytes=max_bytes)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="jmdiq-zip-") as tmp:
            files = extract_zip_safely(path, Path(tmp), max_bytes=max_bytes)
            inner = _pick_dataset(files, path.name)
            gdf = read_vector(inner, crs=crs, layer=layer, max_bytes=max_bytes)
            return gdf
    if suffix not in VECTOR_SUFFIXES:
        raise InputError(Problem("format_unknown", {"suffix": suffix or "–",
                                                    "known": ", ".join(sorted(VECTOR_SUFFIXES))}, file=path.name))
    if suffix == ".shp":
        missing = [ext for ext in _SHAPEFILE_PARTS if not _sibling(path, ext)]
        if missing:
            raise InputError(Problem("shapefile_part_missing", {"parts": ", ".join(missing)}, file=path.name))
    try:
        if suffix in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        elif suffix in (".geojson", ".json") and not _is_utf8(path):
            # GeoJSON must be UTF-8, but some offices write Latin-1 (Dortmund's Unterbezirke):
            # read it as Windows-1252 (a superset of Latin-1) rather than fail on "Ö"
            gdf = pyogrio.read_dataframe(path, layer=layer, use_arrow=False, encoding="cp1252")
            gdf.attrs["encoding"] = "cp1252"
        else:
            gdf = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError) as exc:
        if suffix in (".geojson", ".json"):
            _check_json_syntax(path)      # names line and column of a broken or truncated file
        raise InputError(Problem("vector_unreadable", {"reason": str(exc).splitlines()[0][:200]},
                                 file=path.name)) from None
    if suffix == ".json" and gdf.geometry.name not in gdf.columns:
        _check_json_syntax(path)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise InputError(Problem("no_geometry", file=path.name))
    if len(gdf) == 0:
        raise InputError(Problem("no_features", file=path.name))
    if gdf.crs is None:
        if not crs:
            raise CrsError(Problem("crs_missing", file=path.name))
        gdf = gdf.set_crs(crs)
    elif gdf.crs.is_geographic and len(gdf):
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            # GeoJSON without a "crs" member is read as WGS84; metric coordinates show it was not
            if not crs:
                raise CrsError(Problem("crs_not_lonlat", {"x": round(float(minx)), "y": round(float(miny))},
                                       file=path.name))
            gdf = gdf.set_crs(crs, allow_override=True)
    elif gdf.crs.is_projected and len(gdf):
        minx, miny, maxx, maxy = gdf.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90 and crs \
                and pyproj.CRS.from_user_input(crs).is_geographic:
            # degrees under a metric CRS: the user says which CRS the numbers really are in
            gdf = gdf.set_crs(crs, allow_override=True)
    return gdf


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
    except json.JSONDecodeError as exc:
        raise InputError(Problem("json_syntax", {"line": exc.lineno, "col": exc.colno},
                                 file=path.name)) from None
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise InputError(Problem("not_geojson", file=path.name))


# --------------------------------------------------------------------------- tables

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
        header = text.splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in ";,\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def read_table(path: Path | str, *, sheet: str | int | None = None, max_bytes: int) -> TableRead:
    """Read a CSV or XLSX table as text (every cell a ``str``, empty cells ``""``)."""
    path = Path(path)
    check_file(path, max_bytes=max_bytes)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, engine="openpyxl").fillna("")
        except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
            raise InputError(Problem("table_unreadable", {"reason": str(exc)[:200]}, file=path.name)) from None
        frame.columns = [str(c).strip() for c in frame.columns]
        return _checked(TableRead(frame, path.name, encoding="xlsx", delimiter="", decimal="."))
    if suffix not in TABLE_SUFFIXES:
        raise InputError(Problem("format_unknown", {"suffix": suffix or "–",
                                                    "known": ", ".join(sorted(TABLE_SUFFIXES))}, file=path.name))
    text, encoding = _decode(path.read_bytes(), path.name)
    if not text.strip():
        raise InputError(Problem("file_empty", file=path.name))
    delimiter = "\t" if suffix == ".tsv" else _sniff_delimiter(text)
    if '"' in text:
        _check_quotes(text, delimiter, path.name)
    bad_lines: list[list[str]] = []
    slow = False
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
        if not isinstance(frame.index, pd.RangeIndex):
            # more fields than header names in the first rows: pandas would silently shift the
            # columns by using the first one as the index
            raise pd.errors.ParserError("ragged")
    except pd.errors.ParserError:
        # Slow path only for broken files: collect every bad line at once.
        slow = True
        try:
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                                engine="python", on_bad_lines=lambda line: bad_lines.append(line) and None)
        except (pd.errors.ParserError, csv.Error) as exc:
            raise InputError(Problem("table_unreadable", {"reason": str(exc)[:200]}, file=path.name)) from None
    if slow:
        # only here can rows have more fields than the header: pandas' C parser refuses them,
        # and the index check above catches them in the first rows
        widths = _row_widths(text, delimiter)
        ncol = widths[0] if widths else 0
        too_many = [i for i, w in enumerate(widths[1:], start=1) if w > ncol]
        if bad_lines or too_many:
            raise InputError(Problem("ragged_rows", {"count": len(too_many), "expected": ncol,
                                                     "rows": ", ".join(map(str, too_many[:10]))},
                                     file=path.name, row=too_many[0] if too_many else None))
    frame.columns = [str(c).strip() for c in frame.columns]
    return _checked(TableRead(frame, path.name, encoding=encoding, delimiter=delimiter,
                              decimal="," if delimiter == ";" else "."))


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


def _checked(table: TableRead) -> TableRead:
    frame = table.frame
    if frame.empty:
        raise InputError(Problem("no_rows", file=table.file))
    problems = []
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dupes:
        problems.append(Problem("duplicate_columns", {"columns": ", ".join(dupes)}, file=table.file))
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
    return gpd.GeoDataFrame(table.frame, geometry=gpd.points_from_xy(xs, ys), crs=crs)
