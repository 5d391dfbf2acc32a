"""End to end through Airflow on the embedded default: every DAG run with ``dag.test()`` (in
order: the ingest DAGs, the transform, the reports) on generated data, with AIRFLOW_HOME and
a migrated SQLite metadata DB in a temporary folder, the DAGs serialized first.

Then what the DAGs promise: re-running an ingest DAG loads nothing twice, and the report DAG
for a past month (a backfill) rebuilds the marts for that month and renders its reports.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.helpers import REPO
from tests.orchestration.test_dags import airflow_env

AS_OF = date(2026, 6, 30)
pytestmark = pytest.mark.slow


def _run(args: list[str], env: dict[str, str], log: Path, timeout: float = 900) -> str:
    with log.open("a") as out:
        proc = subprocess.run(args, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                              timeout=timeout)
    text = log.read_text()
    if proc.returncode != 0:
        failures = [line for line in text.splitlines() if "plcqi task failed" in line]
        raise AssertionError(f"{' '.join(args[-3:])} failed: {failures or text[-5000:]}")
    return text


def raw_counts(data_dir: Path) -> dict[str, int]:
    con = duckdb.connect()
    try:
        counts = {}
        for folder in sorted((data_dir / "raw").glob("**/")):
            files = [f for f in folder.glob("*.parquet") if "__empty" not in f.name]
            if files:
                listing = ", ".join(f"'{f}'" for f in files)
                counts[folder.relative_to(data_dir / "raw").as_posix()] = con.execute(
                    f"select count(*) from read_parquet([{listing}], union_by_name = true)"
                ).fetchone()[0]
        return counts
    finally:
        con.close()


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    from plcqi.generate import generate

    root = tmp_path_factory.mktemp("airflow-e2e")
    data_dir = root / "data"
    generate(data_dir, seed=7, as_of=AS_OF)
    env = airflow_env(root, data_dir, PLCQI_AIRFLOW_RETRIES="0")
    log = root / "airflow.log"
    airflow = [str(Path(sys.executable).parent / "airflow")]
    _run([*airflow, "db", "migrate"], env, log)
    _run([sys.executable, "-m", "plcqi.orchestration.setup"], env, log)
    _run([*airflow, "pools", "set", "plcqi_duckdb", "1", "DuckDB writer"], env, log)
    _run([*airflow, "dags", "reserialize"], env, log)
    text = _run([sys.executable, "-m", "plcqi.orchestration.run_dags",
                 "--as-of", AS_OF.isoformat()], env, log)
    return {"root": root, "data_dir": data_dir, "env": env, "log": log, "text": text}


def test_every_dag_succeeds(pipeline):
    states = [line for line in pipeline["text"].splitlines() if line.startswith("plcqi: plcqi_")]
    assert len(states) == 7, states
    assert all(": success in " in line for line in states), states


def test_reports_for_every_center(pipeline):
    data_dir = pipeline["data_dir"]
    con = duckdb.connect(str(data_dir / "warehouse" / "plcqi.duckdb"), read_only=True)
    try:
        centers = [r[0] for r in con.execute("select center_id from marts.dim_centers").fetchall()]
    finally:
        con.close()
    assert centers
    reports = data_dir / "reports"
    for center in centers:
        assert (reports / "centers" / center / f"{AS_OF}.html").is_file(), center
    assert (reports / "leadership" / f"{AS_OF}.html").is_file()
    assert (reports / "index.html").is_file()
    # what the reports read, kept as published for the next period to compare with
    assert (data_dir / "history" / AS_OF.isoformat() / "rpt_headlines.parquet").is_file()


def test_raw_zone_matches_a_plain_ingest(pipeline, tmp_path):
    """The ingest DAGs load exactly what ``plcqi.ingest`` loads."""
    from plcqi.generate import generate
    from plcqi.ingest.run import ingest

    clean = tmp_path / "clean"
    generate(clean, seed=7, as_of=AS_OF)
    ingest(clean)
    assert raw_counts(pipeline["data_dir"]) == raw_counts(clean)


def test_rerunning_an_ingest_dag_loads_nothing_twice(pipeline):
    before = raw_counts(pipeline["data_dir"])
    log = pipeline["root"] / "rerun.log"
    _run([sys.executable, "-m", "plcqi.orchestration.run_dags", "--as-of", AS_OF.isoformat(),
          "plcqi_ingest_attendance", "plcqi_ingest_polls"], pipeline["env"], log)
    assert raw_counts(pipeline["data_dir"]) == before
    assert "0 file(s), 0 row(s) loaded" in log.read_text()


def test_backfill_of_a_past_month_rebuilds_its_marts_and_reports(pipeline):
    past = date(2026, 5, 31)
    _run([sys.executable, "-m", "plcqi.orchestration.run_dags", "--as-of", past.isoformat(),
          "plcqi_report"], pipeline["env"], pipeline["root"] / "backfill.log")
    reports = pipeline["data_dir"] / "reports"
    assert (reports / "leadership" / f"{past}.html").is_file()
    assert any((c / f"{past}.html").is_file() for c in (reports / "centers").iterdir())
    # a backfill writes the history of its own date
    history = pipeline["data_dir"] / "history"
    assert (history / past.isoformat() / "rpt_headlines.parquet").is_file()
    assert (history / AS_OF.isoformat() / "rpt_headlines.parquet").is_file()
    log = (pipeline["root"] / "backfill.log").read_text()
    assert f"rebuilding them for {past}" in log


def test_no_participant_is_named_in_any_output_or_log(pipeline):
    """plcqi.privacy after every DAG, the rerun and the backfill: the data dir's outputs (raw
    zone, quarantine, warehouse, dbt's logs, ingest log, history, reports), Airflow's home (task
    logs, metadata DB) and what the DAG runs printed."""
    from plcqi import privacy

    data_dir, root = pipeline["data_dir"], pipeline["root"]
    people = privacy.collect(data_dir)
    assert len(people.names) > 500 and len(people.emails) > 500
    assert any((data_dir / "dbt").rglob("*.log")), "dbt wrote no log to scan"
    found = []
    for where in (root / "airflow", *sorted(root.glob("*.log"))):
        result = privacy.scan(data_dir, airflow_logs=where, people=people)
        assert result.scanned["warehouses"] == 1
        found += [h.line() for h in result.hits]
    assert found == []
