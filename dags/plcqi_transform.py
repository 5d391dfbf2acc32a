"""Transform DAG: runs when every source has delivered (Assets), builds a new warehouse with
dbt as Airflow tasks (Cosmos, one ``dbt build`` per layer) from a snapshot of the raw zone,
validates it with the marts quality gate, then promotes it in one step, which emits the marts
Asset the report DAG waits for. A run that fails anywhere leaves the previous warehouse; its
build is kept aside (``warehouse/failed.duckdb``).

Configuration only; see ``plcqi.orchestration`` for what the tasks do.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import TriggerRule, dag, task

from plcqi.orchestration import assets, config, tasks
from plcqi.orchestration.cosmos_group import dbt_task_group


@dag(
    dag_id="plcqi_transform",
    description="dbt build of a new warehouse, the marts quality gate, then its promotion",
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
    def prepare_warehouse(as_of: str, **context) -> dict:
        return tasks.prepare_warehouse(as_of, context)

    @task(multiple_outputs=False, execution_timeout=timedelta(minutes=30))
    def raw_quality_gate(as_of: str) -> dict:
        return tasks.quality_gate("raw", as_of)

    @task(multiple_outputs=False, execution_timeout=timedelta(minutes=30),
          **config.duckdb_task_args())
    def marts_quality_gate(as_of: str, prepared: dict) -> dict:
        return tasks.quality_gate("marts", as_of, prepared)

    @task(outlets=[assets.marts()], multiple_outputs=False,
          execution_timeout=timedelta(minutes=30), **config.duckdb_task_args())
    def promote(prepared: dict, as_of: str, **context) -> dict:
        return tasks.promote_build(prepared, as_of, context)

    # Runs only when something before it failed; skipped otherwise.
    @task(multiple_outputs=False, trigger_rule=TriggerRule.ONE_FAILED,
          execution_timeout=timedelta(minutes=30), **config.duckdb_task_args())
    def discard_failed_build(**context) -> dict:
        return tasks.discard_failed_build(context)

    day = as_of()
    prepared = prepare_warehouse(day)
    dbt = dbt_task_group(group_id="dbt", as_of_task_id="as_of",
                         prepare_task_id="prepare_warehouse")
    gate = marts_quality_gate(day, prepared)
    promoted = promote(prepared, day)
    prepared >> raw_quality_gate(day) >> dbt >> gate >> promoted
    promoted >> discard_failed_build()


plcqi_transform()
