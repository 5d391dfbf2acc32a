with

opportunities as (
    select * from {{ ref('stg_reference__opportunities') }}
),

toc_targets as (
    select * from {{ ref('stg_reference__toc_targets') }}
),

cohorts as (
    select * from {{ ref('stg_reference__cohorts') }}
),

targets_per_opportunity as (
    select
        opportunity_id,
        count(*) as toc_targets
    from toc_targets
    group by opportunity_id
),

cohorts_per_opportunity as (
    select
        opportunity_id,
        count(*) as cohorts
    from cohorts
    group by opportunity_id
),

opportunities_joined as (
    select
        opportunities.opportunity_id,
        opportunities.opportunity_title,
        opportunities.center_id,
        opportunities.partner_center_ids,
        opportunities.opportunity_format,
        opportunities.topic,
        opportunities.intended_outcome,
        opportunities.ta_type,
        opportunities.participation_mode,
        opportunities.attendance_expectation,
        opportunities.planned_sessions,
        opportunities.start_on,
        opportunities.end_on,
        opportunities.is_ongoing,
        opportunities.followup_offered,
        coalesce(targets_per_opportunity.toc_targets, 0) > 0 as has_theory_of_change,
        coalesce(targets_per_opportunity.toc_targets, 0) as toc_targets,
        coalesce(cohorts_per_opportunity.cohorts, 0) as cohorts
    from opportunities
    left join targets_per_opportunity
        on opportunities.opportunity_id = targets_per_opportunity.opportunity_id
    left join cohorts_per_opportunity
        on opportunities.opportunity_id = cohorts_per_opportunity.opportunity_id
)

select * from opportunities_joined
