"""Service attributes in bulk from a table (CSV/XLSX), the way a team collects them in a
spreadsheet: one row per service, found by its id or by its name and address, with any of the
columns languages, opening hours, barrier-free, cost, age (min/max or a range "12-27") and
capacity.

What is written are staff edits (``service_edits``, as if typed in the app): they overlay the
imported record, so a re-import of the services keeps them, and "revert" in the app drops them.
An empty cell changes nothing. Rows that match no service or several are reported with their
row numbers and left out; when fewer than half of the rows match, or any value cannot be read
(row and column named), nothing is written. Columns that are none of the recognised ones are
reported and ignored (the ``attributes`` JSON of a service is the imported file's, not the
team's)."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from jmdiq_geo.analysis.attributes import parse_age_range, parse_bool, parse_cost, parse_languages, parse_opening_hours
from jmdiq_geo.errors import InputError, Problem, SchemaError, raise_if_errors
from jmdiq_geo.io.commit import ImportReport, Source, commit_import
from jmdiq_geo.io.names import normalise_name
from jmdiq_geo.io.readers import read_table
from jmdiq_geo.store.workspace import Workspace

KEYS = ("service_id", "name+address")
#: at least this share of the rows must find their service, else nothing is written
MIN_MATCH_SHARE = 0.5

#: recognised columns: field → header words (compared after ``_header``)
COLUMNS = {
    "service_id": ("service_id", "id", "einrichtung_id", "einrichtungs_id", "nr", "nummer", "e_nr"),
    "name": ("name", "einrichtung", "einrichtungsname", "e_name", "bezeichnung"),
    "address": ("address", "adresse", "anschrift", "strasse", "strasse_und_hausnummer"),
    "category": ("category", "kategorie"),
    "languages": ("languages", "language", "sprachen", "sprache"),
    "opening_hours": ("opening_hours", "oeffnungszeiten", "offnungszeiten", "hours"),
    "barrier_free": ("barrier_free", "barrierefrei", "barrierefreiheit", "wheelchair", "rollstuhl",
                     "rollstuhlgerecht"),
    "cost": ("cost", "costs", "kosten", "fee", "gebuehr", "entgelt"),
    "age": ("age", "alter", "altersgruppe", "age_range"),
    "age_min": ("age_min", "min_age", "alter_min", "alter_von", "mindestalter", "ab_alter"),
    "age_max": ("age_max", "max_age", "alter_max", "alter_bis", "hoechstalter", "bis_alter"),
    "capacity": ("capacity", "plaetze", "kapazitaet", "platzzahl"),
}
KEY_FIELDS = ("service_id", "name", "address", "category")


@dataclass
class AttributeSpec:
    key: str = "service_id"          # or "name+address"
    sheet: str | None = None
    #: only services of this category are candidates (a youth centre and the community centre of
    #: the same name at the same address are otherwise ambiguous)
    category: str | None = None


def _header(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalise_name(text)).strip("_")


def recognise_columns(columns) -> tuple[dict[str, str], list[str]]:
    """(field → column of the table, columns not recognised)."""
    words = {w: f for f, ws in COLUMNS.items() for w in ws}
    found, unknown = {}, []
    for col in columns:
        field = words.get(_header(col))
        if field and field not in found:
            found[field] = col
        else:
            unknown.append(col)
    return found, unknown


def normalise_address(text) -> set[str]:
    """Words of an address, lenient: case, umlauts, punctuation, "Str."/"Straße"/"strasse"."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return set()
    words = normalise_name(text).split()
    return {re.sub(r"str$", "strasse", w) for w in words}


def _name(text) -> str:
    return "" if text is None or (not isinstance(text, str) and pd.isna(text)) else normalise_name(text)


def import_service_attributes(ws: Workspace, path: Path | str, spec: AttributeSpec, source: Source, *,
                              max_bytes: int, dry_run: bool = False, user: str | None = None) -> ImportReport:
    """Read the table, match its rows to services, check every value, and write the attributes as
    staff edits in one transaction (see module doc)."""
    path = Path(path)
    if spec.key not in KEYS:
        raise InputError(Problem("svcattr_bad_key", {"match": spec.key, "known": ", ".join(KEYS)}))
    table = read_table(path, sheet=spec.sheet, max_bytes=max_bytes)
    frame = table.frame
    first_row = table.header_row + table.header_rows      # file row of the first data row
    found, unknown = recognise_columns(frame.columns)
    problems: list[Problem] = []
    needed = ("service_id",) if spec.key == "service_id" else ("name",)
    for f in needed:
        if f not in found:
            problems.append(Problem("svcattr_key_column_missing", {"match": spec.key, "words": ", ".join(COLUMNS[f]),
                                                                   "columns": ", ".join(map(str, frame.columns))},
                                    file=path.name))
    values_found = [f for f in found if f not in KEY_FIELDS]
    if not values_found:
        problems.append(Problem("svcattr_no_value_columns", {"columns": ", ".join(map(str, frame.columns))},
                                file=path.name))
    raise_if_errors(problems, SchemaError)
    notices = list(table.notices)
    if unknown:
        notices.append(Problem("svcattr_unknown_columns", {"columns": ", ".join(map(str, unknown))}, file=path.name,
                               severity="notice"))
    services = ws.services(include_hidden=True)
    if spec.category:
        services = services[services["category"] == spec.category].reset_index(drop=True)
    changes = _values(frame, found, first_row, path.name, problems)
    matched, unmatched, ambiguous = _match(frame, found, spec.key, services, first_row)
    for sid, rows in _duplicates(matched).items():
        rows = [first_row + i for i in rows]
        problems.append(Problem("svcattr_duplicate", {"service": sid, "rows": ", ".join(map(str, rows))},
                                file=path.name, row=rows[0]))
    n_rows = len(frame)
    if n_rows == 0 or len(matched) < max(1, MIN_MATCH_SHARE * n_rows):
        problems.append(Problem("svcattr_too_few", {"matched": len(matched), "rows": n_rows,
                                                    "share": int(MIN_MATCH_SHARE * 100)}, file=path.name))
    matching: list[Problem] = []
    if unmatched:
        matching.append(Problem("svcattr_unmatched", {"count": len(unmatched), "rows": _rows(unmatched)},
                                file=path.name, row=unmatched[0], severity="notice"))
    for row, ids in ambiguous:
        matching.append(Problem("svcattr_ambiguous", {"ids": ", ".join(ids[:5]), "count": len(ids)},
                                file=path.name, row=row, severity="notice"))
    if any(p.severity == "error" for p in problems):
        # refused: the rows without a service say why so few matched
        raise InputError([p for p in problems if p.severity == "error"] + matching)
    notices += problems + matching
    current = services.set_index("service_id")
    edits = {}
    for i, sid in matched.items():
        wanted = {k: v for k, v in changes[i].items() if not _same(current.at[sid, k], v)}
        if wanted:
            edits[sid] = wanted
    report = ImportReport("service-attributes", path.name, rows=n_rows, written=len(edits), notices=notices,
                          details={"matched": len(matched), "unmatched": len(unmatched), "ambiguous": len(ambiguous),
                                   "columns": {f: str(c) for f, c in found.items()}, "key": spec.key,
                                   "changed": sum(len(v) for v in edits.values())})

    def write():
        for sid, wanted in edits.items():
            ws.edit_service(sid, wanted, user=user or f"import:{path.name}")
    return commit_import(ws, report, source, path, asdict(spec), write, dry_run=dry_run)


def _rows(rows: list[int]) -> str:
    return ", ".join(map(str, rows[:15])) + (" …" if len(rows) > 15 else "")


def _same(a, b) -> bool:
    if a is None or (not isinstance(a, (str, bool)) and pd.isna(a)):
        return b is None
    return a == b


def _values(frame: pd.DataFrame, found: dict, first_row: int, file: str,
            problems: list[Problem]) -> list[dict]:
    """Per row: the attributes given (empty cells left out); a problem per unreadable cell."""
    out = []
    for i, rec in enumerate(frame.to_dict("records")):
        row = first_row + i
        values = {}

        def bad(field, value, detail="–"):
            code = "number" if field in ("age_min", "age_max", "capacity") else field
            problems.append(Problem(f"svcattr_bad_{code}", {"value": value, "detail": detail}, file=file, row=row,
                                    column=str(found[field])))

        for field, col in found.items():
            text = str(rec[col]).strip() if rec[col] is not None else ""
            if field in KEY_FIELDS or not text:
                continue
            try:
                if field == "languages":
                    codes, unknown = parse_languages(text)
                    if unknown:
                        bad(field, text, ", ".join(unknown))
                        continue
                    values["languages"] = ", ".join(codes)
                elif field == "opening_hours":
                    parse_opening_hours(text)
                    values["opening_hours"] = text
                elif field == "barrier_free":
                    values["barrier_free"] = parse_bool(text)
                elif field == "cost":
                    values["cost"] = parse_cost(text)
                elif field == "age":
                    lo, hi = parse_age_range(text)
                    values.setdefault("age_min", lo)
                    values.setdefault("age_max", hi)
                else:                                           # age_min, age_max, capacity
                    number = float(text.replace(",", "."))
                    if number < 0 or number != round(number) or number > (120 if field != "capacity" else 1e6):
                        raise ValueError
                    values[field] = number
            except ValueError:
                bad(field, text)
        if values.get("age_min") is not None and values.get("age_max") is not None \
                and values["age_min"] > values["age_max"]:
            problems.append(Problem("svcattr_age_range", {"low": f"{values['age_min']:g}",
                                                          "high": f"{values['age_max']:g}"}, file=file, row=row,
                                    column=str(found.get("age_max") or found.get("age"))))
        out.append(values)
    return out


def _match(frame: pd.DataFrame, found: dict, key: str, services: pd.DataFrame,
           first_row: int) -> tuple[dict[int, str], list[int], list[tuple[int, list[str]]]]:
    """(row index → service id, file rows without a match, (file row, candidate ids) of rows
    with several)."""
    ids = services["service_id"].astype(str).tolist()
    by_id = set(ids)
    by_local: dict[str, list[str]] = {}
    for sid in ids:
        by_local.setdefault(sid.split(":", 1)[-1].casefold(), []).append(sid)
    names = [_name(n) for n in services["name"]]
    addresses = [normalise_address(a) for a in services["address"]]
    cat_of = dict(zip(ids, services["category"].astype(str)))
    matched, unmatched, ambiguous = {}, [], []
    for i, rec in enumerate(frame.to_dict("records")):
        row = first_row + i
        if key == "service_id":
            value = str(rec[found["service_id"]]).strip()
            cands = [value] if value in by_id else by_local.get(value.casefold(), [])
        else:
            name = _name(rec[found["name"]])
            addr = normalise_address(rec[found["address"]]) if "address" in found else set()
            # one address's words within the other's: "Beusselstr. 12" finds "Beusselstraße 12 10553 Berlin"
            # and "Rostocker Straße 3" is found by "rostocker str. 3, Berlin"
            cands = [sid for sid, n, a in zip(ids, names, addresses)
                     if name and n == name and (not addr or (a and (addr <= a or a <= addr)))]
        if "category" in found and str(rec[found["category"]]).strip() and len(cands) > 1:
            cat = str(rec[found["category"]]).strip()
            cands = [sid for sid in cands if cat_of[sid] == cat]
        if len(cands) == 1:
            matched[i] = cands[0]
        elif not cands:
            unmatched.append(row)
        else:
            ambiguous.append((row, cands))
    return matched, unmatched, ambiguous


def _duplicates(matched: dict[int, str]) -> dict[str, list[int]]:
    by_sid: dict[str, list[int]] = {}
    for i, sid in matched.items():
        by_sid.setdefault(sid, []).append(i)
    return {sid: rows for sid, rows in by_sid.items() if len(rows) > 1}
