{#- Each headline figure against the previous period: the figure as the previous period's
    reports published it (history), or, where nothing was published for that date, the
    figure recomputed from today's data (previous_source says which). The change agrees with
    the figures as shown: for rates and differences it is the difference of the two figures
    rounded to whole percent as shown (macro percent_shown; 0.196 and 0.214 show as 20% and 21%: change -0.01); for counts
    the plain difference. -#}
with

report_period as (
    select * from {{ ref('rpt_report_period') }}
),

headlines as (
    select * from {{ ref('rpt_headlines') }}
),

published as (
    select * from {{ ref('stg_history__published_headlines') }}
),

current_figures as (
    select * from headlines where period = 'current'
),

recomputed as (
    select * from headlines where period = 'previous'
),

published_previous as (
    select published.*
    from published
    inner join report_period
        on published.published_as_of_date = report_period.previous_as_of_date
),

joined as (
    select
        current_figures.as_of_date,
        current_figures.center_id,
        current_figures.figure,
        current_figures.kind,
        current_figures.value as current_value,
        current_figures.denominator as current_denominator,
        report_period.previous_as_of_date,
        case
            when published_previous.figure is not null then published_previous.value
            else recomputed.value
        end as previous_value,
        case
            when published_previous.figure is not null then published_previous.denominator
            else recomputed.denominator
        end as previous_denominator,
        case
            when published_previous.figure is not null then 'published'
            when recomputed.figure is not null then 'recomputed'
        end as previous_source
    from current_figures
    cross join report_period
    left join published_previous
        on current_figures.center_id = published_previous.center_id
        and current_figures.figure = published_previous.figure
    left join recomputed
        on current_figures.center_id = recomputed.center_id
        and current_figures.figure = recomputed.figure
),

changes as (
    select
        *,
        case
            when kind = 'count' then current_value - previous_value
            else ({{ plcqi.percent_shown('current_value') }}
                  - {{ plcqi.percent_shown('previous_value') }}) / 100.0
        end as change
    from joined
)

select * from changes
