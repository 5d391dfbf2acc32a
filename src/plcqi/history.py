"""Published history: what each as-of date's reports read, kept as it was published.

After the reports of an as-of date are written, every table of the ``marts`` schema is saved
as Parquet under ``DATA_DIR/history/<as_of>/<table>.parquet`` (one folder per as-of date,
replaced whole by one rename, so a reader never sees half of it). A backfill writes the history
of its own date.

The next build reads the headline figures of the previous period from there: dbt source
``history.published_headlines`` (``dbt_project/models/staging/_sources__history.yml``) reads
``history/*/rpt_headlines.parquet`` on DuckDB, and the table ``raw.published_headlines``
that :func:`plcqi.transform.postgres.load_raw` copies them into on Postgres. Where no history
exists for the previous as-of date, ``marts.rpt_headline_changes`` compares with the figure
recomputed from today's data and says so (``previous_source = 'recomputed'``).
"""

from __future__ import annotations

import shutil
import uuid
from datetime import date
from pathlib import Path

import duckdb

from plcqi import paths
from plcqi.sql import ident, literal

HEADLINES = "rpt_headlines"
SOURCE_TABLE = "published_headlines"  # dbt source history.published_headlines; raw.<it> on Postgres
SCHEMA_FOLDER = "_schema"  # holds a zero-row file so the source's glob always matches

# The columns of a published headline row: rpt_headlines' columns. The dbt source's YAML is
# generated from them (plcqi.transform.sources); tests/transform/test_dbt_sources.py checks
# them against the built mart.
HEADLINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("as_of_date", "DATE"),
    ("center_id", "VARCHAR"),
    ("figure", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("period", "VARCHAR"),
    ("cutoff_on", "DATE"),
    ("period_start_on", "DATE"),
    ("numerator", "BIGINT"),
    ("denominator", "BIGINT"),
    ("value", "DOUBLE"),
    ("ci_low", "DOUBLE"),
    ("ci_high", "DOUBLE"),
)


def folder(data_dir: Path | str | None, as_of: date) -> Path:
    return paths.history_dir(data_dir) / as_of.isoformat()


def published(data_dir: Path | str | None) -> list[date]:
    """The as-of dates with published history, oldest first."""
    root = paths.history_dir(data_dir)
    if not root.is_dir():
        return []
    out = []
    for p in root.iterdir():
        try:
            out.append(date.fromisoformat(p.name))
        except ValueError:
            continue
    return sorted(out)


def schema_file(data_dir: Path | str | None) -> Path:
    return paths.history_dir(data_dir) / SCHEMA_FOLDER / f"{HEADLINES}.parquet"


def ensure_schema_file(data_dir: Path | str | None) -> Path:
    """The zero-row headline file that lets ``history/*/rpt_headlines.parquet`` resolve before
    anything was published."""
    target = schema_file(data_dir)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    columns = ", ".join(f"cast(null as {t}) as {ident(n)}" for n, t in HEADLINE_COLUMNS)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"copy (select {columns} limit 0) to {literal(str(tmp))} (format parquet)")
    finally:
        con.close()
    tmp.replace(target)
    return target


def write(con: duckdb.DuckDBPyConnection, data_dir: Path | str | None, as_of: date) -> Path:
    """Save every ``marts`` table of the warehouse ``con`` reads (read-only is enough) as the
    history of ``as_of``; the folder is replaced in one rename. Returns the folder."""
    root = paths.history_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    final = folder(data_dir, as_of)
    staging = root / f".{as_of.isoformat()}.{uuid.uuid4().hex}.tmp"
    staging.mkdir()
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name").fetchall()]
        for table in tables:
            target = staging / f"{table}.parquet"
            con.execute(f"copy (select * from marts.{ident(table)}) to {literal(str(target))} "
                        "(format parquet)")
        old = None
        if final.exists():
            old = root / f".{as_of.isoformat()}.{uuid.uuid4().hex}.old"
            final.rename(old)
        staging.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def headline_files(data_dir: Path | str | None) -> list[Path]:
    """Every published headline file, the schema file first (for the Postgres copy)."""
    root = paths.history_dir(data_dir)
    return sorted(root.glob(f"*/{HEADLINES}.parquet"))
