"""Midpoint and six-month evaluation surveys (wide exports, one row per respondent)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from plcqi.generate.model import Cohort, Opportunity, Participant
from plcqi.generate.names import COMMENTS, CONTACT_COMMENTS

WINDOW_DAYS = 182
BARRIERS = ("time", "turnover", "lead_agency_buyin", "legislative", "cost",
            "conflicting_policy", "readiness", "other")
BARRIER_WEIGHTS = (30, 22, 12, 8, 9, 6, 10, 3)
HIGH = (0.03, 0.05, 0.12, 0.42, 0.38)
MID = (0.05, 0.10, 0.25, 0.38, 0.22)


class Surveys:
    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.files: dict[str, list[list[str]]] = defaultdict(list)
        self.counter = {"midpoint": 0, "six_month": 0}

    def next_id(self, wave: str) -> str:
        self.counter[wave] += 1
        prefix = "MID" if wave == "midpoint" else "SIX"
        return f"{prefix}-{self.counter[wave]:06d}"

    def cohort(self, opp: Opportunity, cohort: Cohort, attended: dict[str, date]) -> None:
        rng, as_of = self.rng, self.as_of
        delivered = cohort.delivered()
        if len(delivered) < 2:
            return
        people = {p.participant_id: p for team in cohort.teams.values() for p in team}
        if cohort.ongoing:
            mid = delivered[0].start.date() + timedelta(days=180 + rng.randint(0, 14))
        else:
            mid = delivered[len(delivered) // 2].start.date() + timedelta(days=rng.randint(1, 10))
        if mid <= as_of:
            who = [people[pid] for pid, first in attended.items() if first <= mid]
            self._wave("midpoint", opp, cohort, who, mid, min(mid + timedelta(days=14), as_of),
                       0.62)
        end = cohort.end()
        if end is not None and end + timedelta(days=WINDOW_DAYS) <= as_of:
            opens = end + timedelta(days=WINDOW_DAYS)
            who = [people[pid] for pid in attended]
            self._wave("six_month", opp, cohort, who, opens,
                       min(opens + timedelta(days=21), as_of), 0.55)

    def _wave(self, wave: str, opp: Opportunity, cohort: Cohort, who: list[Participant],
              opens: date, closes: date, rate: float) -> None:
        rng = self.rng
        six = wave == "six_month"
        team = opp.participation_mode == "team"
        outcome = opp.intended_outcome
        la_grantees = {g for g, t in cohort.teams.items() if any(p.is_lead_agency for p in t)}
        # A grantee answers the wave or not (rate); within it, most of its attendees respond.
        responding = {g: rng.random() < rate for g in dict.fromkeys(p.grantee_id for p in who)}
        answered: dict[str, None] = {}
        for i, p in enumerate(who):
            last_chance = p.grantee_id not in answered and all(
                q.grantee_id != p.grantee_id for q in who[i + 1:])
            if not responding[p.grantee_id] or (rng.random() >= 0.7 and not last_chance):
                continue
            answered[p.grantee_id] = None
            day = opens + timedelta(days=rng.randint(0, (closes - opens).days))
            at = datetime.combine(day, time(rng.randint(12, 23), rng.randint(0, 59),
                                            rng.randint(0, 59)))
            pid = "" if rng.random() < 0.1 else p.participant_id
            good = HIGH if opp.format in ("PLG", "PLC", "PLF", "CoP") else MID
            item = {
                "knowledge_gain": str(rng.choices(range(1, 6), good)[0]),
                "relevance": str(rng.choices(range(1, 6), HIGH)[0]),
                "within": str(rng.choices(range(1, 6), HIGH if team else MID)[0]),
                "across": str(rng.choices(range(1, 6), MID)[0]),
                "followup": "yes" if rng.random() < 0.45 else "no",
            }
            if six:
                item["disseminated"] = "yes" if rng.random() < 0.7 else "no"
                item["plan"] = rng.choices(("none", "drafting", "complete", "implementing"),
                                           (15, 20, 30, 35) if team else (45, 25, 15, 15))[0]
                item["continue"] = rng.choices(("yes", "no", "unsure"), (73, 10, 17))[0]
                p_practice = {"knowledge": 0.35, "policy_implementation": 0.5}.get(outcome, 0.45)
                p_policy = 0.5 if outcome == "policy_implementation" else 0.22
                p_systems = 0.45 if outcome == "systems" else 0.18
                item["practice"] = "yes" if rng.random() < p_practice else "no"
                item["policy"] = "yes" if rng.random() < p_policy else "no"
                item["systems"] = "yes" if rng.random() < p_systems else "no"
            else:
                item["plan"] = rng.choices(("none", "drafting"), (30, 70) if team else (70, 30))[0]
            for k in list(item):
                if rng.random() < 0.05:  # item non-response
                    item[k] = ""
            weights = list(BARRIER_WEIGHTS)
            if p.grantee_id not in la_grantees:
                weights[2] *= 4  # no lead agency on the team: buy-in is the barrier
            n = rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0]
            picked: list[str] = []
            for b in rng.choices(BARRIERS, weights, k=n):
                if b not in picked:
                    picked.append(b)
            comment = ""
            r = rng.random()
            if r < 0.04:
                phone = f"({rng.randint(201, 989)}) 555-{rng.randint(0, 9999):04d}"
                comment = rng.choice(CONTACT_COMMENTS).format(email=p.email, phone=phone)
            elif r < 0.3:
                comment = rng.choice(COMMENTS)
            self.files[f"surveys/{wave}/{wave}_{day.year}.csv"].append([
                self.next_id(wave), cohort.cohort_id, p.grantee_id, pid, at.isoformat(),
                item["knowledge_gain"], item["relevance"], item["within"], item["across"],
                item.get("disseminated", ""), item["plan"], item.get("continue", ""),
                item.get("practice", ""), item.get("policy", ""), item.get("systems", ""),
                item["followup"], ";".join(picked), comment,
            ])
