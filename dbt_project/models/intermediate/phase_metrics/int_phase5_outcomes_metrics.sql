{#- Phase 5, outcomes, from the survey item counts: each rate is favourable answers over the
    responses answering that item (item non-response leaves the denominator). Null while a wave
    has no answers. -#}
{%- set rates = [
    ('knowledge_gain_rate_midpoint', 'midpoint', 'knowledge_gain_favorable', 'knowledge_gain_answered'),
    ('knowledge_gain_rate_six_month', 'six_month', 'knowledge_gain_favorable', 'knowledge_gain_answered'),
    ('dissemination_rate', 'six_month', 'disseminated_yes', 'disseminated_answered'),
    ('action_plan_rate', 'six_month', 'action_plan_favorable', 'action_plan_answered'),
    ('continue_implementing_rate', 'six_month', 'continue_implementing_yes', 'continue_implementing_answered'),
    ('practice_or_policy_change_rate', 'six_month', 'practice_or_policy_change_yes', 'practice_or_policy_change_answered'),
    ('systems_change_rate', 'six_month', 'systems_change_yes', 'systems_change_answered'),
] -%}
with

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

survey_items as (
    select * from {{ ref('int_survey_item_counts') }}
),

midpoint as (
    select *
    from survey_items
    where wave = 'midpoint'
),

six_month as (
    select *
    from survey_items
    where wave = 'six_month'
),

wide as (
    select
        calendar.cohort_id,
        {%- for metric, wave, numerator, denominator in rates %}
        coalesce({{ wave }}.{{ numerator }}, 0) as {{ metric }}__numerator,
        coalesce({{ wave }}.{{ denominator }}, 0) as {{ metric }}__denominator,
        {{ plcqi.safe_rate(wave ~ '.' ~ numerator, wave ~ '.' ~ denominator) }}
            as {{ metric }}__value{{ ',' if not loop.last }}
        {%- endfor %}
    from calendar
    left join midpoint
        on calendar.cohort_id = midpoint.cohort_id
    left join six_month
        on calendar.cohort_id = six_month.cohort_id
),

metrics as (
    {{ plcqi.unpivot_phase_metrics('wide', 5) }}
)

select * from metrics
