"""Ingestion: every landing file of a source, checked, into the raw zone, once.

``ingest`` is what ``plcqi ingest`` and the Airflow ingest tasks call. It never writes the
warehouse, so sources can be ingested in parallel (each writes only its own datasets' files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from plcqi import paths, settings
from plcqi.ingest import contract, pseudonymize, sources
from plcqi.ingest.extract import FileRejected, extract_file
from plcqi.ingest.rawzone import LogRecord, Zone, already_loaded, file_hash, read_log


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


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for extraction (never the warehouse), with the keyed hash."""
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    pseudonymize.install(con, settings.pii_key())
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


def ingest_file(
    con, zone: Zone, ds: contract.Dataset, path: Path, rel: str | None = None
) -> LogRecord | None:
    """Ingest one file unless this exact content was loaded before; log what happened."""
    rel = rel or path.relative_to(zone.landing).as_posix()
    digest = file_hash(path)
    if already_loaded(zone, ds.name, digest) and not _reverted_snapshot(zone, ds, digest):
        return None
    loaded_at = datetime.now(UTC)
    record = LogRecord(
        dataset=ds.name,
        source=ds.source,
        file=rel,
        file_hash=digest,
        status="loaded",
        loaded_at=loaded_at.isoformat(),
    )
    try:
        result = extract_file(con, zone, ds, path, rel, digest, loaded_at)
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
            notes.append("unexpected column(s) kept: " + ", ".join(result.unexpected_columns))
        record.message = "; ".join(notes)
    record.save(zone)
    return record


def _reverted_snapshot(zone: Zone, ds: contract.Dataset, digest: str) -> bool:
    """A reference file changed back to a version loaded before: the latest raw snapshot is
    another version, so this one must be loaded again to be the current one."""
    if ds.source != "reference":
        return False
    latest = zone.latest_raw(ds.name)
    return latest is not None and not latest.stem.endswith("__" + digest[:16])


def ingest(
    data_dir: Path | str | None = None,
    sources: list[str] | None = None,
    tracker_dsn: str | None = None,
) -> IngestReport:
    """Ingest the named sources (default: every file source, plus the tracker database when
    ``tracker_dsn`` or PLCQI_TRACKER_DSN is set). Reference data goes first: the other
    sources' keys are checked against it."""
    zone = Zone(paths.data_dir(data_dir))
    tracker_dsn = tracker_dsn or settings.get("tracker_dsn")
    if sources is None:
        sources = list(contract.SOURCES) + ([contract.DB_SOURCE] if tracker_dsn else [])
    unknown = set(sources) - set(contract.SOURCES) - {contract.DB_SOURCE}
    if unknown:
        raise ValueError(f"unknown source(s): {', '.join(sorted(unknown))}")
    report = IngestReport()
    con = connect()
    try:
        for source in sorted(sources, key=_source_order):
            if source == contract.DB_SOURCE:
                from plcqi.ingest import tracker_db

                if not tracker_dsn:
                    raise ValueError(
                        "the ta_requests_db source needs PLCQI_TRACKER_DSN (or --tracker-dsn)"
                    )
                files = tracker_db.pull(zone, tracker_dsn, settings.get("tracker_table"))
                ds = contract.dataset("ta_requests")
                for path in files:
                    _collect(report, ingest_file(con, zone, ds, path))
                continue
            for ds in contract.datasets_of(source):
                for path in landing_files(zone, ds):
                    _collect(report, ingest_file(con, zone, ds, path))
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
    """Per dataset: files loaded and rows in the raw zone and quarantine, from the log."""
    zone = Zone(paths.data_dir(data_dir))
    rows: dict[str, dict] = {}
    for r in read_log(zone):
        d = rows.setdefault(
            r.dataset,
            {"dataset": r.dataset, "files": 0, "rejected": 0, "loaded": 0, "quarantined": 0},
        )
        if r.status == "rejected":
            d["rejected"] += 1
            continue
        d["files"] += 1
        d["loaded"] += r.rows_loaded
        d["quarantined"] += r.rows_quarantined
    order = [ds.name for ds in contract.DATASETS]
    return sorted(rows.values(), key=lambda d: order.index(d["dataset"]))
