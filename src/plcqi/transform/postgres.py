"""Copy the raw zone into the shared Postgres warehouse, where dbt's postgres target reads it.

On DuckDB, dbt reads the raw zone's Parquet files in place. Postgres cannot, so before a
postgres build each raw dataset becomes a table ``raw.<dataset with / as __>`` holding every
raw file's rows with the contract's columns, the lineage columns and ``filename`` (the raw
file's name, which orders reference snapshots). The copy is a full refresh in one transaction:
readers see the previous tables until it commits. The raw zone stays the source of truth.

Data moves as CSV produced by Arrow and consumed by Postgres' COPY: no row passes through
Python.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
import pyarrow.csv as pacsv
from psycopg import sql

from plcqi import history, paths, settings
from plcqi.ingest import contract
from plcqi.ingest.rawzone import Zone, parquet_list, raw_columns, table_name
from plcqi.sql import ident

PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}
RAW_SCHEMA = "raw"


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


def _copy_files(cur: psycopg.Cursor, duck: duckdb.DuckDBPyConnection, name: str,
                columns: list[tuple[str, str]], files: list[Path]) -> int:
    """Replace table ``raw.<name>`` with the rows of ``files`` (Parquet); the last column may
    be ``filename`` (the file's name, filled in here). Returns the rows copied."""
    table = sql.Identifier(RAW_SCHEMA, name)
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


def load_raw(data_dir: Path | str | None, target: PgTarget) -> dict[str, int]:
    """Replace the ``raw`` schema's tables with the raw zone's rows; return rows per table."""
    zone = Zone(paths.data_dir(data_dir))
    counts: dict[str, int] = {}
    duck = duckdb.connect(":memory:")
    with target.connect() as pg, pg.cursor() as cur:
        cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
        for ds in contract.DATASETS:
            counts[ds.name] = _copy_files(
                cur, duck, table_name(ds), [*raw_columns(ds), ("filename", "VARCHAR")],
                zone.raw_files(ds.name, schema_file=True))
        counts["history/published_headlines"] = _copy_files(
            cur, duck, history.SOURCE_TABLE, list(history.HEADLINE_COLUMNS),
            history.headline_files(zone.root))
    duck.close()
    return counts
