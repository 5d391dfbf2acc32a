"""The tracker's Postgres as a source: incremental pulls by ``updated_at`` watermark."""

from __future__ import annotations

import json
import signal
from datetime import datetime

import psycopg
import pytest

from plcqi.ingest.rawzone import Zone
from plcqi.ingest.run import ingest
from plcqi.ingest.tracker_db import PULL_FOLDER, read_watermark, watermark_path
from tests.helpers import read_log_records, read_quarantine, read_raw
from tests.ingest.crash import finished, start

pytestmark = pytest.mark.postgres

SOURCES = ["reference", "ta_requests_db"]
COLUMNS = (
    "request_id",
    "grantee_id",
    "submitted_at",
    "topic",
    "request_type",
    "center_id",
    "source_opportunity_id",
    "plan_status",
    "updated_at",
)


def setup_table(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("create schema tracker")
        conn.execute(
            """create table tracker.ta_requests (
                request_id text not null,
                grantee_id text not null,
                submitted_at timestamptz not null,
                topic text not null,
                request_type text not null,
                center_id text,
                source_opportunity_id text,
                plan_status text not null,
                updated_at timestamptz not null,
                primary key (request_id, updated_at)
            )"""
        )


def insert(dsn: str, *rows: tuple) -> None:
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.executemany(
            f"insert into tracker.ta_requests ({', '.join(COLUMNS)}) "
            f"values ({', '.join(['%s'] * len(COLUMNS))})",
            rows,
        )


def pulls(data_dir) -> list:
    return sorted((data_dir / "landing" / PULL_FOLDER).glob("pull_*.csv"))


def data_rows(path) -> int:
    return len(path.read_text().splitlines()) - 1


def db_records(report):
    return [r for r in report.records if r.dataset == "ta_requests"]


def test_incremental_pulls_read_only_what_changed(ref_dir, pg_dsn):
    setup_table(pg_dsn)
    insert(
        pg_dsn,
        (
            "R1",
            "G01",
            "2024-01-02 10:00:00+00",
            "licensing",
            "p2p",
            "C1",
            "O1",
            "initial",
            "2024-01-02 10:00:00+00",
        ),
        (
            "R2",
            "G02",
            "2024-01-03 09:00:00-05",
            "workforce",
            "universal",
            None,
            None,
            "initial",
            "2024-01-03 09:00:00-05",
        ),
        (
            "R1",
            "G01",
            "2024-01-02 10:00:00+00",
            "licensing",
            "p2p",
            "C1",
            "O1",
            "intermediate",
            "2024-01-04 10:00:00.123456+00",
        ),
    )

    first = ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn)
    assert first.ok, [r.message for r in first.rejected]
    (r1,) = db_records(first)
    assert (r1.status, r1.rows_read, r1.rows_loaded, r1.rows_quarantined) == ("loaded", 3, 3, 0)
    assert r1.file.startswith(f"{PULL_FOLDER}/pull_")
    (pull1,) = pulls(ref_dir)
    assert data_rows(pull1) == 3
    mark = json.loads(watermark_path(Zone(ref_dir)).read_text())
    assert (mark["updated_at"], mark["table"], mark["pull"]) == (
        "2024-01-04 10:00:00.123456+00",
        "tracker.ta_requests",
        pull1.name,
    )
    # the keys pulled within the look-back window (15 minutes) before the watermark
    assert mark["recent"] == [["R1", "2024-01-04 10:00:00.123456+00"]]
    raw = read_raw(ref_dir, "ta_requests")
    assert [(x["request_id"], x["plan_status"], x["updated_at"]) for x in raw] == [
        ("R1", "initial", datetime(2024, 1, 2, 10, 0)),
        ("R2", "initial", datetime(2024, 1, 3, 14, 0)),
        ("R1", "intermediate", datetime(2024, 1, 4, 10, 0, 0, 123456)),
    ]
    assert raw[1]["center_id"] is None and raw[0]["source_opportunity_id"] == "O1"

    # more changes: a new row, an update of an old one (its updated_at moves on)
    insert(
        pg_dsn,
        (
            "R1",
            "G01",
            "2024-01-02 10:00:00+00",
            "licensing",
            "p2p",
            "C1",
            "O1",
            "final",
            "2024-02-01 10:00:00+00",
        ),
    )
    with psycopg.connect(pg_dsn) as conn:
        conn.execute(
            "update tracker.ta_requests set plan_status = 'withdrawn', "
            "updated_at = '2024-02-02 08:00:00+00' where request_id = 'R2'"
        )
    second = ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn)
    (r2,) = db_records(second)
    assert second.skipped == 10  # nine reference files and the first pull
    assert (r2.rows_read, r2.rows_loaded, r2.rows_quarantined) == (2, 2, 0)
    p1, pull2 = pulls(ref_dir)
    assert p1 == pull1 and data_rows(pull2) == 2
    assert r2.file == f"{PULL_FOLDER}/{pull2.name}"
    raw = read_raw(ref_dir, "ta_requests")
    assert len(raw) == 5
    added = [(x["request_id"], x["plan_status"]) for x in raw if x["_file"] == r2.file]
    assert added == [("R1", "final"), ("R2", "withdrawn")]
    assert read_watermark(Zone(ref_dir)) == "2024-02-02 08:00:00+00"

    # nothing changed: nothing pulled, nothing loaded, watermark unchanged
    third = ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn)
    assert third.records == [] and third.ok
    assert len(pulls(ref_dir)) == 2
    assert len(read_raw(ref_dir, "ta_requests")) == 5
    assert read_watermark(Zone(ref_dir)) == "2024-02-02 08:00:00+00"
    assert len(read_log_records(ref_dir, "ta_requests")) == 2


def test_bad_database_row_is_quarantined_like_a_csv_row(ref_dir, pg_dsn):
    setup_table(pg_dsn)
    insert(
        pg_dsn,
        (
            "R1",
            "G01",
            "2024-01-02 10:00:00+00",
            "licensing",
            "p2p",
            None,
            None,
            "initial",
            "2024-01-02 10:00:00+00",
        ),
        (
            "R2",
            "G99",
            "2024-01-03 10:00:00+00",
            "workforce",
            "p2p",
            None,
            None,
            "initial",
            "2024-01-03 10:00:00+00",
        ),
        (
            "R3",
            "G03",
            "2024-01-04 10:00:00+00",
            "workforce",
            "phone",
            None,
            None,
            "initial",
            "2024-01-05 10:00:00+00",
        ),
    )
    report = ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn)
    (r,) = db_records(report)
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 3, 1, 2)
    quarantined = read_quarantine(ref_dir, "ta_requests")
    assert [(q["_file"], q["_row"], q["column"]) for q in quarantined] == [
        (r.file, 2, "grantee_id"),
        (r.file, 3, "request_type"),
    ]
    assert "unknown grantee_id 'G99'" in quarantined[0]["reason"]
    assert "not an allowed value" in quarantined[1]["reason"]
    assert [x["request_id"] for x in read_raw(ref_dir, "ta_requests")] == ["R1"]
    # the quarantined rows moved the watermark too: they are kept, not pulled again
    assert read_watermark(Zone(ref_dir)) == "2024-01-05 10:00:00+00"


def test_pull_does_not_depend_on_the_servers_date_style(ref_dir, pg_dsn):
    setup_table(pg_dsn)
    dbname = psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f"alter database {dbname} set datestyle = 'SQL, DMY'")
    insert(
        pg_dsn,
        (
            "R1",
            "G01",
            "2024-01-02 10:00:00+00",
            "licensing",
            "p2p",
            None,
            None,
            "initial",
            "2024-01-13 10:00:00+00",
        ),
    )
    report = ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn)
    (r,) = db_records(report)
    assert (r.rows_loaded, r.rows_quarantined) == (1, 0), read_quarantine(ref_dir, "ta_requests")
    (row,) = read_raw(ref_dir, "ta_requests")
    assert row["updated_at"] == datetime(2024, 1, 13, 10, 0)
    insert(
        pg_dsn,
        (
            "R1",
            "G01",
            "2024-01-02 10:00:00+00",
            "licensing",
            "p2p",
            None,
            None,
            "final",
            "2024-02-01 10:00:00+00",
        ),
    )
    (r,) = db_records(ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn))
    assert (r.rows_read, r.rows_loaded) == (1, 1)


def change(request_id: str, plan_status: str, updated_at: str) -> tuple:
    return (
        request_id,
        "G01",
        "2024-01-02 10:00:00+00",
        "licensing",
        "p2p",
        None,
        None,
        plan_status,
        updated_at,
    )


def test_late_commit_with_an_older_updated_at_is_pulled_next_time_and_once(
    ref_dir, pg_dsn, monkeypatch
):
    monkeypatch.setenv("PLCQI_TRACKER_LOOKBACK_MINUTES", "60")
    setup_table(pg_dsn)
    insert(pg_dsn, change("R1", "initial", "2024-03-01 10:00:00+00"))
    (first,) = db_records(ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn))
    assert first.rows_loaded == 1
    # committed after that pull, stamped before its watermark: 40 minutes (within the hour of
    # look-back) and 90 minutes (beyond it) earlier
    insert(
        pg_dsn,
        change("R2", "initial", "2024-03-01 09:20:00+00"),
        change("R3", "initial", "2024-03-01 08:30:00+00"),
    )
    (late,) = db_records(ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn))
    assert (late.rows_read, late.rows_loaded) == (1, 1)
    raw = read_raw(ref_dir, "ta_requests")
    assert sorted((x["request_id"], x["_file"]) for x in raw) == [
        ("R1", first.file),
        ("R2", late.file),
    ]
    # the watermark does not move back, and the window's rows are not pulled again
    assert read_watermark(Zone(ref_dir)) == "2024-03-01 10:00:00+00"
    again = ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn)
    assert db_records(again) == [] and len(pulls(ref_dir)) == 2
    assert len(read_raw(ref_dir, "ta_requests")) == 2


def test_pull_killed_before_its_watermark_pulls_nothing_twice(ref_dir, pg_dsn, monkeypatch):
    setup_table(pg_dsn)
    insert(
        pg_dsn,
        change("R1", "initial", "2024-03-01 10:00:00+00"),
        change("R2", "initial", "2024-03-01 10:05:00+00"),
    )
    monkeypatch.setenv("PLCQI_TRACKER_DSN", pg_dsn)
    out = ref_dir.parent / "killed.json"
    # killed right after the extract is on disk: no watermark written, nothing ingested from it
    code, _ = finished(start(ref_dir, out, after_match=r"/tracker_db/pull_"), out)
    assert code == -signal.SIGKILL
    assert len(pulls(ref_dir)) == 1 and read_watermark(Zone(ref_dir)) is None
    insert(pg_dsn, change("R3", "initial", "2024-03-01 10:10:00+00"))
    report = ingest(ref_dir, sources=SOURCES, tracker_dsn=pg_dsn)
    assert [r.rows_read for r in db_records(report)] == [2, 1]  # the extract, then R3 alone
    raw = read_raw(ref_dir, "ta_requests")
    assert sorted(x["request_id"] for x in raw) == ["R1", "R2", "R3"]
    assert read_watermark(Zone(ref_dir)) == "2024-03-01 10:10:00+00"


def test_db_source_without_dsn_is_an_error(ref_dir):
    with pytest.raises(ValueError, match="PLCQI_TRACKER_DSN"):
        ingest(ref_dir, sources=["ta_requests_db"])
