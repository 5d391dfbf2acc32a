{#- One row per connection (join to leave) of a person to a session. The person is a
    participant_key, or only an email_key when the platform knew just the email. -#}
{%- set content_columns = ['session_id', 'participant_key', 'email_key', 'join_time', 'leave_time'] -%}

with

source as (
    select * from {{ source('raw', 'attendance') }}
),

deduplicated as (
    {{ plcqi.rows_without_export_duplicates('source', content_columns) }}
),

renamed as (
    select
        cast(session_id as varchar) as session_id,
        cast(participant_key as varchar) as participant_key,
        cast(email_key as varchar) as email_key,
        cast(join_time as timestamp) as joined_at,
        cast(leave_time as timestamp) as left_at,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from deduplicated
)

select * from renamed
