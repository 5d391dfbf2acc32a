{#- Both survey waves in one relation; the wave is the raw folder. One row per response_id
    within a wave: the first loaded. -#}
{%- set content_columns = [
    'response_id', 'cohort_id', 'grantee_id', 'participant_key', 'submitted_at',
    'knowledge_gain', 'relevance', 'within_state_connections', 'across_state_connections',
    'disseminated', 'action_plan_status', 'continue_implementing', 'practice_change',
    'policy_change', 'systems_change', 'followup_interest', 'barriers', 'comments',
] -%}

with

midpoint_source as (
    select * from {{ source('raw', 'surveys__midpoint') }}
),

six_month_source as (
    select * from {{ source('raw', 'surveys__six_month') }}
),

midpoint_deduplicated as (
    {{ plcqi.first_row_per_key('midpoint_source', ['response_id']) }}
),

six_month_deduplicated as (
    {{ plcqi.first_row_per_key('six_month_source', ['response_id']) }}
),

waves_unioned as (
    select 'midpoint' as wave, {{ content_columns | join(', ') }}, _file, _row, _loaded_at
    from midpoint_deduplicated
    union all
    select 'six_month' as wave, {{ content_columns | join(', ') }}, _file, _row, _loaded_at
    from six_month_deduplicated
),

renamed as (
    select
        cast(wave as varchar) as wave,
        cast(response_id as varchar) as response_id,
        cast(cohort_id as varchar) as cohort_id,
        cast(grantee_id as varchar) as grantee_id,
        cast(participant_key as varchar) as participant_key,
        cast(submitted_at as timestamp) as submitted_at,
        cast(knowledge_gain as integer) as knowledge_gain,
        cast(relevance as integer) as relevance,
        cast(within_state_connections as integer) as within_state_connections,
        cast(across_state_connections as integer) as across_state_connections,
        cast(disseminated as varchar) as disseminated,
        cast(action_plan_status as varchar) as action_plan_status,
        cast(continue_implementing as varchar) as continue_implementing,
        cast(practice_change as varchar) as practice_change,
        cast(policy_change as varchar) as policy_change,
        cast(systems_change as varchar) as systems_change,
        cast(followup_interest as varchar) as followup_interest,
        cast(barriers as varchar) as barriers,
        cast(comments as varchar) as comments,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from waves_unioned
)

select * from renamed
