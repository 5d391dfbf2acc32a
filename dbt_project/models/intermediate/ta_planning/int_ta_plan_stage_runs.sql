{#- One row per run of a TA request's plan status: consecutive changes (in the order
    int_ta_requests_current uses: updated_at, then the later load) with the same plan_status
    form one run. A run starts on the UTC date of its first change and ends on the date the
    next run starts, or on the as-of date for the current (last) run. Changes after the as-of
    date do not count. stage_rank orders the planning stages (initial 1, intermediate 2,
    final 3, closed 4; withdrawn has none); is_reopening marks a run of a stage earlier than one
    the request had already reached (final -> intermediate, closed -> final). -#}
with

changes as (
    select * from {{ ref('stg_tracker__ta_request_changes') }}
),

changes_until_as_of as (
    select
        request_id,
        plan_status,
        updated_at,
        _loaded_at,
        _file,
        _row
    from changes
    where cast(updated_at as date) <= {{ plcqi.as_of_date() }}
),

changes_ordered as (
    select
        request_id,
        plan_status,
        updated_at,
        lag(plan_status) over (
            partition by request_id
            order by updated_at, _loaded_at, _file, _row
        ) as previous_status,
        row_number() over (
            partition by request_id
            order by updated_at, _loaded_at, _file, _row
        ) as change_number
    from changes_until_as_of
),

changes_numbered as (
    select
        request_id,
        plan_status,
        updated_at,
        change_number,
        sum(
            case
                when previous_status is null or previous_status <> plan_status then 1 else 0
            end
        ) over (
            partition by request_id
            order by change_number
            rows between unbounded preceding and current row
        ) as run_number
    from changes_ordered
),

runs as (
    select
        request_id,
        run_number,
        min(plan_status) as plan_status,
        cast(min(updated_at) as date) as run_start_on,
        count(*) as run_changes
    from changes_numbered
    group by request_id, run_number
),

runs_ranked as (
    select
        *,
        case plan_status
            when 'initial' then 1
            when 'intermediate' then 2
            when 'final' then 3
            when 'closed' then 4
        end as stage_rank
    from runs
),

runs_bounded as (
    select
        request_id,
        run_number,
        plan_status,
        stage_rank,
        run_start_on,
        coalesce(
            lead(run_start_on) over (partition by request_id order by run_number),
            {{ plcqi.as_of_date() }}
        ) as run_end_on,
        lead(run_number) over (partition by request_id order by run_number) is null
            as is_current,
        max(stage_rank) over (
            partition by request_id
            order by run_number
            rows between unbounded preceding and 1 preceding
        ) as highest_earlier_rank,
        run_changes
    from runs_ranked
),

stage_runs as (
    select
        request_id,
        run_number,
        plan_status,
        stage_rank,
        run_start_on,
        run_end_on,
        {{ plcqi.days_between('run_start_on', 'run_end_on') }} as run_days,
        is_current,
        coalesce(stage_rank < highest_earlier_rank, false) as is_reopening,
        run_changes
    from runs_bounded
)

select * from stage_runs
