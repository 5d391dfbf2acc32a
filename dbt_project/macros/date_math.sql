{#- Portable date arithmetic. Dates only (never timestamps), so both targets return a date or an
    integer number of days. -#}

{% macro add_days(date_expr, days) -%}
    {{ return(adapter.dispatch('add_days', 'plcqi')(date_expr, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{% macro duckdb__add_days(date_expr, days) -%}
    cast(cast({{ date_expr }} as date) + cast({{ days }} as integer) as date)
{%- endmacro %}

{% macro postgres__add_days(date_expr, days) -%}
    cast(cast({{ date_expr }} as date) + cast({{ days }} as integer) as date)
{%- endmacro %}

{#- Whole days from start_date to end_date (end - start), as an integer. -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'plcqi')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    cast({{ dbt.datediff('cast(' ~ start_date ~ ' as date)', 'cast(' ~ end_date ~ ' as date)', 'day') }} as integer)
{%- endmacro %}

{% macro postgres__days_between(start_date, end_date) -%}
    cast(cast({{ end_date }} as date) - cast({{ start_date }} as date) as integer)
{%- endmacro %}

{#- Seconds from start_ts to end_ts (end - start), as a double; microseconds kept. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'plcqi')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    cast(extract(epoch from ({{ end_ts }} - {{ start_ts }})) as {{ plcqi.type_double() }})
{%- endmacro %}

{% macro duckdb__seconds_between(start_ts, end_ts) -%}
    cast(date_diff('microsecond', {{ start_ts }}, {{ end_ts }}) as double) / 1000000
{%- endmacro %}

{#- The first day of the date's calendar quarter, as a date. -#}
{% macro quarter_start(date_expr) -%}
    cast({{ dbt.date_trunc('quarter', date_expr) }} as date)
{%- endmacro %}

{#- 'YYYY-Qn' of a date (null for null). -#}
{% macro quarter_label(date_expr) -%}
    case
        when {{ date_expr }} is not null
            then cast(cast(extract(year from {{ date_expr }}) as integer) as varchar)
                || '-Q'
                || cast(cast(extract(quarter from {{ date_expr }}) as integer) as varchar)
    end
{%- endmacro %}
