with

centers as (
    select * from {{ ref('stg_reference__centers') }}
),

opportunities as (
    select * from {{ ref('stg_reference__opportunities') }}
),

opportunities_per_center as (
    select
        center_id,
        count(*) as opportunities
    from opportunities
    group by center_id
),

centers_joined as (
    select
        centers.center_id,
        centers.center_name,
        centers.funding_office,
        coalesce(opportunities_per_center.opportunities, 0) as opportunities
    from centers
    left join opportunities_per_center
        on centers.center_id = opportunities_per_center.center_id
)

select * from centers_joined
