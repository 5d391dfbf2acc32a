"""The raw zone, quarantine and ingest log of a data folder: their paths, file names,
columns, table names, and the listing of their data files.

Layout and columns: ``docs/raw-zone.md``. Every other module asks this one which files a
dataset holds (never globbing itself), how its columns are named and typed, and how a list
of its files is written in SQL.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from plcqi import sql
from plcqi.files import atomic_path, write_json
from plcqi.ingest import contract

# Every dataset folder holds this zero-row file with the dataset's schema, so that readers'
# globs never come up empty (a source that has not delivered yet is an empty table).
EMPTY_STEM = "00000000T000000000000Z__empty"
EMPTY_FILE = f"{EMPTY_STEM}.parquet"

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
    if column.pii == contract.PII_DROP or column.native_only:
        return None
    if column.pii == contract.PII_KEY:
        return "participant_key"
    if column.pii == contract.PII_EMAIL:
        return "email_key"
    return column.name


def raw_type(column: contract.Column) -> str:
    """The DuckDB type a contract column is stored as: keys are text.

    >>> raw_type(contract.dataset("attendance").column("join_time"))
    'TIMESTAMP'
    """
    return "VARCHAR" if column.pii else DUCKDB_TYPES[column.type]


def raw_columns(ds: contract.Dataset) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a dataset's raw files: personal data keyed or dropped, lineage
    columns last.

    >>> [c for c, _ in raw_columns(contract.dataset("attendance"))][:4]
    ['session_id', 'participant_key', 'email_key', 'join_time']
    """
    cols = [(raw_name(c), raw_type(c)) for c in ds.columns if raw_name(c) is not None]
    return cols + list(LINEAGE)


def table_name(ds: contract.Dataset | str) -> str:
    """The dbt source table (and Postgres ``raw`` table) of a raw dataset.

    >>> table_name("surveys/six_month")
    'surveys__six_month'
    """
    name = ds if isinstance(ds, str) else ds.name
    return name.replace("/", "__")


def parquet_list(files: list[Path]) -> str:
    """The SQL list literal of files for DuckDB's ``read_parquet``."""
    return sql.list_literal(str(f) for f in files)


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

    def raw_files(self, dataset: str, *, schema_file: bool = False) -> list[Path]:
        """A dataset's raw data files, oldest first; the empty schema file too when asked
        (it gives a reader the columns' types when nothing has landed)."""
        return data_files(self.raw(dataset), schema_file=schema_file)

    def quarantine_files(self, dataset: str | None = None) -> list[Path]:
        """The quarantine files of a dataset, or of every dataset."""
        if dataset is not None:
            return data_files(self.quarantine(dataset))
        return data_files(self.root / "quarantine", recursive=True)

    def latest_raw(self, dataset: str) -> Path | None:
        """The newest raw file of a dataset (for reference snapshots: the current one)."""
        files = self.raw_files(dataset)
        return files[-1] if files else None

    def ensure_schema_files(self) -> list[Path]:
        """Give every dataset folder its zero-row schema file (``EMPTY_FILE``); return the
        files written."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrow = {
            "VARCHAR": pa.string(),
            "BIGINT": pa.int64(),
            "DOUBLE": pa.float64(),
            "BOOLEAN": pa.bool_(),
            "DATE": pa.date32(),
            "TIMESTAMP": pa.timestamp("us"),
        }
        written = []
        for ds in contract.DATASETS:
            target = self.raw(ds.name) / EMPTY_FILE
            if target.exists():
                continue
            schema = pa.schema([(name, arrow[t]) for name, t in raw_columns(ds)])
            with atomic_path(target) as tmp:
                pq.write_table(schema.empty_table(), tmp)
            written.append(target)
        return written


def data_files(folder: Path, *, recursive: bool = False, schema_file: bool = False) -> list[Path]:
    """The Parquet data files of a raw-zone or quarantine folder, sorted by path (file names
    start with their load stamp), without the empty schema file unless asked."""
    pattern = "**/*.parquet" if recursive else "*.parquet"
    return sorted(
        p for p in Path(folder).glob(pattern) if schema_file or p.name != EMPTY_FILE
    )


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
    rows_skipped: int = 0  # rows a native layout says are not events (SOURCES.md)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    layout: str = "contract"  # "contract" or a layout of SOURCES.md
    message: str = ""
    unexpected_columns: list[str] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)  # a native export's, not loaded
    control_characters: int = 0  # removed from the file's text values (INPUTS.md)
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
