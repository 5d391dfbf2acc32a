{#- agg_uptake_change as the leadership report words it: the center's name, the earlier
    period's quarters, and the rates and their change in whole percent as shown (each rate
    rounded as the report prints it, macros/report_figures.sql, the change the difference of
    the two), so "25% vs 14%,
    +11 pts" always adds up. -#}
{%- set p = plcqi.uptake_periods() -%}
with

change as (
    select * from {{ ref('agg_uptake_change') }}
),

centers as (
    select center_id, center_name from {{ ref('dim_centers') }}
),

worded as (
    select
        change.center_id,
        case when change.center_id = 'ALL' then 'All centers'
            else coalesce(centers.center_name, change.center_id) end as center_name,
        case when change.center_id = 'ALL' then 0 else 1 end as sort_order,
        change.recent_from_quarter,
        change.recent_to_quarter,
        '{{ p.earlier_from_quarter }}' as earlier_from_quarter,
        '{{ p.earlier_to_quarter }}' as earlier_to_quarter,
        change.recent_grantee_cohorts,
        change.recent_took_up_related,
        change.recent_rate,
        change.earlier_grantee_cohorts,
        change.earlier_took_up_related,
        change.earlier_rate,
        change.rate_change,
        change.change_ci_low,
        change.change_ci_high,
        change.direction,
        cast({{ plcqi.percent_shown('change.recent_rate') }} as integer) as recent_percent_shown,
        cast({{ plcqi.percent_shown('change.earlier_rate') }} as integer) as earlier_percent_shown,
        cast({{ plcqi.percent_shown('change.recent_rate') }} as integer)
            - cast({{ plcqi.percent_shown('change.earlier_rate') }} as integer) as change_points_shown
    from change
    left join centers
        on change.center_id = centers.center_id
)

select * from worded
