{#- Per (segment, segment_value) of rpt_uptake_segments: follow-up uptake over the recent
    period of agg_uptake_change (four quarters, every window complete), its baseline and lift,
    against the earlier period, with the same verdict (macros/uptake_change.sql), the change
    in whole points as the report shows it (from the two rounded rates), and the
    grantee-cohorts whose window is still open today (ongoing cohorts included). -#}
{%- set p = plcqi.uptake_periods() -%}
with

fct_followup_uptake as (
    select * from {{ ref('fct_followup_uptake') }}
),

dim_opportunities as (
    select * from {{ ref('dim_opportunities') }}
),

dim_grantees as (
    select * from {{ ref('dim_grantees') }}
),

segments as (
    select * from {{ ref('rpt_uptake_segments') }}
),

uptake as (
    select
        fct_followup_uptake.window_complete,
        fct_followup_uptake.center_id,
        dim_opportunities.opportunity_format,
        dim_opportunities.intended_outcome,
        dim_grantees.acf_region,
        dim_grantees.grantee_type
    from fct_followup_uptake
    left join dim_opportunities
        on fct_followup_uptake.opportunity_id = dim_opportunities.opportunity_id
    left join dim_grantees
        on fct_followup_uptake.grantee_id = dim_grantees.grantee_id
),

uptake_segmented as (
    {{ plcqi.uptake_segmented('uptake', ['window_complete']) }}
),

open_windows as (
    select segment, segment_value, count(*) as open_window_grantee_cohorts
    from uptake_segmented
    where not window_complete
    group by segment, segment_value
),

segment_values as (
    select distinct segment, segment_value from segments
),

periods as (
    select
        segment,
        segment_value,
        {{ plcqi.uptake_period_of('quarter_start_on') }} as period,
        cohorts,
        grantee_cohorts,
        took_up_related,
        baseline_grantees,
        baseline_took_up
    from segments
),

sums as (
    select
        segment_values.segment,
        segment_values.segment_value,
        cast(coalesce(sum(case when periods.period = 'recent' then periods.cohorts end), 0)
            as bigint) as cohorts,
        cast(coalesce(sum(case when periods.period = 'recent' then periods.grantee_cohorts end),
            0) as bigint) as grantee_cohorts,
        cast(coalesce(sum(case when periods.period = 'recent' then periods.took_up_related end),
            0) as bigint) as took_up_related,
        cast(coalesce(sum(case when periods.period = 'recent' then periods.baseline_grantees
            end), 0) as bigint) as baseline_grantees,
        cast(coalesce(sum(case when periods.period = 'recent' then periods.baseline_took_up
            end), 0) as bigint) as baseline_took_up,
        cast(coalesce(sum(case when periods.period = 'earlier' then periods.grantee_cohorts
            end), 0) as bigint) as earlier_grantee_cohorts,
        cast(coalesce(sum(case when periods.period = 'earlier' then periods.took_up_related
            end), 0) as bigint) as earlier_took_up_related
    from segment_values
    left join periods
        on segment_values.segment = periods.segment
        and segment_values.segment_value = periods.segment_value
    group by segment_values.segment, segment_values.segment_value
),

rates as (
    select
        sums.*,
        {{ plcqi.safe_rate('took_up_related', 'grantee_cohorts') }} as uptake_rate,
        {{ plcqi.safe_rate('baseline_took_up', 'baseline_grantees') }} as baseline_rate,
        {{ plcqi.safe_rate('earlier_took_up_related', 'earlier_grantee_cohorts') }}
            as earlier_rate,
        {{ plcqi.newcombe_low('took_up_related', 'grantee_cohorts',
                              'earlier_took_up_related', 'earlier_grantee_cohorts') }}
            as change_ci_low,
        {{ plcqi.newcombe_high('took_up_related', 'grantee_cohorts',
                               'earlier_took_up_related', 'earlier_grantee_cohorts') }}
            as change_ci_high
    from sums
),

totals as (
    select
        rates.segment,
        rates.segment_value,
        '{{ p.recent_from_quarter }}' as recent_from_quarter,
        '{{ p.recent_to_quarter }}' as recent_to_quarter,
        '{{ p.earlier_from_quarter }}' as earlier_from_quarter,
        '{{ p.earlier_to_quarter }}' as earlier_to_quarter,
        rates.cohorts,
        rates.grantee_cohorts,
        rates.took_up_related,
        rates.uptake_rate,
        {{ plcqi.wilson_low('rates.took_up_related', 'rates.grantee_cohorts') }}
            as uptake_ci_low,
        {{ plcqi.wilson_high('rates.took_up_related', 'rates.grantee_cohorts') }}
            as uptake_ci_high,
        rates.baseline_grantees,
        rates.baseline_took_up,
        rates.baseline_rate,
        {{ plcqi.wilson_low('rates.baseline_took_up', 'rates.baseline_grantees') }}
            as baseline_ci_low,
        {{ plcqi.wilson_high('rates.baseline_took_up', 'rates.baseline_grantees') }}
            as baseline_ci_high,
        rates.uptake_rate - rates.baseline_rate as lift,
        {{ plcqi.newcombe_low('rates.took_up_related', 'rates.grantee_cohorts',
                              'rates.baseline_took_up', 'rates.baseline_grantees') }}
            as lift_ci_low,
        {{ plcqi.newcombe_high('rates.took_up_related', 'rates.grantee_cohorts',
                               'rates.baseline_took_up', 'rates.baseline_grantees') }}
            as lift_ci_high,
        rates.grantee_cohorts < {{ var('min_cell_size') }} as is_small_group,
        rates.earlier_grantee_cohorts,
        rates.earlier_took_up_related,
        rates.earlier_rate,
        rates.uptake_rate - rates.earlier_rate as rate_change,
        rates.change_ci_low,
        rates.change_ci_high,
        {{ plcqi.uptake_direction('rates.grantee_cohorts', 'rates.earlier_grantee_cohorts',
                                  'rates.change_ci_low', 'rates.change_ci_high') }}
            as direction,
        cast({{ plcqi.percent_shown('rates.uptake_rate') }} as integer)
            - cast({{ plcqi.percent_shown('rates.earlier_rate') }} as integer) as change_points_shown,
        coalesce(open_windows.open_window_grantee_cohorts, 0) as open_window_grantee_cohorts
    from rates
    left join open_windows
        on rates.segment = open_windows.segment
        and rates.segment_value = open_windows.segment_value
)

select * from totals
