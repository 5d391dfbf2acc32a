"""``plcqi run``: the whole pipeline without Airflow (parses arguments, calls plcqi.pipeline)."""

from __future__ import annotations

import sys

import click

from plcqi.cli.options import AS_OF, DATA_DIR, TARGET
from plcqi.cli.summary import print_summary


@click.command("run")
@DATA_DIR
@TARGET
@AS_OF
def run_command(data_dir, target, as_of) -> None:
    """The pipeline: ingest, raw gate, dbt build, marts gate, reports.

    A rejected file or a failed gate ends the run with a failure status, after every step
    that can still run has run; a failed gate stops publication."""
    from plcqi import locks, pipeline, settings
    from plcqi.transform.build import TransformError

    try:
        state = pipeline.run(data_dir, as_of=as_of, target=target, echo=click.echo)
    except (TransformError, locks.Busy, settings.KeyRefused) as e:
        raise click.ClickException(str(e)) from None
    if target == "duckdb":
        print_summary(data_dir)
    published = state.results.get("publish")
    if published is not None:
        click.echo(f"reports: {published.index}")
    if not state.ok:
        click.echo("\nthe run needs attention:", err=True)
        for p in state.problems:
            click.echo(f"  - {p}", err=True)
        sys.exit(1)
