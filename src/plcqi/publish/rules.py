"""CQI recommendations: rules as data, each grounded in a finding of the peer learning study
(OPRE Report 2023-119, ``shared/seeds/peer-learning-study-final-report.txt``).

Two kinds of rule look at one cohort's facts (``CohortFacts``):

- the opportunity's own theory of change: every target the cohort did not meet triggers a
  recommendation naming the metric, its value with its 95% interval and the target
  (``target_not_met``);
- fixed thresholds from the study (``RULES``): each names the metrics it looks at and fires
  only where the opportunity has no target for any of them, so it never contradicts the
  scorecard (a met target is never second-guessed, a missed one is the target rule's).

``evaluate`` looks only at cohorts in the report period: a delivered session in it, or a
follow-up window that closed in it; a rule about the opportunity (``scope="opportunity"``)
triggers once per opportunity, naming its cohorts. Rules only fire on figures the report may
show (a rate's denominator at least ``min_cell_size``, and not hidden by complementary
suppression): a recommendation must not reveal a suppressed figure. ``nothing_to_report``
says why a center has no recommendation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from plcqi.publish import metrics as mt
from plcqi.publish.cells import interval, pct, points


@dataclass(frozen=True)
class Metric:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    low: float | None = None
    high: float | None = None
    comparator: str | None = None
    target: float | None = None
    met: bool | None = None

    @property
    def has_target(self) -> bool:
        return self.comparator is not None and self.target is not None


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
    active_in_period: bool = True
    window_closed_in_period: bool = False
    hidden: frozenset[str] = frozenset()  # metrics the report hides (complementary suppression)

    def get(self, metric: str) -> Metric:
        return self.metrics.get(metric, Metric(None))

    def rate(self, metric: str) -> Metric | None:
        """The metric when it has a value the report may show, else None."""
        m = self.get(metric)
        if (m.value is None or m.denominator is None or m.denominator < self.min_cell_size
                or metric in self.hidden):
            return None
        return m

    def shown(self, metric: str) -> Metric | None:
        """The metric when the report shows its value: a rate or difference with a
        denominator of at least ``min_cell_size``; a count, day figure or flag always."""
        m = self.get(metric)
        if m.value is None or metric in self.hidden:
            return None
        if mt.kind(metric) in ("rate", "lift"):
            return self.rate(metric)
        return m

    @property
    def in_period(self) -> bool:
        """Active in the report period (a delivered session in it) or its follow-up window
        closed in it: the cohorts the rules look at."""
        return self.active_in_period or self.window_closed_in_period


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
    metrics: tuple[str, ...] = ()  # a target for any of them silences the rule

    def applies(self, f: CohortFacts) -> bool:
        """A fixed threshold only where the opportunity set no target of its own."""
        return not any(f.get(k).has_target for k in self.metrics)


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
    ci = interval(m.low, m.high)
    if ci:
        text += f" (95% interval {ci})"
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
        _intake, threshold=0.8, metrics=("intake_completion_rate",),
    ),
    Rule(
        "kickoff_sets_expectations", "Hold a kickoff that sets attendance expectations", 3,
        "Where attendance expectations were communicated at the kick-off meeting, attendance "
        "was high.",
        "Open the next cohort with a kickoff session that sets expectations before the first "
        "webinar.",
        _kickoff, metrics=("prelaunch_activity",),
    ),
    Rule(
        "team_lead_agency", "Include a lead-agency member on every team", 3,
        "Participants highlighted the importance of a CCDF lead agency representative on the "
        "team; its absence was a barrier to implementing action plans.",
        "Ask each team to include a CCDF lead agency representative, or to obtain lead agency "
        "sign-off on its action plan at the outset.",
        _lead_agency, threshold=1.0, metrics=("lead_agency_team_rate",),
    ),
    Rule(
        "gap_over_six_weeks", "Keep sessions at most six weeks apart", 4,
        "A facilitator who left six weeks between sessions concluded that it hurt both "
        "attendance and engagement.",
        "Schedule every session before launch, no more than six weeks (42 days) apart.",
        _long_gap, threshold=42, metrics=("max_gap_days",),
    ),
    Rule(
        "optional_attendance_retention", "Set an attendance expectation", 4,
        "Where facilitators did not articulate attendance expectations, attendance was "
        "sporadic; where they expected every session, it was high.",
        "Make attendance at every session the expectation (with a named team lead who "
        "attends all sessions) and follow up with grantees who drop out.",
        _optional_retention, threshold=0.7, metrics=("retention_rate",),
    ),
    Rule(
        "low_followup_uptake", "Offer structured follow-up", 6,
        "All opportunities offered follow-up TA but uptake was limited; NCASE now offers "
        "monthly team lead meetings for the six months after each PLC ends.",
        "Offer structured follow-up: monthly team-lead calls for the six months after the "
        "cohort ends, with an action-plan check-in, rather than an open offer of TA.",
        _low_uptake, threshold=0.25, metrics=("followup_uptake_rate", "followup_lift"),
    ),
)


TARGET_RULE = Rule(
    "target_not_met", "Act on the targets the cohort did not meet", 2,
    "The study found that the defining weakness was the lack of a theory of change with "
    "measurable targets: without them facilitators could not say whether participants met "
    "the opportunity's goals. This opportunity has targets: these were not met.",
    "Review each missed target with the facilitators before the next cohort: what would "
    "have to change in the plan (sessions, expectations, follow-up) to meet it, or whether "
    "the target itself should be revised in the theory of change.",
    lambda f, r: None,
)
# What the study advises when a target on that metric is missed (the fixed rule's advice).
ADVICE_RULE = {"intake_completion_rate": "intake_before_launch",
               "prelaunch_activity": "kickoff_sets_expectations",
               "lead_agency_team_rate": "team_lead_agency", "max_gap_days": "gap_over_six_weeks",
               "attendance_rate": "kickoff_sets_expectations",
               "full_attendance_rate": "kickoff_sets_expectations",
               "retention_rate": "optional_attendance_retention",
               "followup_uptake_rate": "low_followup_uptake",
               "followup_lift": "low_followup_uptake"}


def shown_value(metric: str, m: Metric) -> str:
    """A metric's value as the report prints it, with its 95% interval where it has one.

    >>> shown_value("attendance_rate", Metric(0.77, 23, 30, 0.59, 0.88))
    '77% (95% interval 59–88%)'
    >>> shown_value("max_gap_days", Metric(50))
    '50 days'
    >>> shown_value("followup_lift", Metric(0.18, None, 10, -0.1, 0.4))
    '+18 pts (95% interval −10 to +40 pts)'
    """
    k = mt.kind(metric)
    if k == "rate":
        text, ci = pct(float(m.value)), interval(m.low, m.high)
    elif k == "lift":
        text, ci = points(float(m.value)), interval(m.low, m.high, "difference")
    elif k == "days":
        text, ci = f"{float(m.value):.0f} days", None
    elif k == "flag":
        text, ci = "yes" if m.value else "no", None
    else:
        text, ci = f"{float(m.value):g}", None
    return f"{text} (95% interval {ci})" if ci else text


def missed_targets(f: CohortFacts) -> list[dict]:
    """The cohort's targets not met, on figures the report shows, in METRICS.md order."""
    order = {k: i for i, k in enumerate(mt.METRICS)}
    out = []
    for metric in sorted(f.metrics, key=lambda k: order.get(k, 99)):
        m = f.get(metric)
        if not m.has_target or m.met is not False or f.shown(metric) is None:
            continue
        target = mt.target_text(metric, m.comparator, m.target)
        advice = ADVICE_RULE.get(metric)
        out.append({
            "metric": metric,
            "figure": f"{mt.label(metric)}: {shown_value(metric, m)} against the target "
                      f"{target}: not met",
            "advice": RULE_BY_ID[advice].recommendation if advice in RULE_BY_ID else None,
        })
    return out


RULE_BY_ID = {r.id: r for r in RULES}


def evaluate(facts: list[CohortFacts], rules: tuple[Rule, ...] = RULES) -> list[dict]:
    """One entry per triggered rule with its triggers (each names the opportunity, the
    cohort(s) and the figure): first the missed targets, then the fixed rules in ``rules``
    order. Only cohorts in the report period are looked at."""
    facts = [f for f in facts if f.in_period]
    out: list[dict] = []
    missed = []
    for f in facts:
        for t in missed_targets(f):
            missed.append({"opportunity_id": f.opportunity_id,
                           "opportunity_title": f.opportunity_title,
                           "cohort_ids": [f.cohort_id], "figure": t["figure"],
                           "advice": t["advice"]})
    if missed:
        r = TARGET_RULE
        out.append({"rule_id": r.id, "title": r.title, "phase": r.phase,
                    "recommendation": r.recommendation, "evidence": r.evidence,
                    "triggers": missed})
    for rule in rules:
        triggers: dict[str, dict] = {}
        for f in facts:
            if not rule.applies(f):
                continue
            figure = rule.check(f, rule)
            if figure is None:
                continue
            key = f.opportunity_id if rule.scope == "opportunity" else f.cohort_id
            if key in triggers:
                triggers[key]["cohort_ids"].append(f.cohort_id)
                continue
            triggers[key] = {"opportunity_id": f.opportunity_id,
                             "opportunity_title": f.opportunity_title,
                             "cohort_ids": [f.cohort_id], "figure": figure, "advice": None}
        if triggers:
            out.append({"rule_id": rule.id, "title": rule.title, "phase": rule.phase,
                        "recommendation": rule.recommendation, "evidence": rule.evidence,
                        "triggers": list(triggers.values())})
    return out


def nothing_to_report(facts: list[CohortFacts], opportunities: int, period: str) -> str | None:
    """Why a center has no recommendation (None when it has one): no opportunity, no cohort
    in the report period, or every assessed target met and no fixed rule triggered.

    >>> nothing_to_report([], 0, "2026-04-01 to 2026-06-30")
    'This center has no peer learning opportunities in the marts: there is nothing to assess.'
    """
    if evaluate(facts):
        return None
    if not opportunities:
        return ("This center has no peer learning opportunities in the marts: there is "
                "nothing to assess.")
    current = [f for f in facts if f.in_period]
    if not current:
        return (f"No cohort of this center had a delivered session in the period ({period}) "
                "or a follow-up window closing in it: the rules looked at no cohort.")
    assessed = [m for f in current for k, m in f.metrics.items()
                if m.has_target and m.met is not None and f.shown(k) is not None]
    n = len(current)
    cohorts = f"{n} cohort{'s' if n != 1 else ''} in the period"
    if assessed:
        return (f"Every target assessed for the {cohorts} was met ({len(assessed)} of "
                f"{len(assessed)}), and no rule of the study was triggered.")
    return (f"No rule of the study was triggered for the {cohorts}, and none of them had a "
            "target that could be assessed yet.")
