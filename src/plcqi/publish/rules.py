"""CQI recommendations: rules as data, each grounded in a finding of the peer learning study
(OPRE Report 2023-119, ``shared/seeds/peer-learning-study-final-report.txt``).

A rule looks at one cohort's facts (``CohortFacts``) and returns the figure that triggered it,
or None. ``evaluate`` runs every rule of ``RULES`` over a center's cohorts; a rule about the
opportunity (``scope="opportunity"``) triggers once per opportunity, naming its cohorts.
Rate-based rules only fire on rates that the report may show (denominator at least
``min_cell_size``): a recommendation must not reveal a suppressed figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from plcqi.publish.cells import pct, points


@dataclass(frozen=True)
class Metric:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class CohortFacts:
    cohort_id: str
    opportunity_id: str
    opportunity_title: str
    participation_mode: str | None = None
    attendance_expectation: str | None = None
    has_theory_of_change: bool = False
    window_complete: bool = False
    metrics: dict[str, Metric] = field(default_factory=dict)
    min_cell_size: int = 3

    def get(self, metric: str) -> Metric:
        return self.metrics.get(metric, Metric(None))

    def rate(self, metric: str) -> Metric | None:
        """The metric when it has a value the report may show, else None."""
        m = self.get(metric)
        if m.value is None or m.denominator is None or m.denominator < self.min_cell_size:
            return None
        return m


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    phase: int
    evidence: str
    recommendation: str
    check: Callable[[CohortFacts, Rule], str | None]
    threshold: float | None = None
    scope: str = "cohort"


def _long_gap(f: CohortFacts, r: Rule) -> str | None:
    gap = f.get("max_gap_days").value
    if gap is not None and gap > r.threshold:
        return f"longest gap between sessions: {gap:.0f} days (limit {r.threshold:.0f})"
    return None


def _lead_agency(f: CohortFacts, r: Rule) -> str | None:
    m = f.rate("lead_agency_team_rate")
    if f.participation_mode != "team" or m is None or m.value >= r.threshold:
        return None
    missing = int(m.denominator - (m.numerator or 0))
    return (f"{missing} of {int(m.denominator)} registered teams without a lead-agency member "
            f"(lead-agency team rate {pct(m.value)})")


def _intake(f: CohortFacts, r: Rule) -> str | None:
    m = f.rate("intake_completion_rate")
    if m is None or m.value >= r.threshold:
        return None
    if m.value == 0:
        return f"no intake form completed before launch (0 of {int(m.denominator)} registered)"
    return f"intake completion {pct(m.value)} of registered grantees (below {pct(r.threshold)})"


def _kickoff(f: CohortFacts, r: Rule) -> str | None:
    if f.get("prelaunch_activity").value == 0:
        return "no kickoff session before the first webinar (prelaunch activity = 0)"
    return None


def _optional_retention(f: CohortFacts, r: Rule) -> str | None:
    m = f.rate("retention_rate")
    if f.attendance_expectation != "optional" or m is None or m.value >= r.threshold:
        return None
    return (f"optional attendance and retention {pct(m.value)} "
            f"(last session vs first; below {pct(r.threshold)})")


def _low_uptake(f: CohortFacts, r: Rule) -> str | None:
    m = f.rate("followup_uptake_rate")
    if not f.window_complete or m is None:
        return None
    lift = f.get("followup_lift").value
    if m.value >= r.threshold and (lift is None or lift > 0):
        return None
    text = f"follow-up TA uptake {pct(m.value)} over the six-month window"
    if lift is not None:
        text += f", lift {points(lift)} over non-participants"
    return text


def _no_toc(f: CohortFacts, r: Rule) -> str | None:
    if not f.has_theory_of_change:
        return "no theory of change: no measurable targets (has_theory_of_change = 0)"
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "no_theory_of_change", "Define a theory of change with measurable targets", 2,
        "A defining challenge was the lack of a clearly formulated theory of change; without "
        "it facilitators could not say whether participants met the opportunity's goals.",
        "Write the opportunity's theory of change and record measurable targets for its "
        "phase metrics (toc_targets), so the next report can hold each cohort against them.",
        _no_toc, scope="opportunity",
    ),
    Rule(
        "intake_before_launch", "Collect intake information before launch", 3,
        "Facilitators stressed gathering information on state context before the start; the "
        "facilitators who required none said afterwards that it would have been valuable.",
        "Require an intake form or application from every registered grantee before the "
        "first session, and use it to tailor content and match peers.",
        _intake, threshold=0.8,
    ),
    Rule(
        "kickoff_sets_expectations", "Hold a kickoff that sets attendance expectations", 3,
        "Where attendance expectations were communicated at the kick-off meeting, attendance "
        "was high.",
        "Open the next cohort with a kickoff session that sets expectations before the first "
        "webinar.",
        _kickoff,
    ),
    Rule(
        "team_lead_agency", "Include a lead-agency member on every team", 3,
        "Participants highlighted the importance of a CCDF lead agency representative on the "
        "team; its absence was a barrier to implementing action plans.",
        "Ask each team to include a CCDF lead agency representative, or to obtain lead agency "
        "sign-off on its action plan at the outset.",
        _lead_agency, threshold=1.0,
    ),
    Rule(
        "gap_over_six_weeks", "Keep sessions at most six weeks apart", 4,
        "A facilitator who left six weeks between sessions concluded that it hurt both "
        "attendance and engagement.",
        "Schedule every session before launch, no more than six weeks (42 days) apart.",
        _long_gap, threshold=42,
    ),
    Rule(
        "optional_attendance_retention", "Set an attendance expectation", 4,
        "Where facilitators did not articulate attendance expectations, attendance was "
        "sporadic; where they expected every session, it was high.",
        "Make attendance at every session the expectation (with a named team lead who "
        "attends all sessions) and follow up with grantees who drop out.",
        _optional_retention, threshold=0.7,
    ),
    Rule(
        "low_followup_uptake", "Offer structured follow-up", 6,
        "All opportunities offered follow-up TA but uptake was limited; NCASE now offers "
        "monthly team lead meetings for the six months after each PLC ends.",
        "Offer structured follow-up: monthly team-lead calls for the six months after the "
        "cohort ends, with an action-plan check-in, rather than an open offer of TA.",
        _low_uptake, threshold=0.25,
    ),
)


def evaluate(facts: list[CohortFacts], rules: tuple[Rule, ...] = RULES) -> list[dict]:
    """One entry per triggered rule (in ``rules`` order) with its triggers: each names the
    opportunity, the cohort(s) and the figure that triggered it."""
    out: list[dict] = []
    for rule in rules:
        triggers: dict[str, dict] = {}
        for f in facts:
            figure = rule.check(f, rule)
            if figure is None:
                continue
            key = f.opportunity_id if rule.scope == "opportunity" else f.cohort_id
            if key in triggers:
                triggers[key]["cohort_ids"].append(f.cohort_id)
                continue
            triggers[key] = {"opportunity_id": f.opportunity_id,
                             "opportunity_title": f.opportunity_title,
                             "cohort_ids": [f.cohort_id], "figure": figure}
        if triggers:
            out.append({"rule_id": rule.id, "title": rule.title, "phase": rule.phase,
                        "recommendation": rule.recommendation, "evidence": rule.evidence,
                        "triggers": list(triggers.values())})
    return out
