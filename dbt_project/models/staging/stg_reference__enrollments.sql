{%- set content_columns = ['cohort_id', 'grantee_id', 'invited_on', 'registered_on', 'intake_completed'] -%}

with

source as (
    select * from {{ source('raw', 'reference__enrollments') }}
),

latest_snapshot as (
    {{ plcqi.latest_snapshot_rows('source', content_columns) }}
),

renamed as (
    select
        cast(cohort_id as varchar) as cohort_id,
        cast(grantee_id as varchar) as grantee_id,
        cast(invited_on as date) as invited_on,
        cast(registered_on as date) as registered_on,
        cast(intake_completed as boolean) as has_completed_intake,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from latest_snapshot
)

select * from renamed
