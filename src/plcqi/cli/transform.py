"""``plcqi transform``: build the warehouse with dbt (parses arguments, calls plcqi.transform)."""

from __future__ import annotations

import click

from plcqi import paths
from plcqi.cli.options import AS_OF, DATA_DIR, TARGET


@click.command("transform")
@DATA_DIR
@TARGET
@AS_OF
def transform_command(data_dir, target, as_of) -> None:
    """Build a new warehouse with dbt (models and every test) from a snapshot of the raw zone;
    it replaces the current one in one step once every model and test passed. Nothing is built
    when nothing changed since the current warehouse's build (raw files, published history,
    as-of date, settings, dbt project)."""
    from plcqi.transform import build

    try:
        result = build.transform(paths.data_dir(data_dir), target=target, as_of=as_of)
    except build.TransformError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"dbt build ({target}): {result.summary()}")
    click.echo(f"warehouse: {result.warehouse}")
