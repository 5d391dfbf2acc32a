{#- One row per (center, calendar quarter of cohort_end_on). Uptake figures cover complete
    windows only; grantee-cohorts whose window is still open are counted apart (ongoing cohorts
    have no end, so they fall in the row whose quarter is null). The rates are pooled: the
    baseline sums the baseline grantees (baseline_grantees) and those that took up
    (baseline_took_up) over the quarter's cohorts with complete windows, baseline_rate = their
    ratio. uptake_ci_*: Wilson interval of took_up_related_rate; lift_ci_*: Newcombe interval
    of uptake_lift (uptake vs baseline). -#}
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
        cast(sum(baseline.baseline_grantees) as bigint) as baseline_grantees,
        cast(sum(baseline.baseline_took_up_related) as bigint) as baseline_took_up
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
        coalesce(baseline_per_quarter.baseline_grantees, 0) as baseline_grantees,
        coalesce(baseline_per_quarter.baseline_took_up, 0) as baseline_took_up,
        uptake_per_quarter.median_days_to_first_followup,
        uptake_per_quarter.open_window_grantee_cohorts
    from uptake_per_quarter
    left join baseline_per_quarter
        on uptake_per_quarter.center_id = baseline_per_quarter.center_id
        and uptake_per_quarter.quarter_start_on = baseline_per_quarter.quarter_start_on
),

rates as (
    select
        *,
        {{ plcqi.safe_rate('baseline_took_up', 'baseline_grantees') }} as baseline_rate
    from quarters_joined
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
        {{ plcqi.wilson_low('took_up_related', 'participating_grantee_cohorts') }}
            as uptake_ci_low,
        {{ plcqi.wilson_high('took_up_related', 'participating_grantee_cohorts') }}
            as uptake_ci_high,
        baseline_grantees,
        baseline_took_up,
        baseline_rate,
        took_up_related_rate - baseline_rate as uptake_lift,
        {{ plcqi.newcombe_low(
            'took_up_related', 'participating_grantee_cohorts', 'baseline_took_up', 'baseline_grantees'
        ) }} as lift_ci_low,
        {{ plcqi.newcombe_high(
            'took_up_related', 'participating_grantee_cohorts', 'baseline_took_up', 'baseline_grantees'
        ) }} as lift_ci_high,
        median_days_to_first_followup,
        open_window_grantee_cohorts
    from rates
)

select * from trend
