{#- Countable TA requests, one row per request, for the relatedness join of METRICS.md 1.1: a
    request is related to an opportunity when its topic equals the opportunity's topic or its
    source_opportunity_id is the opportunity. Withdrawn requests never count. Consumers join on
    grantee_id first, then on (topic = the opportunity's topic or source_opportunity_id = the
    opportunity), so the join grows with each grantee's requests, not with every
    (opportunity, request) pair of a topic. -#}
with

requests as (
    select * from {{ ref('int_ta_requests_current') }}
),

countable_requests as (
    select
        request_id,
        grantee_id,
        topic,
        source_opportunity_id,
        submitted_on
    from requests
    where not is_withdrawn
)

select * from countable_requests
