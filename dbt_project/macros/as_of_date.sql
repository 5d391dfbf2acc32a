{#- The run's as-of date as an ISO string: var('as_of_date'), or the run's start date (UTC). -#}
{% macro as_of_date_string() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or (value | string | trim) in ('', 'None', 'null') -%}
        {{- run_started_at.strftime('%Y-%m-%d') -}}
    {%- else -%}
        {{- (value | string | trim)[:10] -}}
    {%- endif -%}
{%- endmacro %}

{#- The as-of date as a SQL date literal, the same on every target. -#}
{% macro as_of_date() -%}
    cast('{{ as_of_date_string() }}' as date)
{%- endmacro %}

{#- The report period that ends on the as-of date (a quarter): the previous period's as-of
    date is three months earlier, month end to month end (2026-06-30 -> 2026-03-31,
    2026-05-31 -> 2026-02-28, 2026-05-15 -> 2026-02-15); the period starts the day after it.
    Computed here once; reports read it from the marts (marts.rpt_report_period). -#}
{% macro _month_end(year, month) -%}
    {%- set dt = modules.datetime -%}
    {%- set nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1) -%}
    {{- return((nxt - dt.timedelta(days=1)).day) -}}
{%- endmacro %}

{% macro previous_as_of_date_string(iso=none) -%}
    {%- set dt = modules.datetime -%}
    {%- set d = dt.date.fromisoformat(iso or as_of_date_string()) -%}
    {%- set year = d.year if d.month > 3 else d.year - 1 -%}
    {%- set month = d.month - 3 if d.month > 3 else d.month + 9 -%}
    {%- set last = plcqi._month_end(year, month) -%}
    {%- set day = last if d.day == plcqi._month_end(d.year, d.month) else [d.day, last] | min -%}
    {{- dt.date(year, month, day).isoformat() -}}
{%- endmacro %}

{% macro previous_as_of_date(periods_back=1) -%}
    {%- set iso = namespace(value=as_of_date_string()) -%}
    {%- for _ in range(periods_back) -%}
        {%- set iso.value = plcqi.previous_as_of_date_string(iso.value) -%}
    {%- endfor -%}
    cast('{{ iso.value }}' as date)
{%- endmacro %}

{#- The first day of the report period ending on the as-of date (periods_back=0) or on the
    previous period's as-of date (periods_back=1). -#}
{% macro period_start_date(periods_back=0) -%}
    {{ plcqi.add_days(plcqi.previous_as_of_date(periods_back + 1), 1) }}
{%- endmacro %}
