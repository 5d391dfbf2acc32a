"""``plcqi ingest``: landing files into the raw zone (parses arguments, calls plcqi.ingest)."""

from __future__ import annotations

import sys

import click

from plcqi import paths
from plcqi.cli.options import DATA_DIR, table
from plcqi.ingest import contract

LANDED_COLUMNS = ["dataset", "files", "loaded", "quarantined", "rejected"]


@click.command("ingest")
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
def ingest_command(data_dir, sources, tracker_dsn, status) -> None:
    """Check landing files against the input contract into the raw zone (once per file)."""
    if status:
        show_status(data_dir)
        return
    if not run_ingest(data_dir, sources, tracker_dsn).ok:
        sys.exit(1)


def show_status(data_dir) -> None:
    from plcqi.ingest.rawzone import Zone, read_log

    records = read_log(Zone(paths.data_dir(data_dir)))
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
            "layout": r.layout,
            "read": r.rows_read,
            "loaded": r.rows_loaded,
            "quarantined": r.rows_quarantined,
            "skipped": r.rows_skipped,
            "message": " ".join(r.message.split()),
        }
        for r in records
    ]
    click.echo(table(rows, list(rows[0])))


def run_ingest(data_dir, sources, tracker_dsn):
    """Ingest and print per-file accounting and what has landed; return the report."""
    from plcqi import locks, settings
    from plcqi.ingest import run as ingestion

    try:
        report = ingestion.ingest(data_dir, list(sources) or None, tracker_dsn)
    except (locks.Busy, settings.KeyRefused) as e:
        raise click.ClickException(str(e)) from None
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    for r in report.records:
        line = (
            f"{r.status:8} {r.file}: read {r.rows_read}, loaded {r.rows_loaded}, "
            f"quarantined {r.rows_quarantined}"
        )
        if r.rows_skipped:
            line += f", skipped {r.rows_skipped}"
        if r.layout != "contract":
            line += f" [{r.layout}]"
        if r.status == "rejected":
            line = f"rejected {r.message}"
        elif r.unexpected_columns:
            line += f" (unexpected columns, not loaded: {', '.join(r.unexpected_columns)})"
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
