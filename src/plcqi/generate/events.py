"""Attendance (webinar platform exports) and in-session polls.

Behaviour from the peer learning study: where attendance at every session is expected
(team-based PLG/PLC/PLF) grantees come to ~85-90% of sessions; optional series are sporadic
(~50%); a gap of more than six weeks between sessions loses people.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import accumulate

from plcqi.generate.model import Cohort, Opportunity

LIKERT_QUESTIONS = (
    ("useful", "This session was useful for my work."),
    ("apply", "I can apply what I learned today in my state."),
    ("peers", "The peer discussion was valuable."),
    ("prepared", "The facilitators were well prepared."),
)
YES_NO_QUESTIONS = (
    ("share", "Will you share today's resources with your team?"),
    ("followup", "Would you like follow-up TA on this topic?"),
)
CHOICE_QUESTION = ("next_topic", "Which topic should the next session cover?", ("A", "B", "C"))
TEXT_QUESTION = ("one_thing", "Name one thing you will try.", (
    "Share the toolkit with licensing staff", "Revisit our action plan", "Talk to our CCDF "
    "administrator", "Pilot the new monitoring checklist", "Set up a team meeting"))
# Cumulative weights of the Likert values 1-5 (bisect is much cheaper than random.choices).
FAVOURABLE = tuple(accumulate((0.03, 0.05, 0.14, 0.43, 0.35)))
LESS_FAVOURABLE = tuple(accumulate((0.06, 0.12, 0.27, 0.35, 0.20)))
LIKERT = ("1", "2", "3", "4", "5")


def _case(rng: random.Random, email: str) -> str:
    """The same address in the letter case a person typed it into the platform."""
    r = rng.random()
    if r < 0.5:
        local, _, domain = email.partition("@")
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
    if r < 0.75:
        return email.upper()
    return email.capitalize()


class Attendance:
    """Attendance and poll rows, grouped into one export file per month / quarter."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.files: dict[str, list[list[str]]] = defaultdict(list)
        self.polls: dict[str, list[list[str]]] = defaultdict(list)
        # cohort_id -> participant_id -> first attended date (surveys, follow-up TA)
        self.people: dict[str, dict[str, date]] = {}
        # cohort_id -> grantee_id -> first attended date
        self.grantees: dict[str, dict[str, date]] = {}

    def cohort(self, opp: Opportunity, cohort: Cohort) -> None:
        rng = self.rng
        required = opp.attendance_expectation == "all_sessions"
        base, drop_on_gap, attrition = (0.9, 0.2, 0.0) if required else (0.56, 0.35, 0.012)
        p_grantee = {g: min(0.99, max(0.2, base + rng.gauss(0, 0.07)))
                     for g in cohort.participating}
        active = dict.fromkeys(cohort.participating, True)
        favour = FAVOURABLE if rng.random() < 0.8 else LESS_FAVOURABLE
        people: dict[str, date] = {}
        grantees: dict[str, date] = {}
        prev: date | None = None
        for s in cohort.sessions:
            if s.status != "delivered":
                continue
            day = s.start.date()
            if prev is not None:
                gap = (day - prev).days
                for g in cohort.participating:
                    if active[g] and (rng.random() < attrition
                                      or (gap > 42 and rng.random() < drop_on_gap)):
                        active[g] = False
            prev = day
            factor = 0.4 if s.session_type == "reunion" else 1.0
            attendees = []
            for g in cohort.participating:
                if not active[g] or rng.random() >= p_grantee[g] * factor:
                    continue
                team = cohort.teams[g]
                came = [p for p in team if rng.random() < 0.88] or [team[0]]
                attendees += came
                grantees.setdefault(g, day)
            key = f"attendance/{day:%Y-%m}.csv"
            rows = self.files[key]
            breakout: list[float] = []  # state teams meet in breakout rooms, once or twice
            if s.session_type in ("webinar", "in_person") and rng.random() < (
                    0.7 if required else 0.3):
                rounds = 2 if s.duration >= 90 and rng.random() < 0.6 else 1
                at = s.duration * 0.15
                for _ in range(rounds):
                    b0 = at + s.duration * rng.uniform(0.05, 0.15)
                    at = b0 + s.duration * rng.uniform(0.15, 0.25)
                    breakout += [b0, at]
            for p in attendees:
                people.setdefault(p.participant_id, day)
                self._rows(rows, s.session_id, p.participant_id, p.email, s.start, s.duration,
                           breakout)
            if s.session_type in ("webinar", "in_person") and rng.random() < 0.6:
                self._poll(s.session_id, s.start, s.duration, attendees, favour)
        self.people[cohort.cohort_id] = people
        self.grantees[cohort.cohort_id] = grantees

    def _rows(self, rows: list[list[str]], sid: str, pid: str, email: str, start: datetime,
              duration: int, breakout: list[float]) -> None:
        """One person's rows in one session.

        Breakout rooms and dropped connections make the platform export several rows for the
        same person, whose intervals touch or overlap a little.
        """
        rng = self.rng
        join = min(25.0, max(-8.0, rng.gauss(1.5, 3.5)))
        if rng.random() < 0.1:
            leave = duration * rng.uniform(0.3, 0.9)
        else:
            leave = min(duration + 20.0, max(duration - 15.0, duration + rng.gauss(0, 4)))
        leave = max(leave, join + 3.0)
        if rng.random() < 0.06:  # the platform only knows the e-mail, typed in any case
            pid, email = "", _case(rng, email)
        cuts: list[float] = []
        if breakout and join < breakout[0] - 2 and leave > breakout[-1] + 2:
            cuts = [b + rng.uniform(0, 1) for b in breakout]
        elif rng.random() < 0.15 and leave - join > 20:
            if rng.random() < 0.5:
                cuts = [rng.uniform(join + 5, leave - 5)]
            else:
                mid = (join + leave) / 2
                cuts = [rng.uniform(join + 5, mid - 1), rng.uniform(mid + 1, leave - 5)]
        t0 = start + timedelta(seconds=round(join * 60))
        for c in cuts:
            t1 = start + timedelta(seconds=round(c * 60))
            rows.append([sid, pid, email, t0.isoformat(), t1.isoformat()])
            t0 = t1 - timedelta(seconds=int(rng.random() * 61))
        rows.append([sid, pid, email, t0.isoformat(),
                     (start + timedelta(seconds=round(leave * 60))).isoformat()])

    def _poll(self, sid: str, start: datetime, duration: int, attendees: list,
              favour: tuple[float, ...]) -> None:
        rng = self.rng
        if not attendees:
            return
        anonymous = rng.random() < 0.2
        questions = [(q, t, "likert5", ()) for q, t in rng.sample(LIKERT_QUESTIONS, 2)]
        if rng.random() < 0.6:
            q, t = rng.choice(YES_NO_QUESTIONS)
            questions.append((q, t, "yes_no", ()))
        if rng.random() < 0.15:
            questions.append((*CHOICE_QUESTION[:2], "choice", CHOICE_QUESTION[2]))
        if rng.random() < 0.1:
            questions.append((*TEXT_QUESTION[:2], "text", TEXT_QUESTION[2]))
        seen: dict[str, None] = {}
        respondents = []
        for p in attendees:
            if p.participant_id not in seen and rng.random() < 0.7:
                seen[p.participant_id] = None
                respondents.append(p)
        q_ = (start.month - 1) // 3 + 1
        rows = self.polls[f"polls/{start.year}-Q{q_}.csv"]
        poll_id = f"{sid}-P1"
        at = start + timedelta(minutes=rng.randint(10, max(11, duration - 5)))
        for p in respondents:
            pid = "" if anonymous else p.participant_id
            when = (at + timedelta(seconds=int(rng.random() * 181))).isoformat()
            for qid, text, scale, options in questions:
                value, free = "", ""
                if scale == "likert5":
                    value = LIKERT[min(4, bisect(favour, rng.random() * favour[-1]))]
                elif scale == "yes_no":
                    value = "yes" if rng.random() < 0.75 else "no"
                elif scale == "choice":
                    value = rng.choice(options)
                else:
                    free = rng.choice(options)
                rows.append([sid, poll_id, qid, text, scale, pid, value, free, when])
