{#- Phase 2, exploration: does the opportunity have a theory of change (any toc_targets row),
    and how many grantees were invited (enrollments with invited_on on or before the as-of
    date). -#}
with

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

toc_targets as (
    select * from {{ ref('stg_reference__toc_targets') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

opportunities_with_targets as (
    select distinct opportunity_id
    from toc_targets
),

invitations as (
    select
        cohort_id,
        count(case when is_invited then 1 end) as invited_grantees
    from participation
    group by cohort_id
),

wide as (
    select
        calendar.cohort_id,
        case when opportunities_with_targets.opportunity_id is not null then 1 else 0 end
            as has_theory_of_change__numerator,
        cast(null as bigint) as has_theory_of_change__denominator,
        case when opportunities_with_targets.opportunity_id is not null then 1 else 0 end
            as has_theory_of_change__value,
        coalesce(invitations.invited_grantees, 0) as invited_grantees__numerator,
        cast(null as bigint) as invited_grantees__denominator,
        coalesce(invitations.invited_grantees, 0) as invited_grantees__value
    from calendar
    left join opportunities_with_targets
        on calendar.opportunity_id = opportunities_with_targets.opportunity_id
    left join invitations
        on calendar.cohort_id = invitations.cohort_id
),

metrics as (
    {{ plcqi.unpivot_phase_metrics('wide', 2) }}
)

select * from metrics
