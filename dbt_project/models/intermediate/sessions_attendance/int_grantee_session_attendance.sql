{#- Grantee x delivered session, for every grantee of the cohort (enrolled, or with anyone
    present at one of its delivered sessions). A participant attended a session when their
    merged minutes are at least least(min_attended_minutes, duration_minutes / 2), compared in
    seconds so that no integer division can round the threshold. A grantee attended a session
    when at least one of its participants did. -#}
with

sessions as (
    select * from {{ ref('int_cohort_sessions') }}
),

people_in_sessions as (
    select * from {{ ref('int_attendance_intervals_merged') }}
),

enrollments as (
    select * from {{ ref('stg_reference__enrollments') }}
),

delivered_sessions as (
    select *
    from sessions
    where is_delivered
),

people_in_delivered_sessions as (
    select
        delivered_sessions.cohort_id,
        people_in_sessions.session_id,
        people_in_sessions.grantee_id,
        people_in_sessions.participant_key,
        people_in_sessions.merged_seconds,
        people_in_sessions.merged_seconds >= least(
            {{ var('min_attended_minutes') }} * 60,
            delivered_sessions.duration_minutes * 30
        ) as has_attended
    from people_in_sessions
    inner join delivered_sessions
        on people_in_sessions.session_id = delivered_sessions.session_id
),

grantees_in_sessions as (
    select
        cohort_id,
        session_id,
        grantee_id,
        count(*) as participants_present,
        count(case when has_attended then 1 end) as attended_participants,
        sum(merged_seconds) as merged_seconds
    from people_in_delivered_sessions
    group by cohort_id, session_id, grantee_id
),

cohort_grantees as (
    select cohort_id, grantee_id from enrollments
    union
    select cohort_id, grantee_id from grantees_in_sessions
),

grantees_by_delivered_sessions as (
    select
        cohort_grantees.cohort_id,
        delivered_sessions.session_id,
        cohort_grantees.grantee_id,
        delivered_sessions.session_on,
        delivered_sessions.session_type,
        delivered_sessions.duration_minutes,
        delivered_sessions.delivered_number,
        delivered_sessions.is_first_delivered,
        delivered_sessions.is_last_delivered
    from cohort_grantees
    inner join delivered_sessions
        on cohort_grantees.cohort_id = delivered_sessions.cohort_id
),

attendance_joined as (
    select
        grantees_by_delivered_sessions.*,
        coalesce(grantees_in_sessions.participants_present, 0) as participants_present,
        coalesce(grantees_in_sessions.attended_participants, 0) as attended_participants,
        coalesce(grantees_in_sessions.merged_seconds, 0) as merged_seconds,
        coalesce(grantees_in_sessions.attended_participants, 0) > 0 as has_attended
    from grantees_by_delivered_sessions
    left join grantees_in_sessions
        on grantees_by_delivered_sessions.session_id = grantees_in_sessions.session_id
        and grantees_by_delivered_sessions.grantee_id = grantees_in_sessions.grantee_id
)

select * from attendance_joined
