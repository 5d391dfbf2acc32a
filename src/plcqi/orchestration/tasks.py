"""The task callables. Each resolves the run's as-of date, calls one ``plcqi`` function and
returns a small JSON summary (the task's XCom). ``plcqi`` modules are imported inside the
functions: the DAG processor imports this module while parsing and must stay fast.

Every task is idempotent: ingestion loads a file once by content hash, dbt rebuilds tables,
quality checks only read, reports overwrite their file for (center, as-of).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from plcqi.orchestration import config, dates

log = logging.getLogger("plcqi.orchestration")

Context = Mapping[str, Any]


def _set_outlet_extra(context: Context, asset, extra: dict) -> None:
    events = context.get("outlet_events")
    if events is not None:
        events[asset].extra = extra


def resolve_as_of(context: Context) -> str:
    """The run's as-of date (``dates.as_of``) as ISO text, for the tasks downstream."""
    value = dates.as_of(context).isoformat()
    log.info("plcqi: run %s is as of %s", getattr(context.get("dag_run"), "run_id", "?"), value)
    return value


# -- ingest ------------------------------------------------------------------------------


class ReferenceNotLoaded(RuntimeError):
    """An event source's keys are checked against reference data that has not landed yet."""


def reference_loaded(data_dir) -> bool:
    """Whether the raw zone holds a reference snapshot (not only the empty schema files)."""
    from plcqi.ingest import contract
    from plcqi.ingest.rawzone import Zone

    zone = Zone(data_dir)
    return any(zone.raw_files(ds.name) for ds in contract.datasets_of("reference"))


def ingest_source(source: str, context: Context) -> dict:
    """Ingest one source into the raw zone; the outlet event says as of when and how much.

    Rejected files do not fail this task (the other files loaded and downstream should see
    them); ``check_rejections`` fails the run afterwards so the operator sees it."""
    from airflow.sdk.exceptions import AirflowSkipException

    from plcqi import settings
    from plcqi.ingest import contract
    from plcqi.ingest.run import ingest
    from plcqi.orchestration import assets

    as_of = dates.as_of(context)
    if source != "reference" and not reference_loaded(config.data_dir()):
        # Ingesting now would reject every file (their keys cannot be checked); failing
        # instead lets the retries, with their backoff, wait for plcqi_ingest_reference.
        raise ReferenceNotLoaded(
            f"{source}: no reference data in the raw zone yet; plcqi_ingest_reference must "
            "run first (this task retries)"
        )
    tracker_dsn = None
    if source == contract.DB_SOURCE:
        tracker_dsn = settings.get("tracker_dsn")
        if not tracker_dsn:
            raise AirflowSkipException("PLCQI_TRACKER_DSN is not set: no tracker database to pull")
    report = ingest(config.data_dir(), sources=[source], tracker_dsn=tracker_dsn)
    summary = {
        "source": source,
        "as_of": as_of.isoformat(),
        **report.totals(),
        "already_loaded": report.skipped,
        "rejected": [r.message for r in report.rejected],
    }
    log.info(
        "plcqi: ingested %s: %s file(s), %s row(s) loaded, %s quarantined, %s already loaded, "
        "%s rejected", source, summary["files"], summary["rows_loaded"],
        summary["rows_quarantined"], report.skipped, len(summary["rejected"]),
    )
    _set_outlet_extra(context, assets.raw(source), {
        "as_of": summary["as_of"], "files": summary["files"], "rows_loaded": summary["rows_loaded"],
    })
    return summary


def check_rejections(summary: Mapping[str, Any]) -> None:
    """Fail (without retrying: a rejected file stays rejected) when any file was rejected."""
    from airflow.sdk.exceptions import AirflowFailException

    rejected = summary.get("rejected") or []
    if rejected:
        raise AirflowFailException(
            f"{len(rejected)} {summary.get('source')} file(s) rejected: " + " | ".join(rejected)
        )


# -- transform ---------------------------------------------------------------------------


def prepare_warehouse(as_of: str, context: Context) -> dict:
    """Before dbt: schema files for every raw dataset and the published history (sources
    resolve even before a first delivery), then this run's build (``plcqi.transform.builds``):
    what earlier runs left removed, the inputs snapshot taken, on Postgres copied into the
    build's raw schema. Returns the build, which the dbt tasks' environment, the marts gate
    and the promotion read."""
    from plcqi.transform import builds
    from plcqi.transform.build import ensure_source_files

    data_dir = config.data_dir()
    target = config.warehouse_target()
    written = ensure_source_files(data_dir)
    build_id = builds.airflow_build_id(str(context["run_id"]))
    if target == "postgres":
        from plcqi.transform.postgres import PgTarget, remove_leftover_schemas

        remove_leftover_schemas(PgTarget.from_env(), builds.Build(data_dir, target,
                                                                  build_id).schema_suffix)
    build = builds.start(data_dir, target, build_id)
    out: dict[str, Any] = {"as_of": as_of, "schema_files_written": len(written),
                           "build": build.describe()}
    if target == "postgres":
        from plcqi.transform.postgres import RAW_SCHEMA, PgTarget, load_raw

        out["raw_rows"] = load_raw(data_dir, PgTarget.from_env(),
                                   schema=RAW_SCHEMA + build.schema_suffix, inputs=build.inputs)
    log.info("plcqi: run %s builds %s", context["run_id"], build.path if target == "duckdb"
             else f"schemas *{build.schema_suffix}")
    return out


def _build(prepared: Mapping[str, Any]):
    from plcqi.transform.builds import Build

    return Build.from_description(prepared["build"])


def promote_build(prepared: Mapping[str, Any], as_of: str, context: Context | None = None
                  ) -> dict:
    """Make this run's build the warehouse, once every dbt task and the marts gate passed:
    a build that lacks a model (a task cleared on its own after the run) is refused. Emits
    the marts Asset."""
    from airflow.sdk.exceptions import AirflowFailException

    from plcqi.transform import builds
    from plcqi.transform.build import missing_relations

    _release_duckdb()
    build = _build(prepared)
    if build.target == "duckdb" and not build.path.is_file():
        raise AirflowFailException(
            f"no build at {build.path} (already promoted or removed): clear the whole run, "
            "from prepare_warehouse")
    missing = missing_relations(build, config.manifest_path())
    if missing:
        raise AirflowFailException(
            f"the build of this run lacks {len(missing)} model(s) ({', '.join(missing[:5])}): "
            "not promoted; clear the whole run, from prepare_warehouse")
    where = builds.promote(build)
    log.info("plcqi: build %s promoted: %s", build.id, where)
    if context is not None:
        from plcqi.orchestration import assets

        _set_outlet_extra(context, assets.marts(), {"as_of": as_of})
    return {"as_of": as_of, "build": build.id, "warehouse": where}


PREPARE_TASK_ID = "prepare_warehouse"


def discard_failed_build(context: Context) -> dict:
    """After a failure anywhere in the run: keep its build aside for inspection
    (``warehouse/failed.duckdb``) and remove its inputs snapshot; the warehouse keeps its
    previous build."""
    from plcqi.transform import builds

    prepared = context["ti"].xcom_pull(task_ids=PREPARE_TASK_ID)
    if not prepared:
        log.warning("plcqi: %s did not run: no build to discard", PREPARE_TASK_ID)
        return {"build": None, "failed_build": None}
    _release_duckdb()
    build = _build(prepared)
    kept = builds.set_aside(build)
    log.warning("plcqi: build %s not promoted; the warehouse keeps its previous build%s",
                build.id, f"; the failed build is kept at {kept}" if kept else "")
    return {"build": build.id, "failed_build": kept}


def _release_duckdb() -> None:
    """Only matters when tasks share a process (``dag.test()``): see ``release_duckdb``."""
    from plcqi.transform.build import release_duckdb

    release_duckdb()


def _message(finding: Any) -> str:
    return str(getattr(finding, "message", finding))


def quality_gate(stage: str, as_of: str, prepared: Mapping[str, Any] | None = None) -> dict:
    """Great Expectations suites of a stage (``raw`` or ``marts``); fails, without retrying
    (the data will not change by itself), naming the failed expectations. The marts gate
    validates this run's build (``prepared``: what ``prepare_warehouse`` returned) before its
    promotion; on Postgres it has nothing to read (the suites read DuckDB) and says so."""
    from airflow.sdk.exceptions import AirflowFailException

    from plcqi.quality import validate

    if stage == "marts" and config.warehouse_target() != "duckdb":
        log.warning("plcqi: the marts gate reads the DuckDB warehouse; PLCQI_WAREHOUSE_TARGET "
                    "is %s: not validated", config.warehouse_target())
        return {"stage": stage, "as_of": as_of, "ok": True, "skipped": True}
    if stage == "marts":
        _release_duckdb()
    if stage == "marts" and prepared is not None:
        from plcqi.transform import builds

        with builds.reading(config.data_dir(), _build(prepared).path):
            result = validate(config.data_dir(), stage=stage, as_of=date.fromisoformat(as_of))
    else:
        result = validate(config.data_dir(), stage=stage, as_of=date.fromisoformat(as_of))
    for w in result.warnings:
        log.warning("plcqi: %s gate warning: %s", stage, _message(w))
    if not result.ok:
        raise AirflowFailException(
            f"{stage} quality gate failed ({len(result.errors)} error(s)): "
            + " | ".join(_message(e) for e in result.errors)
        )
    return {
        "stage": stage,
        "as_of": as_of,
        "ok": True,
        "errors": 0,
        "warnings": [_message(w) for w in result.warnings],
    }


# -- report ------------------------------------------------------------------------------


def ensure_marts(as_of: str) -> dict:
    """Make the marts hold ``as_of`` before reporting on it.

    The reports read the marts of one as-of date (``plcqi.publish`` refuses another). The
    scheduled run finds them built by the transform DAG for its date; a backfill of a past
    month does not, so it rebuilds them for that month from the append-only raw zone (dbt
    build, then the marts gate): the month's reports come out as they were.
    """
    from airflow.sdk.exceptions import AirflowSkipException

    if config.warehouse_target() != "duckdb":
        raise AirflowSkipException(
            "reports read the DuckDB warehouse (plcqi.publish); PLCQI_WAREHOUSE_TARGET is "
            f"{config.warehouse_target()}: nothing to render"
        )
    from plcqi.publish.warehouse import PublishError, built_as_of, read_only

    _release_duckdb()
    built = None
    try:
        with read_only(config.data_dir()) as con:
            built = built_as_of(con)
    except PublishError as e:
        log.warning("plcqi: no marts to report on (%s); building them", e)
    except Exception as e:  # noqa: BLE001 - a warehouse without the marts: rebuild
        log.warning("plcqi: cannot read the marts' as-of date (%s); rebuilding", e)
    if built is not None and built.isoformat() == as_of:
        _check_gate(as_of)
        return {"as_of": as_of, "rebuilt": False}
    log.info("plcqi: the marts are as of %s, not %s: rebuilding them for %s", built, as_of, as_of)
    from airflow.sdk.exceptions import AirflowFailException

    from plcqi.transform.build import marts_gate, transform

    gates = []
    result = transform(config.data_dir(), target="duckdb", as_of=date.fromisoformat(as_of),
                       check=marts_gate(config.data_dir(), date.fromisoformat(as_of),
                                        gates.append))
    if not result.promoted and not (result.up_to_date and result.check_passed):
        _check_gate(as_of)  # renders the data-quality page that says why, then fails
        raise AirflowFailException(f"the marts as of {as_of} failed their quality gate: not "
                                   f"promoted (kept at {result.failed_build})")
    return {"as_of": as_of, "rebuilt": True, "previous_as_of": str(built),
            "gate": {"ok": True, "warnings": len(gates[-1].warnings) if gates else 0}}


def _check_gate(as_of: str) -> None:
    """Fail, without retrying, when a quality gate for ``as_of`` failed (a monthly run does
    not wait for a successful transform): the data-quality page says why."""
    from airflow.sdk.exceptions import AirflowFailException

    from plcqi.publish.api import GateFailed, check_gate

    try:
        check_gate(config.data_dir(), date.fromisoformat(as_of))
    except GateFailed as e:
        render_data_quality(as_of)
        render_index()
        raise AirflowFailException(str(e)) from None


def _read_marts(sql: str) -> list[tuple]:
    """Rows of a query on the marts, read-only, from the warehouse of the run's target."""
    if config.warehouse_target() == "postgres":
        from plcqi.transform.postgres import PgTarget

        with PgTarget.from_env().connect() as con:
            return con.execute(sql).fetchall()
    from plcqi.publish.warehouse import read_only

    _release_duckdb()
    with read_only(config.data_dir()) as con:
        return con.execute(sql).fetchall()


def center_ids() -> list[str]:
    """The centers to report on, read from the marts read-only."""
    ids = [r[0] for r in _read_marts("select center_id from marts.dim_centers order by 1")]
    log.info("plcqi: %s center(s) to report on: %s", len(ids), ", ".join(ids))
    return ids


def region_ids() -> list[int]:
    """The ACF regions with grantees (each has a TA planning report), from the marts."""
    ids = [int(r[0]) for r in _read_marts(
        "select acf_region from marts.agg_ta_planning_region order by 1")]
    log.info("plcqi: %s ACF region(s) to report on: %s", len(ids), ", ".join(map(str, ids)))
    return ids


def render_center(center_id: str, as_of: str) -> str:
    from plcqi import publish

    _release_duckdb()
    path = publish.render_center(config.data_dir(), center_id, date.fromisoformat(as_of))
    log.info("plcqi: center %s report as of %s: %s", center_id, as_of, path)
    return str(path)


def render_region(region: int, as_of: str) -> str:
    """An ACF region's TA planning report and its grantees' profiles."""
    from plcqi import publish

    _release_duckdb()
    path = publish.render_region(config.data_dir(), int(region), date.fromisoformat(as_of))
    log.info("plcqi: ACF region %s report and grantee profiles as of %s: %s", region, as_of,
             path)
    return str(path)


def render_unassigned_grantees(as_of: str) -> list[str]:
    """The profiles of the grantees with no ACF region."""
    from plcqi import publish

    _release_duckdb()
    found = publish.render_unassigned_grantees(config.data_dir(), date.fromisoformat(as_of))
    log.info("plcqi: %s profile(s) of grantees with no ACF region as of %s", len(found), as_of)
    return [str(p) for p in found]


def render_leadership(as_of: str) -> str:
    from plcqi import publish

    _release_duckdb()
    path = publish.render_leadership(config.data_dir(), date.fromisoformat(as_of))
    log.info("plcqi: leadership report as of %s: %s", as_of, path)
    return str(path)


def keep_history(as_of: str) -> str:
    """What the reports of ``as_of`` read, kept as published (the next period compares with
    it): ``DATA_DIR/history/<as_of>/``."""
    from plcqi import publish

    _release_duckdb()
    path = publish.keep_history(config.data_dir(), date.fromisoformat(as_of))
    log.info("plcqi: published history as of %s: %s", as_of, path)
    return str(path)


def render_data_quality(as_of: str) -> str:
    from plcqi import publish

    path = publish.render_data_quality(config.data_dir(), date.fromisoformat(as_of))
    log.info("plcqi: data-quality page as of %s: %s", as_of, path)
    return str(path)


def render_index() -> str:
    from plcqi import publish

    path = publish.render_index(config.data_dir())
    log.info("plcqi: reports index: %s", path)
    return str(path)


def deliver(as_of: str) -> dict:
    """E-mail each reader the link to their report as of ``as_of`` through the SMTP
    provider (connection ``PLCQI_SMTP_CONN_ID``, default ``smtp_default``). Idempotent: the
    delivery log skips what was sent, so a retry of this task only sends what failed."""
    from airflow.sdk.exceptions import AirflowFailException

    from plcqi import settings
    from plcqi.publish.delivery import DeliveryError
    from plcqi.publish.delivery import deliver as send_all
    from plcqi.publish.delivery.airflow_smtp import AirflowSmtpTransport

    transport = AirflowSmtpTransport(settings.get("smtp_conn_id"))
    try:
        result = send_all(config.data_dir(), date.fromisoformat(as_of), transport,
                          sender=settings.get("smtp_from"),
                          echo=lambda line: log.info("plcqi: %s", line))
    except DeliveryError as e:
        # A setting to fix (no link base, nothing published): retrying would not help.
        raise AirflowFailException(f"report e-mails as of {as_of} not sent: {e}") from None
    log.info("plcqi: delivery %s", result.summary())
    if not result.ok:
        raise RuntimeError(
            f"{len(result.failed)} report e-mail(s) not delivered as of {as_of} (the others "
            "were; a retry sends only these): "
            + " | ".join(f"{r['user']} ({r['role']}): {r['error']}" for r in result.failed)
        )
    return {"as_of": as_of, "sent": len(result.by_status("sent")),
            "already_sent": len(result.by_status("already_sent")),
            "no_report": len(result.by_status("no_report"))}
