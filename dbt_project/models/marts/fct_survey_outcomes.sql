{#- Per cohort and wave (every cohort, both waves): responses and, per item, answered /
    favourable counts and their rate (likert items: 4 or 5; yes/no items: yes; action plan:
    complete or implementing; barriers: share of the responses naming each barrier). Free-text
    comments are not in the marts. -#}
{%- set items = [
    ('knowledge_gain', 'favorable'), ('relevance', 'favorable'),
    ('within_state_connections', 'favorable'), ('across_state_connections', 'favorable'),
    ('disseminated', 'yes'), ('action_plan', 'favorable'), ('continue_implementing', 'yes'),
    ('practice_change', 'yes'), ('policy_change', 'yes'), ('practice_or_policy_change', 'yes'),
    ('systems_change', 'yes'), ('followup_interest', 'yes'),
] -%}
{%- set barriers = ['time', 'turnover', 'lead_agency_buyin', 'legislative', 'cost', 'conflicting_policy', 'readiness', 'other'] -%}
with

survey_items as (
    select * from {{ ref('int_survey_item_counts') }}
),

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

participating as (
    select * from {{ ref('int_cohort_participating_grantees') }}
),

outcomes as (
    select
        calendar.opportunity_id,
        survey_items.cohort_id,
        calendar.center_id,
        survey_items.wave,
        survey_items.responses,
        survey_items.responding_grantees,
        survey_items.responding_participating_grantees,
        coalesce(participating.participating_grantees, 0) as participating_grantees,
        {{ plcqi.safe_rate('survey_items.responding_participating_grantees', 'participating.participating_grantees') }}
            as response_rate,
        {%- for item, answer in items %}
        survey_items.{{ item }}_answered,
        survey_items.{{ item }}_{{ answer }},
        {{ plcqi.safe_rate('survey_items.' ~ item ~ '_' ~ answer, 'survey_items.' ~ item ~ '_answered') }}
            as {{ item }}_rate,
        {%- endfor %}
        survey_items.barriers_answered,
        {%- for barrier in barriers %}
        survey_items.barrier_{{ barrier }}_mentioned,
        {{ plcqi.safe_rate('survey_items.barrier_' ~ barrier ~ '_mentioned', 'survey_items.barriers_answered') }}
            as barrier_{{ barrier }}_rate{{ ',' if not loop.last }}
        {%- endfor %}
    from survey_items
    inner join calendar
        on survey_items.cohort_id = calendar.cohort_id
    left join participating
        on survey_items.cohort_id = participating.cohort_id
)

select * from outcomes
