"""Where things are: the data folder and what lives in it, and the project files the package
runs with (the dbt project, the Great Expectations suites, the report templates).

A wheel ships ``dbt_project/``, ``expectations/`` and ``reports/`` inside the package, under
``plcqi/_share/`` (``pyproject.toml``, ``force-include``); a checkout (an editable install,
the Docker image) has them at its root. Settings override both.
"""

from __future__ import annotations

from pathlib import Path

from plcqi import settings

PACKAGE = Path(__file__).resolve().parent
SHARE = PACKAGE / "_share"
# src/plcqi -> the checkout; meaningless (and unused) in a wheel install.
CHECKOUT = PACKAGE.parents[1]

WAREHOUSE_FILE = "plcqi.duckdb"


def _project_file(name: str) -> Path:
    shipped = SHARE / name
    return shipped if shipped.is_dir() else CHECKOUT / name


def _setting_path(name: str) -> Path | None:
    value = settings.get(name)
    return Path(value).resolve() if value else None


def dbt_project_dir() -> Path:
    """``PLCQI_DBT_PROJECT_DIR``, else the dbt project installed with the package."""
    return _setting_path("dbt_project_dir") or _project_file("dbt_project")


def expectations_dir() -> Path:
    """``PLCQI_EXPECTATIONS_DIR``, else the suites installed with the package."""
    return _setting_path("expectations_dir") or _project_file("expectations")


def templates_dir() -> Path:
    """The jinja2 templates and stylesheet of the reports."""
    return _project_file("reports")


def data_dir(value: str | Path | None = None, *, relative_to: Path | None = None) -> Path:
    """The data folder: ``value``, else ``PLCQI_DATA_DIR``, else ``data``; a relative path is
    resolved against ``relative_to`` (default: the current folder)."""
    path = Path(value if value is not None else settings.get("data_dir"))
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    return path.resolve()


def airflow_data_dir() -> Path:
    """The data folder of the DAGs: a relative default is anchored at the checkout, since
    the DAG processor and the workers do not run from it."""
    anchor = CHECKOUT if (CHECKOUT / "dags").is_dir() else None
    return data_dir(relative_to=anchor)


def warehouse(folder: Path | str | None = None) -> Path:
    """The DuckDB warehouse file of a data folder.

    >>> warehouse("/srv/plcqi").as_posix()
    '/srv/plcqi/warehouse/plcqi.duckdb'
    """
    return data_dir(folder) / "warehouse" / WAREHOUSE_FILE


def dbt_target_dir(folder: Path, target: str) -> Path:
    """dbt's target folder (manifest, run results) for a warehouse target."""
    return Path(folder) / "dbt" / "target" / target


def dbt_parse_cache_dir(folder: Path, target: str) -> Path:
    """Where the transform DAG's dbt tasks keep dbt's partial-parse state between tasks
    (Cosmos' ``cache_dir``): the layers after the first of a run parse only what changed."""
    return Path(folder) / "dbt" / "parse-cache" / target


def dbt_log_dir(folder: Path) -> Path:
    return Path(folder) / "dbt" / "logs"


def reports_dir(folder: Path | str | None = None) -> Path:
    return data_dir(folder) / "reports"


def history_dir(folder: Path | str | None = None) -> Path:
    """Published history: per as-of date, the mart rows its reports read
    (``history/<as_of>/<table>.parquet``, see :mod:`plcqi.history`)."""
    return data_dir(folder) / "history"


def quality_dir(folder: Path | str | None = None) -> Path:
    return data_dir(folder) / "quality"


def access_dir(folder: Path | str | None = None) -> Path:
    """Report readers, their audience indexes and the nginx files (``plcqi access``)."""
    return data_dir(folder) / "access"
