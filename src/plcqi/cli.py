"""The ``plcqi`` command: parses arguments and calls the package, nothing more."""

from __future__ import annotations

import sys

import click

from plcqi import __version__, contract, settings
from plcqi.cli_access import access_group
from plcqi.cli_deliver import deliver_command
from plcqi.cli_generate import generate_command
from plcqi.cli_options import AS_OF, DATA_DIR, table
from plcqi.cli_report import report_command
from plcqi.cli_serve import serve_command
from plcqi.cli_validate import validate_command

LANDED_COLUMNS = ["dataset", "files", "loaded", "quarantined", "rejected"]


@click.group()
@click.version_option(__version__, prog_name="plcqi")
def main() -> None:
    """plcqi: continuous quality improvement data for peer learning and TA."""


@main.command()
@DATA_DIR
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Choice([*contract.SOURCES, contract.DB_SOURCE]),
    help="Only this source (repeatable). Default: every file source, and the tracker "
    "database when PLCQI_TRACKER_DSN is set.",
)
@click.option("--tracker-dsn", default=None, help="Tracker Postgres DSN [env PLCQI_TRACKER_DSN].")
@click.option("--status", is_flag=True, help="Show the ingest log instead of ingesting.")
def ingest(data_dir, sources, tracker_dsn, status) -> None:
    """Check landing files against the input contract into the raw zone (once per file)."""
    from plcqi.rawzone import Zone, read_log

    if status:
        records = read_log(Zone(settings.data_dir(data_dir)))
        if not records:
            click.echo("nothing ingested yet")
            return
        rows = [
            {
                "loaded_at": r.loaded_at[:19],
                "dataset": r.dataset,
                "file": r.file,
                "hash": r.file_hash[:12],
                "status": r.status,
                "read": r.rows_read,
                "loaded": r.rows_loaded,
                "quarantined": r.rows_quarantined,
                "message": " ".join(r.message.split()),
            }
            for r in records
        ]
        click.echo(table(rows, list(rows[0])))
        return
    if not _ingest(data_dir, sources, tracker_dsn).ok:
        sys.exit(1)


def _ingest(data_dir, sources, tracker_dsn):
    """Ingest and print per-file accounting and what has landed; return the report."""
    from plcqi import ingest as ingestion

    try:
        report = ingestion.ingest(data_dir, list(sources) or None, tracker_dsn)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    for r in report.records:
        line = (
            f"{r.status:8} {r.file}: read {r.rows_read}, loaded {r.rows_loaded}, "
            f"quarantined {r.rows_quarantined}"
        )
        if r.status == "rejected":
            line = f"rejected {r.message}"
        elif r.unexpected_columns:
            line += f" (unexpected columns kept: {', '.join(r.unexpected_columns)})"
        click.echo(line, err=r.status == "rejected")
    t = report.totals()
    click.echo(
        f"\n{t['files'] - len(report.rejected)} file(s) loaded, {len(report.rejected)} "
        f"rejected, {report.skipped} already loaded; rows read "
        f"{t['rows_read']} = loaded {t['rows_loaded']} + quarantined {t['rows_quarantined']}"
    )
    click.echo("\n" + table(ingestion.landed_summary(data_dir), LANDED_COLUMNS))
    if not report.ok:
        click.echo(f"\n{len(report.rejected)} file(s) rejected: see above", err=True)
    return report


TARGET = click.option(
    "--target",
    type=click.Choice(["duckdb", "postgres"]),
    default="duckdb",
    show_default=True,
    help="Warehouse: the embedded DuckDB file, or the shared Postgres (PLCQI_PG_* settings).",
)


def _transform(data_dir, target, as_of) -> None:
    from plcqi import transform as transformation

    try:
        result = transformation.transform(settings.data_dir(data_dir), target=target, as_of=as_of)
    except transformation.TransformError as e:
        raise click.ClickException(str(e)) from None
    counts = ", ".join(f"{n} {k}" for k, n in sorted(result.status_counts.items()))
    click.echo(f"dbt build ({target}): {counts}")


@main.command()
@DATA_DIR
@TARGET
@AS_OF
def transform(data_dir, target, as_of) -> None:
    """Build the warehouse with dbt (models and every test) from the raw zone."""
    _transform(data_dir, target, as_of)


@main.command()
@DATA_DIR
@TARGET
@AS_OF
def run(data_dir, target, as_of) -> None:
    """The pipeline: ingest, raw gate, dbt build, marts gate, reports.

    A rejected file or a failed gate ends the run with a failure status, after every step
    that can still run has run; a failed gate stops publication."""
    from plcqi import pipeline
    from plcqi.transform import TransformError

    try:
        state = pipeline.run(data_dir, as_of=as_of, target=target, echo=click.echo)
    except TransformError as e:
        raise click.ClickException(str(e)) from None
    if target == "duckdb":
        _summary(data_dir)
    published = state.results.get("publish")
    if published is not None:
        click.echo(f"reports: {published.index}")
    if not state.ok:
        click.echo("\nthe run needs attention:", err=True)
        for p in state.problems:
            click.echo(f"  - {p}", err=True)
        sys.exit(1)


SUMMARY_COLUMNS = [
    "center",
    "cohorts",
    "ongoing",
    "grantee_cohorts",
    "windows_complete",
    "took_up_related",
    "uptake",
    "mean_lift",
]


def _summary(data_dir) -> None:
    from plcqi import summary as summaries
    from plcqi.ingest import landed_summary

    click.echo("\n" + table(landed_summary(data_dir), LANDED_COLUMNS))
    click.echo("\n" + table(summaries.marts_summary(data_dir), SUMMARY_COLUMNS))
    click.echo(f"\nwarehouse: {summaries.warehouse_path(data_dir)}")


@main.command()
@DATA_DIR
def summary(data_dir) -> None:
    """What landed per dataset (the ingest log); per center, cohorts, grantee-cohorts and
    follow-up uptake from the DuckDB marts (read-only); where the warehouse and reports are."""
    from plcqi import summary as summaries

    if not summaries.warehouse_path(data_dir).is_file():
        raise click.ClickException(
            f"no warehouse at {summaries.warehouse_path(data_dir)}: run `plcqi run` first")
    _summary(data_dir)
    index = settings.data_dir(data_dir) / "reports" / "index.html"
    if index.is_file():
        click.echo(f"reports: {index}")


main.add_command(generate_command)
main.add_command(validate_command)
main.add_command(report_command)
main.add_command(access_group)
main.add_command(serve_command)
main.add_command(deliver_command)
