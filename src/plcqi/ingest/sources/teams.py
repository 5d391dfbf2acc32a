"""Microsoft Teams attendance exports (SOURCES.md, "Attendance"): the attendance report and
the older attendance list, each one meeting's attendance. Both are UTF-16 LE text with a BOM,
tab-separated though named ``.csv``.

Attendance report (Teams > meeting > Attendance > Download)::

    1. Summary
    Meeting title<TAB>Licensing PLC session 2
    Start time<TAB>3/8/24, 9:58:12 AM
    …
    2. Participants
    Name  First Join  Last Leave  In-Meeting Duration  Email  Participant ID (UPN)  Role
    …
    3. In-Meeting Activities
    Name  Join Time  Leave Time  Duration  Email  Role        (a row per join)

Intervals come from section 3 where the report has it (its rows are the rows read), else from
each participant's first join to last leave in section 2. ``Organizer`` and ``Co-organizer``
rows (``Organiser`` where Teams writes British English) are skipped; ``Presenter`` and
``Attendee`` rows are attendance. ``Participant ID (UPN)`` stands in for the e-mail only where
``Email`` is empty (section 3 has no UPN column: a section 3 row without an e-mail takes the
address or UPN of the one section 2 participant of the same name — the name is compared in
memory and never stored).

Attendance list (Teams until 2021)::

    Full Name<TAB>User Action<TAB>Timestamp[<TAB>Email]
    …<TAB>Joined<TAB>3/15/2024, 4:28:03 PM

A row per event: ``Joined`` or ``Joined before`` (already in the meeting when the list
started) opens an interval, ``Left`` closes that person's earliest open one (so two devices
joined at once still give two intervals). A join never closed ends at **the last timestamp of
the file** — the list is downloaded during or at the end of the meeting, and that is the last
moment the list knows anyone was there. A ``Left`` row that closes an interval is skipped
(its time is in the interval of its join's row); a ``Left`` with no open join is quarantined.
Most lists have no e-mail column: then every row is quarantined as having no e-mail, since a
display name never identifies a participant.

Teams states no meeting ID: the session is the one scheduled within 60 minutes of the
meeting's start (the report's ``Start time``, else the earliest time in the export).
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from datetime import datetime

from plcqi.ingest.read import FileRejected
from plcqi.ingest.sources.attendance import (
    NO_EMAIL,
    UNTITLED,
    add_event,
    add_interval,
    earliest,
    meeting_start,
    time_problem,
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
    parse_datetime,
)

ROLES_SKIPPED = {
    "organizer": "organizer",
    "organiser": "organizer",
    "co-organizer": "co-organizer",
    "co-organiser": "co-organizer",
}
_SECTION = re.compile(r"^\d+\.\s*(\S.*)$")
SUMMARY, PARTICIPANTS, ACTIVITIES = "summary", "participants", "in-meeting activities"
UPN = "participant id (upn)"


def tab_lines(text: str) -> list[Line]:
    """Every physical line split at tabs. Teams quotes nothing, so a quote in a display name
    is a character, not the start of a field that could swallow the lines after it; a cell
    wrapped in quotes (a file re-saved by a spreadsheet) is unwrapped.

    >>> [(line.number, line.cells) for line in tab_lines('Name\\tRole\\r\\n"Ann\\t"Lee, Bo"\\r\\n')]
    [(1, ['Name', 'Role']), (2, ['"Ann', 'Lee, Bo']), (3, [''])]
    """
    out = []
    for number, raw in enumerate(text.split("\n"), start=1):
        cells = []
        for c in raw.rstrip("\r").split("\t"):
            c = c.strip()
            if len(c) >= 2 and c[0] == c[-1] == '"':
                c = c[1:-1].replace('""', '"')
            cells.append(c)
        out.append(Line(number, cells))
    return out


def _section(line: Line) -> str | None:
    """A numbered section's name (``2. Participants`` -> ``participants``), else None."""
    found = _SECTION.match(line.first())
    if found and not any(c for c in line.cells[1:]):
        return norm(found.group(1))
    return None


def _sections(lines: list[Line]) -> dict[str, list[Line]]:
    """The non-blank lines of each numbered section, by section name."""
    out: dict[str, list[Line]] = {}
    current = None
    for line in lines:
        name = _section(line)
        if name is not None:
            current = out.setdefault(name, [])
        elif current is not None and not line.blank:
            current.append(line)
    return out


# --- attendance report ----------------------------------------------------------------------


def sniff_report(text: str) -> tuple[int, list[str]]:
    lines = tab_lines("\n".join(head_lines(text)))
    names = {_section(line) for line in lines}
    headers = [{norm(c) for c in line.cells} for line in lines]
    return marks(
        text,
        {
            "a '1. Summary' section": lambda _: SUMMARY in names,
            "a '2. Participants' section": lambda _: PARTICIPANTS in names,
            "a participants header (Name, First Join, Last Leave, Email)": lambda _: any(
                {"name", "first join", "last leave", "email"} <= h for h in headers
            ),
        },
    )


def _table(lines: list[Line]) -> tuple[list[str] | None, list[Line]]:
    """A section's header and data rows (None, [] when the section is absent or empty)."""
    return (lines[0].cells, lines[1:]) if lines else (None, [])


def _identity_by_name(header: list[str], rows: list[Line]) -> dict[str, str]:
    """Section 2's e-mail (else UPN) of each name held by exactly one participant, for the
    section 3 rows that carry no e-mail. Kept in memory only."""
    col = by_heading(header)
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        found[norm(cell(row, col.get("name")))].add(
            cell(row, col.get("email")) or cell(row, col.get(UPN))
        )
    return {name: ids.pop() for name, ids in found.items() if len(ids) == 1}


def adapt_report(text: str, ctx: Context) -> Adapted:
    """A Teams attendance report as attendance rows of its session."""
    out = Adapted("teams_attendance")
    sections = _sections(tab_lines(text))
    summary = {norm(line.cells[0]): cell(line, 1) for line in sections.get(SUMMARY, [])}
    participants, people = _table(sections.get(PARTICIPANTS, []))
    activities, joins = _table(sections.get(ACTIVITIES, []))
    if participants is None:
        raise FileRejected(f"{ctx.rel}: the '2. Participants' section has no header row")
    if activities is not None:
        header, rows, times = activities, joins, ("join time", "leave time")
        labels = ("Join Time", "Leave Time")
    else:
        header, rows, times = participants, people, ("first join", "last leave")
        labels = ("First Join", "Last Leave")
    col = by_heading(header)
    tz = ctx.timezone
    start = meeting_start(summary.get("start time", ""), tz, ctx.rel, "Start time")
    if start is None:
        start = earliest([cell(r, col.get(times[0])) for r in rows], tz)
    out.session = ctx.match_session(summary.get("meeting title") or UNTITLED, None, start)
    by_name = _identity_by_name(participants, people) if activities is not None else {}
    for row in rows:
        role = ROLES_SKIPPED.get(norm(cell(row, col.get("role"))))
        if role:
            out.skip(row.number, role)
            continue
        email = cell(row, col.get("email")) or cell(row, col.get(UPN))
        email = email or by_name.get(norm(cell(row, col.get("name"))), "")
        join, leave = cell(row, col.get(times[0])), cell(row, col.get(times[1]))
        add_event(out, row.number, out.session, email, join, leave, tz, labels)
    out.unmapped = unused(header, {"email", UPN, "role", *times})
    return out


# --- attendance list (legacy) ---------------------------------------------------------------

LEGACY = ("full name", "user action", "timestamp")
JOINS = ("joined", "joined before")
LEFT = "left"
LEFT_PAIRED = "leave paired with its join"


def _legacy_header(lines: list[Line]) -> int | None:
    """The list's header: its first non-blank line."""
    return next((i for i, line in enumerate(lines) if not line.blank), None)


def sniff_legacy(text: str) -> tuple[int, list[str]]:
    lines = tab_lines("\n".join(head_lines(text, 5)))
    at = _legacy_header(lines)
    found = {norm(c) for c in lines[at].cells} if at is not None else set()
    return marks(
        text,
        {f"a tab-separated '{h.title()}' column": (lambda _, h=h: h in found) for h in LEGACY},
    )


def adapt_legacy(text: str, ctx: Context) -> Adapted:
    """A Teams attendance list (Full Name / User Action / Timestamp) as attendance rows."""
    out = Adapted("teams_legacy")
    lines = tab_lines(text)
    at = _legacy_header(lines)
    assert at is not None  # sniffed
    col = by_heading(lines[at].cells)
    rows = [line for line in lines[at + 1 :] if not line.blank]
    tz = ctx.timezone
    when = {r.number: parse_datetime(cell(r, col["timestamp"]), tz) for r in rows}
    known = [t for t in when.values() if t is not None]
    out.session = ctx.match_session(UNTITLED, None, min(known) if known else None)
    out.unmapped = unused(lines[at].cells, {"user action", "timestamp", "email"})
    if "email" not in col:
        why = f"{NO_EMAIL} (this attendance list has no Email column)"
        for row in rows:
            out.reject(row.number, "email", why)
        return out
    _pair(out, rows, col, when, max(known) if known else None)
    return out


def _pair(
    out: Adapted,
    rows: list[Line],
    col: dict[str, int],
    when: dict[int, datetime | None],
    last: datetime | None,
) -> None:
    """Joins and leaves of each person, in time order, as intervals (see the module doc)."""
    open_joins: dict[str, deque[Line]] = defaultdict(deque)
    ordered = []
    for row in rows:
        action = norm(cell(row, col["user action"]))
        column = "leave_time" if action == LEFT else "join_time"
        if action not in (*JOINS, LEFT):
            out.reject(
                row.number,
                None,
                f"User Action {cell(row, col['user action'])!r} is not Joined, Joined before "
                "or Left",
            )
        elif when[row.number] is None:
            out.reject(row.number, column, time_problem("Timestamp", cell(row, col["timestamp"])))
        else:
            ordered.append((when[row.number], row.number, action, row))
    ordered.sort(key=lambda e: (e[0], e[1]))
    for time, number, action, row in ordered:
        email = cell(row, col["email"])
        # the name keys a person only in memory, where the row has no e-mail to key them
        person = email.lower() or "name:" + norm(cell(row, col["full name"]))
        if action in JOINS:
            open_joins[person].append(row)
        elif open_joins[person]:
            joined = open_joins[person].popleft()
            email = cell(joined, col["email"])
            add_interval(out, joined.number, out.session, email, when[joined.number], time)
            out.skip(number, LEFT_PAIRED)
        else:
            out.reject(
                number, "join_time", "a Left with no Joined before it, so its join time is unknown"
            )
    for person_joins in open_joins.values():
        for joined in person_joins:
            email = cell(joined, col["email"])
            add_interval(out, joined.number, out.session, email, when[joined.number], last)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "teams_attendance",
        "Microsoft Teams attendance report",
        ("attendance",),
        sniff_report,
        adapt_report,
        quoting=False,
    ),
    Layout(
        "teams_legacy",
        "Microsoft Teams attendance list (Full Name / User Action / Timestamp)",
        ("attendance",),
        sniff_legacy,
        adapt_legacy,
        quoting=False,
    ),
)
