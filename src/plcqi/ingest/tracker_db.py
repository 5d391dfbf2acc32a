"""Incremental pull of TA requests from the tracker's Postgres, by ``updated_at`` watermark.

Each pull copies the rows changed since the stored watermark out of the database as CSV
(Postgres' own COPY, so no row passes through Python), keeps that extract in
``landing/tracker_db/`` (nothing that arrives is lost, and a pull can be replayed), and then
ingests it through the same contract checks as the tracker's file exports. The watermark
moves only after the extract is safely on disk.

The watermark is strict (``updated_at > watermark``): a row committed later with exactly the
watermark's timestamp would be missed, which the tracker's ``now()`` timestamps make unlikely.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from plcqi.ingest import contract
from plcqi.ingest.rawzone import Zone, atomic_path, stamp, write_json

WATERMARK_NAME = "ta_requests_db.json"
PULL_FOLDER = "tracker_db"


def watermark_path(zone: Zone) -> Path:
    return zone.state / "watermarks" / WATERMARK_NAME


def read_watermark(zone: Zone) -> str | None:
    p = watermark_path(zone)
    return json.loads(p.read_text())["updated_at"] if p.exists() else None


def _table(name: str) -> sql.Composed:
    return sql.SQL(".").join(sql.Identifier(part) for part in name.split("."))


def pull(zone: Zone, dsn: str, table: str) -> list[Path]:
    """Pull what changed since the watermark; return the extracts waiting to be ingested
    (this pull's, plus any earlier one whose ingestion did not finish)."""
    columns = [c.name for c in contract.dataset("ta_requests").columns]
    since = read_watermark(zone)
    select = sql.SQL("select {cols} from {table}").format(
        cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns), table=_table(table)
    )
    if since is not None:
        select += sql.SQL(" where updated_at > {}::timestamptz").format(sql.Literal(since))
    select += sql.SQL(" order by updated_at, request_id")

    buf = bytearray()
    # One repeatable-read snapshot, so the watermark is the newest row of exactly what we copy.
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("set transaction isolation level repeatable read")
        cur.execute("set timezone = 'UTC'")
        cur.execute("set datestyle = 'ISO, YMD'")  # the contract's ISO text, whatever the server's
        cur.execute(sql.SQL("select max(updated_at)::text from ({}) pulled").format(select))
        newest = cur.fetchone()[0]
        if newest is not None:
            copy_sql = sql.SQL("copy ({}) to stdout with (format csv, header true)").format(select)
            with cur.copy(copy_sql) as copy:
                for chunk in copy:
                    buf += chunk

    folder = zone.landing / PULL_FOLDER
    if newest is not None:
        target = folder / f"pull_{stamp(datetime.now(UTC))}.csv"
        with atomic_path(target) as tmp:
            tmp.write_bytes(bytes(buf))
        write_json(watermark_path(zone), {"updated_at": newest, "table": table})
    return sorted(folder.glob("pull_*.csv")) if folder.exists() else []
