{#- Per poll question of a delivered session: responses, and for likert5 questions how many
    answered 4 or 5; for yes_no questions how many answered yes. An empty response_value is a
    non-response; an answer submitted after the as-of date is left out. Respondents are counted only where the poll is not anonymous. -#}
with

poll_responses as (
    select * from {{ ref('stg_polls__responses') }}
),

sessions as (
    select * from {{ ref('int_cohort_sessions') }}
),

responses_in_delivered_sessions as (
    select
        sessions.cohort_id,
        sessions.session_on,
        poll_responses.*
    from poll_responses
    inner join sessions
        on poll_responses.session_id = sessions.session_id
    where
        sessions.is_delivered
        -- an answer that arrived after the as-of date does not count yet
        and (
            poll_responses.submitted_at is null
            or cast(poll_responses.submitted_at as date) <= {{ plcqi.as_of_date() }}
        )
),

question_results as (
    select
        cohort_id,
        session_id,
        poll_id,
        question_id,
        min(session_on) as session_on,
        max(question_text) as question_text,
        max(scale) as scale,
        count(*) as response_rows,
        count(case when response_value is not null or response_text is not null then 1 end)
            as responses,
        count(distinct participant_key) as identified_respondents,
        count(case when participant_key is null then 1 end) as anonymous_response_rows,
        count(likert_value) as likert_answered,
        count(case when likert_value >= 4 then 1 end) as likert_favorable,
        cast(sum(likert_value) as bigint) as likert_sum,
        count(case when scale = 'yes_no' and response_value is not null then 1 end)
            as yes_no_answered,
        count(case when scale = 'yes_no' and lower(response_value) = 'yes' then 1 end)
            as yes_no_yes
    from responses_in_delivered_sessions
    group by cohort_id, session_id, poll_id, question_id
)

select * from question_results
