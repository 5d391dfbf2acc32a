"""``plcqi generate``: write a realistic synthetic landing folder (see plcqi.generate)."""

from __future__ import annotations

from pathlib import Path

import click

from plcqi.cli.options import as_of_option, data_dir_option


@click.command("generate")
@data_dir_option(required=True,
                 help="Folder to write landing/ and generator_manifest.json into.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed.")
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="Volume multiplier: 1 is the demo (~20k attendance rows), 50 ~1M.")
@as_of_option(help="Date the timeline is laid out against, YYYY-MM-DD (default: today).")
@click.option("--tracker-dsn", default=None,
              help="Also write the TA request change rows into tracker.ta_requests of this "
                   "Postgres database (libpq DSN).")
@click.option("--native", "native_mode", type=click.Choice(["none", "mix", "all"]),
              default="mix", show_default=True,
              help="Native exports (Zoom, Teams, Qualtrics, REDCap, SurveyMonkey, a tracker "
                   "spreadsheet): none = contract CSVs only; all = every event file that has "
                   "a native layout; mix = the demo's mix, every layout at least once. The "
                   "events are the same in every mode.")
def generate_command(data_dir: str, seed: int, scale: float, as_of, tracker_dsn: str | None,
                     native_mode: str) -> None:
    """Generate every input file of the contract, with realistic mess and known bad rows."""
    from plcqi.generate import generate

    s = generate(Path(data_dir), seed=seed, scale=scale, as_of=as_of, tracker_dsn=tracker_dsn,
                 native_mode=native_mode)
    for name, n in s.rows_by_dataset.items():
        click.echo(f"{name:28s} {n:>10,d} rows")
    click.echo(f"{'injected bad rows':28s} {s.injected:>10,d}   (listed in {s.manifest_path})")
    if s.tracker_rows is not None:
        click.echo(f"{'tracker.ta_requests':28s} {s.tracker_rows:>10,d} rows")
    if s.native_files:
        click.echo(f"{'native exports':28s} {s.native_files:>10,d} files   (layouts in the "
                   "manifest)")
    click.echo(f"{s.total_rows:,d} rows in {len(s.files)} files, {s.seconds:.1f}s "
               f"({s.total_rows / max(s.seconds, 1e-9):,.0f} rows/s)")
