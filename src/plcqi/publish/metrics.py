"""How each phase metric of METRICS.md is labelled and displayed."""

from __future__ import annotations

from plcqi.publish import cells

# metric -> (label, kind); kind: rate, count, days, flag, lift. Order = METRICS.md.
METRICS: dict[str, tuple[str, str]] = {
    "need_requests_12m": ("TA requests on the topic in the 12 months before launch", "count"),
    "need_matched_participation_rate": ("Participating grantees who had asked for TA on it",
                                        "rate"),
    "has_theory_of_change": ("Theory of change with targets", "flag"),
    "invited_grantees": ("Grantees invited", "count"),
    "registration_rate": ("Invited grantees who registered", "rate"),
    "intake_completion_rate": ("Registered grantees who completed the intake form", "rate"),
    "lead_agency_team_rate": ("Registered teams with a lead-agency member", "rate"),
    "prelaunch_activity": ("Kickoff before the first webinar", "flag"),
    "sessions_delivered_rate": ("Planned sessions delivered", "rate"),
    "attendance_rate": ("Attendance (grantee-sessions attended)", "rate"),
    "full_attendance_rate": ("Grantees who attended every session", "rate"),
    "retention_rate": ("Retention (last session / first session)", "rate"),
    "max_gap_days": ("Longest gap between sessions", "days"),
    "poll_favorable_rate": ("Favourable poll answers (4–5 of 5)", "rate"),
    "knowledge_gain_rate_midpoint": ("Knowledge gain, midpoint survey", "rate"),
    "knowledge_gain_rate_six_month": ("Knowledge gain, six-month survey", "rate"),
    "dissemination_rate": ("Shared what they learned (six months)", "rate"),
    "action_plan_rate": ("Action plan complete or implementing (six months)", "rate"),
    "continue_implementing_rate": ("Continue implementing (six months)", "rate"),
    "practice_or_policy_change_rate": ("Practice or policy change (six months)", "rate"),
    "systems_change_rate": ("Systems change (six months)", "rate"),
    "midpoint_response_rate": ("Midpoint survey response (grantees)", "rate"),
    "six_month_response_rate": ("Six-month survey response (grantees)", "rate"),
    "followup_uptake_rate": ("Follow-up TA uptake (related request within 6 months)", "rate"),
    "followup_baseline_rate": ("Follow-up TA uptake among non-participants (baseline)", "rate"),
    "followup_lift": ("Uptake lift over non-participants", "lift"),
    "median_days_to_followup": ("Median days to first follow-up request", "days"),
}

PHASES = {1: "Motivation", 2: "Exploration", 3: "Planning & preparation", 4: "Implementation",
          5: "Outcomes", 6: "Feedback & evaluation"}


def label(metric: str) -> str:
    return METRICS.get(metric, (metric.replace("_", " "), "rate"))[0]


def kind(metric: str) -> str:
    return METRICS.get(metric, ("", "rate"))[1]


def value_cell(metric: str, value, numerator, denominator, min_cell_size: int, *,
               low=None, high=None) -> dict:
    """A phase metric's value as displayed.

    >>> value_cell("max_gap_days", 56, None, None, 3)["text"]
    '56 days'
    >>> value_cell("retention_rate", 0.5, 1, 2, 3)["text"]
    'n<3'
    >>> value_cell("has_theory_of_change", 0, None, None, 3)["text"]
    'no'
    """
    k = kind(metric)
    if k == "rate":
        return cells.rate(value, denominator, min_cell_size, numerator=numerator, low=low,
                          high=high)
    if k == "lift":
        return cells.difference(value, denominator, min_cell_size, low=low, high=high)
    if k == "flag":
        if value is None:
            return dict(cells.MISSING)
        return {"text": "yes" if value else "no", "state": "value" if value else "zero",
                "raw": float(value)}
    if k == "days":
        return cells.count_cell(value, "days")
    return cells.count_cell(value)


def target_text(metric: str, comparator: str | None, target) -> str | None:
    """
    >>> target_text("attendance_rate", ">=", 0.75), target_text("max_gap_days", "<=", 42)
    ('≥ 75%', '≤ 42 days')
    """
    if comparator is None or target is None:
        return None
    sign = {">=": "≥", "<=": "≤"}.get(comparator, comparator)
    k = kind(metric)
    if k == "rate":
        shown = cells.pct(float(target))
    elif k == "lift":
        shown = cells.points(float(target))
    elif k == "days":
        shown = f"{float(target):.0f} days"
    else:
        shown = f"{float(target):g}"
    return f"{sign} {shown}"
