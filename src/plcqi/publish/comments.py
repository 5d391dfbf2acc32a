"""Free-text survey comments: off unless the operator enables them; then read from the raw
zone (the marts hold none), only for cohort-waves with at least ``min_cell_size`` responses,
with emails and phone numbers redacted. The template escapes them like every other text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from plcqi.ingest.rawzone import Zone, parquet_list
from plcqi.publish.safety import redact


def survey_comments(data_dir: Path, cohort_ids: list[str], as_of: date,
                    min_cell_size: int) -> dict[str, list[dict]]:
    """cohort_id -> [{"wave", "text"}], redacted, oldest first."""
    out: dict[str, list[dict]] = {}
    if not cohort_ids:
        return out
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        for wave in ("midpoint", "six_month"):
            files = Zone(Path(data_dir)).raw_files(f"surveys/{wave}")
            if not files:
                continue
            listing = parquet_list(files)
            try:
                found = con.execute(
                    f"""
                    with responses as (
                        select distinct response_id, cohort_id, submitted_at, comments
                        from read_parquet({listing}, union_by_name = true)
                        where cast(submitted_at as date) <= ?
                          and cohort_id in (select unnest(?::varchar[]))
                    ),
                    enough as (
                        select cohort_id from responses group by cohort_id
                        having count(distinct response_id) >= ?
                    )
                    select cohort_id, comments from responses
                    where cohort_id in (select cohort_id from enough)
                      and nullif(trim(comments), '') is not null
                    order by cohort_id, submitted_at, response_id
                    """,
                    [as_of, list(cohort_ids), min_cell_size],
                ).fetchall()
            except duckdb.Error:
                continue  # no comments column in this export: nothing to show
            for cohort_id, text in found:
                out.setdefault(cohort_id, []).append({"wave": wave, "text": redact(text)})
    finally:
        con.close()
    return out
