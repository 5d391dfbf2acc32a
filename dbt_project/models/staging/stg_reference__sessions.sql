{%- set content_columns = [
    'session_id', 'cohort_id', 'session_number', 'session_type', 'title',
    'scheduled_start', 'duration_minutes', 'status', 'platform_meeting_id',
] -%}

with

source as (
    select * from {{ source('raw', 'reference__sessions') }}
),

latest_snapshot as (
    {{ plcqi.latest_snapshot_rows('source', content_columns) }}
),

renamed as (
    select
        cast(session_id as varchar) as session_id,
        cast(cohort_id as varchar) as cohort_id,
        cast(session_number as integer) as session_number,
        cast(session_type as varchar) as session_type,
        cast(title as varchar) as session_title,
        cast(scheduled_start as timestamp) as scheduled_start_at,
        cast(duration_minutes as integer) as duration_minutes,
        cast(status as varchar) as session_status,
        -- the Zoom meeting or webinar ID native exports are matched by (SOURCES.md), digits only
        nullif(regexp_replace(cast(platform_meeting_id as varchar), '[^0-9]', '', 'g'), '')
            as platform_meeting_id,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from latest_snapshot
)

select * from renamed
