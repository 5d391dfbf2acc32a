"""The raw stage's batches as pandas DataFrames, read with an in-memory DuckDB.

- ``dataset:<name>``: a dataset's rows: the newest raw file of a reference snapshot, every raw
  file of an event dataset;
- ``volume``: one row per load of each dataset's latest ingestion (loads within
  ``LATEST_RUN`` of its newest load) with the median rows of the previous loads;
- ``freshness``: one row per source (newest loaded file) and per event dataset (newest
  timestamp), with its age in days at the reference time.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from plcqi.ingest import contract
from plcqi.ingest.rawzone import LogRecord, Zone, parquet_list, raw_columns, read_log
from plcqi.quality.raw_suites import DATA_FRESHNESS, VOLUME_DATASETS
from plcqi.sql import ident

LATEST_RUN = timedelta(hours=1)
VOLUME_HISTORY = 5  # previous loads the median is taken over
VOLUME_MIN_HISTORY = 3  # fewer previous loads: no volume judgement yet


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    return con


def _files(zone: Zone, ds: contract.Dataset) -> list[Path]:
    files = zone.raw_files(ds.name)
    if ds.source == "reference":
        return files[-1:]
    return files


def dataset_frame(zone: Zone, ds: contract.Dataset, con=None):
    """The rows of a raw dataset (an empty frame with its columns when nothing has landed)."""
    import pandas as pd

    files = _files(zone, ds)
    if not files:
        return pd.DataFrame({name: pd.Series(dtype="object") for name, _ in raw_columns(ds)})
    own = con is None
    con = con or _connect()
    try:
        listing = parquet_list(files)
        return con.execute(
            f"select * from read_parquet({listing}, union_by_name = true)"
        ).df()
    finally:
        if own:
            con.close()


def _latest_per_file(records: list[LogRecord]) -> dict[tuple[str, str], LogRecord]:
    latest: dict[tuple[str, str], LogRecord] = {}
    for r in sorted(records, key=lambda r: r.loaded_at):
        latest[(r.dataset, r.file)] = r
    return latest


def volume_rows(records: list[LogRecord], landing: Path | None = None) -> list[dict]:
    """Loads of each dataset's latest ingestion, against the median of the loads before;
    and every landing file whose latest version was rejected and is still in ``landing``
    (one the operator removed is no longer waiting to be fixed).

    >>> recs = [LogRecord("attendance", "attendance", f"a{i}.csv", f"h{i}", "loaded",
    ...                   rows_read=n, rows_loaded=n, loaded_at=f"2026-01-0{i}T00:00:00+00:00")
    ...         for i, n in enumerate([100, 120, 110, 5], start=1)]
    >>> [(r["file"], r["previous_median"], r["volume_ratio"]) for r in volume_rows(recs)]
    [('a4.csv', 110.0, 0.0455)]

    A native meeting export (one session) is not judged, nor compared with contract files (so
    a3.csv becomes the contract files' latest load, with too few loads before it to judge):

    >>> recs[3].layout = "zoom_meeting"
    >>> [(r["file"], r["previous_median"], r["volume_ratio"]) for r in volume_rows(recs)]
    [('a3.csv', None, None), ('a4.csv', None, None)]
    """
    rows = []
    # Loads are compared with loads of the same layout: a native meeting export holds one
    # session, a contract export a month of them (SOURCES.md).
    by_dataset: dict[tuple[str, str], list[LogRecord]] = {}
    for r in sorted(records, key=lambda r: r.loaded_at):
        if r.status == "loaded":
            by_dataset.setdefault((r.dataset, r.layout), []).append(r)
    for loads in by_dataset.values():
        newest = datetime.fromisoformat(loads[-1].loaded_at)
        for i, r in enumerate(loads):
            if datetime.fromisoformat(r.loaded_at) < newest - LATEST_RUN:
                continue
            previous = [p.rows_loaded for p in loads[max(0, i - VOLUME_HISTORY):i]]
            median = float(statistics.median(previous)) if len(previous) >= VOLUME_MIN_HISTORY \
                else None
            rows.append(_volume_row(r, len(previous), median))
    # A landing file whose latest version was rejected is still waiting to be fixed.
    for r in _latest_per_file(records).values():
        if r.status == "rejected" and (landing is None or (landing / r.file).exists()):
            rows.append(_volume_row(r, None, None))
    return rows


def per_session(r: LogRecord) -> bool:
    """A native meeting export (attendance, polls) is one session: its size is that session's
    attendance, not a short delivery, so its volume is not judged."""
    return r.layout != "contract" and r.dataset in ("attendance", "polls")


def _volume_row(r: LogRecord, previous: int | None, median: float | None) -> dict:
    ratio = None
    if (
        median is not None
        and r.status == "loaded"
        and r.dataset in VOLUME_DATASETS
        and not per_session(r)
    ):
        ratio = round(r.rows_loaded / median, 4) if median > 0 else None
    share = round(r.rows_quarantined / r.rows_read, 4) if r.rows_read else None
    return {
        "dataset": r.dataset, "source": r.source, "file": r.file, "status": r.status,
        "loaded_at": r.loaded_at, "rows_read": r.rows_read, "rows_loaded": r.rows_loaded,
        "rows_quarantined": r.rows_quarantined, "previous_loads": previous,
        "previous_median": median, "volume_ratio": ratio, "quarantined_share": share,
    }


def volume_frame(zone: Zone):
    import pandas as pd

    columns = ["dataset", "source", "file", "status", "loaded_at", "rows_read", "rows_loaded",
               "rows_quarantined", "previous_loads", "previous_median", "volume_ratio",
               "quarantined_share"]
    rows = volume_rows(read_log(zone), zone.landing)
    df = pd.DataFrame(rows, columns=columns)
    for c in ("previous_median", "volume_ratio", "quarantined_share"):
        df[c] = df[c].astype("float64")
    return df


def freshness_rows(zone: Zone, reference: datetime, con=None) -> list[dict]:
    """Age in days at ``reference`` (naive UTC) of each source's newest loaded file and each
    event dataset's newest timestamp; ``newest_at`` is None when nothing arrived yet."""
    from plcqi.quality.raw_suites import FRESHNESS_MAX_AGE_DAYS

    newest: dict[str, datetime] = {}
    for r in read_log(zone):
        if r.status != "loaded":
            continue
        at = datetime.fromisoformat(r.loaded_at).replace(tzinfo=None)
        if r.source in newest:
            newest[r.source] = max(newest[r.source], at)
        else:
            newest[r.source] = at
    # The tracker database pull feeds the ta_requests source.
    if contract.DB_SOURCE in newest:
        db = newest.pop(contract.DB_SOURCE)
        newest["ta_requests"] = max(newest.get("ta_requests", db), db)
    rows = [_age_row(f"file:{source}", newest.get(source), reference)
            for source in FRESHNESS_MAX_AGE_DAYS]
    own = con is None
    con = con or _connect()
    try:
        for dataset, (column, _days) in DATA_FRESHNESS.items():
            files = _files(zone, contract.dataset(dataset))
            at = None
            if files:
                listing = parquet_list(files)
                at = con.execute(
                    f"select max({ident(column)}) "
                    f"from read_parquet({listing}, union_by_name = true)"
                ).fetchone()[0]
            rows.append(_age_row(f"data:{dataset}", at, reference))
    finally:
        if own:
            con.close()
    return rows


def _age_row(check: str, at: datetime | None, reference: datetime) -> dict:
    age = round((reference - at).total_seconds() / 86400, 2) if at is not None else None
    return {"check": check, "newest_at": at.isoformat() if at else None, "age_days": age}


def freshness_frame(zone: Zone, reference: datetime, con=None):
    import pandas as pd

    df = pd.DataFrame(freshness_rows(zone, reference, con),
                      columns=["check", "newest_at", "age_days"])
    df["age_days"] = df["age_days"].astype("float64")
    return df


class _Frames:
    """The raw batches by name, each read when asked for: only the batch being validated is
    held in memory (the last one asked for is kept, for the next suite on the same batch)."""

    def __init__(self, zone: Zone, reference: datetime):
        self.zone, self.reference = zone, reference
        self._names = [f"dataset:{ds.name}" for ds in contract.DATASETS] + ["volume", "freshness"]
        self._last: tuple[str, object] | None = None

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def __iter__(self):
        return iter(self._names)

    def get(self, name: str, default=None):
        if name not in self._names:
            return default
        if self._last is None or self._last[0] != name:
            self._last = None  # release the previous batch before reading the next
            self._last = (name, self._read(name))
        return self._last[1]

    def __getitem__(self, name: str):
        if name not in self._names:
            raise KeyError(name)
        return self.get(name)

    def _read(self, name: str):
        if name == "volume":
            return volume_frame(self.zone)
        con = _connect()
        try:
            if name == "freshness":
                return freshness_frame(self.zone, self.reference, con)
            return dataset_frame(self.zone, contract.dataset(name.removeprefix("dataset:")), con)
        finally:
            con.close()


def frames(zone: Zone, reference: datetime) -> _Frames:
    """Every raw batch by its name (``dataset:<name>``, ``volume``, ``freshness``), read lazily
    one at a time (a mapping with ``get``)."""
    return _Frames(zone, reference)
