"""The survey items as the survey exports write them (Qualtrics, REDCap, SurveyMonkey): the
questions of each wave, where each is in a contract row, and their answers' labels."""

from __future__ import annotations

import random

from plcqi.generate.native.write import AGREEMENT

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


def items(wave: str) -> list[tuple[str, str]]:
    """The (column, question) a wave asks: the six-month ones only at six months."""
    return [(c, t) for c, t in SURVEY_ITEMS if wave == "six_month" or c not in SIX_MONTH_ONLY]


def label(column: str, value: str) -> str:
    if not value:
        return ""
    if column in LIKERT_ITEMS:
        return AGREEMENT[int(value) - 1]
    if column == "barriers":
        return ",".join(BARRIER_LABELS[b] for b in value.split(";"))
    if column == "comments":
        return value
    return value.capitalize()


def ip_address(r: random.Random) -> str:
    return f"198.51.100.{r.randint(1, 254)}"
