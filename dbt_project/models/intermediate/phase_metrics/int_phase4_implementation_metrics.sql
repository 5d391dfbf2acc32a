{#- Phase 4, implementation, over delivered sessions and participating grantees.
    sessions_delivered_rate may exceed 1 (more sessions than planned); retention_rate is the
    literal ratio of grantees attending the last delivered session to grantees attending the
    first, so it may exceed 1 when grantees join late. poll_favorable_rate covers the likert5
    responses of the cohort's delivered sessions. -#}
with

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

participating as (
    select * from {{ ref('int_cohort_participating_grantees') }}
),

poll_questions as (
    select * from {{ ref('int_poll_question_results') }}
),

participation_counts as (
    select
        cohort_id,
        cast(sum(case when is_participating then sessions_attended else 0 end) as bigint)
            as sessions_attended,
        count(
            case when is_participating and sessions_attended = delivered_sessions then 1 end
        ) as fully_attending_grantees,
        count(case when has_attended_first_session then 1 end)
            as grantees_at_first_session,
        count(case when has_attended_last_session then 1 end)
            as grantees_at_last_session
    from participation
    group by cohort_id
),

poll_counts as (
    select
        cohort_id,
        cast(sum(likert_favorable) as bigint) as likert_favorable,
        cast(sum(likert_answered) as bigint) as likert_answered
    from poll_questions
    group by cohort_id
),

counts_joined as (
    select
        calendar.cohort_id,
        calendar.delivered_sessions,
        calendar.planned_sessions,
        calendar.max_gap_days,
        coalesce(participating.participating_grantees, 0) as participating_grantees,
        coalesce(participation_counts.sessions_attended, 0) as sessions_attended,
        coalesce(participation_counts.fully_attending_grantees, 0) as fully_attending_grantees,
        coalesce(participation_counts.grantees_at_first_session, 0) as grantees_at_first_session,
        coalesce(participation_counts.grantees_at_last_session, 0) as grantees_at_last_session,
        coalesce(poll_counts.likert_favorable, 0) as likert_favorable,
        coalesce(poll_counts.likert_answered, 0) as likert_answered
    from calendar
    left join participating
        on calendar.cohort_id = participating.cohort_id
    left join participation_counts
        on calendar.cohort_id = participation_counts.cohort_id
    left join poll_counts
        on calendar.cohort_id = poll_counts.cohort_id
),

wide as (
    select
        cohort_id,
        delivered_sessions as sessions_delivered_rate__numerator,
        planned_sessions as sessions_delivered_rate__denominator,
        {{ plcqi.safe_rate('delivered_sessions', 'planned_sessions') }}
            as sessions_delivered_rate__value,
        sessions_attended as attendance_rate__numerator,
        participating_grantees * delivered_sessions as attendance_rate__denominator,
        {{ plcqi.safe_rate('sessions_attended', 'participating_grantees * delivered_sessions') }}
            as attendance_rate__value,
        fully_attending_grantees as full_attendance_rate__numerator,
        participating_grantees as full_attendance_rate__denominator,
        {{ plcqi.safe_rate('fully_attending_grantees', 'participating_grantees') }}
            as full_attendance_rate__value,
        grantees_at_last_session as retention_rate__numerator,
        grantees_at_first_session as retention_rate__denominator,
        {{ plcqi.safe_rate('grantees_at_last_session', 'grantees_at_first_session') }}
            as retention_rate__value,
        cast(null as bigint) as max_gap_days__numerator,
        cast(null as bigint) as max_gap_days__denominator,
        max_gap_days as max_gap_days__value,
        likert_favorable as poll_favorable_rate__numerator,
        likert_answered as poll_favorable_rate__denominator,
        {{ plcqi.safe_rate('likert_favorable', 'likert_answered') }}
            as poll_favorable_rate__value
    from counts_joined
),

metrics as (
    {{ plcqi.unpivot_phase_metrics('wide', 4) }}
)

select * from metrics
