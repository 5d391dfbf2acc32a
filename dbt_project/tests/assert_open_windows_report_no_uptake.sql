{#- Right-censoring: a follow-up window that is not complete never carries an uptake figure. -#}
with

uptake as (
    select * from {{ ref('fct_followup_uptake') }}
),

phase_metrics as (
    select * from {{ ref('fct_phase_metrics') }}
),

cohorts as (
    select * from {{ ref('dim_cohorts') }}
),

open_rows_with_uptake as (
    select cohort_id, grantee_id as subject
    from uptake
    where not window_complete
        and (
            took_up_related is not null
            or took_up_any is not null
            or requests_after_related is not null
            or requests_after_any is not null
            or first_followup_on is not null
        )
),

open_cohorts_with_uptake as (
    select phase_metrics.cohort_id, phase_metrics.metric as subject
    from phase_metrics
    inner join cohorts
        on phase_metrics.cohort_id = cohorts.cohort_id
    where not cohorts.window_complete
        and phase_metrics.metric in (
            'followup_uptake_rate', 'followup_baseline_rate', 'followup_lift',
            'median_days_to_followup'
        )
        and phase_metrics.value is not null
),

violations as (
    select * from open_rows_with_uptake
    union all
    select * from open_cohorts_with_uptake
)

select * from violations
