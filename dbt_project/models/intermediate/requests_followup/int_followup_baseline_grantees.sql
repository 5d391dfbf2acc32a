{#- One row per (cohort, grantee) of the cohort's follow-up baseline (METRICS.md 1.1), for cohorts
    whose window is complete: grantees of the grantee types present among the cohort's
    participating grantees that participated neither in this cohort nor in any other cohort of
    the same opportunity or of an opportunity on the same topic with a first attended session
    from 365 days before this cohort's first delivered session through its window end (through
    the as-of date while the window is open). A grantee treated by a sibling cohort would
    contaminate the comparison. took_up_related: a request related to this cohort's opportunity
    in the after-window (cohort_end_on, window_end_on]. -#}
with

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

grantees as (
    select * from {{ ref('stg_reference__grantees') }}
),

related_requests as (
    select * from {{ ref('int_ta_requests_related') }}
),

participating_grantees as (
    select
        participation.cohort_id,
        participation.grantee_id,
        participation.grantee_type,
        participation.first_attended_on,
        calendar.opportunity_id,
        calendar.topic
    from participation
    inner join calendar
        on participation.cohort_id = calendar.cohort_id
    where participation.is_participating
),

participant_grantee_types as (
    select distinct cohort_id, grantee_type
    from participating_grantees
),

complete_cohorts as (
    select
        cohort_id,
        opportunity_id,
        center_id,
        topic,
        cohort_end_on,
        window_end_on,
        {{ plcqi.add_days('first_delivered_on', -365) }} as exclusion_from_on,
        -- Only complete windows have a baseline, so "through the as-of date while the window
        -- is open" never applies here: the range ends at the window end.
        window_end_on as exclusion_through_on
    from calendar
    where is_window_complete
),

candidate_grantees as (
    select
        complete_cohorts.cohort_id,
        complete_cohorts.opportunity_id,
        complete_cohorts.topic,
        complete_cohorts.center_id,
        complete_cohorts.cohort_end_on,
        complete_cohorts.window_end_on,
        grantees.grantee_id,
        grantees.grantee_type
    from complete_cohorts
    inner join participant_grantee_types
        on complete_cohorts.cohort_id = participant_grantee_types.cohort_id
    inner join grantees
        on participant_grantee_types.grantee_type = grantees.grantee_type
),

-- Two equality joins (same opportunity, same topic) instead of one join on an `or`.
sibling_participants as (
    select complete_cohorts.cohort_id, participating_grantees.grantee_id
    from complete_cohorts
    inner join participating_grantees
        on complete_cohorts.opportunity_id = participating_grantees.opportunity_id
    where participating_grantees.first_attended_on >= complete_cohorts.exclusion_from_on
        and participating_grantees.first_attended_on <= complete_cohorts.exclusion_through_on
    union
    select complete_cohorts.cohort_id, participating_grantees.grantee_id
    from complete_cohorts
    inner join participating_grantees
        on complete_cohorts.topic = participating_grantees.topic
    where participating_grantees.first_attended_on >= complete_cohorts.exclusion_from_on
        and participating_grantees.first_attended_on <= complete_cohorts.exclusion_through_on
),

own_participants as (
    select cohort_id, grantee_id
    from participating_grantees
),

excluded_grantees as (
    select cohort_id, grantee_id from own_participants
    union
    select cohort_id, grantee_id from sibling_participants
),

non_participants as (
    select candidate_grantees.*
    from candidate_grantees
    left join excluded_grantees
        on candidate_grantees.cohort_id = excluded_grantees.cohort_id
        and candidate_grantees.grantee_id = excluded_grantees.grantee_id
    where excluded_grantees.grantee_id is null
),

requests_in_window as (
    select
        non_participants.cohort_id,
        non_participants.grantee_id,
        count(distinct related_requests.request_id) as requests_after_related
    from non_participants
    inner join related_requests
        on non_participants.grantee_id = related_requests.grantee_id
        and (
            related_requests.topic = non_participants.topic
            or related_requests.source_opportunity_id = non_participants.opportunity_id
        )
        and related_requests.submitted_on > non_participants.cohort_end_on
        and related_requests.submitted_on <= non_participants.window_end_on
    group by non_participants.cohort_id, non_participants.grantee_id
),

baseline_grantees as (
    select
        non_participants.cohort_id,
        non_participants.opportunity_id,
        non_participants.center_id,
        non_participants.grantee_id,
        non_participants.grantee_type,
        coalesce(requests_in_window.requests_after_related, 0) > 0 as took_up_related
    from non_participants
    left join requests_in_window
        on non_participants.cohort_id = requests_in_window.cohort_id
        and non_participants.grantee_id = requests_in_window.grantee_id
)

select * from baseline_grantees
