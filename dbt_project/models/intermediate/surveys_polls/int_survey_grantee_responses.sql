{#- Per cohort and grantee with at least one survey response submitted on or before the as-of
    date: responses per wave, and knowledge_gain answered / favourable (4 or 5) over both waves,
    as fct_phase_metrics counts them per wave (an empty item leaves its denominator only). -#}
with

responses as (
    select * from {{ ref('stg_surveys__responses') }}
),

responses_until_as_of as (
    select
        cohort_id,
        grantee_id,
        wave,
        knowledge_gain
    from responses
    where cast(submitted_at as date) <= {{ plcqi.as_of_date() }}
),

grantee_responses as (
    select
        cohort_id,
        grantee_id,
        count(*) as responses,
        count(case when wave = 'midpoint' then 1 end) as midpoint_responses,
        count(case when wave = 'six_month' then 1 end) as six_month_responses,
        count(knowledge_gain) as knowledge_gain_answered,
        count(case when knowledge_gain >= 4 then 1 end) as knowledge_gain_favorable
    from responses_until_as_of
    group by cohort_id, grantee_id
)

select * from grantee_responses
