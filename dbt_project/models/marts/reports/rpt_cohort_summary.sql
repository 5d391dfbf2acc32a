{#- One row per cohort: reach (invited, registered and participating grantees, participating /
    invited with its Wilson interval) and whether the cohort is active in the report period
    (a delivered session from period_start_on through the as-of date) or its follow-up window
    closed in it. The CQI rules of the center report look only at those cohorts. -#}
with

cohorts as (
    select * from {{ ref('dim_cohorts') }}
),

period as (
    select * from {{ ref('rpt_report_period') }}
),

sessions as (
    select * from {{ ref('int_cohort_sessions') }}
    where is_delivered
),

sessions_in_period as (
    select
        sessions.cohort_id,
        count(*) as sessions_in_period
    from sessions
    cross join period
    where sessions.session_on between period.period_start_on and period.as_of_date
    group by sessions.cohort_id
),

summary as (
    select
        cohorts.opportunity_id,
        cohorts.cohort_id,
        cohorts.center_id,
        cohorts.invited_grantees,
        cohorts.registered_grantees,
        cohorts.participating_grantees,
        {{ plcqi.safe_rate('cohorts.participating_grantees', 'cohorts.invited_grantees') }}
            as reach_rate,
        {{ plcqi.wilson_low('cohorts.participating_grantees', 'cohorts.invited_grantees') }}
            as reach_ci_low,
        {{ plcqi.wilson_high('cohorts.participating_grantees', 'cohorts.invited_grantees') }}
            as reach_ci_high,
        coalesce(sessions_in_period.sessions_in_period, 0) as sessions_in_period,
        coalesce(sessions_in_period.sessions_in_period, 0) > 0 as is_active_in_period,
        coalesce(cohorts.window_end_on between period.period_start_on and period.as_of_date,
                 false) as window_closed_in_period,
        period.period_start_on,
        period.as_of_date
    from cohorts
    cross join period
    left join sessions_in_period
        on cohorts.cohort_id = sessions_in_period.cohort_id
)

select * from summary
