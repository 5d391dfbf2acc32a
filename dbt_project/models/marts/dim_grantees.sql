with

grantees as (
    select * from {{ ref('stg_reference__grantees') }}
),

grantees_selected as (
    select
        grantee_id,
        grantee_name,
        grantee_type,
        acf_region
    from grantees
)

select * from grantees_selected
