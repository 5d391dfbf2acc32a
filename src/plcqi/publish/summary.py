"""Short read-only summaries of the marts, for the end of ``plcqi run``."""

from __future__ import annotations

from pathlib import Path

import duckdb

from plcqi import paths


def marts_summary(data_dir: Path | str | None = None) -> list[dict]:
    """Per center: cohorts, participating grantee-cohorts, and follow-up uptake over complete
    windows against the non-participant baseline (METRICS.md), from a read-only connection."""
    con = duckdb.connect(str(paths.warehouse(data_dir)), read_only=True)
    try:
        rows = con.execute(
            """
            with cohorts as (
                select center_id, count(*) as cohorts,
                    count(*) filter (where cohort_end_on is null) as ongoing
                from marts.dim_cohorts group by center_id
            ),
            uptake as (
                select center_id,
                    count(*) as grantee_cohorts,
                    count(*) filter (where window_complete) as complete,
                    count(*) filter (where window_complete and took_up_related) as took_up,
                from marts.fct_followup_uptake group by center_id
            ),
            lift as (
                select center_id,
                    avg(value) filter (where metric = 'followup_lift') as mean_lift
                from marts.fct_phase_metrics group by center_id
            )
            select c.center_id, coalesce(k.cohorts, 0), coalesce(k.ongoing, 0),
                coalesce(u.grantee_cohorts, 0), coalesce(u.complete, 0),
                coalesce(u.took_up, 0), l.mean_lift
            from marts.dim_centers c
            left join cohorts k using (center_id)
            left join uptake u using (center_id)
            left join lift l using (center_id)
            order by c.center_id
            """
        ).fetchall()
    finally:
        con.close()
    out = []
    for center, cohorts, ongoing, gc, complete, took_up, lift in rows:
        rate = f"{took_up / complete:.0%}" if complete else "-"
        out.append(
            {
                "center": center,
                "cohorts": cohorts,
                "ongoing": ongoing,
                "grantee_cohorts": gc,
                "windows_complete": complete,
                "took_up_related": took_up,
                "uptake": rate,
                "mean_lift": "-" if lift is None else f"{lift:+.0%}",
            }
        )
    return out
