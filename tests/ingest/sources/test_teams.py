"""Microsoft Teams attendance exports (``plcqi.ingest.sources.teams``): the attendance report
(sections 1–3) and the older attendance list, read directly and through
``plcqi.ingest.run.ingest``.

Fixtures (``fixtures/teams/``, all UTF-16 LE with a BOM, tab-separated, CRLF, named .csv):
- ``attendance_report_2024-03-08.csv``: summary (start 9:58:12 AM EST), section 2 (lines
  11–17) and section 3 (lines 21–28): organizer (21), co-organizer (22), a presenter's rejoin
  (23, 24, the name written "Lovelace, Ada"), a guest (25), an attendee known only by UPN in
  section 2 (26), one with no e-mail and no UPN (27), an unknown e-mail (28).
- ``attendance_list_with_email_2024-03-15.csv``: Full Name / User Action / Timestamp / Email,
  4:28 PM EDT: ``Joined before``, a rejoin never closed (8), a ``Left`` with no join (12), an
  attendee with no e-mail (10, 11), the organizer (no role in this form: unknown e-mail).
- ``meetingAttendanceList_2024-03-15.csv``: the same form without the Email column.
Section titles, summary keys, headers and the ``3/8/24, 9:58:12 AM`` times are as in public
samples of these reports; the people, addresses and meetings are made up.
"""

from __future__ import annotations

import pytest

from plcqi.ingest.read import FileRejected
from plcqi.ingest.run import ingest
from tests.helpers import read_raw
from tests.ingest.sources.meetings import (
    NO_EMAIL,
    UNKNOWN_EMAIL,
    adapted,
    context,
    events,
    fixture,
    land,
    layout_of,
    leaks,
    log_of,
    reasons,
    replaced,
    sessions,
    text_of,
    utf16,
    write_reference,
)

REPORT = "teams/attendance_report_2024-03-08.csv"
LIST = "teams/attendance_list_with_email_2024-03-15.csv"
LIST_NO_EMAIL = "teams/meetingAttendanceList_2024-03-15.csv"
LEFT_PAIRED = "leave paired with its join"
DOROTHY = "Dorothy.Vaughan@Example.com"  # her UPN, as participants.csv writes it


@pytest.fixture(autouse=True)
def new_york(monkeypatch):
    monkeypatch.setenv("PLCQI_SOURCE_TIMEZONE", "America/New_York")


def variant(name: str, *replacements: tuple[str, str]) -> bytes:
    """A fixture with text replaced, written back as Teams writes it (UTF-16 with a BOM)."""
    return utf16(replaced(name, *replacements))


def without_section_3(text: str) -> str:
    return text.split("3. In-Meeting Activities")[0]


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "layout"),
    [(REPORT, "teams_attendance"), (LIST, "teams_legacy"), (LIST_NO_EMAIL, "teams_legacy")],
)
def test_detection_picks_the_teams_layout(name, layout):
    assert fixture(name).startswith(b"\xff\xfe")  # as Teams writes it
    assert layout_of(fixture(name)) == layout


def test_a_report_resaved_as_utf8_is_still_recognized():
    assert layout_of(text_of(REPORT).encode("utf-8")) == "teams_attendance"


def test_a_list_without_timestamp_is_rejected_naming_what_it_lacks():
    data = variant(LIST_NO_EMAIL, ("\tTimestamp", "\tWhen"))
    with pytest.raises(FileRejected) as e:
        layout_of(data)
    assert "closest is the Microsoft Teams attendance list" in str(e.value)
    assert "lacks a tab-separated 'Timestamp' column" in str(e.value)


# --- attendance report ----------------------------------------------------------------------


def test_report_intervals_come_from_section_3_without_organizers(tmp_path):
    result = adapted(fixture(REPORT), context(tmp_path))
    assert (result.layout, result.session) == ("teams_attendance", "T1")  # by start, ±60 min
    assert result.skipped == [(21, "organizer"), (22, "co-organizer")]
    assert [(line, col) for line, col, _ in result.rejected] == [(27, "email")]
    assert result.rejected[0][2].startswith(NO_EMAIL)
    # 10:01:05 AM EST = 15:01:05 UTC; a row per join; line 26 has no e-mail in section 3 and
    # takes the UPN section 2 gives the one participant of that name
    assert events(result) == [
        (23, "ada.lovelace@example.org", "2024-03-08T15:01:05+00:00", "2024-03-08T15:30:00+00:00"),
        (24, "ada.lovelace@example.org", "2024-03-08T15:32:00+00:00", "2024-03-08T16:00:10+00:00"),
        (25, "grace.hopper@example.gov", "2024-03-08T15:03:00+00:00", "2024-03-08T15:58:00+00:00"),
        (26, DOROTHY, "2024-03-08T15:05:00+00:00", "2024-03-08T15:45:00+00:00"),
        (28, "frances.allen@example.edu", "2024-03-08T15:15:00+00:00", "2024-03-08T15:50:00+00:00"),
    ]
    assert result.rows_read == 8  # section 3's rows; section 2 is not counted beside it


def test_report_without_section_3_uses_first_join_to_last_leave_and_upn_only_if_no_email(
    tmp_path,
):
    text = without_section_3(text_of(REPORT)).replace(
        "ada.lovelace@example.org\tada.lovelace@example.org\tPresenter",
        "ada.lovelace@example.org\tn16706@ta-center.example\tPresenter",
    )
    result = adapted(utf16(text), context(tmp_path))
    assert result.session == "T1"
    assert result.skipped == [(11, "organizer"), (12, "co-organizer")]
    assert [(line, col) for line, col, _ in result.rejected] == [(16, "email")]
    assert events(result) == [
        (13, "ada.lovelace@example.org", "2024-03-08T15:01:05+00:00", "2024-03-08T16:00:10+00:00"),
        (14, "grace.hopper@example.gov", "2024-03-08T15:03:00+00:00", "2024-03-08T15:58:00+00:00"),
        (15, DOROTHY, "2024-03-08T15:05:00+00:00", "2024-03-08T15:45:00+00:00"),
        (17, "frances.allen@example.edu", "2024-03-08T15:15:00+00:00", "2024-03-08T15:50:00+00:00"),
    ]
    assert result.rows_read == 7


def test_report_after_the_dst_change_is_one_hour_less_from_utc(tmp_path):
    """The same call a week later (EDT): 9:58:12 AM is 13:58:12 UTC, two minutes from S3."""
    result = adapted(variant(REPORT, ("3/8/24", "3/15/24")), context(tmp_path))
    assert result.session == "S3"
    assert events(result)[0][2] == "2024-03-15T14:01:05+00:00"


def test_british_organiser_rows_are_skipped_too(tmp_path):
    data = variant(REPORT, ("Organizer", "Organiser"), ("Co-organizer", "Co-organiser"))
    assert adapted(data, context(tmp_path)).skipped == [(21, "organizer"), (22, "co-organizer")]


def test_a_timezone_file_above_the_export_sets_its_local_time(tmp_path):
    ctx = context(tmp_path, rel="attendance/teams/chicago/2024/report.csv")
    (tmp_path / "landing/attendance/teams/chicago/TIMEZONE").write_text("America/Chicago\n")
    result = adapted(fixture(REPORT), ctx)
    assert result.session == "T1"  # 9:58:12 AM CST = 15:58:12 UTC, 58 minutes after T1
    assert events(result)[0][2] == "2024-03-08T16:01:05+00:00"


def test_a_report_no_session_starts_near_is_rejected_naming_title_and_start(tmp_path):
    data = variant(REPORT, ("Start time\t3/8/24, 9:58:12 AM", "Start time\t3/9/24, 9:58:12 AM"))
    with pytest.raises(FileRejected) as e:
        adapted(data, context(tmp_path))
    message = str(e.value)
    assert "'Team leads call: licensing'" in message
    assert "2024-03-09T14:58:12+00:00" in message
    assert "no meeting ID and no session is scheduled within 60 minutes" in message


def test_a_report_two_sessions_start_near_is_rejected_naming_both(tmp_path):
    known = sessions() + sessions("session_id,scheduled_start\nT9,2024-03-08T14:30:00Z\n")
    with pytest.raises(FileRejected) as e:
        adapted(fixture(REPORT), context(tmp_path, known=known))
    assert (
        "more than one session (T1 (2024-03-08T15:00:00+00:00), T9 (2024-03-08T14:30:00+00:00))"
        in str(e.value)
    )


# --- attendance list (legacy) ---------------------------------------------------------------


def test_list_pairs_joins_and_leaves_and_ends_an_open_join_at_the_last_timestamp(tmp_path):
    result = adapted(fixture(LIST), context(tmp_path))
    assert (result.layout, result.session) == ("teams_legacy", "T2")  # 4:28 PM EDT
    assert sorted(result.skipped) == [(n, LEFT_PAIRED) for n in (5, 7, 9, 11, 13)]
    assert sorted((line, col) for line, col, _ in result.rejected) == [
        (10, "email"),  # Annie Easley: no e-mail
        (12, "join_time"),  # a Left with no Joined before it
    ]
    assert "no Joined before it" in dict((n, why) for n, _, why in result.rejected)[12]
    assert events(result) == [
        (2, "mjackson@ta-center.example", "2024-03-15T20:28:03+00:00", "2024-03-15T21:30:12+00:00"),
        (3, "ada.lovelace@example.org", "2024-03-15T20:28:03+00:00", "2024-03-15T21:02:00+00:00"),
        (4, "grace.hopper@example.gov", "2024-03-15T20:31:10+00:00", "2024-03-15T21:10:45+00:00"),
        (6, "kjohnson@example.net", "2024-03-15T20:40:00+00:00", "2024-03-15T21:20:00+00:00"),
        # joined again at 5:05:30 PM and never left: ends at the file's last time, 5:30:12 PM
        (8, "ada.lovelace@example.org", "2024-03-15T21:05:30+00:00", "2024-03-15T21:30:12+00:00"),
    ]
    assert result.rows_read == 12


def test_list_without_email_column_quarantines_every_row(tmp_path):
    result = adapted(fixture(LIST_NO_EMAIL), context(tmp_path))
    assert result.session == "T2"
    assert (result.rows, result.skipped) == ([], [])
    assert [(line, col) for line, col, _ in result.rejected] == [(n, "email") for n in range(2, 7)]
    assert all("has no Email column" in why for _, _, why in result.rejected)


def test_list_two_devices_at_once_give_two_intervals(tmp_path):
    text = (
        "Full Name\tUser Action\tTimestamp\tEmail\r\n"
        "Ada Lovelace\tJoined\t3/15/2024, 4:28:03 PM\tada.lovelace@example.org\r\n"
        "Ada Lovelace\tJoined\t3/15/2024, 4:35:00 PM\tada.lovelace@example.org\r\n"
        "Ada Lovelace\tLeft\t3/15/2024, 5:00:00 PM\tada.lovelace@example.org\r\n"
        "Ada Lovelace\tLeft\t3/15/2024, 5:20:00 PM\tada.lovelace@example.org\r\n"
        '"Lovelace, Ada\tRejoined\t3/15/2024, 5:21:00 PM\tada.lovelace@example.org\r\n'
    )
    result = adapted(utf16(text), context(tmp_path))
    assert [r[:3] for r in events(result)] == [
        (2, "ada.lovelace@example.org", "2024-03-15T20:28:03+00:00"),
        (3, "ada.lovelace@example.org", "2024-03-15T20:35:00+00:00"),
    ]
    assert [r["leave_time"] for r in sorted(result.rows, key=lambda r: r["_row"])] == [
        "2024-03-15T21:00:00+00:00",  # the first leave closes the earliest open join
        "2024-03-15T21:20:00+00:00",
    ]
    assert sorted(result.skipped) == [(4, LEFT_PAIRED), (5, LEFT_PAIRED)]
    # a stray quote in a name is a character, not a field swallowing the lines after it
    ((line, column, why),) = result.rejected
    assert (line, column) == (6, None) and "'Rejoined' is not Joined" in why


# --- through ingestion ----------------------------------------------------------------------


def test_teams_exports_through_ingest(tmp_path):
    data_dir = write_reference(tmp_path)
    report_rel = land(data_dir, REPORT)
    list_rel = land(data_dir, LIST)
    bare_rel = land(data_dir, LIST_NO_EMAIL)
    report = ingest(data_dir, sources=["attendance"])
    assert report.ok, [r.message for r in report.rejected]

    r = log_of(data_dir, report_rel)
    counts = (r["rows_read"], r["rows_loaded"], r["rows_quarantined"], r["rows_skipped"])
    assert (r["layout"], counts) == ("teams_attendance", (8, 4, 2, 2))
    assert r["skipped"] == {"organizer": 1, "co-organizer": 1}
    found = reasons(data_dir, report_rel)
    assert found[27][0] == "email" and found[27][1].startswith(NO_EMAIL)
    assert found[28] == ("email", UNKNOWN_EMAIL)
    assert len(found) == 2

    r = log_of(data_dir, list_rel)
    counts = (r["rows_read"], r["rows_loaded"], r["rows_quarantined"], r["rows_skipped"])
    assert (r["layout"], counts) == ("teams_legacy", (12, 4, 3, 5))
    assert r["skipped"] == {LEFT_PAIRED: 5}
    found = reasons(data_dir, list_rel)
    assert found[2] == ("email", UNKNOWN_EMAIL)  # the organizer: the list has no role
    assert sorted(found) == [2, 10, 12]

    r = log_of(data_dir, bare_rel)
    counts = (r["rows_read"], r["rows_loaded"], r["rows_quarantined"], r["rows_skipped"])
    assert (r["layout"], counts) == ("teams_legacy", (5, 0, 5, 0))
    assert {c for c, _ in reasons(data_dir, bare_rel).values()} == {"email"}

    raw = read_raw(data_dir, "attendance")
    rows = {(x["_file"], x["_row"]): x for x in raw}
    assert sorted(n for f, n in rows if f == report_rel) == [23, 24, 25, 26]
    assert {x["session_id"] for (f, _), x in rows.items() if f == report_rel} == {"T1"}
    assert {x["session_id"] for (f, _), x in rows.items() if f == list_rel} == {"T2"}
    assert str(rows[(report_rel, 23)]["join_time"]) == "2024-03-08 15:01:05"
    assert str(rows[(list_rel, 8)]["leave_time"]) == "2024-03-15 21:30:12"
    assert rows[(report_rel, 26)]["email_key"] is not None  # the UPN, keyed
    assert leaks(data_dir) == []
