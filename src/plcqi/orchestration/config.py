"""The environment the DAGs read, in one table (the Airflow counterpart of ``plcqi.settings``).

Everything is read from the environment when a DAG file is parsed or a task runs; nothing
here touches a database or the network. Paths default to places derived from this file (the
repository checkout) and are overridable by environment variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from plcqi import settings


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: str | None
    help: str


REPO_ROOT = Path(__file__).resolve().parents[3]

ENV: tuple[EnvVar, ...] = (
    EnvVar("PLCQI_DBT_MANIFEST", None, "dbt's manifest.json that Cosmos renders the transform "
           "DAG from; built by `python -m plcqi.orchestration.setup`. Default: "
           "DATA_DIR/dbt/target/<target>/manifest.json. Must be readable by the DAG processor."),
    EnvVar("PLCQI_DBT_PROJECT_DIR", None, "The dbt project (default: dbt_project/ of the "
           "checkout)."),
    EnvVar("PLCQI_WAREHOUSE_TARGET", "duckdb", "dbt target the DAGs build: duckdb (embedded) "
           "or postgres (shared)."),
    EnvVar("PLCQI_DUCKDB_POOL", "plcqi_duckdb", "Airflow pool of one slot that every task "
           "opening the DuckDB warehouse runs in (DuckDB allows one writer)."),
    EnvVar("PLCQI_DUCKDB_QUEUE", "plcqi_duckdb", "Celery queue of the tasks that open the "
           "DuckDB warehouse; one worker, the one holding the data volume, listens to it."),
    EnvVar("PLCQI_AIRFLOW_RETRIES", "3", "Retries of every task."),
    EnvVar("PLCQI_AIRFLOW_RETRY_DELAY", "60", "Seconds before the first retry; doubles on "
           "each retry (exponential backoff) up to 30 minutes."),
    EnvVar("PLCQI_AIRFLOW_START_DATE", "2026-01-01", "start_date of the scheduled DAGs (UTC). "
           "A date in the future turns the time schedules off (runs only when triggered or "
           "by Assets), e.g. for a staging deployment or the tests."),
    EnvVar("PLCQI_ALERT_EMAIL", None, "Comma-separated addresses e-mailed when a task fails "
           "(through the Airflow SMTP connection); unset: failures are only logged."),
    EnvVar("PLCQI_SMTP_CONN_ID", "smtp_default", "Airflow connection used for the failure "
           "e-mails."),
)

OWNER = "plcqi-data-engineering"
TAGS = ("plcqi",)
TARGETS = ("duckdb", "postgres")


def env(name: str) -> str | None:
    """A variable of ``ENV``: the environment, else its default."""
    spec = next(e for e in ENV if e.name == name)
    value = os.environ.get(name)
    return value if value not in (None, "") else spec.default


def data_dir() -> Path:
    """``PLCQI_DATA_DIR``, else ``data/`` of the checkout (not the current directory: the
    DAG processor and the workers do not run from the repository)."""
    value = os.environ.get(settings.setting("data_dir").env)
    return Path(value).resolve() if value else REPO_ROOT / "data"


def warehouse_target() -> str:
    target = env("PLCQI_WAREHOUSE_TARGET")
    if target not in TARGETS:
        raise ValueError(f"PLCQI_WAREHOUSE_TARGET={target!r}; expected duckdb or postgres")
    return target


def dbt_project_dir() -> Path:
    value = env("PLCQI_DBT_PROJECT_DIR")
    return Path(value).resolve() if value else REPO_ROOT / "dbt_project"


def manifest_path() -> Path:
    value = env("PLCQI_DBT_MANIFEST")
    if value:
        return Path(value).resolve()
    return data_dir() / "dbt" / "target" / warehouse_target() / "manifest.json"


def start_date() -> datetime:
    """
    >>> start_date().tzinfo
    datetime.timezone.utc
    """
    day = date.fromisoformat(env("PLCQI_AIRFLOW_START_DATE"))
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def duckdb_task_args() -> dict:
    """Operator arguments of a task that opens the warehouse: on DuckDB, the one-slot pool
    and the queue of the worker holding the file; on Postgres, nothing special."""
    if warehouse_target() != "duckdb":
        return {}
    return {"pool": env("PLCQI_DUCKDB_POOL"), "queue": env("PLCQI_DUCKDB_QUEUE")}


def default_args() -> dict:
    """Every task: owner, retries with exponential backoff, the failure callback."""
    from plcqi.orchestration.callbacks import on_failure

    return {
        "owner": OWNER,
        "retries": int(env("PLCQI_AIRFLOW_RETRIES")),
        "retry_delay": timedelta(seconds=float(env("PLCQI_AIRFLOW_RETRY_DELAY"))),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
        "execution_timeout": timedelta(hours=1),
        "on_failure_callback": on_failure,
    }
