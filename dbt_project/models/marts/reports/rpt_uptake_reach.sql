{#- Reach per center (dim_centers) and for all centers ('ALL'): cohorts, invited and
    participating grantee-cohorts summed over the center's cohorts (a grantee in two cohorts
    counts twice), and participating / invited with its Wilson interval; no rate when more
    grantee-cohorts participated than were invited (open attendance: not a proportion). -#}
with

centers as (
    select center_id, center_name from {{ ref('dim_centers') }}
),

cohorts as (
    select center_id, invited_grantees, participating_grantees from {{ ref('dim_cohorts') }}
),

per_center as (
    select
        centers.center_id,
        centers.center_name,
        1 as sort_order,
        count(cohorts.center_id) as cohorts,
        cast(coalesce(sum(cohorts.invited_grantees), 0) as bigint) as invited_grantee_cohorts,
        cast(coalesce(sum(cohorts.participating_grantees), 0) as bigint)
            as participating_grantee_cohorts
    from centers
    left join cohorts
        on centers.center_id = cohorts.center_id
    group by centers.center_id, centers.center_name
),

all_centers as (
    select
        'ALL' as center_id,
        'All centers' as center_name,
        0 as sort_order,
        count(*) as cohorts,
        cast(coalesce(sum(invited_grantees), 0) as bigint) as invited_grantee_cohorts,
        cast(coalesce(sum(participating_grantees), 0) as bigint)
            as participating_grantee_cohorts
    from cohorts
),

counts as (
    select * from per_center
    union all
    select * from all_centers
),

reach as (
    select
        center_id,
        center_name,
        sort_order,
        cohorts,
        invited_grantee_cohorts,
        participating_grantee_cohorts,
        case when participating_grantee_cohorts <= invited_grantee_cohorts then
            {{ plcqi.safe_rate('participating_grantee_cohorts', 'invited_grantee_cohorts') }}
        end as reach_rate,
        case when participating_grantee_cohorts <= invited_grantee_cohorts then
            {{ plcqi.wilson_low('participating_grantee_cohorts', 'invited_grantee_cohorts') }}
        end as reach_ci_low,
        case when participating_grantee_cohorts <= invited_grantee_cohorts then
            {{ plcqi.wilson_high('participating_grantee_cohorts', 'invited_grantee_cohorts') }}
        end as reach_ci_high
    from counts
)

select * from reach
