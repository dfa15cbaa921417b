"""Read and check composite-index definitions (TOML files in data/indices/, or JSON stored in
the workspace for definitions a user copied and changed in the app)."""
from __future__ import annotations

import tomllib
from dataclasses import asdict
from pathlib import Path

from jmdiq_geo.analysis.index import (STANDARDISATIONS, ClassDef, Component, IndexDef, Overall,
                                      WeightedIndicator)
from jmdiq_geo.config import REPO_ROOT
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.io.documents import build

INDICES_DIR = REPO_ROOT / "data" / "indices"


def index_from_dict(doc: dict, *, known_indicators: set[str] | None = None, file: str | None = None) -> IndexDef:
    """Build an ``IndexDef`` from its document (``[index]``, ``[[components]]``, ``[overall]``);
    every problem is reported at once."""
    problems: list[Problem] = []
    components = []
    for i, raw in enumerate(doc.get("components", [])):
        where = f"components[{i + 1}]"
        raw = dict(raw)
        inds = [build(WeightedIndicator, w, f"{where}.indicators", problems) for w in raw.pop("indicators", [])]
        classes = [build(ClassDef, c, f"{where}.classes", problems) for c in raw.pop("classes", [])]
        comp = build(Component, {**raw, "indicators": [w for w in inds if w], "classes": [c for c in classes if c]},
                      where, problems)
        if comp is None:
            continue
        if comp.standardise not in STANDARDISATIONS or (comp.restandardise not in (None, *STANDARDISATIONS)):
            problems.append(Problem("index_standardise", {"where": where, "known": ", ".join(STANDARDISATIONS)}))
        if not comp.indicators or not comp.classes:
            problems.append(Problem("index_component_empty", {"where": where}))
        uppers = [c.upper for c in comp.classes if c.upper is not None]
        if uppers != sorted(uppers):
            problems.append(Problem("index_thresholds", {"where": where}))
        for w in comp.indicators:
            if w.direction not in ("higher_worse", "higher_better"):
                problems.append(Problem("index_direction", {"where": where, "indicator": w.id}))
        components.append(comp)
    overall = build(Overall, doc["overall"], "overall", problems) if doc.get("overall") else None
    head = dict(doc.get("index", {}))
    definition = build(IndexDef, {**head, "components": components, "overall": overall}, "index", problems)
    if not components:
        problems.append(Problem("index_component_empty", {"where": "components"}))
    if definition and known_indicators is not None:
        unknown = sorted(set(definition.indicator_ids()) - known_indicators)
        if unknown:
            problems.append(Problem("indicator_unknown", {"indicators": ", ".join(unknown)}))
    if problems:
        raise SchemaError([Problem(p.code, p.params, file=file) for p in problems])
    return definition


def index_to_dict(definition: IndexDef) -> dict:
    """The document form of a definition (inverse of ``index_from_dict``)."""
    d = asdict(definition)
    components, overall = d.pop("components"), d.pop("overall")
    return {"index": d, "components": components, **({"overall": overall} if overall else {})}


def read_index_doc(path: Path | str) -> dict:
    """The document of a definition file, unchecked (a syntax error is a SchemaError)."""
    path = Path(path)
    if not path.exists():
        raise SchemaError(Problem("manifest_missing", {"path": str(path)}))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(Problem("manifest_syntax", {"reason": str(exc)}, file=path.name)) from None


def load_index_file(path: Path | str, *, known_indicators: set[str] | None = None) -> IndexDef:
    return index_from_dict(read_index_doc(path), known_indicators=known_indicators, file=Path(path).name)


def shipped_indices() -> dict[str, Path]:
    """Definitions that come with the app: id (file stem) → path."""
    return {p.stem: p for p in sorted(INDICES_DIR.glob("*.toml"))}
