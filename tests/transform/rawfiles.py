"""Raw files written the way ingestion commits them (the data file, then its ingest log
record), for tests that need a raw zone content no landing file would give."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from plcqi.ingest.rawzone import EMPTY_FILE, LogRecord, Zone, stamp


def commit_raw(root: Path, dataset: str, rows: list[dict], when: datetime) -> Path:
    """A raw file of ``dataset`` holding ``rows``, with its ingest log record."""
    zone = Zone(root)
    zone.ensure_schema_files()
    schema = pq.read_schema(zone.raw(dataset) / EMPTY_FILE)
    digest = hashlib.sha256(repr((dataset, rows, when)).encode()).hexdigest()
    path = zone.raw(dataset) / f"{stamp(when)}__{digest[:16]}.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    LogRecord(
        dataset,
        dataset.split("/")[0],
        f"{dataset}.csv",
        digest,
        "loaded",
        rows_read=len(rows),
        rows_loaded=len(rows),
        raw_file=path.relative_to(root).as_posix(),
        loaded_at=when.isoformat(),
    ).save(zone)
    return path


def uncommit_raw(root: Path, dataset: str, path: Path) -> None:
    """Remove a file ``commit_raw`` wrote, and its record."""
    for record in Zone(root).log(dataset).glob("*.json"):
        if path.name in record.read_text():
            record.unlink()
    path.unlink()


def session_row(duration: int) -> dict:
    """A ``reference/sessions`` row (no cohort K1 exists: only for a failing build)."""
    return {
        "session_id": "S1",
        "cohort_id": "K1",
        "session_number": 1,
        "session_type": "webinar",
        "title": None,
        "scheduled_start": None,
        "duration_minutes": duration,
        "status": "delivered",
        "_file": "reference/sessions.csv",
        "_row": 1,
        "_file_hash": "x",
        "_loaded_at": None,
    }
