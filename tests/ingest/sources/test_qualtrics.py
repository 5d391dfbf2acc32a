"""Qualtrics survey exports: three header rows, the export's own time zone, previews and spam
skipped, unfinished responses kept, choice text coded and numeric values refused."""

from __future__ import annotations

import pytest

from plcqi.ingest import contract
from plcqi.ingest.read import FileRejected
from plcqi.ingest.run import ingest
from plcqi.ingest.sources import detect
from plcqi.ingest.sources.qualtrics import skip_reason
from tests.helpers import read_raw
from tests.ingest.sources.survey_exports import (
    UNKNOWN_EMAIL,
    accounting,
    adapt_file,
    by_row,
    fixture,
    land,
    leaked,
    quarantined,
)

CHOICE_TEXT = "midpoint_choice_text.csv"
NUMERIC = "six_month_numeric_values.csv"


@pytest.mark.parametrize("name", [CHOICE_TEXT, NUMERIC])
def test_recognized_by_its_header_rows(name):
    data = fixture("qualtrics", name).read_bytes()
    assert detect(data, name, contract.dataset("surveys/midpoint")).name == "qualtrics"


def test_a_file_without_import_ids_is_not_qualtrics():
    data = fixture("qualtrics", CHOICE_TEXT).read_bytes().replace(b'"{""ImportId""', b'"{""Id""')
    with pytest.raises(FileRejected) as e:
        detect(data, "x.csv", contract.dataset("surveys/midpoint"))
    assert "Qualtrics survey export, which lacks a third header row of import ids" in str(e.value)


def test_choice_text_export(tmp_path):
    path = land(tmp_path, "midpoint", "qualtrics", CHOICE_TEXT, zone="America/New_York")
    out = adapt_file(path, tmp_path / "landing")
    # A question text spans two physical lines, so responses start on line 5.
    assert out.skipped == [(5, "survey preview"), (8, "spam")]
    assert out.rejected == []
    rows = by_row(out)
    assert sorted(rows) == [6, 7, 9, 10]
    ada = rows[6]
    assert ada["response_id"] == "R_1a2B3c4D5e6F7g8"
    assert (ada["cohort_id"], ada["grantee_id"]) == ("K1", "G01")
    assert ada["email"] == "Ada.Lovelace@Example.org"  # matched case-insensitively later
    likert = [ada[c] for c in ("knowledge_gain", "relevance", "within_state_connections")]
    assert likert + [ada["across_state_connections"]] == ["4", "5", "5", "3"]
    assert (ada["disseminated"], ada["action_plan_status"]) == ("yes", "drafting")
    assert ada["continue_implementing"] == "unsure"
    assert ada["barriers"] == "time;lead_agency_buyin"  # "Time,Lead agency buy-in"
    assert rows[10]["barriers"] == "cost;other"
    # The unfinished response (Finished False, Progress 40) is kept with its non-response.
    grace = rows[7]
    assert grace["knowledge_gain"] == "5" and grace["relevance"] is None
    assert grace["barriers"] is None


def test_recorded_date_in_the_exports_zone_across_dst(tmp_path):
    """America/Denver from the import ids wins over the folder's TIMEZONE: MST on March 9,
    MDT from March 10, 2024."""
    path = land(tmp_path, "midpoint", "qualtrics", CHOICE_TEXT, zone="Asia/Tokyo")
    rows = by_row(adapt_file(path, tmp_path / "landing"))
    assert rows[6]["submitted_at"] == "2024-03-09T16:15:12+00:00"  # 09:15:12 MST
    assert rows[7]["submitted_at"] == "2024-03-11T15:15:12+00:00"  # 09:15:12 MDT


def test_without_a_zone_in_the_export_the_timezone_file_decides(tmp_path):
    """The numeric export's import ids carry no timeZone: America/Chicago, CDT until
    November 3, 2024, CST after."""
    path = land(tmp_path, "six_month", "qualtrics", NUMERIC, zone="America/Chicago")
    rows = by_row(adapt_file(path, tmp_path / "landing", "six_month"))
    assert rows[4]["submitted_at"] == "2024-11-01T15:30:00+00:00"


def test_numeric_values_export(tmp_path):
    path = land(tmp_path, "six_month", "qualtrics", NUMERIC, zone="America/Chicago")
    out = adapt_file(path, tmp_path / "landing", "six_month")
    assert out.skipped == [(5, "survey preview"), (6, "survey test")]  # Status 1 and 2
    (row,) = out.rows
    assert row["_row"] == 4 and row["knowledge_gain"] == "4"
    # participant_id (embedded data) identifies the respondent; the e-mail is then unused.
    assert row["participant_id"] == "P003" and row["email"] is None
    rejected = {line: (column, reason) for line, column, reason in out.rejected}
    assert set(rejected) == {7, 8}
    column, reason = rejected[7]
    assert column == "continue_implementing"
    assert reason.startswith("'1' is a numeric choice code, not a choice's text (yes, no, unsure)")
    assert "also practice_change: '2' is a numeric choice code" in reason
    assert rejected[8][0] == "barriers" and rejected[8][1].startswith("'1,3' is a numeric")


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("Survey Preview", "survey preview"),
        ("Survey Test", "survey test"),
        ("Spam", "spam"),
        ("Preview Spam", "survey preview"),
        ("1", "survey preview"),
        ("2", "survey test"),
        ("8", "spam"),
        ("9", "survey preview"),
        ("12", "spam"),
        ("17", "survey preview"),
        ("IP Address", None),
        ("0", None),
        ("Imported", None),
        ("4", None),
        ("", None),
    ],
)
def test_statuses_that_are_not_responses(status, reason):
    assert skip_reason(status) == reason


def test_names_ips_and_locations_are_not_used(tmp_path):
    path = land(tmp_path, "midpoint", "qualtrics", CHOICE_TEXT)
    out = adapt_file(path, tmp_path / "landing")
    for dropped in (
        "IPAddress",
        "RecipientFirstName",
        "RecipientLastName",
        "LocationLatitude",
        "LocationLongitude",
        "ExternalReference",
        "barriers_8_TEXT",
    ):
        assert dropped in out.unmapped
    for row in out.rows:
        assert not {"IPAddress", "RecipientFirstName", "RecipientLastName"} & set(row)


def test_an_unknown_export_zone_rejects_the_file(tmp_path):
    path = land(tmp_path, "midpoint", "qualtrics", CHOICE_TEXT)
    path.write_bytes(path.read_bytes().replace(b"America/Denver", b"Mountain Time"))
    with pytest.raises(FileRejected) as e:
        adapt_file(path, tmp_path / "landing")
    assert "'Mountain Time' (the export's RecordedDate import id) is not an IANA time zone" in str(
        e.value
    )


def test_without_cohort_embedded_data_the_file_is_rejected(tmp_path):
    path = land(tmp_path, "midpoint", "qualtrics", CHOICE_TEXT)
    path.write_bytes(path.read_bytes().replace(b",cohort_id,", b",cohort,"))
    with pytest.raises(FileRejected) as e:
        adapt_file(path, tmp_path / "landing")
    assert "no cohort_id column in the export; add them to the survey as embedded data" in str(
        e.value
    )


def test_ingested_both_waves(ingested_ref):
    land(ingested_ref, "midpoint", "qualtrics", CHOICE_TEXT, folder="center_a")
    land(ingested_ref, "six_month", "qualtrics", NUMERIC, zone="America/Chicago")
    report = ingest(ingested_ref, sources=["surveys"])
    assert report.ok, [r.message for r in report.rejected]
    assert accounting(report.records) == {
        "surveys/midpoint/center_a/midpoint_choice_text.csv": (
            "qualtrics: read 6, loaded 3, quarantined 1, skipped 2",
            {"spam": 1, "survey preview": 1},
        ),
        "surveys/six_month/six_month_numeric_values.csv": (
            "qualtrics: read 5, loaded 1, quarantined 2, skipped 2",
            {"survey preview": 1, "survey test": 1},
        ),
    }
    mid = quarantined(ingested_ref, "midpoint")
    assert mid == {9: ("email", UNKNOWN_EMAIL)}
    six = quarantined(ingested_ref, "six_month")
    assert six[7][0] == "continue_implementing" and "numeric choice code" in six[7][1]
    assert six[8][0] == "barriers"

    raw = {r["response_id"]: r for r in read_raw(ingested_ref, "surveys/midpoint")}
    assert set(raw) == {"R_1a2B3c4D5e6F7g8", "R_2b3C4d5E6f7G8h9", "R_5e6F7g8H9i0J1k2"}
    ada = raw["R_1a2B3c4D5e6F7g8"]
    assert str(ada["submitted_at"]) == "2024-03-09 16:15:12"  # UTC
    assert str(raw["R_2b3C4d5E6f7G8h9"]["submitted_at"]) == "2024-03-11 15:15:12"
    assert ada["barriers"] == "time;lead_agency_buyin" and ada["knowledge_gain"] == 4
    assert ada["comments"] == ("Great sessions; reach me at [email removed] or [phone removed].")
    # The e-mail resolved to the participant: the same key as P001's.
    people = {
        p["grantee_id"]: p["participant_key"]
        for p in read_raw(ingested_ref, "reference/participants")
    }
    assert ada["participant_key"] == people["G01"]
    assert raw["R_5e6F7g8H9i0J1k2"]["participant_key"] == people["G04"]  # Dorothy.Vaughan@…

    for wave in ("midpoint", "six_month"):
        assert leaked(ingested_ref, wave) == []


def test_names_of_participants_and_recipients_are_removed_from_comments(ingested_ref):
    path = land(ingested_ref, "midpoint", "qualtrics", CHOICE_TEXT)
    # "Someone Else" is no participant, but the export names them as a recipient
    path.write_bytes(
        path.read_bytes().replace(
            b"The office hours helped.", b'"The office hours with SOMEONE ELSE and Lovelace, Ada."'
        )
    )
    report = ingest(ingested_ref, sources=["surveys"])
    assert report.ok, [r.message for r in report.rejected]
    raw = {r["response_id"]: r for r in read_raw(ingested_ref, "surveys/midpoint")}
    assert raw["R_5e6F7g8H9i0J1k2"]["comments"] == (
        "The office hours with [name removed] and [name removed]."
    )
    assert leaked(ingested_ref, "midpoint") == []
