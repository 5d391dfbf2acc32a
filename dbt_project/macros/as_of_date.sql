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
