"""Warehouse builds (``plcqi.transform.builds``): the inputs snapshot, leftovers, the failed
build kept aside, the transform lock, and readers' plain messages. The builds themselves
(killed, failed, refused by the check before promotion, run at once) are in
``test_atomic_builds.py``, with real dbt; the Postgres swap in ``test_postgres.py``."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from plcqi import history, locks, paths
from plcqi.ingest.contract import DATASETS
from plcqi.ingest.rawzone import EMPTY_FILE, Zone
from plcqi.transform import build as transform
from plcqi.transform import builds
from tests.transform.rawfiles import commit_raw, session_row


def previous_warehouse(root: Path) -> bytes:
    """A stand-in for the last build: one marts table; returns the file's bytes."""
    path = paths.warehouse(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create table marts.previous as select 42 as answer")
    con.close()
    return path.read_bytes()


def tables(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            f"{s}.{t}"
            for s, t in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
    finally:
        con.close()


# -- the inputs snapshot ------------------------------------------------------------------


def test_the_snapshot_links_the_committed_files_and_nothing_written_later(tmp_path):
    first = commit_raw(
        tmp_path, "reference/sessions", [session_row(60)], datetime(2026, 1, 1, tzinfo=UTC)
    )
    uncommitted = first.with_name("20260101T000000000001Z__0000000000000000.parquet")
    uncommitted.write_bytes(first.read_bytes())  # written by a killed ingestion
    published = history.ensure_schema_file(tmp_path)
    in_flight = paths.history_dir(tmp_path) / ".2026-06-30.abc.tmp" / published.name
    in_flight.parent.mkdir()
    in_flight.write_bytes(published.read_bytes())

    build = builds.start(tmp_path, "duckdb")
    later = commit_raw(
        tmp_path, "reference/sessions", [session_row(30)], datetime(2026, 2, 1, tzinfo=UTC)
    )

    snap = builds.raw_files(build.inputs, "reference/sessions")
    expected = [EMPTY_FILE, first.name]
    if uncommitted.name in {p.name for p in Zone(tmp_path).raw_files("reference/sessions")}:
        expected.append(uncommitted.name)  # before the commit protocol: every file counts
    assert [p.name for p in snap] == expected
    assert later.name not in {p.name for p in snap}
    assert snap[1].stat().st_ino == first.stat().st_ino  # a hard link, not a copy
    for ds in DATASETS:
        assert (build.inputs / "raw" / ds.name / EMPTY_FILE).is_file(), ds.name
    assert [p.relative_to(build.inputs).as_posix() for p in builds.history_files(build.inputs)] == [
        f"history/_schema/{published.name}"
    ]
    builds.discard(build)
    assert not builds.building_dir(tmp_path).exists()
    assert first.is_file() and later.is_file()  # the raw zone is untouched


def test_leftovers_of_killed_builds_are_removed_by_the_next_build_of_their_kind(tmp_path):
    root = builds.building_dir(tmp_path)
    for name in ("cli", "airflow-run1-abc", "airflow-run2-def"):
        (root / name / "inputs").mkdir(parents=True)
    assert [p.name for p in builds.remove_leftovers(tmp_path, keep="cli")] == ["cli"]
    removed = builds.remove_leftovers(tmp_path, keep="airflow-run2-def")
    assert [p.name for p in removed] == ["airflow-run1-abc", "airflow-run2-def"]
    assert sorted(p.name for p in root.iterdir()) == []


def test_the_dbt_environment_points_at_the_build(tmp_path):
    build = builds.Build(tmp_path, "duckdb")
    env = build.dbt_env()
    assert env[builds.ENV_WAREHOUSE] == str(
        tmp_path / "warehouse" / "building" / "cli" / "plcqi.duckdb"
    )
    assert env[builds.ENV_INPUTS] == str(tmp_path / "warehouse" / "building" / "cli" / "inputs")
    pg = builds.Build(tmp_path, "postgres", builds.airflow_build_id("manual__2026-07-01"))
    assert pg.dbt_env()[builds.ENV_SCHEMA_SUFFIX].startswith("__build_a")
    assert builds.ENV_WAREHOUSE not in pg.dbt_env()
    assert len("intermediate" + pg.schema_suffix) <= 63
    assert builds.Build.from_description(pg.describe()) == pg


# -- readers --------------------------------------------------------------------------------


def test_readers_of_a_build_being_validated_read_that_build(tmp_path):
    from plcqi.publish.warehouse import warehouse_path

    candidate = tmp_path / "warehouse" / "building" / "cli" / "plcqi.duckdb"
    assert warehouse_path(tmp_path) == paths.warehouse(tmp_path)
    with builds.reading(tmp_path, candidate):
        assert warehouse_path(tmp_path) == candidate
        assert builds.current(tmp_path / ".") == candidate
        assert builds.current(tmp_path / "other") == paths.warehouse(tmp_path / "other")
    assert warehouse_path(tmp_path) == paths.warehouse(tmp_path)


def test_without_a_warehouse_every_reader_says_so_in_one_line(tmp_path):
    from plcqi.cli import main
    from plcqi.publish.warehouse import PublishError, connect
    from plcqi.quality import batches_marts

    with (
        pytest.raises(PublishError, match="no warehouse at .*: run `plcqi transform`"),
        connect(tmp_path),
    ):
        pass
    with pytest.raises(FileNotFoundError, match="no warehouse at"):
        batches_marts.connect(tmp_path)
    for command in (["report"], ["summary"]):
        result = CliRunner().invoke(main, [*command, "--data-dir", str(tmp_path)])
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: no warehouse at"), result.output


def test_a_warehouse_held_by_another_writer_is_a_plain_message(tmp_path):
    path = paths.warehouse(tmp_path)
    path.parent.mkdir(parents=True)
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(builds.WarehouseUnavailable) as raised:
            builds.open_read_only(tmp_path)
        message = str(raised.value)
        assert message.startswith(f"cannot open the warehouse {path} read-only: ")
        assert "\n" not in message
    finally:
        holder.kill()
        holder.wait()


# -- a second transform ----------------------------------------------------------------------


def test_a_second_transform_refuses_in_one_line_after_the_lock_timeout(tmp_path, monkeypatch):
    from plcqi.cli import main

    monkeypatch.setenv("PLCQI_LOCK_TIMEOUT", "0.2")
    with locks.exclusive(tmp_path, builds.LOCK_NAME):
        started = time.monotonic()
        with pytest.raises(transform.TransformError) as raised:
            transform.transform(tmp_path)
        assert time.monotonic() - started >= 0.2
        result = CliRunner().invoke(main, ["transform", "--data-dir", str(tmp_path)])
    assert "the warehouse build in" in str(raised.value)
    assert "is in use by another plcqi process (waited 0.2 s" in str(raised.value)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "in use by another plcqi process" in lines[0], result.output
    assert not builds.building_dir(tmp_path).exists()  # it started nothing
