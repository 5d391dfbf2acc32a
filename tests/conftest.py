"""Fixtures every test may use: ``pii_secret`` (the PLCQI_PII_SECRET every test runs with,
autouse), ``write_csv``, ``read_raw``, ``read_quarantine``, ``ref_dir`` (a data dir with a
valid reference landing set), ``ingested_ref`` (the same, reference source ingested),
``pg_dsn`` (a throw-away Postgres database, dropped after the test) and ``demo_warehouse``
(the seed-7 demo, built once per test run and shared by every worker; never modify it, copy
it with ``demo_copy``). Helpers to import: ``tests.helpers``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import (
    ADMIN_DSN,
    TEST_SECRET,
    read_quarantine,
    read_raw,
    write_csv,
    write_reference,
)
from tests.shared_demo import demo_copy, demo_copy_module, demo_warehouse  # noqa: F401


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="Rewrite the report snapshots (tests/publish/golden/) from this run.")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


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
    from plcqi.ingest.run import ingest

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
