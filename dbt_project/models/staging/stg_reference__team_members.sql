{%- set content_columns = ['cohort_id', 'participant_key', 'role_on_team'] -%}

with

source as (
    select * from {{ source('raw', 'reference__team_members') }}
),

latest_snapshot as (
    {{ plcqi.latest_snapshot_rows('source', content_columns) }}
),

renamed as (
    select
        cast(cohort_id as varchar) as cohort_id,
        cast(participant_key as varchar) as participant_key,
        cast(role_on_team as varchar) as role_on_team,
        cast(_file as varchar) as _file,
        cast(_row as bigint) as _row,
        cast(_loaded_at as timestamp) as _loaded_at
    from latest_snapshot
)

select * from renamed
