"""Each CQI rule, one by one: the figure that fires it, and the figures that do not."""

from __future__ import annotations

import pytest

from plcqi.publish.rules import RULES, CohortFacts, Metric, evaluate

RULE = {r.id: r for r in RULES}


def facts(**kw) -> CohortFacts:
    base = {"cohort_id": "K1", "opportunity_id": "O1", "opportunity_title": "PLC",
            "participation_mode": "team", "attendance_expectation": "all_sessions",
            "has_theory_of_change": True, "window_complete": True}
    metrics = kw.pop("metrics", {})
    return CohortFacts(**{**base, **kw}, metrics={k: Metric(*v) for k, v in metrics.items()})


def fire(rule_id: str, f: CohortFacts) -> str | None:
    return RULE[rule_id].check(f, RULE[rule_id])


def test_every_rule_is_grounded_and_distinct():
    assert len(RULE) == len(RULES) == 7
    for r in RULES:
        assert r.evidence and r.recommendation and 1 <= r.phase <= 6


@pytest.mark.parametrize(("gap", "fires"), [(43, True), (56, True), (42, False), (None, False)])
def test_gap_over_six_weeks(gap, fires):
    figure = fire("gap_over_six_weeks", facts(metrics={"max_gap_days": (gap,)}))
    assert (figure is not None) == fires
    if fires:
        assert f"{gap} days" in figure


def test_team_without_lead_agency_member():
    f = facts(metrics={"lead_agency_team_rate": (0.75, 3, 4)})
    assert fire("team_lead_agency", f) == ("1 of 4 registered teams without a lead-agency "
                                          "member (lead-agency team rate 75%)")
    assert fire("team_lead_agency", facts(metrics={"lead_agency_team_rate": (1.0, 4, 4)})) is None
    # individual participation has no teams; a denominator under 3 is not shown, so no rule
    assert fire("team_lead_agency", facts(participation_mode="individual",
                                          metrics={"lead_agency_team_rate": (0.5, 2, 4)})) is None
    assert fire("team_lead_agency", facts(metrics={"lead_agency_team_rate": (0.5, 1, 2)})) is None


def test_intake_before_launch():
    assert "50%" in fire("intake_before_launch",
                         facts(metrics={"intake_completion_rate": (0.5, 2, 4)}))
    assert fire("intake_before_launch", facts(metrics={
        "intake_completion_rate": (0.0, 0, 5)})).startswith("no intake form completed")
    assert fire("intake_before_launch",
                facts(metrics={"intake_completion_rate": (0.8, 4, 5)})) is None


def test_kickoff_before_first_webinar():
    assert fire("kickoff_sets_expectations", facts(metrics={"prelaunch_activity": (0,)}))
    assert fire("kickoff_sets_expectations", facts(metrics={"prelaunch_activity": (1,)})) is None
    assert fire("kickoff_sets_expectations", facts()) is None  # nothing delivered yet


def test_optional_attendance_with_falling_retention():
    low = {"retention_rate": (0.5, 3, 6)}
    assert "retention 50%" in fire("optional_attendance_retention",
                                   facts(attendance_expectation="optional", metrics=low))
    assert fire("optional_attendance_retention", facts(metrics=low)) is None  # required
    assert fire("optional_attendance_retention", facts(
        attendance_expectation="optional", metrics={"retention_rate": (0.9, 9, 10)})) is None


def test_low_followup_uptake():
    low = {"followup_uptake_rate": (0.1, 1, 10), "followup_lift": (0.02, None, 10)}
    figure = fire("low_followup_uptake", facts(metrics=low))
    assert figure == ("follow-up TA uptake 10% over the six-month window, lift +2 pts over "
                      "non-participants")
    negative_lift = {"followup_uptake_rate": (0.4, 4, 10), "followup_lift": (-0.05, None, 10)}
    assert fire("low_followup_uptake", facts(metrics=negative_lift))
    good = {"followup_uptake_rate": (0.4, 4, 10), "followup_lift": (0.2, None, 10)}
    assert fire("low_followup_uptake", facts(metrics=good)) is None
    assert fire("low_followup_uptake", facts(window_complete=False, metrics=low)) is None


def test_no_theory_of_change():
    assert fire("no_theory_of_change", facts(has_theory_of_change=False))
    assert fire("no_theory_of_change", facts()) is None


def test_evaluate_groups_opportunity_rules_and_keeps_rule_order():
    found = evaluate([
        facts(cohort_id="K1", has_theory_of_change=False, metrics={"max_gap_days": (50,)}),
        facts(cohort_id="K2", has_theory_of_change=False, metrics={"max_gap_days": (60,)}),
    ])
    assert [r["rule_id"] for r in found] == ["no_theory_of_change", "gap_over_six_weeks"]
    assert found[0]["triggers"][0]["cohort_ids"] == ["K1", "K2"]
    assert [t["cohort_ids"] for t in found[1]["triggers"]] == [["K1"], ["K2"]]
