"""File versions (INPUTS.md "Where the files land"): a corrected re-export at the same landing
path replaces the earlier version's rows and the log keeps both versions; every landing file has
its own record, and the same bytes at two paths are not loaded twice; a file whose write fails
half-way leaves no rows behind."""

from __future__ import annotations

from plcqi.ingest.rawzone import EMPTY_FILE, Zone, data_files, read_log
from plcqi.ingest.run import ingest, landed_summary
from tests.helpers import raw_files, read_log_records, read_quarantine, read_raw

POLL = "session_id,poll_id,question_id,question_text,scale,participant_id,response_value\n"
SURVEY = "response_id,cohort_id,grantee_id,participant_id,submitted_at,knowledge_gain\n"
ATT = "session_id,participant_id,email,join_time,leave_time\n"
ATT_ROWS = (
    "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
    "S1,P002,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
)


def accounted(r) -> bool:
    return r.rows_read == r.rows_loaded + r.rows_quarantined + r.rows_skipped


def test_corrected_re_export_of_a_polls_file_replaces_its_rows(ingested_ref, write_csv):
    path = write_csv(
        ingested_ref / "landing/polls/p.csv",
        POLL
        + "S1,p1,q1,Useful?,likert5,P001,4\n"
        + "S1,p1,q1,Useful?,likert5,P002,2\n"
        + "S9,p1,q1,Useful?,likert5,P003,5\n",  # unknown session: quarantined
    )
    (v1,) = ingest(ingested_ref, sources=["polls"]).records
    assert (v1.rows_loaded, v1.rows_quarantined) == (2, 1)
    # the platform re-exports the poll, corrected: P002 answered 3, the S9 row is gone
    write_csv(path, POLL + "S1,p1,q1,Useful?,likert5,P001,4\nS1,p1,q1,Useful?,likert5,P002,3\n")
    (v2,) = ingest(ingested_ref, sources=["polls"]).records
    assert (v2.file, v2.rows_read, v2.rows_loaded) == ("polls/p.csv", 2, 2)

    raw = read_raw(ingested_ref, "polls")
    assert [(x["response_value"], x["_file_hash"]) for x in raw] == [
        ("4", v2.file_hash),
        ("3", v2.file_hash),
    ]
    assert read_quarantine(ingested_ref, "polls") == []  # v1's bad row went with v1
    logged = [
        (x["file"], x["file_hash"], x["status"]) for x in read_log_records(ingested_ref, "polls")
    ]
    assert logged == [
        ("polls/p.csv", v1.file_hash, "loaded"),
        ("polls/p.csv", v2.file_hash, "loaded"),
    ]
    summary = {d["dataset"]: d for d in landed_summary(ingested_ref)}["polls"]
    assert (summary["files"], summary["loaded"], summary["quarantined"]) == (1, 2, 0)
    assert ingest(ingested_ref, sources=["polls"]).records == []


def test_a_new_version_is_not_a_duplicate_of_the_one_it_replaces(ingested_ref, write_csv):
    land = ingested_ref / "landing/surveys/midpoint"
    s1 = write_csv(land / "s1.csv", SURVEY + "M1,K1,G01,P001,2024-03-01T12:00:00,4\n")
    write_csv(land / "s2.csv", SURVEY + "M2,K1,G02,P002,2024-03-01T12:00:00,3\n")
    assert ingest(ingested_ref, sources=["surveys"]).ok
    # s1.csv corrected: M1's answer changes. Not a conflict: that version is replaced.
    write_csv(s1, SURVEY + "M1,K1,G01,P001,2024-03-01T12:00:00,5\n")
    (r,) = ingest(ingested_ref, sources=["surveys"]).records
    assert (r.file, r.rows_loaded, r.rows_quarantined) == ("surveys/midpoint/s1.csv", 1, 0)
    # another file that disagrees with the current s1.csv still is
    write_csv(land / "s3.csv", SURVEY + "M1,K1,G01,P001,2024-03-01T12:00:00,1\n")
    (r,) = ingest(ingested_ref, sources=["surveys"]).records
    assert (r.rows_loaded, r.rows_quarantined) == (0, 1)
    (q,) = read_quarantine(ingested_ref, "surveys/midpoint")
    assert "different from surveys/midpoint/s1.csv row 1" in q["reason"]
    raw = read_raw(ingested_ref, "surveys/midpoint")
    assert sorted((x["response_id"], x["knowledge_gain"]) for x in raw) == [("M1", 5), ("M2", 3)]


def test_same_bytes_at_two_paths_have_two_records_and_load_once(ingested_ref, write_csv):
    land = ingested_ref / "landing/attendance"
    a = write_csv(
        land / "a.csv", ATT + ATT_ROWS + "S9,P003,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
    )
    write_csv(land / "z_copy.csv", a.read_bytes())
    report = ingest(ingested_ref, sources=["attendance"])
    first, copy = report.records
    assert (first.file, first.rows_read, first.rows_loaded, first.rows_quarantined) == (
        "attendance/a.csv",
        3,
        2,
        1,
    )
    assert copy.file == "attendance/z_copy.csv" and copy.file_hash == first.file_hash
    assert (copy.status, copy.rows_read, copy.rows_loaded, copy.rows_quarantined) == (
        "loaded",
        3,
        0,
        0,
    )
    assert copy.rows_skipped == 3 and accounted(copy)
    assert copy.skipped == {"same bytes as attendance/a.csv, whose rows are loaded": 3}
    assert copy.same_as == "attendance/a.csv"
    assert len(read_log_records(ingested_ref, "attendance")) == 2
    assert len(read_raw(ingested_ref, "attendance")) == 2
    assert len(read_quarantine(ingested_ref, "attendance")) == 1

    # a.csv is corrected; the copy still holds the first version, whose rows stay current
    write_csv(a, ATT + "S2,P001,,2024-02-15T19:00:00,2024-02-15T20:00:00\n")
    (v2,) = ingest(ingested_ref, sources=["attendance"]).records
    assert v2.file == "attendance/a.csv"
    sessions = sorted(x["session_id"] for x in read_raw(ingested_ref, "attendance"))
    assert sessions == ["S1", "S1", "S2"]
    assert ingest(ingested_ref, sources=["attendance"]).records == []


def test_a_failed_write_leaves_no_rows_and_the_file_loads_once_fixed(ingested_ref, write_csv):
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT + ATT_ROWS + "S9,P003,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    # the raw file can be written, the quarantine file cannot: its folder is a file
    blocker = Zone(ingested_ref).quarantine("attendance")
    write_csv(blocker, "not a folder\n")
    (r,) = ingest(ingested_ref, sources=["attendance"]).records
    assert r.status == "rejected" and "attendance/a.csv" in r.message
    assert raw_files(ingested_ref, "attendance") == []
    on_disk = data_files(Zone(ingested_ref).raw("attendance"), schema_file=True)
    assert [p.name for p in on_disk] == [EMPTY_FILE]  # the written raw file was removed

    blocker.unlink()
    (r,) = ingest(ingested_ref, sources=["attendance"]).records
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", 2, 1)
    assert len(read_raw(ingested_ref, "attendance")) == 2
    statuses = [x.status for x in read_log(Zone(ingested_ref)) if x.dataset == "attendance"]
    assert statuses == ["rejected", "loaded"]


def test_a_rejected_file_is_logged_once_however_often_it_is_checked(ingested_ref, write_csv):
    write_csv(ingested_ref / "landing/attendance/bad.csv", "session_id\nS1\n")
    for _ in range(3):
        (r,) = ingest(ingested_ref, sources=["attendance"]).rejected
        assert "missing required column" in r.message
    assert [x["status"] for x in read_log_records(ingested_ref, "attendance")] == ["rejected"]
