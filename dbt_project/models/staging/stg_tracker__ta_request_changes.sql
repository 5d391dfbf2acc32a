{#- One row per change of a TA request as the tracker exported it (CSV exports and database
    pulls); a change (request_id + updated_at) exported twice is kept once, the first loaded. -#}
with

source as (
    select * from {{ source('raw', 'ta_requests') }}
),

deduplicated as (
    {{ plcqi.first_row_per_key('source', ['request_id', 'updated_at']) }}
),

renamed as (
    select
        cast(request_id as varchar) as request_id,
        cast(grantee_id as varchar) as grantee_id,
        cast(submitted_at as timestamp) as submitted_at,
        cast(topic as varchar) as topic,
        cast(request_type as varchar) as request_type,
        cast(center_id as varchar) as center_id,
        cast(source_opportunity_id as varchar) as source_opportunity_id,
        cast(plan_status as varchar) as plan_status,
        cast(updated_at as timestamp) as updated_at,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from deduplicated
)

select * from renamed
