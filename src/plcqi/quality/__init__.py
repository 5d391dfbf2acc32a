"""Data quality gates: Great Expectations suites (``expectations/``) over the raw zone and
the marts.

``validate(data_dir, stage, as_of)`` reads the stage's batches (pandas DataFrames from Parquet
through an in-memory DuckDB, or from the warehouse through a read-only connection), runs the
stage's suites, stores the result (``DATA_DIR/quality/results/<stage>/<stamp>.json`` and
``DATA_DIR/quality/latest.json``) and republishes the offline Data Docs page
(``DATA_DIR/reports/data-docs/index.html``). A failed ``error`` expectation makes the result
not ``ok``: publication refuses that as-of date (``plcqi.publish.api.check_gate``), and the
data-quality page of that date, which says why, is written right away (whoever validates:
``plcqi run``, ``plcqi validate``, the Airflow gates), before the caller raises.

A passing raw gate records which raw files it validated: the next raw gate validates
their rows only if they could give another finding (``plcqi.quality.batches_raw``).

Importing this package is cheap: Great Expectations is imported only when validating.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from plcqi.quality.result import (
    ERROR,
    WARNING,
    Finding,
    SuiteSummary,
    ValidationResult,
)
from plcqi.quality.store import read_latest
from plcqi.quality.suites import STAGES, load_suites

__all__ = [
    "ERROR", "STAGES", "WARNING", "Finding", "SuiteSummary",
    "ValidationResult", "read_latest", "validate", "validate_all", "publish_data_docs",
]


def validate(
    data_dir: Path | str | None,
    stage: str,
    as_of: date | None = None,
    *,
    publish_docs: bool = True,
) -> ValidationResult:
    """Validate one stage (``raw`` or ``marts``) of ``data_dir`` and store the result.

    ``as_of``: the run's as-of date. Raw timestamps after it and freshness are measured at
    its end (default: now); marts default to the as-of date they were built for.
    """
    from plcqi import paths
    from plcqi.quality import docs, gx_runner, store

    t0 = time.perf_counter()
    data_dir = paths.data_dir(data_dir)
    suites = load_suites(stage)
    now = datetime.now(UTC)
    if stage == "raw":
        from plcqi.ingest.rawzone import Zone
        from plcqi.quality import batches_raw

        reference = _end_of(as_of) if as_of else now.replace(tzinfo=None)
        frames = batches_raw.frames(Zone(data_dir), reference, suites,
                                    store.read_covered(data_dir, suites))
    else:
        from plcqi.quality import batches_marts

        if as_of is None:
            as_of = batches_marts.warehouse_as_of(data_dir)
        reference = _end_of(as_of) if as_of else now.replace(tzinfo=None)
        batches = {s["meta"]["batch"]: s["meta"] for s in suites}
        frames = batches_marts.frames(data_dir, batches)
    findings, summaries = gx_runner.run_suites(suites, frames, parameters(reference, as_of, now))
    result = ValidationResult(
        stage=stage,
        validated_at=now.isoformat(),
        as_of=as_of.isoformat() if as_of else None,
        data_dir=str(data_dir),
        findings=findings,
        suites=summaries,
        seconds=round(time.perf_counter() - t0, 2),
    )
    store.save(data_dir, result)
    if stage == "raw" and result.ok:
        store.save_covered(data_dir, suites, frames.covering())
    if publish_docs:
        docs.publish(data_dir)
    explain(data_dir, result)
    return result


def explain(data_dir: Path, result: ValidationResult) -> Path | None:
    """Write the data-quality page of the result's as-of date when the gate failed (or the
    page is there already, so that it shows this result); returns the page written."""
    from plcqi import paths
    from plcqi.publish import api, layout

    as_of = date.fromisoformat(result.as_of) if result.as_of else datetime.now(UTC).date()
    page = paths.reports_dir(data_dir) / layout.data_quality_page(as_of)
    if result.ok and not page.exists():
        return None
    return api.render_quality_page(data_dir, as_of)


def validate_all(data_dir: Path | str | None, as_of: date | None = None) -> list[ValidationResult]:
    """Both stages, raw first (Data Docs published once, at the end)."""
    from plcqi import paths
    from plcqi.quality import docs

    results = [validate(data_dir, s, as_of, publish_docs=False) for s in STAGES]
    docs.publish(paths.data_dir(data_dir))
    return results


def publish_data_docs(data_dir: Path | str | None) -> Path:
    """Re-render ``DATA_DIR/reports/data-docs/index.html`` from the stored results."""
    from plcqi import paths
    from plcqi.quality import docs

    return docs.publish(paths.data_dir(data_dir))


def _end_of(day: date) -> datetime:
    """The last microsecond of ``day`` (naive UTC, like the raw zone's timestamps)."""
    return datetime.combine(day, dtime.min) + timedelta(days=1, microseconds=-1)


def parameters(reference: datetime, as_of: date | None, now: datetime) -> dict:
    """The ``$PARAMETER`` values suites may use."""
    from plcqi import settings
    from plcqi.ingest import contract

    return {
        "as_of_end": reference.isoformat(),
        # a timestamp, not a date: GX would hand a date to pandas, which will not compare
        # it with the Timestamps of a date column
        "as_of": f"{(as_of or now.date()).isoformat()}T00:00:00",
        "now": now.replace(tzinfo=None).isoformat(),
        "followup_window_days": int(settings.get("followup_window_days")),
        "plan_stalled_days": int(settings.get("plan_stalled_days")),
        "metric_keys": list(contract.METRIC_KEYS),
        "metric_count": len(contract.METRIC_KEYS),
    }
