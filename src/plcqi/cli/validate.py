"""``plcqi validate``: run the data quality gates (parses arguments, calls plcqi.quality)."""

from __future__ import annotations

import sys

import click

from plcqi.cli.options import DATA_DIR, as_of_option


@click.command("validate")
@DATA_DIR
@click.option("--stage", type=click.Choice(["raw", "marts"]), default=None,
              help="Only this stage. Default: raw, then marts.")
@as_of_option(help="As-of date (default: now for raw, the marts' own as-of date for marts).")
def validate_command(data_dir, stage, as_of) -> None:
    """Run the Great Expectations suites of expectations/ and publish Data Docs.

    Exits 1 when an error-level expectation fails (warnings are reported only)."""
    from plcqi import quality

    try:
        if stage:
            results = [quality.validate(data_dir, stage, as_of)]
        else:
            results = quality.validate_all(data_dir, as_of)
    except (FileNotFoundError, ValueError) as e:
        raise click.ClickException(str(e)) from None
    for r in results:
        click.echo(r.report(), err=not r.ok)
        click.echo(f"  results: {r.data_dir}/{r.results_file}")
    from plcqi.quality.docs import docs_path

    click.echo(f"Data Docs: {docs_path(results[0].data_dir)}")
    if not all(r.ok for r in results):
        sys.exit(1)
