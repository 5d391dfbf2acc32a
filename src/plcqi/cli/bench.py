"""``plcqi bench``: time every stage at growing scale beside the scan limit (plcqi.bench)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from plcqi.cli.options import as_of_option


def _scales(ctx, param, value: str | None) -> list[float]:
    if value is None:
        return []
    try:
        scales = [float(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a list of numbers such as 1,10,100") \
            from None
    if not scales or any(s <= 0 for s in scales):
        raise click.BadParameter(f"{value!r}: give positive scales such as 1,10,100")
    return scales


@click.command("bench")
@click.option("--scales", default="1,10,100", show_default=True, callback=_scales,
              help="Generator scales to run (1 is the demo, ~38k rows; 100 ~3.5M).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write every figure as JSON to this file.")
@click.option("--work-dir", type=click.Path(file_okay=False), default=None,
              help="Folder for the generated data (default: a temporary one, removed after).")
@click.option("--postgres-scales", default=None, callback=_scales,
              help="Scales at which to time the Postgres target too (default: those ≤ 10). "
                   "Needs PLCQI_TEST_PG_DSN or a local PostgreSQL; the benchmark creates "
                   "and drops its own database.")
@click.option("--airflow-scales", default=None, callback=_scales,
              help="Scales at which to time the transform DAG (default: 1).")
@click.option("--no-postgres", is_flag=True, help="Skip the Postgres target.")
@click.option("--no-airflow", is_flag=True, help="Skip the Airflow transform DAG.")
@click.option("--no-incremental", is_flag=True,
              help="Skip the runs with one new file and with nothing new.")
@click.option("--pg-dsn", envvar="PLCQI_TEST_PG_DSN", default=None,
              help="Maintenance database of the PostgreSQL server to create the benchmark's "
                   "database on [env PLCQI_TEST_PG_DSN; default the local server].")
@as_of_option(help="As-of date of the generated data (default: the last day of the last "
              "complete month, UTC).")
def bench_command(scales, out, work_dir, postgres_scales, airflow_scales, no_postgres,
                  no_airflow, no_incremental, pg_dsn, as_of) -> None:
    """Time every stage (wall, peak memory) at each scale, with the scan limit, an
    incremental run, Postgres and Airflow beside them; print the table, write the JSON.

    Nothing is asserted: quote the figures with this command."""
    from plcqi import bench

    pg = set() if no_postgres else set(postgres_scales or [s for s in scales if s <= 10])
    af = set() if no_airflow else set(airflow_scales or [s for s in scales if s <= 1])
    with tempfile.TemporaryDirectory(prefix="plcqi-bench-") as tmp:
        work = Path(work_dir) if work_dir else Path(tmp)
        runner = bench.Bench(work, as_of or bench.default_as_of(), postgres_scales=pg,
                             airflow_scales=af, pg_dsn=pg_dsn, incremental=not no_incremental,
                             echo=lambda s: click.echo(s, err=True))
        result = runner.run(scales)
    if out:
        Path(out).write_text(json.dumps(result, indent=2) + "\n")
    click.echo(bench.table(result))
    if out:
        click.echo(f"\nJSON: {out}")
