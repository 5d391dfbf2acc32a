"""``plcqi sources``: the native exports plcqi reads (SOURCES.md), and what it makes of a file
before it is loaded."""

from __future__ import annotations

from pathlib import Path

import click

from plcqi import paths
from plcqi.cli.options import DATA_DIR, table


@click.group("sources")
def sources_group() -> None:
    """Native exports (Zoom, Teams, Qualtrics, REDCap, SurveyMonkey, tracker spreadsheets)."""


@sources_group.command("list")
def list_command() -> None:
    """Every layout plcqi recognizes, and the dataset each feeds."""
    from plcqi.ingest.sources import layouts

    rows = [{"layout": "contract", "title": "the contract's CSV (INPUTS.md)", "datasets": "all"}]
    rows += [
        {"layout": lo.name, "title": lo.title, "datasets": ", ".join(lo.datasets)}
        for lo in layouts()
    ]
    click.echo(table(rows, ["layout", "title", "datasets"]))


@sources_group.command("detect")
@DATA_DIR
@click.option(
    "--dataset",
    default=None,
    help="Check the files as this dataset's (default: the landing folder they are in; "
    "outside landing/, every event dataset).",
)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def detect_command(data_dir, dataset, files) -> None:
    """Each FILE's layout, the dataset it feeds, the session it matches (or why none), its
    rows and skips, and its unused columns. Sessions come from the raw zone of the data
    folder (ingest the reference source first). Exits 1 if a file would be rejected."""
    from plcqi.ingest.rawzone import Zone
    from plcqi.ingest.sources.describe import EVENT_DATASETS, describe

    if dataset and dataset not in EVENT_DATASETS:
        raise click.BadParameter(
            f"{dataset!r} is not an event dataset ({', '.join(EVENT_DATASETS)})",
            param_hint="--dataset",
        )
    zone = Zone(paths.data_dir(data_dir))
    failed = 0
    for f in files:
        for d in describe(Path(f), zone, dataset):
            if not d.ok:
                failed += 1
                click.echo(f"{d.file}\n  not loadable: {d.problem}\n", err=True)
                continue
            lines = [
                d.file,
                f"  layout:   {d.layout} ({d.title})",
                f"  dataset:  {d.dataset}",
            ]
            if d.session:
                lines.append(f"  session:  {d.session}")
            skipped = sum(d.skipped.values())
            detail = ", ".join(f"{n} {why}" for why, n in sorted(d.skipped.items()))
            lines.append(
                f"  rows:     {d.rows_read} read"
                + (f", {skipped} would be skipped ({detail})" if skipped else "")
                + (f", {d.rejected} not convertible (quarantined)" if d.rejected else "")
            )
            if d.unmapped:
                lines.append(f"  not used: {', '.join(d.unmapped)}")
            click.echo("\n".join(lines) + "\n")
    if failed:
        raise SystemExit(1)
