{#- (opportunity, request) pairs of related TA requests: the request's topic equals the
    opportunity's topic, or its source_opportunity_id is the opportunity. Withdrawn requests
    never count. Two equality joins instead of one join on an `or`, so both stay hash joins. -#}
with

requests as (
    select * from {{ ref('int_ta_requests_current') }}
),

opportunities as (
    select * from {{ ref('stg_reference__opportunities') }}
),

countable_requests as (
    select *
    from requests
    where not is_withdrawn
),

matched_by_topic as (
    select
        opportunities.opportunity_id,
        countable_requests.request_id,
        1 as is_topic_match,
        0 as is_source_match
    from countable_requests
    inner join opportunities
        on countable_requests.topic = opportunities.topic
),

matched_by_source as (
    select
        opportunities.opportunity_id,
        countable_requests.request_id,
        0 as is_topic_match,
        1 as is_source_match
    from countable_requests
    inner join opportunities
        on countable_requests.source_opportunity_id = opportunities.opportunity_id
),

matches as (
    select * from matched_by_topic
    union all
    select * from matched_by_source
),

matches_per_pair as (
    select
        opportunity_id,
        request_id,
        max(is_topic_match) = 1 as is_topic_match,
        max(is_source_match) = 1 as is_source_match
    from matches
    group by opportunity_id, request_id
),

related_requests as (
    select
        matches_per_pair.opportunity_id,
        matches_per_pair.request_id,
        countable_requests.grantee_id,
        countable_requests.topic,
        countable_requests.source_opportunity_id,
        countable_requests.submitted_on,
        matches_per_pair.is_topic_match,
        matches_per_pair.is_source_match
    from matches_per_pair
    inner join countable_requests
        on matches_per_pair.request_id = countable_requests.request_id
)

select * from related_requests
