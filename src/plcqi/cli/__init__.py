"""The ``plcqi`` command: one module per command, each parsing its arguments and calling the
package, nothing more; the shared options are in ``plcqi.cli.options``."""

from __future__ import annotations

import click

from plcqi import __version__
from plcqi.cli.access import access_group
from plcqi.cli.bench import bench_command
from plcqi.cli.deliver import deliver_command
from plcqi.cli.generate import generate_command
from plcqi.cli.ingest import ingest_command
from plcqi.cli.report import report_command
from plcqi.cli.run import run_command
from plcqi.cli.serve import serve_command
from plcqi.cli.settings import settings_command
from plcqi.cli.sources import sources_group
from plcqi.cli.summary import summary_command
from plcqi.cli.transform import transform_command
from plcqi.cli.validate import validate_command


@click.group()
@click.version_option(__version__, prog_name="plcqi")
def main() -> None:
    """plcqi: continuous quality improvement data for peer learning and TA."""


for command in (
    generate_command,
    ingest_command,
    sources_group,
    validate_command,
    transform_command,
    report_command,
    run_command,
    summary_command,
    settings_command,
    access_group,
    serve_command,
    deliver_command,
    bench_command,
):
    main.add_command(command)
