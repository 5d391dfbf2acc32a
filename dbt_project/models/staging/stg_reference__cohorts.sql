{%- set content_columns = ['cohort_id', 'opportunity_id', 'cohort_number', 'label'] -%}

with

source as (
    select * from {{ source('raw', 'reference__cohorts') }}
),

latest_snapshot as (
    {{ plcqi.latest_snapshot_rows('source', content_columns) }}
),

renamed as (
    select
        cast(cohort_id as varchar) as cohort_id,
        cast(opportunity_id as varchar) as opportunity_id,
        cast(cohort_number as integer) as cohort_number,
        cast(label as varchar) as cohort_label,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from latest_snapshot
)

select * from renamed
