"""The options every ``plcqi`` command shares, declared once and parsed one way, and the plain
text table the commands print."""

from __future__ import annotations

from datetime import date

import click

from plcqi import settings
from plcqi.transform.build import TARGETS


def parse_date(ctx, param, value):
    """The one date parser of the command line: ``YYYY-MM-DD`` or a clear usage error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def data_dir_option(required: bool = False, help: str | None = None):
    """``--data-dir``: the data folder (a string; ``plcqi.paths.data_dir`` resolves it)."""
    text = help or "Data folder."
    if not required:
        text += " " + settings.env_help("data_dir")
    return click.option(
        "--data-dir", type=click.Path(file_okay=False), required=required, default=None,
        help=text,
    )


def as_of_option(help: str = "As-of date, YYYY-MM-DD (default: today, UTC)."):
    """``--as-of``: the date a run computes for, as a ``datetime.date``."""
    return click.option("--as-of", callback=parse_date, default=None, metavar="DATE", help=help)


DATA_DIR = data_dir_option()
AS_OF = as_of_option()
TARGET = click.option(
    "--target",
    type=click.Choice(TARGETS),
    default="duckdb",
    show_default=True,
    help="Warehouse: the embedded DuckDB file, or the shared Postgres (PLCQI_PG_* settings).",
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
