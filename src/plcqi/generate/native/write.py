"""What every native export shares: the file it becomes (``NativeFile``), the random stream of
one native choice, local time and the platforms' time formats, the CSV and UTF-16 writers, and
``Exporter``, the base of a platform's writer (the plan, the people and staff in its files).
"""

from __future__ import annotations

import csv
import io
import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from plcqi.generate.model import Participant
from plcqi.ingest.sources.base import AGREEMENT as AGREEMENT  # the labels the readers know

if TYPE_CHECKING:
    from plcqi.generate.native.plan import Plan

CONTRACT = "contract"  # the layout of a file written as a contract CSV


class Ambiguous(Exception):
    """A local time that cannot be written without loss (the repeated hour of a fall-back)."""


@dataclass
class NativeFile:
    rel: str  # path relative to landing/
    data: bytes
    layout: str
    events: int  # contract rows it converts to
    skipped: dict[str, int] = field(default_factory=dict)  # kind -> rows an adapter skips
    form: str = ""  # the layout's variant, where it has several (Zoom poll reports)
    session: str = ""  # the session a meeting export is (attendance, polls)
    source_rows: int = 0  # the contract rows it was made of (a legacy Teams file merges)

    @property
    def rows(self) -> int:
        """Rows read (SOURCES.md): the event rows and the skipped ones."""
        return self.events + sum(self.skipped.values())


def stream(seed: int, *what: object) -> random.Random:
    """A generator of its own for one native choice, so no choice moves another."""
    return random.Random(":".join(["plcqi-native", str(seed), *map(str, what)]))


def local(at: datetime, tz: ZoneInfo) -> datetime:
    """A UTC (naive) time as naive local time in ``tz``; Ambiguous if reading it back (as an
    adapter does, the first of a repeated hour) would give another instant."""
    aware = at.replace(tzinfo=UTC).astimezone(tz)
    naive = aware.replace(tzinfo=None)
    if naive.replace(tzinfo=tz).astimezone(UTC) != aware:
        raise Ambiguous(at.isoformat())
    return naive


def _h12(d: datetime) -> str:
    return f"{d.hour % 12 or 12}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"


def zoom_time(d: datetime) -> str:  # 03/08/2024 02:00:05 PM
    return f"{d:%m/%d/%Y} {d.hour % 12 or 12:02d}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"


def webinar_time(d: datetime) -> str:  # Mar 08, 2024 02:00:05 PM
    return f"{d:%b %d, %Y} {d.hour % 12 or 12:02d}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"


def teams_time(d: datetime) -> str:  # 3/8/24, 2:00:05 PM
    return f"{d.month}/{d.day}/{d:%y}, {_h12(d)}"


def legacy_time(d: datetime) -> str:  # 3/8/2024, 2:00:05 PM
    return f"{d.month}/{d.day}/{d.year}, {_h12(d)}"


def sql_time(d: datetime) -> str:  # 2024-03-08 14:00:05
    return f"{d:%Y-%m-%d %H:%M:%S}"


def ragged_time(d: datetime) -> str:  # 03/08/2024 14:00:05
    return f"{d:%m/%d/%Y %H:%M:%S}"


def teams_duration(seconds: float) -> str:
    s = int(round(seconds))
    h, m, s = s // 3600, s % 3600 // 60, s % 60
    return (f"{h}h " if h else "") + (f"{m}m " if h or m else "") + f"{s}s"


def zoom_minutes(a: datetime, b: datetime) -> str:
    return str(max(1, math.ceil((b - a).total_seconds() / 60)))


def csv_text(rows: list[list[str]], delimiter: str = ",", crlf: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    w.writerows(rows)
    return buf.getvalue()


def utf16(text: str) -> bytes:
    """As Teams writes it: UTF-16 LE with a byte-order mark."""
    return b"\xff\xfe" + text.encode("utf-16-le")


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Exporter:
    """A platform's writer: the plan, and the people and staff its files name."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def person(self, email: str, pid: str = "") -> Participant:
        p = self.plan.by_pid.get(pid) or self.plan.by_email[email.lower()]
        return p

    @staticmethod
    def staff(center: str, role: str) -> tuple[str, str]:
        return f"{center} {role.title()}", f"{role}@{center.lower()}-ta.org"

    def intervals(self, rows):
        out = []
        for row in rows:
            out.append((row[2], row[1], parse_ts(row[3]), parse_ts(row[4])))
        return out
