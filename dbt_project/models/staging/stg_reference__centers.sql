{%- set content_columns = ['center_id', 'center_name', 'funding_office'] -%}

with

source as (
    select * from {{ source('raw', 'reference__centers') }}
),

latest_snapshot as (
    {{ plcqi.latest_snapshot_rows('source', content_columns) }}
),

renamed as (
    select
        cast(center_id as varchar) as center_id,
        cast(center_name as varchar) as center_name,
        cast(funding_office as varchar) as funding_office,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from latest_snapshot
)

select * from renamed
