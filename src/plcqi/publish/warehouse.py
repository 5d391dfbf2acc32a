"""Read-only access to the marts: the current warehouse, the last complete build (a build
under way writes another file, :mod:`plcqi.transform.builds`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb

from plcqi.publish.safety import check_marts
from plcqi.transform import builds

# Every mart the reports read (tests/publish/test_no_metrics_in_publish.py checks the list
# against the queries of publish/): a warehouse without one is refused with a plain message.
MARTS = (
    "dim_centers", "dim_opportunities", "dim_cohorts", "dim_grantees", "fct_attendance",
    "fct_followup_uptake", "agg_uptake_trend", "fct_phase_metrics", "fct_poll_results",
    "fct_survey_outcomes", "rpt_report_period", "rpt_headlines", "rpt_headline_changes",
    "rpt_attendance_grid", "rpt_attendance_pooled", "rpt_attendance_sessions",
    "rpt_center_ta_by_grantee", "rpt_cohort_barriers", "rpt_cohort_summary",
    "rpt_uptake_change", "rpt_uptake_reach", "rpt_uptake_segment_totals",
    "rpt_uptake_segments", "rpt_uptake_theories_of_change",
    "fct_ta_plan_stages", "agg_ta_needs_region_quarter", "agg_ta_needs_region_trend",
    "agg_ta_planning_region", "fct_grantee_profile", "fct_grantee_cohorts",
)


class PublishError(RuntimeError):
    """The reports cannot be built (no warehouse, a mart missing, the wrong as-of date)."""


def warehouse_path(data_dir: Path | str) -> Path:
    """The DuckDB file the reports read (the build being validated, inside
    :func:`plcqi.transform.builds.reading`)."""
    return builds.current(data_dir)


@contextmanager
def read_only(data_dir: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse (UTC); :class:`PublishError` with one plain
    sentence when there is none or it cannot be opened."""
    try:
        con = builds.open_read_only(data_dir)
    except builds.WarehouseUnavailable as e:
        raise PublishError(str(e)) from None
    try:
        yield con
    finally:
        con.close()


@contextmanager
def connect(data_dir: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, checked to hold every mart and no personal
    column."""
    with read_only(data_dir) as con:
        cols: dict[str, list[str]] = {}
        for table, col in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            cols.setdefault(table, []).append(col)
        missing = [m for m in MARTS if m not in cols]
        if missing:
            raise PublishError(f"the warehouse lacks mart(s) {', '.join(missing)}: run transform")
        check_marts(cols)
        yield con


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def built_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The as-of date the marts were computed for."""
    value = con.execute("select max(as_of_date) from marts.dim_cohorts").fetchone()[0]
    if value is None:
        value = con.execute("select max(as_of_date) from marts.fct_phase_metrics").fetchone()[0]
    if value is None:
        raise PublishError("the marts hold no cohort: nothing to report")
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def check_as_of(con: duckdb.DuckDBPyConnection, as_of: date | None) -> date:
    """The report's as-of date: the warehouse's, which a requested date must match (the marts
    are computed for one as-of date; another needs ``plcqi transform --as-of``)."""
    built = built_as_of(con)
    if as_of is not None and as_of != built:
        raise PublishError(
            f"the warehouse was built as of {built}, not {as_of}: run "
            f"`plcqi transform --as-of {as_of}` first"
        )
    return built
