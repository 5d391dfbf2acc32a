"""Ingestion: every landing file of a source, checked, into the raw zone, once.

``ingest`` is what ``plcqi ingest`` and the Airflow ingest tasks call. It never writes the
warehouse, so sources can be ingested in parallel (each writes only its own datasets' files,
under their locks). A killed ingestion leaves nothing half-written that counts: the next one
removes it and ends as one clean run would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from plcqi import locks, paths, progress, settings
from plcqi.ingest import contract, pseudonymize, sources
from plcqi.ingest.duplicates import KeyIndex, key_index
from plcqi.ingest.extract import FileRejected, extract_file
from plcqi.ingest.rawzone import LogRecord, Zone, file_hash


@dataclass
class IngestReport:
    """What one ingestion run did: the files it loaded or rejected, and the ones it skipped."""

    records: list[LogRecord] = field(default_factory=list)
    skipped: int = 0

    @property
    def rejected(self) -> list[LogRecord]:
        return [r for r in self.records if r.status == "rejected"]

    @property
    def ok(self) -> bool:
        return not self.rejected

    def totals(self) -> dict[str, int]:
        return {
            "files": len(self.records),
            "rows_read": sum(r.rows_read for r in self.records),
            "rows_loaded": sum(r.rows_loaded for r in self.records),
            "rows_quarantined": sum(r.rows_quarantined for r in self.records),
            "rows_skipped": sum(r.rows_skipped for r in self.records),
        }


def connect(key: bytes | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for extraction (never the warehouse), with the keyed hash (of
    ``key``, default the configured one)."""
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    pseudonymize.install(con, settings.pii_key() if key is None else key)
    return con


def landing_files(zone: Zone, ds: contract.Dataset) -> list[Path]:
    """The dataset's landing files: an event folder's every file, in subfolders too (native
    exports, SOURCES.md), except the control files beside them and hidden files."""
    return sorted(
        p
        for p in zone.landing.glob(ds.landing)
        if p.is_file()
        and not sources.is_control_file(p)
        and not any(part.startswith(".") for part in p.relative_to(zone.landing).parts)
    )


@contextmanager
def dataset_lock(zone: Zone, ds: contract.Dataset, con=None) -> Iterator[None]:
    """Hold the dataset's lock: no other process writes its files meanwhile (another
    ingestion waits, then finds nothing left to do). What an interrupted ingestion left
    behind is removed first. Raises :class:`plcqi.locks.Busy` after PLCQI_LOCK_TIMEOUT."""
    with locks.exclusive(zone.root, ds.name, what=f"the raw dataset {ds.name}"):
        zone.tidy(ds.name)
        zone.ensure_schema_file(ds, con)
        yield


def ingest_file(
    con,
    zone: Zone,
    ds: contract.Dataset,
    path: Path,
    rel: str | None = None,
    keys: KeyIndex | None = None,
) -> LogRecord | None:
    """Ingest one landing file unless its current version has these bytes; log what
    happened. Hold the dataset's lock (:func:`dataset_lock`).

    Its data files are written first and its log record last: the record's rename commits
    them (``docs/raw-zone.md``). New bytes at a known path are a new version, whose rows
    replace the earlier version's; bytes another landing file already holds are not loaded
    twice (the record points at that file's rows, all counted as skipped). ``keys``: the
    dataset's key index of this ingestion (:func:`plcqi.ingest.duplicates.key_index`)."""
    rel = rel or path.relative_to(zone.landing).as_posix()
    digest = file_hash(path)
    current = zone.current_records(ds.name)
    if any(r.file == rel and r.file_hash == digest for r in current):
        return None
    loaded_at = zone.next_loaded_at(ds.name)
    record = LogRecord(
        dataset=ds.name,
        source=ds.source,
        file=rel,
        file_hash=digest,
        status="loaded",
        loaded_at=loaded_at.isoformat(),
    )
    holder = next(
        (r for r in current if r.file != rel and r.file_hash == digest and r.raw_file), None
    )
    if holder is not None:
        _same_bytes(record, holder)
        record.save(zone)
        return record
    try:
        result = extract_file(con, zone, ds, path, rel, digest, loaded_at, keys)
    except FileRejected as e:
        record.status = "rejected"
        record.message = str(e)
    except Exception as e:  # noqa: BLE001 - one unreadable file must not stop the others
        record.status = "rejected"
        record.message = f"{rel}: could not be read ({type(e).__name__}: {e})"
    else:
        record.rows_read = result.rows_read
        record.rows_loaded = result.rows_loaded
        record.rows_quarantined = result.rows_quarantined
        record.rows_skipped = result.rows_skipped
        record.skipped = result.skipped
        record.layout = result.layout
        record.unused_columns = result.unused_columns
        record.unexpected_columns = result.unexpected_columns
        record.control_characters = result.control_characters
        record.raw_file = result.raw_file.relative_to(zone.root).as_posix()
        if result.quarantine_file:
            record.quarantine_file = result.quarantine_file.relative_to(zone.root).as_posix()
        notes = []
        if result.rows_quarantined:
            notes.append(f"{result.rows_quarantined} row(s) quarantined")
        if result.rows_skipped:
            notes.append(
                f"{result.rows_skipped} row(s) skipped ("
                + ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items()))
                + ")"
            )
        if result.unexpected_columns:
            extra = ", ".join(result.unexpected_columns)
            notes.append(f"unexpected column(s), not loaded: {extra}")
        record.message = "; ".join(notes)
    if record.status == "rejected":
        zone.tidy(ds.name)  # whatever it wrote before failing is not committed: remove it
        if _rejected_before(zone, record):
            return record  # checked again, same verdict: the log has it already
    record.save(zone)
    return record


def _same_bytes(record: LogRecord, holder: LogRecord) -> None:
    """``record``'s landing file has the bytes of ``holder``'s, whose rows are loaded: the
    record points at those rows and counts its own as skipped, naming the file."""
    owner = holder.same_as or holder.file
    record.rows_read = record.rows_skipped = holder.rows_read
    if holder.rows_read:
        record.skipped = {f"same bytes as {owner}, whose rows are loaded": holder.rows_read}
    record.layout = holder.layout
    record.unused_columns = list(holder.unused_columns)
    record.unexpected_columns = list(holder.unexpected_columns)
    record.raw_file, record.quarantine_file = holder.raw_file, holder.quarantine_file
    record.same_as = owner
    record.message = f"same bytes as {owner}: its rows are not loaded twice"


def _rejected_before(zone: Zone, record: LogRecord) -> bool:
    """Whether the newest record of this file version already rejects it for the same
    reason (a rejected file is checked on every run; its record is written once)."""
    same = [
        r
        for r in zone.records(record.dataset)
        if (r.file, r.file_hash) == (record.file, record.file_hash)
    ]
    if not same or same[-1].status != "rejected":
        return False
    return _outcome(same[-1]) == _outcome(record)


def _outcome(r: LogRecord) -> dict:
    d = asdict(r)
    d.pop("loaded_at")
    return d


def ingest(
    data_dir: Path | str | None = None,
    sources: list[str] | None = None,
    tracker_dsn: str | None = None,
) -> IngestReport:
    """Ingest the named sources (default: every file source, plus the tracker database when
    ``tracker_dsn`` or PLCQI_TRACKER_DSN is set). Reference data goes first: the other
    sources' keys are checked against it.

    Each dataset is ingested under its lock, so ingestions of one data folder may run at
    once (Airflow runs the sources in parallel) and end as one would. The key is checked
    first (:func:`plcqi.ingest.pseudonymize.checked_key`): a wrong one ingests nothing.
    Raises ValueError for bad arguments, ``settings.KeyRefused`` and ``locks.Busy``."""
    zone = Zone(paths.data_dir(data_dir))
    tracker_dsn = tracker_dsn or settings.get("tracker_dsn")
    if sources is None:
        sources = list(contract.SOURCES) + ([contract.DB_SOURCE] if tracker_dsn else [])
    unknown = set(sources) - set(contract.SOURCES) - {contract.DB_SOURCE}
    if unknown:
        raise ValueError(f"unknown source(s): {', '.join(sorted(unknown))}")
    if contract.DB_SOURCE in sources and not tracker_dsn:
        raise ValueError("the ta_requests_db source needs PLCQI_TRACKER_DSN (or --tracker-dsn)")
    key = pseudonymize.checked_key(zone)
    report = IngestReport()
    con = connect(key)
    try:
        with progress.steps("ingest") as step:
            for source in sorted(sources, key=_source_order):
                if source == contract.DB_SOURCE:
                    from plcqi.ingest import tracker_db

                    ds = contract.dataset("ta_requests")
                    with dataset_lock(zone, ds, con), key_index(con, zone, ds) as keys:
                        files = tracker_db.pull(zone, tracker_dsn, settings.get("tracker_table"))
                        for path in files:
                            step(f"{ds.name}/{path.name}")
                            _collect(report, ingest_file(con, zone, ds, path, keys=keys))
                    continue
                for ds in contract.datasets_of(source):
                    with dataset_lock(zone, ds, con), key_index(con, zone, ds) as keys:
                        for path in landing_files(zone, ds):
                            step(f"{ds.name}/{path.name}")
                            _collect(report, ingest_file(con, zone, ds, path, keys=keys))
            zone.ensure_schema_files()
    finally:
        con.close()
    return report


def _collect(report: IngestReport, record: LogRecord | None) -> None:
    if record is None:
        report.skipped += 1
    else:
        report.records.append(record)


def _source_order(source: str) -> int:
    order = [*contract.SOURCES, contract.DB_SOURCE]
    return order.index(source) if source in order else len(order)


def landed_summary(data_dir: Path | str | None = None) -> list[dict]:
    """Per dataset, from the log: the landing files whose current version is loaded, those
    whose newest version is rejected, and the rows of the current versions in the raw zone
    and quarantine."""
    zone = Zone(paths.data_dir(data_dir))
    rows = []
    for ds in contract.DATASETS:
        records = zone.records(ds.name)
        if not records:
            continue
        newest = {r.file: r for r in records}
        wrote = {r.raw_file: r for r in records if r.raw_file and r.same_as is None}
        held = {r.raw_file for r in zone.current_records(ds.name)} & set(wrote)
        rows.append(
            {
                "dataset": ds.name,
                "files": len(zone.current_records(ds.name)),
                "rejected": sum(r.status == "rejected" for r in newest.values()),
                "loaded": sum(wrote[f].rows_loaded for f in held),
                "quarantined": sum(wrote[f].rows_quarantined for f in held),
            }
        )
    return rows
