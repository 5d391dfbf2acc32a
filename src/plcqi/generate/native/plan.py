"""The plan: every native choice, made once from the seed (which center is on Zoom or Teams,
its time zone, the meeting IDs, a poll's name, each center's survey tool, the demo mix), each
from a random stream of its own (``write.stream``), so the choices are the same in every mode.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date, datetime, timedelta

from plcqi.generate.model import Opportunity, Participant, Session
from plcqi.generate.native.write import stream
from plcqi.ingest.sources.base import slug

MODES = ("none", "mix", "all")
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Anchorage",
)
POLL_NAMES = ("Session feedback", "End of session poll", "Quick check-in")


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
        rng = stream(seed, "centers")
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
                r = stream(seed, "meeting", c.cohort_id)
                recurring = r.random() < 0.7
                mid = self._meeting_id(r)
                for s in c.sessions:
                    if not recurring:
                        mid = self._meeting_id(r)
                    self.meeting_id[s.session_id] = mid
        self.poll_name: dict[str, str | None] = {}  # None: the report has no Poll column
        for sid in self.sessions:
            r = stream(seed, "poll", sid)
            self.poll_name[sid] = r.choice(POLL_NAMES) if r.random() < 0.6 else None
        rng = stream(seed, "surveys")
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
        rng = stream(self.seed, "mix")
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
