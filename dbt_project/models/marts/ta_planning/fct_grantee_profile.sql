{#- One row per grantee of dim_grantees: its TA as of the as-of date. Requests and plans from
    fct_ta_requests and fct_ta_plan_stages (withdrawn requests are only plans_withdrawn;
    plans_late: not withdrawn and late on intermediate or final); peer learning from
    fct_grantee_cohorts (participating grantee-cohorts; attendance_rate = sessions attended /
    sessions delivered over them, as phase 4's attendance_rate pools it); survey responses of
    the grantee (knowledge_gain_rate: answers 4 or 5 / answers, both waves); follow-up uptake
    over complete windows only. The period is rpt_report_period's (period_start_on through the
    as-of date): has_ta_in_period when a request was submitted or a delivered session attended
    in it. Grantees are public bodies: no figure is suppressed. -#}
with

grantees as (
    select * from {{ ref('dim_grantees') }}
),

report_period as (
    select * from {{ ref('rpt_report_period') }}
),

requests as (
    select * from {{ ref('fct_ta_requests') }}
),

plan_stages as (
    select * from {{ ref('fct_ta_plan_stages') }}
),

grantee_cohorts as (
    select * from {{ ref('fct_grantee_cohorts') }}
),

survey_responses as (
    select * from {{ ref('int_survey_grantee_responses') }}
),

grantee_sessions as (
    select * from {{ ref('int_grantee_session_attendance') }}
),

requests_per_grantee as (
    select
        requests.grantee_id,
        count(*) as requests,
        count(case when requests.submitted_on >= report_period.period_start_on then 1 end)
            as requests_in_period
    from requests
    cross join report_period
    where not requests.is_withdrawn
    group by requests.grantee_id
),

plans_per_grantee as (
    select
        grantee_id,
        count(case when is_plan_final then 1 end) as plans_final,
        count(case when is_open then 1 end) as plans_open,
        count(
            case
                when current_stage <> 'withdrawn'
                    and (coalesce(intermediate_late, false) or coalesce(final_late, false))
                    then 1
            end
        ) as plans_late,
        count(case when is_stalled then 1 end) as plans_stalled,
        count(case when current_stage = 'withdrawn' then 1 end) as plans_withdrawn
    from plan_stages
    group by grantee_id
),

cohorts_per_grantee as (
    select
        grantee_id,
        count(*) as cohorts_joined,
        sum(sessions_delivered) as sessions_delivered,
        sum(sessions_attended) as sessions_attended,
        count(case when window_complete then 1 end) as followup_windows_complete,
        count(case when took_up_related then 1 end) as followup_took_up
    from grantee_cohorts
    group by grantee_id
),

surveys_per_grantee as (
    select
        grantee_id,
        sum(responses) as survey_responses,
        sum(knowledge_gain_answered) as knowledge_gain_answered,
        sum(knowledge_gain_favorable) as knowledge_gain_favorable
    from survey_responses
    group by grantee_id
),

sessions_in_period as (
    select
        grantee_sessions.grantee_id,
        count(*) as sessions_attended_in_period
    from grantee_sessions
    cross join report_period
    where grantee_sessions.has_attended
        and grantee_sessions.session_on >= report_period.period_start_on
        and grantee_sessions.session_on <= report_period.as_of_date
    group by grantee_sessions.grantee_id
),

profile_joined as (
    select
        grantees.grantee_id,
        grantees.grantee_name,
        grantees.grantee_type,
        grantees.acf_region,
        coalesce(requests_per_grantee.requests, 0) as requests,
        coalesce(requests_per_grantee.requests_in_period, 0) as requests_in_period,
        coalesce(plans_per_grantee.plans_final, 0) as plans_final,
        coalesce(plans_per_grantee.plans_open, 0) as plans_open,
        coalesce(plans_per_grantee.plans_late, 0) as plans_late,
        coalesce(plans_per_grantee.plans_stalled, 0) as plans_stalled,
        coalesce(plans_per_grantee.plans_withdrawn, 0) as plans_withdrawn,
        coalesce(cohorts_per_grantee.cohorts_joined, 0) as cohorts_joined,
        coalesce(cohorts_per_grantee.sessions_attended, 0) as sessions_attended,
        coalesce(cohorts_per_grantee.sessions_delivered, 0) as sessions_delivered,
        coalesce(sessions_in_period.sessions_attended_in_period, 0) as sessions_attended_in_period,
        coalesce(surveys_per_grantee.survey_responses, 0) as survey_responses,
        coalesce(surveys_per_grantee.knowledge_gain_answered, 0) as knowledge_gain_answered,
        coalesce(surveys_per_grantee.knowledge_gain_favorable, 0) as knowledge_gain_favorable,
        coalesce(cohorts_per_grantee.followup_windows_complete, 0) as followup_windows_complete,
        coalesce(cohorts_per_grantee.followup_took_up, 0) as followup_took_up
    from grantees
    left join requests_per_grantee
        on grantees.grantee_id = requests_per_grantee.grantee_id
    left join plans_per_grantee
        on grantees.grantee_id = plans_per_grantee.grantee_id
    left join cohorts_per_grantee
        on grantees.grantee_id = cohorts_per_grantee.grantee_id
    left join surveys_per_grantee
        on grantees.grantee_id = surveys_per_grantee.grantee_id
    left join sessions_in_period
        on grantees.grantee_id = sessions_in_period.grantee_id
),

profile as (
    select
        grantee_id,
        grantee_name,
        grantee_type,
        acf_region,
        requests,
        requests_in_period,
        plans_final,
        plans_open,
        plans_late,
        plans_stalled,
        plans_withdrawn,
        cohorts_joined,
        sessions_attended,
        sessions_delivered,
        {{ plcqi.safe_rate('sessions_attended', 'sessions_delivered') }} as attendance_rate,
        sessions_attended_in_period,
        survey_responses,
        knowledge_gain_answered,
        {{ plcqi.safe_rate('knowledge_gain_favorable', 'knowledge_gain_answered') }}
            as knowledge_gain_rate,
        followup_windows_complete,
        followup_took_up,
        {{ plcqi.safe_rate('followup_took_up', 'followup_windows_complete') }}
            as followup_uptake_rate,
        requests_in_period > 0 or sessions_attended_in_period > 0 as has_ta_in_period,
        not (requests_in_period > 0 or sessions_attended_in_period > 0) as no_ta_in_period
    from profile_joined
)

select * from profile
