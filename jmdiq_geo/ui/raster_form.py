"""The Import page's form for a population raster (GeoTIFF …) imported as a grid: its id and
label, what its values are (counts or shares: asked, never guessed) and, for several bands, which."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from jmdiq_geo.services import imports as im
from jmdiq_geo.ui.state import tr


def raster_info(head: pd.DataFrame) -> str:
    """One line on what the raster is (from ``preview_file``'s one-row description)."""
    r = head.iloc[0]
    return tr("import_raster_info", width=int(r["width"]), height=int(r["height"]), bands=int(r["bands"]),
              crs=r["crs"] or "–", cell=f"{r['cell_width']:g} × {r['cell_height']:g}",
              nodata="–" if pd.isna(r["nodata"]) else f"{r['nodata']:g}")


def raster_table(head: pd.DataFrame) -> pd.DataFrame:
    """The one-row description with the UI's column names (the bands column read back below)."""
    r = head.iloc[0]
    return pd.DataFrame({tr("import_raster_size"): [f"{int(r['width'])} × {int(r['height'])}"],
                         tr("import_raster_bands"): [int(r["bands"])], "CRS": [r["crs"] or "–"],
                         tr("import_raster_cell"): [f"{r['cell_width']:g} × {r['cell_height']:g}"],
                         "nodata": ["–" if pd.isna(r["nodata"]) else f"{r['nodata']:g}"],
                         tr("import_raster_dtype"): [r["dtype"]]})


def raster_spec(path: Path, head: pd.DataFrame | None):
    """The grid spec of a raster upload (``head``: ``raster_table``), or None while the kind of
    value (or, for several bands, the band) is not chosen."""
    col = tr("import_raster_bands")
    bands = int(head.iloc[0][col]) if head is not None and col in head and len(head) else 1
    c1, c2 = st.columns(2)
    grid_id = c1.text_input(tr("import_grid_id"), value=im.slug(path.stem), key="imp_grid_id")
    label = c2.text_input(tr("import_grid_label"), value=path.stem, key="imp_grid_label")
    kind = st.radio(tr("import_raster_kind"), ["count", "share"], index=None, key="imp_raster_kind",
                    format_func=lambda k: tr(f"import_raster_kind_{k}"), horizontal=True)
    band = None
    if bands > 1:
        band = st.selectbox(tr("import_raster_band"), list(range(1, bands + 1)), index=None, key="imp_band",
                            placeholder=tr("ui_choose"))
    period = st.date_input(tr("map_period"), value=None, key="imp_grid_period", format="DD.MM.YYYY")
    clip = st.toggle(tr("import_raster_clip"), value=True, key="imp_raster_clip")
    if kind is None or (bands > 1 and band is None) or not grid_id.strip():
        st.caption(tr("import_raster_kind_needed"))
        return None
    return im.RasterGridSpec(grid_id=grid_id.strip(), kind=kind, label=label or None, band=band,
                             period=period.isoformat() if period else None, clip=clip)
