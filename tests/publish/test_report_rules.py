"""Each CQI rule, one by one: the figure that fires it, and the figures that do not."""

from __future__ import annotations

import pytest

from plcqi.publish.rules import (
    RULES,
    TARGET_RULE,
    CohortFacts,
    Metric,
    evaluate,
    nothing_to_report,
)

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
    for r in (TARGET_RULE, *RULES):
        assert r.evidence and r.recommendation and 1 <= r.phase <= 6
    # every fixed threshold on a figure names the metrics whose target silences it
    assert all(r.metrics for r in RULES if r.id != "no_theory_of_change")


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


def ids(found: list[dict]) -> list[str]:
    return [r["rule_id"] for r in found]


def test_every_missed_target_is_a_recommendation_with_value_interval_and_target():
    # ES05-C1 in the issue: attendance 77% against >= 80% triggered nothing.
    f = facts(metrics={
        "attendance_rate": (0.77, 23, 30, 0.59, 0.88, ">=", 0.8, False),
        "max_gap_days": (56, None, None, None, None, "<=", 42, False),
        "retention_rate": (0.9, 9, 10, 0.6, 0.98, ">=", 0.8, True),  # met: nothing
        "intake_completion_rate": (0.5, 1, 2, 0.09, 0.91, ">=", 0.8, False),  # n<3: hidden
    })
    found = evaluate([f])
    assert ids(found) == ["target_not_met"]
    assert [t["figure"] for t in found[0]["triggers"]] == [
        "Attendance (grantee-sessions attended): 77% (95% interval 59–88%) against the "
        "target ≥ 80%: not met",
        "Longest gap between sessions: 56 days against the target ≤ 42 days: not met",
    ]
    assert found[0]["evidence"].startswith("The study found")
    # the six-week rule does not fire again: the opportunity has its own target for the gap
    assert "gap_over_six_weeks" not in ids(found)


def test_a_met_target_silences_the_fixed_threshold():
    # ES04-C1 in the issue: uptake 20% met its target >= 20% with a +18 pts lift, yet
    # "offer structured follow-up" fired (its fixed threshold is 25%).
    met = facts(metrics={"followup_uptake_rate": (0.2, 2, 10, 0.06, 0.51, ">=", 0.2, True),
                         "followup_lift": (0.18, None, 10, -0.1, 0.4)})
    assert evaluate([met]) == []
    # without a target of the opportunity, the study's threshold applies
    no_target = facts(metrics={"followup_uptake_rate": (0.2, 2, 10, 0.06, 0.51),
                               "followup_lift": (0.18, None, 10, -0.1, 0.4)})
    found = evaluate([no_target])
    assert ids(found) == ["low_followup_uptake"]
    assert found[0]["triggers"][0]["figure"] == (
        "follow-up TA uptake 20% over the six-month window (95% interval 6–51%), lift "
        "+18 pts over non-participants")
    # a target on the lift alone silences it too (the rule looks at the lift)
    lift_target = facts(metrics={"followup_uptake_rate": (0.2, 2, 10),
                                 "followup_lift": (0.18, None, 10, -0.1, 0.4, ">=", 0.1,
                                                   True)})
    assert evaluate([lift_target]) == []


def test_rules_look_only_at_cohorts_in_the_period():
    gap = {"max_gap_days": (50,)}
    old = facts(cohort_id="K0", active_in_period=False, metrics=gap)  # ended in 2023
    closed = facts(cohort_id="K1", active_in_period=False, window_closed_in_period=True,
                   metrics=gap)
    active = facts(cohort_id="K2", metrics=gap)
    found = evaluate([old, closed, active])
    assert [t["cohort_ids"] for t in found[0]["triggers"]] == [["K1"], ["K2"]]
    assert evaluate([old]) == []


def test_a_hidden_figure_triggers_nothing():
    # K1's uptake hidden by complementary suppression: a recommendation must not reveal it
    f = facts(hidden=frozenset({"followup_uptake_rate"}),
              metrics={"followup_uptake_rate": (0.1, 1, 10)})
    assert evaluate([f]) == []
    g = facts(hidden=frozenset({"attendance_rate"}),
              metrics={"attendance_rate": (0.5, 5, 10, 0.2, 0.8, ">=", 0.8, False)})
    assert evaluate([g]) == []


def test_a_center_with_nothing_to_report_says_why():
    period = "2026-04-01 to 2026-06-30"
    assert nothing_to_report([], 0, period) == (
        "This center has no peer learning opportunities in the marts: there is nothing to "
        "assess.")
    old = facts(active_in_period=False, metrics={"max_gap_days": (50,)})
    assert nothing_to_report([old], 1, period) == (
        "No cohort of this center had a delivered session in the period (2026-04-01 to "
        "2026-06-30) or a follow-up window closing in it: the rules looked at no cohort.")
    good = facts(metrics={"attendance_rate": (0.9, 9, 10, 0.6, 0.98, ">=", 0.8, True),
                          "max_gap_days": (14, None, None, None, None, "<=", 42, True)})
    assert nothing_to_report([good], 1, period) == (
        "Every target assessed for the 1 cohort in the period was met (2 of 2), and no rule "
        "of the study was triggered.")
    plain = facts(metrics={"max_gap_days": (14,)})
    assert nothing_to_report([plain, plain], 1, period) == (
        "No rule of the study was triggered for the 2 cohorts in the period, and none of "
        "them had a target that could be assessed yet.")
    assert nothing_to_report([facts(metrics={"max_gap_days": (50,)})], 1, period) is None
