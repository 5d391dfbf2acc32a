{#- Is uptake rising? One row per center (dim_centers) plus center_id 'ALL' for all centers
    together: the related follow-up uptake of the grantee-cohorts whose cohort ended in the
    recent period against those of the earlier period (complete windows; periods: see
    macros/uptake_change.sql), the change with its Newcombe interval and the verdict. -#}
{%- set p = plcqi.uptake_periods() -%}
with

centers as (
    select center_id from {{ ref('dim_centers') }}
),

uptake as (
    select
        center_id,
        took_up_related,
        {{ plcqi.uptake_period_of(plcqi.quarter_start('cohort_end_on')) }} as period
    from {{ ref('fct_followup_uptake') }}
    where window_complete
),

per_center as (
    select
        center_id,
        count(case when period = 'recent' then 1 end) as recent_grantee_cohorts,
        count(case when period = 'recent' and took_up_related then 1 end)
            as recent_took_up_related,
        count(case when period = 'earlier' then 1 end) as earlier_grantee_cohorts,
        count(case when period = 'earlier' and took_up_related then 1 end)
            as earlier_took_up_related
    from uptake
    group by center_id
),

all_centers as (
    select
        'ALL' as center_id,
        count(case when period = 'recent' then 1 end) as recent_grantee_cohorts,
        count(case when period = 'recent' and took_up_related then 1 end)
            as recent_took_up_related,
        count(case when period = 'earlier' then 1 end) as earlier_grantee_cohorts,
        count(case when period = 'earlier' and took_up_related then 1 end)
            as earlier_took_up_related
    from uptake
),

counts as (
    select
        centers.center_id,
        coalesce(per_center.recent_grantee_cohorts, 0) as recent_grantee_cohorts,
        coalesce(per_center.recent_took_up_related, 0) as recent_took_up_related,
        coalesce(per_center.earlier_grantee_cohorts, 0) as earlier_grantee_cohorts,
        coalesce(per_center.earlier_took_up_related, 0) as earlier_took_up_related
    from centers
    left join per_center
        on centers.center_id = per_center.center_id

    union all

    select * from all_centers
),

rates as (
    select
        center_id,
        recent_grantee_cohorts,
        recent_took_up_related,
        {{ plcqi.safe_rate('recent_took_up_related', 'recent_grantee_cohorts') }} as recent_rate,
        earlier_grantee_cohorts,
        earlier_took_up_related,
        {{ plcqi.safe_rate('earlier_took_up_related', 'earlier_grantee_cohorts') }}
            as earlier_rate,
        {{ plcqi.newcombe_low('recent_took_up_related', 'recent_grantee_cohorts',
                              'earlier_took_up_related', 'earlier_grantee_cohorts') }}
            as change_ci_low,
        {{ plcqi.newcombe_high('recent_took_up_related', 'recent_grantee_cohorts',
                               'earlier_took_up_related', 'earlier_grantee_cohorts') }}
            as change_ci_high
    from counts
),

change as (
    select
        center_id,
        '{{ p.recent_from_quarter }}' as recent_from_quarter,
        '{{ p.recent_to_quarter }}' as recent_to_quarter,
        recent_grantee_cohorts,
        recent_took_up_related,
        recent_rate,
        earlier_grantee_cohorts,
        earlier_took_up_related,
        earlier_rate,
        recent_rate - earlier_rate as rate_change,
        change_ci_low,
        change_ci_high,
        {{ plcqi.uptake_direction('recent_grantee_cohorts', 'earlier_grantee_cohorts',
                                  'change_ci_low', 'change_ci_high') }} as direction
    from rates
)

select * from change
