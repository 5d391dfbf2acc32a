"""Options and output helpers shared by every ``plcqi`` subcommand."""

from __future__ import annotations

from datetime import date

import click

from plcqi import settings


def parse_as_of(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help=f"Data folder [env {settings.setting('data_dir').env}; default ./data].",
)
AS_OF = click.option(
    "--as-of",
    callback=parse_as_of,
    default=None,
    metavar="DATE",
    help="As-of date, YYYY-MM-DD (default: today).",
)


def table(rows: list[dict], columns: list[str]) -> str:
    """A plain text table.

    >>> print(table([{"a": 1, "b": "x"}], ["a", "b"]))
    a  b
    -  -
    1  x
    """
    widths = [max([len(c)] + [len(str(r[c])) for r in rows]) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        cells = [str(r[c]).ljust(w) for c, w in zip(columns, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
