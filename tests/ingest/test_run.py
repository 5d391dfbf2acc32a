"""Ingestion runs: once per file version, reference snapshots, ordering, personal data."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from plcqi.ingest import contract
from plcqi.ingest.pseudonymize import hmac_hex
from plcqi.ingest.rawzone import EMPTY_STEM
from plcqi.ingest.run import ingest, landed_summary
from tests.helpers import (
    PEOPLE,
    raw_files,
    read_log_records,
    read_quarantine,
    read_raw,
    write_reference,
)

ATT_HEADER = "session_id,participant_id,email,join_time,leave_time\n"
ATT_ROW = "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"


def all_outputs(data_dir: Path) -> list[Path]:
    """Every file ingestion wrote (everything but the landing folder and the lock files)."""
    return sorted(
        p
        for p in data_dir.rglob("*")
        if p.is_file()
        and "landing" not in p.relative_to(data_dir).parts
        and p.parent != data_dir / "state" / "locks"
    )


def test_reference_set_loads_whole(ref_dir):
    report = ingest(ref_dir, sources=["reference"])
    assert report.ok
    got = {
        r.dataset: (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined)
        for r in report.records
    }
    assert got == {
        "reference/centers": ("loaded", 2, 2, 0),
        "reference/grantees": ("loaded", 4, 4, 0),
        "reference/opportunities": ("loaded", 2, 2, 0),
        "reference/cohorts": ("loaded", 2, 2, 0),
        "reference/sessions": ("loaded", 4, 4, 0),
        "reference/participants": ("loaded", 4, 4, 0),
        "reference/team_members": ("loaded", 2, 2, 0),
        "reference/enrollments": ("loaded", 3, 3, 0),
        "reference/toc_targets": ("loaded", 2, 2, 0),
    }
    grantees = {x["grantee_id"]: x["grantee_type"] for x in read_raw(ref_dir, "reference/grantees")}
    assert grantees == {"G01": "state", "G02": "territory", "G03": "tribe", "G04": "district"}
    opp = {x["opportunity_id"]: x for x in read_raw(ref_dir, "reference/opportunities")}
    assert opp["O2"]["end_date"] is None and opp["O1"]["planned_sessions"] == 4
    # every dataset has its empty schema file, so readers' globs never come up empty
    for ds in contract.DATASETS:
        assert (ref_dir / "raw" / ds.name / f"{EMPTY_STEM}.parquet").exists(), ds.name


def test_second_ingest_loads_nothing(ingested_ref, write_csv):
    write_csv(ingested_ref / "landing/attendance/a.csv", ATT_HEADER + ATT_ROW)
    first = ingest(ingested_ref)
    assert [r.file for r in first.records] == ["attendance/a.csv"]
    assert first.skipped == 9
    before = {p: p.stat().st_mtime_ns for p in all_outputs(ingested_ref)}

    again = ingest(ingested_ref)
    assert again.records == [] and again.skipped == 10 and again.ok
    assert {p: p.stat().st_mtime_ns for p in all_outputs(ingested_ref)} == before
    assert len(read_raw(ingested_ref, "attendance")) == 1


def test_changed_file_is_a_new_version_that_replaces_the_earlier_rows(ingested_ref, write_csv):
    path = write_csv(ingested_ref / "landing/attendance/a.csv", ATT_HEADER + ATT_ROW)
    first = ingest(ingested_ref, sources=["attendance"]).records[0]
    write_csv(path, ATT_HEADER + ATT_ROW + "S2,P002,,2024-02-15T19:00:00,2024-02-15T20:00:00\n")
    (second,) = ingest(ingested_ref, sources=["attendance"]).records
    assert second.file == first.file and second.file_hash != first.file_hash
    assert (second.rows_read, second.rows_loaded) == (2, 2)
    # a corrected re-export: its rows replace the first version's, which are no longer current
    files = raw_files(ingested_ref, "attendance")
    assert [p.relative_to(ingested_ref).as_posix() for p in files] == [second.raw_file]
    assert [x["_file_hash"] for x in read_raw(ingested_ref, "attendance")] == [
        second.file_hash,
        second.file_hash,
    ]
    # the log keeps both versions, and the first version's file stays on disk
    assert [x["file_hash"] for x in read_log_records(ingested_ref, "attendance")] == [
        first.file_hash,
        second.file_hash,
    ]
    assert (ingested_ref / first.raw_file).exists()
    assert {d["dataset"]: d["loaded"] for d in landed_summary(ingested_ref)}["attendance"] == 2


def test_rejected_file_is_reported_again_until_fixed(ingested_ref, write_csv):
    path = write_csv(ingested_ref / "landing/attendance/a.csv", "session_id,join_time\nS1,x\n")
    first = ingest(ingested_ref, sources=["attendance"])
    second = ingest(ingested_ref, sources=["attendance"])
    for report in (first, second):
        assert not report.ok
        assert [(r.file, r.status) for r in report.rejected] == [("attendance/a.csv", "rejected")]
        assert "leave_time" in report.rejected[0].message
    assert second.skipped == 0
    assert raw_files(ingested_ref, "attendance") == []

    write_csv(path, ATT_HEADER + ATT_ROW)
    fixed = ingest(ingested_ref, sources=["attendance"])
    assert fixed.ok and [(r.status, r.rows_loaded) for r in fixed.records] == [("loaded", 1)]
    # the rejected version keeps its record (history), the fixed one is loaded
    statuses = sorted(x["status"] for x in read_log_records(ingested_ref, "attendance"))
    assert statuses == ["loaded", "rejected"]


def test_changed_reference_file_becomes_the_latest_raw_file(ingested_ref, write_csv):
    old = raw_files(ingested_ref, "reference/grantees")
    assert len(old) == 1
    write_csv(
        ingested_ref / "landing/reference/grantees.csv",
        "grantee_id,grantee_name,grantee_type,acf_region\n"
        "G01,Alabama,state,4\nG02,Guam,territory,9\nG03,Cherokee Nation,tribe,6\n"
        "G04,District of Columbia,district,3\nG05,Navajo Nation,tribe,9\n",
    )
    report = ingest(ingested_ref, sources=["reference"])
    assert [(r.dataset, r.rows_loaded) for r in report.records] == [("reference/grantees", 5)]
    files = raw_files(ingested_ref, "reference/grantees")
    assert len(files) == 1 and files[0] != old[0] and old[0].exists()
    assert files[-1].name.endswith(report.records[0].file_hash[:16] + ".parquet")
    latest = duckdb.sql(f"select grantee_id from read_parquet('{files[-1]}') order by 1").fetchall()
    assert [g for (g,) in latest] == ["G01", "G02", "G03", "G04", "G05"]
    # and event files are checked against the new snapshot
    path = ingested_ref / "landing/ta_requests/t.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "request_id,grantee_id,submitted_at,topic,request_type,plan_status,updated_at\n"
        "R1,G05,2024-01-02T10:00:00,licensing,p2p,initial,2024-01-02T10:00:00\n"
    )
    (r,) = ingest(ingested_ref, sources=["ta_requests"]).records
    assert (r.rows_loaded, r.rows_quarantined) == (1, 0)


def test_reverted_reference_file_is_the_current_snapshot_again(ingested_ref, write_csv):
    path = ingested_ref / "landing/reference/centers.csv"
    original = path.read_bytes()
    write_csv(path, "center_id,center_name,funding_office\nC3,New Center,OCC\n")
    assert [r.rows_loaded for r in ingest(ingested_ref, sources=["reference"]).records] == [1]
    path.write_bytes(original)  # the operator rolls the bad upload back
    (r,) = ingest(ingested_ref, sources=["reference"]).records
    assert (r.status, r.rows_loaded) == ("loaded", 2)
    latest = raw_files(ingested_ref, "reference/centers")[-1]
    got = duckdb.sql(f"select center_id from read_parquet('{latest}') order by 1").fetchall()
    assert got == [("C1",), ("C2",)]
    # unchanged since: skipped
    assert ingest(ingested_ref, sources=["reference"]).records == []


def test_event_file_before_its_reference_is_rejected_then_loads(ref_dir, write_csv):
    write_csv(ref_dir / "landing/attendance/a.csv", ATT_HEADER + ATT_ROW)
    report = ingest(ref_dir, sources=["attendance"])
    (r,) = report.rejected
    assert r.file == "attendance/a.csv"
    assert "reference/sessions has not been loaded yet" in r.message
    assert "ingest the reference source first" in r.message
    assert raw_files(ref_dir, "attendance") == []

    # one run with both sources loads the reference first, then the events
    report = ingest(ref_dir, sources=["attendance", "reference"])
    assert report.ok
    assert report.records[-1].file == "attendance/a.csv"
    assert report.records[-1].rows_loaded == 1


def test_reference_file_before_the_one_it_references_is_rejected(ref_dir):
    (ref_dir / "landing/reference/centers.csv").unlink()
    report = ingest(ref_dir, sources=["reference"])
    rejected = {r.file: r.message for r in report.rejected}
    # opportunities reference centers; everything downstream of opportunities then fails too
    assert "reference/opportunities.csv" in rejected
    assert "reference/centers has not been loaded yet" in rejected["reference/opportunities.csv"]
    loaded = {r.file for r in report.records if r.status == "loaded"}
    assert {"reference/grantees.csv", "reference/participants.csv"} <= loaded


def test_unknown_source_is_an_error(ref_dir):
    with pytest.raises(ValueError, match="unknown source"):
        ingest(ref_dir, sources=["nope"])


# --- personal data -----------------------------------------------------------------------


def _parquet_strings(path: Path) -> list[str]:
    rel = duckdb.sql(f"select * from read_parquet('{path}')")
    return [str(v) for row in rel.fetchall() for v in row if v is not None]


def test_no_name_or_email_reaches_any_output(ref_dir, write_csv, pii_secret):
    names = [p[2] for p in PEOPLE]
    emails = [p[3] for p in PEOPLE]
    # a participants file with bad rows too, so quarantine and row_json are exercised
    write_reference(
        ref_dir,
        participants=(ref_dir / "landing/reference/participants.csv").read_text()
        + "P005,G99,Mary Jackson,mary.jackson@example.org,,,maybe,no\n"
        + "P001,G01,Ada King,ada.lovelace@example.org,Other,,yes,no\n",
    )
    names += ["Mary Jackson", "Ada King"]
    emails += ["mary.jackson@example.org"]
    land = ref_dir / "landing"
    write_csv(
        land / "attendance/a.csv",
        ATT_HEADER
        + f"S1,,{emails[0].upper()},2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + f"S1,,{emails[4]},2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + f"S9,P002,{emails[1]},2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + f"S1,P003,{emails[2]},2024-01-15T15:00:00,2024-01-15T14:00:00\n",
    )
    # a rejected file full of emails: its message must not repeat them
    write_csv(land / "attendance/bad.csv", f"session_id,email\nS1,{emails[3]}\n")
    report = ingest(ref_dir, sources=["reference", "attendance"])
    parts = next(r for r in report.records if r.dataset == "reference/participants")
    assert (parts.rows_read, parts.rows_loaded, parts.rows_quarantined) == (6, 4, 2)
    att = next(r for r in report.records if r.file == "attendance/a.csv")
    assert (att.rows_read, att.rows_loaded, att.rows_quarantined) == (4, 1, 3)
    assert [r.file for r in report.rejected] == ["attendance/bad.csv"]

    outputs = all_outputs(ref_dir)
    kinds = {p.relative_to(ref_dir).parts[0] for p in outputs}
    assert {"raw", "quarantine", "ingest_log"} <= kinds
    assert any(p.suffix == ".json" for p in outputs)
    needles = [s.lower() for s in names + emails] + [n.split()[-1].lower() for n in names]
    for p in outputs:
        haystacks = [p.read_bytes().decode("utf-8", "replace").lower()]
        if p.suffix == ".parquet":
            haystacks += [s.lower() for s in _parquet_strings(p)]
        for h in haystacks:
            for needle in needles:
                assert needle not in h, (needle, p)

    key = pii_secret.encode()
    raw = read_raw(ref_dir, "reference/participants")
    assert "full_name" not in raw[0] and "email" not in raw[0]
    assert [x["participant_key"] for x in raw] == [hmac_hex(key, p[0]) for p in PEOPLE]
    assert [x["email_key"] for x in raw] == [hmac_hex(key, p[3].lower()) for p in PEOPLE]
    quarantined = read_quarantine(ref_dir, "reference/participants")
    assert {q["_row"] for q in quarantined} == {5, 6}
    row_json = json.loads(next(q for q in quarantined if q["_row"] == 5)["row_json"])
    assert row_json["full_name"] is None
    assert row_json["email"] == hmac_hex(key, "mary.jackson@example.org")
    assert row_json["participant_id"] == hmac_hex(key, "P005")


def test_participant_key_is_the_hmac_of_the_id(ingested_ref, pii_secret):
    raw = read_raw(ingested_ref, "reference/team_members")
    key = pii_secret.encode()
    assert [(x["cohort_id"], x["participant_key"]) for x in raw] == [
        ("K1", hmac_hex(key, "P001")),
        ("K1", hmac_hex(key, "P002")),
    ]
    assert "participant_id" not in raw[0]


def test_a_different_secret_gives_different_keys(tmp_path, monkeypatch, write_csv, pii_secret):
    keys = {}
    for secret in (pii_secret, "another-secret-of-at-least-32-bytes"):
        monkeypatch.setenv("PLCQI_PII_SECRET", secret)
        data = write_reference(tmp_path / secret)
        write_csv(
            data / "landing/attendance/a.csv",
            ATT_HEADER + "S1,,Grace.Hopper@Example.gov,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
        )
        assert ingest(data).ok
        p = {x["participant_key"] for x in read_raw(data, "reference/participants")}
        assert p == {hmac_hex(secret.encode(), pid) for pid, *_ in PEOPLE}
        (att,) = read_raw(data, "attendance")
        assert att["email_key"] == hmac_hex(secret.encode(), "grace.hopper@example.gov")
        keys[secret] = (p, att["email_key"])
    (p1, e1), (p2, e2) = keys.values()
    assert p1.isdisjoint(p2) and e1 != e2


def test_landed_summary_counts_from_the_log(ingested_ref, write_csv):
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER + ATT_ROW + "S9,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    write_csv(ingested_ref / "landing/attendance/b.csv", b"")
    ingest(ingested_ref, sources=["attendance"])
    summary = {d["dataset"]: d for d in landed_summary(ingested_ref)}
    assert summary["attendance"] == {
        "dataset": "attendance",
        "files": 1,
        "rejected": 1,
        "loaded": 1,
        "quarantined": 1,
    }
    assert summary["reference/sessions"]["loaded"] == 4
    assert list(summary)[0] == "reference/centers"


# --- duplicate keys across files -----------------------------------------------------------

SURVEY_HEADER = (
    "response_id,cohort_id,grantee_id,participant_id,submitted_at,knowledge_gain,"
    "disseminated,comments\n"
)
TA_HEADER = "request_id,grantee_id,submitted_at,topic,request_type,plan_status,updated_at\n"


def _accounted(report) -> dict[str, tuple[int, int, int]]:
    got = {r.file: (r.rows_read, r.rows_loaded, r.rows_quarantined) for r in report.records}
    assert all(read == loaded + quarantined for read, loaded, quarantined in got.values())
    return got


def test_response_id_conflicting_with_an_earlier_file_of_the_wave_is_quarantined(
    ingested_ref, write_csv
):
    land = ingested_ref / "landing/surveys"
    write_csv(
        land / "midpoint/s1.csv",
        SURVEY_HEADER
        + "M1,K1,G01,P001,2024-03-01T12:00:00,4,yes,call me at 555-123-4567\n"
        + "M5,K1,G02,,2024-03-01T12:00:00,4,yes,\n",
    )
    write_csv(
        land / "midpoint/s2.csv",
        SURVEY_HEADER
        # another R5: conflicts with s1.csv row 2
        + "M5,K1,G02,,2024-03-01T12:00:00,2,no,\n"
        # M1 again, written differently but the same content: a repeated export, it loads
        + "M1,K1,G01, P001 ,2024-03-01T07:00:00-05:00,4,YES,call me at 555-123-4567\n"
        + "M6,K2,G03,,2024-03-02T12:00:00,5,yes,\n",
    )
    # the other wave is another key space: M5 there is a different respondent
    write_csv(land / "six_month/s1.csv", SURVEY_HEADER + "M5,K1,G02,,2024-09-01T12:00:00,3,no,\n")

    report = ingest(ingested_ref, sources=["surveys"])
    assert report.ok
    assert _accounted(report) == {
        "surveys/midpoint/s1.csv": (2, 2, 0),
        "surveys/midpoint/s2.csv": (3, 2, 1),
        "surveys/six_month/s1.csv": (1, 1, 0),
    }
    (q,) = read_quarantine(ingested_ref, "surveys/midpoint")
    assert (q["_file"], q["_row"], q["column"], q["value"]) == (
        "surveys/midpoint/s2.csv",
        1,
        "response_id",
        "M5",
    )
    assert q["reason"] == (
        "duplicate response_id with content different from surveys/midpoint/s1.csv row 2, "
        "loaded earlier (the first row wins)"
    )
    raw = read_raw(ingested_ref, "surveys/midpoint")
    assert [(x["_file"], x["response_id"], x["knowledge_gain"]) for x in raw] == [
        ("surveys/midpoint/s1.csv", "M1", 4),
        ("surveys/midpoint/s1.csv", "M5", 4),
        ("surveys/midpoint/s2.csv", "M1", 4),
        ("surveys/midpoint/s2.csv", "M6", 5),
    ]
    assert [x["response_id"] for x in read_raw(ingested_ref, "surveys/six_month")] == ["M5"]
    assert read_quarantine(ingested_ref, "surveys/six_month") == []


def test_ta_request_change_conflicting_with_an_earlier_export_is_quarantined(
    ingested_ref, write_csv
):
    land = ingested_ref / "landing/ta_requests"
    write_csv(
        land / "a.csv",
        TA_HEADER
        + "R1,G01,2024-01-02T10:00:00,licensing,p2p,initial,2024-01-02T10:00:00\n"
        + "R2,G02,2024-01-03T10:00:00,workforce,p2p,initial,2024-01-03T10:00:00\n",
    )
    assert _accounted(ingest(ingested_ref, sources=["ta_requests"])) == {
        "ta_requests/a.csv": (2, 2, 0)
    }
    # a later export, ingested in a later run
    write_csv(
        land / "b.csv",
        TA_HEADER
        # the same change (request_id + updated_at) with another plan_status: quarantined
        + "R2,G02,2024-01-03T10:00:00,workforce,p2p,final,2024-01-03T10:00:00\n"
        # the same change repeated (enum in another case): loads
        + "R1,G01,2024-01-02T10:00:00,licensing,P2P,Initial,2024-01-02T10:00:00Z\n"
        # a new change of R2 (another updated_at): loads
        + "R2,G02,2024-01-03T10:00:00,workforce,p2p,final,2024-01-09T10:00:00\n",
    )
    assert _accounted(ingest(ingested_ref, sources=["ta_requests"])) == {
        "ta_requests/b.csv": (3, 2, 1)
    }
    (q,) = read_quarantine(ingested_ref, "ta_requests")
    assert (q["_file"], q["_row"], q["column"], q["value"]) == (
        "ta_requests/b.csv",
        1,
        "request_id",
        "R2",
    )
    assert q["reason"] == (
        "duplicate request_id + updated_at with content different from ta_requests/a.csv row 2, "
        "loaded earlier (the first row wins)"
    )
    raw = read_raw(ingested_ref, "ta_requests")
    assert [(x["_file"], x["request_id"], x["plan_status"]) for x in raw] == [
        ("ta_requests/a.csv", "R1", "initial"),
        ("ta_requests/a.csv", "R2", "initial"),
        ("ta_requests/b.csv", "R1", "initial"),
        ("ta_requests/b.csv", "R2", "final"),
    ]
