"""End to end: generated landing files -> ingest -> dbt build (models and every data and unit
test) on DuckDB, then invariants of the marts that METRICS.md promises."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from plcqi import paths
from plcqi.ingest.contract import METRIC_KEYS

pytestmark = pytest.mark.slow

AS_OF = date(2026, 6, 30)
# Rates that are proportions (sessions_delivered_rate and retention_rate may exceed 1).
PROPORTIONS = tuple(
    m
    for m in METRIC_KEYS
    if m.endswith("_rate") and m not in ("sessions_delivered_rate", "retention_rate")
)


@pytest.fixture(scope="module")
def built(demo_warehouse):
    """The shared demo's build: its data folder and what dbt did (``build_result.json``)."""
    return demo_warehouse, json.loads((demo_warehouse / "build_result.json").read_text())


@pytest.fixture
def marts(built):
    data_dir, _ = built
    con = duckdb.connect(str(paths.warehouse(data_dir)), read_only=True)
    yield con
    con.close()


def _one(con, sql: str):
    return con.execute(sql).fetchone()[0]


def test_every_model_and_test_passes(built):
    _, result = built
    assert result["success"], result["failed_nodes"]
    assert not result["failed_nodes"]
    assert set(result["status_counts"]) <= {"success", "pass"}
    assert {"model", "test"} <= set(result["resource_types"])
    # Unit tests run in the test suite (test_dbt_unit.py), not in every build (BUILD_FLAGS).
    assert "unit_test" not in result["resource_types"]


def test_every_cohort_has_every_metric(marts):
    cohorts = _one(marts, "select count(*) from marts.dim_cohorts")
    assert cohorts > 0
    rows = marts.execute(
        "select cohort_id, count(*), count(distinct metric) from marts.fct_phase_metrics "
        "group by cohort_id"
    ).fetchall()
    assert len(rows) == cohorts
    assert all(n == len(METRIC_KEYS) == distinct for _, n, distinct in rows)
    metrics = marts.execute("select distinct metric from marts.fct_phase_metrics").fetchall()
    assert {m for (m,) in metrics} == set(METRIC_KEYS)
    assert _one(marts, "select count(distinct as_of_date) from marts.fct_phase_metrics") == 1
    assert _one(marts, "select max(as_of_date) from marts.fct_phase_metrics") == AS_OF


def test_rates_are_proportions(marts):
    keys = ", ".join(f"'{m}'" for m in PROPORTIONS)
    outside = _one(
        marts,
        f"select count(*) from marts.fct_phase_metrics where metric in ({keys}) "
        "and (value < 0 or value > 1)",
    )
    assert outside == 0
    assert not _one(
        marts,
        "select count(*) from marts.fct_phase_metrics where denominator = 0 and value is not null",
    )
    for column in ("took_up_related_rate", "took_up_any_rate", "baseline_rate"):
        sql = f"select count(*) from marts.agg_uptake_trend where {column} not between 0 and 1"
        assert not _one(marts, sql)


def test_open_windows_have_null_uptake(marts):
    open_rows = _one(
        marts, "select count(*) from marts.fct_followup_uptake where not window_complete"
    )
    assert open_rows > 0, "the demo data should have windows still open"
    assert not _one(
        marts,
        "select count(*) from marts.fct_followup_uptake where not window_complete and "
        "(took_up_related is not null or took_up_any is not null or requests_after_related "
        "is not null or requests_after_any is not null or first_followup_on is not null)",
    )
    assert not _one(
        marts,
        "select count(*) from marts.fct_phase_metrics m join marts.dim_cohorts c using (cohort_id) "
        "where not c.window_complete and m.value is not null and m.metric in "
        "('followup_uptake_rate', 'followup_baseline_rate', 'followup_lift', "
        "'median_days_to_followup')",
    )
    complete = _one(marts, "select count(*) from marts.fct_followup_uptake where window_complete")
    assert complete > 0
    assert not _one(
        marts,
        "select count(*) from marts.fct_followup_uptake where window_complete and "
        f"window_end_on > date '{AS_OF}'",
    )


def test_ongoing_cohorts_have_no_end(marts):
    ongoing = marts.execute(
        "select c.cohort_end_on, c.window_end_on, c.window_complete from marts.dim_cohorts c "
        "join marts.dim_opportunities o using (opportunity_id) where o.end_on is null"
    ).fetchall()
    assert ongoing, "the demo data should have ongoing cohorts (communities of practice)"
    assert all(end is None and window is None and not complete for end, window, complete in ongoing)
    assert not _one(
        marts,
        "select count(*) from marts.fct_followup_uptake u join marts.dim_opportunities o "
        "using (opportunity_id) where o.end_on is null and u.cohort_end_on is not null",
    )


def test_participating_grantees_attended_a_delivered_session(marts):
    assert not _one(
        marts,
        "select count(*) from marts.fct_followup_uptake u where not exists (select 1 from "
        "marts.fct_attendance a where a.cohort_id = u.cohort_id and a.grantee_id = u.grantee_id "
        "and a.has_attended and a.session_on = u.first_attended_on)",
    )
    assert not _one(
        marts,
        "select count(*) from marts.fct_attendance where session_on > date '2026-06-30'",
    )


def test_marts_hold_no_personal_data(marts):
    columns = [
        r[0]
        for r in marts.execute(
            "select lower(column_name) from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
    ]
    assert columns
    assert not [c for c in columns if "participant_key" in c or "email" in c or c == "comments"]


def test_every_rate_has_its_interval(marts):
    """METRICS.md 1.1: ci_low/ci_high are the Wilson interval of every rate (Newcombe for
    followup_lift), null for counts, days and flags."""
    keys = ", ".join(f"'{m}'" for m in PROPORTIONS)
    assert not _one(
        marts,
        f"select count(*) from marts.fct_phase_metrics where metric in ({keys}) "
        "and denominator > 0 and (ci_low is null or ci_high is null "
        "or not (0 <= ci_low and ci_low <= value and value <= ci_high and ci_high <= 1))",
    )
    assert not _one(
        marts,
        f"select count(*) from marts.fct_phase_metrics where metric in ({keys}) "
        "and coalesce(denominator, 0) = 0 and (ci_low is not null or ci_high is not null)",
    )
    assert not _one(
        marts,
        "select count(*) from marts.fct_phase_metrics where metric in ('need_requests_12m', "
        "'has_theory_of_change', 'invited_grantees', 'prelaunch_activity', 'max_gap_days', "
        "'median_days_to_followup') and (ci_low is not null or ci_high is not null)",
    )
    lifts = marts.execute(
        "select count(*), count(ci_low), count(*) filter (where ci_low <= value and "
        "value <= ci_high) from marts.fct_phase_metrics where metric = 'followup_lift' "
        "and value is not null"
    ).fetchone()
    assert lifts[0] > 0 and lifts[0] == lifts[1] == lifts[2]
    assert not _one(
        marts,
        "select count(*) from marts.agg_uptake_trend where participating_grantee_cohorts > 0 "
        "and not (uptake_ci_low <= took_up_related_rate and took_up_related_rate <= "
        "uptake_ci_high and (baseline_grantees = 0 or (lift_ci_low <= uptake_lift and "
        "uptake_lift <= lift_ci_high)))",
    )


def test_the_baseline_rate_is_its_own_metric(marts):
    """followup_baseline_rate carries the baseline's numerator and denominator, and the lift
    is uptake - baseline."""
    assert not _one(
        marts,
        "select count(*) from marts.fct_phase_metrics b join marts.fct_phase_metrics u "
        "using (cohort_id) join marts.fct_phase_metrics l using (cohort_id) "
        "where b.metric = 'followup_baseline_rate' and u.metric = 'followup_uptake_rate' "
        "and l.metric = 'followup_lift' and b.value is not null "
        "and abs(l.value - (u.value - b.value)) > 1e-9",
    )
    assert _one(
        marts,
        "select count(*) from marts.fct_phase_metrics where metric = 'followup_baseline_rate' "
        "and denominator > 0",
    ) > 0
    pooled = marts.execute(
        "select sum(baseline_grantees), sum(baseline_took_up) from marts.agg_uptake_trend"
    ).fetchone()
    per_cohort = marts.execute(
        "select sum(denominator), sum(numerator) from marts.fct_phase_metrics "
        "where metric = 'followup_baseline_rate'"
    ).fetchone()
    assert pooled == per_cohort


def test_a_cohort_with_a_session_still_scheduled_has_no_end(marts):
    """METRICS.md 1.1: the cohort end waits for its last scheduled session."""
    waiting = _one(marts, "select count(*) from marts.dim_cohorts where upcoming_sessions > 0")
    assert waiting > 0, "the demo data should have cohorts with sessions still to come"
    assert not _one(
        marts,
        "select count(*) from marts.dim_cohorts where upcoming_sessions > 0 and "
        "(cohort_end_on is not null or window_end_on is not null or window_complete)",
    )


def test_the_baseline_holds_no_sibling_participant(marts):
    """METRICS.md 1.1: no baseline grantee took part in a cohort of the same opportunity or
    topic with a first attended session from 365 days before the cohort's first delivered
    session through its window end."""
    baseline = _one(marts, "select count(*) from intermediate.int_followup_baseline_grantees")
    assert baseline > 0
    assert not _one(
        marts,
        """
        select count(*)
        from intermediate.int_followup_baseline_grantees b
        join marts.dim_cohorts c on c.cohort_id = b.cohort_id
        join marts.dim_opportunities o on o.opportunity_id = c.opportunity_id
        join marts.fct_followup_uptake u on u.grantee_id = b.grantee_id
        join marts.dim_opportunities uo on uo.opportunity_id = u.opportunity_id
        where (u.opportunity_id = c.opportunity_id or uo.topic = o.topic)
            and u.first_attended_on between c.first_delivered_on - 365 and c.window_end_on
        """,
    )
