"""The dbt project as Airflow tasks (Cosmos), rendered from dbt's manifest.

Loading the manifest (``LoadMode.DBT_MANIFEST``) means the DAG processor never runs dbt: the
manifest is built beforehand by ``python -m plcqi.orchestration.setup`` (``dbt parse``) and
found at ``config.manifest_path()`` (``PLCQI_DBT_MANIFEST``).

Each model is one task running ``dbt build --select <model>``: the model, then its data tests
and unit tests, so a model whose tests fail stops the models downstream of it. Tests with
several parents (relationships) are detached into their own task after all their parents.
On DuckDB every dbt task runs in the one-slot pool: DuckDB allows one writer at a time.

Every dbt task of a run builds the run's build (``plcqi.transform.builds``), never the
warehouse: its environment (the new DuckDB file, or the Postgres schema suffix, and the
inputs snapshot) is rendered from what the run's ``prepare_warehouse`` task returned.
"""

from __future__ import annotations

from datetime import timedelta

from plcqi.orchestration import config

# The dbt variable every model reads; the value comes from the run's as-of task.
AS_OF_TEMPLATE = "{{{{ ti.xcom_pull(task_ids='{task_id}') }}}}"
# A variable of the run's build environment (Build.dbt_env), from the prepare task's value.
BUILD_ENV_TEMPLATE = "{{{{ ti.xcom_pull(task_ids='{task_id}')['build']['dbt_env']['{name}'] }}}}"


class ManifestMissing(FileNotFoundError):
    pass


def build_env(target: str, prepare_task_id: str) -> dict[str, str]:
    """The dbt tasks' environment variables that point at the run's build."""
    from plcqi.transform import builds

    names = [builds.ENV_INPUTS]
    names.append(builds.ENV_WAREHOUSE if target == "duckdb" else builds.ENV_SCHEMA_SUFFIX)
    return {n: BUILD_ENV_TEMPLATE.format(task_id=prepare_task_id, name=n) for n in names}


def dbt_task_group(
    group_id: str = "dbt", as_of_task_id: str = "as_of", prepare_task_id: str = "prepare_warehouse"
):
    """A ``DbtTaskGroup`` of the dbt project for the configured warehouse target."""
    from cosmos import (
        DbtTaskGroup,
        ExecutionConfig,
        ProfileConfig,
        ProjectConfig,
        RenderConfig,
    )
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

    from plcqi.transform.build import release_duckdb

    manifest = config.manifest_path()
    if not manifest.is_file():
        raise ManifestMissing(
            f"dbt manifest not found at {manifest}: build it with "
            "`python -m plcqi.orchestration.setup` (or set PLCQI_DBT_MANIFEST)"
        )
    project_dir = config.dbt_project_dir()
    target = config.warehouse_target()
    return DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=project_dir,
            manifest_path=manifest,
            env_vars={
                "PLCQI_DATA_DIR": str(config.data_dir()),
                "DO_NOT_TRACK": "1",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                **build_env(target, prepare_task_id),
            },
        ),
        profile_config=ProfileConfig(
            profile_name="plcqi",
            target_name=target,
            profiles_yml_filepath=project_dir / "profiles.yml",
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.BUILD,
            should_detach_multiple_parents_tests=True,
            emit_datasets=False,
        ),
        operator_args={
            "vars": {"as_of_date": AS_OF_TEMPLATE.format(task_id=as_of_task_id)},
            "install_deps": False,
            # A worker runs each task in its own process, but ``dag.test()`` runs them all
            # in one, where the marts gate and the reports then open the file read-only.
            "callback": release_duckdb,
            "execution_timeout": timedelta(minutes=30),
            **config.duckdb_task_args(),
        },
        default_args=config.default_args(),
    )
