"""``jmdiq-geo``: the same functions as the app, without a UI (terminal, CI, cron).

Exit codes: 0 success, 2 bad input (the problems are printed, nothing was written).
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from jmdiq_geo.config import DEMO_PACKAGE, UNDATED_EDITION, Settings, workspace_location
from jmdiq_geo.errors import InputError, JmdiqError, Problem
from jmdiq_geo.i18n import format_editions, format_number, format_problems, localized, t, t_or


def _settings(args) -> Settings:
    settings = Settings.from_env()
    changes = {}
    if getattr(args, "db", None):
        changes["db_path"] = workspace_location(args.db)
    if getattr(args, "data_root", None):
        changes["data_root"] = Path(args.data_root)
    if getattr(args, "lang", None):
        changes["lang"] = args.lang
    return settings.with_(**changes) if changes else settings


def cmd_demo(args) -> int:
    from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path

    settings = _settings(args)
    manifest = load_manifest(manifest_path(args.city), data_root=settings.data_root)
    started = time.perf_counter()

    def progress(i, total, label):
        print(f"[{i + 1}/{total}] {label}", file=sys.stderr)
    result = build_workspace(manifest, settings=settings, progress=None if args.quiet else progress)
    notices = [n for r in result.reports for n in r.notices]
    for line in format_problems(notices, settings.lang):
        print("  " + t("cli_notice", settings.lang) + ": " + line, file=sys.stderr)
    print(t("cli_demo_done", settings.lang, path=settings.db_label if settings.uses_postgres else result.db_path,
            seconds=f"{time.perf_counter() - started:.1f}"))
    return cmd_info(args)


def cmd_new(args) -> int:
    from jmdiq_geo.services.new_city import new_city, new_gemeinde, new_germany

    settings = _settings(args)
    if args.gemeinde or args.germany:
        def progress(i, total, label):
            print(f"[{i + 1}/{total}] {label}", file=sys.stderr)
        kw = {"data_root": settings.data_root, "name": args.name, "lang": settings.lang,
              "progress": None if args.quiet else progress}
        report = (new_germany(settings.db_path, **kw) if args.germany
                  else new_gemeinde(settings.db_path, args.gemeinde, **kw))
        print(t("cli_starter_done", settings.lang, name=report.city,
                path=settings.db_label if settings.uses_postgres else report.db_path, crs=report.work_crs,
                seconds=f"{report.seconds:.1f}"))
        print(t("cli_starter_areas", settings.lang, areas=", ".join(f"{k} {v}" for k, v in report.areas.items())))
        print(t("cli_starter_cells", settings.lang, cells=", ".join(f"{k} {v}" for k, v in report.cells.items())))
        print(t("cli_starter_values", settings.lang, values=", ".join(
            f"{k} {v:.1f}" if isinstance(v, float) and not v.is_integer() else f"{k} {v:.0f}"
            for k, v in report.values.items())))
        return 0
    if not args.name:
        raise InputError(Problem("new_what"))
    with new_city(settings.db_path, name=args.name, crs=args.crs):
        pass
    print(t("cli_new_done", settings.lang, name=args.name,
            path=settings.db_label if settings.uses_postgres else settings.db_path))
    return 0


def cmd_zensus(args) -> int:
    from jmdiq_geo.services.new_city import add_zensus
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)

    def progress(i, total, label):
        print(f"[{i + 1}/{total}] {label}", file=sys.stderr)
    with open_workspace(settings.db_path) as ws:
        report = add_zensus(ws, data_root=settings.data_root, residents=args.residents, lang=settings.lang,
                            progress=None if args.quiet else progress)
    print(t("cli_zensus_done", settings.lang, city=report.city, seconds=f"{report.seconds:.1f}"))
    print(t("cli_starter_areas", settings.lang, areas=", ".join(f"{k} {v}" for k, v in report.areas.items())))
    print(t("cli_starter_cells", settings.lang, cells=", ".join(f"{k} {v}" for k, v in report.cells.items())))
    print(t("cli_starter_values", settings.lang, values=", ".join(f"{k} {v}" for k, v in report.values.items())))
    return 0


def cmd_backup(args) -> int:
    from jmdiq_geo.services.workspace import backup_workspace, open_workspace

    settings = _settings(args)
    with open_workspace(settings.db_path, read_only=True) as ws:
        out = backup_workspace(ws, args.out)
    print(t("cli_backup_done", settings.lang, path=out))
    return 0


def cmd_restore(args) -> int:
    from jmdiq_geo.services.workspace import restore_workspace

    settings = _settings(args)
    meta = restore_workspace(args.backup, settings.db_path)
    print(t("cli_restore_done", settings.lang, path=settings.db_path, city=meta.get("city", "–")))
    return 0


def cmd_migrate(args) -> int:
    from jmdiq_geo.config import location_label
    from jmdiq_geo.services.workspace import migrate_workspace

    settings = _settings(args)
    source = workspace_location(args.source) if args.source else settings.db_path
    counts = migrate_workspace(source, workspace_location(args.target))
    print(t("cli_migrate_done", settings.lang, source=location_label(source), target=location_label(args.target),
            tables=len(counts), rows=format_number(sum(counts.values()), settings.lang, digits=0)))
    return 0


def cmd_qgis_styles(args) -> int:
    from jmdiq_geo.services.postgis import publish_qgis_styles
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    with open_workspace(settings.db_path) as ws:
        done = publish_qgis_styles(ws, settings.lang)
    print(t("cli_qgis_styles_done" if done else "cli_qgis_styles_file", settings.lang, path=settings.db_label))
    return 0


def cmd_user(args) -> int:
    import getpass

    from jmdiq_geo.services.auth import add_user, list_users, remove_user

    settings = _settings(args)
    path = settings.accounts_file
    if args.action == "add":
        password = None
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        elif not args.email:
            password = getpass.getpass(t("cli_password_prompt", settings.lang, name=args.name))
        add_user(path, args.name, role=args.role, password=password, email=args.email)
        print(t("cli_user_saved", settings.lang, name=args.name, role=args.role, path=path))
    elif args.action == "remove":
        if not remove_user(path, args.name):
            print(t("cli_user_unknown", settings.lang, name=args.name), file=sys.stderr)
            return 2
        print(t("cli_user_removed", settings.lang, name=args.name))
    else:
        for name, role, how in list_users(path):
            print(f"  {name:<24} {role:<8} {how}")
    return 0


def cmd_roles(args) -> int:
    from jmdiq_geo.analysis.roles import ROLES, role_label
    from jmdiq_geo.services.roles import indicator_roles, set_indicator_roles
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    changes = {}
    for item in args.assign or []:
        role, _, indicator = item.partition("=")
        changes[role.strip()] = indicator.strip() or None
    with open_workspace(settings.db_path, read_only=not changes) as ws:
        if changes:
            set_indicator_roles(ws, changes)
        mapping = indicator_roles(ws)
    for role in ROLES:
        print(f"  {role:<28} {mapping.get(role) or '–':<20} {role_label(role, settings.lang)}")
    return 0


def cmd_manifest(args) -> int:
    from jmdiq_geo.services.manifest import write_manifest
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    with open_workspace(settings.db_path, read_only=True) as ws:
        text = write_manifest(ws, data_root=settings.data_root)
    Path(args.out).write_text(text, encoding="utf-8")
    print(t("cli_manifest_done", settings.lang, out=args.out))
    return 0


def cmd_define(args) -> int:
    from jmdiq_geo.analysis.derived import DerivedDef
    from jmdiq_geo.services.definitions import save_derived
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    d = DerivedDef(args.indicator, label_de=args.label, label_en=args.label_en or args.label, unit=args.unit,
                   sum=args.sum or [], numerator=args.numerator, denominator=args.denominator,
                   factor=args.factor, density=args.density, per=args.per,
                   description=args.description)
    with open_workspace(settings.db_path) as ws:
        counts = save_derived(ws, d)
    print(t("cli_define_done", settings.lang, indicator=args.indicator, n=counts.get(args.indicator, 0)))
    return 0


def cmd_denominator(args) -> int:
    from jmdiq_geo.services.definitions import set_denominator
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    with open_workspace(settings.db_path) as ws:
        set_denominator(ws, args.rate, args.count)
    print(t("cli_denominator_done", settings.lang, indicator=args.rate, denominator=args.count))
    return 0


def cmd_info(args) -> int:
    from jmdiq_geo.services.workspace import open_workspace, workspace_summary

    settings = _settings(args)
    lang = settings.lang
    with open_workspace(settings.db_path, read_only=True) as ws:
        s = workspace_summary(ws)
        print(t("cli_info_title", lang, city=s["meta"].get("city", "?"),
                path=settings.db_label if settings.uses_postgres else settings.db_path,
                crs=s["meta"].get("work_crs", "?")))
        print(t("cli_info_levels", lang))
        for row in s["levels"].itertuples():
            label = localized(row, lang)
            print(f"  {label:<28} {row.n:>6}   ({t('cli_edition', lang)} {format_editions(row.editions, lang)})")
        print(t("cli_info_periods", lang))
        for row in s["periods"].itertuples():
            print(f"  {row.period}   {row.indicators:>3} {t('cli_indicators', lang)}   {row.n_values:>7} {t('cli_values', lang)}")
        print(t("cli_info_services", lang))
        for row in s["services"].itertuples():
            print(f"  {row.category:<28} {row.n:>6}")
        print(t("cli_info_grids", lang))
        for row in s["grids"].itertuples():
            print(f"  {row.grid_id:<28} {row.n_cells:>6} ({row.cell_size_m:.0f} m, {row.crs})")
        print(t("cli_info_programme_areas", lang, n=s["programme_areas"]))
        print(t("cli_info_access", lang, km=f"{s['network_km']:.1f}", segments=s["network_segments"],
                origins=s["origins"], barriers=s["barriers"], edits=s["service_edits"]))
        print(t("cli_info_sources", lang))
        for row in ws.sources().itertuples():
            print(f"  {row.source_id:<12} {row.title} — {row.licence or '?'}")
    return 0


def cmd_import(args) -> int:
    from jmdiq_geo.services import imports as im
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    path = Path(args.file)
    source = im.Source(source_id=args.source_id or path.stem, title=args.title or path.name,
                       publisher=args.publisher, licence=args.licence, attribution=args.attribution, url=args.url)
    kw = {"max_bytes": settings.max_file_bytes}
    if args.kind == im.ATTRIBUTE_KIND:
        with open_workspace(settings.db_path) as ws:
            report = im.import_attributes(ws, path, source, key=args.key or "service_id", sheet=args.sheet,
                                          category=args.category, **kw)
        for line in format_problems(report.notices, settings.lang):
            print(t("cli_notice", settings.lang) + ": " + line, file=sys.stderr)
        print(t("cli_svcattr_done", settings.lang, file=path.name, matched=report.details["matched"], rows=report.rows,
                written=report.written, changed=report.details["changed"]))
        return 0
    with open_workspace(settings.db_path) as ws:
        if args.kind == "boundaries":
            spec = im.BoundarySpec(level=args.level, key=args.key, name=args.name, parent=args.parent,
                                   parent_prefix=args.parent_prefix, valid_from=args.valid_from or UNDATED_EDITION,
                                   valid_to=args.valid_to, crs=args.crs,
                                   invalid="reject" if args.reject_invalid else "repair")
        elif args.kind == "indicators":
            # without --column: every column holding numbers; kinds guessed unless --indicator-kind
            # (all) or --kind COLUMN=count|rate|class (one) say otherwise
            columns, kinds = {}, {}
            for item in args.column or []:
                col, _, ind = item.partition("=")
                columns[col] = ind or im.slug(col)
            for item in args.kind_of or []:
                col, sep, kind = item.rpartition("=")
                if not sep or not col.strip():
                    raise InputError(Problem("kind_override_malformed", {"value": item}))
                kinds[col.strip()] = kind.strip()
            default_kind = args.indicator_kind if getattr(args, "indicator_kind_given", False) else None
            denominators = {}
            for item in args.denominator or []:
                rate, sep, den = item.partition("=")
                if not sep or not rate.strip() or not den.strip():
                    raise InputError(Problem("denominator_malformed", {"value": item}))
                denominators[rate.strip()] = den.strip()
            spec = im.TableSpec(level=args.level, period=args.period, columns=columns, key=args.key,
                                name_column=args.name, missing_values=args.missing or [], decimal=args.decimal,
                                sheet=args.sheet, header_row=args.header_row, kinds=kinds, default_kind=default_kind,
                                unit=args.unit, define=True, denominators=denominators, layer=args.layer)
            known = set(ws.indicators()["indicator_id"])
            planned = im.suggest_table_spec(ws, path, spec, **kw)
            new = {d.indicator_id: d for d in planned.indicators if d.indicator_id not in known}
            for col, ind in planned.columns.items():
                if ind in new:
                    guessed = default_kind is None and col not in kinds and ind not in kinds
                    d = new.pop(ind)
                    print(t("cli_new_indicator", settings.lang, indicator=ind, column=col,
                            kind=t(f"kind_{d.kind}", settings.lang))
                          + (" " + t("cli_kind_guessed", settings.lang) if guessed else ""))
                    if d.denominator:
                        print(t("cli_new_indicator_denominator", settings.lang, denominator=d.denominator))
        elif args.kind == "services":
            spec = im.ServiceSpec(category=args.category, name=args.name, id=args.key, capacity=args.capacity,
                                  x=args.x, y=args.y, crs=args.crs)
        elif args.kind == "programme-areas":
            spec = im.ProgrammeSpec(id=args.key, name=args.name, programme=args.programme, since=args.since,
                                    until=args.until, member=args.member, member_level=args.member_level,
                                    crs=args.crs, programme_name=args.programme_name)
        elif args.kind == "network":
            spec = im.NetworkSpec(class_column=args.class_column, crs=args.crs)
        elif args.kind == "origins":
            flt = {}
            for item in args.filter or []:
                col, _, values = item.partition("=")
                flt[col] = values.split("|")
            spec = im.OriginSpec(id=args.key, filter=flt, storeys=args.storeys, crs=args.crs)
        elif args.kind == "context":
            spec = im.ContextSpec(context_layer=args.context_layer, class_column=args.class_column,
                                  keep=args.keep or [], name=args.name, crs=args.crs)
        elif args.kind == "barriers":
            spec = im.BarrierSpec(kind=args.barrier_kind, class_column=args.class_column, keep=args.keep or [],
                                  name=args.name, id=args.key, crs=args.crs)
        elif im.is_raster(path):
            # a raster band as a grid: the user says whether it holds counts or shares (--kind)
            kinds = [k for k in args.kind_of or [] if "=" not in k]
            spec = im.RasterGridSpec(grid_id=args.grid_id or im.slug(path.stem), kind=kinds[-1] if kinds else None,
                                     label=args.label, band=args.band, period=args.period, clip=not args.no_clip)
        else:
            variables = {}
            roles = dict(item.partition("=")[::2] for item in args.grid_role or [])
            kinds = {c: im.KIND_WORDS.get(k, k) for c, k in (i.partition("=")[::2] for i in args.kind_of or [])}
            for item in args.column or []:
                col, _, gid = item.partition("=")
                variables[col] = {"grid_id": gid or col.lower(),
                                  # a grid is a count unless said otherwise (--indicator-kind defaults to rates)
                                  "kind": kinds.get(col) or (args.indicator_kind if getattr(
                                      args, "indicator_kind_given", False) else "extensive"),
                                  **({"role": roles[col]} if roles.get(col) else {})}
            spec = im.GridSpec(x=args.x, y=args.y, crs=args.crs, cell_size_m=args.cell_size,
                               variables=variables, period=args.period, missing_values=args.missing or [])
        if args.layer is not None and getattr(spec, "layer", None) != args.layer:
            # a file of several layers (a GeoPackage): the one to import; refused by kinds that read none
            if "layer" not in {f.name for f in dataclasses.fields(spec)}:
                raise InputError(Problem("layer_not_for_kind", {"kind": args.kind}))
            spec = dataclasses.replace(spec, layer=args.layer)
        level = (im.LevelSpec(args.level, label_de=args.label, label_en=args.label_en, parent_level=args.parent_level)
                 if args.kind == "boundaries" and (args.label or args.parent_level) else None)
        # every kind through the one import use case (indicators: then the derived ones)
        report = im.import_file(ws, args.kind, path, spec, source, level=level,
                                progress=_stderr_progress(args.kind, settings.lang), **kw)
        _end_progress()
    for line in format_problems(report.notices, settings.lang):
        print(t("cli_notice", settings.lang) + ": " + line, file=sys.stderr)
    if report.join:
        print(t("cli_join", settings.lang, matched=report.join.matched,
                table_unmatched=len(report.join.table_unmatched), areas_unmatched=len(report.join.areas_unmatched)))
    print(t("cli_import_done", settings.lang, kind=args.kind, file=path.name, rows=report.rows, written=report.written))
    d = report.details
    if args.kind == "network" and "connected_share" in d:
        print(t("cli_network_report", settings.lang, km=f"{d['length_km']:.1f}", nodes=d["nodes"],
                segments=d["segments"], share=f"{d['connected_share']:.1f}", components=d["components"]))
    if args.kind == "context" and d.get("by_layer"):
        print(t("cli_context_report", settings.lang,
                layers=", ".join(f"{t('context_layer_' + k, settings.lang)} {n}" for k, n in d["by_layer"].items())))
    if args.kind == "barriers" and d.get("by_kind"):
        print(t("cli_barriers_report", settings.lang, kinds=", ".join(f"{k} {n}" for k, n in d["by_kind"].items())))
    return 0


def cmd_zonal(args) -> int:
    from jmdiq_geo.services.workspace import open_workspace
    from jmdiq_geo.services.zonal import shown_values, zonal_sums

    settings = _settings(args)
    with open_workspace(settings.db_path, read_only=True) as ws:
        result = zonal_sums(ws, args.source, level=args.level, kind=args.kind, band=args.band,
                            weights=args.weights, weights_band=args.weights_band, settings=settings)
    table = shown_values(result, settings=settings)
    print(t(f"cli_zonal_head_{result.kind}", settings.lang, source=result.source,
            weights=result.weights or "–", n=len(table)))
    digits = 0 if result.kind == "extensive" else 2
    for area_id, row in table.iterrows():
        value = format_number(row["shown"], settings.lang, digits=digits)
        print(f"  {area_id:<12} {str(row.get('name', '')):<36} {value:>12}")
    if result.kind == "extensive":
        print(t("cli_zonal_total", settings.lang, total=format_number(table["value"].sum(), settings.lang, digits=0)))
    if args.out:         # only what may be shown: hidden values stay empty, with the reason
        from jmdiq_geo.services.files import save_csv
        save_csv(table.drop(columns=["value"]).rename(columns={"shown": "value"}), args.out)
    return 0


def _stderr_progress(what: str, lang: str):
    """Progress of a long step on stderr: one line rewritten on a terminal, else one line per
    step (a log keeps them)."""
    last: dict[str, str] = {}

    def say(fraction: float, step: str) -> None:
        label = t_or(f"acc_step_{step}", step, lang)
        if sys.stderr.isatty():
            print(f"\r{what}: {int(fraction * 100):3d} % {label:<28}", end="", file=sys.stderr, flush=True)
            last["open"] = "1"
        elif last.get("step") != step:
            print(f"{what}: {int(fraction * 100):3d} % {label}", file=sys.stderr, flush=True)
            last["step"] = step
    _OPEN.append(last)
    return say


_OPEN: list[dict] = []


def _end_progress() -> None:
    """End a progress line left open on a terminal."""
    while _OPEN:
        if _OPEN.pop().get("open"):
            print(file=sys.stderr)


def cmd_index(args) -> int:
    from datetime import date

    from jmdiq_geo.services.catalogue import index_definition
    from jmdiq_geo.services.layers import compute_index_for
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    with open_workspace(settings.db_path, read_only=True) as ws:
        definition = index_definition(ws, args.definition)
        period = date.fromisoformat(args.period or definition.period)
        result = compute_index_for(ws, definition, period=period)
    label = "label_de" if settings.lang == "de" else "label_en"
    cols = {"considered": "considered"}
    for comp in definition.components:
        cols.update({f"{comp.id}_score": f"{comp.id}_value", f"{comp.id}_code": f"{comp.id}_code",
                     f"{comp.id}_{label}": f"{comp.id}_class"})
    if definition.overall:
        cols.update({"overall_code": "overall_code", "overall_label": "overall_class"})
    out = result.table[list(cols)].rename(columns=cols)
    out.index.name = "area_id"
    from jmdiq_geo.services.files import save_csv
    save_csv(out, args.out)
    print(t("cli_index_done", settings.lang, n=int(out["considered"].sum()), total=len(out), out=args.out))
    return 0


def cmd_indicators(args) -> int:
    from datetime import date

    from jmdiq_geo.services.layers import indicator_layer
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    period = date.fromisoformat(args.period)
    with open_workspace(settings.db_path, read_only=True) as ws:
        defs = ws.indicators()
        lowest = ws.lowest_level()
        on_lowest = args.level in (None, lowest)
        ids = args.indicator or [i for i, k, d in zip(defs["indicator_id"], defs["kind"], defs["denominator"])
                                 if period in ws.periods(indicator_id=i)
                                 and (on_lowest or k == "extensive" or (k == "intensive" and d))]
        table = None
        for ind in ids:
            layer = indicator_layer(ws, indicator_id=ind, period=period, level=args.level, settings=settings)
            col = layer.areas.set_index("area_id")["value"].rename(ind)
            if table is None:
                table = layer.areas.set_index("area_id")[["name"]]
            table[ind] = col
    from jmdiq_geo.services.files import save_csv
    save_csv(table, args.out)
    print(t("cli_indicators_done", settings.lang, n=len(ids), areas=len(table), out=args.out))
    return 0


def cmd_map(args) -> int:
    from jmdiq_geo.render.indicator_map import draw
    from jmdiq_geo.render.maps import standalone_html
    from jmdiq_geo.services.maps import describe_grid_map, describe_indicator_map, load_overlays, outline_shapes
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    if not args.grid and not (args.indicator and args.period):
        raise InputError(Problem("map_what"))
    period = _iso_date(args.period, "--period") if not args.grid else None
    period_from = _iso_date(args.change_from, "--change-from") if args.change_from and not args.grid else None
    with open_workspace(settings.db_path, read_only=True) as ws:
        overlays = load_overlays(ws, show_programmes=args.programmes, service_categories=tuple(args.services or ()),
                                 show_projects=args.projects)
        if args.grid:
            description = describe_grid_map(ws, grid_id=args.grid, settings=settings, lang=settings.lang,
                                            scheme=args.scheme, k=args.k, palette=args.palette, overlays=overlays)
        else:
            description = describe_indicator_map(
                ws, indicator_id=args.indicator, period=period, level=args.level, settings=settings,
                lang=settings.lang, scheme=args.scheme, k=args.k, palette=args.palette, period_from=period_from,
                relative=args.relative, overlays=overlays)
        suffix = Path(args.out).suffix.lower().lstrip(".")
        if suffix in ("pdf", "png", "svg"):            # a static map for print (render.print_map)
            from jmdiq_geo.render.print_map import indicator_print, render
            context = _context_layers(ws)
            data = render(indicator_print(ws, description, period_from=period_from, context=context), suffix,
                          paper=args.paper)
        elif suffix in ("html", "htm"):
            from jmdiq_geo.render.map_context import context_display
            outlines = outline_shapes(ws, description.layer.level)
            data = standalone_html(draw(description, outlines=outlines,
                                        context=context_display(_context_layers(ws)))).encode("utf-8")
        else:
            raise InputError(Problem("map_out_suffix", {"out": args.out}))
    Path(args.out).write_bytes(data)
    print(t("cli_map_done", settings.lang, title=description.title, areas=len(description.layer.areas), out=args.out))
    return 0


def cmd_story(args) -> int:
    """Presentations: list them, show one's slides, or write one as a standalone HTML file."""
    from jmdiq_geo.services.stories import export_story, get_story, list_stories
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    with open_workspace(settings.db_path, read_only=True) as ws:
        if args.action == "list":
            for row in list_stories(ws).itertuples():
                print(f"{row.story_id}\t{row.title}\t{t('cli_story_slides', settings.lang, n=row.slides)}")
            return 0
        if not args.id:
            raise InputError(Problem("story_id_missing"))
        if not args.out:
            story = get_story(ws, args.id)
            print(f"{story.story_id}\t{story.title}")
            for n, slide in enumerate(story.slides, start=1):
                print(f"  {n}. {slide.kind}\t{slide.title or '–'}\t{slide.caption.splitlines()[0] if slide.caption else ''}")
            return 0
        html = export_story(ws, args.id, settings=settings, lang=settings.lang)
    Path(args.out).write_text(html, encoding="utf-8")
    print(t("cli_story_done", settings.lang, out=args.out, size=f"{len(html.encode('utf-8')) / 1e6:.2f}"))
    return 0


def cmd_export(args) -> int:
    from jmdiq_geo.services.exports import export_workspace
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    period = _iso_date(args.period, "--period") if args.period else None
    layers = tuple(x.strip() for part in (args.layers or ["areas,programmes,services,projects,partners"])
                   for x in part.split(",") if x.strip())
    with open_workspace(settings.db_path, read_only=True) as ws:
        result = export_workspace(ws, fmt=args.format, out=args.out, settings=settings, lang=settings.lang,
                                  levels=args.level, period=period, layers=layers, indicators=args.indicator,
                                  default_indicator=args.style_indicator, scheme=args.scheme, k=args.k,
                                  palette=args.palette)
    print(t("cli_export_done", settings.lang, out=result.path, period=result.period.isoformat() if result.period else "–",
            layers=", ".join(f"{name} {n}" for name, n in result.layers.items())))
    return 0


def _context_layers(ws) -> dict:
    """Streets, water, railways and parks from the workspace (empty where it has none)."""
    from jmdiq_geo.services.context import context_layers
    return context_layers(ws)


def cmd_report(args) -> int:
    """A Quartiersprofil PDF of one area (or two side by side with --compare)."""
    from jmdiq_geo.services.profile_report import profile_report_pdf
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    if Path(args.out).suffix.lower() != ".pdf":
        raise InputError(Problem("map_out_suffix", {"out": args.out}))
    with open_workspace(settings.db_path, read_only=True) as ws:
        data, names = profile_report_pdf(ws, level=args.level, area_ids=[args.area] + ([args.compare] if args.compare else []),
                                         settings=settings, lang=settings.lang, context=_context_layers(ws))
    Path(args.out).write_bytes(data)
    print(t("cli_report_done", settings.lang, areas=", ".join(names), out=args.out))
    return 0


def _iso_date(text: str, option: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(Problem("bad_date", {"value": text, "field": option})) from None


def cmd_check(args) -> int:
    import json

    from jmdiq_geo.services.catalogue import check_rule_sets, rule_set_for
    from jmdiq_geo.services.quarter import (check_quarter, quarter_from_areas, quarter_from_file, quarter_from_programme,
                                            result_to_dict)
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    lang = settings.lang
    with open_workspace(settings.db_path, read_only=True) as ws:
        if args.area:
            level = args.level or ws.lowest_level()
            quarter = quarter_from_areas(ws, level=level, area_ids=[a.strip() for a in args.area.split(",") if a.strip()])
        elif args.programme_area:
            quarter = quarter_from_programme(ws, args.programme_area)
        else:
            quarter = quarter_from_file(ws, args.polygon, max_bytes=settings.max_file_bytes, crs=args.crs)
        # the shipped rule sets and the ones uploaded into the workspace (the Prüfen page's choice)
        rulesets = [rule_set_for(ws, args.rules)] if args.rules else list(check_rule_sets(ws).values())
        results = []
        for ruleset in rulesets:
            results.append(result_to_dict(check_quarter(ws, quarter, ruleset, settings=settings), lang=lang))
    if args.format == "json":
        print(json.dumps(results if len(results) > 1 else results[0], ensure_ascii=False, indent=2))
        return 0
    for r in results:
        print(f"{r['ruleset']['label']}: {t('verdict_' + r['verdict'], lang)}")
        print(f"  {r['reason']}")
        for c in r["criteria"]:
            print(f"  [{t('verdict_' + c['status'], lang)}] {c['label']}: {c['reason']}")
        print()
    first = results[0]
    share = first["share_population_from_partly_covered_areas"]
    population = first["population"]
    if first["too_small"]:
        population_text = t("check_population_small", lang, n=settings.min_residents)
    else:
        population_text = f"{population:.0f}" if population is not None else "–"
    print(t("cli_check_numbers", lang, population=population_text,
            share=f"{100 * share:.0f}" if share is not None else "–", grid=first["weights"]["grid"] or "–"))
    if first["too_small"]:
        print(t("check_too_small", lang, n=settings.min_residents))
    if first["grids"]:
        grids = first["grids"]
        print(t("cli_check_grid", lang, lines="; ".join(f"{x['label']} {x['text']}" for x in grids["lines"])))
        print(f"  {grids['weighting_text']}")
    return 0


def cmd_access(args) -> int:
    from jmdiq_geo.analysis.access.compute import AccessSettings
    from jmdiq_geo.services.access_export import area_table, origin_table, pair_table, write_table
    from jmdiq_geo.services.access import access_for
    from jmdiq_geo.errors import InputError, Problem
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    lang = settings.lang
    persona = _persona(args.persona) if args.persona else None
    if args.within is not None:
        return _access_fit(args, settings, persona)
    if not args.out:
        raise InputError(Problem("access_out_missing"))
    try:
        thresholds = tuple(float(x) for x in args.thresholds.split(",")) if args.thresholds else (10.0, 15.0)
        if not thresholds or min(thresholds) <= 0 or args.speed <= 0:
            raise ValueError
    except ValueError:
        raise InputError(Problem("access_bad_setting", {"speed": args.speed, "thresholds": args.thresholds or "10,15"}))
    acc = AccessSettings(speed_kmh=args.speed, thresholds_min=tuple(sorted(thresholds)), unknown=args.unknown)
    with open_workspace(settings.db_path) as ws:
        known = sorted(set(ws.services(include_hidden=True)["category"]))
        if args.category not in known:
            raise InputError(Problem("access_unknown_category", {"category": args.category,
                                                                 "known": ", ".join(known) or "–"}))
        level = args.level or None
        if level and level not in set(ws.levels()["level"]):
            raise InputError(Problem("level_unknown", {"level": level, "known": ", ".join(ws.levels()["level"])}))

        access = access_for(ws, args.category, persona=persona, settings=acc, level=level,
                            progress=_stderr_progress(args.category, lang), config=settings)
        _end_progress()
        table = origin_table(ws, access) if args.origins else area_table(ws, access, lang=lang)
        geometry = None
        if not args.origins:
            shapes = ws.areas(access.result.report["level"]).set_index("area_id").geometry
            geometry = shapes.reindex(table["area"]).to_numpy()
        write_table(table, args.out, attribution=ws.attributions(), geometry=geometry, crs=ws.work_crs)
        pairs = pair_table(ws, access, lang=lang)
        if args.pairs:
            write_table(pairs, args.pairs, attribution=ws.attributions())
        r = access.result.report
    print(t("cli_access_done", lang, category=args.category, rows=len(table), out=args.out,
            origins=r["origins"], on_network=r["origins_on_network"], unreachable=r["origins_unreachable"],
            services=r["services"], off_network=len(r["services_off_network"]),
            detour=f"{r['detour_factor']:.2f}"))
    kinds = r.get("origin_kinds") or {}
    print(t("cli_access_origins", lang, buildings=kinds.get("building", 0), cells=kinds.get("grid", 0),
            areas=kinds.get("area", 0), set_aside=r.get("buildings_set_aside", 0)))
    for row in pairs.head(5).itertuples():
        print(t("cli_access_pair", lang, service=row.service, area=row.area_name or row.area,
                straight=f"{row.straight_m:.0f}", network=f"{row.network_m:.0f}", detour=f"{row.detour:.1f}",
                crosses=row.crosses or "–"))
    if r.get("has_capacity"):
        print(t("cli_access_demand", lang, indicator=r.get("demand_indicator") or "–", period=r.get("demand_period") or "–"))
    if persona is not None:
        print(t("cli_access_persona", lang, excluded=r["services_excluded"], unknown=r["services_kept_unknown"]))
    return 0


def _persona(text: str):
    """A preset persona by name (``data/personas/NAME.toml``) or a TOML file."""
    from jmdiq_geo.services.catalogue import load_persona, preset_personas

    presets = preset_personas()
    if text in presets:
        return presets[text]
    if not Path(text).is_file():
        raise InputError(Problem("persona_unknown_name", {"name": text, "known": ", ".join(presets)}))
    return load_persona(text)


def _access_fit(args, settings, persona) -> int:
    """``access --within MIN --area ID|--polygon FILE``: the services that fit the persona."""
    from jmdiq_geo.analysis.access.compute import AccessSettings
    from jmdiq_geo.analysis.attributes import Persona
    from jmdiq_geo.i18n import t_or
    from jmdiq_geo.services.access_export import write_table
    from jmdiq_geo.services.persona_fit import listing_table, persona_listing
    from jmdiq_geo.services.quarter import quarter_from_file
    from jmdiq_geo.services.workspace import open_workspace

    lang = settings.lang
    if not args.area and not args.polygon:
        raise InputError(Problem("fit_where_missing"))
    acc = AccessSettings(speed_kmh=args.speed, unknown=args.unknown)
    with open_workspace(settings.db_path) as ws:
        kw = {}
        if args.polygon:
            quarter = quarter_from_file(ws, args.polygon, max_bytes=settings.max_file_bytes, crs=args.crs)
            kw = {"quarter": quarter.geometry, "quarter_label": quarter.label or Path(args.polygon).name}
        listing = persona_listing(ws, args.category, persona or Persona(), within_min=args.within, area_id=args.area,
                                  level=args.level, settings=acc, config=settings, **kw)
        table = listing_table(listing, lang)
        if args.out:
            write_table(table, args.out, attribution=ws.attributions())
    counts = listing.table["status"].value_counts()
    print(t("cli_fit_header", lang, category=t_or(f"cat_{args.category}", args.category, lang),
            within=f"{listing.within_min:g}", where=listing.where, homes=listing.homes,
            detour=f"{listing.detour:.2f}", fits=int(counts.get("fits", 0)), unknown=int(counts.get("unknown", 0)),
            lacks=int(counts.get("lacks", 0))))
    if not args.out:
        for row in table.itertuples(index=False):
            print("  " + " | ".join("" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row))
    return 0


def cmd_participation(args) -> int:
    """Participation sessions (issue 18): list, create, close, delete, results (only places with
    at least k participants), the QR code of a session's link."""
    from datetime import datetime

    from jmdiq_geo.services import participation as part
    from jmdiq_geo.services.quarter import quarter_from_areas
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    lang = settings.lang
    with open_workspace(settings.db_path) as ws:
        if args.action == "list":
            table = part.sessions(ws)
            for row in table.itertuples():
                print(t("cli_part_row", lang, id=row.session_id, title=row.title, start=f"{row.starts_at:%Y-%m-%d %H:%M}",
                        end=f"{row.ends_at:%Y-%m-%d %H:%M}", participants=row.participants, pins=row.pins,
                        held=row.to_moderate))
            if table.empty:
                print(t("part_none", lang))
            return 0
        if args.action == "create":
            if not (args.title and (args.areas or args.quarter_file) and args.start and args.end):
                raise InputError(Problem("cli_part_create_needs"))
            if args.quarter_file:
                from jmdiq_geo.services.quarter import quarter_from_file
                quarter = quarter_from_file(ws, args.quarter_file, max_bytes=settings.max_file_bytes)
            else:
                quarter = quarter_from_areas(ws, level=args.level or ws.lowest_level(),
                                             area_ids=[a.strip() for a in args.areas.split(",") if a.strip()])
            categories = None
            if args.categories:
                categories = part.read_categories_file(args.categories)
            try:
                start, end = datetime.fromisoformat(args.start), datetime.fromisoformat(args.end)
            except ValueError:
                raise InputError(Problem("participation_window")) from None
            s = part.create_session(ws, title=args.title, quarter=quarter, starts_at=start, ends_at=end,
                                    categories=categories, cell_size_m=args.cell_size, k=args.k,
                                    max_pins=args.max_pins, settings=settings, unit=args.unit or "grid")
            print(t("cli_part_created", lang, id=s.session_id,
                    link=part.participation_link(args.base_url, s.token)))
            return 0
        if not args.session:
            raise InputError(Problem("cli_part_needs_session"))
        if args.action == "close":
            part.close_session(ws, args.session)
            print(t("part_closed_msg", lang))
        elif args.action == "delete":
            if not args.yes:
                raise InputError(Problem("cli_part_delete_confirm"))
            removed = part.delete_session(ws, args.session)
            print(t("part_deleted_msg", lang, n=removed["participation_pins"]))
        elif args.action == "qr":
            if not args.out:
                raise InputError(Problem("cli_part_needs_out"))
            session = part.get_session(ws, args.session)
            Path(args.out).write_bytes(part.qr_png(part.participation_link(args.base_url, session.token)))
            print(args.out)
        elif args.action == "results":
            res = part.results(ws, args.session, unit=args.unit, age_band=args.age_band, newcomer=args.newcomer)
            data = part.results_csv(res)
            if args.out:
                Path(args.out).write_bytes(data)
                print(t("cli_part_results", lang, n=len(res.places), suppressed=res.suppressed, out=args.out))
            else:
                sys.stdout.write(data.decode("utf-8"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jmdiq-geo", description="Sozialraumanalyse workspace tools")
    parser.add_argument("--lang", choices=["de", "en"], help="language of messages (default: JMDIQ_LANG or de)")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the demo workspace from a city's data package")
    demo.add_argument("--db", help="workspace file (default: JMDIQ_DB or workspace/berlin.duckdb)")
    demo.add_argument("--data-root", help="data folder (default: JMDIQ_DATA_ROOT or ../shared/data)")
    demo.add_argument("--city", default=DEMO_PACKAGE, help="data package: a name in data/cities/ or a .toml path")
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=cmd_demo)

    new = sub.add_parser("new", help="start a workspace for any city or town: empty (--name, then import its "
                                     "boundaries), from the nationwide layers (--gemeinde), or all of Germany")
    new.add_argument("--name", help="the city's or town's name, e.g. Dortmund (with --gemeinde: default its name)")
    new.add_argument("--db", required=True, help="workspace file to create, e.g. workspace/dortmund.duckdb")
    new.add_argument("--crs", help="metric work CRS (default: ETRS89/UTM of where the first boundaries lie)")
    what = new.add_mutually_exclusive_group()
    what.add_argument("--gemeinde", metavar="NAME_OR_AGS",
                      help="a starter from the nationwide layers: the Gemeinde's outline (Kreis and Land as context), "
                           "the Zensus 2022 grids cut to it, its residents; several matches are listed (exit 2)")
    what.add_argument("--germany", action="store_true",
                      help="the germany workspace: every Gemeinde, Kreis and Land and the whole Zensus grids")
    new.add_argument("--data-root", help="data folder (default: JMDIQ_DATA_ROOT or ../shared/data)")
    new.add_argument("--quiet", action="store_true", help="no progress lines")
    new.set_defaults(func=cmd_new)

    usr = sub.add_parser("user", help="accounts for the app's login (Argon2id hashes in users.toml beside the "
                                      "workspace, or JMDIQ_USERS)")
    usr.add_argument("action", choices=["add", "remove", "list"])
    usr.add_argument("name", nargs="?", default="")
    usr.add_argument("--role", default="viewer", help="viewer, editor or admin (default viewer)")
    usr.add_argument("--email", help="log in through the identity provider (OpenID Connect) with this address")
    usr.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    usr.add_argument("--db")
    usr.set_defaults(func=cmd_user)
    bak = sub.add_parser("backup", help="a consistent copy of the workspace in a new file (the app may keep running "
                                        "only if it has not opened it; else use the Daten page's download)")
    bak.add_argument("--db")
    bak.add_argument("--out", required=True, help="the new file, e.g. sicherung-2026-12-05.duckdb")
    bak.set_defaults(func=cmd_backup)
    res = sub.add_parser("restore", help="put a backup in place of the workspace (refused while it is open)")
    res.add_argument("backup")
    res.add_argument("--db")
    res.set_defaults(func=cmd_restore)
    mig = sub.add_parser("migrate", help="copy a workspace into another backend: a DuckDB file into PostgreSQL "
                                         "(postgresql://…) or back; every table, one transaction")
    mig.add_argument("--from", dest="source", help="the workspace to copy (default: --db / JMDIQ_DB)")
    mig.add_argument("--to", dest="target", required=True, help="the new workspace: a file, or a PostgreSQL URL "
                                                                "of an empty database")
    mig.add_argument("--db")
    mig.set_defaults(func=cmd_migrate)
    qst = sub.add_parser("qgis-styles", help="a PostgreSQL workspace: write the default QGIS styles of its PostGIS "
                                             "layers (schema qgis) again, e.g. after new service categories")
    qst.add_argument("--db")
    qst.set_defaults(func=cmd_qgis_styles)
    roles = sub.add_parser("roles", help="which indicator plays which role for the rule sets and the profile")
    roles.add_argument("assign", nargs="*", help="ROLE=INDICATOR to set (ROLE= removes it), e.g. unemployment_share=unemployed_pct")
    roles.add_argument("--db")
    roles.set_defaults(func=cmd_roles)

    man = sub.add_parser("manifest", help="write the data package (TOML) that rebuilds this workspace from its files")
    man.add_argument("--out", required=True, help="TOML file to write, e.g. data/cities/dortmund.toml")
    man.add_argument("--db")
    man.add_argument("--data-root", help="paths are written relative to this folder (default: JMDIQ_DATA_ROOT)")
    man.set_defaults(func=cmd_manifest)

    dfn = sub.add_parser("define", help="a derived indicator: a sum of counts, a rate of two counts, or a count "
                                        "estimated from a density (e.g. residents = residents per ha × area)")
    dfn.add_argument("indicator", help="id of the new indicator, e.g. ew_geschaetzt")
    dfn.add_argument("--label", required=True)
    dfn.add_argument("--label-en")
    dfn.add_argument("--unit")
    dfn.add_argument("--description", help="how it is made, e.g. 'geschätzt: Dichte × Fläche'")
    dfn.add_argument("--sum", action="append", help="a count to add up, repeatable")
    dfn.add_argument("--numerator")
    dfn.add_argument("--denominator")
    dfn.add_argument("--factor", type=float, default=100.0, help="rate = factor × numerator / denominator")
    dfn.add_argument("--density", help="a density indicator (persons per --per): the count is density × surface")
    dfn.add_argument("--per", default="ha", help="the density's surface unit: ha or km2")
    dfn.add_argument("--db")
    dfn.set_defaults(func=cmd_define)

    den = sub.add_parser("denominator", help="give a rate the count it is a share of (weights for higher levels, "
                                             "the whole city and quarters)")
    den.add_argument("rate", help="the rate's indicator id, e.g. unemployed_pct")
    den.add_argument("count", help="the count's indicator id, e.g. ew_geschaetzt")
    den.add_argument("--db")
    den.set_defaults(func=cmd_denominator)

    par = sub.add_parser("participation", help="participation sessions of young people (needle method): list, "
                         "create, close, delete, results (only places with at least k participants), qr")
    par.add_argument("action", choices=["list", "create", "close", "delete", "results", "qr"])
    par.add_argument("session", nargs="?", help="session id (close, delete, results, qr)")
    par.add_argument("--db")
    par.add_argument("--title")
    par.add_argument("--level", help="level of --areas (default: the smallest areas)")
    par.add_argument("--areas", help="area ids of the quarter, comma-separated")
    par.add_argument("--quarter-file", help="a drawn quarter instead: a polygon file (GeoJSON, GeoPackage, …)")
    par.add_argument("--start", help="start, e.g. 2026-05-06T16:00")
    par.add_argument("--end", help="end, e.g. 2026-05-06T19:00")
    par.add_argument("--cell-size", type=int, default=100, choices=[100, 250])
    par.add_argument("--k", type=int, default=3, help="a place appears only from k different participants (>= 3)")
    par.add_argument("--max-pins", type=int, default=30)
    par.add_argument("--categories", help="categories TOML (as data/participation/categories.toml)")
    par.add_argument("--base-url", default="http://127.0.0.1:8501", help="the app's address the phones reach")
    par.add_argument("--unit", choices=["grid", "areas"],
                     help="create: count per grid cell (--cell-size) or per smallest area, fixed for the session "
                          "(default grid); results: only the session's own")
    par.add_argument("--age-band", choices=["12-14", "15-17", "18-20", "21-26"])
    par.add_argument("--newcomer", choices=["yes", "no", "na"])
    par.add_argument("--out", help="file to write (results: CSV, qr: PNG)")
    par.add_argument("--yes", action="store_true", help="delete: really delete the session and all its pins")
    par.set_defaults(func=cmd_participation)

    info = sub.add_parser("info", help="summarise a workspace")
    info.add_argument("--db")
    info.set_defaults(func=cmd_info)

    idx = sub.add_parser("index", help="compute a composite index (e.g. mss2021) per area")
    idx.add_argument("--definition", required=True, help="name in data/indices/, a saved definition, or a .toml path")
    idx.add_argument("--period", help="YYYY-MM-DD (default: the definition's period)")
    idx.add_argument("--out", required=True, help="CSV file to write")
    idx.add_argument("--db")
    idx.set_defaults(func=cmd_index)

    ind = sub.add_parser("indicators", help="indicator values of one level and period as a table")
    ind.add_argument("--level", help="area level (default: the smallest); higher levels are aggregated")
    ind.add_argument("--period", required=True, help="YYYY-MM-DD")
    ind.add_argument("--indicator", action="append", help="indicator id, repeatable (default: all with values)")
    ind.add_argument("--out", required=True, help="CSV file to write")
    ind.add_argument("--db")
    ind.set_defaults(func=cmd_indicators)

    mp = sub.add_parser("map", help="an indicator map (or its change) as one HTML file that opens offline, or as PDF/PNG/SVG")
    what = mp.add_mutually_exclusive_group(required=True)
    what.add_argument("--indicator", help="indicator id (see `info` or the Daten page)")
    what.add_argument("--grid", help="a population grid's id instead (see `info`): its cells as the map")
    mp.add_argument("--period", help="YYYY-MM-DD (with --indicator)")
    mp.add_argument("--change-from", help="YYYY-MM-DD: map the change since this period instead")
    mp.add_argument("--relative", action="store_true", help="with --change-from: the change in %% of the earlier value")
    mp.add_argument("--level", help="area level (default: the smallest); higher levels are aggregated")
    mp.add_argument("--scheme", default="quantiles",
                    help="classes: quantiles, equal_interval, natural_breaks, std_mean (default quantiles)")
    mp.add_argument("--k", type=int, default=5, help="number of classes (default 5)")
    mp.add_argument("--palette", default="YlOrRd", help="YlOrRd, YlGnBu, viridis, cividis, PuBu or Greys")
    mp.add_argument("--programmes", action="store_true", help="draw the programme areas on top")
    mp.add_argument("--services", action="append", help="a service category to draw on top, repeatable")
    mp.add_argument("--projects", action="store_true", help="draw micro-projects and partners on top")
    mp.add_argument("--out", required=True, help="file to write: .html (interactive, offline), .pdf, .png or .svg "
                                                 "(for print: title, legend, scale bar, north arrow, sources)")
    mp.add_argument("--paper", choices=["A4", "A3"], default="A4", help="paper of a .pdf (default A4; PNG/SVG: the "
                                                                        "sheet's size at 300 dpi)")
    mp.add_argument("--db")
    mp.set_defaults(func=cmd_map)

    sty = sub.add_parser("story", help="presentations (stories): list, show the slides, or --out a standalone HTML "
                                        "file with every slide that opens offline")
    sty.add_argument("action", choices=["list", "show"])
    sty.add_argument("id", nargs="?", help="the story's id (see `story list`)")
    sty.add_argument("--out", help="with show: write the story as one HTML file")
    sty.add_argument("--db")
    sty.set_defaults(func=cmd_story)
    exp = sub.add_parser("export", help="the workspace or a selection for other tools: a GeoPackage that opens in "
                         "QGIS with the app's classes and colours, GeoParquet, CSV (plain or German Excel), XLSX")
    exp.add_argument("--format", required=True, choices=["gpkg", "parquet", "csv", "csv-de", "xlsx"],
                     help="gpkg and xlsx: one file; parquet, csv, csv-de: a folder, or a ZIP when --out ends in .zip")
    exp.add_argument("--out", required=True, help="file (or folder) to write")
    exp.add_argument("--level", action="append", help="area level, repeatable (default: every level with areas)")
    exp.add_argument("--period", help="YYYY-MM-DD (default: the latest period with values)")
    exp.add_argument("--layers", action="append",
                     help="comma-separated among areas, programmes, services, projects, partners (default: all; "
                          "the sources table always goes along)")
    exp.add_argument("--indicator", action="append", help="indicator id, repeatable (default: all with values)")
    exp.add_argument("--style-indicator", help="the indicator the areas are coloured by when opened (default: the first)")
    exp.add_argument("--scheme", default="quantiles",
                     help="classes: quantiles, equal_interval, natural_breaks, std_mean (default quantiles)")
    exp.add_argument("--k", type=int, default=5, help="number of classes (default 5)")
    exp.add_argument("--palette", default="YlOrRd", help="YlOrRd, YlGnBu, viridis, cividis, PuBu or Greys")
    exp.add_argument("--db")
    exp.set_defaults(func=cmd_export)
    rep = sub.add_parser("report", help="the Quartiersprofil of an area as a PDF (German by default), or two "
                                        "areas side by side (--compare)")
    rep.add_argument("--area", required=True, help="area id")
    rep.add_argument("--level", help="level of the area (default: the smallest)")
    rep.add_argument("--compare", help="a second area id of the same level, compared side by side")
    rep.add_argument("--out", required=True, help="PDF file to write")
    rep.add_argument("--db")
    rep.set_defaults(func=cmd_report)

    chk = sub.add_parser("check", help="check a quarter against qualification rule sets")
    where = chk.add_mutually_exclusive_group(required=True)
    where.add_argument("--area", help="area id(s) of the quarter, comma-separated")
    where.add_argument("--polygon", help="a file with the quarter's polygon(s)")
    where.add_argument("--programme-area", help="the id of a programme area (e.g. an Aktionsraum) as the quarter")
    chk.add_argument("--level", help="level of --area ids (default: the smallest)")
    chk.add_argument("--crs", help="CRS of --polygon when the file names none")
    chk.add_argument("--rules", help="rule set: a name in data/rules/, the id of one uploaded into the workspace, or a .toml "
                          "path (default: all shipped and uploaded)")
    chk.add_argument("--format", choices=["text", "json"], default="text")
    chk.add_argument("--db")
    chk.set_defaults(func=cmd_check)

    acc = sub.add_parser("access", help="walking access to the services of one category, per area or per origin")
    acc.add_argument("--category", required=True, help="service category, e.g. jugendfreizeit")
    acc.add_argument("--persona", help="a preset (data/personas/NAME.toml, e.g. jugendliche_arabisch_nach_schule) "
                                       "or a TOML file: age, languages, when (opening-hours syntax), free_only, "
                                       "wheelchair")
    acc.add_argument("--level", help="area level of the table (default: the smallest)")
    acc.add_argument("--out", help="CSV or GeoPackage (.gpkg) to write (with --within: optional, CSV)")
    acc.add_argument("--within", type=float, metavar="MIN",
                     help="list the services within MIN minutes' walk of --area or --polygon and how each fits "
                          "the persona (what it lacks, what is unknown)")
    acc.add_argument("--area", help="with --within: the area's id (of --level, default the smallest)")
    acc.add_argument("--polygon", help="with --within: a drawn quarter (GeoJSON, GeoPackage …)")
    acc.add_argument("--crs", help="CRS of --polygon when the file names none")
    acc.add_argument("--origins", action="store_true", help="one row per origin (home) instead of per area")
    acc.add_argument("--pairs", help="CSV: the worst-detour pairs with the barriers they cross")
    acc.add_argument("--speed", type=float, default=4.8, help="walking speed, km/h (default 4.8)")
    acc.add_argument("--thresholds", help="minutes, comma-separated (default 10,15)")
    acc.add_argument("--unknown", choices=["keep", "drop"], default="keep",
                     help="persona runs: keep or drop services whose attribute is not recorded")
    acc.add_argument("--db")
    acc.set_defaults(func=cmd_access)

    zon = sub.add_parser("zonal", help="zonal sums of a population raster or grid per area "
                                       "(coverage-weighted: cells cut by an edge count by their share inside)")
    zon.add_argument("source", help="a raster file (.tif …) or the id of a grid in the workspace")
    zon.add_argument("--level", help="area level (default: the smallest)")
    zon.add_argument("--kind", help="raster: count (summed) or share (averaged); required for a raster file")
    zon.add_argument("--band", type=int, help="raster: the band (needed when it has several)")
    zon.add_argument("--weights", help="share: a count raster or grid id to weight the mean by")
    zon.add_argument("--weights-band", type=int)
    zon.add_argument("--out", help="CSV file to write (all values, with the privacy rules' columns)")
    zon.add_argument("--db")
    zon.set_defaults(func=cmd_zonal)

    zen = sub.add_parser("zensus", help="the Zensus 2022 grids of the nationwide layers cut to the workspace's "
                                        "areas, and every area's residents, foreign nationals and their share "
                                        "from them (for a city that publishes no counts)")
    zen.add_argument("--db")
    zen.add_argument("--data-root", help="data folder (default: JMDIQ_DATA_ROOT or ../shared/data)")
    zen.add_argument("--residents", action="store_true",
                     help="the census's residents become the workspace's residents (population indicator) even "
                          "where it has one (without one, they become it anyway)")
    zen.add_argument("--quiet", action="store_true")
    zen.set_defaults(func=cmd_zensus)

    imp = sub.add_parser("import", help="import one file into a workspace")
    imp.add_argument("kind", choices=["boundaries", "indicators", "services", "programme-areas", "grid", "network",
                                      "origins", "barriers", "context", "service-attributes"])
    imp.add_argument("file")
    imp.add_argument("--db")
    imp.add_argument("--level", help="area level, e.g. plr")
    imp.add_argument("--key", help="key (id) column; service-attributes: service_id (default) or name+address")
    imp.add_argument("--name", help="name column (indicators: join by normalised name instead of key)")
    imp.add_argument("--label", help="boundaries of a new level: its name, e.g. Unterbezirk (the level is created)")
    imp.add_argument("--label-en", help="boundaries of a new level: its name in English")
    imp.add_argument("--parent-level", help="boundaries of a new level: the level it lies below (default: on top)")
    imp.add_argument("--parent", help="column with the parent area's id")
    imp.add_argument("--parent-prefix", type=int, help="parent id = first N characters of the key")
    imp.add_argument("--period", help="reference date of the values, YYYY-MM-DD")
    imp.add_argument("--valid-from", help="boundary edition valid from, YYYY-MM-DD")
    imp.add_argument("--valid-to", help="boundary edition valid until (exclusive), YYYY-MM-DD")
    imp.add_argument("--crs", help="CRS when the file names none, e.g. EPSG:25833")
    imp.add_argument("--reject-invalid", action="store_true", help="reject invalid geometries instead of repairing")
    imp.add_argument("--column", action="append",
                     help="COLUMN[=INDICATOR_ID], repeatable (indicators: default every column holding numbers)")

    class _KindGiven(argparse.Action):      # indicators: a kind given applies to all, else kinds are guessed
        def __call__(self, parser, namespace, values, option_string=None):
            setattr(namespace, self.dest, values)
            namespace.indicator_kind_given = True
    imp.add_argument("--indicator-kind", default="intensive", choices=["extensive", "intensive", "class"],
                     action=_KindGiven, help="kind of newly defined indicators (indicators: default guessed per "
                                             "column, a count extensive, a rate or share intensive)")
    imp.add_argument("--grid-role", action="append", metavar="COLUMN=ROLE",
                     help="grid: the role of a column's grid, residents or foreigners (repeatable)")
    imp.add_argument("--kind", action="append", dest="kind_of", metavar="COLUMN=KIND",
                     help="indicators: kind of one new indicator, KIND = count, rate or class (repeatable); "
                          "grid from a raster: --kind count or --kind share (required)")
    imp.add_argument("--denominator", action="append", metavar="RATE=COUNT",
                     help="indicators: the count a rate is a share of, a column of the same table or an indicator "
                          "of the workspace (weights higher levels, the whole city and quarters; repeatable)")
    imp.add_argument("--header-row", type=int, metavar="N",
                     help="indicators: the file's row (1-based) that holds the header (default: found)")
    imp.add_argument("--unit")
    imp.add_argument("--missing", action="append", help="extra code meaning 'no value', e.g. -9999")
    imp.add_argument("--decimal", choices=[",", "."], help="decimal separator (default: from the delimiter)")
    imp.add_argument("--sheet", help="XLSX sheet")
    imp.add_argument("--layer", help="the layer to import of a file of several (a GeoPackage); without it such a "
                                     "file is refused with the list of its layers")
    imp.add_argument("--category", help="service category, e.g. jugendfreizeit")
    imp.add_argument("--capacity", help="capacity column (places)")
    imp.add_argument("--x")
    imp.add_argument("--y")
    imp.add_argument("--cell-size", type=float, help="grid cell size in metres")
    imp.add_argument("--grid-id", help="grid from a raster (.tif): its id (default: from the file name)")
    imp.add_argument("--band", type=int, help="grid from a raster: the band to read (needed when it has several)")
    imp.add_argument("--no-clip", action="store_true",
                     help="grid from a raster: read it whole, not only the window around the workspace's areas")
    imp.add_argument("--class-column", help="network/barriers: column with the feature class (fclass, highway)")
    imp.add_argument("--filter", action="append", help="origins: COLUMN=VALUE[|VALUE…], repeatable")
    imp.add_argument("--storeys", help="origins: column with the number of storeys")
    imp.add_argument("--barrier-kind", default="rail", choices=["rail", "road", "water"], help="barriers: kind")
    imp.add_argument("--keep", action="append", help="barriers, context: class to keep, repeatable")
    imp.add_argument("--context-layer", choices=["streets", "water", "rail", "parks"],
                     help="context: the map layer every feature of the file goes to (default: read off the "
                          "OSM tags, or Geofabrik's fclass)")
    imp.add_argument("--programme", help="programme column (Sozialer Zusammenhalt, Soziale Stadt, QM …)")
    imp.add_argument("--programme-name", help="one programme for all areas of the file, e.g. 'Soziale Stadt'")
    imp.add_argument("--since", help="programme start column")
    imp.add_argument("--until", help="programme end column")
    imp.add_argument("--member", help="member-area key column (programme areas given as a table)")
    imp.add_argument("--member-level", help="level of the member areas")
    imp.add_argument("--source-id")
    imp.add_argument("--title")
    imp.add_argument("--publisher")
    imp.add_argument("--licence")
    imp.add_argument("--attribution")
    imp.add_argument("--url")
    imp.set_defaults(func=cmd_import)

    ann = sub.add_parser("annual", help="the annual report annex (PDF): network map of the year beside the previous "
                                        "one, micro-projects, indicator changes in the quarter, activity log")
    ann.add_argument("--year", type=int, required=True)
    ann.add_argument("--area", help="the quarter: an area id of the workspace (default: the whole city)")
    ann.add_argument("--quarter", help="the quarter: a drawn or exported boundary (GeoJSON, GeoPackage, zipped "
                                       "Shapefile; its polygons' union), estimated as the quarter check does")
    ann.add_argument("--out", required=True, help="PDF file to write")
    ann.add_argument("--csv", action="store_true", help="also write the figures as CSV files beside the PDF")
    ann.add_argument("--db")
    ann.set_defaults(func=cmd_annual)
    return parser


def cmd_annual(args) -> int:
    """The annual report annex as PDF (and, with --csv, its figures as CSV files beside it)."""
    from jmdiq_geo.render.annual import page_count
    from jmdiq_geo.services.annual import annex_csv, annex_pdf, annual_annex
    from jmdiq_geo.services.workspace import open_workspace

    settings = _settings(args)
    if not 2000 <= args.year <= 2100:
        raise InputError(Problem("annual_bad_year", {"value": args.year}))
    if args.area and args.quarter:
        raise InputError(Problem("annual_area_and_quarter"))
    with open_workspace(settings.db_path, read_only=True) as ws:
        quarter = None
        if args.quarter:
            from jmdiq_geo.services.quarter import quarter_from_file
            quarter = quarter_from_file(ws, args.quarter, max_bytes=settings.max_file_bytes)
        annex = annual_annex(ws, year=args.year, area_id=args.area, lang=settings.lang, settings=settings,
                             quarter=quarter)
    pdf = annex_pdf(annex)
    out = Path(args.out)
    out.write_bytes(pdf)
    print(t("cli_annual_done", settings.lang, year=args.year, path=out, pages=page_count(pdf)))
    if args.csv:
        for name, data in annex_csv(annex).items():
            path = out.with_name(name)
            path.write_bytes(data)
            print(t("cli_annual_csv", settings.lang, path=path))
    return 0


def main(argv: list[str] | None = None) -> int:
    from jmdiq_geo.services.auth import current_actor, local_admin, set_default_actor

    args = build_parser().parse_args(argv)
    lang = args.lang or Settings.from_env().lang
    if current_actor() is None:       # the CLI acts as the local user: it has the file anyway
        set_default_actor(local_admin())
    try:
        return args.func(args)
    except JmdiqError as exc:
        print(t("cli_failed", lang), file=sys.stderr)
        for line in format_problems(exc.problems, lang):
            print("  - " + line, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
