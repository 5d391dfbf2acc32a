{#- One row per participating grantee of a cohort (fct_followup_uptake's rows): the cohort, the
    grantee's attendance of its delivered sessions (int_cohort_participation), whether it
    answered each survey wave and its follow-up window (fct_followup_uptake: after-window
    figures are null while the window is open). cohort_start_on is the first delivered
    session. -#}
with

uptake as (
    select * from {{ ref('fct_followup_uptake') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

opportunities as (
    select * from {{ ref('dim_opportunities') }}
),

survey_responses as (
    select * from {{ ref('int_survey_grantee_responses') }}
),

grantee_cohorts as (
    select
        uptake.grantee_id,
        uptake.opportunity_id,
        opportunities.opportunity_title as opportunity_name,
        opportunities.topic,
        uptake.cohort_id,
        uptake.center_id,
        calendar.first_delivered_on as cohort_start_on,
        uptake.cohort_end_on,
        participation.delivered_sessions as sessions_delivered,
        participation.sessions_attended,
        {{ plcqi.safe_rate('participation.sessions_attended', 'participation.delivered_sessions') }}
            as attendance_rate,
        coalesce(survey_responses.midpoint_responses, 0) > 0 as midpoint_responded,
        coalesce(survey_responses.six_month_responses, 0) > 0 as six_month_responded,
        uptake.window_end_on,
        uptake.window_complete,
        uptake.took_up_related,
        uptake.requests_after_related
    from uptake
    inner join participation
        on uptake.cohort_id = participation.cohort_id
        and uptake.grantee_id = participation.grantee_id
    inner join calendar
        on uptake.cohort_id = calendar.cohort_id
    left join opportunities
        on uptake.opportunity_id = opportunities.opportunity_id
    left join survey_responses
        on uptake.cohort_id = survey_responses.cohort_id
        and uptake.grantee_id = survey_responses.grantee_id
)

select * from grantee_cohorts
