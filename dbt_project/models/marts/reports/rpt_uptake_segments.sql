{#- Follow-up uptake per (segment, segment_value, calendar quarter of cohort_end_on), for the
    leadership report's charts on a continuous time axis. Segments (macros/uptake_change.sql):
    all, center, opportunity_format, intended_outcome, acf_region, grantee_type. Every segment
    value has a row for every quarter from the first to the last quarter holding a complete
    window (all segments together), so an empty quarter is a row with 0 grantee-cohorts and
    null rates (a gap), not a missing point.
    Complete windows only in the rates. The baseline pools the baseline grantees of the
    segment-quarter's cohorts (those with a complete-window grantee-cohort in it); for
    acf_region and grantee_type only the baseline grantees of that region or type. -#}
with

fct_followup_uptake as (
    select * from {{ ref('fct_followup_uptake') }}
),

dim_opportunities as (
    select * from {{ ref('dim_opportunities') }}
),

dim_grantees as (
    select * from {{ ref('dim_grantees') }}
),

baseline_grantees as (
    select * from {{ ref('int_followup_baseline_grantees') }}
),

uptake as (
    select
        fct_followup_uptake.cohort_id,
        fct_followup_uptake.grantee_id,
        fct_followup_uptake.window_complete,
        fct_followup_uptake.took_up_related,
        {{ plcqi.quarter_start('fct_followup_uptake.cohort_end_on') }} as quarter_start_on,
        fct_followup_uptake.center_id,
        dim_opportunities.opportunity_format,
        dim_opportunities.intended_outcome,
        dim_grantees.acf_region,
        dim_grantees.grantee_type
    from fct_followup_uptake
    left join dim_opportunities
        on fct_followup_uptake.opportunity_id = dim_opportunities.opportunity_id
    left join dim_grantees
        on fct_followup_uptake.grantee_id = dim_grantees.grantee_id
    where fct_followup_uptake.cohort_end_on is not null
),

baseline as (
    select
        baseline_grantees.cohort_id,
        baseline_grantees.grantee_id,
        baseline_grantees.took_up_related,
        baseline_grantees.center_id,
        dim_opportunities.opportunity_format,
        dim_opportunities.intended_outcome,
        dim_grantees.acf_region,
        baseline_grantees.grantee_type
    from baseline_grantees
    left join dim_opportunities
        on baseline_grantees.opportunity_id = dim_opportunities.opportunity_id
    left join dim_grantees
        on baseline_grantees.grantee_id = dim_grantees.grantee_id
),

uptake_segmented as (
    {{ plcqi.uptake_segmented('uptake', ['cohort_id', 'grantee_id', 'window_complete',
                                         'took_up_related', 'quarter_start_on']) }}
),

baseline_segmented as (
    {{ plcqi.uptake_segmented('baseline', ['cohort_id', 'grantee_id', 'took_up_related']) }}
),

bounds as (
    select
        min(quarter_start_on) as first_quarter_on,
        max(quarter_start_on) as last_quarter_on
    from uptake
    where window_complete
),

digits as (
    select n from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as d (n)
),

quarters as (
    select
        cast({{ dbt.dateadd('month', '3 * (tens.n * 10 + ones.n)', 'bounds.first_quarter_on') }}
            as date) as quarter_start_on
    from bounds
    cross join digits as tens
    cross join digits as ones
    where bounds.first_quarter_on is not null
        and cast({{ dbt.dateadd('month', '3 * (tens.n * 10 + ones.n)', 'bounds.first_quarter_on') }}
            as date) <= bounds.last_quarter_on
),

segment_values as (
    select distinct segment, segment_value
    from uptake_segmented
    where window_complete
),

spine as (
    select
        segment_values.segment,
        segment_values.segment_value,
        quarters.quarter_start_on
    from segment_values
    cross join quarters
),

uptake_per_quarter as (
    select
        segment,
        segment_value,
        quarter_start_on,
        count(distinct case when window_complete then cohort_id end) as cohorts,
        count(case when window_complete then 1 end) as grantee_cohorts,
        count(case when window_complete and took_up_related then 1 end) as took_up_related,
        count(case when not window_complete then 1 end) as open_window_grantee_cohorts
    from uptake_segmented
    group by segment, segment_value, quarter_start_on
),

segment_cohorts as (
    select distinct segment, segment_value, quarter_start_on, cohort_id
    from uptake_segmented
    where window_complete
),

-- Counted per cohort before the join: one row per (segment value, cohort) to join, not one
-- per baseline grantee (and Postgres plans the smaller join well).
baseline_per_cohort as (
    select
        segment,
        segment_value,
        cohort_id,
        count(*) as baseline_grantees,
        count(case when took_up_related then 1 end) as baseline_took_up
    from baseline_segmented
    group by segment, segment_value, cohort_id
),

baseline_per_quarter as (
    select
        segment_cohorts.segment,
        segment_cohorts.segment_value,
        segment_cohorts.quarter_start_on,
        cast(sum(baseline_per_cohort.baseline_grantees) as bigint) as baseline_grantees,
        cast(sum(baseline_per_cohort.baseline_took_up) as bigint) as baseline_took_up
    from segment_cohorts
    inner join baseline_per_cohort
        on segment_cohorts.segment = baseline_per_cohort.segment
        and segment_cohorts.segment_value = baseline_per_cohort.segment_value
        and segment_cohorts.cohort_id = baseline_per_cohort.cohort_id
    group by segment_cohorts.segment, segment_cohorts.segment_value,
        segment_cohorts.quarter_start_on
),

counts as (
    select
        spine.segment,
        spine.segment_value,
        spine.quarter_start_on,
        coalesce(uptake_per_quarter.cohorts, 0) as cohorts,
        coalesce(uptake_per_quarter.grantee_cohorts, 0) as grantee_cohorts,
        coalesce(uptake_per_quarter.took_up_related, 0) as took_up_related,
        coalesce(baseline_per_quarter.baseline_grantees, 0) as baseline_grantees,
        coalesce(baseline_per_quarter.baseline_took_up, 0) as baseline_took_up,
        coalesce(uptake_per_quarter.open_window_grantee_cohorts, 0)
            as open_window_grantee_cohorts
    from spine
    left join uptake_per_quarter
        on spine.segment = uptake_per_quarter.segment
        and spine.segment_value = uptake_per_quarter.segment_value
        and spine.quarter_start_on = uptake_per_quarter.quarter_start_on
    left join baseline_per_quarter
        on spine.segment = baseline_per_quarter.segment
        and spine.segment_value = baseline_per_quarter.segment_value
        and spine.quarter_start_on = baseline_per_quarter.quarter_start_on
),

segments as (
    select
        segment,
        segment_value,
        quarter_start_on,
        {{ plcqi.quarter_label('quarter_start_on') }} as quarter,
        cohorts,
        grantee_cohorts,
        took_up_related,
        {{ plcqi.safe_rate('took_up_related', 'grantee_cohorts') }} as uptake_rate,
        {{ plcqi.wilson_low('took_up_related', 'grantee_cohorts') }} as uptake_ci_low,
        {{ plcqi.wilson_high('took_up_related', 'grantee_cohorts') }} as uptake_ci_high,
        baseline_grantees,
        baseline_took_up,
        {{ plcqi.safe_rate('baseline_took_up', 'baseline_grantees') }} as baseline_rate,
        {{ plcqi.wilson_low('baseline_took_up', 'baseline_grantees') }} as baseline_ci_low,
        {{ plcqi.wilson_high('baseline_took_up', 'baseline_grantees') }} as baseline_ci_high,
        {{ plcqi.safe_rate('took_up_related', 'grantee_cohorts') }}
            - {{ plcqi.safe_rate('baseline_took_up', 'baseline_grantees') }} as lift,
        {{ plcqi.newcombe_low('took_up_related', 'grantee_cohorts',
                              'baseline_took_up', 'baseline_grantees') }} as lift_ci_low,
        {{ plcqi.newcombe_high('took_up_related', 'grantee_cohorts',
                               'baseline_took_up', 'baseline_grantees') }} as lift_ci_high,
        grantee_cohorts < {{ var('min_cell_size') }} as is_small_group,
        open_window_grantee_cohorts
    from counts
)

select * from segments
