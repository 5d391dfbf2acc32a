"""The Zoom poll report (SOURCES.md, Polls): the adapter on the fixtures, then the same files
through ``plcqi.ingest.run.ingest`` on a real data dir.

Fixtures (``fixtures/zoom_polls/``), written from the layouts of real reports:
- ``long_poll_column.csv``: the current long form with a ``Poll`` column (UTF-8 BOM, CRLF),
  two polls, agreement labels in mixed case, Yes/No, a multi-select answer, a numeric choice,
  an anonymous attendee, an unanswered question and an address not in participants.csv;
  meeting ID with spaces, a February (EST) session;
- ``long_no_poll.csv``: the long form without ``Poll``, integers 1-5, ``YES``/``no``, and a 6
  among agreement labels; the same recurring meeting ID written as digits, a March (EDT)
  session, so both sides of the daylight-saving change are read;
- ``ragged.csv``: the older webinar form, question/answer pairs on each respondent's line,
  a trailing empty cell, a quoted multi-select answer holding a comma, a respondent with no
  answer; its webinar ID is in no session, so the start time picks it;
- ``question_header.csv``: the 2021 form with a header per question.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plcqi.ingest import contract
from plcqi.ingest.read import FileRejected
from plcqi.ingest.run import ingest
from plcqi.ingest.sources import Context, Session, adapt, detect
from plcqi.ingest.sources.zoom_polls import scale_of, value_of
from tests.helpers import PEOPLE, names_in, read_log_records, write_reference

FIXTURES = Path(__file__).parent / "fixtures" / "zoom_polls"
POLLS = contract.dataset("polls")
# Every person a fixture names: the reference's and one who is not in participants.csv.
NAMES = [p[2] for p in PEOPLE] + ["Mary Jackson"]
EMAILS = [p[3] for p in PEOPLE] + ["mary.jackson@example.com"]
UNKNOWN_EMAIL = "unknown email: no participant in reference/participants has this email"
LIKERT_RANGE = "a likert5 response must be an integer 1-5"

# The reference sessions with Zoom IDs: S2 and S3 share a recurring meeting's ID (written two
# ways), S4 has none.
SESSIONS_CSV = """\
session_id,cohort_id,session_number,session_type,title,scheduled_start,duration_minutes,\
status,platform_meeting_id
S1,K1,1,kickoff,Kickoff,2024-01-15T14:00:00,90,delivered,
S2,K1,2,webinar,Session 2,2024-02-15T14:00:00-05:00,60,delivered,812 3456 7890
S3,K1,3,webinar,Session 3,2024-03-15T14:00:00Z,60,delivered,812-3456-7890
S4,K2,1,webinar,Open space,2024-03-01T15:00:00Z,60,delivered,
"""
SESSIONS = [
    Session("S1", datetime(2024, 1, 15, 14, tzinfo=UTC), ""),
    Session("S2", datetime(2024, 2, 15, 19, tzinfo=UTC), "81234567890"),
    Session("S3", datetime(2024, 3, 15, 14, tzinfo=UTC), "81234567890"),
    Session("S4", datetime(2024, 3, 1, 15, tzinfo=UTC), ""),
]


def context(tmp_path: Path, name: str, text: str | None = None, folder: str = "polls") -> Context:
    """A Context for a fixture (or ``text``) placed at ``landing/<folder>/<name>``."""
    landing = tmp_path / "landing"
    path = landing / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        shutil.copy(FIXTURES / name, path)
    else:
        path.write_text(text, encoding="utf-8")
    return Context(POLLS, path, path.relative_to(landing).as_posix(), landing, lambda: SESSIONS)


def adapted(tmp_path: Path, name: str, text: str | None = None, folder: str = "polls"):
    ctx = context(tmp_path, name, text, folder)
    found = detect(ctx.path.read_bytes(), ctx.rel, POLLS, ctx)
    assert found.name == "zoom_poll"
    return adapt(found, ctx)


def by_line(out, line: int) -> list[dict]:
    return [r for r in out.rows if r["_row"] == line]


PREAMBLE = (
    "Poll Report\n"
    'Report Generated:,"Feb 16, 2024 09:12 AM"\n'
    "Topic,Meeting ID,Actual Start Time,Actual Duration (minutes),# Participants\n"
    'Licensing PLC - Session 2,812 3456 7890,"Feb 15, 2024 01:58 PM",64,5\n'
    "\n"
)


# --- detection ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.csv")))
def test_every_form_is_recognized_as_a_zoom_poll_report(tmp_path, name):
    ctx = context(tmp_path, name)
    assert detect(ctx.path.read_bytes(), ctx.rel, POLLS, ctx).name == "zoom_poll"


def test_a_contract_polls_csv_stays_a_contract_file(tmp_path):
    text = "session_id,poll_id,question_id,scale,response_value\nS2,p1,q1,likert5,4\n"
    ctx = context(tmp_path, "contract.csv", text)
    assert detect(ctx.path.read_bytes(), ctx.rel, POLLS, ctx).name == "contract"


def test_a_report_without_its_meeting_header_names_what_it_lacks(tmp_path):
    text = (
        "Poll Report\n\n#,User Name,User Email,Submitted Date and Time,Question,Answer\n"
        "1,Ada Lovelace,ada.lovelace@example.org,02/15/2024 14:21:05,Useful?,Yes\n"
    )
    ctx = context(tmp_path, "no_meeting.csv", text)
    with pytest.raises(FileRejected) as e:
        detect(ctx.path.read_bytes(), ctx.rel, POLLS, ctx)
    message = str(e.value)
    assert "Zoom poll report" in message and "lacks the meeting header" in message
    assert "Ada Lovelace" not in message


# --- the forms -----------------------------------------------------------------------------


def test_long_form_with_poll_column(tmp_path):
    out = adapted(tmp_path, "long_poll_column.csv")
    assert out.session == "S2"
    # 11 answer rows (lines 7-17): one unanswered is skipped, none rejected here
    assert out.rows_read == 11 and len(out.rows) == 10
    assert out.skipped == [(12, "no answer")] and out.rejected == []
    first = by_line(out, 7)[0]
    assert first == {
        "_row": 7,
        "session_id": "S2",
        "poll_id": "session_check_in",
        "question_id": "i_can_apply_what_i_learned_today_to_my_state_s_licensing_work",
        "question_text": "I can apply what I learned today to my state's licensing work.",
        "scale": "likert5",
        "email": "ada.lovelace@example.org",
        "response_value": "5",
        "submitted_at": "2024-02-15T19:21:05+00:00",  # 14:21:05 EST
    }
    apply_ = [r for r in out.rows if r["question_id"].startswith("i_can_apply")]
    assert [r["response_value"] for r in apply_] == ["5", "4", "3", "5"]  # labels, any case
    prework = [r for r in out.rows if r["question_id"] == "did_your_team_complete_the_pre_work"]
    assert [(r["scale"], r["response_value"]) for r in prework] == [
        ("yes_no", "yes"),
        ("yes_no", "no"),
    ]
    (multi,) = by_line(out, 14)
    assert (multi["poll_id"], multi["scale"]) == ("planning_the_next_session", "choice")
    assert multi["response_value"] == "Background checks;Monitoring visits"
    # 2 and 7 colleagues: whole numbers, but not all 1-5, so a choice
    assert {r["scale"] for r in by_line(out, 15) + by_line(out, 17)} == {"choice"}
    assert by_line(out, 17)[0]["response_value"] == "7"
    # Anonymous Attendee: no e-mail; the unknown address is left for the contract's check
    assert by_line(out, 11)[0]["email"] is None
    assert by_line(out, 13)[0]["email"] == "mary.jackson@example.com"
    assert all("participant_id" not in r for r in out.rows)


def test_long_form_without_poll_column(tmp_path):
    out = adapted(tmp_path, "long_no_poll.csv")
    assert out.session == "S3"  # the recurring ID's session nearest the start
    assert out.rows_read == 8 and not out.skipped and not out.rejected
    assert {r["poll_id"] for r in out.rows} == {"poll"}
    scales = {r["question_id"]: r["scale"] for r in out.rows}
    assert scales == {
        "how_would_you_rate_the_pace_of_today_s_session_1_too_sl_863bca19": "likert5",
        "will_your_state_send_a_team_to_the_in_person_convening": "yes_no",
        "the_session_was_relevant_to_my_state_s_needs": "likert5",
    }
    assert all(len(q) <= 64 for q in scales)
    values = [(r["_row"], r["response_value"]) for r in out.rows]
    assert values == [(7, "3"), (8, "yes"), (9, "5"), (10, "4"), (11, "no"), (12, "6")] + [
        (13, "5"),
        (14, "4"),
    ]
    # March 15 is after the change to daylight saving time: 10:31:12 EDT
    assert by_line(out, 7)[0]["submitted_at"] == "2024-03-15T14:31:12+00:00"
    assert by_line(out, 13)[0]["email"] is None


def test_ragged_form_is_one_row_per_question_answer_pair(tmp_path):
    out = adapted(tmp_path, "ragged.csv")
    assert out.session == "S4"  # webinar ID in no session: the session starting near 09:57 EST
    # lines 7, 8, 10 carry two pairs, line 9 one, line 11 none (one skipped row)
    assert [r["_row"] for r in out.rows] == [7, 7, 8, 8, 9, 10, 10]
    assert out.skipped == [(11, "no answer")]
    assert out.rows_read == 8
    useful = [r for r in out.rows if r["question_id"].startswith("how_useful")]
    assert [r["response_value"] for r in useful] == ["5", "2", "1", "4"]
    assert {r["scale"] for r in useful} == {"likert5"}
    topics = [r for r in out.rows if r["question_id"].startswith("which_workforce")]
    assert [r["response_value"] for r in topics] == [
        "Compensation;Credentials",
        "Recruitment",
        "Compensation;Pay parity, benefits",
    ]
    assert {r["scale"] for r in topics} == {"choice"}
    assert by_line(out, 7)[0]["submitted_at"] == "2024-03-01T15:12:44+00:00"
    assert by_line(out, 9)[0]["email"] is None


def test_a_header_per_question(tmp_path):
    out = adapted(tmp_path, "question_header.csv")
    assert [(r["_row"], r["question_id"], r["scale"], r["response_value"]) for r in out.rows] == [
        (7, "did_you_share_the_brief_with_your_agency", "yes_no", "yes"),
        (8, "did_you_share_the_brief_with_your_agency", "yes_no", "no"),
        (10, "which_session_format_works_best_for_you", "choice", "Small-group breakouts"),
        (11, "which_session_format_works_best_for_you", "choice", "Full-group discussion"),
    ]
    assert by_line(out, 11)[0]["email"] is None


# --- scales --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "scale"),
    [
        ({"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree"}, "likert5"),
        ({"strongly AGREE"}, "likert5"),
        ({"1", "3", "5"}, "likert5"),
        ({"Agree", "4"}, "likert5"),
        ({"Agree", "0"}, "likert5"),  # labels show the scale: the 0 is quarantined later
        ({"1", "6"}, "choice"),  # numbers alone beyond 5: a 0-10 rating or a count
        ({"Yes", "NO"}, "yes_no"),
        ({"Yes"}, "yes_no"),
        ({"Yes", "No", "Unsure"}, "choice"),
        ({"Agree", "Somewhat agree"}, "choice"),
        ({"Yes;No"}, "choice"),
        ({"4.5"}, "choice"),
    ],
)
def test_scale_of(answers, scale):
    assert scale_of(answers) == scale


def test_values_by_scale():
    assert value_of("Neither agree  nor disagree", "likert5") == "3"
    assert value_of("05", "likert5") == "5"
    assert value_of("YES", "yes_no") == "yes"
    assert value_of("Background checks;Monitoring visits", "choice") == (
        "Background checks;Monitoring visits"
    )


def test_a_scale_is_inferred_per_poll_and_question(tmp_path):
    text = PREAMBLE + (
        "#,User Name,User Email,Submitted Date and Time,Poll,Question,Answer\n"
        "1,Ada Lovelace,ada.lovelace@example.org,02/15/2024 14:21:05,Opening,Ready?,Agree\n"
        "2,Ada Lovelace,ada.lovelace@example.org,02/15/2024 14:50:05,Closing,Ready?,Yes\n"
    )
    out = adapted(tmp_path, "two_polls.csv", text)
    assert [(r["poll_id"], r["scale"], r["response_value"]) for r in out.rows] == [
        ("opening", "likert5", "4"),
        ("closing", "yes_no", "yes"),
    ]


def test_long_statements_sharing_their_start_get_distinct_ids(tmp_path):
    stem = "To what extent do you agree with the following statement about today: "
    text = PREAMBLE + (
        "#,User Name,User Email,Submitted Date and Time,Question,Answer\n"
        f"1,Ada Lovelace,ada.lovelace@example.org,02/15/2024 14:21:05,{stem}it was useful,Agree\n"
        f"2,Ada Lovelace,ada.lovelace@example.org,02/15/2024 14:21:05,{stem}it was clear,Agree\n"
    )
    ids = [r["question_id"] for r in adapted(tmp_path, "battery.csv", text).rows]
    assert len(set(ids)) == 2 and all(len(i) <= 64 for i in ids)


# --- rows that are not loaded as they are, and files that are rejected ---------------------


def test_an_unreadable_time_rejects_each_answer_of_its_line(tmp_path):
    text = PREAMBLE + (
        "#,User Name,User Email,Submitted Date/Time,\n"
        "1,Ada Lovelace,ada.lovelace@example.org,sometime,Useful?,Agree,Clear?,Yes,\n"
        '2,Grace Hopper,grace.hopper@example.gov,"Feb 15, 2024 14:30:00",Useful?,Agree,\n'
        '3,Grace Hopper,grace.hopper@example.gov,"Feb 15, 2024 14:31:00",,Agree,\n'
    )
    out = adapted(tmp_path, "bad_time.csv", text)
    assert [r[:2] for r in out.rejected] == [
        (7, "submitted_at"),
        (7, "submitted_at"),
        (9, "question_id"),
    ]
    assert "'sometime' is not a date-time" in out.rejected[0][2]
    assert out.rejected[2][2] == "the answer names no question"
    assert [r["_row"] for r in out.rows] == [8]
    assert out.rows_read == 4


def test_a_report_matching_no_session_is_rejected_naming_the_meeting(tmp_path):
    text = (
        PREAMBLE.replace("812 3456 7890", "999 000 1111").replace("Feb 15", "Jun 3")
        + "#,User Name,User Email,Submitted Date and Time,Question,Answer\n"
        "1,Ada Lovelace,ada.lovelace@example.org,06/03/2024 14:21:05,Useful?,Yes\n"
    )
    ctx = context(tmp_path, "june.csv", text)
    with pytest.raises(FileRejected) as e:
        adapt(detect(ctx.path.read_bytes(), ctx.rel, POLLS, ctx), ctx)
    message = str(e.value)
    assert "polls/june.csv" in message and "Licensing PLC - Session 2" in message
    assert "999 000 1111" in message and "2024-06-03T17:58:00+00:00" in message


def test_an_unreadable_meeting_start_rejects_the_file(tmp_path):
    text = PREAMBLE.replace('"Feb 15, 2024 01:58 PM"', "soon") + (
        "#,User Name,User Email,Submitted Date and Time,Question,Answer\n"
    )
    ctx = context(tmp_path, "soon.csv", text)
    with pytest.raises(FileRejected, match="Actual Start Time 'soon' is not a date-time"):
        adapt(detect(ctx.path.read_bytes(), ctx.rel, POLLS, ctx), ctx)


def test_the_zone_of_the_folder_and_the_zone_the_report_states(tmp_path):
    """A TIMEZONE file in the center's folder applies to its reports; a heading that states
    its own zone wins over it."""
    (tmp_path / "landing" / "polls" / "west").mkdir(parents=True)
    (tmp_path / "landing" / "polls" / "west" / "TIMEZONE").write_text("America/Los_Angeles\n")
    west = PREAMBLE.replace("01:58 PM", "10:58 AM") + (
        "#,User Name,User Email,Submitted Date and Time,Question,Answer\n"
        "1,Ada Lovelace,ada.lovelace@example.org,02/15/2024 11:21:05,Useful?,Yes\n"
    )
    out = adapted(tmp_path, "west.csv", west, folder="polls/west")
    assert out.session == "S2"
    assert out.rows[0]["submitted_at"] == "2024-02-15T19:21:05+00:00"
    stated = west.replace("Submitted Date and Time", "Submitted Time (America/Chicago)")
    stated = stated.replace("11:21:05", "13:21:05")
    out = adapted(tmp_path, "stated.csv", stated, folder="polls/west")
    assert out.rows[0]["submitted_at"] == "2024-02-15T19:21:05+00:00"


# --- through ingestion -----------------------------------------------------------------------


@pytest.fixture
def polls_dir(tmp_path) -> Path:
    """A data dir: the reference set with Zoom IDs, every fixture under landing/polls/zoom/."""
    write_reference(tmp_path, sessions=SESSIONS_CSV)
    folder = tmp_path / "landing" / "polls" / "zoom"
    folder.mkdir(parents=True)
    for f in FIXTURES.glob("*.csv"):
        shutil.copy(f, folder / f.name)
    return tmp_path


def test_ingest_accounts_for_every_answer(polls_dir):
    report = ingest(polls_dir, sources=["reference", "polls"])
    assert report.ok, [r.message for r in report.rejected]
    records = {r["file"]: r for r in read_log_records(polls_dir, "polls")}
    counts = {
        f.rsplit("/", 1)[1]: (r["rows_read"], r["rows_loaded"], r["rows_quarantined"])
        for f, r in records.items()
    }
    assert counts == {
        "long_poll_column.csv": (11, 9, 1),
        "long_no_poll.csv": (8, 7, 1),
        "ragged.csv": (8, 5, 2),
        "question_header.csv": (4, 4, 0),
    }
    for r in records.values():
        assert r["layout"] == "zoom_poll" and r["status"] == "loaded"
        assert r["rows_read"] == r["rows_loaded"] + r["rows_quarantined"] + r["rows_skipped"]
    assert records["polls/zoom/ragged.csv"]["skipped"] == {"no answer": 1}


def test_ingest_resolves_people_and_quarantines_with_reasons(polls_dir, read_raw, read_quarantine):
    ingest(polls_dir, sources=["reference", "polls"])
    raw = read_raw(polls_dir, "polls")
    assert len(raw) == 25
    assert "email" not in raw[0] and "email_key" not in raw[0]
    # known addresses (any case) become the participant's key, anonymous answers none
    ragged = {r["_row"]: r for r in raw if r["_file"] == "polls/zoom/ragged.csv"}
    assert ragged[7]["participant_key"] and ragged[8]["participant_key"]
    assert ragged[7]["participant_key"] != ragged[8]["participant_key"]
    assert ragged[9]["participant_key"] is None
    dorothy = [r for r in raw if r["_file"].endswith("long_no_poll.csv") and r["_row"] == 10]
    assert dorothy[0]["participant_key"] is not None
    first = next(r for r in raw if r["_file"].endswith("long_poll_column.csv") and r["_row"] == 7)
    assert first["submitted_at"] == datetime(2024, 2, 15, 19, 21, 5)
    assert (first["session_id"], first["scale"], first["response_value"]) == ("S2", "likert5", "5")

    quarantine = {
        (q["_file"].rsplit("/", 1)[1], q["_row"]): q for q in read_quarantine(polls_dir, "polls")
    }
    assert set(quarantine) == {
        ("long_poll_column.csv", 13),
        ("long_no_poll.csv", 12),
        ("ragged.csv", 10),
    }
    assert quarantine[("long_poll_column.csv", 13)]["reason"] == UNKNOWN_EMAIL
    assert quarantine[("long_no_poll.csv", 12)]["column"] == "response_value"
    assert quarantine[("long_no_poll.csv", 12)]["reason"] == LIKERT_RANGE
    ragged_q = [q for q in read_quarantine(polls_dir, "polls") if q["_file"].endswith("ragged.csv")]
    assert [(q["_row"], q["reason"]) for q in ragged_q] == [(10, UNKNOWN_EMAIL)] * 2


def test_no_name_or_address_reaches_raw_or_quarantine(polls_dir, read_raw, read_quarantine):
    ingest(polls_dir, sources=["reference", "polls"])
    stored = json.dumps(
        read_raw(polls_dir, "polls") + read_quarantine(polls_dir, "polls"), default=str
    )
    assert names_in(stored, NAMES) == []
    assert not [e for e in EMAILS if e.lower() in stored.lower()]


def test_a_second_run_loads_nothing_twice(polls_dir, read_raw):
    ingest(polls_dir, sources=["reference", "polls"])
    again = ingest(polls_dir, sources=["reference", "polls"])
    assert again.records == [] and len(read_raw(polls_dir, "polls")) == 25
