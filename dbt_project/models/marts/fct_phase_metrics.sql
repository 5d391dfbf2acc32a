{#- One row per (cohort, metric) for all 27 metrics of METRICS.md, with the 95% interval of each
    rate (Wilson; Newcombe for followup_lift; from plcqi.unpivot_phase_metrics), held against the
    opportunity's own targets. target_met is null where there is no target or no value. -#}
{%- set phase_models = [
    'int_phase1_motivation_metrics',
    'int_phase2_exploration_metrics',
    'int_phase3_planning_metrics',
    'int_phase4_implementation_metrics',
    'int_phase5_outcomes_metrics',
    'int_phase6_feedback_metrics',
] -%}
with

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

toc_targets as (
    select * from {{ ref('stg_reference__toc_targets') }}
),

{% for phase_model in phase_models -%}
{{ phase_model }} as (
    select * from {{ ref(phase_model) }}
),

{% endfor -%}

metrics_unioned as (
    {%- for phase_model in phase_models %}
    select cohort_id, phase_number, metric, numerator, denominator, value, ci_low, ci_high
    from {{ phase_model }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

metrics_with_targets as (
    select
        calendar.opportunity_id,
        metrics_unioned.cohort_id,
        calendar.center_id,
        metrics_unioned.phase_number,
        case metrics_unioned.phase_number
            {%- for number, name in plcqi.phase_names().items() %}
            when {{ number }} then '{{ name }}'
            {%- endfor %}
        end as phase_name,
        metrics_unioned.metric,
        metrics_unioned.numerator,
        metrics_unioned.denominator,
        metrics_unioned.value,
        metrics_unioned.ci_low,
        metrics_unioned.ci_high,
        toc_targets.target_comparator,
        toc_targets.target_value,
        case
            when toc_targets.target_comparator = '>='
                then metrics_unioned.value >= toc_targets.target_value
            when toc_targets.target_comparator = '<='
                then metrics_unioned.value <= toc_targets.target_value
        end as target_met,
        calendar.as_of_date
    from metrics_unioned
    inner join calendar
        on metrics_unioned.cohort_id = calendar.cohort_id
    left join toc_targets
        on calendar.opportunity_id = toc_targets.opportunity_id
        and metrics_unioned.metric = toc_targets.metric
)

select * from metrics_with_targets
