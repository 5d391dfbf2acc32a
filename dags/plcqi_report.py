"""Report DAG: on the marts Asset and monthly, one mapped task per center (center ids read
from the marts, read-only), one per ACF region (its TA planning report and its grantees'
profiles), the profiles of grantees with no region, the leadership report and the
data-quality page; then the
published history (what these reports read, which the next period compares with), the index,
and the report e-mails (each reader the link to their own report, once).

The as-of date is the triggering marts event's, or the month the run covers: the run at
2026-07-01 (and a backfill of it) renders the reports as of 2026-06-30; when the marts hold
another date (a backfill), ``ensure_marts`` rebuilds them for that date first.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task
from dateutil.relativedelta import relativedelta

from plcqi.orchestration import assets, config, tasks

REPORT_TASK_ARGS = {"execution_timeout": timedelta(minutes=30), **config.duckdb_task_args()}


@dag(
    dag_id="plcqi_report",
    description="CQI reports: one per center, one per ACF region with its grantees' profiles, "
    "leadership, index, e-mails",
    doc_md=__doc__,
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(
            "0 0 1 * *", timezone="UTC", interval=relativedelta(months=1)
        ),
        assets=[assets.marts()],
    ),
    start_date=config.start_date(),
    catchup=False,
    max_active_runs=1,
    default_args=config.default_args(),
    tags=[*config.TAGS, "report"],
)
def plcqi_report():
    @task
    def as_of(**context) -> str:
        return tasks.resolve_as_of(context)

    @task(multiple_outputs=False, **REPORT_TASK_ARGS)
    def ensure_marts(as_of: str) -> dict:
        return tasks.ensure_marts(as_of)

    @task(**REPORT_TASK_ARGS)
    def center_ids() -> list[str]:
        return tasks.center_ids()

    @task(**REPORT_TASK_ARGS)
    def center_report(center_id: str, as_of: str) -> str:
        return tasks.render_center(center_id, as_of)

    @task(**REPORT_TASK_ARGS)
    def region_ids() -> list[int]:
        return tasks.region_ids()

    @task(**REPORT_TASK_ARGS)
    def region_report(region: int, as_of: str) -> str:
        return tasks.render_region(region, as_of)

    @task(**REPORT_TASK_ARGS)
    def unassigned_grantee_profiles(as_of: str) -> list[str]:
        return tasks.render_unassigned_grantees(as_of)

    @task(**REPORT_TASK_ARGS)
    def leadership_report(as_of: str) -> str:
        return tasks.render_leadership(as_of)

    # After every report; a mapped task over no center or no region is skipped, which is
    # not a failure: the history is still kept and the index and e-mails still go out.
    @task(trigger_rule="none_failed", **REPORT_TASK_ARGS)
    def published_history(as_of: str) -> str:
        return tasks.keep_history(as_of)

    @task
    def data_quality_page(as_of: str) -> str:
        return tasks.render_data_quality(as_of)

    @task(**REPORT_TASK_ARGS)
    def index(history: str, data_quality: str) -> str:
        return tasks.render_index()

    @task
    def deliver(as_of: str) -> dict:
        return tasks.deliver(as_of)

    day = as_of()
    marts = ensure_marts(day)
    ids = center_ids()
    marts >> ids
    centers = center_report.partial(as_of=day).expand(center_id=ids)
    regions = region_ids()
    marts >> regions
    region_reports = region_report.partial(as_of=day).expand(region=regions)
    unassigned = unassigned_grantee_profiles(day)
    marts >> unassigned
    leadership = leadership_report(day)
    marts >> leadership
    data_quality = data_quality_page(day)
    marts >> data_quality
    history = published_history(day)
    [centers, region_reports, unassigned, leadership] >> history
    index(history, data_quality) >> deliver(day)


plcqi_report()
