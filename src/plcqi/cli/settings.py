"""``plcqi settings``: every setting, its variable, its value here and what it means."""

from __future__ import annotations

import click

from plcqi import settings
from plcqi.cli.options import table


@click.command("settings")
def settings_command() -> None:
    """Every environment variable plcqi reads, with its value in this environment (secrets
    shown only as set or not)."""
    rows = []
    for s in settings.SETTINGS:
        value = settings.get(s.name)
        if s.secret:
            value = "(set)" if settings.is_set(s.name) else "(not set)"
        rows.append({"variable": s.env, "value": "" if value is None else value,
                     "group": s.group, "meaning": s.help.replace("`", "")})
    click.echo(table(rows, ["variable", "value", "group", "meaning"]))
