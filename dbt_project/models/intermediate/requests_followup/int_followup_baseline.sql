{#- Per cohort, the baseline for follow-up uptake: grantees that did not participate in the
    cohort (including those registered who never attended), of the grantee types present among
    its participating grantees, and how many of them made a related request in the cohort's
    after-window (cohort_end_on, window_end_on]. Null while the window is not complete. -#}
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
    select cohort_id, grantee_id, grantee_type
    from participation
    where is_participating
),

participant_grantee_types as (
    select distinct cohort_id, grantee_type
    from participating_grantees
),

baseline_grantees as (
    select
        calendar.cohort_id,
        calendar.opportunity_id,
        calendar.cohort_end_on,
        calendar.window_end_on,
        grantees.grantee_id
    from calendar
    inner join participant_grantee_types
        on calendar.cohort_id = participant_grantee_types.cohort_id
    inner join grantees
        on participant_grantee_types.grantee_type = grantees.grantee_type
    left join participating_grantees
        on calendar.cohort_id = participating_grantees.cohort_id
        and grantees.grantee_id = participating_grantees.grantee_id
    where calendar.is_window_complete
        and participating_grantees.grantee_id is null
),

baseline_requests as (
    select
        baseline_grantees.cohort_id,
        baseline_grantees.grantee_id,
        count(distinct related_requests.request_id) as requests_after_related
    from baseline_grantees
    left join related_requests
        on baseline_grantees.opportunity_id = related_requests.opportunity_id
        and baseline_grantees.grantee_id = related_requests.grantee_id
        and related_requests.submitted_on > baseline_grantees.cohort_end_on
        and related_requests.submitted_on <= baseline_grantees.window_end_on
    group by baseline_grantees.cohort_id, baseline_grantees.grantee_id
),

baseline_per_cohort as (
    select
        cohort_id,
        count(*) as baseline_grantees,
        count(case when requests_after_related > 0 then 1 end) as baseline_took_up_related
    from baseline_requests
    group by cohort_id
),

baseline as (
    select
        calendar.cohort_id,
        calendar.opportunity_id,
        calendar.center_id,
        calendar.cohort_end_on,
        calendar.is_window_complete,
        case
            when calendar.is_window_complete
                then coalesce(baseline_per_cohort.baseline_grantees, 0)
        end as baseline_grantees,
        case
            when calendar.is_window_complete
                then coalesce(baseline_per_cohort.baseline_took_up_related, 0)
        end as baseline_took_up_related,
        {{ plcqi.safe_rate(
            'baseline_per_cohort.baseline_took_up_related', 'baseline_per_cohort.baseline_grantees'
        ) }} as baseline_rate
    from calendar
    left join baseline_per_cohort
        on calendar.cohort_id = baseline_per_cohort.cohort_id
)

select * from baseline
