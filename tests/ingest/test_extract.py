"""One test per rule of the input contract: bad rows, bad files, and what is tolerated.

Every test ingests real CSV files from ``tmp_path`` and reads the raw zone, quarantine and
ingest log back with DuckDB.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from plcqi.ingest.pseudonymize import hmac_hex
from plcqi.ingest.run import ingest
from tests.helpers import (
    PEOPLE,
    TEST_SECRET,
    names_in,
    raw_files,
    read_log_records,
    write_reference,
)

TA_HEADER = (
    "request_id,grantee_id,submitted_at,topic,request_type,center_id,source_opportunity_id,"
    "plan_status,updated_at\n"
)
ATT_HEADER = "session_id,participant_id,email,join_time,leave_time\n"
POLL_HEADER = "session_id,poll_id,question_id,question_text,scale,participant_id,response_value\n"
SURVEY_HEADER = (
    "response_id,cohort_id,grantee_id,participant_id,submitted_at,knowledge_gain,relevance,"
    "disseminated,barriers,comments\n"
)


def only_record(report, file: str):
    """The log record of ``file`` in ``report``; checks the row accounting."""
    matches = [r for r in report.records if r.file == file]
    assert len(matches) == 1, [r.file for r in report.records]
    r = matches[0]
    assert r.rows_read == r.rows_loaded + r.rows_quarantined
    return r


def check_quarantine(rows, file, row, column, *words):
    """Exactly one quarantine record, for (file, row, column), its reason naming ``words``."""
    hits = [q for q in rows if q["_row"] == row]
    assert len(hits) == 1, hits
    q = hits[0]
    assert q["_file"] == file
    assert q["column"] == column
    reason = q["reason"]
    # plain English: words, spaces, no SQL or Python noise
    assert " " in reason and "Error" not in reason and "None" not in reason, reason
    for w in words:
        assert w in reason, (w, reason)
    return q


def loaded_rows(read_raw, data_dir, dataset):
    return [r["_row"] for r in read_raw(data_dir, dataset)]


# --- bad rows ----------------------------------------------------------------------------


def test_unknown_grantee_id_in_ta_requests_is_quarantined(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/ta_requests/export.csv",
        TA_HEADER
        + "R1,G01,2024-01-02T10:00:00,licensing,brief_tailored,C1,O1,initial,2024-01-02T10:00:00\n"
        + "R2,G99,2024-01-03T10:00:00,workforce,p2p,,,initial,2024-01-03T10:00:00\n"
        + "R3,G02,2024-01-04T10:00:00,workforce,universal,C2,,final,2024-01-05T10:00:00\n",
    )
    report = ingest(ingested_ref, sources=["ta_requests"])
    r = only_record(report, "ta_requests/export.csv")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 3, 2, 1)
    q = check_quarantine(
        read_quarantine(ingested_ref, "ta_requests"),
        "ta_requests/export.csv",
        2,
        "grantee_id",
        "unknown grantee_id",
        "G99",
        "reference/grantees",
    )
    assert q["value"] == "G99"
    raw = read_raw(ingested_ref, "ta_requests")
    assert [(x["request_id"], x["_row"]) for x in raw] == [("R1", 1), ("R3", 3)]
    assert raw[0]["submitted_at"] == datetime(2024, 1, 2, 10, 0)


def test_unknown_session_id_in_attendance_is_quarantined(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/attendance/zoom.csv",
        ATT_HEADER
        + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + "S1,P002,,2024-01-15T14:05:00,2024-01-15T15:00:00\n"
        + "S9,P003,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    report = ingest(ingested_ref, sources=["attendance"])
    r = only_record(report, "attendance/zoom.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3, 2, 1)
    q = check_quarantine(
        read_quarantine(ingested_ref, "attendance"),
        "attendance/zoom.csv",
        3,
        "session_id",
        "unknown session_id",
        "S9",
        "reference/sessions",
    )
    assert q["value"] == "S9"
    assert loaded_rows(read_raw, ingested_ref, "attendance") == [1, 2]


def test_unknown_cohort_id_in_survey_is_quarantined(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/surveys/midpoint/wave1.csv",
        SURVEY_HEADER
        + "M1,K1,G01,P001,2024-03-01T12:00:00,4,5,yes,time;cost,useful\n"
        + "M2,K7,G02,,2024-03-01T12:00:00,3,3,no,,\n"
        + "M3,K2,G03,,2024-03-02T12:00:00,5,4,yes,Turnover,\n",
    )
    report = ingest(ingested_ref, sources=["surveys"])
    r = only_record(report, "surveys/midpoint/wave1.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3, 2, 1)
    check_quarantine(
        read_quarantine(ingested_ref, "surveys/midpoint"),
        "surveys/midpoint/wave1.csv",
        2,
        "cohort_id",
        "unknown cohort_id",
        "K7",
        "reference/cohorts",
    )
    raw = read_raw(ingested_ref, "surveys/midpoint")
    assert [(x["response_id"], x["barriers"]) for x in raw] == [
        ("M1", "time;cost"),
        ("M3", "turnover"),
    ]
    assert read_raw(ingested_ref, "surveys/six_month") == []


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("2024/01/15 14:00", ["2024/01/15 14:00", "not an ISO 8601 datetime"]),
        ("2024-02-30T10:00:00", ["2024-02-30T10:00:00", "not an ISO 8601 datetime"]),
        ("yesterday", ["yesterday", "datetime"]),
    ],
)
def test_unparseable_datetime_is_quarantined(
    ingested_ref, write_csv, read_raw, read_quarantine, bad, words
):
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER
        + f"S1,P001,,{bad},2024-01-15T15:00:00\n"
        + "S1,P002,,2024-01-15T14:05:00,2024-01-15T15:00:00\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/a.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (2, 1, 1)
    q = check_quarantine(
        read_quarantine(ingested_ref, "attendance"), "attendance/a.csv", 1, "join_time", *words
    )
    assert q["value"] == bad
    assert loaded_rows(read_raw, ingested_ref, "attendance") == [2]


def test_unparseable_date_is_quarantined(ref_dir, read_raw, read_quarantine):
    write_reference(
        ref_dir,
        enrollments="cohort_id,grantee_id,invited_on,registered_on,intake_completed\n"
        "K1,G01,2023-12-01,2023-12-10,yes\n"
        "K1,G02,12/01/2023,,no\n"
        "K2,G03,2024-02-01,2024-13-10,1\n"
        "K2,G04,2024-02-01,,\n",
    )
    r = only_record(ingest(ref_dir, sources=["reference"]), "reference/enrollments.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (4, 2, 2)
    rows = read_quarantine(ref_dir, "reference/enrollments")
    check_quarantine(
        rows,
        "reference/enrollments.csv",
        2,
        "invited_on",
        "12/01/2023",
        "is not a date",
        "YYYY-MM-DD",
    )
    check_quarantine(
        rows, "reference/enrollments.csv", 3, "registered_on", "2024-13-10", "is not a date"
    )
    raw = read_raw(ref_dir, "reference/enrollments")
    assert [(x["_row"], x["invited_on"], x["intake_completed"]) for x in raw] == [
        (1, date(2023, 12, 1), True),
        (4, date(2024, 2, 1), None),
    ]


def test_leave_time_before_join_time_is_quarantined(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER
        + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + "S1,P002,,2024-01-15T15:00:00,2024-01-15T14:00:00\n"
        + "S1,P003,,2024-01-15T14:00:00,2024-01-15T14:00:00\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/a.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3, 2, 1)
    check_quarantine(
        read_quarantine(ingested_ref, "attendance"),
        "attendance/a.csv",
        2,
        "leave_time",
        "leave_time is before join_time",
    )
    assert loaded_rows(read_raw, ingested_ref, "attendance") == [1, 3]


def test_likert_outside_1_to_5_in_survey_is_quarantined(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/surveys/six_month/w.csv",
        SURVEY_HEADER
        + "X1,K1,G01,,2024-09-01T12:00:00,7,5,yes,,\n"
        + "X2,K1,G02,,2024-09-01T12:00:00,1,5,no,,\n"
        + "X3,K1,G03,,2024-09-01T12:00:00,5,0,no,,\n"
        + "X4,K1,G04,,2024-09-01T12:00:00,,3.5,no,,\n"
        + "X5,K1,G04,,2024-09-01T12:00:00,,,no,,\n",
    )
    r = only_record(ingest(ingested_ref, sources=["surveys"]), "surveys/six_month/w.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (5, 2, 3)
    rows = read_quarantine(ingested_ref, "surveys/six_month")
    check_quarantine(
        rows,
        "surveys/six_month/w.csv",
        1,
        "knowledge_gain",
        "7",
        "outside the allowed range 1 to 5",
    )
    check_quarantine(
        rows, "surveys/six_month/w.csv", 3, "relevance", "0", "outside the allowed range 1 to 5"
    )
    check_quarantine(rows, "surveys/six_month/w.csv", 4, "relevance", "3.5", "not a whole number")
    raw = read_raw(ingested_ref, "surveys/six_month")
    # an empty item is item non-response: the row loads with a null
    assert [(x["response_id"], x["knowledge_gain"], x["relevance"]) for x in raw] == [
        ("X2", 1, 5),
        ("X5", None, None),
    ]


def test_likert5_poll_value_outside_1_to_5_is_quarantined(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/polls/p.csv",
        POLL_HEADER
        + "S1,poll1,q1,How useful?,likert5,P001,4\n"
        + "S1,poll1,q1,How useful?,likert5,P002,6\n"
        + "S1,poll1,q1,How useful?,Likert5,,0\n"
        + "S1,poll1,q2,Attend again?,yes_no,P001,yes\n"
        + "S1,poll1,q1,How useful?,likert5,P003,\n",
    )
    r = only_record(ingest(ingested_ref, sources=["polls"]), "polls/p.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (5, 3, 2)
    rows = read_quarantine(ingested_ref, "polls")
    for row, value in ((2, "6"), (3, "0")):
        q = check_quarantine(rows, "polls/p.csv", row, "response_value", "likert5", "integer 1-5")
        assert q["value"] == value
    raw = read_raw(ingested_ref, "polls")
    assert [(x["_row"], x["scale"], x["response_value"]) for x in raw] == [
        (1, "likert5", "4"),
        (4, "yes_no", "yes"),
        (5, "likert5", None),
    ]


def test_likert5_poll_value_with_a_fraction_is_quarantined(ingested_ref, write_csv):
    write_csv(ingested_ref / "landing/polls/p.csv", POLL_HEADER + "S1,poll1,q1,,likert5,,4.5\n")
    r = only_record(ingest(ingested_ref, sources=["polls"]), "polls/p.csv")
    assert (r.rows_loaded, r.rows_quarantined) == (0, 1)


def test_unknown_enum_value_is_quarantined(ingested_ref, write_csv, read_raw, read_quarantine):
    write_csv(
        ingested_ref / "landing/ta_requests/t.csv",
        TA_HEADER
        + "R1,G01,2024-01-02T10:00:00,licensing,phone_call,,,initial,2024-01-02T10:00:00\n"
        + "R2,G02,2024-01-02T10:00:00,licensing,P2P,,,INITIAL,2024-01-02T10:00:00\n"
        + "R3,G03,2024-01-02T10:00:00,licensing,p2p,,,pending,2024-01-02T10:00:00\n",
    )
    r = only_record(ingest(ingested_ref, sources=["ta_requests"]), "ta_requests/t.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3, 1, 2)
    rows = read_quarantine(ingested_ref, "ta_requests")
    check_quarantine(
        rows,
        "ta_requests/t.csv",
        1,
        "request_type",
        "'phone_call'",
        "not an allowed value",
        "brief_tailored",
        "p2p",
    )
    q = check_quarantine(
        rows,
        "ta_requests/t.csv",
        3,
        "plan_status",
        "'pending'",
        "not an allowed value",
        "withdrawn",
    )
    assert q["value"] == "pending"
    # enum values match in any case and are stored in the contract's spelling
    raw = read_raw(ingested_ref, "ta_requests")
    assert [(x["request_id"], x["request_type"], x["plan_status"]) for x in raw] == [
        ("R2", "p2p", "initial")
    ]


def test_duplicate_key_with_conflicting_content_keeps_first_row(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/ta_requests/t.csv",
        TA_HEADER
        + "R1,G01,2024-01-02T10:00:00,licensing,p2p,,,initial,2024-01-02T10:00:00\n"
        + "R1,G01,2024-01-02T10:00:00,licensing,p2p,,,final,2024-01-09T10:00:00\n"
        + "R1,G01,2024-01-02T10:00:00,licensing,p2p,,,closed,2024-01-02T10:00:00\n",
    )
    r = only_record(ingest(ingested_ref, sources=["ta_requests"]), "ta_requests/t.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3, 2, 1)
    q = check_quarantine(
        read_quarantine(ingested_ref, "ta_requests"),
        "ta_requests/t.csv",
        3,
        "request_id",
        "duplicate",
        "request_id",
        "updated_at",
        "different from row 1",
        "first row wins",
    )
    assert q["value"] == "R1"
    raw = read_raw(ingested_ref, "ta_requests")
    assert [(x["_row"], x["plan_status"]) for x in raw] == [(1, "initial"), (2, "final")]


def test_duplicate_survey_response_id_names_the_first_row(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/surveys/midpoint/w.csv",
        SURVEY_HEADER
        + "M1,K1,G01,,2024-03-01T12:00:00,4,5,yes,,\n"
        + "M2,K1,G02,,2024-03-01T12:00:00,4,5,yes,,\n"
        + "M1,K1,G01,,2024-03-01T12:00:00,2,5,yes,,\n",
    )
    r = only_record(ingest(ingested_ref, sources=["surveys"]), "surveys/midpoint/w.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3, 2, 1)
    check_quarantine(
        read_quarantine(ingested_ref, "surveys/midpoint"),
        "surveys/midpoint/w.csv",
        3,
        "response_id",
        "duplicate response_id",
        "row 1",
    )
    raw = read_raw(ingested_ref, "surveys/midpoint")
    assert [(x["response_id"], x["knowledge_gain"]) for x in raw] == [("M1", 4), ("M2", 4)]


def test_exact_duplicate_rows_both_load(ingested_ref, write_csv, read_raw):
    line = "R1,G01,2024-01-02T10:00:00,licensing,p2p,,,initial,2024-01-02T10:00:00\n"
    write_csv(ingested_ref / "landing/ta_requests/t.csv", TA_HEADER + line + line)
    r = only_record(ingest(ingested_ref, sources=["ta_requests"]), "ta_requests/t.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined, r.quarantine_file) == (2, 2, 0, None)
    raw = read_raw(ingested_ref, "ta_requests")
    assert [(x["request_id"], x["_row"]) for x in raw] == [("R1", 1), ("R1", 2)]
    assert not (ingested_ref / "quarantine" / "ta_requests").exists()


def test_row_breaking_two_rules_counts_once(ingested_ref, write_csv, read_quarantine):
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER
        + "S9,P001,,2024-01-15T15:00:00,2024-01-15T14:00:00\n"
        + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/a.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (2, 1, 1)
    rows = read_quarantine(ingested_ref, "attendance")
    assert sorted((q["_row"], q["column"]) for q in rows) == [(1, "leave_time"), (1, "session_id")]


def test_row_numbers_count_records_not_lines(ingested_ref, write_csv, read_raw, read_quarantine):
    write_csv(
        ingested_ref / "landing/surveys/midpoint/w.csv",
        SURVEY_HEADER
        + 'M1,K1,G01,,2024-03-01T12:00:00,4,5,yes,,"two\nlines"\n'
        + "M2,K9,G02,,2024-03-01T12:00:00,4,5,yes,,\n",
    )
    r = only_record(ingest(ingested_ref, sources=["surveys"]), "surveys/midpoint/w.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (2, 1, 1)
    check_quarantine(
        read_quarantine(ingested_ref, "surveys/midpoint"),
        "surveys/midpoint/w.csv",
        2,
        "cohort_id",
        "K9",
    )
    assert [x["comments"] for x in read_raw(ingested_ref, "surveys/midpoint")] == ["two\nlines"]


# --- whole files -------------------------------------------------------------------------


def test_missing_required_column_rejects_the_file_and_others_still_load(
    ingested_ref, write_csv, read_raw
):
    write_csv(
        ingested_ref / "landing/attendance/bad.csv",
        "session_id,participant_id,leave_time\nS1,P001,2024-01-15T15:00:00\n",
    )
    write_csv(
        ingested_ref / "landing/attendance/good.csv",
        ATT_HEADER + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    report = ingest(ingested_ref, sources=["attendance"])
    assert not report.ok
    bad = only_record(report, "attendance/bad.csv")
    assert bad.status == "rejected"
    assert "attendance/bad.csv" in bad.message
    assert "missing required column join_time" in bad.message
    assert (bad.rows_read, bad.rows_loaded, bad.raw_file) == (0, 0, None)
    good = only_record(report, "attendance/good.csv")
    assert (good.status, good.rows_loaded) == ("loaded", 1)
    assert [x["_file"] for x in read_raw(ingested_ref, "attendance")] == ["attendance/good.csv"]
    assert [p.name.split("__")[1][:16] for p in raw_files(ingested_ref, "attendance")] == [
        good.file_hash[:16]
    ]
    logged = {x["file"]: x["status"] for x in read_log_records(ingested_ref, "attendance")}
    assert logged == {"attendance/bad.csv": "rejected", "attendance/good.csv": "loaded"}


def test_file_not_utf8_is_rejected(ingested_ref, write_csv, read_raw):
    text = "center_id,center_name,funding_office\nC1,Centre de la Qualité,OCC\n"
    write_csv(ingested_ref / "landing/reference/centers.csv", text.encode("latin-1"))
    report = ingest(ingested_ref, sources=["reference"])
    r = only_record(report, "reference/centers.csv")
    assert r.status == "rejected"
    assert "reference/centers.csv" in r.message and "not UTF-8" in r.message
    assert [r.file for r in report.rejected] == ["reference/centers.csv"]
    # the previous snapshot stays the current one
    assert [x["center_id"] for x in read_raw(ingested_ref, "reference/centers")] == ["C1", "C2"]


def test_empty_file_is_rejected(ingested_ref, write_csv):
    write_csv(ingested_ref / "landing/polls/empty.csv", b"")
    r = only_record(ingest(ingested_ref, sources=["polls"]), "polls/empty.csv")
    assert r.status == "rejected"
    assert "polls/empty.csv" in r.message and "empty" in r.message


def test_header_only_file_loads_zero_rows(ingested_ref, write_csv, read_raw):
    write_csv(ingested_ref / "landing/polls/none.csv", POLL_HEADER)
    r = only_record(ingest(ingested_ref, sources=["polls"]), "polls/none.csv")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 0, 0, 0)
    assert (ingested_ref / r.raw_file).exists()
    assert r.quarantine_file is None
    assert read_raw(ingested_ref, "polls") == []


def test_ragged_rows_are_quarantined_with_their_row_number(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER
        + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + "S1,P002,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + "S1,P003,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + "S1,P004,,2024-01-15T14:00:00,2024-01-15T15:00:00,extra\n"
        + "S2,P001,,2024-02-15T19:00:00,2024-02-15T20:00:00\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/a.csv")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 5, 3, 2)
    rows = read_quarantine(ingested_ref, "attendance")
    check_quarantine(rows, "attendance/a.csv", 2, None, "4 fields", "header has 5")
    check_quarantine(rows, "attendance/a.csv", 4, None, "6 fields", "header has 5")
    assert loaded_rows(read_raw, ingested_ref, "attendance") == [1, 3, 5]


# --- format tolerance --------------------------------------------------------------------


def test_utf8_bom_is_dropped(ingested_ref, write_csv, read_raw):
    write_csv(
        ingested_ref / "landing/attendance/bom.csv",
        b"\xef\xbb\xbf"
        + (ATT_HEADER + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n").encode(),
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/bom.csv")
    assert (r.status, r.rows_loaded, r.unexpected_columns) == ("loaded", 1, [])
    assert [x["session_id"] for x in read_raw(ingested_ref, "attendance")] == ["S1"]


def test_crlf_line_endings(ingested_ref, write_csv, read_raw):
    text = (
        ATT_HEADER
        + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + "S1,P002,,2024-01-15T14:10:00,2024-01-15T15:00:00\n"
    ).replace("\n", "\r\n")
    write_csv(ingested_ref / "landing/attendance/crlf.csv", text)
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/crlf.csv")
    assert (r.rows_read, r.rows_loaded) == (2, 2)
    raw = read_raw(ingested_ref, "attendance")
    assert [x["leave_time"] for x in raw] == [datetime(2024, 1, 15, 15, 0)] * 2
    assert raw[1]["join_time"] == datetime(2024, 1, 15, 14, 10)


def test_headers_in_any_case_padding_and_order(ingested_ref, write_csv, read_raw):
    write_csv(
        ingested_ref / "landing/attendance/h.csv",
        " LEAVE_TIME , Join_Time,Session_ID ,  participant_id\n"
        "2024-01-15T15:00:00,2024-01-15T14:00:00, S1 , P001\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/h.csv")
    assert (r.status, r.rows_loaded, r.unexpected_columns) == ("loaded", 1, [])
    (row,) = read_raw(ingested_ref, "attendance")
    assert row["session_id"] == "S1"
    assert row["join_time"] == datetime(2024, 1, 15, 14, 0)
    assert row["leave_time"] == datetime(2024, 1, 15, 15, 0)
    assert row["email_key"] is None
    assert row["participant_key"] == hmac_hex(TEST_SECRET.encode(), "P001")


def test_booleans_in_every_accepted_spelling(ref_dir, read_raw, read_quarantine):
    spellings = [("TRUE", "false"), ("Yes", "NO"), ("1", "0"), ("y", "N"), ("maybe", "")]
    lines = "".join(
        f"P00{i},G01,Person {i},p{i}@example.org,,,{lead},{contractor}\n"
        for i, (lead, contractor) in enumerate(spellings, start=1)
    )
    write_reference(
        ref_dir,
        participants="participant_id,grantee_id,full_name,email,organization,role_title,"
        "is_lead_agency,is_contractor\n" + lines,
    )
    r = only_record(ingest(ref_dir, sources=["reference"]), "reference/participants.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (5, 4, 1)
    check_quarantine(
        read_quarantine(ref_dir, "reference/participants"),
        "reference/participants.csv",
        5,
        "is_lead_agency",
        "is not a boolean",
    )
    raw = read_raw(ref_dir, "reference/participants")
    assert [(x["is_lead_agency"], x["is_contractor"]) for x in raw] == [(True, False)] * 4


def test_datetimes_with_and_without_offset_are_stored_in_utc(ingested_ref, write_csv, read_raw):
    write_csv(
        ingested_ref / "landing/attendance/tz.csv",
        ATT_HEADER
        + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00Z\n"
        + "S1,P002,,2024-01-15T09:00:00-05:00,2024-01-15T16:30:00+01:00\n"
        + "S1,P003,,2024-01-15 14:00,2024-01-15T14:59:59.250000\n"
        + "S1,P004,,2024-01-16T01:30:00+11:30,2024-01-15T14:45:00+0000\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/tz.csv")
    assert (r.rows_loaded, r.rows_quarantined) == (4, 0)
    raw = read_raw(ingested_ref, "attendance")
    assert [(x["join_time"], x["leave_time"]) for x in raw] == [
        (datetime(2024, 1, 15, 14, 0), datetime(2024, 1, 15, 15, 0)),
        (datetime(2024, 1, 15, 14, 0), datetime(2024, 1, 15, 15, 30)),
        (datetime(2024, 1, 15, 14, 0), datetime(2024, 1, 15, 14, 59, 59, 250000)),
        (datetime(2024, 1, 15, 14, 0), datetime(2024, 1, 15, 14, 45)),
    ]


def test_reference_datetime_offset_converted(ingested_ref, read_raw):
    raw = {x["session_id"]: x for x in read_raw(ingested_ref, "reference/sessions")}
    assert raw["S2"]["scheduled_start"] == datetime(2024, 2, 15, 19, 0)
    assert raw["S4"]["scheduled_start"] == datetime(2024, 3, 1, 15, 0)
    assert raw["S3"]["status"] == "cancelled"


def test_extra_columns_are_reported_and_not_loaded(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    write_csv(
        ingested_ref / "landing/attendance/x.csv",
        "session_id,participant_id,join_time,leave_time, Device ,_file,Attendee\n"
        "S1,P001,2024-01-15T14:00:00,2024-01-15T15:00:00,iPad,zoom.csv,Ada Lovelace\n"
        "S1,P002,2024-01-15T14:00:00,2024-01-15T15:00:00,,zoom.csv,Grace Hopper\n"
        "S9,P003,2024-01-15T14:00:00,2024-01-15T15:00:00,,zoom.csv,Katherine Johnson\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/x.csv")
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", 2, 1)
    assert r.unexpected_columns == ["device", "_file", "attendee"]
    assert "unexpected column" in r.message and "device" in r.message
    (logged,) = read_log_records(ingested_ref, "attendance")
    assert logged["unexpected_columns"] == ["device", "_file", "attendee"]
    raw = read_raw(ingested_ref, "attendance")
    assert set(raw[0]) == {
        "session_id",
        "participant_key",
        "email_key",
        "join_time",
        "leave_time",
        "_file",
        "_row",
        "_file_hash",
        "_loaded_at",
    }
    assert [x["_file"] for x in raw] == ["attendance/x.csv"] * 2
    (q,) = read_quarantine(ingested_ref, "attendance")
    assert q["_row"] == 3
    stored = json.dumps([raw, q], default=str)
    assert "iPad" not in stored and "Katherine" not in stored and "zoom.csv" not in stored
    assert set(json.loads(q["row_json"])) == {
        "session_id",
        "participant_id",
        "email",
        "join_time",
        "leave_time",
    }


# --- people ------------------------------------------------------------------------------


def test_id_known_email_unknown_loads_email_only_unknown_is_quarantined(
    ingested_ref, write_csv, read_raw, read_quarantine, pii_secret
):
    key = pii_secret.encode()
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER
        + "S1,P001,someone.else@example.org,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + "S1,,stranger@example.org,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + "S1,,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/a.csv")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3, 1, 2)
    rows = read_quarantine(ingested_ref, "attendance")
    q = check_quarantine(rows, "attendance/a.csv", 2, "email", "unknown email", "no participant")
    assert q["value"] == hmac_hex(key, "stranger@example.org")
    assert "stranger" not in q["reason"] + q["row_json"]
    check_quarantine(
        rows, "attendance/a.csv", 3, "participant_id", "neither participant_id nor email"
    )
    (row,) = read_raw(ingested_ref, "attendance")
    assert row["participant_key"] == hmac_hex(key, "P001")
    assert row["email_key"] == hmac_hex(key, "someone.else@example.org")


def test_unknown_participant_id_is_quarantined_without_the_id(
    ingested_ref, write_csv, read_quarantine, pii_secret
):
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER + "S1,PX-4711,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/a.csv")
    assert (r.rows_loaded, r.rows_quarantined) == (0, 1)
    (q,) = read_quarantine(ingested_ref, "attendance")
    assert (q["_row"], q["column"]) == (1, "participant_id")
    assert "unknown participant_id" in q["reason"] and "reference/participants" in q["reason"]
    assert q["value"] == hmac_hex(pii_secret.encode(), "PX-4711")
    assert "PX-4711" not in q["reason"] + q["row_json"] + q["value"]


def test_email_only_attendance_matches_any_case(ingested_ref, write_csv, read_raw, pii_secret):
    key = pii_secret.encode()
    ada, dorothy = PEOPLE[0][3], PEOPLE[3][3]
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER
        + f"S1,, {ada.upper()} ,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
        + f"S1,,{dorothy.lower()},2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    r = only_record(ingest(ingested_ref, sources=["attendance"]), "attendance/a.csv")
    assert (r.rows_loaded, r.rows_quarantined) == (2, 0)
    raw = read_raw(ingested_ref, "attendance")
    assert [x["email_key"] for x in raw] == [
        hmac_hex(key, "ada.lovelace@example.org"),
        hmac_hex(key, "dorothy.vaughan@example.com"),
    ]
    assert [x["participant_key"] for x in raw] == [None, None]
    participants = {
        x["participant_key"]: x for x in read_raw(ingested_ref, "reference/participants")
    }
    assert participants[hmac_hex(key, "P004")]["email_key"] == raw[1]["email_key"]


def test_free_text_loses_emails_and_phone_numbers(ingested_ref, write_csv, read_raw):
    write_csv(
        ingested_ref / "landing/surveys/six_month/s.csv",
        SURVEY_HEADER + "R1,K1,G01,,2024-06-01T10:00:00,4,5,yes,time,"
        '"Great, write me at Pat.Lee@agency.gov or call (555) 123-4567"\n',
    )
    report = ingest(ingested_ref, sources=["surveys"])
    assert report.ok
    (survey,) = read_raw(ingested_ref, "surveys/six_month")
    assert survey["comments"] == "Great, write me at [email removed] or call [phone removed]"


def test_names_of_known_participants_are_removed_from_free_text(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    names = [name for _, _, name, _ in PEOPLE]
    write_csv(
        ingested_ref / "landing/surveys/midpoint/w.csv",
        SURVEY_HEADER
        + 'M1,K1,G01,,2024-03-01T12:00:00,4,5,yes,,"Thanks to ADA LOVELACE and Hopper,Grace!"\n'
        + "M2,K1,G02,,2024-03-01T12:00:00,4,5,yes,,Katherine  Johnson's talk; Dorothy was great\n"
        + 'M3,K9,G03,,2024-03-01T12:00:00,4,5,yes,,"Ask Dorothy Vaughan, or Lovelace, Ada"\n'
        + "M4,K1,G04,,2024-03-01T12:00:00,4,5,yes,,Adalovelace and Ada Lovelaces are not names\n",
    )
    r = only_record(ingest(ingested_ref, sources=["surveys"]), "surveys/midpoint/w.csv")
    assert (r.rows_loaded, r.rows_quarantined) == (3, 1)
    raw = read_raw(ingested_ref, "surveys/midpoint")
    assert [x["comments"] for x in raw] == [
        "Thanks to [name removed] and [name removed]!",
        "[name removed]'s talk; Dorothy was great",  # a first name alone is no full name
        "Adalovelace and Ada Lovelaces are not names",  # whole words only
    ]
    (q,) = read_quarantine(ingested_ref, "surveys/midpoint")
    assert json.loads(q["row_json"])["comments"] == "Ask [name removed], or [name removed]"
    assert names_in(json.dumps([raw, q], default=str), names) == []


def test_names_in_a_name_column_of_the_file_are_removed_from_its_free_text(
    ingested_ref, write_csv, read_raw
):
    # the names of rows set aside before the checks (too long a cell, the wrong width) count
    write_csv(
        ingested_ref / "landing/surveys/midpoint/w.csv",
        "response_id,cohort_id,grantee_id,submitted_at,comments,Respondent Name\n"
        'M1,K1,G01,2024-03-01T12:00:00,"Mary Jackson, Annie Easley and Christine Darden",'
        "Mary Jackson\n"
        f"M2,K1,G02,2024-03-01T12:00:00,{'z' * 40_000},Annie Easley\n"
        "M3,K1,G03,2024-03-01T12:00:00,hi,Christine Darden,surplus\n",
    )
    r = only_record(ingest(ingested_ref, sources=["surveys"]), "surveys/midpoint/w.csv")
    assert r.unexpected_columns == ["respondent name"]
    assert (r.rows_loaded, r.rows_quarantined) == (1, 2)
    (row,) = read_raw(ingested_ref, "surveys/midpoint")
    assert row["comments"] == "[name removed], [name removed] and [name removed]"


def test_ids_must_be_1_to_64_safe_characters(ref_dir, read_raw, read_quarantine):
    good = ["index.html", "a_b-C.9", "x" * 64]
    bad = ["../x", ".hidden", "x" * 65, "two words", "C1/x", "Zoë"]
    write_reference(
        ref_dir,
        centers="center_id,center_name,funding_office\nC1,Center,OCC\nC2,Other,OHS\n"
        + "".join(f'"{i}",Odd center,OCC\n' for i in good + bad),
    )
    r = only_record(ingest(ref_dir, sources=["reference"]), "reference/centers.csv")
    assert (r.rows_loaded, r.rows_quarantined) == (5, 6)
    loaded = [x["center_id"] for x in read_raw(ref_dir, "reference/centers")]
    assert loaded == ["C1", "C2", *good]
    rows = read_quarantine(ref_dir, "reference/centers")
    for row, center_id in enumerate(bad, start=6):
        q = check_quarantine(
            rows,
            "reference/centers.csv",
            row,
            "center_id",
            f"'{center_id}' is not a valid id",
            "1-64 characters",
            "not starting with '.'",
        )
        assert q["value"] == center_id


def test_a_bad_reference_id_has_one_reason_and_a_bad_participant_id_is_not_repeated(
    ingested_ref, write_csv, read_quarantine, pii_secret
):
    write_csv(
        ingested_ref / "landing/ta_requests/t.csv",
        TA_HEADER + "R1,G01,2024-01-02T10:00:00,licensing,p2p,../x,,initial,2024-01-02T10:00:00\n",
    )
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER + "S1,P 001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    report = ingest(ingested_ref, sources=["ta_requests", "attendance"])
    (q,) = read_quarantine(ingested_ref, "ta_requests")  # not "unknown center_id" as well
    assert (q["_row"], q["column"], q["reason"]) == (
        1,
        "center_id",
        "'../x' is not a valid id (an id is 1-64 characters of A-Z a-z 0-9 . _ -, "
        "not starting with '.')",
    )
    (q,) = read_quarantine(ingested_ref, "attendance")
    assert q["column"] == "participant_id" and "not a valid id" in q["reason"]
    assert "P 001" not in q["reason"] + q["row_json"] + q["value"]
    assert q["value"] == hmac_hex(pii_secret.encode(), "P 001")
    assert report.ok


def test_implausible_dates_are_quarantined(ingested_ref, write_csv, read_raw, read_quarantine):
    soon = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    write_csv(
        ingested_ref / "landing/attendance/a.csv",
        ATT_HEADER
        + "S1,P001,,2024-01-15T14:00:00,9999-12-31T15:00:00\n"  # 1
        + "S1,P001,,1999-12-31T23:59:59,2000-01-01T00:30:00\n"  # 2
        + "S1,P001,,2024-01-15T14:00:00,2024-01-16T14:00:01\n"  # 3: 24 h and 1 s
        + "S1,P001,,2024-01-15T14:00:00,2024-01-16T14:00:00\n"  # 4: 24 h, loads
        + f"S1,P001,,{soon},{soon}\n"  # 5: within a day of now, loads
        + f"S1,P001,,{later},{later}\n"  # 6
        + "S1,P001,,2099-12-31T22:00:00,2099-12-31T23:00:00\n",  # 7: in range, but ahead
    )
    write_csv(
        ingested_ref / "landing/ta_requests/t.csv",
        TA_HEADER
        + "R1,G01,2024-01-02T10:00:00,licensing,p2p,,,initial,2100-01-01T00:00:00\n"
        + "R2,G01,0001-01-01T10:00:00,licensing,p2p,,,initial,2024-01-02T10:00:00\n",
    )
    report = ingest(ingested_ref, sources=["attendance", "ta_requests"])
    r = only_record(report, "attendance/a.csv")
    assert (r.rows_loaded, r.rows_quarantined) == (2, 5)
    assert loaded_rows(read_raw, ingested_ref, "attendance") == [4, 5]
    rows = read_quarantine(ingested_ref, "attendance")
    reasons: dict[tuple, list[str]] = {}
    for q in rows:
        reasons.setdefault((q["_row"], q["column"]), []).append(q["reason"])
    out_of_range = "is implausible: a date before 2000-01-01 or after 2099-12-31"
    longer = (
        "implausible: the attendance interval from join_time to leave_time is longer than 24 hours"
    )
    assert sorted(reasons[(1, "leave_time")]) == [f"'9999-12-31T15:00:00' {out_of_range}", longer]
    assert reasons[(2, "join_time")] == [f"'1999-12-31T23:59:59' {out_of_range}"]
    assert reasons[(3, "leave_time")] == [longer]
    ahead = "is implausible: more than one day after the ingestion time ("
    assert reasons[(6, "join_time")] == [
        f"'{later}' {ahead}{r.loaded_at[:10]} {r.loaded_at[11:16]} UTC)"
    ]
    assert reasons[(7, "leave_time")][0].startswith(f"'2099-12-31T23:00:00' {ahead}")
    assert {k[0] for k in reasons} == {1, 2, 3, 6, 7}
    quarantined = {
        (q["_row"], q["column"]): q["reason"] for q in read_quarantine(ingested_ref, "ta_requests")
    }
    assert set(quarantined) == {(1, "updated_at"), (2, "submitted_at")}
    assert "implausible" in quarantined[(1, "updated_at")]
    assert "implausible" in quarantined[(2, "submitted_at")]


def test_scheduled_sessions_and_planned_dates_may_lie_ahead(ref_dir, read_raw, read_quarantine):
    write_reference(
        ref_dir,
        sessions="session_id,cohort_id,session_number,session_type,title,scheduled_start,"
        "duration_minutes,status\nS1,K1,1,kickoff,Kickoff,2098-01-15T14:00:00,90,scheduled\n"
        "S2,K1,2,webinar,Far,2100-01-15T14:00:00,60,scheduled\n",
        enrollments="cohort_id,grantee_id,invited_on,registered_on,intake_completed\n"
        "K1,G01,1999-12-31,2000-01-01,yes\n",
    )
    report = ingest(ref_dir, sources=["reference"])
    sessions = only_record(report, "reference/sessions.csv")
    assert (sessions.rows_loaded, sessions.rows_quarantined) == (1, 1)
    enrollments = only_record(report, "reference/enrollments.csv")
    assert (enrollments.rows_loaded, enrollments.rows_quarantined) == (0, 1)
    (q,) = read_quarantine(ref_dir, "reference/enrollments")
    assert (q["column"], q["reason"]) == (
        "invited_on",
        "'1999-12-31' is implausible: a date before 2000-01-01 or after 2099-12-31",
    )


def test_control_characters_are_removed_and_counted(ingested_ref, write_csv, read_raw):
    write_csv(
        ingested_ref / "landing/polls/p.csv",
        POLL_HEADER
        + "S1,poll1,q1,How\x07 useful\x00 was it?\x1b,likert5,P001,4\n"
        + 'S1,poll1,q1,"Tabs\tand\nnew lines\x7f stay\ufffe",likert5,P002,5\x0b\n',
    )
    r = only_record(ingest(ingested_ref, sources=["polls"]), "polls/p.csv")
    assert (r.rows_loaded, r.control_characters) == (2, 6)
    (logged,) = read_log_records(ingested_ref, "polls")
    assert logged["control_characters"] == 6
    raw = read_raw(ingested_ref, "polls")
    assert [x["question_text"] for x in raw] == ["How useful was it?", "Tabs\tand\nnew lines stay"]
    assert raw[1]["response_value"] == "5"


def test_a_quote_left_open_rejects_the_file_naming_its_line(ingested_ref, write_csv, read_raw):
    rows = [
        "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
        "S1,P002,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
        "S1,P003,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    ]
    never_closed = ATT_HEADER + rows[0] + 'S1,"P002,,2024-01-15T14:00:00,2024-01-15T15:00:00\n'
    write_csv(ingested_ref / "landing/attendance/open.csv", never_closed + rows[2])
    closed_late = (
        SURVEY_HEADER
        + 'M1,K1,G01,,2024-03-01T12:00:00,4,5,yes,,"fine"\n'
        + 'M2,K1,G02,,2024-03-01T12:00:00,4,5,yes,,"left open\n'
        + 'M3,K1,G03,,2024-03-01T12:00:00,4,5,yes,,"and this one closed"\n'
    )
    write_csv(ingested_ref / "landing/surveys/midpoint/late.csv", closed_late)
    last_line = ATT_HEADER + rows[0] + 'S1,P002,,2024-01-15T14:00:00,"2024-01-15T15:00:00'
    write_csv(ingested_ref / "landing/attendance/last.csv", last_line)
    # closed quotes spanning lines, doubled quotes, and a quote inside an unquoted value load
    fine = (
        POLL_HEADER
        + 'S1,poll1,q1,"Two\nlines, ""quoted""",choice,P001,"a, b"\n'
        + 'S1,poll1,q2,The 5" screen,choice,P001,"x"y\n'
    )
    write_csv(ingested_ref / "landing/polls/fine.csv", fine)
    report = ingest(ingested_ref, sources=["attendance", "surveys", "polls"])
    by_file = {r.file: r for r in report.records}
    assert by_file["attendance/open.csv"].message == (
        "attendance/open.csv, line 3: a quoted value opens on this line and is never closed, so "
        "every line after it would be read as part of it; add the closing quote (a quote "
        'inside a quoted value is written twice: "")'
    )
    late = by_file["surveys/midpoint/late.csv"]
    assert late.status == "rejected"
    assert late.message.startswith(
        "surveys/midpoint/late.csv, line 3: a quoted value opens on this line and is not "
        "closed before line 4"
    )
    assert by_file["attendance/last.csv"].message.startswith("attendance/last.csv, line 3: ")
    polls = by_file["polls/fine.csv"]
    assert (polls.status, polls.rows_loaded) == ("loaded", 2)
    raw = read_raw(ingested_ref, "polls")
    assert [(x["question_text"], x["response_value"]) for x in raw] == [
        ('Two\nlines, "quoted"', "a, b"),
        ('The 5" screen', "xy"),
    ]
    assert read_raw(ingested_ref, "attendance") == []


def test_every_line_ending_is_read(ingested_ref, write_csv, read_raw):
    lines = [
        ATT_HEADER.strip(),
        "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00",
        "S1,P002,,2024-01-15T14:10:00,2024-01-15T15:00:00",
        "S2,P003,,2024-02-15T19:00:00,2024-02-15T20:00:00",
    ]
    endings = {"cr": ["\r"] * 4, "crlf": ["\r\n"] * 4, "mixed": ["\r", "\r\n", "\n", "\r"]}
    for name, ends in endings.items():
        text = "".join(line + end for line, end in zip(lines, ends, strict=True))
        write_csv(ingested_ref / f"landing/attendance/{name}.csv", text)
    report = ingest(ingested_ref, sources=["attendance"])
    for name in endings:
        r = only_record(report, f"attendance/{name}.csv")
        assert (r.status, r.rows_read, r.rows_loaded, r.control_characters) == ("loaded", 3, 3, 0)
    raw = read_raw(ingested_ref, "attendance")
    assert [x["session_id"] for x in raw] == ["S1", "S1", "S2"] * 3
    assert [x["join_time"] for x in raw][1::3] == [datetime(2024, 1, 15, 14, 10)] * 3


def test_utf16_with_a_bom_loads_and_without_one_is_rejected(ingested_ref, write_csv, read_raw):
    text = ATT_HEADER + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
    write_csv(ingested_ref / "landing/attendance/bom.csv", b"\xff\xfe" + text.encode("utf-16-le"))
    write_csv(ingested_ref / "landing/attendance/nobom.csv", text.encode("utf-16-le"))
    report = ingest(ingested_ref, sources=["attendance"])
    by_file = {r.file: r for r in report.records}
    assert (by_file["attendance/bom.csv"].status, by_file["attendance/bom.csv"].rows_loaded) == (
        "loaded",
        1,
    )
    assert by_file["attendance/nobom.csv"].message == (
        "attendance/nobom.csv: looks like UTF-16 LE text without a byte-order mark (BOM); plcqi "
        "reads UTF-8, and UTF-16 only with a BOM: export the file as CSV UTF-8"
    )


def test_a_cell_over_the_size_limit_quarantines_its_row(
    ingested_ref, write_csv, read_raw, read_quarantine
):
    huge = "x" * 3_000_000
    write_csv(
        ingested_ref / "landing/surveys/midpoint/w.csv",
        SURVEY_HEADER
        + "M1,K1,G01,,2024-03-01T12:00:00,4,5,yes,,short\n"
        + f'M2,K1,G02,,2024-03-01T12:00:00,4,5,yes,,"{huge}"\n'
        + f"M3,K1,G03,,2024-03-01T12:00:00,4,5,yes,,{'y' * 32_767}\n",
    )
    r = only_record(ingest(ingested_ref, sources=["surveys"]), "surveys/midpoint/w.csv")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 3, 2, 1)
    (q,) = read_quarantine(ingested_ref, "surveys/midpoint")
    assert (q["_row"], q["column"], q["reason"]) == (
        2,
        "comments",
        "the value is 3,000,000 characters long, over the limit of 32,767 characters a cell "
        "may hold",
    )
    assert q["row_json"] is None and q["value"] is None  # the cell is not kept
    assert [x["response_id"] for x in read_raw(ingested_ref, "surveys/midpoint")] == ["M1", "M3"]


def _xlsx() -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["session_id", "join_time"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NOT_CSV = {
    "xlsx": (_xlsx(), "is an Excel workbook (.xlsx), not CSV: export it as CSV (UTF-8)"),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "is a PDF document, not CSV"),
    "zip": (b"PK\x03\x04\x14\x00\x00\x00data.csv", "is a zip archive, not CSV: unpack it"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "is an Excel 97-2003 workbook (.xls)"),
    "empty": (b"", "the file is empty (no header row)"),
    "blank": (b"\xef\xbb\xbf \r\n", "the file is empty (no header row)"),
    "dupes": (
        b"session_id,Session_ID ,join_time,leave_time\n",
        "line 1: the header repeats column",
    ),
    "blank-first-line": (b"\nsession_id,join_time,leave_time\n", "missing required columns"),
    "latin1": (b"session_id,join_time\xff,leave_time\n", "line 1: not UTF-8 text (byte 0xff"),
}


def test_files_that_are_not_csv_are_rejected_plainly(ingested_ref, write_csv):
    for name, (content, _) in NOT_CSV.items():
        write_csv(ingested_ref / f"landing/attendance/{name}.csv", content)
    report = ingest(ingested_ref, sources=["attendance"])
    for name, (_, message) in NOT_CSV.items():
        r = only_record(report, f"attendance/{name}.csv")
        assert r.status == "rejected"
        assert r.message.startswith(f"attendance/{name}.csv"), r.message
        assert message in r.message, r.message
        for internal in ("Error", "Invalid", "pyarrow", "CSV parse", "Traceback", "Exception"):
            assert internal not in r.message, r.message


def test_a_header_only_file_and_nul_bytes_in_cells(ingested_ref, write_csv, read_raw):
    write_csv(ingested_ref / "landing/attendance/h.csv", ATT_HEADER)
    write_csv(
        ingested_ref / "landing/attendance/nul.csv",
        ATT_HEADER + "S1\x00,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\x00\n",
    )
    report = ingest(ingested_ref, sources=["attendance"])
    by_file = {r.file: r for r in report.records}
    assert (by_file["attendance/h.csv"].status, by_file["attendance/h.csv"].rows_read) == (
        "loaded",
        0,
    )
    nul = by_file["attendance/nul.csv"]
    assert (nul.rows_loaded, nul.control_characters) == (1, 2)
    assert [x["session_id"] for x in read_raw(ingested_ref, "attendance")] == ["S1"]


def test_names_of_two_lists_together_are_the_names_of_both():
    import pyarrow as pa

    from plcqi.ingest.redact import Names, free_text

    a, b = ["Ada Lovelace", "Grace Brewster Hopper"], ["Alan Turing"]
    both = Names.of(a) | Names.of(b)
    assert both == Names.of(a + b)
    texts = pa.array(["thanks Ada Lovelace and Turing, Alan", "Hopper, Grace spoke"])
    assert free_text(texts, both).to_pylist() == [
        "thanks [name removed] and [name removed]",
        "[name removed] spoke",
    ]
