"""Participants, teams, enrollments and theory-of-change targets."""

from __future__ import annotations

import random
from datetime import timedelta

from plcqi.generate.model import Cohort, Grantee, Opportunity, Participant
from plcqi.generate.names import (
    CONTRACTOR_ROLES,
    CONTRACTORS,
    FIRST_NAMES,
    LAST_NAMES,
    LEAD_AGENCY_ROLES,
    OTHER_ROLES,
    PARTNER_ORGS,
)

# (metric, comparator, candidate target values): what a theory of change typically sets.
TOC_POOL = (
    ("attendance_rate", ">=", ("0.75", "0.8")),
    ("retention_rate", ">=", ("0.7", "0.75")),
    ("max_gap_days", "<=", ("35", "42")),
    ("followup_uptake_rate", ">=", ("0.2", "0.25", "0.3")),
    ("registration_rate", ">=", ("0.7", "0.8")),
    ("intake_completion_rate", ">=", ("0.8", "0.9")),
    ("lead_agency_team_rate", ">=", ("0.8", "1")),
    ("knowledge_gain_rate_midpoint", ">=", ("0.7", "0.75")),
    ("knowledge_gain_rate_six_month", ">=", ("0.7", "0.8")),
    ("action_plan_rate", ">=", ("0.5", "0.6")),
    ("six_month_response_rate", ">=", ("0.4", "0.5")),
    ("poll_favorable_rate", ">=", ("0.7", "0.8")),
    ("full_attendance_rate", ">=", ("0.5", "0.6")),
    ("sessions_delivered_rate", ">=", ("0.9", "1")),
)


class People:
    """Creates participants, reusing a grantee's staff across opportunities now and then."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.participants: list[Participant] = []
        self.emails: dict[str, None] = {}

    def _email(self, first: str, last: str, domain: str) -> str:
        local = f"{first}.{last}".lower().replace("'", "")
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails[email] = None
        return email

    def person(self, g: Grantee, lead_agency: bool, contractor: bool) -> Participant:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if lead_agency:
            org, domain, role = g.agency, g.domain, rng.choice(LEAD_AGENCY_ROLES)
        elif contractor:
            org, domain = rng.choice(CONTRACTORS)
            role = rng.choice(CONTRACTOR_ROLES)
        else:
            name, dom = rng.choice(PARTNER_ORGS)
            org, domain, role = f"{g.name} {name}", f"{g.code}{dom}", rng.choice(OTHER_ROLES)
        p = Participant(f"P{len(self.participants) + 1:06d}", g.grantee_id, f"{first} {last}",
                        self._email(first, last, domain), org, role, lead_agency, contractor)
        self.participants.append(p)
        g.staff.append(p)
        return p

    def team(self, g: Grantee, size: int, with_lead_agency: bool) -> list[Participant]:
        rng = self.rng
        la_slot = (0 if rng.random() < 0.6 else rng.randrange(size)) if with_lead_agency else -1
        team: list[Participant] = []
        for i in range(size):
            la = i == la_slot or (with_lead_agency and rng.random() < 0.2)
            contractor = not la and rng.random() < 0.15
            pool = [p for p in g.staff if p.is_lead_agency == la and p.is_contractor == contractor
                    and p not in team]
            if pool and rng.random() < 0.35:
                team.append(rng.choice(pool))
            else:
                team.append(self.person(g, la, contractor))
        return team


def enroll(rng: random.Random, people: People, grantees: list[Grantee],
           opps: list[Opportunity], scale: float) -> list[list[str]]:
    """Choose each cohort's invited, registered and participating grantees and their teams.

    Returns the enrollments.csv rows; teams are stored on the cohorts.
    """
    tribes = [g for g in grantees if g.grantee_type == "tribe"]
    others = [g for g in grantees if g.grantee_type != "tribe"]
    by_id = {g.grantee_id: g for g in grantees}
    rows: list[list[str]] = []
    for opp in opps:
        team_mode = opp.participation_mode == "team"
        for cohort in opp.cohorts:
            pool = tribes if opp.scan_id == "ES23" else list(others)
            if opp.scan_id != "ES23" and rng.random() < 0.3:
                pool = pool + rng.sample(tribes, 2)
            base = opp.lead_agencies / opp.n_cohorts * rng.uniform(0.9, 1.3) * min(scale, 1.0)
            n_part = min(len(pool) - 2, max(3, round(base)))
            n_ghost = round(n_part * rng.uniform(0.0, 0.2))
            n_inv = round(n_part * rng.uniform(0.1, 0.5))
            chosen = rng.sample(pool, min(len(pool), n_part + n_ghost + n_inv))
            cohort.participating = [g.grantee_id for g in chosen[:n_part]]
            cohort.ghosts = [g.grantee_id for g in chosen[n_part:n_part + n_ghost]]
            cohort.invited_only = [g.grantee_id for g in chosen[n_part + n_ghost:]]
            first = cohort.sessions[0].start.date()
            for gid in cohort.participating + cohort.ghosts:
                g = by_id[gid]
                if team_mode:
                    size, with_la = rng.choice((2, 3, 4, 4, 5, 5)), rng.random() < 0.8
                else:
                    # open to all interested staff: several individuals from one grantee
                    size = rng.choice((1, 2, 2, 3, 3, 4, 5, 6))
                    with_la = rng.random() < 0.65
                cohort.teams[gid] = people.team(g, size, with_la)
            for g in chosen:
                invited = first - timedelta(days=rng.randint(30, 75))
                registered = g.grantee_id in cohort.teams
                reg_on = invited + timedelta(days=rng.randint(3, 25)) if registered else None
                p_intake = 0.1 if opp.format == "CoL" else 0.88
                intake = registered and rng.random() < p_intake
                rows.append([cohort.cohort_id, g.grantee_id, invited.isoformat(),
                             reg_on.isoformat() if reg_on else "", "true" if intake else "false"])
    return rows


def team_rows(opps: list[Opportunity]) -> list[list[str]]:
    rows = []
    for opp in opps:
        for cohort in opp.cohorts:
            for team in cohort.teams.values():
                for i, p in enumerate(team):
                    role = "lead" if i == 0 and opp.participation_mode == "team" else "member"
                    rows.append([cohort.cohort_id, p.participant_id, role])
    return rows


def toc_rows(rng: random.Random, opps: list[Opportunity]) -> list[list[str]]:
    """About half the opportunities have a theory of change with 3-6 measurable targets."""
    with_toc = {o.opportunity_id: None for o in rng.sample(opps, len(opps) // 2)}
    rows = []
    for opp in opps:
        if opp.opportunity_id in with_toc:
            for metric, comp, values in rng.sample(TOC_POOL, rng.randint(3, 6)):
                rows.append([opp.opportunity_id, metric, comp, rng.choice(values)])
    return rows


def all_cohorts(opps: list[Opportunity]) -> list[tuple[Opportunity, Cohort]]:
    return [(o, c) for o in opps for c in o.cohorts]
