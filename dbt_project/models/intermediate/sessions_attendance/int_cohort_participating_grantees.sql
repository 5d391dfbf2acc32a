{#- One row per cohort: how many of its grantees participate (at least one participant attended
    at least one delivered session, see int_cohort_participation); 0 when none. The denominator
    of the per-grantee rates in phases 1, 4 and 6 and of the survey response rates. -#}
with

cohorts as (
    select * from {{ ref('stg_reference__cohorts') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

participating_per_cohort as (
    select
        cohort_id,
        count(*) as participating_grantees
    from participation
    where is_participating
    group by cohort_id
),

cohort_participating_grantees as (
    select
        cohorts.cohort_id,
        coalesce(participating_per_cohort.participating_grantees, 0) as participating_grantees
    from cohorts
    left join participating_per_cohort
        on cohorts.cohort_id = participating_per_cohort.cohort_id
)

select * from cohort_participating_grantees
