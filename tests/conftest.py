"""Shared fixtures and helpers for the ingestion tests.

Fixtures: ``write_csv``, ``read_raw``, ``read_quarantine``, ``read_log_records``, ``ref_dir``
(a data dir with a valid reference landing set), ``ingested_ref`` (the same, reference source
ingested), ``pii_secret`` (the PLCQI_PII_SECRET every test runs with) and ``pg_dsn`` (a
throw-away Postgres database, dropped after the test).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pytest

TEST_SECRET = "test-secret-for-plcqi-tests"
ADMIN_DSN = os.environ.get("PLCQI_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")

# The people of the reference set: (participant_id, grantee_id, full_name, email).
PEOPLE = (
    ("P001", "G01", "Ada Lovelace", "ada.lovelace@example.org"),
    ("P002", "G02", "Grace Hopper", "grace.hopper@example.gov"),
    ("P003", "G03", "Katherine Johnson", "kjohnson@example.net"),
    ("P004", "G04", "Dorothy Vaughan", "Dorothy.Vaughan@Example.com"),
)

REFERENCE = {
    "centers.csv": """\
center_id,center_name,funding_office
C1,Center for Child Care Policy,OCC
C2,Head Start Collaboration Center,OHS
""",
    "grantees.csv": """\
grantee_id,grantee_name,grantee_type,acf_region
G01,Alabama,state,4
G02,Guam,territory,9
G03,Cherokee Nation,tribe,6
G04,District of Columbia,district,3
""",
    "opportunities.csv": """\
opportunity_id,title,center_id,partner_center_ids,format,topic,intended_outcome,ta_type,\
participation_mode,attendance_expectation,planned_sessions,start_date,end_date,followup_offered
O1,Licensing PLC,C1,C2,PLC,licensing,policy_implementation,targeted,team,all_sessions,4,\
2024-01-15,2024-06-30,after_opportunity
O2,Open Space on Workforce,C2,,OpenSpace,workforce,knowledge,universal,individual,optional,2,\
2024-03-01,,none
""",
    "cohorts.csv": """\
cohort_id,opportunity_id,cohort_number,label
K1,O1,1,Spring 2024
K2,O2,1,
""",
    "sessions.csv": """\
session_id,cohort_id,session_number,session_type,title,scheduled_start,duration_minutes,status
S1,K1,1,kickoff,Kickoff,2024-01-15T14:00:00,90,delivered
S2,K1,2,webinar,Session 2,2024-02-15T14:00:00-05:00,60,delivered
S3,K1,3,webinar,Session 3,2024-03-15T14:00:00,60,cancelled
S4,K2,1,webinar,Open space,2024-03-01T15:00:00Z,60,delivered
""",
    "participants.csv": "participant_id,grantee_id,full_name,email,organization,role_title,"
    "is_lead_agency,is_contractor\n"
    + "".join(
        f"{pid},{gid},{name},{email},Agency of {gid},Director,{lead},false\n"
        for (pid, gid, name, email), lead in zip(PEOPLE, ("true", "no", "Y", "0"), strict=True)
    ),
    "team_members.csv": """\
cohort_id,participant_id,role_on_team
K1,P001,lead
K1,P002,member
""",
    "enrollments.csv": """\
cohort_id,grantee_id,invited_on,registered_on,intake_completed
K1,G01,2023-12-01,2023-12-10,yes
K1,G02,2023-12-01,,no
K2,G03,2024-02-01,2024-02-10,1
""",
    "toc_targets.csv": """\
opportunity_id,metric,comparator,target_value
O1,attendance_rate,>=,0.75
O1,max_gap_days,<=,45
""",
}


def write_csv(path: Path, content: str | bytes | Iterable[Iterable[object]]) -> Path:
    """Write a landing file: text as is (UTF-8), bytes as is, or rows joined with commas."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        text = "".join(",".join("" if v is None else str(v) for v in row) + "\n" for row in content)
        path.write_bytes(text.encode("utf-8"))
    return path


def write_reference(data_dir: Path, **overrides: str) -> Path:
    """The valid reference landing set under ``data_dir/landing/reference/``.

    ``overrides`` replace a file's text by its stem, e.g. ``grantees="..."``.
    """
    folder = Path(data_dir) / "landing" / "reference"
    for name, text in REFERENCE.items():
        write_csv(folder / name, overrides.get(name.removesuffix(".csv"), text))
    return Path(data_dir)


def _read(pattern: Path) -> list[dict]:
    files = sorted(p for p in pattern.parent.glob(pattern.name) if "__empty" not in p.name)
    if not files:
        return []
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        listing = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
        cur = con.execute(
            f"select * exclude (filename) from read_parquet({listing}, union_by_name = true, "
            "filename = true) order by filename, _file, _row"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def read_raw(data_dir: Path, dataset: str) -> list[dict]:
    """Every row of every raw file of ``dataset`` (not the empty schema file), by file/row."""
    return _read(Path(data_dir) / "raw" / dataset / "*.parquet")


def read_quarantine(data_dir: Path, dataset: str) -> list[dict]:
    return _read(Path(data_dir) / "quarantine" / dataset / "*.parquet")


def read_log_records(data_dir: Path, dataset: str | None = None) -> list[dict]:
    root = Path(data_dir) / "ingest_log"
    pattern = f"{dataset}/*.json" if dataset else "**/*.json"
    return [json.loads(p.read_text()) for p in sorted(root.glob(pattern))]


def raw_files(data_dir: Path, dataset: str) -> list[Path]:
    return sorted(
        p for p in (Path(data_dir) / "raw" / dataset).glob("*.parquet") if "__empty" not in p.name
    )


@pytest.fixture(autouse=True)
def pii_secret(monkeypatch) -> str:
    """Every test runs with a known secret and without settings leaking in from the shell."""
    for name in ("PLCQI_DATA_DIR", "PLCQI_TRACKER_DSN", "PLCQI_TRACKER_TABLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLCQI_PII_SECRET", TEST_SECRET)
    return TEST_SECRET


@pytest.fixture(name="write_csv")
def write_csv_fixture():
    return write_csv


@pytest.fixture(name="read_raw")
def read_raw_fixture():
    return read_raw


@pytest.fixture(name="read_quarantine")
def read_quarantine_fixture():
    return read_quarantine


@pytest.fixture
def ref_dir(tmp_path) -> Path:
    """A data dir (``tmp_path``) whose landing/reference/ holds the valid reference set."""
    return write_reference(tmp_path)


@pytest.fixture
def ingested_ref(ref_dir) -> Path:
    """``ref_dir`` with the reference source ingested, all of it loaded."""
    from plcqi.ingest import ingest

    report = ingest(ref_dir, sources=["reference"])
    assert report.ok, [r.message for r in report.rejected]
    assert report.totals()["rows_quarantined"] == 0, [r.message for r in report.records]
    return ref_dir


@pytest.fixture
def pg_dsn() -> Iterator[str]:
    """A new, empty Postgres database ``plcqi_test_<uuid8>``; always dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    name = f"plcqi_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as e:
        pytest.skip(f"no PostgreSQL at PLCQI_TEST_PG_DSN ({e})")
    try:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        try:
            yield make_conninfo(ADMIN_DSN, dbname=name)
        finally:
            admin.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )
    finally:
        admin.close()
