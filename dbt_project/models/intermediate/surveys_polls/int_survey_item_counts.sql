{#- Per cohort and survey wave (every cohort, both waves): responses submitted on or before the
    as-of date and, per item, how many answered it and how many gave the favourable answer.
    An empty item is item non-response: it leaves that item's denominator only. Likert items are
    favourable at 4 or 5. -#}
{%- set likert_items = ['knowledge_gain', 'relevance', 'within_state_connections', 'across_state_connections'] -%}
{%- set yes_items = ['disseminated', 'continue_implementing', 'practice_change', 'policy_change', 'systems_change', 'followup_interest'] -%}
{%- set barriers = ['time', 'turnover', 'lead_agency_buyin', 'legislative', 'cost', 'conflicting_policy', 'readiness', 'other'] -%}
with

responses as (
    select * from {{ ref('stg_surveys__responses') }}
),

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

waves as (
    select 'midpoint' as wave
    union all
    select 'six_month' as wave
),

cohort_waves as (
    select
        calendar.cohort_id,
        waves.wave
    from calendar
    cross join waves
),

responses_until_as_of as (
    select
        responses.*,
        participation.grantee_id as participating_grantee_id
    from responses
    left join participation
        on responses.cohort_id = participation.cohort_id
        and responses.grantee_id = participation.grantee_id
        and participation.is_participating
    where cast(responses.submitted_at as date) <= {{ plcqi.as_of_date() }}
),

item_counts as (
    select
        cohort_id,
        wave,
        count(*) as responses,
        count(distinct grantee_id) as responding_grantees,
        count(distinct participating_grantee_id) as responding_participating_grantees,
        {%- for item in likert_items %}
        count({{ item }}) as {{ item }}_answered,
        count(case when {{ item }} >= 4 then 1 end) as {{ item }}_favorable,
        {%- endfor %}
        {%- for item in yes_items %}
        count({{ item }}) as {{ item }}_answered,
        count(case when {{ item }} = 'yes' then 1 end) as {{ item }}_yes,
        {%- endfor %}
        count(action_plan_status) as action_plan_answered,
        count(case when action_plan_status in ('complete', 'implementing') then 1 end)
            as action_plan_favorable,
        count(case when practice_change is not null or policy_change is not null then 1 end)
            as practice_or_policy_change_answered,
        count(case when practice_change = 'yes' or policy_change = 'yes' then 1 end)
            as practice_or_policy_change_yes,
        {%- for barrier in barriers %}
        count(case when ';' || barriers || ';' like '%;{{ barrier }};%' then 1 end)
            as barrier_{{ barrier }}_mentioned,
        {%- endfor %}
        count(barriers) as barriers_answered
    from responses_until_as_of
    group by cohort_id, wave
),

cohort_wave_counts as (
    select
        cohort_waves.cohort_id,
        cohort_waves.wave,
        coalesce(item_counts.responses, 0) as responses,
        coalesce(item_counts.responding_grantees, 0) as responding_grantees,
        coalesce(item_counts.responding_participating_grantees, 0)
            as responding_participating_grantees,
        {%- for item in likert_items %}
        coalesce(item_counts.{{ item }}_answered, 0) as {{ item }}_answered,
        coalesce(item_counts.{{ item }}_favorable, 0) as {{ item }}_favorable,
        {%- endfor %}
        {%- for item in yes_items %}
        coalesce(item_counts.{{ item }}_answered, 0) as {{ item }}_answered,
        coalesce(item_counts.{{ item }}_yes, 0) as {{ item }}_yes,
        {%- endfor %}
        coalesce(item_counts.action_plan_answered, 0) as action_plan_answered,
        coalesce(item_counts.action_plan_favorable, 0) as action_plan_favorable,
        coalesce(item_counts.practice_or_policy_change_answered, 0)
            as practice_or_policy_change_answered,
        coalesce(item_counts.practice_or_policy_change_yes, 0) as practice_or_policy_change_yes,
        {%- for barrier in barriers %}
        coalesce(item_counts.barrier_{{ barrier }}_mentioned, 0) as barrier_{{ barrier }}_mentioned,
        {%- endfor %}
        coalesce(item_counts.barriers_answered, 0) as barriers_answered
    from cohort_waves
    left join item_counts
        on cohort_waves.cohort_id = item_counts.cohort_id
        and cohort_waves.wave = item_counts.wave
)

select * from cohort_wave_counts
