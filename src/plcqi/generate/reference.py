"""Centers, grantees, opportunities, cohorts and sessions, built on the real reference facts.

The facts (``facts/*.csv``) are copies of ``shared/reference``: the 8 national centers, the 56
states/territories/DC with their ACF regions, and the 24 opportunities of the peer learning
study's environmental scan. Dates are not the 2015-2018 ones: the timeline is laid out over the
three years before the as-of date, so a demo is current.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, time, timedelta
from importlib import resources

from plcqi.generate.model import Cohort, Grantee, Opportunity, Session
from plcqi.generate.names import LEAD_AGENCIES, TRIBAL_LEAD_AGENCIES, TRIBES

# A short topic per scan opportunity, shared by related ones so TA requests relate by topic.
TOPICS = {
    "ES01": "health", "ES02": "workforce", "ES03": "licensing", "ES04": "qris",
    "ES05": "qris", "ES06": "infant_toddler", "ES07": "family_child_care", "ES08": "qris",
    "ES09": "qris", "ES10": "licensing", "ES11": "family_child_care", "ES12": "licensing",
    "ES13": "school_age", "ES14": "school_age", "ES15": "health", "ES16": "workforce",
    "ES17": "infant_toddler", "ES18": "coaching", "ES19": "coaching", "ES20": "workforce",
    "ES21": "workforce", "ES22": "family_engagement", "ES23": "family_engagement",
    "ES24": "subsidy",
}
# Topics of background TA requests, with the center that usually answers them and a weight.
REQUEST_TOPICS = {
    "licensing": ("NCECQA", 10), "qris": ("NCECQA", 10), "workforce": ("NCECDTL", 9),
    "subsidy": ("NCSIA", 12), "health": ("NCECHW", 5), "infant_toddler": ("NCECQA", 7),
    "family_child_care": ("NCECQA", 5), "school_age": ("NCASE", 6), "coaching": ("NCECDTL", 4),
    "family_engagement": ("NCPFCE", 5), "fiscal": ("SCBC", 6), "data_systems": ("SCBC", 4),
    "ccdf_plan": ("SCBC", 8), "tribal_ccdf": ("NCTECD", 3),
}
# Communities of practice / open space series that are still running at the as-of date.
ONGOING = ("ES15", "ES17", "ES19", "ES24")
TEAM_FORMATS = ("PLG", "PLC", "PLF")  # team participation, attendance at every session expected


def _facts(name: str) -> list[dict[str, str]]:
    text = resources.files("plcqi.generate").joinpath("facts", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def centers() -> list[dict[str, str]]:
    return _facts("centers.csv")


def build_grantees(rng: random.Random, scale: float) -> list[Grantee]:
    """The 56 real states/territories/DC, 11 tribal grantees, and synthetic ones at scale > 1."""
    out: list[Grantee] = []
    for row in _facts("grantees.csv"):
        out.append(Grantee(row["grantee_id"], row["grantee_name"], row["grantee_type"],
                           int(row["acf_region"])))
    for gid, name, region in TRIBES:
        out.append(Grantee(gid, name, "tribe", region))
    extra = round(len(out) * (scale - 1)) if scale > 1 else 0
    for n in range(1, extra + 1):
        r = rng.random()
        if r < 0.15:
            out.append(Grantee(f"T-{2000 + n}", f"Synthetic Tribe {n:05d}", "tribe",
                               rng.randint(1, 10)))
        elif r < 0.22:
            out.append(Grantee(f"U{n:05d}", f"Synthetic Territory {n:05d}", "territory",
                               rng.choice((2, 9))))
        else:
            out.append(Grantee(f"S{n:05d}", f"Synthetic State {n:05d}", "state",
                               rng.randint(1, 10)))
    for g in out:
        if g.grantee_type == "tribe":
            suffix, sub = rng.choice(TRIBAL_LEAD_AGENCIES)
            slug = "".join(ch for ch in g.name.split(" ")[0].lower() if ch.isalpha())
            g.code = f"{slug}{g.grantee_id[2:]}"
            g.domain = f"{sub}.{g.code}-nsn.gov"
        else:
            suffix, sub = rng.choice(LEAD_AGENCIES)
            g.code = g.grantee_id.lower()
            g.domain = f"{sub}.{g.code}.gov"
        g.agency = f"{g.name} {suffix}"
    return out


def _followup(after_session: str, after_opportunity: str) -> str:
    s = after_session == "yes"
    o = after_opportunity in ("yes", "ongoing")
    if s and o:
        return "both"
    if s:
        return "after_session"
    if o:
        return "after_opportunity"
    if after_session == "no" and after_opportunity == "no":
        return "none"
    return "unknown"


def _core_plan(rng: random.Random, fmt: str) -> tuple[list[str], tuple[int, int], tuple[int, ...]]:
    """Session types of one cohort (kickoff excluded), interval range in days, durations."""
    if fmt in TEAM_FORMATS:
        n = {"PLG": rng.randint(8, 11), "PLC": rng.randint(6, 8), "PLF": rng.randint(8, 11)}[fmt]
        types = ["webinar"] * n
        for i in range(2, n):
            if rng.random() < 0.2:
                types[i] = "team_lead_call"
        if fmt == "PLF":
            types[n // 2] = "in_person"
        return types, (14, 28), (60, 90, 90, 120) if fmt != "PLC" else (90, 120, 120)
    if fmt == "CoL":  # kickoff, then three webinar series of three sessions
        types = []
        for _ in range(3):
            types += ["webinar"] * 3
            if rng.random() < 0.3:
                types.append("office_hours")
        return types, (14, 21), (60,)
    if fmt == "Other":
        return ["webinar"] * rng.randint(8, 12), (25, 35), (60,)
    return ["webinar"] * rng.randint(12, 18), (25, 35), (60, 90)  # CoP, OpenSpace (finite)


def _weekday(d: date) -> date:
    """Move to a Tuesday-Thursday, as facilitators schedule, and out of the year-end break."""
    if (d.month == 12 and d.day >= 22) or (d.month == 1 and d.day <= 4):
        d = date(d.year + (d.month == 12), 1, 5)
    return d + timedelta(days={0: 1, 1: 0, 2: 0, 3: 0, 4: -1, 5: 3, 6: 2}[d.weekday()])


def _offsets(rng: random.Random, types: list[str], interval: tuple[int, int],
             gap: bool) -> list[int]:
    offs, day = [], 0
    gap_at = rng.randint(2, max(2, len(types) - 2)) if gap and len(types) > 3 else -1
    for i in range(len(types)):
        if i:
            day += rng.randint(45, 75) if i == gap_at else rng.randint(*interval)
        offs.append(day)
    return offs


def build_opportunities(rng: random.Random, scale: float, as_of: date) -> list[Opportunity]:
    scan = _facts("environmental_scan_2015_2018.csv")
    copies = max(1, round(scale))
    opps: list[Opportunity] = []
    for k in range(copies):
        for row in scan:
            sid = row["scan_id"]
            oid = sid if k == 0 else f"{sid}R{k:03d}"
            outcome = row["intended_outcome"]
            if outcome == "unknown":
                # ES17 has no intended outcome in the scan; the contract requires one of
                # knowledge/policy_implementation/systems, so it is mapped to "knowledge".
                outcome = "knowledge"
            fmt = row["format"]
            leads = int(row["lead_agencies"]) if row["lead_agencies"] else rng.randint(6, 15)
            team = fmt in TEAM_FORMATS
            opps.append(Opportunity(
                opportunity_id=oid, scan_id=sid,
                title=row["title"] if k == 0 else f"{row['title']} (round {k + 1})",
                center_id=row["center_id"], partner_center_ids=row["partner_center_ids"],
                format=fmt, topic=TOPICS[sid], intended_outcome=outcome,
                ta_type="" if row["ta_type"] == "unknown" else row["ta_type"],
                participation_mode="team" if team else "individual",
                attendance_expectation="all_sessions" if team else "optional",
                planned_sessions=None,
                followup_offered=_followup(row["followup_after_session"],
                                           row["followup_after_opportunity"]),
                ongoing=sid in ONGOING, lead_agencies=leads, n_cohorts=int(row["cohorts"]),
            ))
    finite = [o for o in opps if not o.ongoing]
    recent = {o.opportunity_id for o in rng.sample(finite, max(2, round(0.22 * len(finite))))}
    for opp in opps:
        _schedule(rng, opp, as_of, opp.opportunity_id in recent)
    return opps


def _schedule(rng: random.Random, opp: Opportunity, as_of: date, recent: bool) -> None:
    """Lay out cohorts and sessions of one opportunity relative to the as-of date."""
    types, interval, durations = _core_plan(rng, opp.format)
    kickoffs = opp.format != "OpenSpace"
    if not opp.ongoing:
        opp.planned_sessions = len(types) + (1 if kickoffs else 0)
    plans = []
    for n in range(1, opp.n_cohorts + 1):
        ctypes = list(types)
        if not opp.ongoing and rng.random() < 0.2:  # the series was cut short
            ctypes = ctypes[: len(ctypes) - rng.randint(1, 2)]
        if opp.format == "PLC" and rng.random() < 0.15:
            ctypes.append("reunion")
        if opp.ongoing:
            ctypes = ["webinar"] * 60
        offs = _offsets(rng, ctypes, interval, gap=rng.random() < 0.2)
        if ctypes[-1] == "reunion":
            offs[-1] = offs[-2] + rng.randint(60, 100)
        if kickoffs and rng.random() < 0.85:
            ctypes = ["kickoff"] + ctypes
            lead = rng.randint(7, 21)
            offs = [0] + [o + lead for o in offs]
        plans.append((n, ctypes, offs))
    # Place the cohorts: the last one ends recently (or soon) or well in the past.
    starts: list[date] = [as_of] * len(plans)
    if opp.ongoing:
        starts[-1] = as_of - timedelta(days=rng.randint(365, 1095))
    else:
        end_before = rng.randint(-75, 170) if recent else rng.randint(190, 760)
        nxt = as_of - timedelta(days=end_before + plans[-1][2][-1])
        starts[-1] = nxt
        for i in range(len(plans) - 2, -1, -1):
            if rng.random() < 0.3:  # parallel cohorts (e.g. split by experience level)
                starts[i] = nxt + timedelta(days=rng.randint(-21, 7))
            else:
                starts[i] = nxt - timedelta(days=plans[i][2][-1] + rng.randint(30, 150))
            nxt = starts[i]
    for (n, ctypes, offs), start in zip(plans, starts, strict=True):
        cid = f"{opp.opportunity_id}-C{n}"
        label = f"Cohort {n}" if opp.n_cohorts > 1 else ("Ongoing" if opp.ongoing else "Cohort 1")
        cohort = Cohort(cid, opp.opportunity_id, n, label, opp.ongoing)
        hour = time(rng.choice((15, 16, 17, 18, 19)), rng.choice((0, 0, 30)))
        duration = rng.choice(durations)
        horizon = as_of + timedelta(days=rng.randint(30, 120))
        number = 0 if ctypes[0] == "kickoff" else 1
        # now and then one session (not the first) is cancelled
        cancel = rng.randint(2, len(ctypes) - 1) if len(ctypes) > 3 and rng.random() < 0.2 else -1
        for stype, off in zip(ctypes, offs, strict=True):
            day = _weekday(start + timedelta(days=off))
            if opp.ongoing and day > horizon:
                break
            if stype == "kickoff":
                status, dur = "delivered", 60
            else:
                status, dur = "delivered", duration
                if stype in ("team_lead_call", "office_hours"):
                    dur = 60
                if number == cancel:
                    status = "cancelled"
            if day > as_of and status == "delivered":
                status = "scheduled"
            title = {"kickoff": "Kickoff", "reunion": "Reunion", "in_person": "In-person meeting",
                     "team_lead_call": "Team lead call", "office_hours": "Office hours"}.get(
                stype, f"Session {number}")
            cohort.sessions.append(Session(
                f"{cid}-S{number:02d}", cid, number, stype, title,
                datetime.combine(day, hour), dur, status))
            number += 1
        opp.cohorts.append(cohort)
    opp.start_date = min(c.sessions[0].start.date() for c in opp.cohorts)
    if not opp.ongoing:
        opp.end_date = max(c.sessions[-1].start.date() for c in opp.cohorts)
