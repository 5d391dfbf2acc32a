"""Transform: run the dbt project (``paths.dbt_project_dir()``) over the raw zone.

dbt owns the warehouse and is its only writer, and it never writes the warehouse readers
open: :func:`transform` builds a new one from a snapshot of the committed raw zone and
promotes it in one step once every model and error-severity test passed
(:mod:`plcqi.transform.builds`). The DuckDB target reads the snapshot's Parquet files
directly; the Postgres target reads tables copied in beforehand. Every run writes dbt's
target and log folders under ``DATA_DIR/dbt/`` so the repository stays clean.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from plcqi import history, locks, paths, settings
from plcqi.ingest.rawzone import Zone
from plcqi.transform import builds

TARGETS = ("duckdb", "postgres")
_FAILED = {"error", "fail", "runtime error"}


class TransformError(RuntimeError):
    """A dbt invocation failed; ``failed_nodes`` names the nodes that failed."""

    def __init__(self, message: str, result: TransformResult | None = None):
        super().__init__(message)
        self.result = result
        self.failed_nodes = list(result.failed_nodes) if result else []


UP_TO_DATE = ("up to date, not rebuilt: nothing changed since the warehouse's build (raw files, "
              "published history, as-of date, settings, dbt project)")


@dataclass
class TransformResult:
    """What one dbt invocation did."""

    success: bool
    command: list[str]
    status_counts: dict[str, int] = field(default_factory=dict)
    failed_nodes: list[str] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    target_path: Path | None = None
    # What became of the build (transform()): promoted to ``warehouse``, or kept aside at
    # ``failed_build`` (a failed dbt build, or the caller's check said no).
    promoted: bool = False
    warehouse: str | None = None
    failed_build: str | None = None
    check_passed: bool | None = None
    error: str | None = None
    # Nothing changed since the current warehouse's build (builds.fingerprint): no new build,
    # ``warehouse`` is the current one (and ``check`` ran on it).
    up_to_date: bool = False

    def summary(self) -> str:
        """What the build did, for its one line: the count of each node status, or that
        nothing was rebuilt.

        >>> TransformResult(True, [], status_counts={"success": 3, "pass": 9}).summary()
        '9 pass, 3 success'
        """
        if self.up_to_date:
            return UP_TO_DATE
        return ", ".join(f"{n} {k}" for k, n in sorted(self.status_counts.items()))

    @property
    def manifest_path(self) -> Path | None:
        return self.target_path / "manifest.json" if self.target_path else None


# dbt vars that plcqi settings (environment variables) may override; dbt_project.yml holds the
# defaults, so a plain `dbt build` in dbt_project/ computes the same as `plcqi transform`.
SETTING_VARS = (
    "min_attended_minutes",
    "followup_window_days",
    "min_cell_size",
    "plan_intermediate_target_days",
    "plan_final_target_days",
    "plan_stalled_days",
)


# What every warehouse build passes to ``dbt build`` (``plcqi transform``, ``plcqi run`` and the
# transform DAG's layer tasks): dbt's unit tests check the models' SQL on fixed inputs, not the
# data, so they run in the test suite (``run_unit_tests``, tests/transform/test_dbt_unit.py),
# not in every build, where they were some 60 nodes of about 0.15 s each.
BUILD_FLAGS = ("--exclude-resource-type", "unit_test")


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
        "--log-level-file",
        "info",
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
    env: Mapping[str, str] | None = None,
) -> TransformResult:
    """Run one dbt command in-process through ``dbtRunner``; ``env``: more environment for
    dbt (a build's, :meth:`plcqi.transform.builds.Build.dbt_env`). Without it dbt reads the
    raw zone and writes the warehouse itself (what ``dbt`` in ``dbt_project/`` does)."""
    from dbt.cli.main import dbtRunner

    if target not in TARGETS:
        raise ValueError(f"unknown dbt target {target!r}; expected one of {', '.join(TARGETS)}")
    data_dir = Path(data_dir).resolve()
    (data_dir / "warehouse").mkdir(parents=True, exist_ok=True)
    args = dbt_args(command, data_dir, target, as_of, select, extra)
    run_env = {
        "PLCQI_DATA_DIR": str(data_dir),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # what profiles.yml and the sources default to (a plain run reads the raw zone and
        # writes the warehouse itself), unless a build says otherwise
        builds.ENV_WAREHOUSE: str(paths.warehouse(data_dir)),
        builds.ENV_INPUTS: str(data_dir),
        builds.ENV_SCHEMA_SUFFIX: "",
        **(env or {}),
    }
    with settings.environment(run_env):
        try:
            outcome = dbtRunner().invoke(args)
        finally:
            if target == "duckdb":
                release_duckdb()
    result = _result(args, outcome, paths.dbt_target_dir(data_dir, target))
    if outcome.exception is not None:
        result.error = f"{type(outcome.exception).__name__}: {outcome.exception}"
    if raise_on_failure and not result.success:
        raise TransformError(f"dbt {command} failed ({failure_detail(result, data_dir)})", result)
    return result


def failure_detail(result: TransformResult, data_dir: Path) -> str:
    """What failed, in one line: the failing nodes, dbt's error, or where its log is."""
    if result.failed_nodes:
        return "failing nodes: " + ", ".join(result.failed_nodes)
    if result.error:
        return result.error.strip().splitlines()[0]
    return "see " + str(paths.dbt_log_dir(data_dir) / "dbt.log")


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


# A check of a new DuckDB build before its promotion (e.g. the marts quality gate): the
# build's file in, True to promote it.
Check = Callable[[Path], bool]


def transform(
    data_dir: Path,
    target: str = "duckdb",
    as_of: date | None = None,
    select: str | None = None,
    check: Check | None = None,
) -> TransformResult:
    """``dbt build`` (models and all tests) of a new warehouse from the raw zone in
    ``data_dir``, promoted when every model and error-severity test passed and ``check``
    (DuckDB only) accepts it; see :mod:`plcqi.transform.builds`.

    Every raw dataset first gets its empty schema file if it lacks one (so the sources resolve
    before a first delivery), then the build's inputs snapshot is taken; on Postgres it is
    copied into the build's raw schema. ``select`` (DuckDB only) rebuilds only those nodes,
    in a copy of the current warehouse.

    A second transform of the same data folder waits for the first (``PLCQI_LOCK_TIMEOUT``
    seconds at most). Raises :class:`TransformError` with a plain message when the wait ends,
    and naming the failing nodes when dbt fails (the warehouse then keeps its previous build;
    the failed one is kept aside, ``result.failed_build``). A build that ``check`` refuses is
    kept aside the same way, with no error: ``result.promoted`` is false.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown dbt target {target!r}; expected one of {', '.join(TARGETS)}")
    if select and target != "duckdb":
        raise ValueError("a partial build (select) is only possible on the duckdb target")
    data_dir = Path(data_dir).resolve()
    try:
        with locks.exclusive(data_dir, builds.LOCK_NAME, what=builds.LOCK_WHAT):
            if target == "postgres":
                from plcqi.transform.postgres import PgTarget, build_lock

                with build_lock(PgTarget.from_env()):
                    return _build(data_dir, target, as_of, select, check)
            return _build(data_dir, target, as_of, select, check)
    except locks.Busy as e:
        raise TransformError(str(e)) from None


def _build(
    data_dir: Path, target: str, as_of: date | None, select: str | None, check: Check | None
) -> TransformResult:
    ensure_source_files(data_dir)
    if target == "postgres":
        from plcqi.transform.postgres import (
            RAW_SCHEMA,
            PgTarget,
            load_raw,
            remove_leftover_schemas,
        )

        pg = PgTarget.from_env()
        remove_leftover_schemas(pg, builds.Build(data_dir, target).schema_suffix)
    build = builds.start(
        data_dir, target, builds.CLI_BUILD, seed=paths.warehouse(data_dir) if select else None
    )
    made_of = None
    if target == "duckdb" and not select:
        made_of = builds.fingerprint(build.inputs, target, dbt_vars(as_of or _today()),
                                    BUILD_FLAGS)
        if builds.is_up_to_date(data_dir, made_of):
            builds.discard(build)
            return _unchanged(data_dir, check)
    try:
        if target == "postgres":
            load_raw(data_dir, pg, schema=RAW_SCHEMA + build.schema_suffix, inputs=build.inputs)
        result = run_dbt(
            "build",
            data_dir,
            target=target,
            as_of=as_of,
            select=select,
            extra=BUILD_FLAGS,
            env=build.dbt_env(),
            raise_on_failure=False,
        )
        if result.success and not select:
            missing = missing_relations(build, result.manifest_path)
            if missing:
                result.success = False
                result.error = "the build lacks " + ", ".join(missing)
        if result.success and check is not None and target == "duckdb":
            builds.finalize(build.path)
            result.check_passed = bool(check(build.path))
        if result.success and result.check_passed is not False:
            result.warehouse = builds.promote(build)
            result.promoted = True
            if made_of is not None:
                builds.record_fingerprint(data_dir, made_of)
        else:
            result.failed_build = builds.set_aside(build)
    finally:
        builds.discard(build)
    if not result.success:
        kept = f"; the failed build is kept at {result.failed_build}" if result.failed_build else ""
        raise TransformError(
            f"dbt build failed ({failure_detail(result, data_dir)}); the warehouse keeps its "
            f"previous build{kept}",
            result,
        )
    return result


def _today() -> date:
    """dbt's as-of date when none is given: the run's start date, UTC (macros/as_of_date)."""
    from datetime import UTC, datetime

    return datetime.now(UTC).date()


def _unchanged(data_dir: Path, check: Check | None) -> TransformResult:
    """The result of a transform that found the warehouse up to date: no dbt run; ``check``
    (the marts gate) still runs, on the current warehouse."""
    current = paths.warehouse(data_dir)
    result = TransformResult(success=True, command=[], up_to_date=True, warehouse=str(current))
    if check is not None:
        result.check_passed = bool(check(current))
    return result


def missing_relations(build: builds.Build, manifest: Path | None) -> list[str]:
    """The models of ``manifest`` (dbt's ``manifest.json``) that ``build`` lacks."""
    if manifest is None or not manifest.is_file():
        return []
    expected = builds.manifest_relations(manifest)
    if build.target == "duckdb":
        return builds.missing_models(build, expected)
    from plcqi.transform.postgres import PgTarget
    from plcqi.transform.postgres import missing_relations as pg_missing

    return pg_missing(PgTarget.from_env(), build.schema_suffix, expected)


def marts_gate(
    data_dir: Path, as_of: date | None, record: Callable[[Any], None] | None = None
) -> Check:
    """The :data:`Check` that runs the marts quality gate (``plcqi.quality``) on the new
    build: its result is stored like any gate's (``record`` gets it too); True when no
    error-level expectation failed."""

    def check(build_file: Path) -> bool:
        from plcqi import quality

        release_duckdb()
        with builds.reading(data_dir, build_file):
            result = quality.validate(data_dir, "marts", as_of)
        if record is not None:
            record(result)
        return bool(result.ok)

    return check


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
    """Parse the project and write ``manifest.json`` (the transform DAG's promote task
    checks builds against it); returns its path."""
    result = run_dbt("parse", data_dir, target=target)
    assert result.manifest_path is not None
    return result.manifest_path
