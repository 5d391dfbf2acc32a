"""Where results go: a history of JSON files per stage and the latest result per stage.

::

    DATA_DIR/quality/results/<stage>/<YYYYMMDDTHHMMSSffffffZ>.json   every run, kept
    DATA_DIR/quality/latest.json   {"raw": {...}, "marts": {...}}: the latest run per stage
    DATA_DIR/quality/raw_covered.json   the datasets' raw files a passing raw gate
                                        validated (see ``plcqi.quality.batches_raw``)
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from plcqi import paths
from plcqi.files import write_json
from plcqi.ingest.rawzone import stamp
from plcqi.quality.result import ValidationResult


def quality_dir(data_dir: Path) -> Path:
    return paths.quality_dir(data_dir)


def results_dir(data_dir: Path, stage: str) -> Path:
    return quality_dir(data_dir) / "results" / stage


def latest_path(data_dir: Path) -> Path:
    return quality_dir(data_dir) / "latest.json"


def save(data_dir: Path, result: ValidationResult) -> Path:
    """Write the run into the history and make it the stage's latest result."""
    at = datetime.fromisoformat(result.validated_at)
    path = results_dir(data_dir, result.stage) / f"{stamp(at)}.json"
    result.results_file = path.relative_to(data_dir).as_posix()
    write_json(path, result.to_dict())
    latest = read_latest_dicts(data_dir)
    latest[result.stage] = result.to_dict()
    write_json(latest_path(data_dir), latest)
    return path


def read_latest_dicts(data_dir: Path) -> dict[str, dict]:
    path = latest_path(data_dir)
    return json.loads(path.read_text()) if path.exists() else {}


def read_latest(data_dir: Path | str) -> dict[str, ValidationResult]:
    """The latest result per stage (what the reports' data-quality section shows)."""
    return {k: ValidationResult.from_dict(v) for k, v in read_latest_dicts(Path(data_dir)).items()}


def history(data_dir: Path, stage: str, limit: int = 30) -> list[dict]:
    """The stage's most recent runs, newest first: file, validated_at, status and counts."""
    files = sorted(results_dir(data_dir, stage).glob("*.json"), reverse=True)[:limit]
    out = []
    for p in files:
        d = json.loads(p.read_text())
        out.append({
            "file": p.relative_to(data_dir).as_posix(), "validated_at": d["validated_at"],
            "as_of": d.get("as_of"), "status": d["status"], "errors": d["errors"],
            "warnings": d["warnings"], "seconds": d.get("seconds"),
        })
    return out


def covered_path(data_dir: Path) -> Path:
    return quality_dir(data_dir) / "raw_covered.json"


def suite_key(suite: dict) -> str:
    """What a suite's coverage is valid for: a hash of the suite's JSON."""
    return hashlib.sha256(json.dumps(suite, sort_keys=True).encode()).hexdigest()[:16]


def read_covered(data_dir: Path, suites: list[dict]) -> dict[str, dict[str, str | None]]:
    """Batch -> {raw file: its newest as-of-checked timestamp} that passing raw gates validated
    with the batch's current suite (a changed suite covers nothing yet)."""
    path = covered_path(data_dir)
    stored = json.loads(path.read_text()) if path.exists() else {}
    keys = {s["meta"]["batch"]: suite_key(s) for s in suites}
    return {batch: entry["files"] for batch, entry in stored.items()
            if keys.get(batch) == entry.get("suite")}


def save_covered(data_dir: Path, suites: list[dict],
                 covering: dict[str, dict[str, str | None]]) -> Path:
    """Record what a passing raw gate covered: per batch, its suite's key and its files (the
    batch's current raw files, so a replaced file's old version drops out)."""
    path = covered_path(data_dir)
    stored = json.loads(path.read_text()) if path.exists() else {}
    keys = {s["meta"]["batch"]: suite_key(s) for s in suites}
    for batch, files in covering.items():
        stored[batch] = {"suite": keys[batch], "files": dict(sorted(files.items()))}
    return write_json(path, stored)
