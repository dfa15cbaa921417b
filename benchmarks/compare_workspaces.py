"""Two DuckDB workspaces compared table by table: the same tables, the same columns, the same
rows in the same stored order (e.g. the ``germany`` workspace built by two versions of the code).
    .venv/bin/python benchmarks/compare_workspaces.py A.duckdb B.duckdb [--strict-order]
Columns that hold the moment of writing (``TIMESTAMP`` columns: ``imported_at``, …) are left out;
every other value must be equal to the bit (doubles compared as doubles, geometries as their WKB
bytes), the rows of ``ORDERED`` tables in the same order. Prints one line per table and exits 1
on any difference.
"""
from __future__ import annotations

import sys

import duckdb

#: tables whose stored order is the order written (cells in file order, areas as read): another
#: order is a difference; elsewhere (``--strict-order``: everywhere) it is reported only. (The
#: three rows of ``indicators``, written by one ``INSERT OR REPLACE``, come out in either order
#: from one build of the same code to the next.)
ORDERED = ("grid_cells", "areas", "indicator_values", "imports")


def tables(con, db: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                       "WHERE table_catalog = ? ORDER BY table_name, ordinal_position", [db]).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append((column, dtype))
    return out


def compare(a: str, b: str, *, strict_order: bool = False) -> list[str]:
    """The differences between the workspaces ``a`` and ``b`` (empty: identical)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    ta, tb = tables(con, "a"), tables(con, "b")
    problems = []
    for name in sorted(set(ta) | set(tb)):
        if name not in ta or name not in tb:
            problems.append(f"{name}: only in {'a' if name in ta else 'b'}")
            continue
        if ta[name] != tb[name]:
            problems.append(f"{name}: columns differ: {ta[name]} vs {tb[name]}")
            continue
        cols = [c for c, dtype in ta[name] if not dtype.startswith("TIMESTAMP")]
        select = ", ".join(f'"{c}"' for c in cols)
        n_a = con.execute(f"SELECT count(*) FROM a.{name}").fetchone()[0]
        n_b = con.execute(f"SELECT count(*) FROM b.{name}").fetchone()[0]
        only_a, only_b = (con.execute(f"SELECT count(*) FROM (SELECT {select} FROM {x}.{name} EXCEPT ALL "
                                      f"SELECT {select} FROM {y}.{name})").fetchone()[0] for x, y in (("a", "b"), ("b", "a")))
        # each row with its place in the stored order (a scan of one table without ORDER BY
        # reads it in insertion order)
        numbered = "SELECT row_number() OVER () AS _row, {cols} FROM {db}.{name}"
        moved = con.execute(f"SELECT count(*) FROM (({numbered.format(cols=select, db='a', name=name)}) EXCEPT ALL "
                            f"({numbered.format(cols=select, db='b', name=name)}))").fetchone()[0]
        left_out = [c for c, dtype in ta[name] if dtype.startswith("TIMESTAMP")]
        same = n_a == n_b and not only_a and not only_b
        status = ("same" if not moved else "same rows, another order") if same else "DIFFERENT"
        print(f"  {name:28s} {status:9s} rows {n_a:>9,} / {n_b:>9,}"
              + (f"  (rows only in a: {only_a}, only in b: {only_b})" if not same else "")
              + (f"  [left out: {', '.join(left_out)}]" if left_out else ""))
        if not same:
            problems.append(f"{name}: {only_a} rows only in a, {only_b} only in b ({n_a} vs {n_b} rows)")
        elif moved and (strict_order or name in ORDERED):
            problems.append(f"{name}: the same rows in another order ({moved} rows elsewhere)")
    con.close()
    return problems


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--strict-order"]
    if len(args) != 2:
        sys.exit(__doc__)
    a, b = args
    print(f"a = {a}\nb = {b}")
    problems = compare(a, b, strict_order="--strict-order" in sys.argv)
    print("identical (but for the timestamps)" if not problems else "DIFFERENT:\n  " + "\n  ".join(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
