{#- Use the folder's custom schema (staging, intermediate, marts) as is, without the target's
    schema as a prefix, so the marts land in schema `marts` on every target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
