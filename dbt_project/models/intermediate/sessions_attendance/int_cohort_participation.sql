{#- One row per grantee of a cohort: enrolled, or with anyone present at one of its delivered
    sessions. A participating grantee has at least one participant who attended at least one
    delivered session; registration alone is not participation. Invitation and registration
    count when dated on or before the as-of date. -#}
with

enrollments as (
    select * from {{ ref('stg_reference__enrollments') }}
),

grantee_sessions as (
    select * from {{ ref('int_grantee_session_attendance') }}
),

grantees as (
    select * from {{ ref('stg_reference__grantees') }}
),

team_members as (
    select * from {{ ref('stg_reference__team_members') }}
),

participants as (
    select * from {{ ref('stg_reference__participants') }}
),

attendance_per_grantee as (
    select
        cohort_id,
        grantee_id,
        count(case when participants_present > 0 then 1 end) as sessions_present,
        count(case when has_attended then 1 end) as sessions_attended,
        min(case when has_attended then session_on end) as first_attended_on,
        max(case when has_attended and is_first_delivered then 1 else 0 end)
            as attended_first_session,
        max(case when has_attended and is_last_delivered then 1 else 0 end)
            as attended_last_session,
        count(*) as delivered_sessions
    from grantee_sessions
    group by cohort_id, grantee_id
),

lead_agency_teams as (
    select distinct
        team_members.cohort_id,
        participants.grantee_id
    from team_members
    inner join participants
        on team_members.participant_key = participants.participant_key
    where participants.is_lead_agency
),

cohort_grantees as (
    select cohort_id, grantee_id from enrollments
    union
    select cohort_id, grantee_id from attendance_per_grantee
),

participation_joined as (
    select
        cohort_grantees.cohort_id,
        cohort_grantees.grantee_id,
        grantees.grantee_type,
        enrollments.grantee_id is not null as is_enrolled,
        coalesce(enrollments.invited_on <= {{ plcqi.as_of_date() }}, false) as is_invited,
        coalesce(enrollments.registered_on <= {{ plcqi.as_of_date() }}, false) as is_registered,
        coalesce(enrollments.has_completed_intake, false) as has_completed_intake,
        lead_agency_teams.grantee_id is not null as has_lead_agency_team_member,
        coalesce(attendance_per_grantee.delivered_sessions, 0) as delivered_sessions,
        coalesce(attendance_per_grantee.sessions_present, 0) as sessions_present,
        coalesce(attendance_per_grantee.sessions_attended, 0) as sessions_attended,
        coalesce(attendance_per_grantee.sessions_attended, 0) > 0 as is_participating,
        attendance_per_grantee.first_attended_on,
        coalesce(attendance_per_grantee.attended_first_session, 0) = 1
            as has_attended_first_session,
        coalesce(attendance_per_grantee.attended_last_session, 0) = 1
            as has_attended_last_session
    from cohort_grantees
    left join enrollments
        on cohort_grantees.cohort_id = enrollments.cohort_id
        and cohort_grantees.grantee_id = enrollments.grantee_id
    left join grantees
        on cohort_grantees.grantee_id = grantees.grantee_id
    left join lead_agency_teams
        on cohort_grantees.cohort_id = lead_agency_teams.cohort_id
        and cohort_grantees.grantee_id = lead_agency_teams.grantee_id
    left join attendance_per_grantee
        on cohort_grantees.cohort_id = attendance_per_grantee.cohort_id
        and cohort_grantees.grantee_id = attendance_per_grantee.grantee_id
)

select * from participation_joined
