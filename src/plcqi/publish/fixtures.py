"""A tiny, hand-written warehouse for the report tests and goldens (like datasette's
``fixtures.py``): two centers, four cohorts, every mart with just the columns the reports
read. Every figure is chosen so it can be checked by hand; the comments say what each one
is for.

Center C1 (the one reported on):
- O1 "Licensing PLC" (team, all sessions, theory of change with 2 targets)
  - K1: 3 sessions, gap of 50 days (> six weeks), 4 participating grantees of 5 invited,
    uptake 2 of 4 (window complete), intake 2 of 4, lead agency 3 of 4, no kickoff.
  - K3: 2 sessions, 2 participating grantees: uptake 1 of 2 is suppressed, so K1's uptake is
    hidden too (complementary suppression: the center total is shown).
- O2 "Workforce CoP" (optional attendance, ongoing, no theory of change)
  - K2: 2 sessions in the period, 2 participating grantees (rates suppressed), window open.
Center C2: O3 / K9, which must never appear in C1's report.
TA requests (``TA_REQUESTS``): to C1 directly or through its opportunities, to C2 only,
withdrawn, delivered (final or closed plan), on the periods' first and last days.
A grantee is named with a ``<script>`` payload and a poll question carries one: both must
come out as text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

AS_OF = date(2026, 6, 30)
XSS = "<script>alert('x')</script>"

SURVEY_ITEMS = ("knowledge_gain", "relevance", "within_state_connections",
                "across_state_connections", "disseminated", "action_plan",
                "continue_implementing", "practice_or_policy_change", "systems_change",
                "followup_interest")
_YES_ITEMS = {"disseminated", "continue_implementing", "practice_or_policy_change",
              "systems_change", "followup_interest"}

CENTERS = [("C1", "Center One", "OCC", 2), ("C2", "Center Two", "OHS", 1)]
GRANTEES = [("G1", "Alabama", "state", 4), ("G2", "Alaska", "state", 10),
            ("G3", "Arizona", "state", 9), ("G4", "Guam", "territory", 9),
            ("G5", f"{XSS} Nation", "tribe", 6)]
OPPORTUNITIES = [
    # id, title, center, format, topic, outcome, mode, attendance, planned, start, end,
    # ongoing, followup, has_toc, targets, cohorts
    ("O1", "Licensing PLC", "C1", "PLC", "licensing", "policy_implementation", "team",
     "all_sessions", 3, date(2025, 9, 1), date(2025, 12, 31), False, "after_opportunity",
     True, 2, 2),
    ("O2", "Workforce CoP", "C1", "CoP", "workforce", "knowledge", "individual", "optional",
     4, date(2026, 1, 1), None, True, "both", False, 0, 1),
    ("O3", "Other Center PLG", "C2", "PLG", "quality", "systems", "team", "all_sessions", 1,
     date(2025, 5, 1), date(2025, 6, 30), False, "none", False, 0, 1),
]
# cohort, opportunity, center, number, label, planned, delivered, first, end, window end,
# complete, ongoing, invited, registered, participating
COHORTS = [
    ("K1", "O1", "C1", 1, "Fall 2025", 3, 3, date(2025, 9, 10), date(2025, 11, 20),
     date(2026, 5, 21), True, False, 5, 4, 4),
    ("K3", "O1", "C1", 2, None, 3, 2, date(2025, 9, 15), date(2025, 10, 15),
     date(2026, 4, 15), True, False, 2, 2, 2),
    ("K2", "O2", "C1", 1, "Ongoing", 4, 2, date(2026, 4, 7), None, None, False, True, 3, 2,
     2),
    ("K9", "O3", "C2", 1, None, 1, 1, date(2025, 6, 1), date(2025, 6, 1), date(2025, 11, 30),
     True, False, 3, 3, 3),
]
SESSIONS = {  # cohort -> [(session_id, number, date)]
    "K1": [("K1-S1", 1, date(2025, 9, 10)), ("K1-S2", 2, date(2025, 10, 1)),
           ("K1-S3", 3, date(2025, 11, 20))],
    "K3": [("K3-S1", 1, date(2025, 9, 15)), ("K3-S2", 2, date(2025, 10, 15))],
    "K2": [("K2-S1", 1, date(2026, 4, 7)), ("K2-S2", 2, date(2026, 5, 5))],
    "K9": [("K9-S1", 1, date(2025, 6, 1))],
}
ATTENDED = {  # cohort -> grantee -> session numbers attended ([] = enrolled, never came)
    "K1": {"G1": [1, 2, 3], "G2": [1, 2, 3], "G3": [1, 2], "G4": [1], "G5": []},
    "K3": {"G3": [1, 2], "G4": [1]},
    "K2": {"G1": [1, 2], "G5": [1]},
    "K9": {"G2": [1], "G3": [1], "G4": [1]},
}
UPTAKE = {  # cohort -> grantee -> (took_up_related, days_to_first_followup, requests_during)
    "K1": {"G1": (True, 30, 1), "G2": (False, None, 0), "G3": (True, 60, 2),
           "G4": (False, None, 0)},
    "K3": {"G3": (True, 20, 0), "G4": (False, None, 1)},
    "K2": {"G1": (False, None, 1), "G5": (False, None, 0)},
    "K9": {"G2": (True, 10, 0), "G3": (False, None, 0), "G4": (False, None, 0)},
}
# cohort -> [(phase, metric, numerator, denominator, value, comparator, target)]
PHASE = {
    "K1": [
        (2, "has_theory_of_change", None, None, 1, None, None),
        (3, "intake_completion_rate", 2, 4, 0.5, None, None),
        (3, "lead_agency_team_rate", 3, 4, 0.75, None, None),
        (3, "prelaunch_activity", None, None, 0, None, None),
        (4, "attendance_rate", 9, 12, 0.75, ">=", 0.8),
        (4, "retention_rate", 2, 4, 0.5, None, None),
        (4, "max_gap_days", None, None, 50, "<=", 42),
        (6, "followup_uptake_rate", 2, 4, 0.5, None, None),
        (6, "followup_lift", None, 4, 0.3, None, None),
    ],
    "K3": [
        (2, "has_theory_of_change", None, None, 1, None, None),
        (4, "attendance_rate", 3, 4, 0.75, ">=", 0.8),
        (4, "max_gap_days", None, None, 30, "<=", 42),
        (6, "followup_uptake_rate", 1, 2, 0.5, None, None),
        (6, "followup_lift", None, 2, 0.3, None, None),
    ],
    "K2": [
        (2, "has_theory_of_change", None, None, 0, None, None),
        (4, "attendance_rate", 3, 4, 0.75, None, None),
        (4, "retention_rate", 1, 2, 0.5, None, None),
        (4, "max_gap_days", None, None, 28, None, None),
        (6, "followup_uptake_rate", None, None, None, None, None),
    ],
    "K9": [
        (2, "has_theory_of_change", None, None, 0, None, None),
        (6, "followup_uptake_rate", 1, 3, 1 / 3, None, None),
        (6, "followup_lift", None, 3, 0.1, None, None),
    ],
}
PHASE_NAMES = {1: "motivation", 2: "exploration", 3: "planning & preparation",
               4: "implementation", 5: "outcomes", 6: "feedback & evaluation"}
POLLS = [  # cohort, session, question_text, scale, responses, answered, favourable
    ("K1", "K1-S1", f"{XSS} Was this useful?", "likert5", 4, 4, 3),
    ("K2", "K2-S1", "Will you come back?", "likert5", 2, 2, 2),
]
# cohort, wave, responses, responding participating grantees, participating, answered, fav
SURVEYS = [
    ("K1", "midpoint", 4, 4, 4, 3, 2),
    ("K1", "six_month", 2, 2, 4, 2, 2),
    ("K9", "midpoint", 3, 3, 3, 3, 3),
]
COMMENTS = [  # raw zone survey rows: response_id, cohort, submitted, comments
    ("R1", "K1", "2025-10-02T10:00:00", "Great! Mail me at jo.smith@agency.gov"),
    ("R2", "K1", "2025-10-02T11:00:00", "Call (555) 123-4567 about " + XSS),
    ("R3", "K1", "2025-10-03T09:00:00", None),
    ("R4", "K1", "2025-10-03T09:30:00", "Too many sessions"),
    ("R9", "K9", "2025-06-02T09:00:00", "Other center's comment"),
]
# TA requests in their state as of AS_OF. The period is 2026-04-01 to 2026-06-30, the previous
# one 2026-01-01 to 2026-03-31. "To C1": center_id C1, or source_opportunity_id O1 or O2.
TA_REQUESTS = [  # id, grantee, center, topic, type, source opportunity, plan status, submitted
    ("T1", "G2", "C1", "licensing", "brief_tailored", None, "final", date(2026, 4, 10)),
    ("T2", "G2", "C1", "workforce", "one_on_one", None, "withdrawn", date(2026, 5, 2)),
    ("T3", "G3", None, "licensing", "p2p", "O1", "closed", date(2026, 6, 15)),  # via O1
    ("T4", "G3", "C2", "quality", "targeted", "O2", "initial", date(2026, 2, 20)),  # via O2
    ("T5", "G4", "C2", "quality", "intensive_tailored", None, "intermediate",
     date(2026, 5, 20)),  # C2 only: not in C1's report
    ("T6", "G1", "C1", "workforce", "universal", None, "final", date(2026, 3, 31)),  # last day
    ("T7", "G1", "C1", "workforce", "brief_tailored", None, "initial", date(2026, 4, 1)),
    ("T8", "G4", "C1", "licensing", "brief_tailored", None, "withdrawn", date(2026, 6, 1)),
    ("T9", "G5", "C1", "workforce", "universal", None, "final", date(2025, 12, 31)),  # before
]
TREND = [  # center, quarter, start, n, took, took_any, baseline n, baseline took, days, open
    ("C1", "2025-Q4", date(2025, 10, 1), 6, 3, 4, 20, 4, 30.0, 0),
    ("C1", None, None, 0, 0, 0, 0, 0, None, 2),
    ("C2", "2025-Q2", date(2025, 4, 1), 3, 1, 1, 30, 7, 10.0, 0),
]


def build(data_dir: Path) -> Path:
    """Write the tiny warehouse (and a raw zone with survey comments) under ``data_dir``."""
    data_dir = Path(data_dir)
    path = data_dir / "warehouse" / "plcqi.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        _marts(con)
    finally:
        con.close()
    _raw_comments(data_dir)
    return path


def _insert(con, table: str, columns: str, rows: list[tuple]) -> None:
    con.execute(f"create table marts.{table} ({columns})")
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into marts.{table} values ({marks})", rows)


def _marts(con) -> None:
    con.execute("create schema marts")
    _insert(con, "dim_centers", "center_id varchar, center_name varchar, "
            "funding_office varchar, opportunities integer", CENTERS)
    _insert(con, "dim_grantees", "grantee_id varchar, grantee_name varchar, "
            "grantee_type varchar, acf_region integer", GRANTEES)
    _insert(con, "dim_opportunities",
            "opportunity_id varchar, opportunity_title varchar, center_id varchar, "
            "opportunity_format varchar, topic varchar, intended_outcome varchar, "
            "participation_mode varchar, attendance_expectation varchar, "
            "planned_sessions integer, start_on date, end_on date, is_ongoing boolean, "
            "followup_offered varchar, has_theory_of_change boolean, toc_targets integer, "
            "cohorts integer", OPPORTUNITIES)
    _insert(con, "dim_cohorts",
            "cohort_id varchar, opportunity_id varchar, center_id varchar, "
            "cohort_number integer, cohort_label varchar, planned_sessions integer, "
            "delivered_sessions integer, first_delivered_on date, cohort_end_on date, "
            "window_end_on date, window_complete boolean, is_ongoing boolean, "
            "invited_grantees integer, registered_grantees integer, "
            "participating_grantees integer, as_of_date date",
            [(*c, AS_OF) for c in COHORTS])
    cohort = {c[0]: c for c in COHORTS}
    att = []
    for cid, by_grantee in ATTENDED.items():
        _, opp, center, *_ = cohort[cid]
        for gid, came in by_grantee.items():
            for sid, number, on in SESSIONS[cid]:
                att.append((opp, cid, center, sid, gid, on, "webinar", number, 60, True,
                            bool(came), int(number in came), int(number in came),
                            55.0 if number in came else 0.0, number in came))
    _insert(con, "fct_attendance",
            "opportunity_id varchar, cohort_id varchar, center_id varchar, session_id varchar, "
            "grantee_id varchar, session_on date, session_type varchar, "
            "delivered_number integer, duration_minutes integer, is_enrolled boolean, "
            "is_participating_grantee boolean, participants_present integer, "
            "attended_participants integer, participant_minutes double, has_attended boolean",
            att)
    up = []
    for cid, by_grantee in UPTAKE.items():
        _, opp, center, *_rest = cohort[cid]
        end, window_end, complete = cohort[cid][8], cohort[cid][9], cohort[cid][10]
        first = SESSIONS[cid][0][2]
        for gid, (took, days, during) in by_grantee.items():
            followup = None
            if took:
                from datetime import timedelta
                followup = end + timedelta(days=days)
            up.append((opp, cid, center, gid, first, end, window_end, complete, during,
                       int(took), int(took) + 1 if took else 0, took, took, followup, days))
    _insert(con, "fct_followup_uptake",
            "opportunity_id varchar, cohort_id varchar, center_id varchar, grantee_id varchar, "
            "first_attended_on date, cohort_end_on date, window_end_on date, "
            "window_complete boolean, requests_during integer, requests_after_related integer, "
            "requests_after_any integer, took_up_related boolean, took_up_any boolean, "
            "first_followup_on date, days_to_first_followup integer", up)
    ph = []
    for cid, metrics in PHASE.items():
        _, opp, center, *_ = cohort[cid]
        for number, metric, num, den, value, comp, target in metrics:
            met = None
            if comp and value is not None:
                met = value >= target if comp == ">=" else value <= target
            ph.append((opp, cid, center, number, PHASE_NAMES[number], metric, num, den,
                       value, comp, target, met, AS_OF))
    _insert(con, "fct_phase_metrics",
            "opportunity_id varchar, cohort_id varchar, center_id varchar, "
            "phase_number integer, phase_name varchar, metric varchar, numerator double, "
            "denominator double, value double, target_comparator varchar, "
            "target_value double, target_met boolean, as_of_date date", ph)
    polls = []
    for cid, sid, text, scale, responses, answered, fav in POLLS:
        _, opp, center, *_ = cohort[cid]
        on = next(s[2] for s in SESSIONS[cid] if s[0] == sid)
        polls.append((opp, cid, center, sid, on, "P1", "Q1", text, scale, responses,
                      responses, 0, answered, fav, fav / answered, 4.0, 0, 0, None))
    _insert(con, "fct_poll_results",
            "opportunity_id varchar, cohort_id varchar, center_id varchar, session_id varchar, "
            "session_on date, poll_id varchar, question_id varchar, question_text varchar, "
            "scale varchar, responses integer, identified_respondents integer, "
            "anonymous_response_rows integer, likert_answered integer, "
            "likert_favorable integer, favorable_rate double, likert_mean double, "
            "yes_no_answered integer, yes_no_yes integer, yes_rate double", polls)
    item_cols = ", ".join(
        f"{i}_answered integer, {i}_{'yes' if i in _YES_ITEMS else 'favorable'} integer"
        for i in SURVEY_ITEMS)
    surveys = []
    for cid, wave, responses, responding, participating, answered, fav in SURVEYS:
        _, opp, center, *_ = cohort[cid]
        items = []
        for _item in SURVEY_ITEMS:
            items += [answered, fav]
        surveys.append((opp, cid, center, wave, responses, responding, participating,
                        *items))
    _insert(con, "fct_survey_outcomes",
            "opportunity_id varchar, cohort_id varchar, center_id varchar, wave varchar, "
            "responses integer, responding_participating_grantees integer, "
            f"participating_grantees integer, {item_cols}", surveys)
    _insert(con, "fct_ta_requests",
            "request_id varchar, grantee_id varchar, center_id varchar, topic varchar, "
            "request_type varchar, source_opportunity_id varchar, plan_status varchar, "
            "is_withdrawn boolean, submitted_on date, last_updated_on date",
            [(*r[:7], r[6] == "withdrawn", r[7], r[7]) for r in TA_REQUESTS])
    trend = []
    for center, quarter, start, n, took, took_any, bn, bt, days, open_ in TREND:
        rate = took / n if n else None
        base = bt / bn if bn else None
        trend.append((center, quarter, start, n, took, took_any, rate,
                      took_any / n if n else None, bn, bt, base,
                      rate - base if rate is not None and base is not None else None,
                      days, open_))
    _insert(con, "agg_uptake_trend",
            "center_id varchar, quarter varchar, quarter_start_on date, "
            "participating_grantee_cohorts integer, took_up_related integer, "
            "took_up_any integer, took_up_related_rate double, took_up_any_rate double, "
            "baseline_grantee_cohorts integer, baseline_took_up_related integer, "
            "baseline_rate double, uptake_lift double, median_days_to_first_followup double, "
            "open_window_grantee_cohorts integer", trend)


def _raw_comments(data_dir: Path) -> None:
    folder = data_dir / "raw" / "surveys" / "midpoint"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "20251101T000000000000Z__0000000000000000.parquet"
    con = duckdb.connect()
    try:
        con.execute("create table t (response_id varchar, cohort_id varchar, "
                    "submitted_at timestamp, comments varchar)")
        con.executemany("insert into t values (?, ?, ?, ?)", COMMENTS)
        con.execute(f"copy t to '{target}' (format parquet)")
    finally:
        con.close()
