"""What every native-export adapter shares (``shared/contract/SOURCES.md``): the decoded file,
the context it is read in (its dataset, local time zone, the sessions it may match, a column
mapping), the result an adapter returns, and the one table of accepted date-time formats.

An adapter is a small function ``adapt(native, ctx) -> Adapted``: contract rows as text (each
with the native file's physical line number), rows skipped with their reason, rows rejected
with their column and reason (they go to quarantine), and the native columns it did not use.
Everything after it — the contract's checks, quarantine, accounting, pseudonymization — is
the same as for a contract CSV.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plcqi import settings
from plcqi.ingest import contract
from plcqi.ingest.read import FileRejected, decode

# Control files beside the exports (SOURCES.md): never landing files themselves.
TIMEZONE_FILE = "TIMEZONE"
MAPPING_FILE = "COLUMNS.csv"
CONTROL_FILES = (TIMEZONE_FILE, MAPPING_FILE)


@dataclass
class Line:
    """One record of a native file: its cells and the physical line it starts on."""

    number: int
    cells: list[str]

    @property
    def blank(self) -> bool:
        return not any(c.strip() for c in self.cells)

    def first(self) -> str:
        return self.cells[0].strip() if self.cells else ""


def records(text: str, delimiter: str = ",") -> list[Line]:
    """Every record of a (possibly ragged, sectioned) delimited text, numbered by the
    physical line it starts on; quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out, start = [], 1
    for cells in reader:
        out.append(Line(start, cells))
        start = reader.line_num + 1
    return out


def norm(header: str) -> str:
    """A heading as compared: trimmed, lower-case, inner spaces collapsed."""
    return " ".join(header.strip().lower().split())


# The date-time formats seen in native exports (SOURCES.md), in the order they are tried.
# ISO 8601 (with or without an offset) is tried first, by datetime.fromisoformat.
DATETIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",  # 03/08/2024 02:00:05 PM      (Zoom)
    "%m/%d/%Y %I:%M %p",  # 03/08/2024 02:00 PM
    "%m/%d/%Y %H:%M:%S",  # 03/08/2024 14:00:05
    "%m/%d/%Y %H:%M",  # 03/08/2024 14:00
    "%m/%d/%y, %I:%M:%S %p",  # 3/8/24, 2:00:05 PM          (Teams)
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%b %d, %Y %I:%M:%S %p",  # Mar 8, 2024 02:00:05 PM     (Zoom webinar)
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y %H:%M:%S",  # Mar 8, 2024 14:00:05  (Zoom webinar join times, older poll report)
    "%b %d, %Y %H:%M",
    "%Y-%m-%d %H:%M:%S",  # 2024-03-08 14:00:05          (Qualtrics, REDCap)
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y",  # 03/08/2024: a date typed into a tracker spreadsheet (local midnight)
)
DATETIME_EXAMPLES = (
    "MM/DD/YYYY hh:mm:ss AM, MM/DD/YYYY HH:MM[:SS], M/D/YY, h:mm:ss AM, "
    "Mon D, YYYY hh:mm:ss AM, Mon D, YYYY HH:MM:SS, YYYY-MM-DD HH:MM:SS, MM/DD/YYYY "
    "or ISO 8601"
)


def _shape(s: str) -> tuple:
    """What a text matching a format of ``DATETIME_FORMATS`` must share with the format: how
    many of each separator no directive matches, and whether it ends in a letter (``%p``) or
    a digit. A format of another shape cannot match the text, so it is not tried.

    >>> _shape("3/8/24, 2:00:05 PM") == _FORMAT_SHAPES[4][1]
    True
    """
    return (s.count("/"), s.count(":"), s.count(","), s.count("-"), s[-1:].isalpha())


# Each format with the shape of the texts it can match (no directive holds a separator; only
# %p ends in a letter).
_FORMAT_SHAPES = tuple((fmt, (*_shape(fmt)[:4], fmt.endswith("%p"))) for fmt in DATETIME_FORMATS)


def parse_datetime(text: str, tz: ZoneInfo) -> datetime | None:
    """A native date-time as UTC; a time without an offset is local time in ``tz``
    (daylight saving included). None when it matches no accepted format."""
    s = " ".join(text.strip().split())
    if not s:
        return None
    value = None
    try:
        value = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        shape = _shape(s)
        for fmt, fmt_shape in _FORMAT_SHAPES:
            if fmt_shape != shape:
                continue  # strptime would fail: try only the formats that can match
            try:
                value = datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999: implausible anyway, and the checks say so
        return value.replace(tzinfo=UTC)


def iso(value: datetime) -> str:
    """A UTC date-time as the contract's ISO 8601 text (the year always in four digits).

    >>> iso(datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC))
    '0999-01-02T03:04:05+00:00'
    """
    with contextlib.suppress(OverflowError):  # year 1 or 9999
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None, microsecond=0).isoformat() + "+00:00"


def digits(meeting_id: str | None) -> str:
    """A meeting or webinar ID compared as digits only (``812 3456 7890`` = ``81234567890``)."""
    if not meeting_id:
        return ""
    if meeting_id.isascii() and meeting_id.isdigit():
        return meeting_id
    return _NON_DIGIT.sub("", meeting_id)


_NON_DIGIT = re.compile(r"\D")


def slug(text: str) -> str:
    """A stable id from free text (a poll question): lower-case letters and digits joined by
    ``_``, at most 64 characters. A longer one keeps 55 and ends in a hash of the whole, as
    statements of one battery often share their first 64 characters.

    >>> slug("How useful was today's session?")
    'how_useful_was_today_s_session'
    """
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "question"
    if len(s) <= 64:
        return s
    return s[:55].rstrip("_") + "_" + hashlib.sha1(s.encode()).hexdigest()[:8]


# The five agreement labels of a 1-5 item (polls and surveys), in order: label i is value i.
AGREEMENT = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)


def code(label: str) -> str:
    """A choice label matched to a contract code: lower-cased, every character that is not a
    letter or digit dropped (``Lead agency buy-in`` -> ``leadagencybuyin``)."""
    return re.sub(r"[^a-z0-9]", "", label.lower())


@dataclass(frozen=True)
class Session:
    session_id: str
    scheduled_start: datetime  # UTC
    platform_meeting_id: str  # digits only, '' when none


class Sessions(tuple):
    """A sessions snapshot's sessions (a tuple of :class:`Session`), indexed by meeting ID
    when first asked: the meeting exports of a run share one snapshot, so one index."""

    @cached_property
    def by_meeting(self) -> dict[str, list[Session]]:
        index: dict[str, list[Session]] = {}
        for s in self:
            index.setdefault(s.platform_meeting_id, []).append(s)
        return index


@dataclass
class Adapted:
    """A native file converted to contract rows."""

    layout: str
    rows: list[dict[str, str | None]] = field(default_factory=list)  # each has "_row"
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    rejected: list[tuple[int, str | None, str]] = field(default_factory=list)  # line, col, why
    unmapped: list[str] = field(default_factory=list)  # native columns not used
    session: str | None = None  # the matched session, as ``plcqi sources detect`` shows it
    # full names in the export's name columns: redacted from its free text (redact.py), never
    # stored
    people: list[str] = field(default_factory=list)
    control_characters: int = 0  # removed from cells the adapter read itself (a workbook's)

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.skipped) + len(self.rejected)

    def skip(self, line: int, reason: str) -> None:
        self.skipped.append((line, reason))

    def reject(self, line: int, column: str | None, reason: str) -> None:
        self.rejected.append((line, column, reason))


@dataclass
class Context:
    """Where a native file is read: its dataset, path, and what it is matched against."""

    dataset: contract.Dataset
    path: Path
    rel: str  # path relative to landing/, as messages name it
    landing: Path
    sessions_loader: Callable[[], Sequence[Session]] = tuple

    @cached_property
    def sessions(self) -> Sessions:
        found = self.sessions_loader()
        return found if isinstance(found, Sessions) else Sessions(found)

    def control_file(self, name: str) -> Path | None:
        """``name`` in the export's folder or the nearest folder above it within landing/."""
        folder = self.path.parent
        landing = self.landing.resolve()
        while True:
            candidate = folder / name
            if candidate.is_file():
                return candidate
            if folder.resolve() == landing or folder.parent == folder:
                return None
            folder = folder.parent

    @cached_property
    def timezone(self) -> ZoneInfo:
        """The local zone of times without an offset: a ``TIMEZONE`` file, else the
        PLCQI_SOURCE_TIMEZONE setting (an export's own zone, where it states one, wins:
        adapters pass it to ``zone``)."""
        found = self.control_file(TIMEZONE_FILE)
        if found is not None:
            name = found.read_text(encoding="utf-8-sig").strip()
            where = found.relative_to(self.landing).as_posix()
        else:
            name, where = settings.get("source_timezone"), "PLCQI_SOURCE_TIMEZONE"
        return self.zone(name, where)

    def zone(self, name: str, where: str) -> ZoneInfo:
        try:
            return ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise FileRejected(
                f"{self.rel}: the time zone {name!r} ({where}) is not an IANA time zone name "
                "such as America/New_York"
            ) from None

    @cached_property
    def mapping(self) -> dict[str, str]:
        """The documented column mapping (``COLUMNS.csv``: ``source,column``), headings
        compared by ``norm``; empty when there is none."""
        found = self.control_file(MAPPING_FILE)
        if found is None:
            return {}
        where = found.relative_to(self.landing).as_posix()
        lines = records(decode(found.read_bytes(), where))
        if not lines or [norm(c) for c in lines[0].cells[:2]] != ["source", "column"]:
            raise FileRejected(
                f"{self.rel}: the mapping {where} must be a CSV with the header source,column"
            )
        names = {c.name for c in self.dataset.columns}
        out = {}
        for line in lines[1:]:
            if line.blank:
                continue
            source, column = (line.cells + ["", ""])[:2]
            if column.strip().lower() not in names:
                raise FileRejected(
                    f"{where}, line {line.number}: {column.strip()!r} is not a column of "
                    f"{self.dataset.name} (expected one of {', '.join(sorted(names))})"
                )
            out[norm(source)] = column.strip().lower()
        return out

    def datetime(self, text: str, tz: ZoneInfo | None = None) -> datetime | None:
        return parse_datetime(text, tz or self.timezone)

    def match_session(self, meeting: str, meeting_id: str | None, start: datetime | None) -> str:
        """The session a meeting export is: by its meeting ID (the nearest scheduled start
        within 6 hours when the ID is shared), else the one session starting within 60
        minutes of ``start``. Rejects the file naming the meeting, its start and candidates."""
        mid = digits(meeting_id)
        when = iso(start) if start else "no start time"
        described = f"meeting {meeting!r} (ID {meeting_id or 'none'}, start {when})"
        if mid:
            same = list(self.sessions.by_meeting.get(mid, ()))
            if start is not None:
                near = [s for s in same if abs(s.scheduled_start - start) <= timedelta(hours=6)]
            else:
                near = same if len(same) == 1 else []
            if near:
                near.sort(key=lambda s: abs(s.scheduled_start - start) if start else 0)
                return near[0].session_id
            if same:
                listed = ", ".join(f"{s.session_id} ({iso(s.scheduled_start)})" for s in same[:5])
                raise FileRejected(
                    f"{self.rel}: {described} matches no session: the sessions with this "
                    f"platform_meeting_id ({listed}) are not scheduled within 6 hours of it"
                )
        if start is None:
            raise FileRejected(
                f"{self.rel}: {described} matches no session: no session has this "
                "platform_meeting_id and the export states no start time"
            )
        near = [s for s in self.sessions if abs(s.scheduled_start - start) <= timedelta(hours=1)]
        if len(near) == 1:
            return near[0].session_id
        if not near:
            why = (
                "no session has this platform_meeting_id and none is scheduled within 60 "
                "minutes of its start"
                if mid
                else "it has no meeting ID and no session is scheduled within 60 minutes of "
                "its start"
            )
            raise FileRejected(
                f"{self.rel}: {described} matches no session: {why}; set platform_meeting_id "
                "in sessions.csv"
            )
        listed = ", ".join(f"{s.session_id} ({iso(s.scheduled_start)})" for s in near)
        raise FileRejected(
            f"{self.rel}: {described} matches more than one session ({listed}); set "
            "platform_meeting_id in sessions.csv to tell them apart"
        )


def by_heading(header: list[str]) -> dict[str, int]:
    """Column positions by normalized heading (the first of repeated headings)."""
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        out.setdefault(norm(h), i)
    return out


def cell(line: Line, index: int | None) -> str:
    if index is None or index >= len(line.cells):
        return ""
    return line.cells[index].strip()


@dataclass(frozen=True)
class Layout:
    """A native layout: its name, the datasets it feeds, how it is recognized and adapted.

    ``sniff(text)`` returns how many of the layout's marks the file has and the marks it
    lacks; the layout is recognized when nothing is missing. ``adapt`` converts it.
    """

    name: str
    title: str  # as messages and docs name it, e.g. "Zoom meeting participants report"
    datasets: tuple[str, ...]
    sniff: Callable[..., tuple[int, list[str]]]
    adapt: Callable[[str, Context], Adapted]
    binary: bool = False  # adapt gets the path's bytes decoded as latin-1 (e.g. .xlsx)
    # values may be quoted ("…", a quote left open rejects the file); Teams quotes nothing
    quoting: bool = True
    # sniff(text, ctx): recognizing it needs the export's control files (a COLUMNS.csv
    # mapping); ctx is None where there is no context, and the layout then lacks it.
    contextual: bool = False


def marks(text: str, wanted: dict[str, Callable[[str], bool]]) -> tuple[int, list[str]]:
    """Score a file against named checks: (how many hold, the names of those that fail)."""
    missing = [name for name, check in wanted.items() if not check(text)]
    return len(wanted) - len(missing), missing


def head_lines(text: str, n: int = 40) -> Iterator[str]:
    for i, line in enumerate(text.splitlines()):
        if i >= n:
            return
        yield line
