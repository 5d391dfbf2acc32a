{#- Barriers named in the six-month survey, one row per cohort x barrier: responses answering
    the barriers item, those naming the barrier, and their share with its Wilson interval.
    Counts of people: a report suppresses mentions below min_cell_size and shows a share only
    with at least min_cell_size answering. -#}
{%- set barriers = ['time', 'turnover', 'lead_agency_buyin', 'legislative', 'cost', 'conflicting_policy', 'readiness', 'other'] -%}
with

outcomes as (
    select * from {{ ref('fct_survey_outcomes') }}
    where wave = 'six_month'
),

barriers as (
    {%- for barrier in barriers %}
    select
        opportunity_id,
        cohort_id,
        center_id,
        '{{ barrier }}' as barrier,
        {{ loop.index }} as barrier_order,
        coalesce(barriers_answered, 0) as barriers_answered,
        coalesce(barrier_{{ barrier }}_mentioned, 0) as mentioned
    from outcomes
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

shares as (
    select
        opportunity_id,
        cohort_id,
        center_id,
        barrier,
        barrier_order,
        barriers_answered,
        mentioned,
        {{ plcqi.safe_rate('mentioned', 'barriers_answered') }} as mention_rate,
        {{ plcqi.wilson_low('mentioned', 'barriers_answered') }} as ci_low,
        {{ plcqi.wilson_high('mentioned', 'barriers_answered') }} as ci_high
    from barriers
)

select * from shares
