"""The hand-made report warehouse (``tests/fixtures/warehouse.py``) cannot drift from the
real marts: each of its tables is a mart, and each of its columns is a column of that mart
with the same type."""

from __future__ import annotations

import duckdb

from plcqi import paths
from tests.fixtures import warehouse as fixtures


def _columns(path) -> dict[str, dict[str, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts'"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        out.setdefault(table, {})[column] = kind
    return out


def _family(kind: str) -> str:
    kind = kind.upper()
    if kind in ("INTEGER", "BIGINT", "HUGEINT", "SMALLINT"):
        return "integer"
    if kind in ("DOUBLE", "FLOAT", "REAL") or kind.startswith("DECIMAL"):
        return "number"
    return kind


def test_fixture_marts_are_a_subset_of_the_real_marts(demo_warehouse, tmp_path):
    fixtures.build(tmp_path)
    real = _columns(paths.warehouse(demo_warehouse))
    made = _columns(paths.warehouse(tmp_path))
    assert made, "the fixture warehouse has no marts"
    problems = []
    for table, columns in made.items():
        if table not in real:
            problems.append(f"{table}: not a mart")
            continue
        for column, kind in columns.items():
            if column not in real[table]:
                problems.append(f"{table}.{column}: not a column of the mart")
            elif _family(kind) != _family(real[table][column]):
                problems.append(f"{table}.{column}: {kind} here, {real[table][column]} in the mart")
    assert not problems, problems
