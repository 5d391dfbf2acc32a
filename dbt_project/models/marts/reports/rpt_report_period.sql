{#- The report period of this build, one row: the as-of date, the period ending on it (a
    quarter, see macros/as_of_date.sql), and the previous period the reports compare with. -#}
select
    {{ plcqi.as_of_date() }} as as_of_date,
    {{ plcqi.period_start_date(0) }} as period_start_on,
    {{ plcqi.previous_as_of_date(1) }} as previous_as_of_date,
    {{ plcqi.period_start_date(1) }} as previous_period_start_on
