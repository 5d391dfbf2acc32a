"""The raw zone, quarantine and ingest log of a data folder: their paths, file names,
columns, table names, and the listing of their data files.

Layout and columns: ``docs/raw-zone.md``. Every other module asks this one which files a
dataset holds (never globbing itself), how its columns are named and typed, and how a list
of its files is written in SQL.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

from plcqi import locks, sql
from plcqi.files import atomic_path, is_temporary, write_json
from plcqi.ingest import contract

# Every dataset folder holds this zero-row file with the dataset's schema, so that readers'
# globs never come up empty (a source that has not delivered yet is an empty table).
EMPTY_STEM = "00000000T000000000000Z__empty"
EMPTY_FILE = f"{EMPTY_STEM}.parquet"
KEY_FINGERPRINT = "_key_fingerprint.json"
DEMO_MARKER = ".plcqi-demo-data"

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
    """The folders of one data directory, and what its ingest log says is in them.

    A data file is *committed* once a log record names it (the record's atomic rename is the
    commit point, ``docs/raw-zone.md``), and *current* while its landing file's newest loaded
    version is the one that wrote it (or holds its bytes). The listings below return committed,
    current files only: every reader of the raw zone goes through them, never through a glob.
    """

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

    @property
    def key_fingerprint(self) -> Path:
        """The fingerprint of the key the raw zone was pseudonymized with
        (:mod:`plcqi.ingest.pseudonymize`)."""
        return self.root / "raw" / KEY_FINGERPRINT

    @property
    def demo_marker(self) -> Path:
        """The hidden file ``plcqi generate`` leaves in a landing folder it wrote: only such a
        folder may be ingested with the public demo key. Hidden, so never ingested."""
        return self.landing / DEMO_MARKER

    # -- the ingest log ------------------------------------------------------------------

    def records(self, dataset: str) -> list[LogRecord]:
        """Every committed log record of ``dataset`` (each version of each landing file, and
        each rejection), in load order. The records are shared between calls: read them,
        never change them."""
        return list(_read_records(self.log(dataset)))

    def verdicts(self, dataset: str) -> list[LogRecord]:
        """Per landing file, its newest record, loaded or rejected: whether the file as it is
        now made it in (a rejected file stays rejected until a new version loads)."""
        latest: dict[str, LogRecord] = {}
        for r in self.records(dataset):
            latest[r.file] = r
        return sorted(latest.values(), key=_load_order)

    def current_records(self, dataset: str, *, replacing: str | None = None) -> list[LogRecord]:
        """Per landing file, its current version: its newest ``loaded`` record (a rejected
        version replaces nothing). ``replacing``: leave that landing file out, as when its
        new version is being loaded."""
        return list(_derived("current", _read_records(self.log(dataset)), replacing, _current))

    def next_loaded_at(self, dataset: str) -> datetime:
        """The load time of the next record of ``dataset``: now, but always after the latest
        record (so file names sort in load order even if the clock steps back)."""
        now = datetime.now(UTC)
        records = self.records(dataset)
        if records:
            last = datetime.fromisoformat(records[-1].loaded_at) + timedelta(microseconds=1)
            now = max(now, last)
        return now

    # -- the data files ------------------------------------------------------------------

    def raw_files(
        self, dataset: str, *, schema_file: bool = False, replacing: str | None = None
    ) -> list[Path]:
        """A dataset's committed, current raw data files, oldest first; the empty schema file
        too when asked (it gives a reader the columns' types when nothing has landed).
        ``replacing``: without that landing file's current version (see
        :meth:`current_records`)."""
        files = [self.root / n for n in self.raw_names(dataset, replacing=replacing)]
        schema = self.raw(dataset) / EMPTY_FILE
        if schema_file and schema.exists():
            files.insert(0, schema)
        return files

    def raw_names(self, dataset: str, *, replacing: str | None = None) -> tuple[str, ...]:
        """:meth:`raw_files` as paths relative to the data folder, without the schema file
        (shared between calls until a record is added: cheap to ask for again)."""
        return _derived("raw", _read_records(self.log(dataset)), replacing, _raw_names)

    def quarantine_files(self, dataset: str | None = None) -> list[Path]:
        """The committed, current quarantine files of a dataset, or of every dataset."""
        names = [dataset] if dataset is not None else [ds.name for ds in contract.DATASETS]
        return sorted(
            {
                self.root / r.quarantine_file
                for name in names
                for r in self.current_records(name)
                if r.quarantine_file
            }
        )

    def latest_raw(self, dataset: str) -> Path | None:
        """The newest current raw file of a dataset (for reference snapshots: the current
        one)."""
        files = self.raw_files(dataset)
        return files[-1] if files else None

    def tidy(self, dataset: str) -> list[Path]:
        """Remove what an interrupted ingestion of ``dataset`` left: data files that no
        committed record names (written before a kill, never committed) and temporary files.
        Only while holding the dataset's lock (:func:`plcqi.locks.exclusive`), so no other
        process is writing them. Returns the files removed."""
        named = {
            self.root / f
            for r in self.records(dataset)
            for f in (r.raw_file, r.quarantine_file)
            if f
        }
        removed = []
        for folder in (self.raw(dataset), self.quarantine(dataset), self.log(dataset)):
            if not folder.is_dir():
                continue
            for p in sorted(folder.iterdir()):
                orphan = p.suffix == ".parquet" and p.name != EMPTY_FILE and p not in named
                if p.is_file() and (orphan or is_temporary(p)):
                    p.unlink(missing_ok=True)
                    removed.append(p)
        return removed

    def ensure_schema_file(self, ds: contract.Dataset, con=None) -> Path | None:
        """Write a dataset's zero-row schema file (``EMPTY_FILE``) unless it exists; return it
        when written. The caller holds the dataset's lock (else see
        :meth:`ensure_schema_files`); ``con``: a DuckDB connection to write it with."""
        import duckdb

        target = self.raw(ds.name) / EMPTY_FILE
        if target.exists():
            return None
        columns = ", ".join(f"null::{t} as {sql.ident(name)}" for name, t in raw_columns(ds))
        own = con is None
        con = duckdb.connect(":memory:") if own else con
        try:
            with atomic_path(target) as tmp:
                con.execute(
                    f"copy (select {columns} limit 0) to {sql.literal(str(tmp))} (format parquet)"
                )
        finally:
            if own:
                con.close()
        return target

    def ensure_schema_files(self) -> list[Path]:
        """Give every dataset folder its zero-row schema file (``EMPTY_FILE``); return the
        files written. Takes each dataset's lock, only for a file that is missing."""
        written = []
        for ds in contract.DATASETS:
            if (self.raw(ds.name) / EMPTY_FILE).exists():
                continue
            with locks.exclusive(self.root, ds.name, what=f"the raw dataset {ds.name}"):
                target = self.ensure_schema_file(ds)
            if target is not None:
                written.append(target)
        return written


def data_files(folder: Path, *, recursive: bool = False, schema_file: bool = False) -> list[Path]:
    """Every Parquet file on disk in a raw-zone or quarantine folder, committed or not,
    sorted by path (file names start with their load stamp), without the empty schema file
    unless asked. Readers of the data use :class:`Zone`'s listings instead."""
    pattern = "**/*.parquet" if recursive else "*.parquet"
    return sorted(p for p in Path(folder).glob(pattern) if schema_file or p.name != EMPTY_FILE)


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
    rows_skipped: int = 0  # rows a native layout says are not events (SOURCES.md), or held
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    layout: str = "contract"  # "contract" or a layout of SOURCES.md
    message: str = ""
    unexpected_columns: list[str] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)  # a native export's, not loaded
    control_characters: int = 0  # removed from the file's text values (INPUTS.md)
    raw_file: str | None = None
    quarantine_file: str | None = None
    # The landing file that already holds these bytes' rows (raw_file and quarantine_file are
    # then its files, and this file's rows are all skipped).
    same_as: str | None = None
    loaded_at: str = ""

    @property
    def stem(self) -> str:
        """The name its record and data files share: ``<loaded_at>__<hash16>``.

        >>> LogRecord("polls", "polls", "polls/a.csv", "ab" * 32, "loaded",
        ...           loaded_at="2026-01-02T03:04:05.000006+00:00").stem
        '20260102T030405000006Z__abababababababab'
        """
        return f"{stamp(datetime.fromisoformat(self.loaded_at))}__{self.file_hash[:16]}"

    def path(self, zone: Zone) -> Path:
        return zone.log(self.dataset) / f"{self.stem}.json"

    def save(self, zone: Zone) -> None:
        """Commit: the record's atomic rename makes its data files part of the raw zone."""
        write_json(self.path(zone), asdict(self))


_FIELDS = {f.name for f in fields(LogRecord)}
# Per log folder: its record files' names and the folder's time when last read, its records
# in load order, and each record file's (time, size), record and place in the load order.
_CACHE: dict[Path, tuple[tuple, tuple[LogRecord, ...], dict[str, tuple]]] = {}


def _read_records(folder: Path) -> tuple[LogRecord, ...]:
    """The records in one dataset's log folder, in load order. A record is committed by an
    atomic rename to a name of its own and never rewritten, so the folder is read again only
    when the names in it or its modification time change, and then only the new record
    files (each record file is parsed once per process, keyed by its size and time, to be
    safe): a call costs a listing of the folder, and a new record the reading of that one."""
    try:
        st = folder.stat()
        names = tuple(
            sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
        )
    except FileNotFoundError:
        _CACHE.pop(folder, None)
        return ()
    key = (st.st_mtime_ns, names)
    cached = _CACHE.get(folder)
    if cached is not None and cached[0] == key:
        return cached[1]
    known = {} if cached is None else cached[2]
    # Only new names are read while records are added; the same names in a changed folder
    # (a file renamed onto another) have every record file checked again.
    added = cached is not None and set(names) > set(cached[0][1])
    files: dict[str, tuple] = {}
    new: list[tuple] = []
    for name in names:
        hit = known.get(name)
        if added and hit is not None:
            files[name] = hit
            continue
        path = folder / name
        try:
            fst = path.stat()
        except FileNotFoundError:
            continue
        file_key = (fst.st_mtime_ns, fst.st_size)
        if hit is None or hit[0] != file_key:
            try:
                data = json.loads(path.read_text())
            except FileNotFoundError:
                continue
            record = LogRecord(**{k: v for k, v in data.items() if k in _FIELDS})
            hit = (file_key, record, _load_order(record))
        files[name] = hit
        new.append(hit)
    last = _load_order(cached[1][-1]) if added and cached[1] else None
    if added and (last is None or all(h[2] >= last for h in new)):
        # the usual case, records added after the others: appended, the rest not sorted again
        records = cached[1] + tuple(h[1] for h in sorted(new, key=lambda h: h[2]))
    else:
        records = tuple(h[1] for h in sorted(files.values(), key=lambda h: h[2]))
    _CACHE[folder] = (key, records, files)
    return records


# Answers computed from a log folder's records, by (what, records' identity, argument): one
# file's ingestion asks for the current records and raw files several times, and the answers
# change only when a record is added (then _read_records returns a new tuple).
_DERIVED: dict[tuple, tuple[tuple[LogRecord, ...], object]] = {}


def _derived(what: str, records: tuple[LogRecord, ...], arg, compute):
    key = (what, id(records), arg)
    hit = _DERIVED.get(key)
    if hit is not None and hit[0] is records:
        return hit[1]
    value = compute(records, arg)
    if len(_DERIVED) > 256:
        _DERIVED.clear()
    _DERIVED[key] = (records, value)
    return value


def _current(records: tuple[LogRecord, ...], replacing: str | None) -> tuple[LogRecord, ...]:
    """Per landing file, its newest loaded record but ``replacing``'s, in load order.
    ``records`` is in load order, so a file's newest record is its last: read backwards, the
    first one seen per file wins, and reversed again the answer is in load order."""
    seen: set[str] = set()
    newest = []
    for r in reversed(records):
        if r.status == "loaded" and r.file != replacing and r.file not in seen:
            seen.add(r.file)
            newest.append(r)
    return tuple(reversed(newest))


def _raw_names(records: tuple[LogRecord, ...], replacing: str | None) -> tuple[str, ...]:
    """The raw files (relative to the data folder) of the current records, sorted."""
    current = _derived("current", records, replacing, _current)
    return tuple(sorted({r.raw_file for r in current if r.raw_file}))


def _load_order(r: LogRecord) -> tuple:
    return (
        datetime.fromisoformat(r.loaded_at) if r.loaded_at else datetime.min.replace(tzinfo=UTC),
        r.file,
        r.file_hash,
    )


def read_log(zone: Zone) -> list[LogRecord]:
    """Every committed record of every dataset (the log keeps every version), by load time."""
    records = [r for ds in contract.DATASETS for r in zone.records(ds.name)]
    return sorted(records, key=lambda r: (r.loaded_at, r.dataset, r.file))
