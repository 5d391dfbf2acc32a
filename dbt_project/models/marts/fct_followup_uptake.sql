with

followup_windows as (
    select * from {{ ref('int_followup_windows') }}
),

uptake as (
    select
        opportunity_id,
        cohort_id,
        center_id,
        grantee_id,
        first_attended_on,
        cohort_end_on,
        window_end_on,
        window_complete,
        requests_during,
        requests_after_related,
        requests_after_any,
        took_up_related,
        took_up_any,
        first_followup_on,
        days_to_first_followup
    from followup_windows
)

select * from uptake
