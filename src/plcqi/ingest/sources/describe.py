"""What ``plcqi sources detect`` tells a data engineer before the first load: each file's
layout, the dataset it feeds, the session it matches (or why none), its rows and what would be
skipped, and the native columns that are not used. Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from plcqi.ingest import contract
from plcqi.ingest.rawzone import Zone
from plcqi.ingest.read import FileRejected
from plcqi.ingest.sources import Context, adapt, detect
from plcqi.ingest.sources.base import records

EVENT_DATASETS = tuple(d.name for d in contract.DATASETS if d.source != "reference")


@dataclass
class Description:
    file: str
    dataset: str | None = None
    layout: str | None = None  # "contract", a layout name, or None when not recognized
    title: str = ""
    session: str | None = None
    rows_read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    unmapped: list[str] = field(default_factory=list)
    problem: str = ""  # why the file would be rejected, in the words ingestion uses

    @property
    def ok(self) -> bool:
        return not self.problem


def dataset_of(path: Path, landing: Path) -> str | None:
    """The dataset whose landing folder holds ``path``, or None when it is elsewhere."""
    try:
        rel = path.resolve().relative_to(landing.resolve()).as_posix()
    except ValueError:
        return None
    for name in sorted(EVENT_DATASETS, key=len, reverse=True):
        if rel.startswith(name + "/"):
            return name
    return None


def describe(path: Path, zone: Zone, dataset: str | None = None) -> list[Description]:
    """One description per dataset the file is checked as: its own folder's dataset, the
    given one, or (for a file outside landing/) every event dataset that recognizes it."""
    names = [dataset] if dataset else None
    if names is None:
        own = dataset_of(path, zone.landing)
        names = [own] if own else list(EVENT_DATASETS)
    try:
        rel = path.resolve().relative_to(zone.landing.resolve()).as_posix()
    except ValueError:
        rel = str(path)
    con = duckdb.connect(":memory:")
    try:
        out = [_one(con, zone, contract.dataset(n), path, rel) for n in names]
    finally:
        con.close()
    if len(out) > 1:
        found = [d for d in out if d.layout]
        if found:
            return found
        return [
            Description(
                rel,
                problem=f"{rel}: not a file of any dataset in a layout plcqi reads (checked as "
                f"{', '.join(names)}); give --dataset to see what the closest layout lacks",
            )
        ]
    return out


def _one(con, zone: Zone, ds: contract.Dataset, path: Path, rel: str) -> Description:
    from plcqi.ingest.extract import load_sessions

    d = Description(rel, ds.name)
    try:
        found = detect(path.read_bytes(), rel, ds)
    except FileRejected as e:
        d.problem = str(e)
        return d
    d.layout = found.name
    if found.layout is None:
        d.title = "contract CSV"
        d.rows_read = max(0, sum(1 for r in records(found.text) if not r.blank) - 1)
        return d
    d.title = found.layout.title
    meets = any(c.references == ("reference/sessions", "session_id") for c in ds.columns)
    if meets and zone.latest_raw("reference/sessions") is None:
        d.problem = (
            f"{rel}: no sessions are loaded in {zone.root}, so the meeting cannot be matched "
            "to one: run `plcqi ingest --source reference` first"
        )
        return d
    ctx = Context(ds, path, rel, zone.landing, lambda: load_sessions(con, zone))
    try:
        adapted = adapt(found, ctx)
    except FileRejected as e:
        d.problem = str(e)
        return d
    d.session = adapted.session
    d.rows_read = adapted.rows_read
    for _, reason in adapted.skipped:
        d.skipped[reason] = d.skipped.get(reason, 0) + 1
    d.rejected = len(adapted.rejected)
    d.unmapped = list(adapted.unmapped)
    return d
