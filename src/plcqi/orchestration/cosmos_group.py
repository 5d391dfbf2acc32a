"""The dbt project as Airflow tasks (Cosmos): one ``dbt build`` per layer.

The ``dbt`` task group holds one Cosmos ``DbtBuildLocalOperator`` per layer of the project
(:data:`LAYERS`, the folders of ``dbt_project/models``), in order: ``dbt.staging`` →
``dbt.intermediate`` → ``dbt.marts``. Each task runs ``dbt build --select
path:models/<layer> --indirect-selection buildable`` in-process (``InvocationMode.DBT_RUNNER``):
the layer's models, their data tests (not the unit tests: ``BUILD_FLAGS``), and the tests that
join the layer to an earlier one (a relationships test of a mart on a staging model runs with
the marts). A model whose tests fail skips the models downstream of it and fails its task, so
no later layer runs and the build is not promoted. The task's log is dbt's, one line per model
and test as it finishes: the progress of the build.

Why per layer and not one task per model: every Airflow task costs about a second of its own
(a process, the task runner, dbt's start), and the project has some seventy models; per
layer the transform DAG takes about as long as ``plcqi transform`` (``plcqi bench``). The
DAG file does not read dbt's manifest, so it parses in a fresh Airflow home before anything
is built. On DuckDB every dbt task runs in the one-slot pool: DuckDB allows one writer.

Every dbt task of a run builds the run's build (``plcqi.transform.builds``), never the
warehouse: its environment (the new DuckDB file, or the Postgres schema suffix, and the
inputs snapshot) is rendered from what the run's ``prepare_warehouse`` task returned.
"""

from __future__ import annotations

from datetime import timedelta

from plcqi import paths
from plcqi.orchestration import config

# The folders of dbt_project/models, in build order; every model is in one of them (a test
# checks this against dbt's manifest).
LAYERS = ("staging", "intermediate", "marts")
# The dbt variable every model reads; the value comes from the run's as-of task.
AS_OF_TEMPLATE = "{{{{ ti.xcom_pull(task_ids='{task_id}') }}}}"
# A variable of the run's build environment (Build.dbt_env), from the prepare task's value.
BUILD_ENV_TEMPLATE = "{{{{ ti.xcom_pull(task_ids='{task_id}')['build']['dbt_env']['{name}'] }}}}"


def layer_selector(layer: str) -> str:
    """The dbt selection of a layer's task.

    >>> layer_selector("marts")
    'path:models/marts'
    """
    if layer not in LAYERS:
        raise ValueError(f"unknown dbt layer {layer!r}; the layers are {', '.join(LAYERS)}")
    return f"path:models/{layer}"


def build_env(target: str, prepare_task_id: str) -> dict[str, str]:
    """The dbt tasks' environment variables that point at the run's build."""
    from plcqi.transform import builds

    names = [builds.ENV_INPUTS]
    names.append(builds.ENV_WAREHOUSE if target == "duckdb" else builds.ENV_SCHEMA_SUFFIX)
    return {n: BUILD_ENV_TEMPLATE.format(task_id=prepare_task_id, name=n) for n in names}


def dbt_task_group(
    group_id: str = "dbt", as_of_task_id: str = "as_of", prepare_task_id: str = "prepare_warehouse"
):
    """The ``dbt`` task group: one ``dbt build`` task per layer, in order, for the configured
    warehouse target. Returns the group (its first and last tasks chain as the group)."""
    from airflow.sdk import TaskGroup
    from cosmos import ProfileConfig
    from cosmos.constants import InvocationMode
    from cosmos.operators.local import DbtBuildLocalOperator

    from plcqi.transform.build import BUILD_FLAGS, release_duckdb

    project_dir = config.dbt_project_dir()
    target = config.warehouse_target()
    profile = ProfileConfig(
        profile_name="plcqi",
        target_name=target,
        profiles_yml_filepath=project_dir / "profiles.yml",
    )
    env = {
        "PLCQI_DATA_DIR": str(config.data_dir()),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **build_env(target, prepare_task_id),
    }
    with TaskGroup(group_id=group_id) as group:
        previous = None
        for layer in LAYERS:
            task = DbtBuildLocalOperator(
                task_id=layer,
                project_dir=str(project_dir),
                profile_config=profile,
                invocation_mode=InvocationMode.DBT_RUNNER,
                select=layer_selector(layer),
                indirect_selection="buildable",
                dbt_cmd_flags=list(BUILD_FLAGS),
                vars={"as_of_date": AS_OF_TEMPLATE.format(task_id=as_of_task_id)},
                env=env,
                append_env=True,
                install_deps=False,
                # dbt's partial-parse state, kept from one layer's task to the next (the
                # first task of a run parses in full when the as-of date changed).
                cache_dir=paths.dbt_parse_cache_dir(config.data_dir(), target),
                emit_datasets=False,
                # A worker runs each task in its own process, but ``dag.test()`` runs them
                # all in one, where the marts gate and the reports then open the file
                # read-only.
                callback=release_duckdb,
                execution_timeout=timedelta(minutes=30),
                doc_md=f"`dbt build --select {layer_selector(layer)}`: the {layer} models, "
                "their data tests, into this run's build.",
                **config.duckdb_task_args(),
            )
            if previous is not None:
                previous >> task
            previous = task
    return group
