{#- One row per TA request: its way through the TA planning stages as of the as-of date
    (changes after it do not count), held against the planning calendar (intermediate within
    plan_intermediate_target_days of initial, final within plan_final_target_days of
    intermediate). <stage>_on is the date the request first entered the stage; days_in_<stage>
    sums every run of the stage (to the next change of status, or to the as-of date while
    current). Lateness: a plan is late on intermediate when it moved past initial (to
    intermediate, or straight to final or closed) more than the target days after initial_on,
    or is still initial past the target; on final the same from intermediate_on to the first
    final or closed. Null when the plan was withdrawn before reaching the stage, or never
    had the stage it is measured from. No personal data: requests are by grantees. -#}
with

requests as (
    select * from {{ ref('int_ta_requests_current') }}
),

stage_runs as (
    select * from {{ ref('int_ta_plan_stage_runs') }}
),

grantees as (
    select * from {{ ref('dim_grantees') }}
),

stages_per_request as (
    select
        request_id,
        min(case when plan_status = 'initial' then run_start_on end) as initial_on,
        min(case when plan_status = 'intermediate' then run_start_on end) as intermediate_on,
        min(case when plan_status = 'final' then run_start_on end) as final_on,
        min(case when plan_status = 'closed' then run_start_on end) as closed_on,
        min(case when plan_status = 'withdrawn' then run_start_on end) as withdrawn_on,
        min(case when stage_rank >= 2 then run_start_on end) as past_initial_on,
        min(case when stage_rank >= 3 then run_start_on end) as past_intermediate_on,
        max(case when is_current then run_start_on end) as current_stage_since,
        coalesce(sum(case when plan_status = 'initial' then run_days end), 0) as days_in_initial,
        coalesce(sum(case when plan_status = 'intermediate' then run_days end), 0)
            as days_in_intermediate,
        coalesce(sum(case when plan_status = 'final' then run_days end), 0) as days_in_final,
        max(case when is_reopening then 1 else 0 end) = 1 as is_reopened
    from stage_runs
    group by request_id
),

stages_joined as (
    select
        requests.request_id,
        requests.grantee_id,
        requests.center_id,
        grantees.acf_region,
        requests.topic,
        requests.request_type,
        requests.submitted_on,
        stages_per_request.initial_on,
        stages_per_request.intermediate_on,
        stages_per_request.final_on,
        stages_per_request.closed_on,
        stages_per_request.withdrawn_on,
        stages_per_request.past_initial_on,
        stages_per_request.past_intermediate_on,
        requests.plan_status as current_stage,
        stages_per_request.current_stage_since,
        stages_per_request.days_in_initial,
        stages_per_request.days_in_intermediate,
        stages_per_request.days_in_final,
        stages_per_request.is_reopened,
        cast(requests.updated_at as date) as last_change_on,
        requests.change_count
    from requests
    inner join stages_per_request
        on requests.request_id = stages_per_request.request_id
    left join grantees
        on requests.grantee_id = grantees.grantee_id
),

stages_timed as (
    select
        *,
        {{ plcqi.days_between('current_stage_since', plcqi.as_of_date()) }}
            as days_in_current_stage,
        {{ plcqi.days_between('initial_on', 'intermediate_on') }} as days_to_intermediate,
        {{ plcqi.days_between('intermediate_on', 'final_on') }} as days_to_final,
        {{ var('plan_intermediate_target_days') }} as intermediate_target_days,
        {{ var('plan_final_target_days') }} as final_target_days,
        case
            when initial_on is null then null
            when past_initial_on is not null
                then {{ plcqi.days_between('initial_on', 'past_initial_on') }}
                    > {{ var('plan_intermediate_target_days') }}
            when current_stage = 'withdrawn' then null
            else {{ plcqi.days_between('initial_on', plcqi.as_of_date()) }}
                > {{ var('plan_intermediate_target_days') }}
        end as intermediate_late,
        case
            when intermediate_on is null then null
            when past_intermediate_on is not null
                then {{ plcqi.days_between('intermediate_on', 'past_intermediate_on') }}
                    > {{ var('plan_final_target_days') }}
            when current_stage = 'withdrawn' then null
            else {{ plcqi.days_between('intermediate_on', plcqi.as_of_date()) }}
                > {{ var('plan_final_target_days') }}
        end as final_late,
        (final_on is not null or closed_on is not null) and intermediate_on is null
            as skipped_intermediate,
        current_stage in ('final', 'closed') as is_plan_final,
        current_stage in ('initial', 'intermediate') as is_open,
        {{ plcqi.days_between('last_change_on', plcqi.as_of_date()) }} as days_since_change
    from stages_joined
),

plan_stages as (
    select
        request_id,
        grantee_id,
        center_id,
        acf_region,
        topic,
        request_type,
        submitted_on,
        initial_on,
        intermediate_on,
        final_on,
        closed_on,
        withdrawn_on,
        current_stage,
        current_stage_since,
        days_in_current_stage,
        days_in_initial,
        days_in_intermediate,
        days_in_final,
        days_to_intermediate,
        days_to_final,
        intermediate_target_days,
        final_target_days,
        intermediate_late,
        final_late,
        case
            when intermediate_late is null and final_late is null then null
            else not (coalesce(intermediate_late, false) or coalesce(final_late, false))
        end as is_timely,
        skipped_intermediate,
        is_reopened,
        is_plan_final,
        is_open,
        last_change_on,
        days_since_change,
        is_open and days_since_change >= {{ var('plan_stalled_days') }} as is_stalled,
        change_count
    from stages_timed
)

select * from plan_stages
