{%- set content_columns = ['grantee_id', 'grantee_name', 'grantee_type', 'acf_region'] -%}

with

source as (
    select * from {{ source('raw', 'reference__grantees') }}
),

latest_snapshot as (
    {{ plcqi.latest_snapshot_rows('source', content_columns) }}
),

renamed as (
    select
        cast(grantee_id as varchar) as grantee_id,
        cast(grantee_name as varchar) as grantee_name,
        cast(grantee_type as varchar) as grantee_type,
        cast(acf_region as integer) as acf_region,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from latest_snapshot
)

select * from renamed
