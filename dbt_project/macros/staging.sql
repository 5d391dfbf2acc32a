{#- Staging helpers: row selection only (which raw rows are current), never business logic. -#}

{#- The rows of a reference snapshot's latest raw file (greatest file name = last loaded),
    without exact duplicate rows. Raw file names (`<loaded_at>__<hash16>.parquet`) sort in load
    order; on DuckDB `filename` is the full path, but all files of a dataset share the folder. -#}
{% macro latest_snapshot_rows(source_cte, content_columns) -%}
    select *
    from (
        select
            *,
            max(filename) over () as latest_filename,
            row_number() over (
                partition by filename, {{ content_columns | join(', ') }}
                order by _row
            ) as copy_number
        from {{ source_cte }}
    ) as numbered
    where filename = latest_filename
        and copy_number = 1
{%- endmacro %}

{#- Event rows without the copies a later export repeats. Identical rows inside one file are
    kept (two anonymous respondents may give the same answer): the n-th identical row of a file
    is a duplicate of the n-th identical row of an earlier file. -#}
{% macro rows_without_export_duplicates(source_cte, content_columns) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by occurrence_in_file, {{ content_columns | join(', ') }}
                order by _loaded_at, filename, _row
            ) as copy_number
        from (
            select
                *,
                row_number() over (
                    partition by filename, {{ content_columns | join(', ') }}
                    order by _row
                ) as occurrence_in_file
            from {{ source_cte }}
        ) as numbered_in_file
    ) as numbered
    where copy_number = 1
{%- endmacro %}

{#- Keyed event rows: one row per key, the first loaded (extraction quarantines a later row
    whose key repeats with other content, so the rows dropped here are identical copies, also
    inside one file, where rows_without_export_duplicates would keep them). -#}
{% macro first_row_per_key(source_cte, key_columns) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _loaded_at, filename, _row
            ) as key_copy_number
        from {{ source_cte }}
    ) as numbered
    where key_copy_number = 1
{%- endmacro %}
