"""SurveyMonkey exports: two header rows, questions mapped to survey columns by COLUMNS.csv,
multi-column questions (a matrix, a multi-select, "Other (please specify)"), local times."""

from __future__ import annotations

import shutil

import pytest

from plcqi.ingest import contract
from plcqi.ingest.read import FileRejected
from plcqi.ingest.run import ingest
from plcqi.ingest.sources import detect
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

EXPORT = "midpoint_all_responses.csv"


def land_with_mapping(data_dir, folder: str = "", zone: str = "America/Los_Angeles"):
    path = land(data_dir, "midpoint", "surveymonkey", EXPORT, folder=folder, zone=zone)
    shutil.copy(fixture("surveymonkey", "COLUMNS.csv"), path.parent / "COLUMNS.csv")
    return path


def test_recognized_by_its_first_header_row():
    data = fixture("surveymonkey", EXPORT).read_bytes()
    assert detect(data, EXPORT, contract.dataset("surveys/midpoint")).name == "surveymonkey"


def test_a_file_without_collector_ids_is_not_surveymonkey():
    data = fixture("surveymonkey", EXPORT).read_bytes().replace(b"Collector ID,", b"Collector,")
    with pytest.raises(FileRejected) as e:
        detect(data, "x.csv", contract.dataset("surveys/midpoint"))
    assert "closest is the SurveyMonkey survey export, which lacks a Collector ID column" in str(
        e.value
    )


def test_without_a_mapping_the_file_is_rejected(tmp_path):
    path = land(tmp_path, "midpoint", "surveymonkey", EXPORT)
    with pytest.raises(FileRejected) as e:
        adapt_file(path, tmp_path / "landing")
    assert "a SurveyMonkey export has no variable names: put a COLUMNS.csv" in str(e.value)


def test_mapped_export(tmp_path):
    out = adapt_file(land_with_mapping(tmp_path), tmp_path / "landing")
    assert out.skipped == []
    rows = by_row(out)
    assert sorted(rows) == [3, 4, 5, 6, 8]  # line 5: no address, an anonymous response
    ada = rows[3]
    assert ada["response_id"] == "114587720931"  # Respondent ID
    assert (ada["cohort_id"], ada["grantee_id"]) == ("K1", "G01")  # Custom Data 1, grantee
    assert ada["email"] == "ada.lovelace@example.org"  # Email Address
    # Agreement labels, the matrix's two rows mapped as "question - row".
    assert [ada[c] for c in ("knowledge_gain", "relevance")] == ["5", "4"]
    assert [ada["within_state_connections"], ada["across_state_connections"]] == ["4", "5"]
    assert (ada["action_plan_status"], ada["disseminated"]) == ("drafting", "yes")
    # The multi-select's columns hold the option's label when chosen.
    assert ada["barriers"] == "time;lead_agency_buyin"
    assert rows[8]["barriers"] == "conflicting_policy;readiness"
    # The "Other" option holds what was typed: chosen, coded other.
    assert rows[4]["barriers"] == "other"
    assert "What is the status of your action plan? - Other (please specify)" in out.unmapped
    for dropped in ("IP Address", "First Name", "Last Name", "Collector ID"):
        assert dropped in out.unmapped


def test_end_date_is_local_time_across_dst(tmp_path):
    """TIMEZONE America/Los_Angeles: 10:00 AM is PST on March 9, PDT on March 11, 2024."""
    rows = by_row(adapt_file(land_with_mapping(tmp_path), tmp_path / "landing"))
    assert rows[3]["submitted_at"] == "2024-03-09T18:00:00+00:00"
    assert rows[4]["submitted_at"] == "2024-03-11T17:00:00+00:00"


def test_rows_that_cannot_be_converted(tmp_path):
    out = adapt_file(land_with_mapping(tmp_path), tmp_path / "landing")
    rejected = {line: (column, reason) for line, column, reason in out.rejected}
    assert rejected == {
        7: (
            "knowledge_gain",
            "'Somewhat agree' is neither a whole number 1-5 nor one of the agreement labels "
            "(Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree)",
        ),
    }


def test_a_multi_column_question_mapped_whole_to_one_item_is_rejected(tmp_path):
    path = land_with_mapping(tmp_path)
    mapping = path.parent / "COLUMNS.csv"
    mapping.write_text(mapping.read_text() + "Please rate your connections:,relevance\n")
    with pytest.raises(FileRejected) as e:
        adapt_file(path, tmp_path / "landing")
    assert (
        "maps 'Please rate your connections:' to relevance, but that question has a column per "
        "option (With colleagues in my state, With colleagues in other states)"
    ) in str(e.value)


def test_the_mapping_may_name_the_respondents_email_question(tmp_path):
    """A weblink collector leaves Email Address empty; a question may ask for it instead."""
    folder = tmp_path / "landing" / "surveys" / "midpoint"
    folder.mkdir(parents=True)
    (folder / "COLUMNS.csv").write_text(
        "source,column\nCustom Data 1,cohort_id\ngrantee,grantee_id\nYour e-mail address,email\n"
    )
    path = folder / "weblink.csv"
    path.write_text(
        "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,"
        "Last Name,Custom Data 1,grantee,Your e-mail address\n"
        ",,,,,,,,,,Open-Ended Response\n"
        "114587720990,451234999,03/09/2024 09:51:02 AM,03/09/2024 10:00:00 AM,73.14.201.9,,,,"
        "K1,G02,grace.hopper@example.gov\n"
    )
    ((line, row),) = by_row(adapt_file(path, tmp_path / "landing")).items()
    assert line == 3 and row["email"] == "grace.hopper@example.gov"
    assert "Email Address" not in row and row["cohort_id"] == "K1"


def test_ingested(ingested_ref):
    land_with_mapping(ingested_ref, folder="center_c")
    report = ingest(ingested_ref, sources=["surveys"])
    assert report.ok, [r.message for r in report.rejected]
    assert accounting(report.records) == {
        "surveys/midpoint/center_c/midpoint_all_responses.csv": (
            "surveymonkey: read 6, loaded 4, quarantined 2, skipped 0",
            {},
        )
    }
    q = quarantined(ingested_ref, "midpoint")
    assert set(q) == {6, 7}
    assert q[6] == ("email", UNKNOWN_EMAIL)
    assert q[7][0] == "knowledge_gain"
    raw = {r["response_id"]: r for r in read_raw(ingested_ref, "surveys/midpoint")}
    anonymous = [k for k, r in raw.items() if r["participant_key"] is None]  # line 5: no address
    assert len(raw) == 4 and len(anonymous) == 1
    assert {"114587720931", "114587720932", "114587720936"} < set(raw)
    assert str(raw["114587720931"]["submitted_at"]) == "2024-03-09 18:00:00"
    assert raw["114587720936"]["comments"] == "Call me at [phone removed]."
    assert all(r["participant_key"] for k, r in raw.items() if k not in anonymous)
    assert leaked(ingested_ref, "midpoint") == []
