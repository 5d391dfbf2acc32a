"""The one quoting rule for SQL that plcqi writes itself (DuckDB and Postgres agree on it).

Every identifier, string, and list of file paths put into a query's text goes through
these functions — never an f-string around a raw path or value.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def ident(name: str) -> str:
    """A quoted SQL identifier.

    >>> ident('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'


def literal(text: str | Path) -> str:
    """A SQL string literal.

    >>> literal("it's")
    "'it''s'"
    """
    return "'" + str(text).replace("'", "''") + "'"


def list_literal(items: Iterable[str | Path]) -> str:
    """A DuckDB list of string literals, e.g. the files of a ``read_parquet``.

    >>> list_literal(["/d/a.parquet", "/o'brien/b.parquet"])
    "['/d/a.parquet', '/o''brien/b.parquet']"
    """
    return "[" + ", ".join(literal(i) for i in items) + "]"


def jinja_in_literal(expression: str) -> str:
    """A Jinja expression (dbt's ``env_var``...) whose value stands inside a SQL string
    literal: rendered with the same quote doubling as :func:`literal`.

    >>> print(jinja_in_literal('env_var("DIR")'))
    {{ env_var("DIR") | replace("'", "''") }}
    """
    return "{{ " + expression + """ | replace("'", "''") }}"""
