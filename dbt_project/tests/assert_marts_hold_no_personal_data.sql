{#- Participants appear in the marts only as counts: no participant or email key, no name or
    email, no free-text comments. Organisations' names (center_name, grantee_name) are fine. -#}
-- depends_on: {{ ref('dim_centers') }}
-- depends_on: {{ ref('dim_grantees') }}
-- depends_on: {{ ref('dim_opportunities') }}
-- depends_on: {{ ref('dim_cohorts') }}
-- depends_on: {{ ref('fct_attendance') }}
-- depends_on: {{ ref('fct_followup_uptake') }}
-- depends_on: {{ ref('agg_uptake_trend') }}
-- depends_on: {{ ref('fct_phase_metrics') }}
-- depends_on: {{ ref('fct_survey_outcomes') }}
-- depends_on: {{ ref('fct_poll_results') }}
-- depends_on: {{ ref('fct_ta_requests') }}
-- depends_on: {{ ref('fct_ta_plan_stages') }}
-- depends_on: {{ ref('agg_ta_needs_region_quarter') }}
-- depends_on: {{ ref('agg_ta_needs_region_trend') }}
-- depends_on: {{ ref('fct_grantee_profile') }}
-- depends_on: {{ ref('fct_grantee_cohorts') }}
select
    table_name,
    column_name
from information_schema.columns
where lower(table_schema) = 'marts'
    and (
        lower(column_name) like '%participant_key%'
        or lower(column_name) like '%email%'
        or lower(column_name) in ('full_name', 'participant_id', 'comments', 'response_text')
    )
