"""REDCap records exports: variable-name headers with raw values or labels, the survey
instrument's timestamp, ``[not completed]`` skipped, checkbox columns ``barriers___<code>``,
and the field-label-headers export refused with what to export instead."""

from __future__ import annotations

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

RAW = "midpoint_raw.csv"
LABELS = "six_month_labels.csv"
LABEL_HEADERS = "midpoint_labels_headers.csv"


@pytest.mark.parametrize("name", [RAW, LABELS, LABEL_HEADERS])
def test_recognized_by_its_columns(name):
    data = fixture("redcap", name).read_bytes()
    assert detect(data, name, contract.dataset("surveys/midpoint")).name == "redcap"


def test_raw_export(tmp_path):
    path = land(tmp_path, "midpoint", "redcap", RAW, zone="America/New_York")
    out = adapt_file(path, tmp_path / "landing")
    assert out.skipped == [(3, "survey not completed"), (5, "no survey response in the row")]
    rows = by_row(out)
    assert sorted(rows) == [2, 6, 7]
    first = rows[2]
    assert first["response_id"] == "1"  # record_id
    # The survey instrument's timestamp, not the consent form's: EDT on November 1, 2024.
    assert first["submitted_at"] == "2024-11-01T14:30:00+00:00"
    assert rows[7]["submitted_at"] == "2024-11-06T22:45:30+00:00"  # 17:45:30 EST
    assert (first["disseminated"], first["action_plan_status"]) == ("yes", "drafting")
    assert first["barriers"] == "time;lead_agency_buyin"  # barriers___time = 1, …
    assert rows[7]["barriers"] == "other"
    assert first["email"] == "ada.lovelace@example.org"  # a field named email
    ((line, column, reason),) = out.rejected
    assert (line, column) == (4, "disseminated")  # raw value 1: a numbered yes/no
    assert reason.startswith("'1' is a numeric choice code, not a choice's text (yes, no)")
    for ignored in (
        "redcap_survey_identifier",
        "consent_complete",
        "midpoint_survey_complete",
        "barriers_other_specify",
    ):
        assert ignored in out.unmapped


def test_labels_values_with_variable_name_headers(tmp_path):
    path = land(tmp_path, "six_month", "redcap", LABELS, zone="America/New_York")
    out = adapt_file(path, tmp_path / "landing", "six_month")
    assert out.skipped == [(4, "survey not completed")]
    rows = by_row(out)
    assert rows[2]["barriers"] == "time;turnover"  # Checked / Unchecked
    assert rows[3]["barriers"] is None  # all unchecked
    assert [rows[2][c] for c in ("continue_implementing", "practice_change", "policy_change")] == [
        "yes",
        "yes",
        "no",
    ]
    assert rows[3]["continue_implementing"] == "unsure"
    # 16:45:10 on March 8, 2025 is EST; on March 10 EDT.
    assert rows[2]["submitted_at"] == "2025-03-08T21:45:10+00:00"
    assert rows[3]["submitted_at"] == "2025-03-10T20:45:10+00:00"
    # A label that is no code goes on as it is, for the contract's check to show it.
    assert rows[6]["continue_implementing"] == "Not sure"
    assert "redcap_event_name" in out.unmapped


def test_field_label_headers_are_refused(tmp_path):
    path = land(tmp_path, "midpoint", "redcap", LABEL_HEADERS)
    with pytest.raises(FileRejected) as e:
        adapt_file(path, tmp_path / "landing")
    message = str(e.value)
    assert "a REDCap export with field labels as column headers" in message
    assert "export the records with variable names as headers" in message


def test_without_survey_timestamps_the_file_is_rejected(tmp_path):
    path = land(tmp_path, "midpoint", "redcap", RAW)
    text = path.read_text().replace("consent_timestamp", "consent_date")
    path.write_text(text.replace("midpoint_survey_timestamp", "midpoint_date"))
    with pytest.raises(FileRejected) as e:
        adapt_file(path, tmp_path / "landing")
    assert "no <instrument>_timestamp column" in str(e.value)


def test_a_checked_numbered_choice_is_refused(tmp_path):
    """barriers___9 is a choice numbered by the project: a response checking it cannot be
    coded, one leaving it unchecked can."""
    path = land(tmp_path, "midpoint", "redcap", RAW, zone="America/New_York")
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace("barriers___other,", "barriers___other,barriers___9,")
    for i in range(1, len(lines)):
        cells = lines[i].split(",")
        at = 23  # after barriers___other
        cells.insert(at, "1" if cells[0] == "6" else "0")
        lines[i] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    out = adapt_file(path, tmp_path / "landing")
    rejected = {line: (column, reason) for line, column, reason in out.rejected}
    assert rejected[7] == (
        "barriers",
        "barriers___9 is chosen but '9' is not a barrier (time, turnover, lead_agency_buyin, "
        "legislative, cost, conflicting_policy, readiness, other)",
    )
    assert by_row(out)[2]["barriers"] == "time;lead_agency_buyin"


def test_ingested_both_waves(ingested_ref):
    land(ingested_ref, "midpoint", "redcap", RAW, zone="America/New_York")
    land(ingested_ref, "six_month", "redcap", LABELS, folder="center_b", zone="America/New_York")
    land(ingested_ref, "midpoint", "redcap", LABEL_HEADERS, folder="old")
    report = ingest(ingested_ref, sources=["surveys"])
    (rejected,) = report.rejected
    assert rejected.file == "surveys/midpoint/old/midpoint_labels_headers.csv"
    assert "field labels as column headers" in rejected.message
    assert accounting(report.records) == {
        "surveys/midpoint/midpoint_raw.csv": (
            "redcap: read 6, loaded 2, quarantined 2, skipped 2",
            {"no survey response in the row": 1, "survey not completed": 1},
        ),
        "surveys/six_month/center_b/six_month_labels.csv": (
            "redcap: read 5, loaded 2, quarantined 2, skipped 1",
            {"survey not completed": 1},
        ),
    }
    mid = quarantined(ingested_ref, "midpoint")
    assert mid[4][0] == "disseminated" and "numeric choice code" in mid[4][1]
    assert mid[6] == ("email", UNKNOWN_EMAIL)
    six = quarantined(ingested_ref, "six_month")
    assert six[5] == ("participant_id", "unknown participant_id: not in reference/participants")
    assert six[6] == (
        "continue_implementing",
        "'Not sure' is not an allowed value (expected one of: yes, no, unsure)",
    )
    raw = {r["response_id"]: r for r in read_raw(ingested_ref, "surveys/midpoint")}
    assert set(raw) == {"1", "6"}
    assert str(raw["1"]["submitted_at"]) == "2024-11-01 14:30:00"
    assert str(raw["6"]["submitted_at"]) == "2024-11-06 22:45:30"
    six_raw = {r["response_id"]: r for r in read_raw(ingested_ref, "surveys/six_month")}
    assert six_raw["11"]["barriers"] == "time;turnover"
    assert six_raw["11"]["participant_key"] is not None
    for wave in ("midpoint", "six_month"):
        assert leaked(ingested_ref, wave) == []
