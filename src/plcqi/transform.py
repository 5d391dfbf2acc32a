"""Transform: run the dbt project (``dbt_project/``) over the raw zone.

dbt owns the warehouse and is its only writer. The DuckDB target reads the raw zone's Parquet
files directly; the Postgres target reads tables ``raw.<dataset>`` copied in beforehand. Every
run writes dbt's target and log folders under ``DATA_DIR/dbt/`` so the repository stays clean.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from plcqi.contract import (
    BOOL,
    DATASETS,
    DATE,
    DATETIME,
    INT,
    NUMBER,
    PII_DROP,
    PII_EMAIL,
    PII_KEY,
    Dataset,
)

EMPTY_RAW_FILE = "00000000T000000000000Z__empty.parquet"
TARGETS = ("duckdb", "postgres")
_FAILED = {"error", "fail", "runtime error"}


class TransformError(RuntimeError):
    """A dbt invocation failed; ``failed_nodes`` names the nodes that failed."""

    def __init__(self, message: str, result: TransformResult | None = None):
        super().__init__(message)
        self.result = result
        self.failed_nodes = list(result.failed_nodes) if result else []


@dataclass
class TransformResult:
    """What one dbt invocation did."""

    success: bool
    command: list[str]
    status_counts: dict[str, int] = field(default_factory=dict)
    failed_nodes: list[str] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    target_path: Path | None = None

    @property
    def manifest_path(self) -> Path | None:
        return self.target_path / "manifest.json" if self.target_path else None


def dbt_project_dir() -> Path:
    """The dbt project: ``$PLCQI_DBT_PROJECT_DIR`` or ``dbt_project/`` at the repository root."""
    override = os.environ.get("PLCQI_DBT_PROJECT_DIR")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2] / "dbt_project"


def raw_table_name(dataset: Dataset) -> str:
    """The dbt source table (and Postgres ``raw`` table) of a raw zone dataset.

    >>> from plcqi.contract import dataset
    >>> raw_table_name(dataset("surveys/six_month"))
    'surveys__six_month'
    """
    return dataset.name.replace("/", "__")


def raw_columns(dataset: Dataset) -> list[tuple[str, str]]:
    """(column, contract type) of a dataset as it is in the raw zone: PII keyed or dropped,
    lineage columns last.

    >>> from plcqi.contract import dataset
    >>> [c for c, _ in raw_columns(dataset("attendance"))][:4]
    ['session_id', 'participant_key', 'email_key', 'join_time']
    """
    columns: list[tuple[str, str]] = []
    for column in dataset.columns:
        if column.pii == PII_DROP:
            continue
        if column.pii == PII_KEY:
            columns.append((column.name.removesuffix("_id") + "_key", "id"))
        elif column.pii == PII_EMAIL:
            columns.append(("email_key", "id"))
        else:
            columns.append((column.name, column.type))
    columns += [("_file", "text"), ("_row", INT), ("_file_hash", "text"), ("_loaded_at", DATETIME)]
    return columns


def write_empty_raw_zone(data_dir: Path) -> list[Path]:
    """Write the zero-row schema file ``00000000T000000000000Z__empty.parquet`` into every raw
    dataset folder that lacks it, so the dbt sources resolve before anything was ingested.
    Returns the files written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_types = {
        INT: pa.int64(),
        NUMBER: pa.float64(),
        BOOL: pa.bool_(),
        DATE: pa.date32(),
        DATETIME: pa.timestamp("us"),
    }
    written = []
    for dataset in DATASETS:
        path = Path(data_dir) / "raw" / dataset.name / EMPTY_RAW_FILE
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        schema = pa.schema(
            [(name, arrow_types.get(kind, pa.string())) for name, kind in raw_columns(dataset)]
        )
        pq.write_table(schema.empty_table(), path)
        written.append(path)
    return written


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a dbt invocation (dbt reads env_var())."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# dbt vars that plcqi settings (environment variables) may override; dbt_project.yml holds the
# defaults, so a plain `dbt build` in dbt_project/ computes the same as `plcqi transform`.
SETTING_VARS = ("min_attended_minutes", "followup_window_days", "min_cell_size")


def dbt_vars(as_of: date | None = None) -> dict[str, Any]:
    """The ``--vars`` of a run: the as-of date, and the settings set in the environment.

    >>> dbt_vars(date(2026, 6, 30))["as_of_date"]
    '2026-06-30'
    """
    from plcqi import settings

    values: dict[str, Any] = {}
    if as_of is not None:
        values["as_of_date"] = as_of.isoformat()
    for name in SETTING_VARS:
        if os.environ.get(settings.setting(name).env):
            values[name] = int(settings.get(name))
    return values


def dbt_args(
    command: str,
    data_dir: Path,
    target: str = "duckdb",
    as_of: date | None = None,
    select: str | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The dbt command line for ``command`` over ``data_dir``."""
    data_dir = Path(data_dir).resolve()
    project = dbt_project_dir()
    args = [
        command,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target",
        target,
        "--target-path",
        str(data_dir / "dbt" / "target" / target),
        "--log-path",
        str(data_dir / "dbt" / "logs"),
        # The console gets warnings and errors; every node's line is in DATA_DIR/dbt/logs.
        "--log-level",
        "warn",
    ]
    run_vars = dbt_vars(as_of)
    if run_vars:
        args += ["--vars", json.dumps(run_vars)]
    if select:
        args += ["--select", select]
    return args + list(extra)


def run_dbt(
    command: str,
    data_dir: Path,
    target: str = "duckdb",
    as_of: date | None = None,
    select: str | None = None,
    extra: Sequence[str] = (),
    raise_on_failure: bool = True,
) -> TransformResult:
    """Run one dbt command in-process through ``dbtRunner``."""
    from dbt.cli.main import dbtRunner

    if target not in TARGETS:
        raise ValueError(f"unknown dbt target {target!r}; expected one of {', '.join(TARGETS)}")
    data_dir = Path(data_dir).resolve()
    (data_dir / "warehouse").mkdir(parents=True, exist_ok=True)
    args = dbt_args(command, data_dir, target, as_of, select, extra)
    env = {
        "PLCQI_DATA_DIR": str(data_dir),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    with _environment(env):
        try:
            outcome = dbtRunner().invoke(args)
        finally:
            if target == "duckdb":
                _release_duckdb()
    result = _result(args, outcome, data_dir / "dbt" / "target" / target)
    if raise_on_failure and not result.success:
        if result.failed_nodes:
            detail = "failing nodes: " + ", ".join(result.failed_nodes)
        elif outcome.exception is not None:
            detail = f"{type(outcome.exception).__name__}: {outcome.exception}"
        else:
            detail = "see " + str(data_dir / "dbt" / "logs" / "dbt.log")
        raise TransformError(f"dbt {command} failed ({detail})", result)
    return result


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process until exit, so that the
    warehouse can be opened again (read-only by reports, or by the next run) right away."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
    close = getattr(environment, "close", None)
    if close is not None:
        close()


def _result(args: list[str], outcome: Any, target_path: Path) -> TransformResult:
    nodes: list[dict[str, Any]] = []
    results = getattr(outcome.result, "results", None) or []
    for item in results:
        node = item.node
        nodes.append(
            {
                "unique_id": node.unique_id,
                "name": node.name,
                "resource_type": str(node.resource_type),
                "status": str(item.status),
                "message": item.message,
                "failures": item.failures,
            }
        )
    counts = Counter(node["status"] for node in nodes)
    failed = [node["unique_id"] for node in nodes if node["status"] in _FAILED]
    return TransformResult(
        success=bool(outcome.success) and not failed,
        command=args,
        status_counts=dict(counts),
        failed_nodes=failed,
        nodes=nodes,
        target_path=target_path,
    )


def transform(
    data_dir: Path,
    target: str = "duckdb",
    as_of: date | None = None,
    select: str | None = None,
    copy_raw: bool = True,
) -> TransformResult:
    """``dbt build`` (models and all tests) over the raw zone in ``data_dir``.

    Every raw dataset first gets its empty schema file if it lacks one (so the sources resolve
    before a first delivery). On Postgres the raw zone is then copied into schema ``raw``
    (:func:`plcqi.warehouse_pg.load_raw`, a full refresh) unless ``copy_raw`` is false (when an
    earlier step, e.g. the Airflow prepare task, already did it).

    Raises :class:`TransformError` naming the failing nodes when anything fails.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown dbt target {target!r}; expected one of {', '.join(TARGETS)}")
    write_empty_raw_zone(data_dir)
    if target == "postgres" and copy_raw:
        from plcqi.warehouse_pg import PgTarget, load_raw

        load_raw(data_dir, PgTarget.from_env())
    return run_dbt("build", data_dir, target=target, as_of=as_of, select=select)


def run_unit_tests(
    data_dir: Path, target: str = "duckdb", select: str = "test_type:unit"
) -> TransformResult:
    """Run the dbt unit tests. They need the models' relations to exist (dbt reads their
    columns), so the models are first built empty (``dbt run --empty``): use a scratch
    ``data_dir`` (its warehouse is overwritten with empty tables), which needs only the raw
    zone's schema files (written here, see :func:`write_empty_raw_zone`)."""
    write_empty_raw_zone(data_dir)
    run_dbt("run", data_dir, target=target, extra=["--empty"])
    return run_dbt("test", data_dir, target=target, select=select)


def parse(data_dir: Path, target: str = "duckdb") -> Path:
    """Parse the project and write ``manifest.json`` (for Cosmos); returns its path."""
    result = run_dbt("parse", data_dir, target=target)
    assert result.manifest_path is not None
    return result.manifest_path


def compile(data_dir: Path, target: str = "duckdb", as_of: date | None = None) -> Path:
    """Compile every model (no warehouse writes) and return ``manifest.json``'s path."""
    result = run_dbt("compile", data_dir, target=target, as_of=as_of)
    assert result.manifest_path is not None
    return result.manifest_path
