"""Paths, names and atomic writes of the raw zone, quarantine and ingest log.

Layout and columns: ``docs/raw-zone.md``. Every write goes to a temporary file in the target
folder first and is renamed into place, so a reader never sees half a file and a crash leaves
no partial one behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from plcqi import contract

EMPTY_STEM = "00000000T000000000000Z__empty"

# Raw column types by contract type (docs/raw-zone.md).
DUCKDB_TYPES = {
    contract.ID: "VARCHAR",
    contract.TEXT: "VARCHAR",
    contract.ENUM: "VARCHAR",
    contract.ENUM_LIST: "VARCHAR",
    contract.INT: "BIGINT",
    contract.NUMBER: "DOUBLE",
    contract.BOOL: "BOOLEAN",
    contract.DATE: "DATE",
    contract.DATETIME: "TIMESTAMP",
}
LINEAGE = (
    ("_file", "VARCHAR"),
    ("_row", "BIGINT"),
    ("_file_hash", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)
QUARANTINE_COLUMNS = (
    ("_file", "VARCHAR"),
    ("_row", "BIGINT"),
    ("column", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("value", "VARCHAR"),
    ("row_json", "VARCHAR"),
    ("_file_hash", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)


def raw_name(column: contract.Column) -> str | None:
    """The raw zone's name for a contract column; None when it is dropped.

    >>> raw_name(contract.dataset("attendance").column("email"))
    'email_key'
    """
    if column.pii == contract.PII_DROP:
        return None
    if column.pii == contract.PII_KEY:
        return "participant_key"
    if column.pii == contract.PII_EMAIL:
        return "email_key"
    return column.name


def raw_columns(ds: contract.Dataset) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a dataset's raw files, without drift columns."""
    cols = []
    for c in ds.columns:
        name = raw_name(c)
        if name is not None:
            cols.append((name, "VARCHAR" if c.pii else DUCKDB_TYPES[c.type]))
    return cols + list(LINEAGE)


@dataclass
class Zone:
    """The folders of one data directory."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    def raw(self, dataset: str) -> Path:
        return self.root / "raw" / dataset

    def quarantine(self, dataset: str) -> Path:
        return self.root / "quarantine" / dataset

    def log(self, dataset: str) -> Path:
        return self.root / "ingest_log" / dataset

    @property
    def state(self) -> Path:
        return self.root / "state"

    def latest_raw(self, dataset: str) -> Path | None:
        """The newest raw file of a dataset (for reference snapshots: the current one)."""
        files = sorted(p for p in self.raw(dataset).glob("*.parquet") if p.stem != EMPTY_STEM)
        return files[-1] if files else None


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stamp(at: datetime) -> str:
    """Sortable UTC stamp used in file names.

    >>> stamp(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
    '20260102T030405000006Z'
    """
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path next to ``target`` that is renamed onto it if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # writers such as DuckDB's COPY want to create the file themselves
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(target: Path, data: dict) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


@dataclass
class LogRecord:
    """One landing file version's ingestion, as stored in ``ingest_log/``."""

    dataset: str
    source: str
    file: str
    file_hash: str
    status: str  # loaded | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""
    unexpected_columns: list[str] = field(default_factory=list)
    raw_file: str | None = None
    quarantine_file: str | None = None
    loaded_at: str = ""

    def path(self, zone: Zone) -> Path:
        return zone.log(self.dataset) / f"{self.file_hash[:16]}.json"

    def save(self, zone: Zone) -> None:
        write_json(self.path(zone), asdict(self))


def read_log(zone: Zone) -> list[LogRecord]:
    records = []
    for p in sorted((zone.root / "ingest_log").glob("**/*.json")):
        records.append(LogRecord(**json.loads(p.read_text())))
    return sorted(records, key=lambda r: (r.loaded_at, r.dataset, r.file))


def already_loaded(zone: Zone, dataset: str, digest: str) -> bool:
    p = zone.log(dataset) / f"{digest[:16]}.json"
    return p.exists() and json.loads(p.read_text()).get("status") == "loaded"


def ensure_schema_files(zone: Zone, con) -> None:
    """Give every dataset folder a zero-row file with its schema, so readers' globs never
    come up empty (a source that has not delivered yet is an empty table, not an error)."""
    for ds in contract.DATASETS:
        target = zone.raw(ds.name) / f"{EMPTY_STEM}.parquet"
        if target.exists():
            continue
        cols = ", ".join(f"null::{t} as {name}" for name, t in raw_columns(ds))
        with atomic_path(target) as tmp:
            con.execute(f"copy (select {cols} limit 0) to '{tmp}' (format parquet)")
