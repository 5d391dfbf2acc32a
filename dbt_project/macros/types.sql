{#- An 8-byte float on every target (dbt's type_float() is a 4-byte REAL on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'plcqi')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}
