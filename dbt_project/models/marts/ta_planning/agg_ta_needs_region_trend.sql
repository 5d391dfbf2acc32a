{#- Is a region's need on a topic rising faster than the nation's? One row per ACF region 1-10
    and topic seen. requests_recent: the region's non-withdrawn requests on the topic submitted
    in the 365 days up to the as-of date (0 to 364 days before it); requests_prior: the 365 days
    before those (365 to 729 days before); national_*: the same for all grantees (those with no
    region included). Growth = recent / prior - 1, null when prior is 0. Rule:
    is_rising_vs_nation when requests_recent >= min_cell_size, requests_recent >
    requests_prior, and either requests_prior = 0 (new need) or region_growth >
    national_growth (national_growth is never null then: the nation's prior includes the
    region's). -#}
with

requests as (
    select * from {{ ref('fct_ta_requests') }}
),

grantees as (
    select * from {{ ref('dim_grantees') }}
),

digits as (
    select 0 as digit
    union all select 1
    union all select 2
    union all select 3
    union all select 4
    union all select 5
    union all select 6
    union all select 7
    union all select 8
    union all select 9
),

regions as (
    select digit + 1 as acf_region
    from digits
),

topics as (
    select distinct topic
    from requests
    where topic is not null
),

dated_requests as (
    select
        requests.request_id,
        requests.topic,
        grantees.acf_region,
        {{ plcqi.days_between('requests.submitted_on', plcqi.as_of_date()) }} as days_before_as_of
    from requests
    left join grantees
        on requests.grantee_id = grantees.grantee_id
    where not requests.is_withdrawn
),

periods as (
    select
        request_id,
        topic,
        acf_region,
        days_before_as_of between 0 and 364 as is_recent,
        days_before_as_of between 365 and 729 as is_prior
    from dated_requests
),

region_counts as (
    select
        acf_region,
        topic,
        count(case when is_recent then 1 end) as requests_recent,
        count(case when is_prior then 1 end) as requests_prior
    from periods
    where acf_region is not null
    group by acf_region, topic
),

national_counts as (
    select
        topic,
        count(case when is_recent then 1 end) as national_recent,
        count(case when is_prior then 1 end) as national_prior
    from periods
    group by topic
),

counts_joined as (
    select
        regions.acf_region,
        topics.topic,
        coalesce(region_counts.requests_recent, 0) as requests_recent,
        coalesce(region_counts.requests_prior, 0) as requests_prior,
        coalesce(national_counts.national_recent, 0) as national_recent,
        coalesce(national_counts.national_prior, 0) as national_prior
    from regions
    cross join topics
    left join region_counts
        on regions.acf_region = region_counts.acf_region
        and topics.topic = region_counts.topic
    left join national_counts
        on topics.topic = national_counts.topic
),

growth as (
    select
        *,
        requests_recent - requests_prior as change,
        {{ plcqi.safe_rate('requests_recent', 'requests_prior') }} - 1 as region_growth,
        {{ plcqi.safe_rate('national_recent', 'national_prior') }} - 1 as national_growth
    from counts_joined
),

trend as (
    select
        acf_region,
        topic,
        requests_recent,
        requests_prior,
        change,
        national_recent,
        national_prior,
        region_growth,
        national_growth,
        requests_recent >= {{ var('min_cell_size') }}
        and requests_recent > requests_prior
        and (requests_prior = 0 or region_growth > national_growth) as is_rising_vs_nation
    from growth
)

select * from trend
