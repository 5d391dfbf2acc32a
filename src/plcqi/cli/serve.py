"""``plcqi serve``: parses arguments and calls ``plcqi.publish.access.serve``."""

from __future__ import annotations

import sys

import click

from plcqi.cli.options import DATA_DIR


@click.command("serve")
@DATA_DIR
@click.option("--port", type=click.IntRange(1, 65535), default=8081, show_default=True,
              help="Port on 127.0.0.1.")
def serve_command(data_dir, port) -> None:
    """Serve the reports with nginx on 127.0.0.1 (HTTP basic auth, each user their own
    audience's pages) in the foreground until SIGTERM or Ctrl-C."""
    from plcqi.publish.access import AccessError
    from plcqi.publish.access.serve import ServeError, serve

    try:
        code = serve(data_dir, port, echo=click.echo)
    except (AccessError, ServeError) as e:
        raise click.ClickException(str(e)) from None
    sys.exit(code)
