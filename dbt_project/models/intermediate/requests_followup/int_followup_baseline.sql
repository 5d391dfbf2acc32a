{#- Per cohort, the follow-up baseline aggregated from int_followup_baseline_grantees (the
    non-participants of METRICS.md 1.1): how many there are and how many made a related request
    in the cohort's after-window (cohort_end_on, window_end_on]. Null while the window is not
    complete; the rate is null when there are no baseline grantees. -#}
with

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

baseline_grantees as (
    select * from {{ ref('int_followup_baseline_grantees') }}
),

baseline_per_cohort as (
    select
        cohort_id,
        count(*) as baseline_grantees,
        count(case when took_up_related then 1 end) as baseline_took_up_related
    from baseline_grantees
    group by cohort_id
),

baseline as (
    select
        calendar.cohort_id,
        calendar.opportunity_id,
        calendar.center_id,
        calendar.cohort_end_on,
        calendar.is_window_complete,
        case
            when calendar.is_window_complete
                then coalesce(baseline_per_cohort.baseline_grantees, 0)
        end as baseline_grantees,
        case
            when calendar.is_window_complete
                then coalesce(baseline_per_cohort.baseline_took_up_related, 0)
        end as baseline_took_up_related,
        {{ plcqi.safe_rate(
            'baseline_per_cohort.baseline_took_up_related', 'baseline_per_cohort.baseline_grantees'
        ) }} as baseline_rate
    from calendar
    left join baseline_per_cohort
        on calendar.cohort_id = baseline_per_cohort.cohort_id
)

select * from baseline
