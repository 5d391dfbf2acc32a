"""What the attendance adapters' tests share: the sessions their fixtures (``fixtures/zoom``,
``fixtures/teams``) belong to, the people named in them, and ways to read a fixture directly
or land it for ``plcqi.ingest.run.ingest``.

The sessions straddle the 2024 daylight-saving change of America/New_York (Sunday, March 10):
a Zoom meeting and a Teams call on Friday 2024-03-08 (EST, UTC-5) and on Friday 2024-03-15
(EDT, UTC-4). Z1 and Z2 are one recurring Zoom meeting (one ID, written two ways).
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

from plcqi.ingest import contract
from plcqi.ingest.run import ingest
from plcqi.ingest.sources import Adapted, Context, Session, adapt, detect
from plcqi.ingest.sources.base import digits
from tests.helpers import REFERENCE, names_in, read_log_records, read_quarantine, read_raw
from tests.helpers import write_reference as _write_reference

FIXTURES = Path(__file__).parent / "fixtures"
ATTENDANCE = contract.dataset("attendance")

SESSIONS = (
    REFERENCE["sessions.csv"].replace("status\n", "status,platform_meeting_id\n", 1)
    + """\
Z1,K1,4,webinar,Licensing PLC 4,2024-03-08T19:00:00Z,60,delivered,812 3456 7890
Z2,K1,5,webinar,Licensing PLC 5,2024-03-15T18:00:00Z,60,delivered,812-3456-7890
W1,K2,2,webinar,Workforce webinar,2024-03-14T17:00:00Z,60,delivered,84759841045
T1,K1,6,team_lead_call,Team leads,2024-03-08T15:00:00Z,60,delivered,
T2,K2,3,office_hours,Office hours,2024-03-15T20:30:00Z,60,delivered,
"""
)

# Everyone the fixtures name, as they write it (a name must never reach raw/ or quarantine/).
NAMES = (
    "Mary Jackson",
    "Ada Lovelace",
    "Lovelace, Ada",
    "Grace Hopper",
    "Katherine Johnson",
    "Dorothy Vaughan",
    "Annie Easley",
    "Frances Allen",
    "Boyd, Evelyn",
    "Christine Darden",
)
EMAILS = (
    "mjackson@ta-center.example",
    "cdarden@ta-center.example",
    "ada.lovelace@example.org",
    "grace.hopper@example.gov",
    "kjohnson@example.net",
    "dorothy.vaughan@example.com",
    "aeasley@example.com",
    "frances.allen@example.edu",
    "eboyd@example.org",
)
PHONES = ("+1 202 555 0143", "+1 671 555 0199", "+1 216 555 0101")

NO_EMAIL = "no e-mail address for this attendee in the export"
UNKNOWN_EMAIL = "unknown email: no participant in reference/participants has this email"


def sessions(text: str = SESSIONS) -> list[Session]:
    """The sessions of a sessions.csv text as the adapters' context sees them."""
    rows = csv.DictReader(io.StringIO(text))
    out = []
    for r in rows:
        start = datetime.fromisoformat(r["scheduled_start"].replace("Z", "+00:00"))
        start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
        out.append(Session(r["session_id"], start, digits(r.get("platform_meeting_id"))))
    return out


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def text_of(name: str) -> str:
    """A fixture's text, decoded as ingestion decodes it (UTF-8 or UTF-16 with a BOM)."""
    from plcqi.ingest.sources.base import decode

    return decode(fixture(name), name)


def replaced(name: str, *replacements: tuple[str, str]) -> str:
    """A fixture's text with each (old, new) replaced; every old text must be there."""
    text = text_of(name)
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def events(result: Adapted) -> list[tuple]:
    """An adapted export's attendance rows as (line, email, join_time, leave_time), sorted."""
    return sorted((r["_row"], r["email"], r["join_time"], r["leave_time"]) for r in result.rows)


def utf16(text: str) -> bytes:
    """Text as Teams writes it: UTF-16 LE with a byte-order mark."""
    return b"\xff\xfe" + text.encode("utf-16-le")


def context(
    tmp_path: Path, rel: str = "attendance/export.csv", known: list[Session] | None = None
) -> Context:
    """A context for a file at ``landing/<rel>`` under ``tmp_path``."""
    landing = tmp_path / "landing"
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    found = sessions() if known is None else known
    return Context(ATTENDANCE, path, rel, landing, lambda: found)


def adapted(data: bytes, ctx: Context) -> Adapted:
    """A native export's bytes adapted in ``ctx`` (detected first, as ingestion does)."""
    result = adapt(detect(data, ctx.rel, ATTENDANCE), ctx)
    assert result.rows_read == len(result.rows) + len(result.skipped) + len(result.rejected)
    return result


def layout_of(data: bytes) -> str:
    return detect(data, "attendance/export.csv", ATTENDANCE).name


def write_reference(data_dir: Path) -> Path:
    """``data_dir`` with the reference set (the sessions above) ingested."""
    _write_reference(data_dir, sessions=SESSIONS)
    report = ingest(data_dir, sources=["reference"])
    assert report.ok, [r.message for r in report.rejected]
    return data_dir


def land(data_dir: Path, name: str, data: bytes | None = None, under: str = "") -> str:
    """Put fixture ``name`` (or ``data`` under that name) in landing/attendance/[under/]…;
    returns its path relative to landing/, as the ingest log names it."""
    target = data_dir / "landing" / "attendance" / under / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if data is None:
        shutil.copyfile(FIXTURES / name, target)
    else:
        target.write_bytes(data)
    return target.relative_to(data_dir / "landing").as_posix()


def log_of(data_dir: Path, rel: str) -> dict:
    """The ingest log record of ``rel``; checks the row accounting."""
    records = [r for r in read_log_records(data_dir, "attendance") if r["file"] == rel]
    assert len(records) == 1, [r["file"] for r in read_log_records(data_dir)]
    r = records[0]
    assert r["rows_read"] == r["rows_loaded"] + r["rows_quarantined"] + r["rows_skipped"], r
    assert r["rows_skipped"] == sum(r["skipped"].values()), r
    return r


def reasons(data_dir: Path, rel: str) -> dict[int, tuple[str, str]]:
    """Quarantined rows of ``rel``: line -> (column, reason)."""
    return {
        q["_row"]: (q["column"], q["reason"])
        for q in read_quarantine(data_dir, "attendance")
        if q["_file"] == rel
    }


def leaks(data_dir: Path) -> list[str]:
    """Names, e-mail addresses and phone numbers of the fixtures found in the attendance raw
    zone, its quarantine or the ingest log."""
    rows = read_raw(data_dir, "attendance") + read_quarantine(data_dir, "attendance")
    text = " ".join(str(v) for r in rows for v in r.values())
    text += " ".join(str(r) for r in read_log_records(data_dir))
    lowered = text.lower()
    found = names_in(text, NAMES)
    found += [e for e in EMAILS if e in lowered]
    found += [p for p in PHONES if p in text or p.replace(" ", "") in text]
    return found
