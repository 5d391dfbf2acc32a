{#- TA requested vs delivered per center, grantee and period (current: period_start_on through
    the as-of date; previous: previous_period_start_on through previous_as_of_date): TA
    requests submitted to the center (its center_id, or one of its opportunities as the
    source), of which withdrawn and of which delivered (a final or closed plan; plan status as
    of the as-of date), and the center's delivered sessions the grantee attended. A grantee
    has rows for both periods when it has any figure in either; grantee_id 'ALL' is the
    center's total. Counts of grantees, requests and sessions: never suppressed. -#}
with

period as (
    select * from {{ ref('rpt_report_period') }}
),

periods as (
    select 'current' as period, period_start_on, as_of_date as period_end_on from period
    union all
    select 'previous' as period, previous_period_start_on as period_start_on,
        previous_as_of_date as period_end_on
    from period
),

opportunities as (
    select * from {{ ref('dim_opportunities') }}
),

requests as (
    select * from {{ ref('fct_ta_requests') }}
),

attendance as (
    select * from {{ ref('fct_attendance') }}
),

{#- A request counts once per center: to its own center, and to the center of its source
    opportunity. -#}
request_centers as (
    select request_id, center_id from requests where center_id is not null
    union
    select requests.request_id, opportunities.center_id
    from requests
    inner join opportunities
        on requests.source_opportunity_id = opportunities.opportunity_id
),

request_facts as (
    select
        request_centers.center_id,
        requests.grantee_id,
        periods.period,
        count(*) as requests,
        count(case when requests.is_withdrawn then 1 end) as withdrawn_requests,
        count(case when requests.plan_status in ('final', 'closed') then 1 end)
            as delivered_requests
    from request_centers
    inner join requests
        on request_centers.request_id = requests.request_id
    inner join periods
        on requests.submitted_on between periods.period_start_on and periods.period_end_on
    group by request_centers.center_id, requests.grantee_id, periods.period
),

session_facts as (
    select
        attendance.center_id,
        attendance.grantee_id,
        periods.period,
        count(*) as sessions_attended
    from attendance
    inner join periods
        on attendance.session_on between periods.period_start_on and periods.period_end_on
    where attendance.has_attended
    group by attendance.center_id, attendance.grantee_id, periods.period
),

center_grantees as (
    select center_id, grantee_id from request_facts
    union
    select center_id, grantee_id from session_facts
),

per_grantee as (
    select
        center_grantees.center_id,
        center_grantees.grantee_id,
        periods.period,
        periods.period_start_on,
        periods.period_end_on,
        coalesce(request_facts.requests, 0) as requests,
        coalesce(request_facts.withdrawn_requests, 0) as withdrawn_requests,
        coalesce(request_facts.delivered_requests, 0) as delivered_requests,
        coalesce(session_facts.sessions_attended, 0) as sessions_attended
    from center_grantees
    cross join periods
    left join request_facts
        on center_grantees.center_id = request_facts.center_id
        and center_grantees.grantee_id = request_facts.grantee_id
        and periods.period = request_facts.period
    left join session_facts
        on center_grantees.center_id = session_facts.center_id
        and center_grantees.grantee_id = session_facts.grantee_id
        and periods.period = session_facts.period
),

totals as (
    select
        center_id,
        'ALL' as grantee_id,
        period,
        period_start_on,
        period_end_on,
        sum(requests) as requests,
        sum(withdrawn_requests) as withdrawn_requests,
        sum(delivered_requests) as delivered_requests,
        sum(sessions_attended) as sessions_attended
    from per_grantee
    group by center_id, period, period_start_on, period_end_on
),

all_rows as (
    select * from per_grantee
    union all
    select * from totals
)

select
    center_id,
    grantee_id,
    period,
    period_start_on,
    period_end_on,
    cast(requests as {{ dbt.type_bigint() }}) as requests,
    cast(withdrawn_requests as {{ dbt.type_bigint() }}) as withdrawn_requests,
    cast(delivered_requests as {{ dbt.type_bigint() }}) as delivered_requests,
    cast(sessions_attended as {{ dbt.type_bigint() }}) as sessions_attended
from all_rows
