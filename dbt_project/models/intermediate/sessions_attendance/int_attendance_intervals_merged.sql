{#- One row per (session, participant): the person's connections merged into islands so that
    overlapping or adjacent reconnects are never counted twice (gaps and islands). Rows that
    carry only an email are matched to the one participant with that email_key; an email that
    matches no participant, or several, cannot be attributed and is left out. Minutes are not
    clipped to the scheduled session time. -#}
with

attendance as (
    select * from {{ ref('stg_webinar__attendance') }}
),

participants as (
    select * from {{ ref('stg_reference__participants') }}
),

emails_of_one_participant as (
    select
        email_key,
        min(participant_key) as participant_key
    from participants
    where email_key is not null
    group by email_key
    having count(distinct participant_key) = 1
),

attendance_identified as (
    select
        attendance.session_id,
        coalesce(attendance.participant_key, emails_of_one_participant.participant_key)
            as participant_key,
        attendance.participant_key is null as is_matched_by_email,
        attendance.joined_at,
        attendance.left_at
    from attendance
    left join emails_of_one_participant
        on attendance.participant_key is null
        and attendance.email_key = emails_of_one_participant.email_key
),

attendance_of_participants as (
    select
        attendance_identified.*,
        participants.grantee_id
    from attendance_identified
    inner join participants
        on attendance_identified.participant_key = participants.participant_key
),

connections_with_previous_end as (
    select
        *,
        max(left_at) over (
            partition by session_id, participant_key
            order by joined_at, left_at
            rows between unbounded preceding and 1 preceding
        ) as previous_left_at
    from attendance_of_participants
),

connections_flagged as (
    select
        *,
        case
            when previous_left_at is null or joined_at > previous_left_at then 1 else 0
        end as starts_island
    from connections_with_previous_end
),

connections_in_islands as (
    select
        *,
        sum(starts_island) over (
            partition by session_id, participant_key
            order by joined_at, left_at
            rows between unbounded preceding and current row
        ) as island_number
    from connections_flagged
),

islands as (
    select
        session_id,
        participant_key,
        grantee_id,
        island_number,
        min(joined_at) as joined_at,
        max(left_at) as left_at,
        count(*) as connections,
        max(case when is_matched_by_email then 1 else 0 end) as has_email_match
    from connections_in_islands
    group by session_id, participant_key, grantee_id, island_number
),

merged_per_person as (
    select
        session_id,
        participant_key,
        grantee_id,
        cast(sum(connections) as bigint) as connections,
        count(*) as merged_intervals,
        max(has_email_match) = 1 as has_email_only_rows,
        min(joined_at) as first_joined_at,
        max(left_at) as last_left_at,
        sum({{ plcqi.seconds_between('joined_at', 'left_at') }}) as merged_seconds
    from islands
    group by session_id, participant_key, grantee_id
)

select * from merged_per_person
