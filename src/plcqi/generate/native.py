"""Native exports (``shared/contract/SOURCES.md``): the generator's event rows written as the
files TA centers really download from Zoom, Microsoft Teams, Qualtrics, REDCap, SurveyMonkey
and a tracker spreadsheet (``plcqi generate --native none|mix|all``).

The events never depend on the mode: they are made by the generator's one
``random.Random(seed)`` exactly as before, and only then is a part of them *written*
natively. Every native choice (which center is on which platform, its time zone, meeting IDs,
which export has a meeting block, the rows an adapter skips...) comes from a ``random.Random``
of its own, seeded from the seed and the thing chosen for (a session, a center), so the
choices are the same in every mode and ``none`` is today's contract output. The platform's
meeting IDs (``sessions.csv``) and the poll ids a Zoom report yields are fixed by those
choices, so they are written in every mode alike.

What a native file may hold: a row an adapter converts back to exactly the contract row it
came from (people by e-mail, times at whole seconds in the export's local zone, daylight saving
included), plus the rows a layout says are not events (a host, a waiting room, a no-show,
panelists, an organizer, a survey preview, an unfinished REDCap record), which adapters skip.
Contract-breaking rows (``mess.Injector``), the rows a duplicate-key conflict copies,
re-exported duplicate rows and anonymous survey responses (a native survey row without an
e-mail is quarantined, SOURCES.md "People") stay in the contract CSVs they were put in: a
native file is made from clean, first-export, attributable rows only, so the marts built from
any mode are the same.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import random
import re
import zipfile
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from plcqi.generate.model import Opportunity, Participant, Session
from plcqi.ingest.sources.base import slug

MODES = ("none", "mix", "all")
CONTRACT = "contract"
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Anchorage",
)
AGREEMENT = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)
POLL_NAMES = ("Session feedback", "End of session poll", "Quick check-in")
BARRIER_LABELS = {
    "time": "Time",
    "turnover": "Turnover",
    "lead_agency_buyin": "Lead agency buy-in",
    "legislative": "Legislative",
    "cost": "Cost",
    "conflicting_policy": "Conflicting policy",
    "readiness": "Readiness",
    "other": "Other",
}
SURVEY_ITEMS = (  # contract column, question text (Qualtrics' second header row, SurveyMonkey)
    ("knowledge_gain", "My knowledge of the topic increased."),
    ("relevance", "The content was relevant to my work."),
    ("within_state_connections", "I made new connections with colleagues in my state."),
    ("across_state_connections", "I made new connections with colleagues in other states."),
    ("disseminated", "I shared what I learned within my agency or state."),
    ("action_plan_status", "Where is your team's action plan?"),
    ("continue_implementing", "Will your team continue implementing the plan?"),
    ("practice_change", "Has your agency changed a practice as a result?"),
    ("policy_change", "Has your agency changed a policy as a result?"),
    ("systems_change", "Has your state changed a system as a result?"),
    ("followup_interest", "Would you like follow-up technical assistance?"),
    ("barriers", "What barriers has your team faced? (Select all that apply)"),
    ("comments", "Any other comments?"),
)
SIX_MONTH_ONLY = (
    "disseminated",
    "continue_implementing",
    "practice_change",
    "policy_change",
    "systems_change",
)
LIKERT_ITEMS = (
    "knowledge_gain",
    "relevance",
    "within_state_connections",
    "across_state_connections",
)
# Index of each survey item in the contract row (surveys.py writes them in this order).
SURVEY_INDEX = {
    name: i
    for i, name in enumerate(
        (
            "response_id",
            "cohort_id",
            "grantee_id",
            "participant_id",
            "submitted_at",
            "knowledge_gain",
            "relevance",
            "within_state_connections",
            "across_state_connections",
            "disseminated",
            "action_plan_status",
            "continue_implementing",
            "practice_change",
            "policy_change",
            "systems_change",
            "followup_interest",
            "barriers",
            "comments",
        )
    )
}
TRACKER_HEADINGS = (
    "Request #",
    "State / Tribe",
    "Date Submitted",
    "Topic",
    "Request Type",
    "Lead Center",
    "Related Opportunity",
    "Plan Status",
    "Last Updated",
)
TRACKER_COLUMNS = (
    "request_id",
    "grantee_id",
    "submitted_at",
    "topic",
    "request_type",
    "center_id",
    "source_opportunity_id",
    "plan_status",
    "updated_at",
)


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


@dataclass
class Split:
    events: dict[str, list[list[str]]]  # the contract files that remain
    extra: dict[str, list[str]]  # per remaining file: its unexpected column's values
    injected: list[dict]  # renumbered for the remaining files
    natives: list[NativeFile]
    control: dict[str, bytes]  # TIMEZONE and COLUMNS.csv files


def _rng(seed: int, *what: object) -> random.Random:
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


def _minutes(a: datetime, b: datetime) -> str:
    return str(max(1, math.ceil((b - a).total_seconds() / 60)))


def _csv(rows: list[list[str]], delimiter: str = ",", crlf: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    w.writerows(rows)
    return buf.getvalue()


def utf16(text: str) -> bytes:
    """As Teams writes it: UTF-16 LE with a byte-order mark."""
    return b"\xff\xfe" + text.encode("utf-16-le")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


# ---------------------------------------------------------------- the plan


class Plan:
    """Every native choice, made once from the seed: the same in every mode."""

    def __init__(
        self,
        seed: int,
        opps: list[Opportunity],
        participants: list[Participant],
        attended: dict[str, dict[str, date]],
    ) -> None:
        self.seed = seed
        self.sessions: dict[str, Session] = {}
        self.center_of: dict[str, str] = {}  # session_id / cohort_id -> center_id
        self.cohort_of: dict[str, str] = {}  # session_id -> cohort_id
        self.title_of: dict[str, str] = {}  # session_id -> meeting topic
        self.teams_of: dict[str, list[Participant]] = {}  # cohort_id -> everyone on a team
        for o in opps:
            for c in o.cohorts:
                self.center_of[c.cohort_id] = o.center_id
                self.teams_of[c.cohort_id] = [p for t in c.teams.values() for p in t]
                for s in c.sessions:
                    self.sessions[s.session_id] = s
                    self.center_of[s.session_id] = o.center_id
                    self.cohort_of[s.session_id] = c.cohort_id
                    self.title_of[s.session_id] = f"{o.title}: {s.title}" if s.title else o.title
        self.starts = sorted((s.start, sid) for sid, s in self.sessions.items())
        self.by_pid = {p.participant_id: p for p in participants}
        self.by_email = {p.email.lower(): p for p in participants}
        centers = sorted({self.center_of[sid] for sid in self.sessions})
        used = sorted(
            {
                self.center_of[sid]
                for sid, s in self.sessions.items()
                if s.status == "delivered" and self.cohort_of[sid] in attended
            }
        )
        rng = _rng(seed, "centers")
        self.teams_center = rng.choice(used)
        zoom = [c for c in used if c != self.teams_center]
        self.platform = {c: "zoom" for c in centers}
        self.platform[self.teams_center] = "teams"
        self.tz = {c: rng.choice(ZONES) for c in centers}
        # The centers whose files are native in the demo mix: the Teams center and two on Zoom
        # (one of them in Chicago, a zone with daylight saving).
        mixed = sorted(rng.sample(zoom, min(2, len(zoom))))
        for c, zone in zip(
            [*mixed, self.teams_center],
            ("America/Chicago", "America/New_York", "America/Los_Angeles"),
            strict=False,
        ):
            self.tz[c] = zone
        self.mix_centers = {self.teams_center, *mixed}
        self.meeting_id: dict[str, str] = {}  # session_id -> as written in sessions.csv
        self.spaced: dict[str, bool] = {}
        for o in opps:
            for c in o.cohorts:
                if self.platform[o.center_id] != "zoom":
                    continue
                r = _rng(seed, "meeting", c.cohort_id)
                recurring = r.random() < 0.7
                mid = self._meeting_id(r)
                for s in c.sessions:
                    if not recurring:
                        mid = self._meeting_id(r)
                    self.meeting_id[s.session_id] = mid
        self.poll_name: dict[str, str | None] = {}  # None: the report has no Poll column
        for sid in self.sessions:
            r = _rng(seed, "poll", sid)
            self.poll_name[sid] = r.choice(POLL_NAMES) if r.random() < 0.6 else None
        rng = _rng(seed, "surveys")
        tools = ["qualtrics", "redcap", "surveymonkey"]
        self.survey_tool = {c: rng.choice(tools) for c in centers}
        self.mix_surveys: set[tuple[str, str]] = set()  # (wave, center) all native in mix
        self.mix_survey_unit: tuple[str, str] | None = None  # (wave, cohort): SurveyMonkey
        self.mix_tracker: str | None = None
        self._forced: dict[str, str] = {}

    def _meeting_id(self, r: random.Random) -> str:
        digits = f"{r.randint(8, 9)}{r.randint(0, 10**10 - 1):010d}"
        if r.random() < 0.35:  # as Zoom prints it: 812 3456 7890
            return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        return digits

    def session_meeting_id(self, sid: str) -> str:
        return self.meeting_id.get(sid, "")

    def poll_id(self, sid: str) -> str:
        """The poll's id as the Zoom poll report yields it: the poll's name, or ``poll``."""
        name = self.poll_name[sid]
        return slug(name) if name else "poll"

    def contract_polls(self, rows: list[list[str]]) -> None:
        """Poll rows in the conventions a native poll report gives (SOURCES.md, Polls), in
        place: the poll and question ids, and a free-text question as ``choice``."""
        for r in rows:
            r[1] = self.poll_id(r[0])
            r[2] = slug(r[3])
            if r[4] == "text":
                r[4], r[6], r[7] = "choice", r[7], ""

    def unique_start(self, at: datetime, sid: str) -> bool:
        """Only ``sid`` is scheduled within 60 minutes of ``at`` (matching without an ID)."""
        lo = bisect_left(self.starts, (at - timedelta(hours=1), ""))
        hi = bisect_right(self.starts, (at + timedelta(hours=1), "\uffff"))
        return [s for _, s in self.starts[lo:hi]] == [sid]

    def choose_mix(self, groups: dict[tuple, list], tracker_files: list[str]) -> None:
        """The demo mix: one wave of a Qualtrics center, another of a REDCap one, one
        SurveyMonkey export, one tracker spreadsheet (the rest as contract CSVs)."""
        units = sorted(k[1:] for k in groups if k[0] == "surveys")
        centers = defaultdict(set)
        for wave, cohort in units:
            centers[wave].add(self.center_of[cohort])
        rng = _rng(self.seed, "mix")
        taken: set[str] = set()
        for tool, wave in (
            ("qualtrics", "midpoint"),
            ("redcap", "six_month"),
            ("surveymonkey", "midpoint"),
        ):
            pool = sorted(centers[wave] - taken) or sorted(centers["six_month"] - taken)
            if not pool:
                continue
            c = rng.choice(pool)
            taken.add(c)
            self.survey_tool[c] = tool
            if tool == "surveymonkey":
                self.mix_survey_unit = next(u for u in units if self.center_of[u[1]] == c)
            else:
                self.mix_surveys.add((wave, c))
        if tracker_files:
            self.mix_tracker = tracker_files[len(tracker_files) // 2]

    def wanted(self, mode: str, unit: tuple) -> bool:
        """Whether ``unit`` (a session's attendance or poll, a survey, a tracker export) is
        written natively in ``mode``."""
        if mode == "none":
            return False
        kind = unit[0]
        if kind in ("attendance", "polls"):
            center = self.center_of[unit[1]]
            if kind == "polls" and self.platform[center] != "zoom":
                return False  # a Teams meeting's poll has no native layout here
            return mode == "all" or center in self.mix_centers
        if kind == "surveys":
            wave, cohort = unit[1], unit[2]
            return (
                mode == "all"
                or (wave, self.center_of[cohort]) in self.mix_surveys
                or ((wave, cohort) == self.mix_survey_unit)
            )
        return mode == "all" or unit[1] == self.mix_tracker


# ---------------------------------------------------------------- writers


class Writer:
    """Builds one native file from a unit's clean contract rows (None: it stays a CSV)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.legacy_done = False
        self.ragged_done = False
        self.webinar_done = False
        self.noblock_done = False

    def person(self, email: str, pid: str = "") -> Participant:
        p = self.plan.by_pid.get(pid) or self.plan.by_email[email.lower()]
        return p

    @staticmethod
    def staff(center: str, role: str) -> tuple[str, str]:
        return f"{center} {role.title()}", f"{role}@{center.lower()}-ta.org"

    # ---- attendance

    def attendance(self, sid: str, rows: list[list[str]]) -> NativeFile | None:
        plan = self.plan
        s = plan.sessions[sid]
        center = plan.center_of[sid]
        tz = ZoneInfo(plan.tz[center])
        r = _rng(plan.seed, "attendance", sid)
        try:
            if plan.platform[center] == "teams":
                return self.teams(sid, s, center, tz, rows, r)
            return self.zoom(sid, s, center, tz, rows, r)
        except Ambiguous:
            return None

    def _intervals(self, rows):
        out = []
        for row in rows:
            out.append((row[2], row[1], _ts(row[3]), _ts(row[4])))
        return out

    def zoom(self, sid, s, center, tz, rows, r) -> NativeFile:
        plan = self.plan
        iv = self._intervals(rows)
        first = min(j for _, _, j, _ in iv)
        webinar = s.session_type == "webinar" and (not self.webinar_done or r.random() < 0.25)
        if webinar:
            self.webinar_done = True
            return self.zoom_webinar(sid, s, center, tz, iv, r)
        block = r.random() >= 0.3 or not plan.unique_start(first, sid)
        if not block and self.noblock_done and r.random() < 0.5:
            block = True
        if not block:
            self.noblock_done = True
        waiting = block and r.random() < 0.6  # (a waiting room row would move the start)
        consent = r.random() < 0.5
        host_name, host_email = self.staff(center, "host")
        host_join = s.start - timedelta(minutes=r.randint(5, 15), seconds=r.randint(0, 59))
        host_leave = max(lv for *_, lv in iv) + timedelta(seconds=r.randint(30, 300))
        lines: list[tuple[datetime, list[str]]] = []
        skipped: dict[str, int] = defaultdict(int)
        header = [
            "Name (Original Name)",
            "User Email",
            "Join Time",
            "Leave Time",
            "Duration (Minutes)",
            "Guest",
        ]
        if consent:
            header.append("Recording Consent")
        if waiting:
            header.append("In Waiting Room")

        def line(name, email, j, lv, guest, wait="No"):
            cells = [
                name,
                email,
                zoom_time(local(j, tz)),
                zoom_time(local(lv, tz)),
                _minutes(j, lv),
                guest,
            ]
            if consent:
                cells.append("Yes" if wait == "No" else "")
            if waiting:
                cells.append(wait)
            lines.append((j, cells))

        if block:
            line(host_name, host_email, host_join, host_leave, "No")
            skipped["host"] += 1
        seen: set[str] = set()
        for email, pid, j, lv in iv:
            p = self.person(email, pid)
            first, _, last = p.full_name.partition(" ")
            name = p.full_name if r.random() < 0.8 else f"{first} {last[:1]}. ({p.full_name})"
            guest = "Yes" if r.random() < 0.85 else "No"
            if waiting and email.lower() not in seen and r.random() < 0.15:
                line(name, email, j - timedelta(seconds=r.randint(30, 240)), j, guest, "Yes")
                skipped["waiting_room"] += 1
            seen.add(email.lower())
            line(name, email, j, lv, guest)
        lines.sort(key=lambda x: x[0])
        out: list[list[str]] = []
        mid = plan.meeting_id.get(sid, "")
        if r.random() < 0.5:
            mid = re.sub(r"\D", "", mid)
        elif " " not in mid and mid:
            mid = f"{mid[:3]} {mid[3:7]} {mid[7:]}"
        if block:
            end = host_leave
            out += [
                [
                    "Meeting ID",
                    "Topic",
                    "Start Time",
                    "End Time",
                    "User Email",
                    "Duration (Minutes)",
                    "Participants",
                ],
                [
                    mid,
                    plan.title_of[sid],
                    zoom_time(local(host_join, tz)),
                    zoom_time(local(end, tz)),
                    host_email,
                    _minutes(host_join, end),
                    str(len(seen) + 1),
                ],
                [],
            ]
        out += [header] + [c for _, c in lines]
        day = local(s.start, tz).date()
        name = f"participants_{_digits(mid)}_{day:%Y%m%d}.csv"
        return NativeFile(
            f"attendance/{center}/zoom/{name}",
            _csv(out).encode("utf-8"),
            "zoom_meeting",
            len(iv),
            dict(skipped),
        )

    def zoom_webinar(self, sid, s, center, tz, iv, r) -> NativeFile:
        plan = self.plan
        mid = plan.meeting_id.get(sid, "")
        host_name, host_email = self.staff(center, "host")
        pan_name, pan_email = self.staff(center, "panelist")
        start = s.start - timedelta(minutes=r.randint(3, 10), seconds=r.randint(0, 59))
        end = max(lv for *_, lv in iv) + timedelta(seconds=r.randint(30, 300))
        came = {e.lower() for e, *_ in iv}
        no_shows = [p for p in plan.teams_of[plan.cohort_of[sid]] if p.email.lower() not in came]
        no_shows = r.sample(no_shows, min(len(no_shows), r.randint(1, 5)))
        generated = local(end + timedelta(days=r.randint(1, 20), minutes=r.randint(0, 600)), tz)
        head = [
            "Attended",
            "User Name (Original Name)",
            "Email",
            "Join Time",
            "Leave Time",
            "Time in Session (minutes)",
            "Is Guest",
            "Country/Region Name",
        ]

        def staff_row(name, email):
            return [
                "Yes",
                name,
                email,
                webinar_time(local(start, tz)),
                webinar_time(local(end, tz)),
                _minutes(start, end),
                "No",
                "United States",
            ]

        out = [
            ["Attendee Report"],
            ["Report Generated:", webinar_time(generated)],
            [
                "Topic",
                "Webinar ID",
                "Actual Start Time",
                "Actual Duration (minutes)",
                "# Registered",
                "# Cancelled",
                "Unique Viewers",
                "Total Users",
                "Max Concurrent Views",
            ],
            [
                plan.title_of[sid],
                mid,
                webinar_time(local(start, tz)),
                _minutes(start, end),
                str(len(came) + len(no_shows)),
                "0",
                str(len(came)),
                str(len(iv)),
                str(len(came)),
            ],
            ["Host Details"],
            head,
            staff_row(host_name, host_email),
            ["Panelist Details"],
            head,
            staff_row(pan_name, pan_email),
            ["Attendee Details"],
            [
                "Attended",
                "User Name (Original Name)",
                "First Name",
                "Last Name",
                "Email",
                "Registration Time",
                "Approval Status",
                "Join Time",
                "Leave Time",
                "Time in Session (minutes)",
                "Is Guest",
                "Country/Region Name",
            ],
        ]
        reg = local(s.start - timedelta(days=r.randint(2, 20)), tz)
        attendees = []
        for email, pid, j, lv in iv:
            p = self.person(email, pid)
            first, _, last = p.full_name.partition(" ")
            attendees.append(
                (
                    j,
                    [
                        "Yes",
                        p.full_name,
                        first,
                        last,
                        email,
                        webinar_time(reg),
                        "approved",
                        webinar_time(local(j, tz)),
                        webinar_time(local(lv, tz)),
                        _minutes(j, lv),
                        "Yes",
                        "United States",
                    ],
                )
            )
        attendees.sort(key=lambda x: x[0])
        out += [c for _, c in attendees]
        for p in no_shows:
            first, _, last = p.full_name.partition(" ")
            out.append(
                [
                    "No",
                    p.full_name,
                    first,
                    last,
                    p.email,
                    webinar_time(reg),
                    "approved",
                    "--",
                    "--",
                    "--",
                    "Yes",
                    "",
                ]
            )
        day = local(s.start, tz).date()
        name = f"webinar_attendee_{_digits(mid)}_{day:%Y%m%d}.csv"
        return NativeFile(
            f"attendance/{center}/zoom/{name}",
            _csv(out).encode("utf-8"),
            "zoom_webinar",
            len(iv),
            {"host": 1, "panelist": 1, "no_show": len(no_shows)},
        )

    def teams(self, sid, s, center, tz, rows, r) -> NativeFile | None:
        plan = self.plan
        iv = self._intervals(rows)
        first = min(j for _, _, j, _ in iv)
        if not plan.unique_start(first, sid):
            return None
        if not self.legacy_done:
            self.legacy_done = True
            return self.teams_legacy(sid, s, center, tz, iv)
        org_name, org_email = self.staff(center, "organizer")
        org_join = min(first, s.start) - timedelta(
            minutes=r.randint(2, 10), seconds=r.randint(0, 59)
        )
        org_leave = max(lv for *_, lv in iv) + timedelta(seconds=r.randint(20, 200))
        if not plan.unique_start(org_join, sid):
            return None
        by_person: dict[str, list] = defaultdict(list)
        for email, pid, j, lv in iv:
            by_person[email.lower()].append((email, pid, j, lv))
        presenters = {e for e in by_person if r.random() < 0.05}
        total = sum((lv - j).total_seconds() for *_, j, lv in iv)
        people = len(by_person) + 1
        summary = [
            ["1. Summary"],
            ["Meeting title", plan.title_of[sid]],
            ["Attended participants", str(people)],
            ["Start time", teams_time(local(org_join, tz))],
            ["End time", teams_time(local(org_leave, tz))],
            ["Meeting duration", teams_duration((org_leave - org_join).total_seconds())],
            ["Average attendance time", teams_duration(total / max(1, len(by_person)))],
            [],
            ["2. Participants"],
            [
                "Name",
                "First Join",
                "Last Leave",
                "In-Meeting Duration",
                "Email",
                "Participant ID (UPN)",
                "Role",
            ],
            [
                org_name,
                teams_time(local(org_join, tz)),
                teams_time(local(org_leave, tz)),
                teams_duration((org_leave - org_join).total_seconds()),
                org_email,
                org_email,
                "Organizer",
            ],
        ]
        activities = [
            (
                org_join,
                [
                    org_name,
                    teams_time(local(org_join, tz)),
                    teams_time(local(org_leave, tz)),
                    teams_duration((org_leave - org_join).total_seconds()),
                    org_email,
                    "Organizer",
                ],
            )
        ]
        for key, conns in sorted(by_person.items(), key=lambda kv: min(c[2] for c in kv[1])):
            email, pid = conns[0][0], conns[0][1]
            p = self.person(email, pid)
            role = "Presenter" if key in presenters else "Attendee"
            j0, l1 = min(c[2] for c in conns), max(c[3] for c in conns)
            secs = sum((c[3] - c[2]).total_seconds() for c in conns)
            summary.append(
                [
                    p.full_name,
                    teams_time(local(j0, tz)),
                    teams_time(local(l1, tz)),
                    teams_duration(secs),
                    email,
                    "",
                    role,
                ]
            )
            for _, _, j, lv in conns:
                activities.append(
                    (
                        j,
                        [
                            p.full_name,
                            teams_time(local(j, tz)),
                            teams_time(local(lv, tz)),
                            teams_duration((lv - j).total_seconds()),
                            email,
                            role,
                        ],
                    )
                )
        activities.sort(key=lambda x: x[0])
        out = summary + [
            [],
            ["3. In-Meeting Activities"],
            ["Name", "Join Time", "Leave Time", "Duration", "Email", "Role"],
        ]
        out += [c for _, c in activities]
        day = local(s.start, tz).date()
        name = f"Meeting Attendance Report ({day:%m-%d-%y}) {sid}.csv"
        return NativeFile(
            f"attendance/{center}/teams/{name}",
            utf16(_csv(out, "\t", crlf=True)),
            "teams_attendance",
            len(iv),
            {"organizer": 1},
        )

    @staticmethod
    def merged(iv) -> list:
        """Each person's overlapping or touching connections as one: a Joined/Left stream
        can only pair them one way, and the marts merge them alike (the same minutes)."""
        by: dict[str, list] = defaultdict(list)
        for email, pid, j, lv in iv:
            by[email.lower()].append([email, pid, j, lv])
        out = []
        for conns in by.values():
            conns.sort(key=lambda c: (c[2], c[3]))
            cur = conns[0]
            for c in conns[1:]:
                if c[2] <= cur[3]:
                    cur[3] = max(cur[3], c[3])
                else:
                    out.append(tuple(cur))
                    cur = c
            out.append(tuple(cur))
        return out

    def teams_legacy(self, sid, s, center, tz, iv) -> NativeFile:
        events = []
        iv = self.merged(iv)
        for email, pid, j, lv in iv:
            p = self.person(email, pid)
            events.append((j, 0, [p.full_name, "Joined", legacy_time(local(j, tz)), email]))
            events.append((lv, 1, [p.full_name, "Left", legacy_time(local(lv, tz)), email]))
        events.sort(key=lambda x: (x[0], x[1]))
        out = [["Full Name", "User Action", "Timestamp", "Email"]] + [c for *_, c in events]
        day = local(s.start, tz).date()
        return NativeFile(
            f"attendance/{center}/teams/meetingAttendanceList_{day:%Y%m%d}.csv",
            utf16(_csv(out, "\t", crlf=True)),
            "teams_legacy",
            len(iv),
        )

    # ---- polls

    def poll(self, sid: str, rows: list[list[str]]) -> NativeFile | None:
        plan = self.plan
        s = plan.sessions[sid]
        center = plan.center_of[sid]
        tz = ZoneInfo(plan.tz[center])
        r = _rng(plan.seed, "pollreport", sid)
        k = len(dict.fromkeys(row[2] for row in rows))
        if len(rows) % k:
            return None
        name = plan.poll_name[sid]
        ragged = name is None and (not self.ragged_done or r.random() < 0.2)
        try:
            return self._poll(sid, s, center, tz, rows, k, name, ragged, r)
        except Ambiguous:
            return None

    def _poll(self, sid, s, center, tz, rows, k, name, ragged, r) -> NativeFile:
        plan = self.plan
        if ragged:
            self.ragged_done = True
        mid = plan.meeting_id.get(sid, "")
        if r.random() < 0.5:
            mid = re.sub(r"\D", "", mid)
        webinar = s.session_type == "webinar" and r.random() < 0.3
        start = s.start - timedelta(minutes=r.randint(2, 10), seconds=r.randint(0, 59))
        generated = local(s.start + timedelta(days=r.randint(1, 30), minutes=r.randint(0, 900)), tz)
        out = [
            ["Poll Report"],
            ["Report Generated:", webinar_time(generated)],
            [
                "Topic",
                "Webinar ID" if webinar else "Meeting ID",
                "Actual Start Time",
                "Actual Duration (minutes)",
                "# Participants",
            ],
            [
                plan.title_of[sid],
                mid,
                webinar_time(local(start, tz)),
                str(s.duration),
                str(len(rows) // k),
            ],
            [],
        ]
        if ragged:
            out.append(["#", "User Name", "User Email", "Submitted Date/Time", ""])
        elif name:
            out.append(
                [
                    "#",
                    "User Name",
                    "User Email",
                    "Submitted Date and Time",
                    "Poll",
                    "Question",
                    "Answer",
                ]
            )
        else:
            out.append(
                ["#", "User Name", "User Email", "Submitted Date and Time", "Question", "Answer"]
            )
        for n in range(len(rows) // k):
            block = rows[n * k : (n + 1) * k]
            pid = block[0][5]
            if pid:
                p = plan.by_pid[pid]
                user, email = p.full_name, p.email
            else:
                user, email = "Anonymous Attendee", ""
            when = local(_ts(block[0][8]), tz)
            if ragged:
                cells = [str(n + 1), user, email, ragged_time(when)]
                for row in block:
                    cells += [row[3], self._answer(row, labels=False)]
                out.append(cells)
                continue
            for row in block:
                cells = [str(n + 1), user, email, webinar_time(when)]
                if name:
                    cells.append(name)
                out.append(cells + [row[3], self._answer(row, labels=True)])
        day = local(s.start, tz).date()
        digits = re.sub(r"\D", "", mid)
        form = "ragged" if ragged else ("long" if name else "long_nopoll")
        return NativeFile(
            f"polls/{center}/zoom/{digits}_{day:%Y%m%d}_PollReport.csv",
            _csv(out).encode("utf-8"),
            "zoom_poll",
            len(rows),
            form=form,
        )

    @staticmethod
    def _answer(row: list[str], labels: bool) -> str:
        scale, value = row[4], row[6]
        if scale == "likert5":
            return AGREEMENT[int(value) - 1] if labels else value
        if scale == "yes_no":
            return value.capitalize()
        return value

    # ---- surveys

    def survey(
        self, wave: str, cohort: str, rows: list[list[str]]
    ) -> tuple[NativeFile, dict[str, bytes]] | None:
        plan = self.plan
        center = plan.center_of[cohort]
        tool = plan.survey_tool[center]
        tz = ZoneInfo(plan.tz[center])
        r = _rng(plan.seed, "survey", wave, cohort)
        items = [(c, t) for c, t in SURVEY_ITEMS if wave == "six_month" or c not in SIX_MONTH_ONLY]
        try:
            if tool == "qualtrics":
                return self.qualtrics(wave, cohort, center, rows, items, r), {}
            if tool == "redcap":
                return self.redcap(wave, cohort, center, tz, rows, items, r), {}
            return self.surveymonkey(wave, cohort, center, tz, rows, items, r)
        except Ambiguous:
            return None

    def _label(self, column: str, value: str) -> str:
        if not value:
            return ""
        if column in LIKERT_ITEMS:
            return AGREEMENT[int(value) - 1]
        if column == "barriers":
            return ",".join(BARRIER_LABELS[b] for b in value.split(";"))
        if column == "comments":
            return value
        return value.capitalize()

    def qualtrics(self, wave, cohort, center, rows, items, r) -> NativeFile:
        plan = self.plan
        zone = "America/Denver" if plan.tz[center] != "America/Denver" else "America/Phoenix"
        tz = ZoneInfo(zone)
        meta = [
            ("StartDate", "Start Date", "startDate"),
            ("EndDate", "End Date", "endDate"),
            ("Status", "Response Type", "status"),
            ("IPAddress", "IP Address", "ipAddress"),
            ("Progress", "Progress", "progress"),
            ("Duration (in seconds)", "Duration (in seconds)", "duration"),
            ("Finished", "Finished", "finished"),
            ("RecordedDate", "Recorded Date", "recordedDate"),
            ("ResponseId", "Response ID", "_recordId"),
            ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
            ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
            ("RecipientEmail", "Recipient Email", "recipientEmail"),
            ("ExternalReference", "External Data Reference", "externalDataReference"),
            ("DistributionChannel", "Distribution Channel", "distributionChannel"),
            ("UserLanguage", "User Language", "userLanguage"),
        ]
        dated = {"startDate", "endDate", "recordedDate"}
        head1 = [m[0] for m in meta] + [c for c, _ in items] + ["cohort_id", "grantee_id"]
        head2 = [m[1] for m in meta] + [t for _, t in items] + ["cohort_id", "grantee_id"]
        head3 = [
            (
                f'{{"ImportId":"{m[2]}","timeZone":"{zone}"}}'
                if m[2] in dated
                else f'{{"ImportId":"{m[2]}"}}'
            )
            for m in meta
        ]
        head3 += [f'{{"ImportId":"QID{i + 1}"}}' for i in range(len(items))]
        head3 += ['{"ImportId":"cohort_id"}', '{"ImportId":"grantee_id"}']
        out = [head1, head2, head3]
        previews = r.randint(1, 2)
        for n in range(previews):  # the survey's author trying it out before sending it
            at = _ts(rows[0][4]) - timedelta(days=r.randint(3, 12), minutes=r.randint(0, 600))
            out.append(
                self._q_row(
                    at,
                    "Survey Preview",
                    "",
                    f"R_preview{n}{cohort}",
                    "",
                    "",
                    "preview",
                    [
                        self._label(c, v)
                        for c, v in (
                            (c, r.choice(("4", "5")) if c in LIKERT_ITEMS else "") for c, _ in items
                        )
                    ],
                    cohort,
                    "",
                    tz,
                    r,
                )
            )
        for row in rows:
            pid = row[3]
            p = plan.by_pid.get(pid)
            values = [self._label(c, row[SURVEY_INDEX[c]]) for c, _ in items]
            rid = "R_" + hashlib.sha256(row[0].encode()).hexdigest()[:15]
            out.append(
                self._q_row(
                    _ts(row[4]),
                    "IP Address",
                    self._ip(r),
                    rid,
                    p.full_name if p else "",
                    p.email if p else "",
                    "email" if p else "anonymous",
                    values,
                    row[1],
                    row[2],
                    tz,
                    r,
                )
            )
        return NativeFile(
            f"surveys/{wave}/{center}/qualtrics/{cohort}_{wave}_survey.csv",
            _csv(out).encode("utf-8"),
            "qualtrics",
            len(rows),
            {"survey_preview": previews},
        )

    @staticmethod
    def _ip(r: random.Random) -> str:
        return f"198.51.100.{r.randint(1, 254)}"

    def _q_row(
        self, at, status, ip, rid, name, email, channel, values, cohort, grantee, tz, r
    ) -> list[str]:
        took = r.randint(120, 900)
        first, _, last = name.partition(" ")
        return [
            sql_time(local(at - timedelta(seconds=took), tz)),
            sql_time(local(at, tz)),
            status,
            ip,
            "100",
            str(took),
            "True",
            sql_time(local(at, tz)),
            rid,
            last,
            first,
            email,
            "",
            channel,
            "EN",
            *values,
            cohort,
            grantee,
        ]

    def redcap(self, wave, cohort, center, tz, rows, items, r) -> NativeFile:
        plan = self.plan
        instrument = "midpoint_survey" if wave == "midpoint" else "six_month_followup"
        fields = []
        for c, _ in items:
            if c == "barriers":
                fields += [f"barriers___{b}" for b in BARRIER_LABELS]
            else:
                fields.append(c)
        head = [
            "record_id",
            "redcap_survey_identifier",
            f"{instrument}_timestamp",
            "cohort_id",
            "grantee_id",
            "email",
            *fields,
            f"{instrument}_complete",
        ]
        out = [head]

        def cells(row, complete):
            values = []
            for c, _ in items:
                v = row[SURVEY_INDEX[c]] if row else ""
                if c == "barriers":
                    picked = set(v.split(";")) if v else set()
                    values += ["Checked" if b in picked else "Unchecked" for b in BARRIER_LABELS]
                elif c in LIKERT_ITEMS:
                    values.append(v)  # a 1-5 field: the integer
                else:
                    values.append(self._label(c, v))
            return values + [complete]

        for row in rows:
            p = plan.by_pid.get(row[3])
            email = p.email if p else ""
            out.append(
                [
                    row[0],
                    email,
                    sql_time(local(_ts(row[4]), tz)),
                    row[1],
                    row[2],
                    email,
                    *cells(row, "Complete"),
                ]
            )
        drafts = 1 + (r.random() < 0.3)
        team = plan.teams_of[cohort]
        for n in range(drafts):  # opened, never submitted
            p = r.choice(team)
            out.append(
                [
                    f"{cohort}-draft-{n + 1}",
                    p.email,
                    "[not completed]",
                    cohort,
                    p.grantee_id,
                    p.email,
                    *cells(None, "Incomplete"),
                ]
            )
        return NativeFile(
            f"surveys/{wave}/{center}/redcap/{cohort}_{instrument}_export.csv",
            _csv(out).encode("utf-8"),
            "redcap",
            len(rows),
            {"not_completed": drafts},
        )

    def surveymonkey(
        self, wave, cohort, center, tz, rows, items, r
    ) -> tuple[NativeFile, dict[str, bytes]]:
        plan = self.plan
        meta = [
            "Respondent ID",
            "Collector ID",
            "Start Date",
            "End Date",
            "IP Address",
            "Email Address",
            "First Name",
            "Last Name",
            "cohort_id",
            "grantee_id",
        ]
        head1, head2 = list(meta), [""] * len(meta)
        for c, t in items:
            if c == "barriers":
                labels = list(BARRIER_LABELS.values())
                head1 += [t] + [""] * (len(labels) - 1)
                head2 += labels
            else:
                head1.append(t)
                head2.append("Open-Ended Response" if c == "comments" else "Response")
        out = [head1, head2]
        collector = str(r.randint(400000000, 499999999))
        prefix = 114 if wave == "midpoint" else 115
        for row in rows:
            p = plan.by_pid.get(row[3])
            at = _ts(row[4])
            took = r.randint(120, 900)
            first, _, last = (p.full_name if p else "").partition(" ")
            rid = f"{prefix}{int(_digits(row[0]) or 0):08d}"
            cells = [
                rid,
                collector,
                zoom_time(local(at - timedelta(seconds=took), tz)),
                zoom_time(local(at, tz)),
                self._ip(r),
                p.email if p else "",
                first,
                last,
                row[1],
                row[2],
            ]
            for c, _ in items:
                v = row[SURVEY_INDEX[c]]
                if c == "barriers":
                    picked = set(v.split(";")) if v else set()
                    cells += [label if b in picked else "" for b, label in BARRIER_LABELS.items()]
                else:
                    cells.append(self._label(c, v))
            out.append(cells)
        folder = f"surveys/{wave}/{center}/surveymonkey"
        mapping = [
            ["source", "column"],
            ["Respondent ID", "response_id"],
            ["End Date", "submitted_at"],
            ["Email Address", "email"],
            ["cohort_id", "cohort_id"],
            ["grantee_id", "grantee_id"],
        ]
        mapping += [[t, c] for c, t in items]
        return (
            NativeFile(
                f"{folder}/{cohort}_{wave}_responses.csv",
                _csv(out).encode("utf-8"),
                "surveymonkey",
                len(rows),
            ),
            {f"{folder}/COLUMNS.csv": _csv(mapping).encode("utf-8")},
        )

    # ---- TA tracker

    def tracker(self, path: str, rows: list[list[str]], as_of: date, tz_name: str) -> NativeFile:
        from openpyxl import Workbook

        tz = ZoneInfo(tz_name)
        wb = Workbook()
        ws = wb.active
        ws.title = "TA Requests"
        ws.append(list(TRACKER_HEADINGS))
        for row in rows:
            cells: list[object] = list(row)
            for i in (2, 8):
                at = _ts(row[i])
                try:
                    cells[i] = local(at, tz)
                except Ambiguous:  # the repeated hour: typed with its offset
                    cells[i] = at.replace(tzinfo=UTC).astimezone(tz).isoformat()
            ws.append([c if c != "" else None for c in cells])
        for col in ("C", "I"):
            for cell in ws[col][1:]:
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            ws.column_dimensions[col].width = 20
        buf = io.BytesIO()
        wb.save(buf)
        year = path.rsplit("_", 1)[-1].split(".")[0]
        return NativeFile(
            f"ta_requests/tracker/TA_Tracker_{year}.xlsx",
            stable_zip(buf.getvalue(), as_of),
            "tracker_spreadsheet",
            len(rows),
        )


def stable_zip(data: bytes, as_of: date) -> bytes:
    """The workbook with fixed timestamps (entries and document properties), so the same
    seed gives the same bytes."""
    stamp = f"{as_of.isoformat()}T00:00:00Z"
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    lambda m: m.group(1) + stamp.encode(),
                    body,
                )
            fixed = zipfile.ZipInfo(
                info.filename, date_time=(as_of.year, as_of.month, as_of.day, 0, 0, 0)
            )
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


# ---------------------------------------------------------------- the split


def _dataset(path: str) -> str:
    from plcqi.generate.mess import dataset_of

    return dataset_of(path)


def _unit(ds: str, path: str, row: list[str]) -> tuple:
    if ds in ("attendance", "polls"):
        return (ds, row[0])
    if ds.startswith("surveys/"):
        return ("surveys", ds.split("/")[1], row[1])
    return ("ta_requests", path)


def split(
    mode: str,
    plan: Plan,
    events: dict[str, list[list[str]]],
    clean_len: dict[str, int],
    injected: list[dict],
    extra: dict[str, list[str]],
    as_of: date,
) -> Split:
    """Write the native part of ``events``: every unit the mode wants natively becomes a
    native file, made of its clean first-export rows; the rest stays as contract CSVs."""
    if mode not in MODES:
        raise ValueError(f"native must be one of {', '.join(MODES)}")
    bad = {(m["file"], m["row"]) for m in injected}
    pinned: set[tuple[str, int]] = set()  # (file, 1-based row) the conflict copies
    for m in injected:
        if m["kind"] != "duplicate_key_conflict":
            continue
        rows = events[m["file"]]
        cols = (0, 8) if m["file"].startswith("ta_requests/") else (0,)
        dup = rows[m["row"] - 1]
        pinned |= {
            (m["file"], n)
            for n, r in enumerate(rows[: m["row"] - 1], 1)
            if (m["file"], n) not in bad and all(r[c] == dup[c] for c in cols)
        }
    groups: dict[tuple, list[tuple[str, int]]] = defaultdict(list)
    for path, rows in events.items():
        ds = _dataset(path)
        k = 0
        for n, row in enumerate(rows, 1):
            if (path, n) in bad:
                continue
            k += 1
            if k > clean_len.get(path, 0) or (path, n) in pinned:
                continue  # a re-exported duplicate, or the row a conflict copies
            if ds.startswith("surveys/") and not row[3]:
                continue  # anonymous: a native export without an e-mail is quarantined

            groups[_unit(ds, path, row)].append((path, n))
    plan.choose_mix(groups, sorted(p for p in events if p.startswith("ta_requests/")))
    writer = Writer(plan)
    natives: list[NativeFile] = []
    control: dict[str, bytes] = {}
    moved: set[tuple[str, int]] = set()
    order = sorted(
        groups,
        key=lambda u: (
            u[0],
            plan.sessions[u[1]].start.isoformat() if u[0] in ("attendance", "polls") else "",
            u,
        ),
    )
    for unit in order:
        if not plan.wanted(mode, unit):
            continue
        members = groups[unit]
        rows = [events[p][n - 1] for p, n in members]
        made = _make(writer, plan, unit, rows, as_of)
        if made is None:
            continue
        nf, files = made
        nf.source_rows = len(rows)
        if unit[0] in ("attendance", "polls"):
            nf.session = unit[1]
        natives.append(nf)
        control.update(files)
        moved |= set(members)
        control.update(_timezone(plan, unit, nf.rel))
    out_events: dict[str, list[list[str]]] = {}
    out_extra: dict[str, list[str]] = {}
    renumber: dict[tuple[str, int], int] = {}
    for path, rows in events.items():
        kept, values = [], []
        for n, row in enumerate(rows, 1):
            if (path, n) in moved:
                continue
            kept.append(row)
            renumber[(path, n)] = len(kept)
            if path in extra:
                values.append(extra[path][n - 1])
        if kept:
            out_events[path] = kept
            if path in extra:
                out_extra[path] = values
    inj = [{**m, "row": renumber[(m["file"], m["row"])]} for m in injected]
    return Split(out_events, out_extra, inj, natives, control)


def _make(
    writer: Writer, plan: Plan, unit: tuple, rows: list[list[str]], as_of: date
) -> tuple[NativeFile, dict[str, bytes]] | None:
    if unit[0] == "attendance":
        nf = writer.attendance(unit[1], rows)
        return (nf, {}) if nf else None
    if unit[0] == "polls":
        nf = writer.poll(unit[1], rows)
        return (nf, {}) if nf else None
    if unit[0] == "surveys":
        return writer.survey(unit[1], unit[2], rows)
    nf = writer.tracker(unit[1], rows, as_of, "America/New_York")
    mapping = [
        ["source", "column"],
        *([h, c] for h, c in zip(TRACKER_HEADINGS, TRACKER_COLUMNS, strict=True)),
    ]
    return nf, {
        "ta_requests/tracker/COLUMNS.csv": _csv(mapping).encode("utf-8"),
        "ta_requests/tracker/TIMEZONE": b"America/New_York\n",
    }


def _timezone(plan: Plan, unit: tuple, rel: str) -> dict[str, bytes]:
    """The center subfolder's TIMEZONE: the zone its exports' local times are in."""
    if unit[0] == "ta_requests":
        return {}
    parts = rel.split("/")
    center_dir = "/".join(parts[:3] if unit[0] == "surveys" else parts[:2])
    center = parts[2] if unit[0] == "surveys" else parts[1]
    return {f"{center_dir}/TIMEZONE": f"{plan.tz[center]}\n".encode()}
