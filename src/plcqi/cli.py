"""The ``plcqi`` command: parses arguments and calls the package, nothing more."""

from __future__ import annotations

import sys
from datetime import date

import click

from plcqi import __version__, contract, settings
from plcqi.cli_generate import generate_command

DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help=f"Data folder [env {settings.setting('data_dir').env}; default ./data].",
)


def _as_of(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


AS_OF = click.option(
    "--as-of", callback=_as_of, default=None, metavar="DATE", help="As-of date (default: today)."
)


@click.group()
@click.version_option(__version__, prog_name="plcqi")
def main() -> None:
    """plcqi: continuous quality improvement data for peer learning and TA."""


def _table(rows: list[dict], columns: list[str]) -> str:
    """A plain text table.

    >>> print(_table([{"a": 1, "b": "x"}], ["a", "b"]))
    a  b
    -  -
    1  x
    """
    widths = [max([len(c)] + [len(str(r[c])) for r in rows]) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        cells = [str(r[c]).ljust(w) for c, w in zip(columns, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


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
        click.echo(_table(rows, list(rows[0])))
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
        f"\n{t['files']} file(s) ingested, {report.skipped} already loaded; rows read "
        f"{t['rows_read']} = loaded {t['rows_loaded']} + quarantined {t['rows_quarantined']}"
    )
    summary = ingestion.landed_summary(data_dir)
    click.echo("\n" + _table(summary, ["dataset", "files", "loaded", "quarantined", "rejected"]))
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
    """The pipeline: ingest every source, build the warehouse, summarize the marts.

    A rejected file does not stop the build (the other files loaded), but the run still
    ends with a failure status so the operator sees it."""
    from plcqi import summary

    report = _ingest(data_dir, (), None)
    _transform(data_dir, target, as_of)
    if target == "duckdb":
        click.echo(
            "\n"
            + _table(
                summary.marts_summary(data_dir),
                [
                    "center",
                    "cohorts",
                    "ongoing",
                    "grantee_cohorts",
                    "windows_complete",
                    "took_up_related",
                    "uptake",
                    "mean_lift",
                ],
            )
        )
        click.echo(f"\nwarehouse: {summary.warehouse_path(data_dir)}")
    if not report.ok:
        sys.exit(1)


main.add_command(generate_command)
