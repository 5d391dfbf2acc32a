{#- One row per ACF region with grantees: the headline of its TA planning report, summed over
    its grantees' rows of fct_grantee_profile (so the report's per-grantee tables add up to
    it) and its topics of agg_ta_needs_region_trend. Follow-up uptake over complete windows
    only, per grantee-cohort, with its Wilson 95% interval. Grantees are public bodies:
    nothing is suppressed. -#}
with

profiles as (
    select * from {{ ref('fct_grantee_profile') }}
    where acf_region is not null
),

trend as (
    select * from {{ ref('agg_ta_needs_region_trend') }}
),

per_region as (
    select
        acf_region,
        count(*) as grantees,
        count(case when requests > 0 then 1 end) as grantees_with_requests,
        sum(requests) as requests,
        sum(requests_in_period) as requests_in_period,
        sum(plans_final) as plans_final,
        sum(plans_open) as plans_open,
        sum(plans_late) as plans_late,
        sum(plans_stalled) as plans_stalled,
        sum(plans_withdrawn) as plans_withdrawn,
        count(case when plans_late > 0 or plans_stalled > 0 then 1 end)
            as grantees_late_or_stalled,
        count(case when cohorts_joined > 0 then 1 end) as grantees_in_peer_learning,
        sum(cohorts_joined) as grantee_cohorts,
        count(case when followup_took_up > 0 then 1 end) as grantees_followed_up,
        sum(followup_windows_complete) as followup_windows_complete,
        sum(followup_took_up) as followup_took_up,
        count(case when no_ta_in_period then 1 end) as grantees_no_ta_in_period
    from profiles
    group by acf_region
),

rising as (
    select
        acf_region,
        count(case when is_rising_vs_nation then 1 end) as topics_rising
    from trend
    group by acf_region
),

region_headline as (
    select
        per_region.acf_region,
        per_region.grantees,
        per_region.grantees_with_requests,
        per_region.requests,
        per_region.requests_in_period,
        per_region.plans_final,
        per_region.plans_open,
        per_region.plans_late,
        per_region.plans_stalled,
        per_region.plans_withdrawn,
        per_region.grantees_late_or_stalled,
        per_region.grantees_in_peer_learning,
        per_region.grantee_cohorts,
        per_region.grantees_followed_up,
        per_region.followup_windows_complete,
        per_region.followup_took_up,
        {{ plcqi.safe_rate('per_region.followup_took_up', 'per_region.followup_windows_complete') }}
            as followup_uptake_rate,
        {{ plcqi.wilson_low('per_region.followup_took_up', 'per_region.followup_windows_complete') }}
            as followup_uptake_ci_low,
        {{ plcqi.wilson_high('per_region.followup_took_up', 'per_region.followup_windows_complete') }}
            as followup_uptake_ci_high,
        per_region.grantees_no_ta_in_period,
        coalesce(rising.topics_rising, 0) as topics_rising
    from per_region
    left join rising
        on per_region.acf_region = rising.acf_region
)

select * from region_headline
