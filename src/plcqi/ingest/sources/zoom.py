"""Zoom attendance exports (SOURCES.md, "Attendance"): the meeting participants report and the
webinar attendee report, each one session's attendance.

Meeting participants report (Reports > Usage > Participants > Export)::

    Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants
    812 3456 7890,Licensing PLC,03/08/2024 01:55:12 PM,03/08/2024 03:04:40 PM,host@…,70,5
    (blank line)
    Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,…

The meeting block (first three lines) is there only when "Export with meeting data" was
ticked; without it the report states no meeting ID and no start, so the session is the one
scheduled within 60 minutes of the earliest join. ``In Waiting Room`` = Yes rows never entered
the meeting; rows with the block's ``User Email`` are the host. Every rejoin is its own row
(the contract merges overlapping intervals).

Webinar attendee report: ``Attendee Report``, ``Report Generated:``, a summary header starting
``Topic,Webinar ID,Actual Start Time`` and its row, then the sections ``Host Details``,
``Panelist Details`` and ``Attendee Details``, each with its own header. Rows read are the
rows of those three sections; host and panelist rows are skipped, as are ``Attended`` = No
rows (registrants who never came; their times are ``--``).

Only ``User Email`` / ``Email`` and the two times are read: names, phone numbers and
countries never leave the export.
"""

from __future__ import annotations

import re

from plcqi.ingest.read import FileRejected
from plcqi.ingest.sources.attendance import (
    UNTITLED,
    add_event,
    earliest,
    meeting_start,
    unused,
)
from plcqi.ingest.sources.base import (
    Adapted,
    Context,
    Layout,
    Line,
    by_heading,
    cell,
    head_lines,
    marks,
    norm,
    records,
)

PARTICIPANTS = "name (original name)"  # first heading of the meeting report's participants
BLOCK = ("meeting id", "topic", "start time")
SUMMARY = ("topic", "webinar id", "actual start time")
MEETING_READ = {"user email", "join time", "leave time", "in waiting room"}
SECTIONS = {"host details": "host", "panelist details": "panelist", "attendee details": None}


def _head(text: str) -> list[Line]:
    return records("\n".join(head_lines(text)))


def _starts(line: Line, headings: tuple[str, ...]) -> bool:
    return tuple(norm(c) for c in line.cells[: len(headings)]) == headings


def _find(lines: list[Line], headings: tuple[str, ...]) -> int | None:
    return next((i for i, line in enumerate(lines) if _starts(line, headings)), None)


def _next_row(lines: list[Line], after: int, stop: int) -> int | None:
    """The first non-blank record after ``after`` and before ``stop``: a header's one row."""
    return next((i for i in range(after + 1, stop) if not lines[i].blank), None)


# --- meeting participants report ------------------------------------------------------------


def sniff_meeting(text: str) -> tuple[int, list[str]]:
    lines = _head(text)
    at = _find(lines, (PARTICIPANTS,))
    found = {norm(c) for c in lines[at].cells} if at is not None else set()
    return marks(
        text,
        {
            "a participants header starting 'Name (Original Name)'": lambda _: at is not None,
            "a 'User Email' column": lambda _: "user email" in found,
            "a 'Join Time' column": lambda _: "join time" in found,
            "a 'Leave Time' column": lambda _: "leave time" in found,
        },
    )


def _meeting_block(lines: list[Line], stop: int) -> dict[str, str]:
    """The meeting block's cells by heading, or {} when the report has none."""
    at = _find(lines[:stop], BLOCK)
    if at is None:
        return {}
    row = _next_row(lines, at, stop)
    if row is None:
        return {}
    return {norm(h): cell(lines[row], i) for i, h in enumerate(lines[at].cells) if h.strip()}


def adapt_meeting(text: str, ctx: Context) -> Adapted:
    """A meeting participants report as attendance rows of its session."""
    out = Adapted("zoom_meeting")
    lines = records(text)
    at = _find(lines, (PARTICIPANTS,))
    assert at is not None  # sniffed
    header = lines[at]
    col = by_heading(header.cells)
    block = _meeting_block(lines, at)
    rows = [line for line in lines[at + 1 :] if not line.blank]
    tz = ctx.timezone

    def waiting(line: Line) -> bool:
        return norm(cell(line, col.get("in waiting room"))) == "yes"

    start = meeting_start(block.get("start time", ""), tz, ctx.rel, "Start Time")
    if start is None:
        start = earliest([cell(r, col["join time"]) for r in rows if not waiting(r)], tz)
    out.session = ctx.match_session(
        block.get("topic") or UNTITLED, block.get("meeting id") or None, start
    )
    host = block.get("user email", "").lower()
    for row in rows:
        email = cell(row, col.get("user email"))
        if waiting(row):
            out.skip(row.number, "waiting room")
        elif host and email.lower() == host:
            out.skip(row.number, "host")
        else:
            join, leave = cell(row, col["join time"]), cell(row, col["leave time"])
            add_event(out, row.number, out.session, email, join, leave, tz)
    out.unmapped = unused(header.cells, MEETING_READ)
    return out


# --- webinar attendee report ----------------------------------------------------------------

_ATTENDEE_DETAILS = re.compile(r'^"?attendee details"?\s*(,|$)', re.IGNORECASE | re.MULTILINE)


def sniff_webinar(text: str) -> tuple[int, list[str]]:
    lines = _head(text)
    return marks(
        text,
        {
            "an 'Attendee Report' title line": lambda _: any(
                _starts(line, ("attendee report",)) for line in lines
            ),
            "a summary header starting 'Topic,Webinar ID,Actual Start Time'": lambda _: (
                _find(lines, SUMMARY) is not None
            ),
            "an 'Attendee Details' section": lambda t: bool(_ATTENDEE_DETAILS.search(t)),
        },
    )


def _section_title(line: Line) -> str | None:
    """A section's title line (``Host Details,,,,``): its heading, else None."""
    first = norm(line.cells[0]) if line.cells else ""
    if first.endswith(" details") and not any(c.strip() for c in line.cells[1:]):
        return first
    return None


def _sections(lines: list[Line]) -> list[tuple[str, list[str], Line]]:
    """The data rows of every section, each with its section's title and header."""
    out = []
    title, header = None, None
    for line in lines:
        if line.blank:
            continue
        found = _section_title(line)
        if found is not None:
            title, header = found, None
        elif title is not None and header is None:
            header = line.cells
        elif title is not None:
            out.append((title, header, line))
    return out


def adapt_webinar(text: str, ctx: Context) -> Adapted:
    """A webinar attendee report as attendance rows of its session."""
    out = Adapted("zoom_webinar")
    lines = records(text)
    at = _find(lines, SUMMARY)
    assert at is not None  # sniffed
    below = _next_row(lines, at, len(lines))
    if below is None or _section_title(lines[below]) is not None:
        raise FileRejected(
            f"{ctx.rel}: the webinar summary header (line {lines[at].number}) has no row below it"
        )
    summary = {norm(h): cell(lines[below], i) for i, h in enumerate(lines[at].cells)}
    rows = [r for r in _sections(lines[below + 1 :]) if r[0] in SECTIONS]
    tz = ctx.timezone

    def attended(header: list[str], line: Line) -> bool:
        return norm(cell(line, by_heading(header).get("attended"))) != "no"

    start = meeting_start(summary.get("actual start time", ""), tz, ctx.rel, "Actual Start Time")
    if start is None:
        joins = [
            cell(line, by_heading(header).get("join time"))
            for title, header, line in rows
            if SECTIONS[title] is None and attended(header, line)
        ]
        start = earliest(joins, tz)
    out.session = ctx.match_session(
        summary.get("topic") or UNTITLED, summary.get("webinar id") or None, start
    )
    seen_headers: list[str] = []
    for title, header, line in rows:
        col = by_heading(header)
        if SECTIONS[title] is not None:
            out.skip(line.number, SECTIONS[title])
        elif not attended(header, line):
            out.skip(line.number, "no-show")
        else:
            join, leave = cell(line, col.get("join time")), cell(line, col.get("leave time"))
            add_event(out, line.number, out.session, cell(line, col.get("email")), join, leave, tz)
            seen_headers += [h for h in header if h not in seen_headers]
    out.unmapped = unused(seen_headers, {"attended", "email", "join time", "leave time"})
    return out


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "zoom_meeting",
        "Zoom meeting participants report",
        ("attendance",),
        sniff_meeting,
        adapt_meeting,
    ),
    Layout(
        "zoom_webinar",
        "Zoom webinar attendee report",
        ("attendance",),
        sniff_webinar,
        adapt_webinar,
    ),
)
