{#- Attendance across cohorts: the attendance rate of METRICS.md (attended grantee-sessions /
    (participating grantees x delivered sessions)) per cohort, pooled per opportunity and per
    center (numerators and denominators summed over the cohorts), each with its Wilson
    interval. scope: cohort | opportunity | center; the keys of a wider scope are null. -#}
with

attendance as (
    select * from {{ ref('fct_phase_metrics') }}
    where metric = 'attendance_rate'
),

cohort_rows as (
    select
        'cohort' as scope,
        center_id,
        opportunity_id,
        cohort_id,
        1 as cohorts,
        coalesce(numerator, 0) as attended_grantee_sessions,
        coalesce(denominator, 0) as possible_grantee_sessions
    from attendance
),

opportunity_rows as (
    select
        'opportunity' as scope,
        center_id,
        opportunity_id,
        cast(null as {{ dbt.type_string() }}) as cohort_id,
        count(case when possible_grantee_sessions > 0 then 1 end) as cohorts,
        sum(attended_grantee_sessions) as attended_grantee_sessions,
        sum(possible_grantee_sessions) as possible_grantee_sessions
    from cohort_rows
    group by center_id, opportunity_id
),

center_rows as (
    select
        'center' as scope,
        center_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        cast(null as {{ dbt.type_string() }}) as cohort_id,
        count(case when possible_grantee_sessions > 0 then 1 end) as cohorts,
        sum(attended_grantee_sessions) as attended_grantee_sessions,
        sum(possible_grantee_sessions) as possible_grantee_sessions
    from cohort_rows
    group by center_id
),

all_rows as (
    select * from cohort_rows
    union all
    select * from opportunity_rows
    union all
    select * from center_rows
),

pooled as (
    select
        scope,
        center_id,
        opportunity_id,
        cohort_id,
        cohorts,
        cast(attended_grantee_sessions as {{ dbt.type_bigint() }}) as attended_grantee_sessions,
        cast(possible_grantee_sessions as {{ dbt.type_bigint() }}) as possible_grantee_sessions,
        {{ plcqi.safe_rate('attended_grantee_sessions', 'possible_grantee_sessions') }}
            as attendance_rate,
        {{ plcqi.wilson_low('attended_grantee_sessions', 'possible_grantee_sessions') }}
            as ci_low,
        {{ plcqi.wilson_high('attended_grantee_sessions', 'possible_grantee_sessions') }}
            as ci_high
    from all_rows
)

select * from pooled
