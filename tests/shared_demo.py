"""The seed-7 demo warehouse, built once per test run and shared by every test that reads it.

Built in its own process (as in production: dbt-duckdb keeps its read-write connection open,
and DuckDB allows no read-only one beside it in the same process) behind a file lock, so the
first xdist worker that needs it builds it and the others wait for it. Tests must not change
it: ``demo_copy`` gives a private copy to break.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from filelock import FileLock

from tests.helpers import TEST_SECRET

AS_OF = date(2026, 6, 30)
SEED = 7

_BUILD = """
import json, sys
from datetime import date
from plcqi.generate import generate
from plcqi.ingest.run import ingest
from plcqi.transform.build import transform
root, as_of, seed, native = sys.argv[1], date.fromisoformat(sys.argv[2]), *sys.argv[3:5]
seed = int(seed)
generate(root, seed=seed, as_of=as_of, native_mode=native)
report = ingest(root)
result = transform(root, as_of=as_of)
json.dump({
    "ingest_ok": report.ok,
    "rejected": [r.message for r in report.rejected],
    "success": result.success,
    "status_counts": result.status_counts,
    "failed_nodes": result.failed_nodes,
    "resource_types": sorted({n["resource_type"] for n in result.nodes}),
}, open(f"{root}/build_result.json", "w"))
"""


def _shared_root(tmp_path_factory, worker_id: str) -> Path:
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker has its own basetemp below one folder of this run.
    return base if worker_id == "master" else base.parent


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, worker_id) -> Path:
    """The data folder of the demo as of 2026-06-30: landing, raw zone, ingest log and the
    built DuckDB warehouse, plus ``build_result.json`` (what the dbt build did)."""
    root = _shared_root(tmp_path_factory, worker_id)
    target = root / f"demo-seed{SEED}"
    with FileLock(str(root / f"demo-seed{SEED}.lock")):
        if not (target / "build_result.json").exists():
            shutil.rmtree(target, ignore_errors=True)
            build(target, SEED)
    result = json.loads((target / "build_result.json").read_text())
    assert result["ingest_ok"] and result["success"], result
    return target


def build(target: Path, seed: int, native: str = "mix") -> dict:
    """Generate (``--native``), ingest and build a warehouse in ``target``, in a process of
    its own; returns ``build_result.json``."""
    target.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PLCQI_PII_SECRET": TEST_SECRET}
    env.pop("PLCQI_DATA_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD, str(target), AS_OF.isoformat(), str(seed), native],
        env=env, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"building the demo warehouse in {target} failed:\n{proc.stderr[-4000:]}")
    return json.loads((target / "build_result.json").read_text())


def copy_demo(demo: Path, target: Path) -> Path:
    """Copy the demo's landing, raw zone, quarantine, ingest log and warehouse to ``target``."""
    for part in ("landing", "raw", "quarantine", "ingest_log", "warehouse"):
        if (demo / part).exists():
            shutil.copytree(demo / part, target / part, dirs_exist_ok=True)
    return target


@pytest.fixture
def demo_copy(demo_warehouse, tmp_path) -> Path:
    """A private copy of the demo, safe to break."""
    return copy_demo(demo_warehouse, tmp_path / "data")


@pytest.fixture(scope="module")
def demo_copy_module(demo_warehouse, tmp_path_factory) -> Path:
    """One private copy of the demo for a whole test module (e.g. to render reports into)."""
    return copy_demo(demo_warehouse, tmp_path_factory.mktemp("demo"))
