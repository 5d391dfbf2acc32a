"""The delivery log: ``DATA_DIR/delivery_log/<as_of>.jsonl``, one JSON line per attempt to
deliver a report to a reader: the user and role (not the address), the report, when, the
outcome, the message id. A report counts as delivered to a user once a ``sent`` line says
so: a re-run sends it again only when asked to (``--resend``)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from filelock import FileLock

from plcqi import paths

SENT = "sent"


def log_path(data_dir: Path | str | None, as_of: date) -> Path:
    return paths.data_dir(data_dir) / "delivery_log" / f"{as_of.isoformat()}.jsonl"


def lock(data_dir: Path | str | None, as_of: date) -> FileLock:
    """One delivery per as-of date at a time (the Airflow task and `plcqi deliver`)."""
    path = log_path(data_dir, as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path.with_suffix(".lock")), timeout=600)


def read(data_dir: Path | str | None, as_of: date) -> list[dict]:
    path = log_path(data_dir, as_of)
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a line cut by a crash mid-write: the rest still counts
    return records


def sent(records: list[dict]) -> set[tuple[str, str]]:
    """(user, report) pairs already delivered."""
    return {(r["user"], r["report"]) for r in records if r.get("status") == SENT}


def append(data_dir: Path | str | None, as_of: date, record: dict) -> None:
    """Append one line and flush it to disk before the next send."""
    path = log_path(data_dir, as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
