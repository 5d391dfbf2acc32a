{#- The counts behind the headline figures (marts.rpt_headlines): one row per (scope,
    period); scope = a center or ALL (every center); period = current (cutoff = the as-of
    date, from the period's first day) or previous (cutoff = the previous period's as-of date,
    recomputed from today's data).

    - cohorts_active: cohorts with a delivered session in the period
    - grantees_reached: grantees with an attended delivered session in the period
    - grantees_without_ta: grantees (out of all) with neither a TA request submitted in the
      period to the scope (withdrawn requests never count) nor an attended session of it
    - attendance_rate: pooled over the scope's cohorts, sessions delivered by the cutoff:
      attended grantee-sessions / (participating grantees x delivered sessions)
    - followup_uptake_rate / followup_baseline_rate / followup_lift: grantee-cohorts whose
      window closed by the cutoff; the baseline pooled over the same cohorts (METRICS.md)
    - open_window_grantee_cohorts: participating grantee-cohorts whose window is still open
    - targets_met: cohort x metric verdicts against the opportunities' targets (current only;
      verdicts on rates below min_cell_size are left out: they would reveal the hidden figure)
    - opportunities_with_toc: opportunities with a theory of change, out of all -#}
with

report_period as (
    select * from {{ ref('rpt_report_period') }}
),

centers as (
    select * from {{ ref('dim_centers') }}
),

grantees as (
    select * from {{ ref('dim_grantees') }}
),

opportunities as (
    select * from {{ ref('dim_opportunities') }}
),

sessions as (
    select * from {{ ref('int_cohort_sessions') }}
),

cohorts as (
    select * from {{ ref('dim_cohorts') }}
),

attendance as (
    select * from {{ ref('fct_attendance') }}
),

requests as (
    select * from {{ ref('fct_ta_requests') }}
),

uptake as (
    select * from {{ ref('fct_followup_uptake') }}
),

baseline as (
    select * from {{ ref('int_followup_baseline') }}
),

phase_metrics as (
    select * from {{ ref('fct_phase_metrics') }}
),

periods as (
    select
        'current' as period,
        as_of_date as cutoff_on,
        period_start_on
    from report_period
    union all
    select
        'previous' as period,
        previous_as_of_date as cutoff_on,
        previous_period_start_on as period_start_on
    from report_period
),

scopes as (
    select center_id from centers
    union all
    select 'ALL' as center_id
),

scope_periods as (
    select scopes.center_id, periods.period, periods.cutoff_on, periods.period_start_on
    from scopes
    cross join periods
),

{#- a row's scope: its own center, and ALL -#}
cohort_scopes as (
    select cohort_id, center_id from cohorts
    union all
    select cohort_id, 'ALL' as center_id from cohorts
),

cohorts_active as (
    select
        scope_periods.center_id,
        scope_periods.period,
        count(distinct sessions.cohort_id) as value
    from scope_periods
    inner join cohort_scopes
        on scope_periods.center_id = cohort_scopes.center_id
    inner join sessions
        on cohort_scopes.cohort_id = sessions.cohort_id
    where sessions.is_delivered
        and sessions.session_on between scope_periods.period_start_on and scope_periods.cutoff_on
    group by scope_periods.center_id, scope_periods.period
),

attended_in_period as (
    select distinct
        scope_periods.center_id,
        scope_periods.period,
        attendance.grantee_id
    from scope_periods
    inner join cohort_scopes
        on scope_periods.center_id = cohort_scopes.center_id
    inner join attendance
        on cohort_scopes.cohort_id = attendance.cohort_id
    where attendance.has_attended
        and attendance.session_on between scope_periods.period_start_on and scope_periods.cutoff_on
),

grantees_reached as (
    select center_id, period, count(*) as value
    from attended_in_period
    group by center_id, period
),

{#- TA requests to a center: its own, or with one of its opportunities as the source -#}
request_scopes as (
    select requests.request_id, requests.center_id
    from requests
    union
    select requests.request_id, opportunities.center_id
    from requests
    inner join opportunities
        on requests.source_opportunity_id = opportunities.opportunity_id
    union
    select requests.request_id, 'ALL' as center_id
    from requests
),

requested_in_period as (
    select distinct
        scope_periods.center_id,
        scope_periods.period,
        requests.grantee_id
    from scope_periods
    inner join request_scopes
        on scope_periods.center_id = request_scopes.center_id
    inner join requests
        on request_scopes.request_id = requests.request_id
    where not requests.is_withdrawn
        and requests.submitted_on between scope_periods.period_start_on and scope_periods.cutoff_on
),

with_ta as (
    select center_id, period, grantee_id from attended_in_period
    union
    select center_id, period, grantee_id from requested_in_period
),

grantees_with_ta as (
    select center_id, period, count(*) as grantees
    from with_ta
    group by center_id, period
),

grantee_total as (
    select count(*) as grantees from grantees
),

{#- attendance pooled over cohorts, sessions delivered by the cutoff -#}
attendance_by_cutoff as (
    select
        scope_periods.center_id,
        scope_periods.period,
        attendance.cohort_id,
        attendance.grantee_id,
        attendance.session_id,
        attendance.has_attended
    from scope_periods
    inner join cohort_scopes
        on scope_periods.center_id = cohort_scopes.center_id
    inner join attendance
        on cohort_scopes.cohort_id = attendance.cohort_id
    where attendance.session_on <= scope_periods.cutoff_on
),

cohort_attendance as (
    select
        center_id,
        period,
        cohort_id,
        count(distinct session_id) as sessions,
        count(distinct case when has_attended then grantee_id end) as participating,
        count(distinct case when has_attended then grantee_id || '|' || session_id end)
            as attended
    from attendance_by_cutoff
    group by center_id, period, cohort_id
),

attendance_pooled as (
    select
        center_id,
        period,
        cast(sum(attended) as bigint) as numerator,
        cast(sum(participating * sessions) as bigint) as denominator
    from cohort_attendance
    group by center_id, period
),

{#- follow-up: grantee-cohorts whose window closed by the cutoff -#}
uptake_scoped as (
    select
        scope_periods.center_id,
        scope_periods.period,
        scope_periods.cutoff_on,
        uptake.cohort_id,
        uptake.first_attended_on,
        uptake.window_end_on,
        uptake.took_up_related
    from scope_periods
    inner join cohort_scopes
        on scope_periods.center_id = cohort_scopes.center_id
    inner join uptake
        on cohort_scopes.cohort_id = uptake.cohort_id
    where uptake.first_attended_on <= scope_periods.cutoff_on
),

uptake_pooled as (
    select
        center_id,
        period,
        count(case when window_end_on <= cutoff_on then 1 end) as grantee_cohorts,
        count(case when window_end_on <= cutoff_on and took_up_related then 1 end) as took_up,
        count(case when window_end_on is null or window_end_on > cutoff_on then 1 end)
            as open_windows
    from uptake_scoped
    group by center_id, period
),

baseline_cohorts as (
    select distinct center_id, period, cohort_id
    from uptake_scoped
    where window_end_on <= cutoff_on
),

baseline_pooled as (
    select
        baseline_cohorts.center_id,
        baseline_cohorts.period,
        cast(sum(baseline.baseline_grantees) as bigint) as grantees,
        cast(sum(baseline.baseline_took_up_related) as bigint) as took_up
    from baseline_cohorts
    inner join baseline
        on baseline_cohorts.cohort_id = baseline.cohort_id
    group by baseline_cohorts.center_id, baseline_cohorts.period
),

verdicts as (
    select
        cohort_scopes.center_id,
        count(case when phase_metrics.target_met then 1 end) as met,
        count(*) as assessed
    from phase_metrics
    inner join cohort_scopes
        on phase_metrics.cohort_id = cohort_scopes.cohort_id
    where phase_metrics.target_met is not null
        and (phase_metrics.denominator >= {{ var('min_cell_size') }}
             or phase_metrics.metric in ({{ plcqi.phase_metric_keys_of_kind(['count', 'flag', 'days']) }}))
    group by cohort_scopes.center_id
),

opportunity_scopes as (
    select opportunity_id, center_id, has_theory_of_change from opportunities
    union all
    select opportunity_id, 'ALL' as center_id, has_theory_of_change from opportunities
),

theories as (
    select
        center_id,
        count(case when has_theory_of_change then 1 end) as with_toc,
        count(*) as opportunities
    from opportunity_scopes
    group by center_id
),

figures as (
    select
        scope_periods.center_id,
        scope_periods.period,
        scope_periods.cutoff_on,
        scope_periods.period_start_on,
        coalesce(cohorts_active.value, 0) as cohorts_active,
        coalesce(grantees_reached.value, 0) as grantees_reached,
        grantee_total.grantees - coalesce(grantees_with_ta.grantees, 0) as grantees_without_ta,
        grantee_total.grantees as grantees_total,
        coalesce(attendance_pooled.numerator, 0) as attended,
        coalesce(attendance_pooled.denominator, 0) as attendance_possible,
        coalesce(uptake_pooled.took_up, 0) as took_up,
        coalesce(uptake_pooled.grantee_cohorts, 0) as grantee_cohorts,
        coalesce(uptake_pooled.open_windows, 0) as open_windows,
        coalesce(baseline_pooled.took_up, 0) as baseline_took_up,
        coalesce(baseline_pooled.grantees, 0) as baseline_grantees,
        case when scope_periods.period = 'current' then coalesce(verdicts.met, 0) end as met,
        case when scope_periods.period = 'current' then coalesce(verdicts.assessed, 0) end
            as assessed,
        coalesce(theories.with_toc, 0) as with_toc,
        coalesce(theories.opportunities, 0) as opportunities
    from scope_periods
    cross join grantee_total
    left join cohorts_active
        on scope_periods.center_id = cohorts_active.center_id
        and scope_periods.period = cohorts_active.period
    left join grantees_reached
        on scope_periods.center_id = grantees_reached.center_id
        and scope_periods.period = grantees_reached.period
    left join grantees_with_ta
        on scope_periods.center_id = grantees_with_ta.center_id
        and scope_periods.period = grantees_with_ta.period
    left join attendance_pooled
        on scope_periods.center_id = attendance_pooled.center_id
        and scope_periods.period = attendance_pooled.period
    left join uptake_pooled
        on scope_periods.center_id = uptake_pooled.center_id
        and scope_periods.period = uptake_pooled.period
    left join baseline_pooled
        on scope_periods.center_id = baseline_pooled.center_id
        and scope_periods.period = baseline_pooled.period
    left join verdicts
        on scope_periods.center_id = verdicts.center_id
    left join theories
        on scope_periods.center_id = theories.center_id
)

select * from figures
