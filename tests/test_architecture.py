"""The house rules, read from the code itself (``ast``, nothing is imported or run):

- every module lives on one floor and imports only from the floors below it (``ALLOWED``);
- the package's import graph, function-level imports included, has no cycle (so no import
  inside a function hides one);
- SQL runs only in ``store/``: no ``execute(``, ``cursor()`` or ``.con`` anywhere else;
- ``streamlit`` is imported only by ``app.py``, ``views/`` and ``jmdiq_geo/ui/``;
- ``.to_crs(`` is called only in ``crs.py`` (the one CRS gate);
- page files stay thin and no module in ``ui/`` grows past ``UI_MAX_LINES``.

The same checks print as a report with ``python tests/test_architecture.py``.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jmdiq_geo"

GROUND = {"config", "errors", "i18n", "crs"}
#: floor → the floors it may import from (itself included)
ALLOWED = {
    "ground": {"ground"},
    "analysis": {"ground", "analysis"},
    "store": {"ground", "store"},
    "io": {"ground", "analysis", "io", "store"},
    "render": {"ground", "analysis", "render"},
    "services": {"ground", "analysis", "io", "store", "render", "services"},
    "ui": {"ground", "analysis", "render", "services", "ui"},
    "cli": {"ground", "analysis", "render", "services"},
    "pages": {"ground", "analysis", "render", "services", "ui"},
}
UI_MAX_LINES = 250
PAGE_MAX_LINES = 80


def floor_of(module: str) -> str:
    if not module.startswith("jmdiq_geo"):
        return "pages"
    parts = module.split(".")
    if len(parts) == 1:
        return "ground"                     # the package's __init__
    head = parts[1]
    if head in GROUND:
        return "ground"
    if head == "cli":
        return "cli"
    return head


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@lru_cache(maxsize=1)
def sources() -> dict[str, tuple[Path, ast.Module]]:
    files = sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "views").glob("*.py")) + [ROOT / "app.py"]
    return {module_name(p): (p, ast.parse(p.read_text(), filename=str(p))) for p in files}


def imports_of(tree: ast.Module) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import of the package, including
    ``from package import submodule`` (resolved to the submodule when it is one)."""
    known = set(sources())
    out = []

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                continue                     # imports for type hints only never run
            if isinstance(child, ast.Import):
                out.extend((a.name, child.lineno, in_function) for a in child.names if a.name.startswith("jmdiq_geo"))
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("jmdiq_geo"):
                for a in child.names:
                    sub = f"{child.module}.{a.name}"
                    out.append((sub if sub in known else child.module, child.lineno, in_function))
            visit(child, inner)
    visit(tree, False)
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(target: str) -> str:
    """The module an import names (a package's name stands for its ``__init__``)."""
    known = sources()
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target


def floor_violations() -> list[str]:
    found = []
    for name, (path, tree) in sources().items():
        floor = floor_of(name)
        for target, line, _ in imports_of(tree):
            target_floor = floor_of(_resolve(target))
            if target_floor not in ALLOWED[floor]:
                found.append(f"{path.relative_to(ROOT)}:{line}: {floor} imports {target} ({target_floor})")
    return found


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), function-level imports
    counted as edges."""
    graph = {name: sorted({_resolve(t) for t, _, _ in imports_of(tree)} - {name})
             for name, (_, tree) in sources().items()}
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, []):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))
    for v in graph:
        if v not in index:
            strong(v)
    return out


def sql_outside_store() -> list[str]:
    found = []
    for name, (path, tree) in sources().items():
        if name.startswith("jmdiq_geo.store"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "cursor", "con", "sql"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
    return found


def streamlit_outside_ui() -> list[str]:
    found = []
    for name, (path, tree) in sources().items():
        if floor_of(name) in ("ui", "pages"):
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] in ("streamlit", "streamlit_folium") for n in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def to_crs_outside_gate() -> list[str]:
    found = []
    for name, (path, tree) in sources().items():
        if name == "jmdiq_geo.crs":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "to_crs":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def oversized() -> list[str]:
    found = []
    for path in sorted((PACKAGE / "ui").glob("*.py")):
        n = len(path.read_text().splitlines())
        if n > UI_MAX_LINES:
            found.append(f"{path.relative_to(ROOT)}: {n} lines (at most {UI_MAX_LINES})")
    for path in sorted((ROOT / "views").glob("*.py")) + [ROOT / "app.py"]:
        n = len(path.read_text().splitlines())
        if n > PAGE_MAX_LINES:
            found.append(f"{path.relative_to(ROOT)}: {n} lines (a page file at most {PAGE_MAX_LINES})")
    return found


def test_floors_point_down():
    assert floor_violations() == []


def test_no_import_cycle_even_inside_functions():
    assert cycles() == []


def test_sql_only_in_store():
    assert sql_outside_store() == []


def test_streamlit_only_in_ui_and_pages():
    assert streamlit_outside_ui() == []


def test_to_crs_only_in_the_crs_gate():
    assert to_crs_outside_gate() == []


def test_pages_thin_and_ui_modules_small():
    assert oversized() == []


def test_checks_see_a_violation(tmp_path):
    """The readers are not blind: a made-up module with each violation is caught."""
    tree = ast.parse("import streamlit as st\nfrom jmdiq_geo.ui import widgets\n"
                     "def f(ws):\n    from jmdiq_geo.store import workspace\n    ws.con.execute('SELECT 1')\n"
                     "    return gdf.to_crs(3857)\n")
    found = imports_of(tree)
    assert ("jmdiq_geo.ui.widgets", 2, False) in found and ("jmdiq_geo.store.workspace", 4, True) in found
    assert floor_of("jmdiq_geo.analysis.index") == "analysis" and "ui" not in ALLOWED["analysis"]
    attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert {"con", "execute", "to_crs"} <= attrs


if __name__ == "__main__":
    for title, found in (("floors", floor_violations()), ("cycles", [" ↔ ".join(c) for c in cycles()]),
                         ("SQL outside store/", sql_outside_store()),
                         ("streamlit outside ui/ and pages", streamlit_outside_ui()),
                         ("to_crs outside crs.py", to_crs_outside_gate()), ("size", oversized())):
        print(f"{title}: {len(found)}")
        for line in found:
            print("  " + line)
