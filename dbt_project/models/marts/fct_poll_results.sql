{#- Per poll question of a delivered session. favorable_rate: likert5 answers of 4 or 5 over
    likert5 answers; yes_rate: yes over answers for yes_no questions. -#}
with

poll_questions as (
    select * from {{ ref('int_poll_question_results') }}
),

calendar as (
    select * from {{ ref('int_cohort_calendar') }}
),

results as (
    select
        calendar.opportunity_id,
        poll_questions.cohort_id,
        calendar.center_id,
        poll_questions.session_id,
        poll_questions.session_on,
        poll_questions.poll_id,
        poll_questions.question_id,
        poll_questions.question_text,
        poll_questions.scale,
        poll_questions.responses,
        poll_questions.identified_respondents,
        poll_questions.anonymous_response_rows,
        poll_questions.likert_answered,
        poll_questions.likert_favorable,
        {{ plcqi.safe_rate('poll_questions.likert_favorable', 'poll_questions.likert_answered') }}
            as favorable_rate,
        {{ plcqi.safe_rate('poll_questions.likert_sum', 'poll_questions.likert_answered') }}
            as likert_mean,
        poll_questions.yes_no_answered,
        poll_questions.yes_no_yes,
        {{ plcqi.safe_rate('poll_questions.yes_no_yes', 'poll_questions.yes_no_answered') }}
            as yes_rate
    from poll_questions
    inner join calendar
        on poll_questions.cohort_id = calendar.cohort_id
)

select * from results
