{#- Grantee x delivered session for every grantee of the cohort (enrolled, or with anyone
    present). Participant figures are counts; participant_minutes adds each present person's
    merged minutes. -#}
with

grantee_sessions as (
    select * from {{ ref('int_grantee_session_attendance') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

attendance_joined as (
    select
        calendar.opportunity_id,
        grantee_sessions.cohort_id,
        calendar.center_id,
        grantee_sessions.session_id,
        grantee_sessions.grantee_id,
        grantee_sessions.session_on,
        grantee_sessions.session_type,
        grantee_sessions.delivered_number,
        grantee_sessions.duration_minutes,
        participation.is_enrolled,
        participation.is_participating as is_participating_grantee,
        grantee_sessions.participants_present,
        grantee_sessions.attended_participants,
        round(cast(grantee_sessions.merged_seconds / 60 as numeric), 2) as participant_minutes,
        grantee_sessions.has_attended
    from grantee_sessions
    inner join calendar
        on grantee_sessions.cohort_id = calendar.cohort_id
    left join participation
        on grantee_sessions.cohort_id = participation.cohort_id
        and grantee_sessions.grantee_id = participation.grantee_id
)

select * from attendance_joined
