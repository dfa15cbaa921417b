"""The Import page's widgets: save the upload, preview it, map its columns to an import spec."""
from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from jmdiq_geo.config import UNDATED_EDITION
from jmdiq_geo.i18n import localized_column
from jmdiq_geo.services import imports as im
from jmdiq_geo.ui.level_form import level_select
from jmdiq_geo.ui.state import settings, tr
from jmdiq_geo.ui.widgets import NONE
from jmdiq_geo.ui.widgets import column_select as _pick


def save_upload(files) -> Path | None:
    """Write the uploaded files to a per-upload temp folder; return the dataset to read.

    Several files are taken as the parts of one Shapefile (.shp/.shx/.dbf/.prj/.cpg).
    """
    if not files:
        return None
    digest = hashlib.sha256(b"".join(f.name.encode() + f.getvalue()[:4096] for f in files)).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "jmdiq-uploads" / digest
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        (folder / Path(f.name).name).write_bytes(f.getvalue())
    names = [Path(f.name).name for f in files]
    shp = [n for n in names if n.lower().endswith(".shp")]
    return folder / (shp[0] if shp else names[0])


def layer_select(path: Path) -> str | None:
    """The layer to import of a file of several (a GeoPackage): a select; None for other files."""
    layers = im.file_layers(path)
    if len(layers) < 2:
        return None
    return st.selectbox(tr("import_layer"), layers, key="import_layer", help=tr("import_layer_help"))


def with_layer(spec, layer: str | None):
    """``spec`` reading ``layer`` (specs of kinds that read no layer stay as they are)."""
    if spec is None or layer is None or "layer" not in {f.name for f in dataclasses.fields(spec)}:
        return spec
    return dataclasses.replace(spec, layer=layer)


@st.cache_data(show_spinner=False, max_entries=8)
def preview(path: str, mtime: float, layer: str | None = None) -> tuple[list[str], pd.DataFrame, str, str]:
    """Columns, first rows, a one-line description and the decimal separator a table uses
    (raises JmdiqError on bad files)."""
    p = im.preview_file(path, max_bytes=settings().max_file_bytes, crs=st.session_state.get("import_crs") or None,
                        layer=layer)
    if p.form == "pbf":
        return [], pd.DataFrame(), tr("import_pbf_info", mb=f"{p.size_bytes / 1e6:.1f}"), "."
    if p.form == "raster":
        from jmdiq_geo.ui.raster_form import raster_info, raster_table
        return [], raster_table(p.head), raster_info(p.head), "."
    if p.form == "table":
        info = tr("import_table_info", rows=p.rows, encoding=p.encoding,
                  delimiter={";": ";", ",": ",", "\t": "Tab"}.get(p.delimiter, p.delimiter or "–"),
                  decimal=p.decimal)
        return p.columns, p.head, info, p.decimal
    info = tr("import_vector_info", rows=p.rows, types=", ".join(p.geometry_types),
              crs=p.crs if p.crs is not None else "–")
    return p.columns, p.head, info, "."


def spec_form(kind: str, columns: list[str], levels: pd.DataFrame, known_indicators: set[str], lang: str,
              sample: pd.DataFrame | None = None, decimal: str = ".", path: Path | None = None,
              layer: str | None = None):
    """Widgets for ``kind``; returns the spec (or None when something required is missing).
    ``sample``: the first rows of the file (to guess whether a column holds counts or rates);
    ``layer``: the layer chosen of a file of several."""
    if kind == "grid" and path is not None and im.is_raster(path):   # a raster names its CRS itself
        from jmdiq_geo.ui.raster_form import raster_spec
        return raster_spec(Path(path), sample)
    level_labels = dict(zip(levels["level"], localized_column(levels, lang)))
    crs = st.text_input(tr("import_crs"), key="import_crs", help=tr("import_crs_help")) or None
    if kind == "boundaries":
        c1, c2, c3 = st.columns(3)
        level = level_select(c1, levels, lang)             # an existing level or a new one (None: incomplete)
        key = _pick("import_key", columns, key="imp_key", guess=("id", "key", "schluessel"))
        name = _pick("import_name", columns, key="imp_name", optional=True, guess=("name",))
        parent = c2.selectbox(tr("import_parent"), [NONE] + columns, key="imp_parent")
        valid_from = c3.date_input(tr("import_valid_from"), value=None, key="imp_valid_from", format="DD.MM.YYYY",
                                   min_value=date(1950, 1, 1), help=tr("import_valid_from_help"))
        return im.BoundarySpec(level=level, key=key, name=name, parent=None if parent == NONE else parent,
                               valid_from=valid_from.isoformat() if valid_from else UNDATED_EDITION,
                               crs=crs) if level else None
    if kind == "indicators":
        from jmdiq_geo.ui.import_table import table_spec
        return table_spec(columns, level_labels, known_indicators, sample, decimal, path, layer=layer)
    if kind == "services":
        from jmdiq_geo.analysis.attributes import CATEGORIES
        from jmdiq_geo.i18n import t_or
        from jmdiq_geo.ui.state import lang as ui_lang
        if not columns:                                     # an .osm.pbf: categories come from the tags
            st.caption(tr("import_pbf_services"))
            return im.ServiceSpec(category="nachbarschaft", name="name")
        category = st.selectbox(tr("import_category"), CATEGORIES, key="imp_category",
                                format_func=lambda c: t_or(f"cat_{c}", c, ui_lang()))
        name = _pick("import_name", columns, key="imp_name", guess=("name",))
        sid = _pick("import_key", columns, key="imp_key", optional=True, guess=("id",))
        capacity = _pick("import_capacity", columns, key="imp_capacity", optional=True)
        x = _pick("import_x", columns, key="imp_x", optional=True, guess=("x", "lon"))
        y = _pick("import_y", columns, key="imp_y", optional=True, guess=("y", "lat"))
        with st.expander(tr("import_access_attributes")):
            a1, a2, a3 = st.columns(3)
            with a1:
                languages = _pick("svc_languages", columns, key="imp_languages", optional=True,
                                  guess=("languages", "sprachen"))
                hours = _pick("svc_opening_hours", columns, key="imp_hours", optional=True,
                              guess=("opening_hours", "oeffnungszeiten"))
            with a2:
                wheel = _pick("svc_wheelchair", columns, key="imp_wheel", optional=True, guess=("wheelchair",))
                cost = _pick("svc_cost", columns, key="imp_cost", optional=True, guess=("cost", "kosten"))
            with a3:
                age_min = _pick("svc_age_min", columns, key="imp_age_min", optional=True, guess=("age_min",))
                age_max = _pick("svc_age_max", columns, key="imp_age_max", optional=True, guess=("age_max",))
        return im.ServiceSpec(category=category, name=name, id=sid, capacity=capacity, x=x, y=y, crs=crs,
                              languages=languages, opening_hours=hours, barrier_free=wheel, cost=cost,
                              age_min=age_min, age_max=age_max)
    if kind == "programme-areas":
        by_members = st.toggle(tr("import_by_members"), key="imp_by_members")
        pid = _pick("import_key", columns, key="imp_key", guess=("id",))
        name = _pick("import_name", columns, key="imp_name", guess=("name",))
        programme = _pick("import_programme", columns, key="imp_programme", guess=("programm", "programme"))
        since = _pick("import_since", columns, key="imp_since", optional=True, guess=("seit", "since", "beginn"))
        until = _pick("import_until", columns, key="imp_until", optional=True, guess=("bis", "until", "ende"))
        member = member_level = None
        if by_members:
            member = _pick("import_member", columns, key="imp_member", guess=("plr_id", "member"))
            member_level = st.selectbox(tr("map_level"), list(level_labels), format_func=level_labels.get,
                                        key="imp_member_level")
        return im.ProgrammeSpec(id=pid, name=name, programme=programme, since=since, until=until, member=member,
                                member_level=member_level, crs=crs)
    if kind in ("network", "origins", "barriers"):
        return _access_spec(kind, columns, crs)
    if kind == "context":
        if not columns:                  # an .osm.pbf: every layer, tags from the catalogue
            st.caption(tr("import_pbf_context"))
            return im.ContextSpec()
        layer = st.selectbox(tr("import_context_layer"), ["", "streets", "water", "rail", "parks"], key="imp_ctx_layer",
                             format_func=lambda k: tr(f"context_layer_{k}") if k else tr("import_context_by_tags"))
        cls = _pick("import_class_column", columns, key="imp_class", optional=True, guess=("fclass", "highway"))
        keep = st.text_input(tr("import_context_keep"), key="imp_ctx_keep")
        return im.ContextSpec(context_layer=layer or None, class_column=cls, crs=crs,
                              keep=[k.strip() for k in keep.split("|") if k.strip()] if cls else [])
    x = _pick("import_x", columns, key="imp_x", guess=("x",))
    y = _pick("import_y", columns, key="imp_y", guess=("y",))
    values = st.multiselect(tr("import_value_columns"), [c for c in columns if c not in (x, y)], key="imp_values",
                            placeholder=tr("ui_choose"))
    cell = st.number_input(tr("import_cell_size"), value=100.0, min_value=1.0, key="imp_cell")
    if not values:
        return None
    return im.GridSpec(x=x, y=y, crs=crs or "EPSG:3035", cell_size_m=cell,
                       variables={c: {"grid_id": c.lower(), "kind": "extensive"} for c in values})


def _access_spec(kind: str, columns: list[str], crs: str | None):
    """Walking network (lines or .osm.pbf), homes (buildings), barriers (railways, water …)."""
    if kind == "network":
        cls = _pick("import_class_column", columns, key="imp_class", optional=True, guess=("fclass", "highway"))
        label = st.text_input(tr("import_network_label"), key="imp_net_label")
        return im.NetworkSpec(network_id=(label or "walk").strip().lower().replace(" ", "-"), label=label or None,
                           class_column=cls, crs=crs)
    if kind == "origins":
        fcol = _pick("import_filter_column", columns, key="imp_filter_col", optional=True,
                     guess=("gebaeude_1", "building"))
        fvals = st.text_input(tr("import_filter_values"), key="imp_filter_vals", value="Wohnhaus" if fcol else "")
        storeys = _pick("import_storeys", columns, key="imp_storeys", optional=True,
                        guess=("anzahldero", "building:levels", "storeys"))
        oid = _pick("import_key", columns, key="imp_key", optional=True, guess=("id", "objectid"))
        flt = {fcol: [v.strip() for v in fvals.split("|") if v.strip()]} if fcol and fvals.strip() else {}
        return im.OriginSpec(id=oid, filter=flt, storeys=storeys, crs=crs)
    if not columns:                      # an .osm.pbf: every kind, classes from the catalogue
        st.caption(tr("import_pbf_barriers"))
        return im.BarrierSpec(kind="rail")
    bkind = st.selectbox(tr("import_barrier_kind"), ["rail", "water", "road"], key="imp_barrier_kind",
                         format_func=lambda k: tr(f"access_barrier_{k}"))
    cls = _pick("import_class_column", columns, key="imp_class", optional=True, guess=("fclass",))
    keep = st.text_input(tr("import_barrier_keep"), key="imp_barrier_keep",
                         value={"rail": "rail | light_rail", "water": "river | canal", "road": "motorway | trunk | primary"}[bkind])
    name = _pick("import_name", columns, key="imp_name", optional=True, guess=("name",))
    return im.BarrierSpec(kind=bkind, class_column=cls, keep=[k.strip() for k in keep.split("|") if k.strip()] if cls else [],
                       name=name, crs=crs)


def source_form(path: Path) -> im.Source:
    c1, c2 = st.columns(2)
    title = c1.text_input(tr("import_source_title"), value=path.stem, key="imp_src_title")
    publisher = c2.text_input(tr("import_source_publisher"), key="imp_src_publisher")
    c3, c4 = st.columns(2)
    licence = c3.text_input(tr("import_source_licence"), key="imp_src_licence",
                            placeholder=tr("import_source_licence_placeholder"))
    attribution = c4.text_input(tr("import_source_attribution"), key="imp_src_attr")
    source = im.Source(source_id=path.stem, title=title, publisher=publisher or None,
                       licence=licence.strip() or None, attribution=attribution or None)
    if source.licence is None:
        # every map and export names its sources with their licences: no import without one
        st.info(tr("import_source_licence_needed"), icon=":material/info:")
    return source
