"""TA planning pages: a profile per grantee and a report per ACF region, for the State
Systems Specialists who plan TA with each state (``shared/seeds/ta-planning-process-2016-2018``:
step 3's regional calls, step 7's review).

Every figure is a column of a mart (``fct_grantee_profile``, ``fct_ta_plan_stages``,
``fct_grantee_cohorts``, ``agg_ta_needs_region_trend``, ``agg_ta_needs_region_quarter``,
``agg_ta_planning_region``; ``docs/ta-planning.md``): this module reads and formats. Grantees
are public bodies, so their figures are not suppressed; no person is ever shown (the marts
hold none). A region's report reads its own grantees only (``where acf_region = ?``); the
nation appears as national figures, never as another region's grantees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from plcqi.publish import cells, charts, layout
from plcqi.publish.layout import region_name
from plcqi.publish.tables import column, table
from plcqi.publish.warehouse import PublishError, rows

STAGES = ("initial", "intermediate", "final", "closed", "withdrawn")
UPTAKE_UNIT = ("Follow-up uptake: grantee-cohorts (one grantee in one cohort) whose six-month "
               "window has closed, that submitted a related TA request in it.")
MAX_TREND_TOPICS = 4  # topics drawn on a region's needs chart (the rest: the tables)
CHART_QUARTERS = 8  # the last two years: the trend's two 365-day periods


def _topic(text: str | None) -> str:
    return (text or "unknown").replace("_", " ")


def _day(value) -> dict:
    return cells.text_cell(value.isoformat() if value else None)


def _yes_no(value, *, yes: str = "yes", no: str = "no", flag_no: bool = False) -> dict:
    if value is None:
        return dict(cells.MISSING)
    cell = cells.text_cell(yes if value else no)
    if flag_no and not value:
        cell["flag"] = "not-met"
    return cell


def _growth(value) -> dict:
    """A growth ratio (recent / prior − 1) in signed whole percent.

    >>> _growth(2.0)["text"], _growth(-0.25)["text"], _growth(None)["text"]
    ('+200%', '−25%', 'new')
    """
    if value is None:
        return cells.text_cell("new", "no request in the 365 days before")
    p = cells.whole_percent(float(value))
    return {"text": (f"{p:+d}%" if p else "0%").replace("-", "−"), "state": "value",
            "raw": float(value)}


def _rate_of(value, k, n) -> dict:
    """A grantee's rate (the mart's) with its counts, never suppressed (a public body's
    figure).

    >>> _rate_of(0.75, 3, 4)["title"], _rate_of(None, 0, 0)["text"]
    ('3 of 4', '—')
    """
    if not n or value is None:
        return dict(cells.MISSING, title="none yet")
    return cells.rate(value, n, 1, numerator=k)


def _link(text: str, href: str | None, title: str | None = None) -> dict:
    cell = cells.text_cell(text, title)
    if href:
        cell["href"] = href
    return cell


def plan_flags(p: dict) -> list[str]:
    """What is wrong with a plan, in words, from its row of ``fct_ta_plan_stages``.

    >>> plan_flags({"intermediate_late": True, "days_to_intermediate": 20,
    ...             "intermediate_target_days": 14, "final_late": None, "is_stalled": False,
    ...             "skipped_intermediate": False, "is_reopened": True,
    ...             "current_stage": "final"})
    ['intermediate after 20 days (target 14)', 're-opened']
    >>> plan_flags({"intermediate_late": True, "days_to_intermediate": None,
    ...             "intermediate_target_days": 14, "days_in_current_stage": 120,
    ...             "final_late": None, "is_stalled": True, "days_since_change": 120,
    ...             "skipped_intermediate": False, "is_reopened": False,
    ...             "current_stage": "initial"})
    ['initial for 120 days (target 14)', 'stalled: no change for 120 days']
    """
    out = [flag for flag in (
        _late_flag(p, "intermediate", "initial", "late past initial"),
        _late_flag(p, "final", "intermediate", "late to final")) if flag]
    if p.get("is_stalled"):
        out.append(f"stalled: no change for {p['days_since_change']} days")
    if p.get("skipped_intermediate"):
        out.append("skipped intermediate")
    if p.get("is_reopened"):
        out.append("re-opened")
    return out


def _late_flag(p: dict, stage: str, before: str, otherwise: str) -> str | None:
    """A plan late on reaching ``stage`` from ``before``: the days it took, or how long it has
    waited in ``before``, against the target."""
    if not p.get(f"{stage}_late"):
        return None
    target = p[f"{stage}_target_days"]
    if p.get(f"days_to_{stage}") is not None:
        return f"{stage} after {p[f'days_to_{stage}']} days (target {target})"
    if p.get("current_stage") == before:
        return f"{before} for {p['days_in_current_stage']} days (target {target})"
    return f"{otherwise} (target {target} days)"


def _plan_row(p: dict, *, grantee: dict | None = None) -> dict:
    flags = plan_flags(p)
    late = bool(p.get("intermediate_late") or p.get("final_late"))
    problem = late or bool(p.get("is_stalled"))
    if p["current_stage"] == "withdrawn":
        flags = [*flags, "withdrawn"] if flags else ["withdrawn"]
    flag_cell = cells.text_cell("; ".join(flags) if flags else "on time")
    if problem and p["current_stage"] != "withdrawn":
        flag_cell["flag"] = "not-met"
    row = {
        "request": cells.text_cell(p["request_id"]),
        "topic": cells.text_cell(_topic(p["topic"])),
        "center": cells.text_cell(p.get("center_id"), p.get("center_name")),
        "submitted": _day(p["submitted_on"]),
        "stage": cells.text_cell(p["current_stage"]),
        "since": _day(p["current_stage_since"]),
        "initial": _day(p["initial_on"]),
        "intermediate": _day(p["intermediate_on"]),
        "final": _day(p["final_on"]),
        "days_in_stage": cells.count_cell(p["days_in_current_stage"]),
        "to_intermediate": cells.count_cell(p["days_to_intermediate"]),
        "to_final": cells.count_cell(p["days_to_final"]),
        "flags": flag_cell,
    }
    if grantee is not None:
        row["grantee"] = grantee
    return row


PLAN_COLUMNS = [
    column("request", "Request"), column("topic", "Topic"), column("center", "Center"),
    column("submitted", "Submitted"), column("stage", "Stage now"),
    column("since", "In it since"), column("initial", "Initial"),
    column("intermediate", "Intermediate"), column("final", "Final"),
    column("to_intermediate", "Days to inter­mediate", True),
    column("to_final", "Days to final", True), column("flags", "Late, stalled, changed"),
]
# A region's late and stalled plans: the stage and how long, without every stage's date.
PROBLEM_COLUMNS = [
    column("grantee", "Grantee"), column("request", "Request"), column("topic", "Topic"),
    column("stage", "Stage now"), column("since", "In it since"),
    column("days_in_stage", "Days in it", True),
    column("to_intermediate", "Days to inter­mediate", True),
    column("to_final", "Days to final", True), column("flags", "Late or stalled"),
]


def _plan_note(targets: tuple[int, int], stalled_days: int) -> str:
    return (f"Stages as of the as-of date. Targets of the planning process: intermediate "
            f"within {targets[0]} days of initial (step 4), final within {targets[1]} days of "
            f"intermediate (step 5). Stalled: an initial or intermediate plan with no change "
            f"for {stalled_days} days or more. Dates are the first day the plan entered the "
            "stage.")


def _settings(con) -> tuple[tuple[int, int], int]:
    """The planning calendar the marts were built with (one home: dbt's vars, in the rows)."""
    found = rows(con, "select max(intermediate_target_days) as i, max(final_target_days) as f "
                 "from marts.fct_ta_plan_stages")
    from plcqi import settings

    i = found[0]["i"] if found and found[0]["i"] is not None else int(
        settings.get("plan_intermediate_target_days"))
    f = found[0]["f"] if found and found[0]["f"] is not None else int(
        settings.get("plan_final_target_days"))
    return (int(i), int(f)), int(settings.get("plan_stalled_days"))


def _period(con) -> dict:
    p = rows(con, "select * from marts.rpt_report_period")[0]
    return {"start": p["period_start_on"].isoformat(), "end": p["as_of_date"].isoformat()}


def _profile_facts(g: dict, period: dict) -> dict:
    """The profile's figures at a glance, as one table (a row per figure)."""
    def line(label: str, value: dict, note: str = "") -> dict:
        return {"figure": cells.text_cell(label), "value": value,
                "note": cells.text_cell(note or None)}

    ta = line("TA in the period", _yes_no(g["has_ta_in_period"], yes="yes",
                                          no="no TA in the period", flag_no=True),
              f"{period['start']} to {period['end']}: a request submitted or a delivered "
              "session attended")
    body = [
        ta,
        line("TA requests", cells.count_cell(g["requests"]), "not withdrawn, all time"),
        line("of which in the period", cells.count_cell(g["requests_in_period"])),
        line("Plans final or closed", cells.count_cell(g["plans_final"])),
        line("Plans open (initial or intermediate)", cells.count_cell(g["plans_open"])),
        line("Plans late", _flag_count(g["plans_late"]), "late on intermediate or on final"),
        line("Plans stalled", _flag_count(g["plans_stalled"]), "open, no change for long"),
        line("Requests withdrawn", cells.count_cell(g["plans_withdrawn"])),
        line("Peer learning cohorts joined", cells.count_cell(g["cohorts_joined"])),
        line("Sessions attended", cells.count_cell(g["sessions_attended"]),
             f"of {g['sessions_delivered']} delivered in its cohorts"),
        line("Attendance", _rate_of(g["attendance_rate"], g["sessions_attended"],
                                    g["sessions_delivered"])),
        line("Sessions attended in the period", cells.count_cell(
            g["sessions_attended_in_period"])),
        line("Survey responses", cells.count_cell(g["survey_responses"]),
             "midpoint and six-month, its teams' members"),
        line("Knowledge gain", _rate_of(g["knowledge_gain_rate"], None,
                                        g["knowledge_gain_answered"]),
             f"answers 4 or 5 of 5, of {g['knowledge_gain_answered']} answers"),
        line("Follow-up windows closed", cells.count_cell(g["followup_windows_complete"])),
        line("Took up related follow-up TA", _rate_of(g["followup_uptake_rate"],
                                                     g["followup_took_up"],
                                                     g["followup_windows_complete"]),
             "of the closed windows"),
    ]
    return table("profile-figures", "At a glance",
                 [column("figure", "Figure"), column("value", "Value", True),
                  column("note", "What it counts")], body,
                 note="Grantees are public bodies: no figure is suppressed. " + UPTAKE_UNIT)


def _flag_count(n) -> dict:
    cell = cells.count_cell(n)
    if n:
        cell["flag"] = "not-met"
    return cell


def _cohort_table(found: list[dict], table_id: str) -> dict:
    body = []
    for c in found:
        if c["window_complete"]:
            uptake = _yes_no(c["took_up_related"], flag_no=False)
        else:
            uptake = cells.text_cell("window open",
                                     f"closes {c['window_end_on']}" if c["window_end_on"]
                                     else None)
        body.append({
            "opportunity": cells.text_cell(c["opportunity_name"], c["opportunity_id"]),
            "cohort": cells.text_cell(c["cohort_id"]),
            "center": cells.text_cell(c["center_id"], c.get("center_name")),
            "start": _day(c["cohort_start_on"]), "end": _day(c["cohort_end_on"]),
            "attended": cells.count_cell(c["sessions_attended"]),
            "delivered": cells.count_cell(c["sessions_delivered"]),
            "attendance": _rate_of(c["attendance_rate"], c["sessions_attended"],
                                   c["sessions_delivered"]),
            "midpoint": _yes_no(c["midpoint_responded"]),
            "six_month": _yes_no(c["six_month_responded"]),
            "uptake": uptake,
            "related": cells.count_cell(c["requests_after_related"]),
        })
    return table(
        table_id, "Peer learning cohorts joined",
        [column("opportunity", "Opportunity"),
         column("cohort", "Cohort"), column("center", "Center"),
         column("start", "First session"), column("end", "Ended"),
         column("attended", "Sessions attended", True),
         column("delivered", "Sessions delivered", True),
         column("attendance", "Attendance", True), column("midpoint", "Midpoint survey"),
         column("six_month", "Six-month survey"),
         column("uptake", "Took up follow-up TA"),
         column("related", "Related requests", True)], body,
        note="Cohorts in which the grantee's team participates. Surveys: whether any of its "
        "team answered. Related requests: TA requests related to the opportunity's topic in "
        "the six-month window. " + UPTAKE_UNIT)


# ---------------------------------------------------------------------- the profile


@dataclass
class ProfileRows:
    """The marts' rows behind grantee profiles, by grantee: read in a few queries for all the
    grantees of a report run (``profile_rows(con)``), not a few per grantee."""

    profiles: dict[str, dict]
    plans: dict[str, list[dict]]
    joined: dict[str, list[dict]]
    period: dict
    calendar: tuple[tuple[int, int], int]


def profile_rows(con: duckdb.DuckDBPyConnection, grantee_id: str | None = None) -> ProfileRows:
    """Profile rows of every grantee, or of ``grantee_id`` alone."""
    where, params = ("where {} = ?", [grantee_id]) if grantee_id is not None else ("", [])
    profiles = rows(con, "select * from marts.fct_grantee_profile "
                    + where.format("grantee_id"), params)
    plans = rows(con, "select p.*, c.center_name from marts.fct_ta_plan_stages p "
                 "left join marts.dim_centers c on c.center_id = p.center_id "
                 + where.format("p.grantee_id")
                 + " order by p.grantee_id, p.submitted_on desc, p.request_id", params)
    joined = rows(con, "select gc.*, c.center_name from marts.fct_grantee_cohorts gc "
                  "left join marts.dim_centers c on c.center_id = gc.center_id "
                  + where.format("gc.grantee_id")
                  + " order by gc.grantee_id, gc.cohort_start_on desc nulls last, "
                  "gc.cohort_id", params)
    return ProfileRows({g["grantee_id"]: g for g in profiles}, _by_grantee(plans),
                       _by_grantee(joined), _period(con), _settings(con))


def _by_grantee(found: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in found:
        out.setdefault(r["grantee_id"], []).append(r)
    return out


def grantee_context(con: duckdb.DuckDBPyConnection, grantee_id: str, as_of: date,
                    found: ProfileRows | None = None) -> dict:
    """The full context of one grantee's profile (``found``: the rows read beforehand for
    every grantee, else they are read for this one)."""
    found = found or profile_rows(con, grantee_id)
    g = found.profiles.get(grantee_id)
    if g is None:
        raise PublishError(f"no grantee {grantee_id!r} in the marts")
    period = found.period
    targets, stalled_days = found.calendar
    plans = found.plans.get(grantee_id, [])
    joined = found.joined.get(grantee_id, [])
    region = g["acf_region"]
    plan_table = table("plans", "TA requests and their plan stages",
                       PLAN_COLUMNS, [_plan_row(p) for p in plans],
                       note=_plan_note(targets, stalled_days))
    alerts = []
    if g["no_ta_in_period"]:
        alerts.append(f"No TA in the period ({period['start']} to {period['end']}): no TA "
                      "request submitted and no peer learning session attended.")
    if g["plans_stalled"]:
        alerts.append(f"{g['plans_stalled']} stalled plan(s): initial or intermediate with no "
                      f"change for {stalled_days} days or more.")
    if g["plans_late"]:
        alerts.append(f"{g['plans_late']} plan(s) late on a stage of the planning calendar.")
    return {
        "title": g["grantee_name"] or grantee_id,
        "as_of": as_of.isoformat(),
        "grantee": {"id": grantee_id, "name": g["grantee_name"] or grantee_id,
                    "type": g["grantee_type"], "region": region,
                    "region_name": region_name(region)},
        "period": period,
        "alerts": alerts,
        "figures": _profile_facts(g, period),
        "plans": plan_table,
        "cohorts": _cohort_table(joined, "cohorts"),
        "min_cell_size": 0,
    }


# ---------------------------------------------------------------------- the region


def _headline(h: dict, rising: list[dict], late: list[str], stalled: list[str],
              joined: list[str], followed: list[str], no_ta: list[str]) -> list[str]:
    """The region's answers in sentences; every number from agg_ta_planning_region or a
    mart's rows, the names listed as the marts give them."""
    def names(items: list[str]) -> str:
        return ", ".join(items) if items else "none"

    out = [
        f"{h['plans_late']} late and {h['plans_stalled']} stalled plan(s) across "
        f"{h['grantees_late_or_stalled']} of {h['grantees']} grantees. Late: {names(late)}. "
        f"Stalled: {names(stalled)}.",
    ]
    if rising:
        out.append("Needs rising faster than the nation's (last 365 days against the 365 "
                   "before): " + "; ".join(
                       f"{_topic(r['topic'])} ({r['requests_prior']} → {r['requests_recent']} "
                       f"requests, {_growth(r['region_growth'])['text']} against "
                       f"{_growth(r['national_growth'])['text']} nationally)" for r in rising)
                   + ".")
    else:
        out.append("No need is rising faster than the nation's (last 365 days against the "
                   "365 before).")
    uptake = (f"{h['followup_took_up']} of {h['followup_windows_complete']} grantee-cohorts "
              "with a closed window took up related follow-up TA ("
              + cells.pct(h["followup_uptake_rate"]) + ", 95% interval "
              + cells.interval(h["followup_uptake_ci_low"], h["followup_uptake_ci_high"])
              + ")") if h["followup_windows_complete"] else (
        "no grantee-cohort's follow-up window has closed yet")
    out.append(f"Peer learning: {h['grantees_in_peer_learning']} of {h['grantees']} grantees "
               f"joined a cohort ({names(joined)}); {h['grantees_followed_up']} followed up "
               f"({names(followed)}); {uptake}.")
    if no_ta:
        out.append(f"No TA in the period: {names(no_ta)}.")
    return out


def _needs_chart(quarters: list[dict], topics: list[str], region: int) -> dict | None:
    """The region's share of its requests on each topic per quarter, beside the nation's."""
    if not topics or not quarters:
        return None
    points, body = [], []
    starts = sorted({q["quarter_start_on"] for q in quarters})[-CHART_QUARTERS:]
    quarters = [q for q in quarters if q["quarter_start_on"] in set(starts)]
    order = [next(q["quarter"] for q in quarters if q["quarter_start_on"] == s)
             for s in starts]
    for q in quarters:
        if q["topic"] not in topics:
            continue
        topic = _topic(q["topic"])
        for series, value in ((region_name(region), q["region_share"]),
                              ("Nation", q["national_share"])):
            points.append({"quarter": q["quarter"], "topic": topic, "series": series,
                           "value": None if value is None else float(value)})
        body.append({
            "topic": cells.text_cell(topic), "quarter": cells.text_cell(q["quarter"]),
            "requests": cells.count_cell(q["requests"]),
            "region_requests": cells.count_cell(q["region_requests"]),
            "region_share": _share(q["region_share"]),
            "national_requests": cells.count_cell(q["national_requests"]),
            "national_share": _share(q["national_share"]),
        })
    t = table("needs-quarters", "Requests by quarter: the region's share on each topic "
              "beside the nation's",
              [column("topic", "Topic"), column("quarter", "Quarter"),
               column("requests", "Region: requests on the topic", True),
               column("region_requests", "Region: all requests", True),
               column("region_share", "Region: share", True),
               column("national_requests", "Nation: requests on the topic", True),
               column("national_share", "Nation: share", True)], body,
              note="Non-withdrawn requests by the quarter they were submitted in, the last "
              f"{CHART_QUARTERS} quarters; share: of all the region's (or the nation's) "
              "requests that quarter.")
    spec = charts.share_lines(points, quarters=order, topics=[_topic(t) for t in topics],
                              description="Share of requests per quarter, region and nation")
    alt = (f"Share of the region's requests per quarter on {', '.join(_topic(t) for t in topics)}"
           ", solid, against the nation's share, dashed; the table gives every figure.")
    return charts.chart("needs-chart", "Needs over time against the national trend", alt, t,
                        spec)


def _signed_count(value) -> dict:
    """
    >>> _signed_count(4)["text"], _signed_count(-1)["text"], _signed_count(0)["text"]
    ('+4', '−1', '0')
    """
    cell = cells.count_cell(value)
    if value:
        cell["text"] = f"{int(value):+d}".replace("-", "−")
    return cell


def _share(value) -> dict:
    if value is None:
        return dict(cells.MISSING, title="no request that quarter")
    return {"text": cells.pct(float(value)), "state": "zero" if value == 0 else "value",
            "raw": float(value)}


def region_context(con: duckdb.DuckDBPyConnection, region: int, as_of: date,
                   profile_href) -> dict:
    """The full context of one ACF region's report; ``profile_href(grantee_id)`` is the link
    to a grantee's profile from the report's page."""
    head = rows(con, "select * from marts.agg_ta_planning_region where acf_region = ?",
                [region])
    if not head:
        raise PublishError(f"no grantee of ACF region {region} in the marts")
    h = head[0]
    period = _period(con)
    targets, stalled_days = _settings(con)
    q = [region]
    grantees = rows(con, "select * from marts.fct_grantee_profile where acf_region = ? "
                    "order by grantee_name, grantee_id", q)
    names = {g["grantee_id"]: g["grantee_name"] or g["grantee_id"] for g in grantees}
    plans = rows(con, "select p.*, c.center_name from marts.fct_ta_plan_stages p "
                 "join marts.dim_grantees g on g.grantee_id = p.grantee_id "
                 "left join marts.dim_centers c on c.center_id = p.center_id "
                 "where g.acf_region = ? and p.current_stage <> 'withdrawn' "
                 "and (p.is_stalled or coalesce(p.intermediate_late, false) "
                 "or coalesce(p.final_late, false)) "
                 "order by p.is_stalled desc, p.days_since_change desc, p.request_id", q)
    trend = rows(con, "select * from marts.agg_ta_needs_region_trend where acf_region = ? "
                 "order by is_rising_vs_nation desc, requests_recent desc, topic", q)
    quarters = rows(con, "select * from marts.agg_ta_needs_region_quarter where acf_region = ?"
                    " order by quarter_start_on, topic", q)
    joined = rows(con, "select gc.grantee_id, gc.opportunity_name from marts.fct_grantee_cohorts"
                  " gc join marts.dim_grantees g on g.grantee_id = gc.grantee_id "
                  "where g.acf_region = ? group by all order by 2", q)
    opportunities: dict[str, list[str]] = {}
    for r in joined:
        opportunities.setdefault(r["grantee_id"], []).append(r["opportunity_name"])

    def grantee_cell(gid: str) -> dict:
        return _link(names.get(gid, gid), profile_href(gid), gid)

    # Plans: per grantee, then every late or stalled plan.
    timeliness = []
    for g in grantees:
        timeliness.append({
            "grantee": grantee_cell(g["grantee_id"]),
            "type": cells.text_cell(g["grantee_type"]),
            "requests": cells.count_cell(g["requests"]),
            "in_period": cells.count_cell(g["requests_in_period"]),
            "final": cells.count_cell(g["plans_final"]),
            "open": cells.count_cell(g["plans_open"]),
            "late": _flag_count(g["plans_late"]),
            "stalled": _flag_count(g["plans_stalled"]),
            "withdrawn": cells.count_cell(g["plans_withdrawn"]),
        })
    total = {
        "grantee": cells.text_cell(f"{region_name(region)}: all {h['grantees']} grantees"),
        "type": cells.text_cell(None), "requests": cells.count_cell(h["requests"]),
        "in_period": cells.count_cell(h["requests_in_period"]),
        "final": cells.count_cell(h["plans_final"]), "open": cells.count_cell(h["plans_open"]),
        "late": _flag_count(h["plans_late"]), "stalled": _flag_count(h["plans_stalled"]),
        "withdrawn": cells.count_cell(h["plans_withdrawn"]),
    }
    timeliness_table = table(
        "plans-by-grantee", "Plan timeliness by grantee",
        [column("grantee", "Grantee"), column("type", "Type"),
         column("requests", "TA requests", True), column("in_period", "in the period", True),
         column("final", "Plans final or closed", True), column("open", "Plans open", True),
         column("late", "Late", True), column("stalled", "Stalled", True),
         column("withdrawn", "Withdrawn", True)], timeliness, total=total,
        note=_plan_note(targets, stalled_days) + " Late: a plan (not withdrawn) late on "
        "intermediate or on final.")
    problem_table = table(
        "late-stalled-plans", "Late and stalled plans",
        PROBLEM_COLUMNS,
        [_plan_row(p, grantee=grantee_cell(p["grantee_id"])) for p in plans],
        note="Every plan of the region's grantees that is stalled or late on a stage "
        "(withdrawn plans apart), stalled first, longest without a change first.")

    # Needs: every topic's trend against the nation, and the rising ones over time.
    trend_rows = []
    for r in trend:
        rising = {"text": "rising faster than the nation", "state": "value",
                  "flag": "not-met"} if r["is_rising_vs_nation"] else cells.text_cell("no")
        trend_rows.append({
            "topic": cells.text_cell(_topic(r["topic"])),
            "recent": cells.count_cell(r["requests_recent"]),
            "prior": cells.count_cell(r["requests_prior"]),
            "change": _signed_count(r["change"]),
            "growth": _growth(r["region_growth"]) if r["requests_prior"] or r["requests_recent"]
            else dict(cells.MISSING),
            "national_recent": cells.count_cell(r["national_recent"]),
            "national_prior": cells.count_cell(r["national_prior"]),
            "national_growth": _growth(r["national_growth"]),
            "rising": rising,
        })
    trend_table = table(
        "needs-trend", "Needs by topic: the region against the nation",
        [column("topic", "Topic"), column("recent", "Region: last 365 days", True),
         column("prior", "Region: 365 days before", True), column("change", "Change", True),
         column("growth", "Region: growth", True),
         column("national_recent", "Nation: last 365 days", True),
         column("national_prior", "Nation: 365 days before", True),
         column("national_growth", "Nation: growth", True),
         column("rising", "Rising faster than the nation")], trend_rows,
        note="Non-withdrawn TA requests submitted by the region's grantees (the nation: every "
        "grantee). Rising faster than the nation: at least 3 requests in the last 365 days, "
        "more than in the 365 before, and either new or growing faster than the nation's.")
    rising = [r for r in trend if r["is_rising_vs_nation"]]
    drawn = [r["topic"] for r in (rising or trend)[:MAX_TREND_TOPICS]]

    # Peer learning and follow-up, per grantee.
    participation = []
    for g in grantees:
        participation.append({
            "grantee": grantee_cell(g["grantee_id"]),
            "opportunities": cells.text_cell("; ".join(opportunities.get(g["grantee_id"], []))
                                             or "none"),
            "cohorts": cells.count_cell(g["cohorts_joined"]),
            "attendance": _rate_of(g["attendance_rate"], g["sessions_attended"],
                                   g["sessions_delivered"]),
            "surveys": cells.count_cell(g["survey_responses"]),
            "windows": cells.count_cell(g["followup_windows_complete"]),
            "took_up": cells.count_cell(g["followup_took_up"]),
            "uptake": _rate_of(g["followup_uptake_rate"], g["followup_took_up"],
                               g["followup_windows_complete"]),
            "ta_in_period": _yes_no(g["has_ta_in_period"], no="no TA in the period",
                                    flag_no=True),
        })
    participation_table = table(
        "peer-learning-by-grantee", "Peer learning and follow-up TA, by grantee",
        [column("grantee", "Grantee"), column("opportunities", "Opportunities joined"),
         column("cohorts", "Cohorts", True), column("attendance", "Attendance", True),
         column("surveys", "Survey responses", True),
         column("windows", "Follow-up windows closed", True),
         column("took_up", "Took up follow-up TA", True), column("uptake", "Uptake", True),
         column("ta_in_period", "TA in the period")], participation,
        note=f"Attendance: sessions attended of the sessions delivered in its cohorts. TA in "
        f"the period ({period['start']} to {period['end']}): a request submitted or a "
        "delivered session attended. " + UPTAKE_UNIT)

    def names_where(key: str) -> list[str]:
        return [names[g["grantee_id"]] for g in grantees if g[key]]

    return {
        "title": f"{region_name(region)}: TA planning",
        "as_of": as_of.isoformat(),
        "region": {"id": region, "name": region_name(region), "grantees": h["grantees"]},
        "period": period,
        "headline": _headline(h, rising, names_where("plans_late"),
                              names_where("plans_stalled"), names_where("cohorts_joined"),
                              names_where("followup_took_up"), names_where("no_ta_in_period")),
        "timeliness": timeliness_table,
        "problems": problem_table,
        "trend": trend_table,
        "needs_chart": _needs_chart(quarters, drawn, region),
        "needs_quarters_topics": [_topic(t) for t in drawn],
        "participation": participation_table,
        "grantees": [{"id": g["grantee_id"], "name": names[g["grantee_id"]],
                      "href": profile_href(g["grantee_id"])} for g in grantees],
        "min_cell_size": 0,
    }


def has_planning_marts(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse holds the TA planning marts (one built before them does not)."""
    return bool(rows(con, "select 1 from information_schema.tables where table_schema = "
                     "'marts' and table_name = 'agg_ta_planning_region'"))


def regions(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The ACF regions with grantees, each gets a report (none in a warehouse without the
    TA planning marts: ``plcqi transform`` builds them)."""
    if not has_planning_marts(con):
        return []
    return [r["acf_region"] for r in rows(
        con, "select acf_region from marts.agg_ta_planning_region order by acf_region")]


def grantees(con: duckdb.DuckDBPyConnection, region: int | None = None,
             every: bool = False) -> list[dict]:
    """The grantees with a profile (``grantee_id``, ``grantee_name``, ``acf_region``): those of
    ``region``, or with ``every`` all of them (those with no region too)."""
    if not has_planning_marts(con):
        return []
    sql = ("select grantee_id, grantee_name, acf_region from marts.fct_grantee_profile "
           "{where} order by acf_region nulls last, grantee_name, grantee_id")
    if every:
        return rows(con, sql.format(where=""))
    return rows(con, sql.format(where="where acf_region = ?"), [region])


def profile_page(grantee: dict, as_of: date) -> str:
    return layout.grantee_page(grantee["grantee_id"], grantee["acf_region"], as_of)
