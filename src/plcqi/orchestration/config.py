"""What the DAGs are configured with, from the settings table (``plcqi.settings``, group
``airflow``) and ``plcqi.paths``.

Read when a DAG file is parsed or a task runs; nothing here touches a database or the network.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from plcqi import paths, settings

OWNER = "plcqi-data-engineering"
TAGS = ("plcqi",)
TARGETS = ("duckdb", "postgres")


def data_dir() -> Path:
    """``PLCQI_DATA_DIR``, else ``data/`` of the checkout (not the current directory: the
    DAG processor and the workers do not run from the repository)."""
    return paths.airflow_data_dir()


def warehouse_target() -> str:
    target = settings.get("warehouse_target")
    if target not in TARGETS:
        raise ValueError(f"PLCQI_WAREHOUSE_TARGET={target!r}; expected duckdb or postgres")
    return target


def dbt_project_dir() -> Path:
    return paths.dbt_project_dir()


def manifest_path() -> Path:
    value = settings.get("dbt_manifest")
    if value:
        return Path(value).resolve()
    return paths.dbt_target_dir(data_dir(), warehouse_target()) / "manifest.json"


def start_date() -> datetime:
    """
    >>> start_date().tzinfo
    datetime.timezone.utc
    """
    day = date.fromisoformat(settings.get("airflow_start_date"))
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def duckdb_task_args() -> dict:
    """Operator arguments of a task that opens the warehouse: on DuckDB, the one-slot pool
    and the queue of the worker holding the file; on Postgres, nothing special."""
    if warehouse_target() != "duckdb":
        return {}
    return {"pool": settings.get("duckdb_pool"), "queue": settings.get("duckdb_queue")}


def default_args() -> dict:
    """Every task: owner, retries with exponential backoff, the failure callback."""
    from plcqi.orchestration.callbacks import on_failure

    return {
        "owner": OWNER,
        "retries": int(settings.get("airflow_retries")),
        "retry_delay": timedelta(seconds=float(settings.get("airflow_retry_delay"))),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
        "execution_timeout": timedelta(hours=1),
        "on_failure_callback": on_failure,
    }
