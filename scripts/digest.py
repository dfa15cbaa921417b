"""Print a digest of a workspace and of its walking-access outputs, to show that a refactoring
changed nothing: run it on a workspace built before and one built after and compare the lines.

    .venv/bin/python scripts/digest.py WORKSPACE.duckdb [--access kita,schule] [--level plr]

Per table: row count and a content hash over every column except the moments of writing
(``imported_at``, ``updated_at``, ``created_at``, ``changed_at``) and the import log's report
(which holds timings). With ``--access``, each category is run with ``use_cache=False`` on a copy
of the workspace and its area, origin and pair tables are hashed (rounded to 1e-9).
Only reads: access runs go to a temporary copy.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

VOLATILE = {"imported_at", "updated_at", "created_at", "changed_at"}
#: columns that hold run timings or a file path of the build, not data
SKIP = {("imports", "report"), ("imports", "file"), ("access_runs", "origins"), ("access_runs", "areas"),
        ("access_runs", "pairs"), ("access_runs", "report"), ("access_runs", "run_key")}


def table_digests(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        out = {}
        for table in tables:
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall()]
            keep = [c for c in cols if c not in VOLATILE and (table, c) not in SKIP]
            row_expr = "(" + ", ".join(f'"{c}"' for c in keep) + ")::VARCHAR"
            # the data generation counts write transactions: bookkeeping, not data
            where = " WHERE key <> 'data_generation'" if table == "meta" else ""
            n, h = con.execute(f"SELECT count(*), coalesce(sum(hash({row_expr})), 0) FROM \"{table}\"{where}").fetchone()
            out[table] = f"{n} rows, hash {h}"
        return out
    finally:
        con.close()


def _frame_hash(frame: pd.DataFrame) -> str:
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col]):
            frame[col] = frame[col].round(9)
    frame = frame.reset_index()
    text = frame.to_csv(index=False)
    return f"{len(frame)} rows, sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}"


def access_digests(path: Path, categories: list[str], level: str | None) -> dict[str, str]:
    from jmdiq_geo.store.workspace import Workspace
    from jmdiq_geo.services import access as runner

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        ws = Workspace(copy)
        # one cache of the network and the homes for all categories (``AccessCache`` since the
        # refactoring; before it, a module-level one)
        cache = {"cache": runner.AccessCache()} if hasattr(runner, "AccessCache") else {}
        for category in categories:
            access = runner.access_for(ws, category, level=level, use_cache=False, **cache)
            for part in ("areas", "origins", "pairs"):
                out[f"access {category} {part}"] = _frame_hash(getattr(access.result, part))
        ws.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--access", default="", help="comma-separated service categories to run")
    parser.add_argument("--level", default=None)
    args = parser.parse_args(argv)
    lines = table_digests(args.db)
    if args.access:
        lines.update(access_digests(args.db, [c for c in args.access.split(",") if c], args.level))
    for key, value in lines.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
