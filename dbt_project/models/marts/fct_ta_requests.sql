{#- One row per TA request in its state as of the as-of date (the tracker's TA, read by the
    reports' "TA requested vs delivered"). No personal data: requests are by grantees. -#}
with

requests as (
    select * from {{ ref('int_ta_requests_current') }}
),

requests_selected as (
    select
        request_id,
        grantee_id,
        center_id,
        topic,
        request_type,
        source_opportunity_id,
        plan_status,
        is_withdrawn,
        submitted_on,
        cast(updated_at as date) as last_updated_on
    from requests
)

select * from requests_selected
