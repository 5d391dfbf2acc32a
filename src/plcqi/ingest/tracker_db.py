"""Incremental pull of TA requests from the tracker's Postgres, by ``updated_at`` watermark.

Each pull copies the rows changed since the stored watermark out of the database as CSV
(Postgres' own COPY), keeps that extract in ``landing/tracker_db/`` (nothing that arrives is
lost, and a pull can be replayed), and then ingests it through the same contract checks as the
tracker's file exports.

A row may be committed after a pull with an ``updated_at`` older than the watermark (a long
transaction, a clock a little behind). So each pull reads again a look-back window before the
watermark (``PLCQI_TRACKER_LOOKBACK_MINUTES``) and drops the change rows it already has, by
(``request_id``, ``updated_at``): the watermark state keeps the keys pulled within that window.
A row committed later than the look-back after its ``updated_at`` is still missed.

The extract's rename is the pull's commit point; the watermark state is written after it and
names the last extract it covers, so a pull killed between the two folds that extract in first
and pulls nothing twice. Call :func:`pull` holding the ``ta_requests`` dataset's lock.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from plcqi import settings
from plcqi.files import atomic_path, is_temporary, write_json
from plcqi.ingest import contract
from plcqi.ingest.rawzone import Zone, stamp

WATERMARK_NAME = "ta_requests_db.json"
PULL_FOLDER = "tracker_db"


def watermark_path(zone: Zone) -> Path:
    return zone.state / "watermarks" / WATERMARK_NAME


def read_watermark(zone: Zone) -> str | None:
    p = watermark_path(zone)
    return json.loads(p.read_text())["updated_at"] if p.exists() else None


def lookback() -> timedelta:
    """The look-back window (``PLCQI_TRACKER_LOOKBACK_MINUTES``)."""
    return timedelta(minutes=float(settings.get("tracker_lookback_minutes")))


def _time(text: str) -> datetime:
    """A timestamp as Postgres writes it in UTC ISO style.

    >>> _time("2024-01-04 10:00:00.5+00").isoformat()
    '2024-01-04T10:00:00.500000+00:00'
    """
    return datetime.fromisoformat(text).astimezone(UTC)


@dataclass
class Watermark:
    """What the pulls so far hold: the newest ``updated_at`` (as Postgres wrote it), the last
    extract they cover, and the (request_id, updated_at) keys pulled at or after ``since``,
    the start of the window the next pull reads again."""

    updated_at: str | None = None
    table: str | None = None
    pull: str | None = None
    since: str | None = None
    recent: list[list[str]] = field(default_factory=list)

    @classmethod
    def read(cls, zone: Zone) -> Watermark | None:
        p = watermark_path(zone)
        if not p.exists():
            return None
        data = json.loads(p.read_text())
        return cls(
            **{k: data.get(k) for k in ("updated_at", "table", "pull", "since")},
            recent=data.get("recent") or [],
        )

    def fold(self, keys: list[tuple[str, str]], pull: str, window: timedelta) -> None:
        """Take in an extract's (request_id, updated_at) keys."""
        times = [self.updated_at, *(t for _, t in keys)]
        self.updated_at = max((t for t in times if t), key=_time)
        self.pull = pull
        since = _time(self.updated_at) - window
        self.since = since.isoformat()
        held = {tuple(k) for k in self.recent} | set(keys)
        self.recent = sorted([list(k) for k in held if _time(k[1]) >= since])


def _table(name: str) -> sql.Composed:
    return sql.SQL(".").join(sql.Identifier(part) for part in name.split("."))


def _keys(extract: bytes) -> list[tuple[str, str]]:
    """The (request_id, updated_at) of an extract's rows."""
    rows = csv.DictReader(io.StringIO(extract.decode("utf-8")))
    return [(r["request_id"], r["updated_at"]) for r in rows]


def _select(table: str, mark: Watermark | None) -> sql.Composed:
    columns = [c.name for c in contract.dataset("ta_requests").columns]
    select = sql.SQL("select {cols} from {table}").format(
        cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns), table=_table(table)
    )
    if mark is not None and mark.updated_at is not None:
        # Re-read the window before the watermark, but no further back than the keys kept.
        start = max(_time(mark.updated_at) - lookback(), _time(mark.since or mark.updated_at))
        select += sql.SQL(" where updated_at > {}::timestamptz").format(
            sql.Literal(start.isoformat())
        )
        if mark.recent:
            select += sql.SQL(
                " and not exists (select from unnest({}::text[], {}::timestamptz[]) "
                "as seen(seen_id, seen_at) where seen_id = request_id and seen_at = updated_at)"
            ).format(
                sql.Literal([k[0] for k in mark.recent]),
                sql.Literal([k[1] for k in mark.recent]),
            )
    return select + sql.SQL(" order by updated_at, request_id")


def pull(zone: Zone, dsn: str, table: str) -> list[Path]:
    """Pull what changed since the watermark (and the look-back window before it, without
    the rows already pulled); return the extracts waiting to be ingested (this pull's, plus
    any earlier one whose ingestion did not finish)."""
    folder = zone.landing / PULL_FOLDER
    mark = _recovered(zone, folder, table)
    buf = bytearray()
    # One repeatable-read snapshot of exactly what we copy.
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("set transaction isolation level repeatable read")
        cur.execute("set timezone = 'UTC'")
        cur.execute("set datestyle = 'ISO, YMD'")  # the contract's ISO text, whatever the server's
        copy_sql = sql.SQL("copy ({}) to stdout with (format csv, header true)").format(
            _select(table, mark)
        )
        with cur.copy(copy_sql) as copy:
            for chunk in copy:
                buf += chunk
    keys = _keys(bytes(buf))
    if keys:
        target = folder / f"pull_{stamp(datetime.now(UTC))}.csv"
        with atomic_path(target) as tmp:
            tmp.write_bytes(bytes(buf))
        mark = mark or Watermark(table=table)
        mark.table = table
        mark.fold(keys, target.name, lookback())
        _write(zone, mark)
    return _extracts(folder)


def _extracts(folder: Path) -> list[Path]:
    return sorted(folder.glob("pull_*.csv")) if folder.exists() else []


def _recovered(zone: Zone, folder: Path, table: str) -> Watermark | None:
    """The watermark, with any extract written after it (a pull killed before it wrote the
    watermark) folded in; temporary files of a killed pull removed."""
    for d in (folder, watermark_path(zone).parent):
        if d.exists():
            for p in d.iterdir():
                if is_temporary(p):
                    p.unlink(missing_ok=True)
    mark = Watermark.read(zone)
    if mark is not None and mark.pull is None:
        return mark  # written before the state named its extract: nothing to recover from
    later = [p for p in _extracts(folder) if mark is None or p.name > mark.pull]
    for p in later:
        mark = mark or Watermark(table=table)
        mark.fold(_keys(p.read_bytes()), p.name, lookback())
    if later:
        _write(zone, mark)
    return mark


def _write(zone: Zone, mark: Watermark) -> None:
    write_json(
        watermark_path(zone),
        {
            "updated_at": mark.updated_at,
            "table": mark.table,
            "pull": mark.pull,
            "since": mark.since,
            "recent": mark.recent,
        },
    )
