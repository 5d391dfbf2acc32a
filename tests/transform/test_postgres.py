"""Issue: the same dbt models on DuckDB and on Postgres give the same mart rows.

Builds both targets from one generated, ingested raw zone — the Postgres one in a database
this test creates and drops — and compares every table of schema ``marts`` row by row; then
"publishes" the previous quarter's headline figures into the history and builds both again
(a second Postgres build into the same database), where both must read the published figures.

Between the two, a Postgres build (as of another date) is SIGKILLed halfway: the marts are
still the first build's, row for row, and the next build removes the schemas it left.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from plcqi.generate import generate
from plcqi.ingest.run import ingest
from plcqi.sql import literal
from plcqi.transform.build import transform
from tests.transform.test_atomic_builds import DbtLog, kill_when

AS_OF = date(2026, 6, 30)
PREVIOUS_AS_OF = date(2026, 3, 31)
CONTRACT_MARTS = (
    "fct_followup_uptake",
    "agg_uptake_trend",
    "fct_phase_metrics",
    "dim_centers",
    "dim_opportunities",
    "dim_cohorts",
    "dim_grantees",
    "fct_attendance",
    "fct_survey_outcomes",
    "fct_poll_results",
    "fct_ta_requests",
    "fct_ta_plan_stages",
    "agg_ta_needs_region_quarter",
    "agg_ta_needs_region_trend",
    "fct_grantee_profile",
    "fct_grantee_cohorts",
)


def normal(value):
    """One spelling per value across engines: floats to 9 places, dates as ISO text."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def rows(cursor, table: str) -> tuple[list[str], list[tuple]]:
    cursor.execute(f"select * from marts.{table}")
    names = [d[0] for d in cursor.description]
    order = sorted(range(len(names)), key=lambda i: names[i])
    data = [tuple(normal(r[i]) for i in order) for r in cursor.fetchall()]
    return sorted(names), sorted(data, key=lambda r: tuple((x is None, str(x)) for x in r))


@pytest.mark.postgres
@pytest.mark.slow
def test_duckdb_and_postgres_marts_are_identical(tmp_path, pg_dsn, monkeypatch):
    generate(tmp_path, seed=7, scale=0.5, as_of=AS_OF)
    assert ingest(tmp_path).ok

    info = conninfo_to_dict(pg_dsn)
    monkeypatch.setenv("PLCQI_PG_HOST", info.get("host", "127.0.0.1"))
    monkeypatch.setenv("PLCQI_PG_PORT", str(info.get("port", 5432)))
    monkeypatch.setenv("PLCQI_PG_USER", info.get("user", "postgres"))
    monkeypatch.setenv("PLCQI_PG_DBNAME", info["dbname"])

    _build_both_and_compare(tmp_path, pg_dsn)

    # Killed halfway: the marts are the first build's; its schemas are left until the next.
    log = DbtLog(tmp_path)
    killed = subprocess.Popen(
        [str(Path(sys.executable).parent / "plcqi"), "transform", "--target", "postgres",
         "--data-dir", str(tmp_path), "--as-of", PREVIOUS_AS_OF.isoformat()],
        env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert kill_when(killed.pid, lambda: log.started() >= 20)
    assert killed.wait() == -signal.SIGKILL
    assert "marts__build_cli" in _schemas(pg_dsn)
    _compare(tmp_path, pg_dsn)

    # The previous quarter's headlines as if published then (this build's figures, dated
    # 2026-03-31): both targets now compare with them.
    warehouse = tmp_path / "warehouse" / "plcqi.duckdb"
    published = tmp_path / "history" / PREVIOUS_AS_OF.isoformat() / "rpt_headlines.parquet"
    published.parent.mkdir(parents=True)
    duck = duckdb.connect(str(warehouse), read_only=True)
    try:
        duck.execute(
            "copy (select * replace (date '2026-03-31' as as_of_date) from marts.rpt_headlines "
            f"where period = 'current') to {literal(str(published))} (format parquet)")
    finally:
        duck.close()
    _build_both_and_compare(tmp_path, pg_dsn)
    duck = duckdb.connect(str(warehouse), read_only=True)
    try:
        sources = duck.execute("select distinct previous_source from marts.rpt_headline_changes "
                               "where previous_source is not null").fetchall()
    finally:
        duck.close()
    assert sources == [("published",)]
    assert not [s for s in _schemas(pg_dsn) if "__build_" in s or "__old_" in s]


def _schemas(pg_dsn) -> list[str]:
    with psycopg.connect(pg_dsn) as pg:
        return [r[0] for r in pg.execute("select nspname from pg_namespace").fetchall()]


def _build_both_and_compare(data_dir, pg_dsn) -> None:
    duck_result = transform(data_dir, target="duckdb", as_of=AS_OF)
    pg_result = transform(data_dir, target="postgres", as_of=AS_OF)
    assert duck_result.success and pg_result.success
    assert duck_result.promoted and pg_result.promoted
    assert duck_result.status_counts == pg_result.status_counts
    _compare(data_dir, pg_dsn)


def _compare(data_dir, pg_dsn) -> None:
    duck = duckdb.connect(str(data_dir / "warehouse" / "plcqi.duckdb"), read_only=True)
    try:
        with psycopg.connect(pg_dsn) as pg, pg.cursor() as pg_cur:
            marts = [r[0] for r in duck.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1").fetchall()]
            pg_cur.execute("select table_name from information_schema.tables "
                           "where table_schema = 'marts' order by 1")
            assert [r[0] for r in pg_cur.fetchall()] == marts
            assert set(CONTRACT_MARTS) <= set(marts)
            for table in marts:
                d_names, d_rows = rows(duck.cursor(), table)
                p_names, p_rows = rows(pg_cur, table)
                assert d_names == p_names, table
                assert len(d_rows) > 0, table
                assert d_rows == p_rows, table
    finally:
        duck.close()
