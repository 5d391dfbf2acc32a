with

cohorts as (
    select * from {{ ref('stg_reference__cohorts') }}
),

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

participation as (
    select * from {{ ref('int_cohort_participation') }}
),

participating as (
    select * from {{ ref('int_cohort_participating_grantees') }}
),

grantees_per_cohort as (
    select
        cohort_id,
        count(case when is_enrolled then 1 end) as enrolled_grantees,
        count(case when is_invited then 1 end) as invited_grantees,
        count(case when is_registered then 1 end) as registered_grantees
    from participation
    group by cohort_id
),

cohorts_joined as (
    select
        cohorts.cohort_id,
        cohorts.opportunity_id,
        calendar.center_id,
        cohorts.cohort_number,
        cohorts.cohort_label,
        calendar.planned_sessions,
        calendar.sessions_total,
        calendar.delivered_sessions,
        calendar.cancelled_sessions,
        calendar.upcoming_sessions,
        calendar.first_delivered_on,
        calendar.last_delivered_on,
        calendar.is_ongoing,
        calendar.cohort_end_on,
        calendar.window_end_on,
        calendar.is_window_complete as window_complete,
        coalesce(grantees_per_cohort.enrolled_grantees, 0) as enrolled_grantees,
        coalesce(grantees_per_cohort.invited_grantees, 0) as invited_grantees,
        coalesce(grantees_per_cohort.registered_grantees, 0) as registered_grantees,
        coalesce(participating.participating_grantees, 0) as participating_grantees,
        calendar.as_of_date
    from cohorts
    inner join calendar
        on cohorts.cohort_id = calendar.cohort_id
    left join grantees_per_cohort
        on cohorts.cohort_id = grantees_per_cohort.cohort_id
    left join participating
        on cohorts.cohort_id = participating.cohort_id
)

select * from cohorts_joined
