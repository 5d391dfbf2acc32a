{#- Each TA request's state as of the as-of date: its change with the greatest updated_at on or
    before that date; submitted_at is the earliest seen. Changes after the as-of date do not
    count (a backfill for an earlier date gives that date's state). -#}
with

changes as (
    select * from {{ ref('stg_tracker__ta_request_changes') }}
),

changes_until_as_of as (
    select *
    from changes
    where cast(updated_at as date) <= {{ plcqi.as_of_date() }}
),

changes_ranked as (
    select
        *,
        row_number() over (
            partition by request_id
            order by updated_at desc, _loaded_at desc, _file desc, _row desc
        ) as recency_rank,
        min(submitted_at) over (partition by request_id) as first_submitted_at,
        count(*) over (partition by request_id) as change_count
    from changes_until_as_of
),

current_state as (
    select
        request_id,
        grantee_id,
        topic,
        request_type,
        center_id,
        source_opportunity_id,
        plan_status,
        plan_status = 'withdrawn' as is_withdrawn,
        first_submitted_at as submitted_at,
        cast(first_submitted_at as date) as submitted_on,
        updated_at,
        change_count
    from changes_ranked
    where recency_rank = 1
)

select * from current_state
