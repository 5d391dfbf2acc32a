{#- One row per delivered session of a cohort: the participating grantees attending it, out
    of the cohort's participating grantees (with its Wilson interval: the retention chart), and
    the days since the previous delivered session (the gaps chart). -#}
with

sessions as (
    select * from {{ ref('int_cohort_sessions') }}
    where is_delivered
),

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

attendance as (
    select * from {{ ref('fct_attendance') }}
),

cohorts as (
    select * from {{ ref('dim_cohorts') }}
),

attending as (
    select
        session_id,
        count(distinct case when has_attended then grantee_id end) as attending_grantees
    from attendance
    group by session_id
),

per_session as (
    select
        calendar.opportunity_id,
        sessions.cohort_id,
        calendar.center_id,
        sessions.session_id,
        sessions.delivered_number,
        sessions.session_on,
        sessions.session_type,
        coalesce(attending.attending_grantees, 0) as attending_grantees,
        cohorts.participating_grantees,
        {{ plcqi.safe_rate('coalesce(attending.attending_grantees, 0)', 'cohorts.participating_grantees') }}
            as attending_rate,
        {{ plcqi.wilson_low('coalesce(attending.attending_grantees, 0)', 'cohorts.participating_grantees') }}
            as ci_low,
        {{ plcqi.wilson_high('coalesce(attending.attending_grantees, 0)', 'cohorts.participating_grantees') }}
            as ci_high,
        sessions.days_since_previous_delivered as gap_days
    from sessions
    inner join calendar
        on sessions.cohort_id = calendar.cohort_id
    inner join cohorts
        on sessions.cohort_id = cohorts.cohort_id
    left join attending
        on sessions.session_id = attending.session_id
)

select * from per_session
