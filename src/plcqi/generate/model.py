"""The generator's in-memory world: plain dataclasses, turned into CSV rows at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class Grantee:
    grantee_id: str
    name: str
    grantee_type: str
    region: int | None
    agency: str = ""  # lead agency name
    domain: str = ""  # e-mail domain of the lead agency
    code: str = ""  # short lower-case code for partner e-mail domains
    staff: list[Participant] = field(default_factory=list)


@dataclass(slots=True)
class Participant:
    participant_id: str
    grantee_id: str
    full_name: str
    email: str
    organization: str
    role_title: str
    is_lead_agency: bool
    is_contractor: bool


@dataclass(slots=True)
class Session:
    session_id: str
    cohort_id: str
    number: int
    session_type: str
    title: str
    start: datetime
    duration: int
    status: str


@dataclass(slots=True)
class Cohort:
    cohort_id: str
    opportunity_id: str
    number: int
    label: str
    ongoing: bool
    sessions: list[Session] = field(default_factory=list)
    # grantee_id -> team; participating grantees attend, ghosts registered but never come.
    teams: dict[str, list[Participant]] = field(default_factory=dict)
    participating: list[str] = field(default_factory=list)
    ghosts: list[str] = field(default_factory=list)
    invited_only: list[str] = field(default_factory=list)

    def delivered(self) -> list[Session]:
        return [s for s in self.sessions if s.status == "delivered"]

    def end(self) -> date | None:
        """Date of the last delivered session, None while ongoing (as METRICS.md defines it)."""
        if self.ongoing:
            return None
        d = self.delivered()
        return d[-1].start.date() if d else None


@dataclass(slots=True)
class Opportunity:
    opportunity_id: str
    scan_id: str
    title: str
    center_id: str
    partner_center_ids: str
    format: str
    topic: str
    intended_outcome: str
    ta_type: str
    participation_mode: str
    attendance_expectation: str
    planned_sessions: int | None
    followup_offered: str
    ongoing: bool
    lead_agencies: int  # participating lead agencies over all cohorts
    n_cohorts: int
    cohorts: list[Cohort] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
