{#- The phase metrics of the given kinds (see phase_metrics()), as a SQL list of string
    literals: e.g. in (...) over fct_phase_metrics.metric. -#}
{% macro phase_metric_keys_of_kind(kinds) -%}
    {%- set keys = [] -%}
    {%- for spec in plcqi.phase_metrics() if spec.kind in kinds -%}
        {%- do keys.append("'" ~ spec.metric ~ "'") -%}
    {%- endfor -%}
    {{- keys | join(', ') -}}
{%- endmacro %}

{#- A rate as the reports show it: whole percent, halves rounded up (floor(100 x + 0.5)), the
    same rule as plcqi.publish.cells.pct, so a change computed here agrees with the figures
    printed (round() differs between targets on ties). -#}
{% macro percent_shown(expr) -%}
    floor({{ expr }} * 100 + 0.5)
{%- endmacro %}
