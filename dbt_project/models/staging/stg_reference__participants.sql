{#- Names are dropped and ids and emails keyed on ingestion: only keys arrive here. -#}
{%- set content_columns = [
    'participant_key', 'grantee_id', 'email_key', 'organization', 'role_title',
    'is_lead_agency', 'is_contractor',
] -%}

with

source as (
    select * from {{ source('raw', 'reference__participants') }}
),

latest_snapshot as (
    {{ plcqi.latest_snapshot_rows('source', content_columns) }}
),

renamed as (
    select
        cast(participant_key as varchar) as participant_key,
        cast(grantee_id as varchar) as grantee_id,
        cast(email_key as varchar) as email_key,
        cast(organization as varchar) as organization,
        cast(role_title as varchar) as role_title,
        cast(is_lead_agency as boolean) as is_lead_agency,
        cast(is_contractor as boolean) as is_contractor,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from latest_snapshot
)

select * from renamed
