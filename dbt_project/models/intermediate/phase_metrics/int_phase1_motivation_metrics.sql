{#- Phase 1, motivation. The need window is the 365 days before the cohort's first delivered
    session: [first_delivered_on - 365, first_delivered_on). need_requests_12m counts the TA
    requests on the opportunity's topic (any grantee; withdrawn requests, by their state as of
    the as-of date, never count: METRICS.md 1.1); need_matched_participation_rate uses related
    requests (topic or source_opportunity_id, never withdrawn). Null while no session was
    delivered. -#}
with

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

requests as (
    select * from {{ ref('int_ta_requests_current') }}
),

related_requests as (
    select * from {{ ref('int_ta_requests_related') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

participating as (
    select * from {{ ref('int_cohort_participating_grantees') }}
),

need_windows as (
    select
        cohort_id,
        opportunity_id,
        topic,
        first_delivered_on,
        {{ plcqi.add_days('first_delivered_on', -365) }} as need_from_on
    from calendar
),

topic_requests_in_window as (
    select
        need_windows.cohort_id,
        count(distinct requests.request_id) as topic_requests
    from need_windows
    inner join requests
        on need_windows.topic = requests.topic
        and requests.submitted_on >= need_windows.need_from_on
        and requests.submitted_on < need_windows.first_delivered_on
    where not requests.is_withdrawn
    group by need_windows.cohort_id
),

participating_grantees_with_need as (
    select
        participation.cohort_id,
        participation.grantee_id,
        max(case when related_requests.request_id is not null then 1 else 0 end)
            as had_related_request
    from participation
    inner join need_windows
        on participation.cohort_id = need_windows.cohort_id
    left join related_requests
        on participation.grantee_id = related_requests.grantee_id
        and (
            related_requests.topic = need_windows.topic
            or related_requests.source_opportunity_id = need_windows.opportunity_id
        )
        and related_requests.submitted_on >= need_windows.need_from_on
        and related_requests.submitted_on < need_windows.first_delivered_on
    where participation.is_participating
    group by participation.cohort_id, participation.grantee_id
),

need_matched as (
    select
        cohort_id,
        cast(sum(had_related_request) as bigint) as participating_grantees_with_need
    from participating_grantees_with_need
    group by cohort_id
),

wide as (
    select
        need_windows.cohort_id,
        case
            when need_windows.first_delivered_on is not null
                then coalesce(topic_requests_in_window.topic_requests, 0)
        end as need_requests_12m__numerator,
        cast(null as bigint) as need_requests_12m__denominator,
        case
            when need_windows.first_delivered_on is not null
                then coalesce(topic_requests_in_window.topic_requests, 0)
        end as need_requests_12m__value,
        coalesce(need_matched.participating_grantees_with_need, 0)
            as need_matched_participation_rate__numerator,
        coalesce(participating.participating_grantees, 0)
            as need_matched_participation_rate__denominator,
        {{ plcqi.safe_rate(
            'need_matched.participating_grantees_with_need', 'participating.participating_grantees'
        ) }} as need_matched_participation_rate__value
    from need_windows
    left join topic_requests_in_window
        on need_windows.cohort_id = topic_requests_in_window.cohort_id
    left join need_matched
        on need_windows.cohort_id = need_matched.cohort_id
    left join participating
        on need_windows.cohort_id = participating.cohort_id
),

metrics as (
    {{ plcqi.unpivot_phase_metrics('wide', 1) }}
)

select * from metrics
