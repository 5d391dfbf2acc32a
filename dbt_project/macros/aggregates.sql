{#- The median of a numeric expression as a double: an ordered-set aggregate on Postgres,
    DuckDB's median() (same interpolation: the mean of the two middle values). -#}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'plcqi')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    cast(percentile_cont(0.5) within group (order by {{ expr }}) as {{ plcqi.type_double() }})
{%- endmacro %}

{% macro duckdb__median(expr) -%}
    cast(median({{ expr }}) as double)
{%- endmacro %}

{#- numerator / denominator as a double; null when the denominator is 0 or null (never an
    integer division). -#}
{% macro safe_rate(numerator, denominator) -%}
    (cast({{ numerator }} as {{ plcqi.type_double() }}) / nullif(cast({{ denominator }} as {{ plcqi.type_double() }}), 0))
{%- endmacro %}

