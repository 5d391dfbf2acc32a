{#- One row per cohort: prelaunch_activity (phase 3), 1 when a delivered kickoff precedes the
    first delivered webinar (or no webinar was delivered yet), 0 otherwise, null while nothing
    was delivered. -#}
with

cohorts as (
    select * from {{ ref('stg_reference__cohorts') }}
),

sessions as (
    select * from {{ ref('int_cohort_sessions') }}
),

first_delivered as (
    select
        cohort_id,
        count(case when is_delivered then 1 end) as delivered_sessions,
        min(case when is_delivered and session_type = 'kickoff' then scheduled_start_at end)
            as first_delivered_kickoff_at,
        min(case when is_delivered and session_type = 'webinar' then scheduled_start_at end)
            as first_delivered_webinar_at
    from sessions
    group by cohort_id
),

prelaunch as (
    select
        cohorts.cohort_id,
        first_delivered.first_delivered_kickoff_at,
        first_delivered.first_delivered_webinar_at,
        case
            when coalesce(first_delivered.delivered_sessions, 0) = 0 then null
            when first_delivered.first_delivered_kickoff_at is not null
                and (
                    first_delivered.first_delivered_webinar_at is null
                    or first_delivered.first_delivered_kickoff_at
                    < first_delivered.first_delivered_webinar_at
                )
                then 1
            else 0
        end as prelaunch_activity
    from cohorts
    left join first_delivered
        on cohorts.cohort_id = first_delivered.cohort_id
)

select * from prelaunch
