"""Transform: run the dbt project (``paths.dbt_project_dir()``) over the raw zone.

dbt owns the warehouse and is its only writer. The DuckDB target reads the raw zone's Parquet
files directly; the Postgres target reads tables ``raw.<dataset>`` copied in beforehand. Every
run writes dbt's target and log folders under ``DATA_DIR/dbt/`` so the repository stays clean.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from plcqi import history, paths, settings
from plcqi.ingest.rawzone import Zone

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


# dbt vars that plcqi settings (environment variables) may override; dbt_project.yml holds the
# defaults, so a plain `dbt build` in dbt_project/ computes the same as `plcqi transform`.
SETTING_VARS = ("min_attended_minutes", "followup_window_days", "min_cell_size")


def dbt_vars(as_of: date | None = None) -> dict[str, Any]:
    """The ``--vars`` of a run: the as-of date, and the settings set in the environment.

    >>> dbt_vars(date(2026, 6, 30))["as_of_date"]
    '2026-06-30'
    """
    values: dict[str, Any] = {}
    if as_of is not None:
        values["as_of_date"] = as_of.isoformat()
    for name in SETTING_VARS:
        if settings.is_set(name):
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
    project = paths.dbt_project_dir()
    args = [
        command,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target",
        target,
        "--target-path",
        str(paths.dbt_target_dir(data_dir, target)),
        "--log-path",
        str(paths.dbt_log_dir(data_dir)),
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
    with settings.environment(env):
        try:
            outcome = dbtRunner().invoke(args)
        finally:
            if target == "duckdb":
                release_duckdb()
    result = _result(args, outcome, paths.dbt_target_dir(data_dir, target))
    if raise_on_failure and not result.success:
        if result.failed_nodes:
            detail = "failing nodes: " + ", ".join(result.failed_nodes)
        elif outcome.exception is not None:
            detail = f"{type(outcome.exception).__name__}: {outcome.exception}"
        else:
            detail = "see " + str(paths.dbt_log_dir(data_dir) / "dbt.log")
        raise TransformError(f"dbt {command} failed ({detail})", result)
    return result


def release_duckdb(*_: object, **__: object) -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process until exit, so that the
    warehouse can be opened again (read-only by reports, or by the next run) right away.

    dbt-duckdb has no public API for it: this reaches into its connection manager's class
    attributes, here and nowhere else. Also Cosmos' callback after each dbt task (hence the
    ignored arguments): ``dag.test()`` runs every task in one process."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
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


def ensure_source_files(data_dir: Path | str) -> list[Path]:
    """Every file dbt's sources glob must find before a first delivery or publication: each
    raw dataset's zero-row schema file and the published-history schema file. Returns the
    files written."""
    written = Zone(Path(data_dir)).ensure_schema_files()
    schema = history.schema_file(data_dir)
    if not schema.exists():
        written.append(history.ensure_schema_file(data_dir))
    return written


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
    (:func:`plcqi.transform.postgres.load_raw`, a full refresh) unless ``copy_raw`` is false
    (when an earlier step, e.g. the Airflow prepare task, already did it).

    Raises :class:`TransformError` naming the failing nodes when anything fails.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown dbt target {target!r}; expected one of {', '.join(TARGETS)}")
    ensure_source_files(data_dir)
    if target == "postgres" and copy_raw:
        from plcqi.transform.postgres import PgTarget, load_raw

        load_raw(data_dir, PgTarget.from_env())
    return run_dbt("build", data_dir, target=target, as_of=as_of, select=select)


def run_unit_tests(
    data_dir: Path, target: str = "duckdb", select: str = "test_type:unit"
) -> TransformResult:
    """Run the dbt unit tests. They need the models' relations to exist (dbt reads their
    columns), so the models are first built empty (``dbt run --empty``): use a scratch
    ``data_dir`` (its warehouse is overwritten with empty tables), which needs only the raw
    zone's schema files (written here, see :meth:`Zone.ensure_schema_files`)."""
    ensure_source_files(data_dir)
    run_dbt("run", data_dir, target=target, extra=["--empty"])
    return run_dbt("test", data_dir, target=target, select=select)


def parse(data_dir: Path, target: str = "duckdb") -> Path:
    """Parse the project and write ``manifest.json`` (for Cosmos); returns its path."""
    result = run_dbt("parse", data_dir, target=target)
    assert result.manifest_path is not None
    return result.manifest_path
