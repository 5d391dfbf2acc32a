"""The raw stage's batches as pandas DataFrames, read with an in-memory DuckDB.

- ``dataset:<name>``: a dataset's rows not validated yet (see below): of a reference snapshot,
  its newest raw file; of an event dataset, its raw files, read in parts of at most
  ``PART_ROWS`` rows (a file is never split) so that memory does not grow with the history;
- ``volume``: one row per load of each dataset's latest ingestion (loads within
  ``LATEST_RUN`` of its newest load) with the median rows of the previous loads;
- ``freshness``: one row per source (newest loaded file) and per event dataset (newest
  timestamp), with its age in days at the reference time.

A dataset's raw file is validated once: a raw file is never rewritten (its name is its
load's time and content hash), and its row-level expectations do not depend on the run, except
the as-of warning (a timestamp after the run's as-of date). So a file a passing gate covered
(``plcqi.quality.store.read_covered``, recorded with its newest as-of-checked timestamp) is
read again only when that timestamp is after this run's as-of end, or when its suite changed.
A failed gate records nothing: its files are checked again by the next run.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from plcqi.ingest import contract
from plcqi.ingest.rawzone import LogRecord, Zone, parquet_list, raw_columns, read_log
from plcqi.quality.raw_suites import DATA_FRESHNESS, VOLUME_DATASETS
from plcqi.sql import ident, literal

LATEST_RUN = timedelta(hours=1)
VOLUME_HISTORY = 5  # previous loads the median is taken over
VOLUME_MIN_HISTORY = 3  # fewer previous loads: no volume judgement yet
# Rows of an event dataset's raw files read into one DataFrame at most (a larger file is read
# alone): what bounds the raw gate's memory, whatever the history.
PART_ROWS = 250_000


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    return con


def _files(zone: Zone, ds: contract.Dataset) -> list[Path]:
    files = zone.raw_files(ds.name)
    if ds.source == "reference":
        return files[-1:]
    return files


def dataset_frame(zone: Zone | None, ds: contract.Dataset, con=None, files=None):
    """The rows of a raw dataset, or of ``files`` of it (an empty frame with its columns when
    nothing has landed)."""
    import pandas as pd

    files = _files(zone, ds) if files is None else files
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


class Parts:
    """A batch read in parts: iterating reads each part (a DataFrame) when it is reached, so
    that only one part is held at a time (``plcqi.quality.gx_runner`` merges their findings)."""

    def __init__(self, read_parts):
        self._read_parts = read_parts

    def __iter__(self):
        return self._read_parts()


def as_of_columns(suite: dict) -> list[tuple[str, str | None]] | None:
    """The columns whose expectations depend on the run, each with the SQL condition of the rows
    it is checked on (None: every row): checked against the as-of end
    (``max_value: {"$PARAMETER": "as_of_end"}``), on every row or on the rows of a ``==``
    row condition; None when the suite uses a run parameter any other way (its files are then
    always validated).

    >>> as_of_columns({"expectations": [{"kwargs": {"column": "a", "max_value": 1}},
    ...     {"kwargs": {"column": "t", "max_value": {"$PARAMETER": "as_of_end"}}}]})
    [('t', None)]
    >>> print(as_of_columns({"expectations": [{"kwargs": {"column": "t",
    ...     "max_value": {"$PARAMETER": "as_of_end"}, "row_condition": {"type": "comparison",
    ...     "column": {"name": "status"}, "operator": "==", "parameter": "delivered"}}}]}))
    [('t', '"status" = ...delivered...')]
    >>> as_of_columns({"expectations": [{"kwargs": {"column": "t",
    ...     "min_value": {"$PARAMETER": "as_of_end"}}}]}) is None
    True
    """
    columns = []
    for e in suite["expectations"]:
        kwargs = e["kwargs"]
        for key, value in kwargs.items():
            if isinstance(value, dict) and "$PARAMETER" in value:
                if key != "max_value" or value["$PARAMETER"] != "as_of_end" \
                        or "column" not in kwargs:
                    return None
                where = None
                if "row_condition" in kwargs:
                    cond = kwargs["row_condition"]
                    if not (isinstance(cond, dict) and cond.get("type") == "comparison"
                            and cond.get("operator") == "=="
                            and isinstance(cond.get("column"), dict)
                            and isinstance(cond.get("parameter"), str)):
                        return None
                    where = f"{ident(cond['column']['name'])} = {literal(cond['parameter'])}"
                columns.append((kwargs["column"], where))
    return columns


def _newest(con, paths: list[Path], columns: list[tuple[str, str | None]]
            ) -> dict[str, str | None]:
    """The newest value of ``columns`` (on the rows of each one's condition) in each of the raw
    files ``paths`` (ISO text, None when all are null), by ``str(path)``: one grouped query."""
    newest: dict[str, str | None] = {str(p): None for p in paths}
    if not columns or not paths:
        return newest
    rows = con.execute(
        "select _plcqi_path, " + ", ".join(
            f"max({ident(c)})" + (f" filter (where {where})" if where else "")
            for c, where in columns)
        + f" from read_parquet({parquet_list(paths)}, union_by_name = true,"
        " filename = '_plcqi_path') group by _plcqi_path"
    ).fetchall()
    for path, *values in rows:
        values = [v for v in values if v is not None]
        newest[path] = max(values).isoformat() if values else None
    return newest


def _parts(files: list[Path], max_rows: int) -> list[list[Path]]:
    """Consecutive files in groups of at most ``max_rows`` rows (a larger file alone).

    Row counts are read from the Parquet footers."""
    import pyarrow.parquet as pq

    groups: list[list[Path]] = []
    rows = 0
    for f in files:
        n = pq.read_metadata(f).num_rows
        if groups and rows + n <= max_rows:
            groups[-1].append(f)
            rows += n
        else:
            groups.append([f])
            rows = n
    return groups


class _Frames:
    """The raw batches by name, each read when asked for: only the batch being validated is
    held in memory (the last one asked for is kept, for the next suite on the same batch); a
    dataset's batch is its files not yet covered by a passing gate, read in parts.

    ``covered``: batch -> {raw file (relative to the data dir) -> its newest as-of-checked
    timestamp}, files a passing gate validated with this batch's suite. :meth:`covering` is
    what a passing gate of this run covers."""

    def __init__(self, zone: Zone, reference: datetime, suites: list[dict] | None = None,
                 covered: dict[str, dict[str, str | None]] | None = None):
        self.zone, self.reference = zone, reference
        self._names = [f"dataset:{ds.name}" for ds in contract.DATASETS] + ["volume", "freshness"]
        self._last: tuple[str, object] | None = None
        self._suites = {s["meta"]["batch"]: s for s in suites or []}
        self._covered = covered or {}
        self._covering: dict[str, dict[str, str | None]] = {}

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

    def covering(self) -> dict[str, dict[str, str | None]]:
        """Batch -> the files (with their newest as-of-checked timestamp) that this run's
        batches have validated or found covered: what a passing gate records."""
        return self._covering

    def _read(self, name: str):
        if name == "volume":
            return volume_frame(self.zone)
        if name == "freshness":
            return freshness_frame(self.zone, self.reference)
        return self._unvalidated(name, contract.dataset(name.removeprefix("dataset:")))

    def _unvalidated(self, name: str, ds: contract.Dataset):
        files = _files(self.zone, ds)
        suite = self._suites.get(name)
        columns = as_of_columns(suite) if suite is not None else None
        covered = self._covered.get(name, {}) if columns is not None else {}
        root = self.zone.root
        keep: dict[str, str | None] = {}
        todo: list[Path] = []
        for f in files:
            rel = f.relative_to(root).as_posix()
            if rel in covered and (
                covered[rel] is None or datetime.fromisoformat(covered[rel]) <= self.reference
            ):
                keep[rel] = covered[rel]
            else:
                todo.append(f)
        if columns is not None:
            self._covering[name] = keep

        def read_parts():
            con = _connect()
            try:
                if not todo:
                    yield _typed_empty(con, ds, files)
                    return
                listing = parquet_list(todo)
                names = [r[0] for r in con.execute(
                    f"describe select * from read_parquet({listing}, union_by_name = true)"
                ).fetchall()]
                for part in _parts(todo, PART_ROWS):
                    df = con.execute(
                        f"select * from read_parquet({parquet_list(part)}, union_by_name = true)"
                    ).df()
                    if list(df.columns) != names:  # a file without a column: as if unioned
                        df = df.reindex(columns=names)
                    if columns is not None:
                        newest = _newest(con, part, columns)
                        for f in part:
                            keep[f.relative_to(root).as_posix()] = newest[str(f)]
                    yield df
                    del df
            finally:
                con.close()

        return Parts(read_parts)


def _typed_empty(con, ds: contract.Dataset, files: list[Path]):
    """No rows, with the columns and types of the dataset's raw files."""
    if not files:
        return dataset_frame(None, ds, con, files=[])
    return con.execute(
        f"select * from read_parquet({parquet_list(files)}, union_by_name = true) limit 0"
    ).df()


def frames(zone: Zone, reference: datetime, suites: list[dict] | None = None,
           covered: dict[str, dict[str, str | None]] | None = None) -> _Frames:
    """Every raw batch by its name (``dataset:<name>``, ``volume``, ``freshness``), read lazily
    one at a time (a mapping with ``get``); a dataset's batch as :class:`Parts`, without
    the files ``covered`` by a passing gate with the same suite (see the module's text)."""
    return _Frames(zone, reference, suites, covered)
