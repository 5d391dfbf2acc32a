{#- The headline figures of the center reports (one scope per center) and of the leadership
    report (scope ALL), for the current report period and the previous one, from the counts
    of rpt_headline_counts (which says what each figure counts). Long form: one row per
    (center_id, figure, period); kind rate = numerator / denominator with its Wilson interval,
    difference = a lift (uptake - baseline, Newcombe interval), count = value (denominator:
    the total it is out of, where there is one). targets_met has no previous figure. -#}
with

report_period as (
    select * from {{ ref('rpt_report_period') }}
),

figures as (
    select * from {{ ref('rpt_headline_counts') }}
),

{%- set rates = [
    ('attendance_rate', 'attended', 'attendance_possible'),
    ('followup_uptake_rate', 'took_up', 'grantee_cohorts'),
    ('followup_baseline_rate', 'baseline_took_up', 'baseline_grantees'),
    ('targets_met', 'met', 'assessed'),
] %}
{%- set counts = [
    ('cohorts_active', 'cohorts_active', 'null'),
    ('grantees_reached', 'grantees_reached', 'grantees_total'),
    ('grantees_without_ta', 'grantees_without_ta', 'grantees_total'),
    ('open_window_grantee_cohorts', 'open_windows', 'null'),
    ('opportunities_with_toc', 'with_toc', 'opportunities'),
] %}

long as (
    {%- for figure, k, n in rates %}
    select
        center_id, cast('{{ figure }}' as varchar) as figure, cast('rate' as varchar) as kind,
        period, cutoff_on, period_start_on,
        cast({{ k }} as bigint) as numerator,
        cast({{ n }} as bigint) as denominator,
        {{ plcqi.safe_rate(k, n) }} as value,
        {{ plcqi.wilson_low(k, n) }} as ci_low,
        {{ plcqi.wilson_high(k, n) }} as ci_high
    from figures
    union all
    {%- endfor %}
    select
        center_id, cast('followup_lift' as varchar) as figure,
        cast('difference' as varchar) as kind,
        period, cutoff_on, period_start_on,
        cast(null as bigint) as numerator,
        cast(grantee_cohorts as bigint) as denominator,
        {{ plcqi.safe_rate('took_up', 'grantee_cohorts') }}
            - {{ plcqi.safe_rate('baseline_took_up', 'baseline_grantees') }} as value,
        {{ plcqi.newcombe_low('took_up', 'grantee_cohorts', 'baseline_took_up', 'baseline_grantees') }}
            as ci_low,
        {{ plcqi.newcombe_high('took_up', 'grantee_cohorts', 'baseline_took_up', 'baseline_grantees') }}
            as ci_high
    from figures
    {%- for figure, k, n in counts %}
    union all
    select
        center_id, cast('{{ figure }}' as varchar) as figure, cast('count' as varchar) as kind,
        period, cutoff_on, period_start_on,
        cast({{ k }} as bigint) as numerator,
        cast({{ n }} as bigint) as denominator,
        cast({{ k }} as {{ plcqi.type_double() }}) as value,
        cast(null as {{ plcqi.type_double() }}) as ci_low,
        cast(null as {{ plcqi.type_double() }}) as ci_high
    from figures
    {%- endfor %}
),

headlines as (
    select
        report_period.as_of_date,
        long.*
    from long
    cross join report_period
    where not (long.figure = 'targets_met' and long.period = 'previous')
)

select * from headlines
