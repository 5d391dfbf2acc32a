{#- Use the folder's custom schema (staging, intermediate, marts) as is, without the target's
    schema as a prefix, so the marts land in schema `marts` on every target.

    A Postgres build writes new schemas beside the current ones, `marts__build_cli` and so on,
    which plcqi then renames onto the current ones in one transaction
    (plcqi.transform.builds, plcqi.transform.postgres.swap_schemas): the suffix comes from
    PLCQI_DBT_SCHEMA_SUFFIX, empty for a plain `dbt build` (and on DuckDB, where a build
    writes a new file instead). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ env_var('PLCQI_DBT_SCHEMA_SUFFIX', '') }}
    {%- endif -%}
{%- endmacro %}
