{%- set content_columns = [
    'session_id', 'poll_id', 'question_id', 'question_text', 'scale', 'participant_key',
    'response_value', 'response_text', 'submitted_at',
] -%}

with

source as (
    select * from {{ source('raw', 'polls') }}
),

deduplicated as (
    {{ plcqi.rows_without_export_duplicates('source', content_columns) }}
),

renamed as (
    select
        cast(session_id as varchar) as session_id,
        cast(poll_id as varchar) as poll_id,
        cast(question_id as varchar) as question_id,
        cast(question_text as varchar) as question_text,
        cast(scale as varchar) as scale,
        cast(participant_key as varchar) as participant_key,
        cast(response_value as varchar) as response_value,
        case
            when scale = 'likert5' then cast(response_value as integer)
        end as likert_value,
        cast(response_text as varchar) as response_text,
        cast(submitted_at as timestamp) as submitted_at,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from deduplicated
)

select * from renamed
