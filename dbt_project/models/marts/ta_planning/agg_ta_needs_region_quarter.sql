{#- TA needs by ACF region, topic and calendar quarter, dense: every quarter from the quarter of
    the first request through the as-of date's quarter, every region 1-10 and every topic seen,
    zero-filled. A request counts in the quarter of its submitted_on unless it is withdrawn (its
    state as of the as-of date). requests: the region's grantees, the topic; region_requests:
    the region, all topics; national_requests: the topic, all grantees (those with no region
    included); national_all_requests: all requests of the quarter. Shares are null when their
    denominator is 0. -#}
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

counted_requests as (
    select
        requests.request_id,
        requests.topic,
        grantees.acf_region,
        {{ plcqi.quarter_start('requests.submitted_on') }} as quarter_start_on
    from requests
    left join grantees
        on requests.grantee_id = grantees.grantee_id
    where not requests.is_withdrawn
),

first_quarter as (
    select min({{ plcqi.quarter_start('submitted_on') }}) as first_quarter_start_on
    from requests
),

quarter_offsets as (
    select ones.digit + 10 * tens.digit + 100 * hundreds.digit as quarter_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    where hundreds.digit < 4
),

quarters as (
    select
        cast({{ dbt.dateadd('month', '3 * quarter_offsets.quarter_offset', 'first_quarter.first_quarter_start_on') }} as date)
            as quarter_start_on
    from first_quarter
    cross join quarter_offsets
    where first_quarter.first_quarter_start_on is not null
),

quarters_until_as_of as (
    select quarter_start_on
    from quarters
    where quarter_start_on <= {{ plcqi.quarter_start(plcqi.as_of_date()) }}
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

grid as (
    select
        quarters_until_as_of.quarter_start_on,
        regions.acf_region,
        topics.topic
    from quarters_until_as_of
    cross join regions
    cross join topics
),

region_topic_counts as (
    select
        quarter_start_on,
        acf_region,
        topic,
        count(*) as requests
    from counted_requests
    where acf_region is not null
    group by quarter_start_on, acf_region, topic
),

region_counts as (
    select
        quarter_start_on,
        acf_region,
        count(*) as region_requests
    from counted_requests
    where acf_region is not null
    group by quarter_start_on, acf_region
),

national_topic_counts as (
    select
        quarter_start_on,
        topic,
        count(*) as national_requests
    from counted_requests
    group by quarter_start_on, topic
),

national_counts as (
    select
        quarter_start_on,
        count(*) as national_all_requests
    from counted_requests
    group by quarter_start_on
),

counts_joined as (
    select
        grid.quarter_start_on,
        grid.acf_region,
        grid.topic,
        coalesce(region_topic_counts.requests, 0) as requests,
        coalesce(region_counts.region_requests, 0) as region_requests,
        coalesce(national_topic_counts.national_requests, 0) as national_requests,
        coalesce(national_counts.national_all_requests, 0) as national_all_requests
    from grid
    left join region_topic_counts
        on grid.quarter_start_on = region_topic_counts.quarter_start_on
        and grid.acf_region = region_topic_counts.acf_region
        and grid.topic = region_topic_counts.topic
    left join region_counts
        on grid.quarter_start_on = region_counts.quarter_start_on
        and grid.acf_region = region_counts.acf_region
    left join national_topic_counts
        on grid.quarter_start_on = national_topic_counts.quarter_start_on
        and grid.topic = national_topic_counts.topic
    left join national_counts
        on grid.quarter_start_on = national_counts.quarter_start_on
),

needs as (
    select
        quarter_start_on,
        {{ plcqi.quarter_label('quarter_start_on') }} as quarter,
        acf_region,
        topic,
        requests,
        region_requests,
        national_requests,
        national_all_requests,
        {{ plcqi.safe_rate('requests', 'region_requests') }} as region_share,
        {{ plcqi.safe_rate('national_requests', 'national_all_requests') }} as national_share
    from counts_joined
)

select * from needs
