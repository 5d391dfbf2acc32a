{#- One row per participating grantee of a cohort, with its follow-up window and the TA requests
    in it. requests_during counts related requests submitted from the first attended session
    through the cohort end (through the as-of date while the cohort is ongoing). The after-window
    is (cohort_end_on, window_end_on]; while it is not complete (ongoing cohort, or as-of date
    before window_end_on) every after-window figure is null, never a partial count, so open
    windows cannot understate uptake (right-censoring). first_followup_on is the first related
    request inside the window. -#}
with

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

related_requests as (
    select * from {{ ref('int_ta_requests_related') }}
),

requests as (
    select * from {{ ref('int_ta_requests_current') }}
),

windows as (
    select
        calendar.opportunity_id,
        calendar.topic,
        participation.cohort_id,
        calendar.center_id,
        participation.grantee_id,
        participation.grantee_type,
        participation.first_attended_on,
        calendar.cohort_end_on,
        calendar.window_end_on,
        calendar.is_window_complete as window_complete,
        coalesce(calendar.cohort_end_on, {{ plcqi.as_of_date() }}) as during_through_on
    from participation
    inner join calendar
        on participation.cohort_id = calendar.cohort_id
    where participation.is_participating
),

related_during as (
    select
        windows.cohort_id,
        windows.grantee_id,
        count(distinct related_requests.request_id) as requests_during
    from windows
    inner join related_requests
        on windows.grantee_id = related_requests.grantee_id
        and (
            related_requests.topic = windows.topic
            or related_requests.source_opportunity_id = windows.opportunity_id
        )
        and related_requests.submitted_on >= windows.first_attended_on
        and related_requests.submitted_on <= windows.during_through_on
    group by windows.cohort_id, windows.grantee_id
),

related_after as (
    select
        windows.cohort_id,
        windows.grantee_id,
        count(distinct related_requests.request_id) as requests_after_related,
        min(related_requests.submitted_on) as first_followup_on
    from windows
    inner join related_requests
        on windows.grantee_id = related_requests.grantee_id
        and (
            related_requests.topic = windows.topic
            or related_requests.source_opportunity_id = windows.opportunity_id
        )
        and related_requests.submitted_on > windows.cohort_end_on
        and related_requests.submitted_on <= windows.window_end_on
    where windows.window_complete
    group by windows.cohort_id, windows.grantee_id
),

any_after as (
    select
        windows.cohort_id,
        windows.grantee_id,
        count(distinct requests.request_id) as requests_after_any
    from windows
    inner join requests
        on windows.grantee_id = requests.grantee_id
        and requests.submitted_on > windows.cohort_end_on
        and requests.submitted_on <= windows.window_end_on
    where windows.window_complete
        and not requests.is_withdrawn
    group by windows.cohort_id, windows.grantee_id
),

counts_joined as (
    select
        windows.opportunity_id,
        windows.cohort_id,
        windows.center_id,
        windows.grantee_id,
        windows.grantee_type,
        windows.first_attended_on,
        windows.cohort_end_on,
        windows.window_end_on,
        windows.window_complete,
        coalesce(related_during.requests_during, 0) as requests_during,
        case
            when windows.window_complete
                then coalesce(related_after.requests_after_related, 0)
        end as requests_after_related,
        case
            when windows.window_complete then coalesce(any_after.requests_after_any, 0)
        end as requests_after_any,
        related_after.first_followup_on
    from windows
    left join related_during
        on windows.cohort_id = related_during.cohort_id
        and windows.grantee_id = related_during.grantee_id
    left join related_after
        on windows.cohort_id = related_after.cohort_id
        and windows.grantee_id = related_after.grantee_id
    left join any_after
        on windows.cohort_id = any_after.cohort_id
        and windows.grantee_id = any_after.grantee_id
),

uptake as (
    select
        *,
        case
            when window_complete then requests_after_related > 0
        end as took_up_related,
        case
            when window_complete then requests_after_any > 0
        end as took_up_any,
        {{ plcqi.days_between('cohort_end_on', 'first_followup_on') }} as days_to_first_followup
    from counts_joined
)

select * from uptake
