"""The item rules the survey layouts share: columns by variable name, 1-5 items as integers
or agreement labels, coded items from choice text (never numeric codes), barriers as one
column of selections or one column per barrier, and who the respondent is."""

from __future__ import annotations

import pytest

from plcqi.ingest.read import FileRejected
from plcqi.ingest.sources.base import Adapted, Line
from plcqi.ingest.sources.survey_items import (
    REDCAP_CHECKBOX,
    convert,
    match_variables,
    respond,
)


@pytest.mark.parametrize(
    ("column", "text", "value"),
    [
        ("knowledge_gain", "Strongly agree", "5"),
        ("knowledge_gain", "strongly DISAGREE", "1"),
        ("relevance", "Neither agree nor disagree", "3"),
        ("relevance", " 4 ", "4"),
        ("relevance", "7", "7"),  # the contract's check: outside 1-5
        ("disseminated", "Yes", "yes"),
        ("continue_implementing", "UNSURE", "unsure"),
        ("action_plan_status", "Drafting", "drafting"),
        ("followup_interest", "Maybe", "Maybe"),  # the contract's check: not allowed
        ("barriers", "Time; Cost", "time;cost"),
        (
            "barriers",
            "Lead agency buy-in,Conflicting policy",
            "lead_agency_buyin;conflicting_policy",
        ),
        ("barriers", "Conflicting, policy", "conflicting_policy"),  # one label with a comma
        ("barriers", "Money, Time", "Money, Time"),  # the contract's check names it
        ("barriers", "time;time", "time"),
        ("comments", "  Thanks!  ", "Thanks!"),
        ("cohort_id", "K1", "K1"),
        ("knowledge_gain", "", None),
    ],
)
def test_cells_become_contract_values(column, text, value):
    assert convert(column, text) == (value, None)


@pytest.mark.parametrize(
    ("column", "text", "start"),
    [
        ("disseminated", "1", "'1' is a numeric choice code, not a choice's text (yes, no)"),
        ("action_plan_status", "3", "'3' is a numeric choice code, not a choice's text (none, "),
        ("barriers", "1,3", "'1,3' is a numeric choice code"),
        ("barriers", "2;5", "'2;5' is a numeric choice code"),
        ("knowledge_gain", "Somewhat agree", "'Somewhat agree' is neither a whole number 1-5"),
    ],
)
def test_cells_that_cannot_be_converted(column, text, start):
    value, problem = convert(column, text)
    assert value is None and problem.startswith(start)


def test_variables_are_matched_case_insensitively():
    items = match_variables(["ResponseId", "KNOWLEDGE_GAIN", "Cohort_ID", "grantee_id", "Q7"], "f")
    assert items.columns == {"knowledge_gain": 1, "cohort_id": 2, "grantee_id": 3}


def test_two_columns_for_one_item_reject_the_file():
    with pytest.raises(FileRejected) as e:
        match_variables(["knowledge_gain", "Knowledge_Gain"], "f.csv")
    assert str(e.value) == (
        "f.csv: both 'knowledge_gain' and 'Knowledge_Gain' are knowledge_gain; keep one of them"
    )


def test_a_column_per_barrier():
    header = ["barriers_time", "barriers_Lead_Agency_Buyin", "barriers_8_TEXT", "barriers___cost"]
    items = match_variables(header, "f")
    assert [(c.index, c.value) for c in items.choices] == [
        (0, "time"),
        (1, "lead_agency_buyin"),
        (3, "cost"),
    ]
    # REDCap's checkboxes are barriers___<code>; there barriers_time is some other field.
    redcap = match_variables(header, "f", checkbox=REDCAP_CHECKBOX)
    assert [(c.index, c.value) for c in redcap.choices] == [(3, "cost")]
    # With one column of selections, barriers_<x> columns are not barriers.
    assert match_variables(["barriers", "barriers_time"], "f").choices == []


def respond_to(header: list[str], cells: list[str], fixed=None) -> Adapted:
    items = match_variables(header, "f", checkbox=REDCAP_CHECKBOX)
    out = Adapted("test")
    respond(out, Line(7, cells), fixed or {"email": "a@example.org"}, items)
    return out


@pytest.mark.parametrize(
    ("cells", "barriers"),
    [
        (["1", "0", "1"], "time;cost"),
        (["Checked", "Unchecked", "checked"], "time;cost"),
        (["Time", "", ""], "time"),  # REDCap's export of checkbox labels
        (["0", "0", "0"], None),
        (["", "", ""], None),
    ],
)
def test_checkbox_values(cells, barriers):
    out = respond_to(["barriers___time", "barriers___turnover", "barriers___cost"], cells)
    assert out.rows[0]["barriers"] == barriers


def test_a_checkbox_value_that_is_neither_marks_the_row_bad():
    out = respond_to(["barriers___time", "barriers___cost"], ["yes", "0"])
    assert out.rejected == [
        (
            7,
            "barriers",
            "'yes' in barriers___time is not a checkbox value (expected 1 or 0, Checked or "
            "Unchecked)",
        )
    ]


def test_the_participant_id_identifies_the_respondent_before_the_email():
    out = respond_to(["participant_id"], ["P001"])
    assert out.rows[0]["participant_id"] == "P001" and out.rows[0]["email"] is None


def test_a_respondent_nobody_identifies_is_an_anonymous_response():
    """INPUTS.md: an empty participant_id is an anonymous response (an anonymous link)."""
    out = respond_to(["participant_id", "knowledge_gain"], ["", "4"], fixed={"email": None})
    assert out.rejected == []
    assert out.rows[0]["knowledge_gain"] == "4"
    assert not out.rows[0].get("participant_id") and not out.rows[0].get("email")


def test_every_bad_cell_is_named_in_the_one_reason():
    out = respond_to(["disseminated", "relevance"], ["2", "Somewhat agree"])
    ((line, column, reason),) = out.rejected
    assert (line, column) == (7, "disseminated")
    assert "also relevance: 'Somewhat agree' is neither" in reason
