"""Loading the suites kept as JSON under ``expectations/`` (no Great Expectations import).

A suite file is Great Expectations' own suite JSON (``name``, ``expectations`` with ``type``,
``kwargs``, ``meta``, ``description``) plus, in the suite's ``meta``:

- ``stage``: ``raw`` or ``marts``;
- ``batch``: which data it validates (see ``plcqi.quality.batches_raw`` / ``batches_marts``);
- ``row_id_columns``: columns that identify an unexpected row in the messages.

Every expectation carries ``meta.severity``: ``error`` (the gate fails, publish stops) or
``warning`` (reported only).
"""

from __future__ import annotations

import json
from pathlib import Path

from plcqi import paths
from plcqi.quality.result import SEVERITIES

STAGES = ("raw", "marts")


class SuiteError(ValueError):
    """A suite file is malformed (no severity, unknown stage, …)."""


def expectations_dir() -> Path:
    """``PLCQI_EXPECTATIONS_DIR``, else the suites installed with the package."""
    return paths.expectations_dir()


def load_suites(stage: str, folder: Path | None = None) -> list[dict]:
    """The suites of a stage, by name, checked for severities."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r} (one of {', '.join(STAGES)})")
    folder = (folder or expectations_dir()) / stage
    suites = []
    for path in sorted(folder.glob("*.json")):
        suite = json.loads(path.read_text())
        check_suite(suite, path)
        if suite["meta"]["stage"] != stage:
            raise SuiteError(f"{path}: meta.stage is {suite['meta']['stage']!r}, not {stage!r}")
        suites.append(suite)
    if not suites:
        raise SuiteError(f"no suites in {folder}")
    return sorted(suites, key=lambda s: s["name"])


def check_suite(suite: dict, path: Path | str = "<suite>") -> None:
    for key in ("name", "expectations", "meta"):
        if key not in suite:
            raise SuiteError(f"{path}: no {key!r}")
    for key in ("stage", "batch"):
        if key not in suite["meta"]:
            raise SuiteError(f"{path}: no meta.{key}")
    for i, e in enumerate(suite["expectations"]):
        severity = (e.get("meta") or {}).get("severity")
        if severity not in SEVERITIES:
            raise SuiteError(
                f"{path}: expectation {i} ({e.get('type')}) has meta.severity {severity!r}, "
                f"not one of {', '.join(SEVERITIES)}"
            )


def severity(expectation: dict) -> str:
    return expectation["meta"]["severity"]
