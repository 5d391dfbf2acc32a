"""Short read-only summaries of the marts, for the end of ``plcqi run`` and ``plcqi summary``.

The figures are the reports' headline figures (``marts.rpt_headlines``: follow-up uptake over
complete windows, the pooled non-participant baseline and the lift, with 95% intervals), so
the terminal and the reports never disagree; nothing is computed here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from plcqi import paths
from plcqi.publish import cells
from plcqi.publish.warehouse import rows

_QUERY = """
    with scopes as (
        select center_id, 0 as ordering from marts.dim_centers
        union all
        select 'ALL' as center_id, 1 as ordering
    ),
    cohorts as (
        select center_id, count(*) as cohorts,
            count(case when cohort_end_on is null then 1 end) as ongoing
        from marts.dim_cohorts group by center_id
        union all
        select 'ALL', count(*), count(case when cohort_end_on is null then 1 end)
        from marts.dim_cohorts
    ),
    figures as (
        select center_id,
            max(case when figure = 'followup_uptake_rate' then numerator end) as took_up,
            max(case when figure = 'followup_uptake_rate' then denominator end) as complete,
            max(case when figure = 'followup_uptake_rate' then value end) as uptake,
            max(case when figure = 'followup_uptake_rate' then ci_low end) as uptake_low,
            max(case when figure = 'followup_uptake_rate' then ci_high end) as uptake_high,
            max(case when figure = 'followup_baseline_rate' then value end) as baseline,
            max(case when figure = 'followup_lift' then value end) as lift,
            max(case when figure = 'followup_lift' then ci_low end) as lift_low,
            max(case when figure = 'followup_lift' then ci_high end) as lift_high,
            max(case when figure = 'open_window_grantee_cohorts' then value end) as open_windows
        from marts.rpt_headlines
        where period = 'current'
        group by center_id
    )
    select s.center_id, coalesce(c.cohorts, 0) as cohorts, coalesce(c.ongoing, 0) as ongoing,
        f.*
    from scopes s
    left join cohorts c using (center_id)
    left join figures f using (center_id)
    order by s.ordering, s.center_id
"""


def _read(data_dir: Path | str | None, sql: str) -> list[dict]:
    """The rows of a query on the warehouse, read-only; none when it cannot be read."""
    try:
        con = duckdb.connect(str(paths.warehouse(data_dir)), read_only=True)
    except duckdb.Error:
        return []
    try:
        return rows(con, sql)
    except duckdb.Error:
        return []
    finally:
        con.close()


def marts_summary(data_dir: Path | str | None = None) -> list[dict]:
    """Per center, then all centers: cohorts (ongoing ones apart), grantee-cohorts whose
    follow-up window is complete and open, uptake of related TA with its 95% interval, the
    non-participant baseline and the lift (METRICS.md), from a read-only connection; no
    row when the warehouse or its marts cannot be read (a failed build: the run says why)."""
    found = _read(data_dir, _QUERY)
    out = []
    for r in found:
        complete = int(r["complete"] or 0)
        uptake = cells.interval(r["uptake_low"], r["uptake_high"])
        lift = cells.interval(r["lift_low"], r["lift_high"], "difference")
        out.append({
            "center": r["center_id"],
            "cohorts": r["cohorts"],
            "ongoing": r["ongoing"],
            "windows_complete": complete,
            "windows_open": int(r["open_windows"] or 0),
            "took_up_related": int(r["took_up"] or 0),
            "uptake": "-" if r["uptake"] is None else f"{cells.pct(r['uptake'])} ({uptake})",
            "baseline": "-" if r["baseline"] is None else cells.pct(r["baseline"]),
            "lift": "-" if r["lift"] is None else f"{cells.points(r['lift'])} ({lift})",
        })
    return out


def regions_summary(data_dir: Path | str | None = None) -> list[dict]:
    """Per ACF region, its TA planning report's headline (``marts.agg_ta_planning_region``):
    grantees, late and stalled plans, topics rising faster than the nation, grantees in peer
    learning and that followed up, and grantees with no TA in the period; no row when the
    warehouse or its marts cannot be read."""
    found = _read(data_dir, "select * from marts.agg_ta_planning_region order by acf_region")
    return [{
        "region": r["acf_region"],
        "grantees": r["grantees"],
        "plans_late": r["plans_late"],
        "plans_stalled": r["plans_stalled"],
        "topics_rising": r["topics_rising"],
        "in_peer_learning": r["grantees_in_peer_learning"],
        "followed_up": r["grantees_followed_up"],
        "no_ta_in_period": r["grantees_no_ta_in_period"],
    } for r in found]
