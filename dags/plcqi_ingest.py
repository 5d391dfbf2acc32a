"""Ingest DAGs: one per source, each on its own schedule, each emitting its source's Asset.

Configuration only: what runs is ``plcqi.ingest.ingest`` through
``plcqi.orchestration.tasks``. A run's as-of date is the last day of its data interval
(``plcqi.orchestration.dates``); ingestion itself is idempotent (files load once by hash).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, dag, task

from plcqi.orchestration import assets, config, tasks

# source: (cron, what it reads)
SOURCES = {
    "reference": ("0 0 * * *", "Reference data (centers, opportunities, cohorts, sessions, "
                  "people, enrollments, theory-of-change targets) from landing/reference/."),
    "ta_requests": ("0 0 * * *", "TA request change rows from the tracker's CSV exports "
                    "(landing/ta_requests/)."),
    "ta_requests_db": ("0 * * * *", "TA request change rows pulled from the tracker's "
                       "Postgres (PLCQI_TRACKER_DSN), incrementally by updated_at. Skipped "
                       "when PLCQI_TRACKER_DSN is not set."),
    "attendance": ("0 0 * * *", "Webinar attendance exports (landing/attendance/)."),
    "polls": ("0 0 * * *", "In-session poll responses (landing/polls/)."),
    "surveys": ("0 0 * * *", "Midpoint and six-month surveys (landing/surveys/)."),
}


def ingest_dag(source: str, cron: str, doc: str):
    interval = timedelta(hours=1) if cron.startswith("0 * ") else timedelta(days=1)

    @dag(
        dag_id=f"plcqi_ingest_{source}",
        description=f"Ingest {source} into the raw zone",
        doc_md=doc,
        schedule=CronTriggerTimetable(cron, timezone="UTC", interval=interval),
        start_date=config.start_date(),
        catchup=False,
        max_active_runs=1,
        default_args=config.default_args(),
        tags=[*config.TAGS, "ingest", source],
    )
    def ingest():
        @task(outlets=[assets.raw(source)], max_active_tis_per_dag=1, multiple_outputs=False)
        def load(**context) -> dict:
            return tasks.ingest_source(source, context)

        @task(retries=0)
        def check_rejections(summary: dict) -> None:
            tasks.check_rejections(summary)

        check_rejections(load())

    return ingest()


for _source, (_cron, _doc) in SOURCES.items():
    ingest_dag(_source, _cron, _doc)
