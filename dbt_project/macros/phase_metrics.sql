{#- The phase metrics of METRICS.md, in contract order (plcqi.contract.METRIC_KEYS).
    kind: rate = numerator / denominator (null when the denominator is 0);
          count / flag = the figure itself, in numerator and value;
          days = a number of days in value (max_gap_days: no numerator or denominator;
                 median_days_to_followup: denominator = the grantees it is the median of);
          difference = a difference of two rates (denominator = participating grantees). -#}
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
    m__numerator, m__denominator and m__value: one row per (cohort, metric). -#}
{% macro unpivot_phase_metrics(wide_cte, phase_number) -%}
    {%- for metric in phase_metric_keys(phase_number) %}
    select
        cohort_id,
        {{ phase_number }} as phase_number,
        cast('{{ metric }}' as varchar) as metric,
        cast({{ metric }}__numerator as bigint) as numerator,
        cast({{ metric }}__denominator as bigint) as denominator,
        cast({{ metric }}__value as {{ plcqi.type_double() }}) as value
    from {{ wide_cte }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
