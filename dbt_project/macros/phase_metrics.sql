{#- The phase metrics of METRICS.md, in contract order (plcqi.contract.METRIC_KEYS).
    kind: rate = numerator / denominator (null when the denominator is 0);
          count / flag = the figure itself, in numerator and value;
          days = a number of days in value (max_gap_days: no numerator or denominator;
                 median_days_to_followup: denominator = the grantees it is the median of);
          difference = a difference of two rates (denominator = participating grantees).
    ci_low / ci_high: the 95% Wilson interval of every rate (null when the denominator is 0, and
    when the numerator exceeds the denominator: sessions_delivered_rate and retention_rate are
    ratios that can pass 1, where no Wilson interval exists); for a difference the wide CTE
    gives m__ci_low and m__ci_high (followup_lift: Newcombe); null for counts, flags and days. -#}
{% macro phase_names() -%}
    {{ return({
        1: 'motivation',
        2: 'exploration',
        3: 'planning & preparation',
        4: 'implementation',
        5: 'outcomes',
        6: 'feedback & evaluation',
    }) }}
{%- endmacro %}

{% macro phase_metrics() -%}
    {{ return([
        {'metric': 'need_requests_12m', 'phase_number': 1, 'kind': 'count'},
        {'metric': 'need_matched_participation_rate', 'phase_number': 1, 'kind': 'rate'},
        {'metric': 'has_theory_of_change', 'phase_number': 2, 'kind': 'flag'},
        {'metric': 'invited_grantees', 'phase_number': 2, 'kind': 'count'},
        {'metric': 'registration_rate', 'phase_number': 3, 'kind': 'rate'},
        {'metric': 'intake_completion_rate', 'phase_number': 3, 'kind': 'rate'},
        {'metric': 'lead_agency_team_rate', 'phase_number': 3, 'kind': 'rate'},
        {'metric': 'prelaunch_activity', 'phase_number': 3, 'kind': 'flag'},
        {'metric': 'sessions_delivered_rate', 'phase_number': 4, 'kind': 'rate'},
        {'metric': 'attendance_rate', 'phase_number': 4, 'kind': 'rate'},
        {'metric': 'full_attendance_rate', 'phase_number': 4, 'kind': 'rate'},
        {'metric': 'retention_rate', 'phase_number': 4, 'kind': 'rate'},
        {'metric': 'max_gap_days', 'phase_number': 4, 'kind': 'days'},
        {'metric': 'poll_favorable_rate', 'phase_number': 4, 'kind': 'rate'},
        {'metric': 'knowledge_gain_rate_midpoint', 'phase_number': 5, 'kind': 'rate'},
        {'metric': 'knowledge_gain_rate_six_month', 'phase_number': 5, 'kind': 'rate'},
        {'metric': 'dissemination_rate', 'phase_number': 5, 'kind': 'rate'},
        {'metric': 'action_plan_rate', 'phase_number': 5, 'kind': 'rate'},
        {'metric': 'continue_implementing_rate', 'phase_number': 5, 'kind': 'rate'},
        {'metric': 'practice_or_policy_change_rate', 'phase_number': 5, 'kind': 'rate'},
        {'metric': 'systems_change_rate', 'phase_number': 5, 'kind': 'rate'},
        {'metric': 'midpoint_response_rate', 'phase_number': 6, 'kind': 'rate'},
        {'metric': 'six_month_response_rate', 'phase_number': 6, 'kind': 'rate'},
        {'metric': 'followup_uptake_rate', 'phase_number': 6, 'kind': 'rate'},
        {'metric': 'followup_baseline_rate', 'phase_number': 6, 'kind': 'rate'},
        {'metric': 'followup_lift', 'phase_number': 6, 'kind': 'difference'},
        {'metric': 'median_days_to_followup', 'phase_number': 6, 'kind': 'days'},
    ]) }}
{%- endmacro %}

{#- The metric keys of one phase (or all, when phase_number is none). -#}
{% macro phase_metric_keys(phase_number=none) -%}
    {%- set keys = [] -%}
    {%- for spec in phase_metrics() -%}
        {%- if phase_number is none or spec.phase_number == phase_number -%}
            {%- do keys.append(spec.metric) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{#- Long form of a wide per-cohort CTE that has, for each metric m of the phase, columns
    m__numerator, m__denominator and m__value (and m__ci_low, m__ci_high for a difference):
    one row per (cohort, metric), with the interval of each rate. -#}
{% macro unpivot_phase_metrics(wide_cte, phase_number) -%}
    {%- set dbl = plcqi.type_double() -%}
    {%- for spec in phase_metrics() if spec.phase_number == phase_number %}
    {%- set metric = spec.metric %}
    {%- set k = metric ~ '__numerator' %}
    {%- set n = metric ~ '__denominator' %}
    select
        cohort_id,
        {{ phase_number }} as phase_number,
        cast('{{ metric }}' as varchar) as metric,
        cast({{ k }} as bigint) as numerator,
        cast({{ n }} as bigint) as denominator,
        cast({{ metric }}__value as {{ dbl }}) as value,
        {%- if spec.kind == 'rate' %}
        case when {{ k }} <= {{ n }} then {{ plcqi.wilson_low(k, n) }} end as ci_low,
        case when {{ k }} <= {{ n }} then {{ plcqi.wilson_high(k, n) }} end as ci_high
        {%- elif spec.kind == 'difference' %}
        cast({{ metric }}__ci_low as {{ dbl }}) as ci_low,
        cast({{ metric }}__ci_high as {{ dbl }}) as ci_high
        {%- else %}
        cast(null as {{ dbl }}) as ci_low,
        cast(null as {{ dbl }}) as ci_high
        {%- endif %}
    from {{ wide_cte }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
