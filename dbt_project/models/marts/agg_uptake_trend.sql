{#- One row per (center, calendar quarter of cohort_end_on). Uptake figures cover complete
    windows only; grantee-cohorts whose window is still open are counted apart (ongoing cohorts
    have no end, so they fall in the row whose quarter is null). The baseline rate pools the
    baseline grantee-cohorts of the quarter's cohorts with complete windows:
    sum(baseline took up) / sum(baseline grantees). -#}
with

uptake as (
    select * from {{ ref('fct_followup_uptake') }}
),

baseline as (
    select * from {{ ref('int_followup_baseline') }}
),

uptake_with_quarter as (
    select
        *,
        {{ plcqi.quarter_start('cohort_end_on') }} as quarter_start_on
    from uptake
),

uptake_per_quarter as (
    select
        center_id,
        quarter_start_on,
        count(case when window_complete then 1 end) as participating_grantee_cohorts,
        count(case when took_up_related then 1 end) as took_up_related,
        count(case when took_up_any then 1 end) as took_up_any,
        {{ plcqi.median('case when took_up_related then days_to_first_followup end') }}
            as median_days_to_first_followup,
        count(case when not window_complete then 1 end) as open_window_grantee_cohorts
    from uptake_with_quarter
    group by center_id, quarter_start_on
),

cohorts_with_complete_windows as (
    select distinct
        center_id,
        quarter_start_on,
        cohort_id
    from uptake_with_quarter
    where window_complete
),

baseline_per_quarter as (
    select
        cohorts_with_complete_windows.center_id,
        cohorts_with_complete_windows.quarter_start_on,
        cast(sum(baseline.baseline_grantees) as bigint) as baseline_grantee_cohorts,
        cast(sum(baseline.baseline_took_up_related) as bigint) as baseline_took_up_related
    from cohorts_with_complete_windows
    inner join baseline
        on cohorts_with_complete_windows.cohort_id = baseline.cohort_id
    group by
        cohorts_with_complete_windows.center_id,
        cohorts_with_complete_windows.quarter_start_on
),

quarters_joined as (
    select
        uptake_per_quarter.center_id,
        uptake_per_quarter.quarter_start_on,
        {{ plcqi.quarter_label('uptake_per_quarter.quarter_start_on') }} as quarter,
        uptake_per_quarter.participating_grantee_cohorts,
        uptake_per_quarter.took_up_related,
        uptake_per_quarter.took_up_any,
        {{ plcqi.safe_rate(
            'uptake_per_quarter.took_up_related', 'uptake_per_quarter.participating_grantee_cohorts'
        ) }} as took_up_related_rate,
        {{ plcqi.safe_rate(
            'uptake_per_quarter.took_up_any', 'uptake_per_quarter.participating_grantee_cohorts'
        ) }} as took_up_any_rate,
        coalesce(baseline_per_quarter.baseline_grantee_cohorts, 0) as baseline_grantee_cohorts,
        coalesce(baseline_per_quarter.baseline_took_up_related, 0) as baseline_took_up_related,
        {{ plcqi.safe_rate(
            'baseline_per_quarter.baseline_took_up_related',
            'baseline_per_quarter.baseline_grantee_cohorts'
        ) }} as baseline_rate,
        uptake_per_quarter.median_days_to_first_followup,
        uptake_per_quarter.open_window_grantee_cohorts
    from uptake_per_quarter
    left join baseline_per_quarter
        on uptake_per_quarter.center_id = baseline_per_quarter.center_id
        and uptake_per_quarter.quarter_start_on = baseline_per_quarter.quarter_start_on
),

trend as (
    select
        center_id,
        quarter,
        quarter_start_on,
        participating_grantee_cohorts,
        took_up_related,
        took_up_any,
        took_up_related_rate,
        took_up_any_rate,
        baseline_grantee_cohorts,
        baseline_took_up_related,
        baseline_rate,
        took_up_related_rate - baseline_rate as uptake_lift,
        median_days_to_first_followup,
        open_window_grantee_cohorts
    from quarters_joined
)

select * from trend
