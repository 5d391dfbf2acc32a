"""Transform DAG: runs when every source has delivered (Assets), builds the warehouse with
dbt rendered as Airflow tasks (Cosmos, from the manifest), then the marts quality gate, which
emits the marts Asset the report DAG waits for.

Configuration only; see ``plcqi.orchestration`` for what the tasks do.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task

from plcqi.orchestration import assets, config, tasks
from plcqi.orchestration.cosmos_group import dbt_task_group


@dag(
    dag_id="plcqi_transform",
    description="dbt build of the warehouse, then the marts quality gate",
    doc_md=__doc__,
    schedule=assets.transform_schedule(),
    start_date=config.start_date(),
    catchup=False,
    max_active_runs=1,
    default_args=config.default_args(),
    tags=[*config.TAGS, "transform", "dbt"],
)
def plcqi_transform():
    @task
    def as_of(**context) -> str:
        return tasks.resolve_as_of(context)

    @task(multiple_outputs=False, execution_timeout=timedelta(minutes=30),
          **config.duckdb_task_args())
    def prepare_warehouse(as_of: str) -> dict:
        return tasks.prepare_warehouse(as_of)

    @task(multiple_outputs=False, execution_timeout=timedelta(minutes=30))
    def raw_quality_gate(as_of: str) -> dict:
        return tasks.quality_gate("raw", as_of)

    @task(outlets=[assets.marts()], multiple_outputs=False,
          execution_timeout=timedelta(minutes=30),
          **config.duckdb_task_args())
    def marts_quality_gate(as_of: str, **context) -> dict:
        return tasks.quality_gate("marts", as_of, context)

    day = as_of()
    dbt = dbt_task_group(group_id="dbt", as_of_task_id="as_of")
    prepare_warehouse(day) >> raw_quality_gate(day) >> dbt >> marts_quality_gate(day)


plcqi_transform()
