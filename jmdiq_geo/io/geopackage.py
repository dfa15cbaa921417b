"""Layers for other tools: one GeoPackage with QGIS styles, GeoParquet, tables.

``ExportLayer`` is a table to hand over (a GeoDataFrame, or a DataFrame without geometry such as
the sources) with the QGIS styles that draw it as the app does (``render.qml``). The services
build them (``services.exports``); this module only writes files:

- ``write_geopackage``: every layer with pyogrio (GDAL's GPKG driver registers each in
  ``gpkg_contents``; a layer's description there is its sources and licences, which QGIS shows
  as the layer's abstract), then the styles as QGIS keeps them itself: the ``layer_styles``
  table (an attributes table, in ``gpkg_contents`` too) with one ``useAsDefault`` style per
  layer, which QGIS applies when the layer is opened;
- ``write_geoparquet``: one GeoParquet file per spatial layer (plain Parquet for the others).

The file appears only when it is complete (written beside the target, then moved in place).
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

#: GDAL's name for the geometry column of a GeoPackage layer (QGIS matches styles by it)
GEOMETRY_COLUMN = "geom"


@dataclass
class Style:
    name: str
    qml: str
    default: bool = False
    description: str = ""


@dataclass
class ExportLayer:
    name: str                                   # table name in the file (letters, digits, _)
    title: str                                  # what people call it
    frame: pd.DataFrame                         # a GeoDataFrame, or a table without geometry
    description: str = ""                       # sources and licences (the layer's abstract)
    styles: list[Style] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)     # column → header people read

    @property
    def spatial(self) -> bool:
        return isinstance(self.frame, gpd.GeoDataFrame)

    def table(self) -> pd.DataFrame:
        """The attributes without geometry (points: their ``x``, ``y`` in the layer's CRS), columns
        named as people read them."""
        if not self.spatial:
            return pd.DataFrame(self.frame).rename(columns=self.headers)
        geometry = self.frame.geometry
        plain = pd.DataFrame(self.frame.drop(columns=geometry.name))
        if len(geometry) and (geometry.geom_type == "Point").all() and not {"x", "y"} & set(plain.columns):
            plain["x"], plain["y"] = geometry.x.to_numpy(), geometry.y.to_numpy()
        return plain.rename(columns=self.headers)


def _in_place(out: Path, write) -> Path:
    """``write(tmp_path)`` beside ``out``, then moved onto it (no half-written file at ``out``)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}-", suffix=out.suffix)
    os.close(handle)
    os.unlink(tmp)                      # GDAL creates the file itself
    try:
        write(Path(tmp))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def styles_table(layers: list[ExportLayer]) -> pd.DataFrame:
    """The ``layer_styles`` rows of ``layers`` as QGIS writes them (schema and catalogue empty)."""
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    rows = []
    for layer in layers:
        defaults = [s for s in layer.styles if s.default]
        if len(defaults) > 1:
            raise ValueError(f"layer {layer.name}: more than one default style")
        for style in layer.styles:
            rows.append({"f_table_catalog": "", "f_table_schema": "", "f_table_name": layer.name,
                         "f_geometry_column": GEOMETRY_COLUMN if layer.spatial else "", "styleName": style.name,
                         "styleQML": style.qml, "styleSLD": "", "useAsDefault": bool(style.default),
                         "description": style.description, "owner": "jmdiq-geo", "ui": "", "update_time": now})
    return pd.DataFrame(rows)


def write_geopackage(layers: list[ExportLayer], out: Path | str) -> Path:
    """All ``layers`` and their styles in one GeoPackage at ``out`` (replaced if it exists)."""
    def write(path: Path) -> None:
        for i, layer in enumerate(layers):
            options = {"DESCRIPTION": layer.description, "IDENTIFIER": layer.title}
            # GeoPackage 1.3: what QGIS 3.22 with Debian's GDAL 3.6 reads without a warning
            extra = {"dataset_options": {"VERSION": "1.3"}} if i == 0 else {}
            if layer.spatial:
                frame = layer.frame.rename_geometry(GEOMETRY_COLUMN) if layer.frame.geometry.name != GEOMETRY_COLUMN \
                    else layer.frame
                pyogrio.write_dataframe(frame, path, layer=layer.name, driver="GPKG", layer_options=options,
                                        promote_to_multi=bool(frame.geom_type.isin(["Polygon", "MultiPolygon"]).any()),
                                        **extra)
            else:
                pyogrio.write_dataframe(layer.frame, path, layer=layer.name, driver="GPKG", layer_options=options,
                                        **extra)
        styles = styles_table(layers)
        if len(styles):
            pyogrio.write_dataframe(styles, path, layer="layer_styles", driver="GPKG",
                                    layer_options={"DESCRIPTION": "QGIS layer styles"})
    return _in_place(Path(out), write)


def write_geoparquet(layers: list[ExportLayer], folder: Path | str) -> list[Path]:
    """``<name>.parquet`` per layer in ``folder``: GeoParquet for spatial layers (geometry as
    WKB, CRS in the metadata), plain Parquet for tables."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for layer in layers:
        path = folder / f"{layer.name}.parquet"
        _in_place(path, lambda p, f=layer.frame: f.to_parquet(p, index=False))      # GeoDataFrame: GeoParquet
        out.append(path)
    return out
