"""The shared Postgres warehouse: the raw zone copied in, where dbt's postgres target reads
it, and the schema swap that makes a build the warehouse in one transaction.

On DuckDB, dbt reads the raw zone's Parquet files in place. Postgres cannot, so before a
postgres build each raw dataset becomes a table ``raw<suffix>.<dataset with / as __>``
holding every raw file's rows with the contract's columns, the lineage columns and
``filename`` (the raw file's name, which orders reference snapshots). A build writes every
schema with its suffix (``plcqi.transform.builds``): ``raw__build_cli``,
``staging__build_cli``, …; :func:`swap_schemas` then renames them onto ``raw``, ``staging``,
``intermediate`` and ``marts`` in one transaction, so readers see the previous build until it
commits. The raw zone stays the source of truth.

Builds of one database take turns: :func:`build_lock` is a Postgres advisory lock, held by a
connection for the build (released by the server when the process dies, however it dies).

Data moves as CSV produced by Arrow and consumed by Postgres' COPY: no row passes through
Python.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
import pyarrow.csv as pacsv
from psycopg import sql

from plcqi import history, locks, paths, settings
from plcqi.ingest import contract
from plcqi.ingest.rawzone import Zone, parquet_list, raw_columns, table_name
from plcqi.sql import ident
from plcqi.transform import builds
from plcqi.transform.builds import CLI_BUILD, FAILED_SUFFIX, SUFFIX_PREFIX

PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}
RAW_SCHEMA = "raw"
# pg_advisory_lock key of a warehouse build (any bigint; this one spells "plcqi").
BUILD_LOCK_KEY = 0x706C637169
OLD_INFIX = "__old_"
CLI_SUFFIX = SUFFIX_PREFIX + CLI_BUILD
_BUILT = re.compile(rf"^(.+){SUFFIX_PREFIX}([a-z0-9]+)$")
_OLD = re.compile(rf"^(.+){OLD_INFIX}[0-9a-f]{{10}}$")


@dataclass(frozen=True)
class PgTarget:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_env(cls) -> PgTarget:
        return cls(
            host=settings.get("pg_host"),
            port=int(settings.get("pg_port")),
            user=settings.get("pg_user"),
            password=settings.get("pg_password") or "",
            dbname=settings.get("pg_dbname"),
        )

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.dbname,
        )


def _copy_files(cur: psycopg.Cursor, duck: duckdb.DuckDBPyConnection, schema: str, name: str,
                columns: list[tuple[str, str]], files: list[Path]) -> int:
    """Replace table ``<schema>.<name>`` with the rows of ``files`` (Parquet); the last column
    may be ``filename`` (the file's name, filled in here). Returns the rows copied."""
    table = sql.Identifier(schema, name)
    cur.execute(sql.SQL("drop table if exists {} cascade").format(table))
    cur.execute(
        sql.SQL("create table {} ({})").format(
            table,
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(PG_TYPES[t]))
                for n, t in columns
            ),
        )
    )
    if not files:
        return 0
    with_filename = columns[-1][0] == "filename"
    data_columns = columns[:-1] if with_filename else columns
    select = ", ".join(ident(n) for n, _ in data_columns)
    if with_filename:
        select += ", parse_filename(filename) as filename"
    arrow = duck.sql(
        f"select {select} "
        f"from read_parquet({parquet_list(files)}, union_by_name = true, filename = true)"
    ).to_arrow_table()
    if not arrow.num_rows:
        return 0
    buf = io.BytesIO()
    pacsv.write_csv(arrow, buf, pacsv.WriteOptions(include_header=False))
    copy_sql = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
        table, sql.SQL(", ").join(sql.Identifier(n) for n, _ in columns)
    )
    with cur.copy(copy_sql) as copy:
        copy.write(buf.getvalue())
    return arrow.num_rows


def load_raw(data_dir: Path | str | None, target: PgTarget, schema: str = RAW_SCHEMA,
             inputs: Path | None = None) -> dict[str, int]:
    """Replace schema ``schema`` with a fresh copy of the raw zone's rows (of the build's
    inputs snapshot ``inputs`` when given, see :mod:`plcqi.transform.builds`); return rows
    per table. One transaction: a reader sees all of the previous copy or all of this one."""
    zone = Zone(paths.data_dir(data_dir))
    counts: dict[str, int] = {}
    duck = duckdb.connect(":memory:")
    try:
        with target.connect() as pg, pg.cursor() as cur:
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
            cur.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
            for ds in contract.DATASETS:
                files = (builds.raw_files(inputs, ds.name) if inputs is not None
                         else zone.raw_files(ds.name, schema_file=True))
                counts[ds.name] = _copy_files(
                    cur, duck, schema, table_name(ds),
                    [*raw_columns(ds), ("filename", "VARCHAR")], files)
            files = (builds.history_files(inputs) if inputs is not None
                     else history.headline_files(zone.root))
            counts["history/published_headlines"] = _copy_files(
                cur, duck, schema, history.SOURCE_TABLE, list(history.HEADLINE_COLUMNS), files)
    finally:
        duck.close()
    return counts


# -- builds take turns; a build becomes the warehouse in one transaction ---------------------

_held: dict[tuple[str, int, str], psycopg.Connection] = {}


@contextmanager
def build_lock(target: PgTarget, wait: float | None = None) -> Iterator[None]:
    """Hold the database's build lock for the block (re-entrant in a process); wait at most
    ``wait`` seconds (default ``PLCQI_LOCK_TIMEOUT``), then raise :class:`plcqi.locks.Busy`."""
    key = (target.host, target.port, target.dbname)
    if key in _held:
        yield
        return
    wait = locks.timeout() if wait is None else wait
    con = target.connect()
    con.autocommit = True
    try:
        deadline = time.monotonic() + wait
        while not con.execute("select pg_try_advisory_lock(%s)", [BUILD_LOCK_KEY]).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise locks.Busy(
                    f"the Postgres warehouse {target.dbname} on {target.host}:{target.port} is "
                    f"being built by another plcqi process (waited {wait:g} s); try again when "
                    "it has finished")
            time.sleep(min(0.5, max(wait / 20, 0.05)))
        _held[key] = con
        try:
            yield
        finally:
            del _held[key]
    finally:
        con.close()  # the session ends: the server releases the lock


def _schemas(cur: psycopg.Cursor) -> list[str]:
    cur.execute("select nspname from pg_namespace order by 1")
    return [r[0] for r in cur.fetchall()]


def _with_suffix(names: list[str], suffix: str) -> list[str]:
    return [n for n in names if n.endswith(suffix) and len(n) > len(suffix)]


def _drop(cur: psycopg.Cursor, names: list[str]) -> None:
    for name in names:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(name)))


def remove_leftover_schemas(target: PgTarget, own_suffix: str) -> list[str]:
    """Drop the schemas killed builds left: those of builds of the same kind as the one with
    suffix ``own_suffix`` (``plcqi transform``'s, or Airflow runs'), its own from an earlier
    try included, and the previous schemas of a swap cut short. Returns the schemas dropped."""
    own_is_cli = own_suffix == CLI_SUFFIX
    drop = []
    with build_lock(target), target.connect() as pg, pg.cursor() as cur:
        for name in _schemas(cur):
            built = _BUILT.match(name)
            if (built and (built.group(2) == CLI_SUFFIX[len(SUFFIX_PREFIX):]) == own_is_cli) \
                    or _OLD.match(name):
                drop.append(name)
        _drop(cur, drop)
    return drop


def swap_schemas(target: PgTarget, suffix: str) -> list[str]:
    """Rename every schema ``<name><suffix>`` onto ``<name>`` in one transaction (the
    previous ``<name>`` dropped after it commits); returns the names swapped in."""
    token = uuid.uuid4().hex[:10]
    with build_lock(target), target.connect() as pg:
        with pg.transaction(), pg.cursor() as cur:
            names = _schemas(cur)
            built = _with_suffix(names, suffix)
            if not built:
                raise RuntimeError(f"no schemas *{suffix} in {target.dbname}: nothing to promote")
            old = []
            for name in built:
                base = name[: -len(suffix)]
                if base in names:
                    old.append(f"{base}{OLD_INFIX}{token}")
                    cur.execute(sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(base), sql.Identifier(old[-1])))
                cur.execute(sql.SQL("alter schema {} rename to {}").format(
                    sql.Identifier(name), sql.Identifier(base)))
        with pg.transaction(), pg.cursor() as cur:
            _drop(cur, old)
    return sorted(n[: -len(suffix)] for n in built)


def missing_relations(target: PgTarget, suffix: str,
                      expected: list[tuple[str, str]]) -> list[str]:
    """The (schema, name) relations of ``expected`` that the build with ``suffix`` lacks (a
    schema given without the suffix is the build's)."""
    with target.connect() as pg, pg.cursor() as cur:
        cur.execute("select table_schema, table_name from information_schema.tables")
        present = set(cur.fetchall())
    wanted = [(s if s.endswith(suffix) else s + suffix, t) for s, t in expected]
    return [f"{s}.{t}" for s, t in wanted if (s, t) not in present]


def set_aside_schemas(target: PgTarget, suffix: str, failed: str = FAILED_SUFFIX) -> list[str]:
    """Keep a failed build's schemas as ``<name>__failed`` (replacing earlier ones); returns
    the schemas kept."""
    with build_lock(target), target.connect() as pg, pg.transaction(), pg.cursor() as cur:
        names = _schemas(cur)
        built = _with_suffix(names, suffix)
        kept = []
        for name in built:
            aside = name[: -len(suffix)] + failed
            _drop(cur, [aside])
            cur.execute(sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(name), sql.Identifier(aside)))
            kept.append(aside)
    return kept
