{#- Every session with its delivery status as of the as-of date. A delivered session has
    status delivered and scheduled_start on or before the as-of date; delivered sessions are
    numbered in time order within their cohort. -#}
with

sessions as (
    select * from {{ ref('stg_reference__sessions') }}
),

sessions_classified as (
    select
        session_id,
        cohort_id,
        session_number,
        session_type,
        session_status,
        scheduled_start_at,
        cast(scheduled_start_at as date) as session_on,
        duration_minutes,
        (
            session_status = 'delivered'
            and cast(scheduled_start_at as date) <= {{ plcqi.as_of_date() }}
        ) as is_delivered
    from sessions
),

delivered_sessions_numbered as (
    select
        session_id,
        row_number() over (
            partition by cohort_id
            order by scheduled_start_at, session_number, session_id
        ) as delivered_number,
        count(*) over (partition by cohort_id) as cohort_delivered_sessions,
        lag(session_on) over (
            partition by cohort_id
            order by scheduled_start_at, session_number, session_id
        ) as previous_delivered_on
    from sessions_classified
    where is_delivered
),

sessions_numbered as (
    select
        sessions_classified.*,
        delivered_sessions_numbered.delivered_number,
        coalesce(delivered_sessions_numbered.delivered_number = 1, false)
            as is_first_delivered,
        coalesce(
            delivered_sessions_numbered.delivered_number
            = delivered_sessions_numbered.cohort_delivered_sessions,
            false
        ) as is_last_delivered,
        delivered_sessions_numbered.previous_delivered_on,
        {{ plcqi.days_between(
            'delivered_sessions_numbered.previous_delivered_on', 'sessions_classified.session_on'
        ) }} as days_since_previous_delivered
    from sessions_classified
    left join delivered_sessions_numbered
        on sessions_classified.session_id = delivered_sessions_numbered.session_id
)

select * from sessions_numbered
