{#- Phase 6, feedback & evaluation. Survey response rates: distinct participating grantees with
    a response in the wave / participating grantees. Follow-up figures only for complete windows
    (all grantees of a cohort share its window): uptake = took_up_related / participating
    grantees; baseline = non-participants that took up / non-participants
    (int_followup_baseline); lift = uptake - baseline rate, with its Newcombe interval; median
    days among grantees that took up. While the window is open every follow-up figure is null
    (numerator and denominator too). -#}
with

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

participating as (
    select * from {{ ref('int_cohort_participating_grantees') }}
),

survey_items as (
    select * from {{ ref('int_survey_item_counts') }}
),

followup_windows as (
    select * from {{ ref('int_followup_windows') }}
),

baseline as (
    select * from {{ ref('int_followup_baseline') }}
),

survey_responders as (
    select
        cohort_id,
        max(case when wave = 'midpoint' then responding_participating_grantees end)
            as midpoint_responders,
        max(case when wave = 'six_month' then responding_participating_grantees end)
            as six_month_responders
    from survey_items
    group by cohort_id
),

uptake as (
    select
        cohort_id,
        count(*) as complete_grantees,
        count(case when took_up_related then 1 end) as took_up_related,
        {{ plcqi.median('case when took_up_related then days_to_first_followup end') }}
            as median_days_to_followup
    from followup_windows
    where window_complete
    group by cohort_id
),

counts_joined as (
    select
        calendar.cohort_id,
        calendar.is_window_complete,
        coalesce(participating.participating_grantees, 0) as participating_grantees,
        coalesce(survey_responders.midpoint_responders, 0) as midpoint_responders,
        coalesce(survey_responders.six_month_responders, 0) as six_month_responders,
        case
            when calendar.is_window_complete then coalesce(uptake.took_up_related, 0)
        end as took_up_related,
        case
            when calendar.is_window_complete then coalesce(uptake.complete_grantees, 0)
        end as complete_grantees,
        uptake.median_days_to_followup,
        baseline.baseline_took_up_related,
        baseline.baseline_grantees,
        baseline.baseline_rate
    from calendar
    left join participating
        on calendar.cohort_id = participating.cohort_id
    left join survey_responders
        on calendar.cohort_id = survey_responders.cohort_id
    left join uptake
        on calendar.cohort_id = uptake.cohort_id
    left join baseline
        on calendar.cohort_id = baseline.cohort_id
),

rates as (
    select
        *,
        {{ plcqi.safe_rate('took_up_related', 'complete_grantees') }} as followup_uptake_rate
    from counts_joined
),

wide as (
    select
        cohort_id,
        midpoint_responders as midpoint_response_rate__numerator,
        participating_grantees as midpoint_response_rate__denominator,
        {{ plcqi.safe_rate('midpoint_responders', 'participating_grantees') }}
            as midpoint_response_rate__value,
        six_month_responders as six_month_response_rate__numerator,
        participating_grantees as six_month_response_rate__denominator,
        {{ plcqi.safe_rate('six_month_responders', 'participating_grantees') }}
            as six_month_response_rate__value,
        took_up_related as followup_uptake_rate__numerator,
        complete_grantees as followup_uptake_rate__denominator,
        followup_uptake_rate as followup_uptake_rate__value,
        baseline_took_up_related as followup_baseline_rate__numerator,
        baseline_grantees as followup_baseline_rate__denominator,
        baseline_rate as followup_baseline_rate__value,
        cast(null as bigint) as followup_lift__numerator,
        complete_grantees as followup_lift__denominator,
        followup_uptake_rate - baseline_rate as followup_lift__value,
        {{ plcqi.newcombe_low(
            'took_up_related', 'complete_grantees', 'baseline_took_up_related', 'baseline_grantees'
        ) }} as followup_lift__ci_low,
        {{ plcqi.newcombe_high(
            'took_up_related', 'complete_grantees', 'baseline_took_up_related', 'baseline_grantees'
        ) }} as followup_lift__ci_high,
        cast(null as bigint) as median_days_to_followup__numerator,
        took_up_related as median_days_to_followup__denominator,
        median_days_to_followup as median_days_to_followup__value
    from rates
),

metrics as (
    {{ plcqi.unpivot_phase_metrics('wide', 6) }}
)

select * from metrics
