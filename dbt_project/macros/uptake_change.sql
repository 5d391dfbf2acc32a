{#- "Is uptake rising?" (METRICS.md, agg_uptake_change), defined once for agg_uptake_change and
    the rpt_uptake_* marts.

    uptake_periods(): the recent period = the four calendar quarters ending with the latest
    quarter whose last day + followup_window_days (182) is on or before the as-of date (every
    window of it is complete); the earlier period = the four quarters before those. Computed
    from the as-of date at compile time (the same on every target); returns a dict of ISO
    dates (first days of quarters) and 'YYYY-Qn' labels:
    recent_from_on, recent_to_on, earlier_from_on, earlier_to_on, recent_from_quarter,
    recent_to_quarter, earlier_from_quarter, earlier_to_quarter.
    As of 2026-06-30: 2026-06-30 - 182 days = 2025-12-30, before 2025-Q4's last day, so the
    recent period is 2024-Q4..2025-Q3 and the earlier one 2023-Q4..2024-Q3. -#}
{% macro _quarter_of_index(index) -%}
    {%- set year = (index // 4) -%}
    {%- set quarter = index % 4 -%}
    {{- return({'on': modules.datetime.date(year, 3 * quarter + 1, 1).isoformat(),
                'label': year ~ '-Q' ~ (quarter + 1)}) -}}
{%- endmacro %}

{% macro uptake_periods() -%}
    {%- set dt = modules.datetime -%}
    {%- set as_of = dt.date.fromisoformat(plcqi.as_of_date_string()) -%}
    {%- set last_allowed = as_of - dt.timedelta(days=var('followup_window_days') | int) -%}
    {%- set index = last_allowed.year * 4 + (last_allowed.month - 1) // 3 -%}
    {%- set next_start = plcqi._quarter_of_index(index + 1)['on'] -%}
    {%- set quarter_end = dt.date.fromisoformat(next_start) - dt.timedelta(days=1) -%}
    {%- set latest = index if quarter_end <= last_allowed else index - 1 -%}
    {%- set r_from = plcqi._quarter_of_index(latest - 3) -%}
    {%- set r_to = plcqi._quarter_of_index(latest) -%}
    {%- set e_from = plcqi._quarter_of_index(latest - 7) -%}
    {%- set e_to = plcqi._quarter_of_index(latest - 4) -%}
    {{- return({'recent_from_on': r_from['on'], 'recent_to_on': r_to['on'],
                'earlier_from_on': e_from['on'], 'earlier_to_on': e_to['on'],
                'recent_from_quarter': r_from['label'], 'recent_to_quarter': r_to['label'],
                'earlier_from_quarter': e_from['label'], 'earlier_to_quarter': e_to['label']}) -}}
{%- endmacro %}

{#- 'recent', 'earlier' or null: the period of a quarter's first day (a SQL expression). -#}
{% macro uptake_period_of(quarter_start_expr) -%}
    {%- set p = plcqi.uptake_periods() -%}
    case
        when {{ quarter_start_expr }} between cast('{{ p.recent_from_on }}' as date)
            and cast('{{ p.recent_to_on }}' as date) then 'recent'
        when {{ quarter_start_expr }} between cast('{{ p.earlier_from_on }}' as date)
            and cast('{{ p.earlier_to_on }}' as date) then 'earlier'
    end
{%- endmacro %}

{#- The verdict: 'rising' when the Newcombe interval of recent - earlier is above 0, 'falling'
    when below, else 'no clear change'; null when either period has fewer than
    var('min_cell_size') grantee-cohorts. Arguments: SQL expressions (counts, interval ends). -#}
{% macro uptake_direction(recent_n, earlier_n, change_low, change_high) -%}
    case
        when coalesce({{ recent_n }}, 0) < {{ var('min_cell_size') }}
            or coalesce({{ earlier_n }}, 0) < {{ var('min_cell_size') }} then null
        when {{ change_low }} > 0 then 'rising'
        when {{ change_high }} < 0 then 'falling'
        else 'no clear change'
    end
{%- endmacro %}

{#- The segments of the rpt_uptake_* marts: (segment, the SQL expression of its value over a
    row holding center_id, opportunity_format, intended_outcome, acf_region, grantee_type).
    A missing value is 'unknown'. -#}
{% macro uptake_segments() -%}
    {{- return([
        ('all', "'ALL'"),
        ('center', "coalesce(center_id, 'unknown')"),
        ('opportunity_format', "coalesce(opportunity_format, 'unknown')"),
        ('intended_outcome', "coalesce(intended_outcome, 'unknown')"),
        ('acf_region', "coalesce(cast(acf_region as varchar), 'unknown')"),
        ('grantee_type', "coalesce(grantee_type, 'unknown')"),
    ]) -}}
{%- endmacro %}

{#- Every row of the CTE `relation` once per segment: segment, segment_value, then `columns`. -#}
{% macro uptake_segmented(relation, columns) -%}
    {%- for segment, value in plcqi.uptake_segments() %}
    {% if not loop.first %}union all{% endif %}
    select
        '{{ segment }}' as segment,
        {{ value }} as segment_value,
        {{ columns | join(', ') }}
    from {{ relation }}
    {%- endfor %}
{%- endmacro %}
