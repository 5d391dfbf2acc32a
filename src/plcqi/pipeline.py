"""The whole pipeline without Airflow: the steps ``plcqi run`` takes, as data.

Each step calls the same function the Airflow task calls. The order is the data flow of
DESIGN.md: ingest, the raw gate, dbt, the marts gate, publish. dbt builds a new warehouse and
the marts gate validates it before it is promoted (``plcqi.transform.builds``): a build that
fails the gate is kept aside and the warehouse keeps its previous build. A gate's error-level
failure stops publication; a failed dbt build stops the steps after it; a rejected landing
file stops nothing, but the run still ends failed so the operator sees it. Whatever stops,
the data-quality page of the as-of date says why (``plcqi.publish.api.render_quality_page``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from plcqi import paths


@dataclass
class RunState:
    data_dir: Path
    as_of: date
    target: str
    echo: Callable[[str], None]
    results: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the remaining steps do not run

    @property
    def ok(self) -> bool:
        return not self.problems


def _ingest(state: RunState) -> None:
    from plcqi.ingest.run import ingest

    report = ingest(state.data_dir)
    state.results["ingest"] = report
    t = report.totals()
    state.echo(
        f"ingest: {t['files']} new file(s), {report.skipped} already loaded; rows read "
        f"{t['rows_read']} = loaded {t['rows_loaded']} + quarantined {t['rows_quarantined']}"
    )
    for r in report.rejected:
        state.problems.append(f"rejected {r.message}")


def _record_gate(state: RunState, stage: str, result) -> None:
    state.results[f"quality_{stage}"] = result
    state.echo(
        f"quality ({stage}): {result.status}, {len(result.errors)} error(s), "
        f"{len(result.warnings)} warning(s)"
    )
    for f in result.errors:
        state.problems.append(f"quality gate: {f.message}")


def _validate_raw(state: RunState) -> None:
    from plcqi import quality

    _record_gate(state, "raw", quality.validate(state.data_dir, "raw", state.as_of))


def _transform(state: RunState) -> None:
    """dbt builds a new warehouse; on DuckDB the marts gate validates it before promotion."""
    from plcqi.publish.api import render_quality_page
    from plcqi.transform.build import TransformError, marts_gate, transform

    gates: list = []
    check = marts_gate(state.data_dir, state.as_of, gates.append) if state.target == "duckdb" \
        else None
    try:
        result = transform(state.data_dir, target=state.target, as_of=state.as_of, check=check)
    except TransformError as e:
        state.problems.append(str(e))
        state.stopped = "the dbt build failed"
        page = render_quality_page(state.data_dir, state.as_of, stopped=[str(e)])
        state.echo(f"dbt build ({state.target}): failed; data-quality page: {page}")
        return
    state.results["transform"] = result
    state.echo(f"dbt build ({state.target}): {result.summary()}")
    for gate in gates:
        _record_gate(state, "marts", gate)
    if state.target != "duckdb":
        state.echo("quality (marts): skipped, the marts gate reads the DuckDB warehouse")
    if result.up_to_date:
        if result.check_passed is False:
            state.problems.append("the warehouse, unchanged since its build, fails the marts "
                                  "quality gate")
    elif result.promoted:
        state.echo(f"warehouse: the new build is promoted ({result.warehouse})")
    else:
        state.problems.append(
            "the new build failed the marts quality gate: not promoted, kept at "
            f"{result.failed_build}; the warehouse keeps its previous build")


def _publish(state: RunState) -> None:
    if state.target != "duckdb":
        state.echo("publish: reports read the DuckDB warehouse; skipped for postgres")
        return
    from plcqi.publish import PublishError, render_all
    from plcqi.publish.api import GateFailed
    from plcqi.publish.safety import UnsafeReport

    try:
        result = render_all(state.data_dir, as_of=state.as_of)
    except GateFailed as e:
        # The gates' errors are already among the problems; say where the operator looks.
        state.echo(f"publish: stopped, a quality gate failed; data-quality page: "
                   f"{e.data_quality_page}")
        return
    except (PublishError, UnsafeReport) as e:
        state.problems.append(f"publish: {e}")
        state.echo("publish: stopped")
        return
    state.results["publish"] = result
    state.problems.extend(f"publish: {p}" for p in result.problems)


STEPS: tuple[tuple[str, Callable[[RunState], None]], ...] = (
    ("ingest", _ingest),
    ("validate raw", _validate_raw),
    ("transform and validate marts", _transform),
    ("publish", _publish),
)


def run(
    data_dir: Path | str | None = None,
    as_of: date | None = None,
    target: str = "duckdb",
    echo: Callable[[str], None] = print,
) -> RunState:
    """Run every step in order; return what each produced and what went wrong.

    Every step computes for one as-of date (default: today, UTC), so the quality results
    that publication checks are those of this run."""
    as_of = as_of or datetime.now(UTC).date()
    state = RunState(paths.data_dir(data_dir), as_of, target, echo)
    for name, step in STEPS:
        if state.stopped:
            echo(f"{name}: skipped, {state.stopped}")
            continue
        step(state)
    return state
