{#- Phase 3, planning & preparation. registration_rate counts registered enrollments among the
    invited ones (an enrollment registered without an invitation would otherwise push the rate
    above 1). prelaunch_activity: 1 when a delivered kickoff precedes the first delivered webinar
    (or no webinar was delivered yet), 0 otherwise, null before any delivered session. -#}
with

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

prelaunch as (
    select * from {{ ref('int_cohort_prelaunch_activity') }}
),

enrollment_counts as (
    select
        cohort_id,
        count(case when is_invited then 1 end) as invited,
        count(case when is_invited and is_registered then 1 end) as invited_and_registered,
        count(case when is_registered then 1 end) as registered,
        count(case when is_registered and has_completed_intake then 1 end)
            as registered_with_intake,
        count(case when is_registered and has_lead_agency_team_member then 1 end)
            as registered_with_lead_agency
    from participation
    where is_enrolled
    group by cohort_id
),

counts_joined as (
    select
        calendar.cohort_id,
        prelaunch.prelaunch_activity,
        coalesce(enrollment_counts.invited, 0) as invited,
        coalesce(enrollment_counts.invited_and_registered, 0) as invited_and_registered,
        coalesce(enrollment_counts.registered, 0) as registered,
        coalesce(enrollment_counts.registered_with_intake, 0) as registered_with_intake,
        coalesce(enrollment_counts.registered_with_lead_agency, 0)
            as registered_with_lead_agency
    from calendar
    left join prelaunch
        on calendar.cohort_id = prelaunch.cohort_id
    left join enrollment_counts
        on calendar.cohort_id = enrollment_counts.cohort_id
),

wide as (
    select
        cohort_id,
        invited_and_registered as registration_rate__numerator,
        invited as registration_rate__denominator,
        {{ plcqi.safe_rate('invited_and_registered', 'invited') }} as registration_rate__value,
        registered_with_intake as intake_completion_rate__numerator,
        registered as intake_completion_rate__denominator,
        {{ plcqi.safe_rate('registered_with_intake', 'registered') }}
            as intake_completion_rate__value,
        registered_with_lead_agency as lead_agency_team_rate__numerator,
        registered as lead_agency_team_rate__denominator,
        {{ plcqi.safe_rate('registered_with_lead_agency', 'registered') }}
            as lead_agency_team_rate__value,
        prelaunch_activity as prelaunch_activity__numerator,
        cast(null as bigint) as prelaunch_activity__denominator,
        prelaunch_activity as prelaunch_activity__value
    from counts_joined
),

metrics as (
    {{ plcqi.unpivot_phase_metrics('wide', 3) }}
)

select * from metrics
