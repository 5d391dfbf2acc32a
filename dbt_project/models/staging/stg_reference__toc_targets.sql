{%- set content_columns = ['opportunity_id', 'metric', 'comparator', 'target_value'] -%}

with

source as (
    select * from {{ source('raw', 'reference__toc_targets') }}
),

latest_snapshot as (
    {{ plcqi.latest_snapshot_rows('source', content_columns) }}
),

renamed as (
    select
        cast(opportunity_id as varchar) as opportunity_id,
        cast(metric as varchar) as metric,
        cast(comparator as varchar) as target_comparator,
        cast(target_value as {{ plcqi.type_double() }}) as target_value,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from latest_snapshot
)

select * from renamed
