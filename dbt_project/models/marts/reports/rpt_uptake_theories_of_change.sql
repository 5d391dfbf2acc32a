{#- Theories of change per center (dim_centers) and for all centers ('ALL'): opportunities,
    those with a theory of change (at least one target in toc_targets) and those without. -#}
with

centers as (
    select center_id, center_name from {{ ref('dim_centers') }}
),

opportunities as (
    select center_id, has_theory_of_change from {{ ref('dim_opportunities') }}
),

per_center as (
    select
        centers.center_id,
        centers.center_name,
        1 as sort_order,
        count(opportunities.center_id) as opportunities,
        count(case when opportunities.has_theory_of_change then 1 end)
            as with_theory_of_change,
        count(case when not opportunities.has_theory_of_change then 1 end)
            as without_theory_of_change
    from centers
    left join opportunities
        on centers.center_id = opportunities.center_id
    group by centers.center_id, centers.center_name
),

all_centers as (
    select
        'ALL' as center_id,
        'All centers' as center_name,
        0 as sort_order,
        count(*) as opportunities,
        count(case when has_theory_of_change then 1 end) as with_theory_of_change,
        count(case when not has_theory_of_change then 1 end) as without_theory_of_change
    from opportunities
),

theories as (
    select * from per_center
    union all
    select * from all_centers
)

select * from theories
