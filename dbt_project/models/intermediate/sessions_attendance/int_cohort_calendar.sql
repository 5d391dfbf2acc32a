{#- One row per cohort: its delivered sessions as of the as-of date, its end and its follow-up
    window. The cohort end is the date of the last delivered session, once no session of the
    cohort is still scheduled (METRICS.md 1.1): a session `scheduled`, or `delivered` with a
    scheduled_start after the as-of date (not yet delivered then, so a backfill for an earlier
    date sees it as scheduled), holds the end back. A cohort of an opportunity with an empty
    end_date (ongoing) has no end either, so no window. The window is complete when the cohort
    has ended and the as-of date is on or after window_end_on. -#}
with

cohorts as (
    select * from {{ ref('stg_reference__cohorts') }}
),

opportunities as (
    select * from {{ ref('stg_reference__opportunities') }}
),

sessions as (
    select * from {{ ref('int_cohort_sessions') }}
),

sessions_per_cohort as (
    select
        cohort_id,
        count(*) as sessions_total,
        count(case when is_delivered then 1 end) as delivered_sessions,
        count(case when session_status = 'cancelled' then 1 end) as cancelled_sessions,
        -- Still scheduled as of the as-of date: status scheduled, or delivered later on.
        count(case when session_status <> 'cancelled' and not is_delivered then 1 end)
            as upcoming_sessions,
        min(case when is_delivered then session_on end) as first_delivered_on,
        max(case when is_delivered then session_on end) as last_delivered_on,
        max(case when is_first_delivered then session_id end) as first_delivered_session_id,
        max(case when is_last_delivered then session_id end) as last_delivered_session_id,
        max(days_since_previous_delivered) as max_gap_days
    from sessions
    group by cohort_id
),

cohorts_joined as (
    select
        cohorts.cohort_id,
        cohorts.opportunity_id,
        opportunities.center_id,
        opportunities.topic,
        opportunities.planned_sessions,
        coalesce(opportunities.is_ongoing, false) as is_ongoing,
        coalesce(sessions_per_cohort.sessions_total, 0) as sessions_total,
        coalesce(sessions_per_cohort.delivered_sessions, 0) as delivered_sessions,
        coalesce(sessions_per_cohort.cancelled_sessions, 0) as cancelled_sessions,
        coalesce(sessions_per_cohort.upcoming_sessions, 0) as upcoming_sessions,
        sessions_per_cohort.first_delivered_on,
        sessions_per_cohort.last_delivered_on,
        sessions_per_cohort.first_delivered_session_id,
        sessions_per_cohort.last_delivered_session_id,
        sessions_per_cohort.max_gap_days
    from cohorts
    left join opportunities
        on cohorts.opportunity_id = opportunities.opportunity_id
    left join sessions_per_cohort
        on cohorts.cohort_id = sessions_per_cohort.cohort_id
),

cohort_ends as (
    select
        *,
        case
            when not is_ongoing and upcoming_sessions = 0 then last_delivered_on
        end as cohort_end_on
    from cohorts_joined
),

windows as (
    select
        *,
        {{ plcqi.add_days('cohort_end_on', var('followup_window_days')) }} as window_end_on
    from cohort_ends
),

calendar as (
    select
        *,
        coalesce(
            window_end_on <= {{ plcqi.as_of_date() }}, false
        ) as is_window_complete,
        {{ plcqi.as_of_date() }} as as_of_date
    from windows
)

select * from calendar
