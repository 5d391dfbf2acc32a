{#- The attendance heatmap: one row per grantee of a cohort x delivered session, with the
    grantee's status in the cohort, which tells apart a grantee invited but never registered,
    one registered but never attended and a participating one, and the number of delivered
    sessions the grantee attended. -#}
with

attendance as (
    select * from {{ ref('fct_attendance') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

grid as (
    select
        attendance.opportunity_id,
        attendance.cohort_id,
        attendance.center_id,
        attendance.grantee_id,
        attendance.session_id,
        attendance.delivered_number,
        attendance.session_on,
        attendance.has_attended,
        case
            when participation.is_participating then 'participating'
            when participation.is_registered then 'registered_never_attended'
            when participation.is_invited then 'invited_never_registered'
            else 'not_invited'
        end as grantee_status,
        coalesce(participation.is_invited, false) as is_invited,
        coalesce(participation.is_registered, false) as is_registered,
        coalesce(participation.is_participating, false) as is_participating,
        coalesce(participation.sessions_attended, 0) as grantee_sessions_attended
    from attendance
    left join participation
        on attendance.cohort_id = participation.cohort_id
        and attendance.grantee_id = participation.grantee_id
)

select * from grid
