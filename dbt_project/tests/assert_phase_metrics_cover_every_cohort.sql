{#- fct_phase_metrics has exactly one row for every cohort x each metric of METRICS.md. -#}
with

cohorts as (
    select cohort_id from {{ ref('dim_cohorts') }}
),

metric_keys as (
    {%- for metric in plcqi.phase_metric_keys() %}
    select '{{ metric }}' as metric
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
),

expected as (
    select cohorts.cohort_id, metric_keys.metric
    from cohorts
    cross join metric_keys
),

actual as (
    select cohort_id, metric, count(*) as metric_rows
    from {{ ref('fct_phase_metrics') }}
    group by cohort_id, metric
),

mismatches as (
    select
        coalesce(expected.cohort_id, actual.cohort_id) as cohort_id,
        coalesce(expected.metric, actual.metric) as metric,
        actual.metric_rows
    from expected
    full outer join actual
        on expected.cohort_id = actual.cohort_id
        and expected.metric = actual.metric
    where expected.cohort_id is null
        or actual.cohort_id is null
        or actual.metric_rows <> 1
)

select * from mismatches
