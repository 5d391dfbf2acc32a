"""What the attendance adapters (``zoom``, ``teams``) share: turning one native row into a
contract attendance row, or into a quarantine reason when it cannot be one.

A row of a meeting export names its person by e-mail only and its interval by two local times;
the session is the export's, matched once for the whole file. Names, phone numbers and
locations in the export are never read into a row.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from plcqi.ingest.read import FileRejected
from plcqi.ingest.sources.base import (
    DATETIME_EXAMPLES,
    Adapted,
    iso,
    norm,
    parse_datetime,
)

UNTITLED = "untitled"  # the meeting's name in messages when the export states none
NO_EMAIL = (
    "no e-mail address for this attendee in the export, so they cannot be matched to "
    "participants.csv"
)


def time_problem(label: str, text: str) -> str:
    """Why a native time cell is not a time, in plain words."""
    if not text.strip() or text.strip() in ("-", "--"):
        return f"{label} is empty"
    return f"{label} {text.strip()!r} is not a date-time plcqi reads ({DATETIME_EXAMPLES})"


def add_event(
    out: Adapted,
    line: int,
    session_id: str,
    email: str,
    join: str,
    leave: str,
    tz: ZoneInfo,
    labels: tuple[str, str] = ("Join Time", "Leave Time"),
) -> None:
    """One attendance interval from a native row with two local time cells: a contract row
    when its e-mail and both times are readable, else quarantined with the first reason."""
    joined, left = parse_datetime(join, tz), parse_datetime(leave, tz)
    if not email.strip():
        out.reject(line, "email", NO_EMAIL)
    elif joined is None:
        out.reject(line, "join_time", time_problem(labels[0], join))
    elif left is None:
        out.reject(line, "leave_time", time_problem(labels[1], leave))
    else:
        add_interval(out, line, session_id, email, joined, left)


def add_interval(
    out: Adapted,
    line: int,
    session_id: str,
    email: str,
    joined: datetime | None,
    left: datetime | None,
) -> None:
    """One attendance interval as a contract row (times in UTC), or quarantined when no
    e-mail names the person. The contract's own checks (an unknown e-mail, a leave before
    the join, implausible times) then run on the row like on any contract file's."""
    email = email.strip()
    if not email:
        out.reject(line, "email", NO_EMAIL)
        return
    assert joined is not None and left is not None
    out.rows.append(
        {
            "_row": line,
            "session_id": session_id,
            "email": email,
            "join_time": iso(joined),
            "leave_time": iso(left),
        }
    )


def earliest(texts: list[str], tz: ZoneInfo) -> datetime | None:
    """The earliest readable time of ``texts``: a meeting's start where the export states
    none (SOURCES.md: the earliest join time)."""
    times = [t for t in (parse_datetime(s, tz) for s in texts) if t is not None]
    return min(times) if times else None


def meeting_start(text: str, tz: ZoneInfo, rel: str, label: str) -> datetime | None:
    """The start the export states (None when it states none); an unreadable one rejects the
    file, since the session could not be matched with confidence."""
    if not text.strip():
        return None
    start = parse_datetime(text, tz)
    if start is None:
        raise FileRejected(f"{rel}: the meeting's {time_problem(label, text)}")
    return start


def unused(header: list[str], used: set[str]) -> list[str]:
    """The headings of ``header`` an adapter did not read (``norm``-ed ``used``)."""
    return [h.strip() for h in header if h.strip() and norm(h) not in used]
