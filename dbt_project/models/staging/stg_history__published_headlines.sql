{#- The headline figures as each earlier publication showed them (plcqi.history): the rows of
    the period each publication reported on (period = current), typed. -#}
with

source as (
    select * from {{ source('history', 'published_headlines') }}
),

published as (
    select
        cast(as_of_date as date) as published_as_of_date,
        cast(center_id as varchar) as center_id,
        cast(figure as varchar) as figure,
        cast(kind as varchar) as kind,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        cast(value as {{ plcqi.type_double() }}) as value
    from source
    where period = 'current'
)

select * from published
