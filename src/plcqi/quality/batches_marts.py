"""The marts stage's batches as pandas DataFrames, read through a READ-ONLY DuckDB connection
to the warehouse (Great Expectations' SQL datasource is not used: it is broken on DuckDB).

A batch is a mart table, sometimes with derived check columns (prefixed ``check_``) computed
in SQL so that a cross-column or cross-table rule becomes a plain column expectation:

- ``table:<name>``: ``select * from marts.<name>`` plus the checks of ``DERIVED``;
- ``rates``: every ``*_rate`` column of the marts without a suite of their own, long format
  (table, column, row_key, rate);
- ``columns``: the marts' columns (table_name, column_name), for the personal-data rule.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from plcqi.sql import ident, literal

SCHEMA = "marts"

DERIVED = {
    "fct_followup_uptake": """
        select *,
            date_diff('day', cohort_end_on, window_end_on) as check_window_days
        from marts.fct_followup_uptake
    """,
    "dim_cohorts": """
        select *,
            date_diff('day', cohort_end_on, window_end_on) as check_window_days
        from marts.dim_cohorts
    """,
    # The trend recounted from the grantee-cohorts: complete windows in the figures, open
    # windows only in open_window_grantee_cohorts.
    "agg_uptake_trend": """
        with recount as (
            select
                center_id,
                date_trunc('quarter', cohort_end_on)::date as quarter_start_on,
                count(*) filter (where window_complete) as complete_windows,
                count(*) filter (where window_complete and took_up_related) as complete_related,
                count(*) filter (where not coalesce(window_complete, false)) as open_windows
            from marts.fct_followup_uptake
            group by all
        )
        select
            trend.*,
            coalesce(recount.complete_windows, 0) as check_complete_windows,
            coalesce(recount.complete_related, 0) as check_complete_related,
            coalesce(recount.open_windows, 0) as check_open_windows
        from marts.agg_uptake_trend as trend
        left join recount
            on trend.center_id = recount.center_id
            and trend.quarter_start_on is not distinct from recount.quarter_start_on
    """,
    "fct_phase_metrics": """
        select *,
            abs(value - numerator::double / nullif(denominator, 0)) as check_value_error,
            value - ci_low as check_ci_low_gap,
            ci_high - value as check_ci_high_gap,
            count(*) over (partition by cohort_id) as check_metrics_of_cohort
        from marts.fct_phase_metrics
    """,
}


def connect(data_dir: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection (UTC) to the warehouse: the current one, or the new build the
    gate validates before its promotion (:func:`plcqi.transform.builds.reading`)."""
    from plcqi.transform import builds

    if not builds.current(data_dir).is_file():
        raise FileNotFoundError(f"no warehouse at {builds.current(data_dir)}: run "
                                "`plcqi transform` first")
    try:
        return builds.open_read_only(data_dir)
    except builds.WarehouseUnavailable as e:
        raise ValueError(str(e)) from None


def tables(con) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1",
        [SCHEMA],
    ).fetchall()]


# Columns that stay doubles even when every value is whole (a rate of 1, an interval of 0).
_DOUBLE_SUFFIXES = ("_rate", "_lift", "ci_low", "ci_high")


def table_frame(con, table: str):
    sql = DERIVED.get(table, f"select * from {ident(SCHEMA)}.{ident(table)}")
    df = con.execute(sql).df()
    # HUGEINT sums arrive as float64; counts read better as nullable integers.
    for c in df.columns:
        if df[c].dtype == "float64" and not c.endswith(_DOUBLE_SUFFIXES) and c not in (
            "value", "target_value", "check_value_error", "median_days_to_first_followup"
        ) and df[c].dropna().apply(float.is_integer).all():
            df[c] = df[c].astype("Int64")
    return df


def columns_frame(con):
    return con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [SCHEMA],
    ).df()


def rates_frame(con, exclude: set[str]):
    """Every ``*_rate`` column of the marts not in ``exclude``, one row per value."""
    import pandas as pd

    parts = []
    cols = columns_frame(con)
    for table, group in cols.groupby("table_name", sort=True):
        if table in exclude:
            continue
        rate_cols = [c for c in group["column_name"] if c.endswith("_rate")]
        if not rate_cols:
            continue
        keys = [c for c in group["column_name"] if c.endswith("_id") or c in ("wave",)]
        key_expr = " || ', ' || ".join(
            f"{literal(k + '=')} || coalesce(cast({ident(k)} as varchar), 'null')" for k in keys
        ) or "''"
        union = " union all ".join(
            f"select {literal(table)} as table_name, {literal(c)} as column_name, "
            f"{key_expr} as row_key, cast({ident(c)} as double) as rate "
            f"from {ident(SCHEMA)}.{ident(table)}"
            for c in rate_cols
        )
        parts.append(con.execute(union).df())
    if not parts:
        return pd.DataFrame({"table_name": [], "column_name": [], "row_key": [], "rate": []})
    return pd.concat(parts, ignore_index=True)


def frames(data_dir: Path, batches: dict[str, dict]) -> dict[str, object]:
    """The named batches (``table:<name>``, ``rates``, ``columns``) of the warehouse;
    ``batches`` maps each to its suite's meta (``rates`` reads ``exclude_tables``). A table
    missing from the warehouse gives None."""
    con = connect(data_dir)
    try:
        present = set(tables(con))
        out: dict[str, object] = {}
        for b, meta in sorted(batches.items()):
            if b.startswith("table:"):
                table = b.split(":", 1)[1]
                out[b] = table_frame(con, table) if table in present else None
            elif b == "rates":
                out[b] = rates_frame(con, exclude=set(meta.get("exclude_tables", [])))
            elif b == "columns":
                out[b] = columns_frame(con)
            else:
                raise ValueError(f"unknown marts batch {b!r}")
        return out
    finally:
        con.close()


def warehouse_as_of(data_dir: Path):
    """The as-of date the marts were built for (``fct_phase_metrics.as_of_date``)."""
    con = connect(data_dir)
    try:
        if "fct_phase_metrics" not in tables(con):
            return None
        return con.execute(
            f"select max(as_of_date) from {ident(SCHEMA)}.fct_phase_metrics").fetchone()[0]
    finally:
        con.close()
