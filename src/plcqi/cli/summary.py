"""``plcqi summary``: what landed and the marts per center (read-only)."""

from __future__ import annotations

import click

from plcqi import paths
from plcqi.cli.ingest import LANDED_COLUMNS
from plcqi.cli.options import DATA_DIR, table

SUMMARY_COLUMNS = [
    "center",
    "cohorts",
    "ongoing",
    "windows_complete",
    "windows_open",
    "took_up_related",
    "uptake",
    "baseline",
    "lift",
]

REGION_COLUMNS = ["region", "grantees", "plans_late", "plans_stalled", "topics_rising",
                  "in_peer_learning", "followed_up", "no_ta_in_period"]


def print_summary(data_dir) -> None:
    from plcqi.ingest.run import landed_summary
    from plcqi.publish import summary as summaries

    click.echo("\n" + table(landed_summary(data_dir), LANDED_COLUMNS))
    click.echo("\n" + table(summaries.marts_summary(data_dir), SUMMARY_COLUMNS))
    regions = summaries.regions_summary(data_dir)
    if regions:
        click.echo("\nTA planning by ACF region (the region reports' headlines)")
        click.echo(table(regions, REGION_COLUMNS))
    click.echo(f"\nwarehouse: {paths.warehouse(data_dir)}")


@click.command("summary")
@DATA_DIR
def summary_command(data_dir) -> None:
    """What landed per dataset (the ingest log); per center and for all centers, cohorts,
    grantee-cohorts and follow-up uptake against the baseline, with 95% intervals; per ACF
    region, late and stalled plans, rising needs and peer learning; from the DuckDB marts
    (read-only); where the warehouse and reports are."""
    if not paths.warehouse(data_dir).is_file():
        raise click.ClickException(
            f"no warehouse at {paths.warehouse(data_dir)}: run `plcqi run` first")
    print_summary(data_dir)
    index = paths.reports_dir(data_dir) / "index.html"
    if index.is_file():
        click.echo(f"reports: {index}")
