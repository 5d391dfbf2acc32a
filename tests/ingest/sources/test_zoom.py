"""Zoom attendance exports (``plcqi.ingest.sources.zoom``): the meeting participants report
with and without its meeting block, and the webinar attendee report, read directly and
through ``plcqi.ingest.run.ingest``.

Fixtures (``fixtures/zoom/``):
- ``meeting_with_block_2024-03-08.csv``: UTF-8 with BOM, CRLF, trailing commas; meeting block
  (ID ``812 3456 7890``, host mjackson@…); host row (line 5), a rejoin (6, 7, the second in
  upper case), a guest matched by e-mail (8), a phone-in guest with no e-mail (9), an unknown
  e-mail (10), a waiting-room row with a quoted ``"Boyd, Evelyn"`` (11), one more (12).
- ``participants_no_block_2024-03-15.csv``: no meeting block, no waiting-room column; the host
  is not recognizable (unknown e-mail, line 2), overlapping rejoin (3, 4), an empty Leave Time (6).
- ``webinar_attendee_report_2024-03-14.csv``: sections with host (7), panelist (10), a rejoin
  (13, 14), ``--`` no-shows (16, 18), an unknown e-mail (17), phones and countries; join times
  on the 24-hour clock, the start on the 12-hour one.
Headers, the meeting block, trailing commas, section titles and ``--`` no-shows are as in the
public samples of these reports (parsers' test data in public repositories); the people,
addresses and meetings are made up.
"""

from __future__ import annotations

import pytest

from plcqi.ingest.pseudonymize import hmac_hex
from plcqi.ingest.read import FileRejected
from plcqi.ingest.run import ingest
from tests.helpers import TEST_SECRET, read_raw
from tests.ingest.sources.meetings import (
    NO_EMAIL,
    PHONES,
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
    write_reference,
)

MEETING = "zoom/meeting_with_block_2024-03-08.csv"
NO_BLOCK = "zoom/participants_no_block_2024-03-15.csv"
WEBINAR = "zoom/webinar_attendee_report_2024-03-14.csv"


@pytest.fixture(autouse=True)
def new_york(monkeypatch):
    monkeypatch.setenv("PLCQI_SOURCE_TIMEZONE", "America/New_York")


def variant(name: str, *replacements: tuple[str, str]) -> bytes:
    """A fixture with text replaced (as UTF-8): another meeting of the same export."""
    return replaced(name, *replacements).encode("utf-8")


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "layout"),
    [(MEETING, "zoom_meeting"), (NO_BLOCK, "zoom_meeting"), (WEBINAR, "zoom_webinar")],
)
def test_detection_picks_the_zoom_layout(name, layout):
    assert layout_of(fixture(name)) == layout


def test_a_participants_report_without_leave_time_is_rejected_naming_what_it_lacks():
    data = variant(NO_BLOCK, (",Leave Time,", ",Left At,"))
    with pytest.raises(FileRejected) as e:
        layout_of(data)
    message = str(e.value)
    assert "Zoom meeting participants report" in message
    assert "Zoom webinar attendee report" in message  # every layout checked is named
    assert "closest is the Zoom meeting participants report, which lacks a 'Leave Time'" in (
        message
    )


# --- meeting participants report -----------------------------------------------------------


def test_meeting_with_block_skips_host_and_waiting_room_and_keeps_every_rejoin(tmp_path):
    result = adapted(fixture(MEETING), context(tmp_path))
    assert result.layout == "zoom_meeting"
    assert result.session == "Z1"  # by meeting ID
    assert result.skipped == [(5, "host"), (11, "waiting room")]
    assert [(line, col) for line, col, _ in result.rejected] == [(9, "email")]
    assert NO_EMAIL in result.rejected[0][2]
    # 1:58 PM EST = 18:58 UTC; each rejoin its own row; an unknown e-mail is left to the
    # contract's check (it is quarantined at ingestion)
    assert events(result) == [
        (6, "ada.lovelace@example.org", "2024-03-08T18:58:30+00:00", "2024-03-08T19:31:05+00:00"),
        (7, "ADA.LOVELACE@example.org", "2024-03-08T19:33:10+00:00", "2024-03-08T20:02:00+00:00"),
        (8, "grace.hopper@example.gov", "2024-03-08T19:01:44+00:00", "2024-03-08T20:00:02+00:00"),
        (10, "frances.allen@example.edu", "2024-03-08T19:02:00+00:00", "2024-03-08T19:50:00+00:00"),
        (12, "kjohnson@example.net", "2024-03-08T19:10:00+00:00", "2024-03-08T19:20:00+00:00"),
    ]
    assert result.rows_read == 8  # the participant rows, not the meeting block
    assert "Name (Original Name)" in result.unmapped
    assert not any("Lovelace" in str(v) for r in result.rows for v in r.values())


def test_meeting_without_block_is_matched_by_its_earliest_join(tmp_path):
    result = adapted(fixture(NO_BLOCK), context(tmp_path))
    # no ID, no start: the earliest join (1:58 PM EDT = 17:58 UTC) is 2 minutes from Z2
    assert result.session == "Z2"
    assert result.skipped == []  # without the block the host is not known: a row like any
    assert result.rejected == [(6, "leave_time", "Leave Time is empty")]
    assert events(result)[1] == (
        3,
        "dorothy.vaughan@example.com",
        "2024-03-15T18:00:40+00:00",  # 2:00 PM EDT (UTC-4), after the DST change
        "2024-03-15T18:45:10+00:00",
    )
    assert result.rows_read == 5


def test_the_same_wall_clock_time_converts_across_the_dst_change(tmp_path):
    """The recurring meeting's next week: same local times, one hour less from UTC; the
    shared ID picks the session nearest the start (Z2, not Z1)."""
    next_week = variant(MEETING, ("03/08/2024", "03/15/2024"))
    before = {r["_row"]: r for r in adapted(fixture(MEETING), context(tmp_path)).rows}
    after_result = adapted(next_week, context(tmp_path))
    after = {r["_row"]: r for r in after_result.rows}
    assert after_result.session == "Z2"
    assert before[12]["join_time"] == "2024-03-08T19:10:00+00:00"  # 2:10 PM EST
    assert after[12]["join_time"] == "2024-03-15T18:10:00+00:00"  # 2:10 PM EDT


@pytest.mark.parametrize("written", ["812 3456 7890", "812-3456-7890", "81234567890"])
def test_the_meeting_id_matches_as_digits_only(tmp_path, written):
    data = variant(MEETING, ("812 3456 7890", written))
    assert adapted(data, context(tmp_path)).session == "Z1"


def test_a_shared_id_more_than_6_hours_from_every_session_is_rejected(tmp_path):
    data = variant(MEETING, ("03/08/2024 01:55:12 PM", "03/09/2024 01:55:12 PM"))
    with pytest.raises(FileRejected) as e:
        adapted(data, context(tmp_path))
    message = str(e.value)
    assert "'Licensing PLC: session 4'" in message  # the meeting
    assert "2024-03-09T18:55:12+00:00" in message  # its start, in UTC
    assert "Z1 (2024-03-08T19:00:00+00:00)" in message  # the candidates
    assert "Z2 (2024-03-15T18:00:00+00:00)" in message
    assert "within 6 hours" in message


def test_an_unknown_id_and_no_session_near_the_start_is_rejected(tmp_path):
    data = variant(
        MEETING,
        ("812 3456 7890", "955 1234 0000"),
        ("03/08/2024 01:55:12 PM", "03/08/2024 08:55:12 AM"),
    )
    with pytest.raises(FileRejected) as e:
        adapted(data, context(tmp_path))
    message = str(e.value)
    assert "ID 955 1234 0000" in message and "2024-03-08T13:55:12+00:00" in message
    assert "no session has this platform_meeting_id" in message


def test_two_sessions_near_the_start_of_a_meeting_without_id_is_ambiguous(tmp_path):
    known = sessions() + sessions(
        "session_id,scheduled_start,platform_meeting_id\nZ9,2024-03-15T18:30:00Z,\n"
    )
    with pytest.raises(FileRejected) as e:
        adapted(fixture(NO_BLOCK), context(tmp_path, known=known))
    message = str(e.value)
    assert "'untitled'" in message and "ID none" in message
    assert "2024-03-15T17:58:00+00:00" in message  # the earliest join is the start
    assert "more than one session (Z2 (2024-03-15T18:00:00+00:00), Z9 (" in message


def test_an_unreadable_join_time_is_quarantined_with_the_formats_read(tmp_path):
    data = variant(NO_BLOCK, ("03/15/2024 02:03:00 PM", "15.03.2024 14:03"))
    result = adapted(data, context(tmp_path))
    (line, column, reason), *_ = result.rejected
    assert (line, column) == (5, "join_time")
    assert "'15.03.2024 14:03' is not a date-time" in reason and "MM/DD/YYYY" in reason


def test_an_unreadable_meeting_start_rejects_the_file(tmp_path):
    data = variant(MEETING, ("03/08/2024 01:55:12 PM,03/08", "yesterday,03/08"))
    with pytest.raises(FileRejected, match="the meeting's Start Time 'yesterday'"):
        adapted(data, context(tmp_path))


def test_a_quote_never_closed_rejects_the_file_naming_its_line(tmp_path):
    data = variant(NO_BLOCK, ("Ada Lovelace,", '"Ada Lovelace,'))
    with pytest.raises(
        FileRejected, match="line 5: a quoted value opens on this line and is never"
    ):
        adapted(data, context(tmp_path))


# --- webinar attendee report ----------------------------------------------------------------


def test_webinar_reads_attendees_and_skips_host_panelists_and_no_shows(tmp_path):
    result = adapted(fixture(WEBINAR), context(tmp_path))
    assert result.layout == "zoom_webinar"
    assert result.session == "W1"  # by webinar ID
    assert result.skipped == [(7, "host"), (10, "panelist"), (16, "no-show"), (18, "no-show")]
    assert result.rejected == []
    assert events(result) == [
        (13, "kjohnson@example.net", "2024-03-14T17:01:15+00:00", "2024-03-14T17:40:00+00:00"),
        (14, "kjohnson@example.net", "2024-03-14T17:42:30+00:00", "2024-03-14T18:02:10+00:00"),
        (15, "grace.hopper@example.gov", "2024-03-14T17:00:05+00:00", "2024-03-14T18:03:00+00:00"),
        (17, "aeasley@example.com", "2024-03-14T17:05:00+00:00", "2024-03-14T17:35:00+00:00"),
    ]
    assert result.rows_read == 8  # host, panelist and attendee rows; not the summary
    assert {"Phone", "Country/Region Name"} <= set(result.unmapped)
    assert not any(p in str(result.rows) for p in PHONES)


def test_webinar_without_id_is_matched_by_its_stated_start(tmp_path):
    data = variant(WEBINAR, ("847 5984 1045", ""))
    assert adapted(data, context(tmp_path)).session == "W1"  # 12:58 PM EDT, 2 min off


# --- through ingestion ----------------------------------------------------------------------


def test_zoom_exports_through_ingest(tmp_path):
    data_dir = write_reference(tmp_path)
    meeting = land(data_dir, MEETING)  # in a subfolder of attendance/, as centers keep them
    no_block = land(data_dir, NO_BLOCK)
    webinar = land(data_dir, WEBINAR)
    report = ingest(data_dir, sources=["attendance"])
    assert report.ok, [r.message for r in report.rejected]

    r = log_of(data_dir, meeting)
    assert (r["layout"], r["rows_read"], r["rows_loaded"]) == ("zoom_meeting", 8, 4)
    assert (r["rows_quarantined"], r["rows_skipped"]) == (2, 2)
    assert r["skipped"] == {"host": 1, "waiting room": 1}
    assert "2 row(s) skipped (1 host, 1 waiting room)" in r["message"]
    assert {k: (c, why[:49]) for k, (c, why) in reasons(data_dir, meeting).items()} == {
        9: ("email", NO_EMAIL),
        10: ("email", UNKNOWN_EMAIL[:49]),
    }

    r = log_of(data_dir, no_block)
    counts = (r["rows_read"], r["rows_loaded"], r["rows_quarantined"], r["rows_skipped"])
    assert (r["layout"], counts) == ("zoom_meeting", (5, 3, 2, 0))
    assert reasons(data_dir, no_block) == {
        2: ("email", UNKNOWN_EMAIL),  # the host, unknown without the meeting block
        6: ("leave_time", "Leave Time is empty"),
    }

    r = log_of(data_dir, webinar)
    counts = (r["rows_read"], r["rows_loaded"], r["rows_quarantined"], r["rows_skipped"])
    assert (r["layout"], counts) == ("zoom_webinar", (8, 3, 1, 4))
    assert r["skipped"] == {"host": 1, "panelist": 1, "no-show": 2}
    assert reasons(data_dir, webinar) == {17: ("email", UNKNOWN_EMAIL)}

    raw = read_raw(data_dir, "attendance")
    by_file = {}
    for x in raw:
        by_file.setdefault(x["_file"], []).append((x["_row"], x["session_id"]))
    assert by_file[meeting] == [(6, "Z1"), (7, "Z1"), (8, "Z1"), (12, "Z1")]
    assert by_file[no_block] == [(3, "Z2"), (4, "Z2"), (5, "Z2")]
    assert by_file[webinar] == [(13, "W1"), (14, "W1"), (15, "W1")]
    ada = [x for x in raw if x["_file"] == meeting and x["_row"] in (6, 7)]
    key = hmac_hex(TEST_SECRET.encode(), "ada.lovelace@example.org")
    assert [x["email_key"] for x in ada] == [key, key]  # the rejoin's upper case is one person
    assert str(ada[0]["join_time"]) == "2024-03-08 18:58:30"
    assert leaks(data_dir) == []

    again = ingest(data_dir, sources=["attendance"])  # the same bytes load nothing twice
    assert (again.records, again.skipped) == ([], 3)
