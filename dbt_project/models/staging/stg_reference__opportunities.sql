{%- set content_columns = [
    'opportunity_id', 'title', 'center_id', 'partner_center_ids', 'format', 'topic',
    'intended_outcome', 'ta_type', 'participation_mode', 'attendance_expectation',
    'planned_sessions', 'start_date', 'end_date', 'followup_offered',
] -%}

with

source as (
    select * from {{ source('raw', 'reference__opportunities') }}
),

latest_snapshot as (
    {{ plcqi.latest_snapshot_rows('source', content_columns) }}
),

renamed as (
    select
        cast(opportunity_id as varchar) as opportunity_id,
        cast(title as varchar) as opportunity_title,
        cast(center_id as varchar) as center_id,
        cast(partner_center_ids as varchar) as partner_center_ids,
        cast(format as varchar) as opportunity_format,
        cast(topic as varchar) as topic,
        cast(intended_outcome as varchar) as intended_outcome,
        cast(ta_type as varchar) as ta_type,
        cast(participation_mode as varchar) as participation_mode,
        cast(attendance_expectation as varchar) as attendance_expectation,
        cast(planned_sessions as integer) as planned_sessions,
        cast(start_date as date) as start_on,
        cast(end_date as date) as end_on,
        end_date is null as is_ongoing,
        cast(followup_offered as varchar) as followup_offered,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from latest_snapshot
)

select * from renamed
