"""The ``plcqi`` command: parses arguments and calls the package, nothing more."""

from __future__ import annotations

import sys
from datetime import date

import click

from plcqi import __version__, contract, settings

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
    from plcqi import ingest as ingestion
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
    click.echo("\n" + _table(ingestion.landed_summary(data_dir),
                             ["dataset", "files", "loaded", "quarantined", "rejected"]))
    if not report.ok:
        click.echo(f"\n{len(report.rejected)} file(s) rejected: see above", err=True)
        sys.exit(1)


def _register_optional() -> None:
    """Commands whose modules other parts of the package provide."""
    try:
        from plcqi.cli_generate import generate_command
    except ImportError:  # pragma: no cover - only while the generator is being written
        return
    main.add_command(generate_command)


_register_optional()
