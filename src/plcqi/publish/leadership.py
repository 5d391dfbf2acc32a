"""The leadership report's context: follow-up TA uptake across centers against the
non-participant baseline (from ``agg_uptake_trend``), by quarter and center, by format and by
intended outcome, reach per center, grantees with no TA at all, which opportunities have a
theory of change, and open windows apart."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import duckdb

from plcqi.publish import cells, charts, headlines, periods, ta
from plcqi.publish.tables import column, table
from plcqi.publish.warehouse import rows

UPTAKE_NOTE = ("Complete six-month windows only. Baseline: the related-request rate of "
               "non-participating grantees of the same types in the same window.")


def _cohort_baselines(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    found = rows(con, """
        select cohort_id,
            max(case when metric = 'followup_uptake_rate' then value end)
            - max(case when metric = 'followup_lift' then value end) as baseline
        from marts.fct_phase_metrics
        where metric in ('followup_uptake_rate', 'followup_lift')
        group by cohort_id
    """)
    return {r["cohort_id"]: r["baseline"] for r in found if r["baseline"] is not None}


def _group_uptake(uptake: list[dict], baselines: dict[str, float], key: str,
                  min_cell_size: int) -> list[dict]:
    """Uptake, baseline and lift per value of ``key`` over complete windows; complementary
    suppression across the groups (their total is the headline)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in uptake:
        if r["window_complete"]:
            groups[r[key] or "unknown"].append(r)
    out = []
    for name, members in sorted(groups.items()):
        n = len(members)
        took = sum(1 for r in members if r["took_up_related"])
        rate = cells.rate_cell(took, n, min_cell_size)
        b = [baselines[r["cohort_id"]] for r in members if r["cohort_id"] in baselines]
        base = cells.rate_cell(None, n, min_cell_size, sum(b) / len(b)) if b else dict(
            cells.MISSING)
        out.append({"name": name, "n": n, "rate": rate, "base": base,
                    "b": sum(b) / len(b) if b else None,
                    "cohorts": len({r["cohort_id"] for r in members})})
    hidden = cells.complement([g["rate"] for g in out], min_cell_size)
    for g, rate in zip(out, hidden, strict=True):
        g["rate"] = rate
        if cells.is_hidden(rate):
            g["base"], g["lift"] = dict(rate), dict(rate)
        elif rate["state"] == "missing" or g["b"] is None:
            g["lift"] = dict(cells.MISSING)
        else:
            g["lift"] = cells.lift_cell(rate["raw"] - g["b"], g["n"], min_cell_size)
    return out


def _group_table(table_id: str, caption: str, label: str, groups: list[dict]) -> dict:
    return table(
        table_id, caption,
        [column("name", label), column("cohorts", "Cohorts", True),
         column("n", "Participating grantee-cohorts", True),
         column("rate", "Took up related TA", True), column("base", "Baseline", True),
         column("lift", "Lift", True)],
        [{"name": cells.text_cell(g["name"]), "cohorts": cells.count_cell(g["cohorts"]),
          "n": cells.count_cell(g["n"]), "rate": g["rate"], "base": g["base"],
          "lift": g["lift"]} for g in groups],
        note=UPTAKE_NOTE)


def _group_chart(chart_id: str, title: str, groups: list[dict], label: str, t: dict):
    bars = [{"name": g["name"], "value": cells.raw(g["rate"]),
             "hidden": charts.hidden_text(g["rate"]),
             "baseline": None if cells.is_hidden(g["rate"]) else g["b"]} for g in groups]
    if not any(b["value"] is not None for b in bars):
        return None
    return charts.chart(
        chart_id, title,
        f"Bars: follow-up TA uptake per {label.lower()} ({len(bars)} groups, complete windows); "
        "black ticks: the non-participant baseline."
        + (" Grey placeholders: too few grantees to show." if any(b["hidden"] for b in bars)
           else ""),
        t,
        charts.rate_bars(bars, category="name", category_title=None,
                         value_title="Took up related follow-up TA", description=title,
                         baseline="baseline", sort=[b["name"] for b in bars]))


def build(con: duckdb.DuckDBPyConnection, as_of: date, *, min_cell_size: int = 3) -> dict:
    centers = rows(con, "select * from marts.dim_centers order by center_id")
    names = {c["center_id"]: c["center_name"] for c in centers}
    trend = rows(con, "select * from marts.agg_uptake_trend "
                 "order by quarter_start_on nulls last, center_id")
    uptake = rows(con, """
        select u.*, o.opportunity_format, o.intended_outcome
        from marts.fct_followup_uptake u
        inner join marts.dim_opportunities o using (opportunity_id)
    """)
    opportunities = rows(con, "select * from marts.dim_opportunities "
                         "order by center_id, opportunity_id")
    att = rows(con, "select grantee_id, session_on, has_attended from marts.fct_attendance "
               "where has_attended")
    grantees = rows(con, "select grantee_id from marts.dim_grantees order by grantee_id")
    requests = rows(con, "select grantee_id, submitted_on, is_withdrawn "
                    "from marts.fct_ta_requests")
    cohorts = rows(con, "select center_id, invited_grantees, participating_grantees "
                   "from marts.dim_cohorts")
    baselines = _cohort_baselines(con)
    prev = periods.previous_as_of(as_of)
    start, _ = periods.period(as_of)
    prev_start, _ = periods.period(prev)

    # ---- headline
    up_now, base_now, lift_now = headlines.uptake_at(uptake, baselines, as_of, min_cell_size)
    up_prev, base_prev, lift_prev = headlines.uptake_at(uptake, baselines, prev, min_cell_size)
    reached = {r["grantee_id"] for r in att if start <= r["session_on"] <= as_of}
    reached_prev = {r["grantee_id"] for r in att if prev_start <= r["session_on"] <= prev}
    open_now = sum(1 for r in uptake if not r["window_complete"])
    r_now, r_prev = cells.count_cell(len(reached)), cells.count_cell(len(reached_prev))
    ids = [g["grantee_id"] for g in grantees]
    no_ta = ta.without_cell(ids, ta.with_ta(requests, att, start, as_of))
    no_ta_prev = ta.without_cell(ids, ta.with_ta(requests, att, prev_start, prev))
    with_toc = sum(1 for o in opportunities if o["has_theory_of_change"])
    headline = [
        headlines.headline("Follow-up TA uptake, all centers", up_now, up_prev,
                  headlines.change(up_now, up_prev, min_cell_size), UPTAKE_NOTE),
        headlines.headline("Baseline: non-participants' uptake", base_now, base_prev,
                  headlines.change(base_now, base_prev, min_cell_size),
                  "cohort baselines weighted by participating grantees"),
        headlines.headline("Uptake lift over the baseline", lift_now, lift_prev,
                  headlines.change(lift_now, lift_prev, min_cell_size)),
        headlines.headline("Grantee-cohorts with a window still open",
                           cells.count_cell(open_now), None,
                  None, "shown apart: no final rate until the window closes"),
        headlines.headline("Grantees reached in the period", r_now, r_prev,
                  headlines.change(r_now, r_prev, min_cell_size, "count"),
                  f"attended at least one session of any center, out of {len(grantees)}"),
        headlines.headline("Grantees with no TA at all in the period", no_ta, no_ta_prev,
                  headlines.change(no_ta, no_ta_prev, min_cell_size, "count"),
                  f"out of all {len(grantees)} grantees: neither a TA request to any center "
                  "(withdrawn ones do not count) nor an attended session"),
        headlines.headline("Opportunities with a theory of change",
                  {"text": f"{with_toc} of {len(opportunities)}", "state": "value",
                   "raw": with_toc}, None, None, "reference data: current state only"),
    ]

    # ---- by quarter (all centers) and by quarter x center, from agg_uptake_trend
    complete = [r for r in trend if r["quarter"] is not None
                and r["participating_grantee_cohorts"]]
    quarters = sorted({r["quarter"] for r in complete})
    pooled_rows, lines = [], []
    by_q: dict[str, list[dict]] = defaultdict(list)
    for r in complete:
        by_q[r["quarter"]].append(r)
    for qtr in quarters:
        rs = by_q[qtr]
        n = sum(r["participating_grantee_cohorts"] for r in rs)
        took = sum(r["took_up_related"] for r in rs)
        bn = sum(r["baseline_grantee_cohorts"] for r in rs)
        bt = sum(r["baseline_took_up_related"] for r in rs)
        rate = cells.rate_cell(took, n, min_cell_size)
        base = cells.rate_cell(bt, bn, min_cell_size)
        lift = (cells.lift_cell(took / n - bt / bn, n, min_cell_size)
                if n and bn else dict(cells.MISSING))
        pooled_rows.append({"quarter": cells.text_cell(qtr), "n": cells.count_cell(n),
                            "rate": rate, "base": base, "lift": lift})
        lines.append({"quarter": qtr, "series": "All centers", "kind": "participants",
                      "value": cells.raw(rate)})
        lines.append({"quarter": qtr, "series": "Baseline (non-participants)",
                      "kind": "baseline", "value": cells.raw(base)})
    pooled_table = table(
        "uptake-by-quarter", "Follow-up TA uptake by quarter the cohort ended, all centers",
        [column("quarter", "Quarter"), column("n", "Participating grantee-cohorts", True),
         column("rate", "Took up related TA", True), column("base", "Baseline", True),
         column("lift", "Lift", True)], pooled_rows, note=UPTAKE_NOTE)
    pooled_chart = charts.chart(
        "trend-all", "Follow-up TA uptake by quarter, against the baseline",
        f"Solid line: share of participating grantees taking up related follow-up TA, by "
        f"quarter the cohort ended ({len(quarters)} quarters with complete windows); dashed: "
        f"the non-participant baseline.",
        pooled_table, charts.trend_lines(lines, description="uptake trend", quarters=quarters),
    ) if any(x["value"] is not None for x in lines) else None

    center_rows, center_lines = [], []
    for qtr in quarters:
        group = []
        for r in by_q[qtr]:
            group.append({
                "r": r,
                "rate": cells.rate_cell(r["took_up_related"], r["participating_grantee_cohorts"],
                                        min_cell_size)})
        hidden = cells.complement([g["rate"] for g in group], min_cell_size)
        for g, rate in zip(group, hidden, strict=True):
            r = g["r"]
            base = cells.rate_cell(r["baseline_took_up_related"], r["baseline_grantee_cohorts"],
                                   min_cell_size)
            lift = (dict(rate) if cells.is_hidden(rate) else
                    cells.lift_cell(r["uptake_lift"], r["participating_grantee_cohorts"],
                                    min_cell_size))
            center_rows.append({
                "quarter": cells.text_cell(qtr),
                "center": cells.text_cell(names.get(r["center_id"], r["center_id"]),
                                          r["center_id"]),
                "n": cells.count_cell(r["participating_grantee_cohorts"]),
                "rate": rate, "base": base, "lift": lift,
                "days": dict(rate) if cells.is_hidden(rate) else cells.count_cell(
                    r["median_days_to_first_followup"], "days")})
            center_lines.append({"quarter": qtr, "series": r["center_id"],
                                 "kind": "participants", "value": cells.raw(rate)})
    center_table = table(
        "uptake-by-quarter-center", "Follow-up TA uptake by quarter and center",
        [column("quarter", "Quarter"), column("center", "Center"),
         column("n", "Participating grantee-cohorts", True),
         column("rate", "Took up related TA", True), column("base", "Baseline", True),
         column("lift", "Lift", True), column("days", "Median days to first request", True)],
        center_rows, note=UPTAKE_NOTE)
    center_chart = charts.chart(
        "trend-centers", "Follow-up TA uptake by quarter and center",
        "One line per center: share of participating grantees taking up related follow-up "
        "TA, by quarter the cohort ended; points with too few grantees are left out.",
        center_table,
        charts.trend_lines(center_lines, description="uptake by center", quarters=quarters),
    ) if any(x["value"] is not None for x in center_lines) else None

    # ---- open windows apart
    open_rows = [
        {"center": cells.text_cell(names.get(r["center_id"], r["center_id"]), r["center_id"]),
         "quarter": cells.text_cell(r["quarter"] or "ongoing (no end yet)"),
         "open": cells.count_cell(r["open_window_grantee_cohorts"]),
         "status": cells.text_cell("window still open")}
        for r in trend if r["open_window_grantee_cohorts"]
    ]
    open_table = table(
        "uptake-open", "Grantee-cohorts whose follow-up window is still open",
        [column("center", "Center"), column("quarter", "Quarter the cohort ended"),
         column("open", "Grantee-cohorts", True), column("status", "Status")], open_rows,
        note="No uptake rate is reported until the six-month window closes.")

    # ---- by format and intended outcome
    fmt = _group_uptake(uptake, baselines, "opportunity_format", min_cell_size)
    fmt_table = _group_table("uptake-by-format", "Follow-up TA uptake by format", "Format", fmt)
    outcome = _group_uptake(uptake, baselines, "intended_outcome", min_cell_size)
    outcome_table = _group_table("uptake-by-outcome", "Follow-up TA uptake by intended outcome",
                                 "Intended outcome", outcome)

    # ---- reach: grantees reached out of those invited, per center (summed over cohorts)
    reach_rows = []
    for c in centers:
        mine = [k for k in cohorts if k["center_id"] == c["center_id"]]
        invited = sum(k["invited_grantees"] or 0 for k in mine)
        part = sum(k["participating_grantees"] or 0 for k in mine)
        reach_rows.append({
            "center": cells.text_cell(c["center_name"], c["center_id"]),
            "cohorts": cells.count_cell(len(mine)), "invited": cells.count_cell(invited),
            "participating": cells.count_cell(part),
            "reach": cells.rate_cell(part, invited, min_cell_size)})
    invited = sum(k["invited_grantees"] or 0 for k in cohorts)
    part = sum(k["participating_grantees"] or 0 for k in cohorts)
    reach_table = table(
        "reach-by-center", "Grantees reached out of those invited, by center",
        [column("center", "Center"), column("cohorts", "Cohorts", True),
         column("invited", "Invited grantee-cohorts", True),
         column("participating", "Participating grantee-cohorts", True),
         column("reach", "Participating / invited", True)], reach_rows,
        total={"center": cells.text_cell("All centers"),
               "cohorts": cells.count_cell(len(cohorts)), "invited": cells.count_cell(invited),
               "participating": cells.count_cell(part),
               "reach": cells.rate_cell(part, invited, min_cell_size)} if reach_rows else None,
        note="Summed over each center's cohorts (a grantee in two cohorts counts twice). "
        "Participating: at least one participant attended at least one delivered session "
        "(registration alone is not participation).")

    # ---- theories of change
    toc_rows = [
        {"center": cells.text_cell(o["center_id"]),
         "opportunity": cells.text_cell(o["opportunity_title"], o["opportunity_id"]),
         "format": cells.text_cell(o["opportunity_format"]),
         "toc": ({"text": "yes", "state": "value", "flag": "met"} if o["has_theory_of_change"]
                 else {"text": "no theory of change", "state": "value", "flag": "no-toc"}),
         "targets": cells.count_cell(o["toc_targets"])}
        for o in opportunities
    ]
    toc_table = table(
        "theories-of-change", "Opportunities with a theory of change (measurable targets)",
        [column("center", "Center"), column("opportunity", "Opportunity"),
         column("format", "Format"), column("toc", "Theory of change"),
         column("targets", "Targets", True)], toc_rows)
    per_center = []
    for c in centers:
        mine = [o for o in opportunities if o["center_id"] == c["center_id"]]
        per_center.append({
            "center": cells.text_cell(c["center_name"], c["center_id"]),
            "opportunities": cells.count_cell(len(mine)),
            "with": cells.count_cell(sum(1 for o in mine if o["has_theory_of_change"])),
            "without": cells.count_cell(sum(1 for o in mine if not o["has_theory_of_change"])),
        })
    toc_summary = table(
        "toc-by-center", "Theories of change by center",
        [column("center", "Center"), column("opportunities", "Opportunities", True),
         column("with", "With a theory of change", True),
         column("without", "Without", True)], per_center)

    return {
        "kind": "leadership",
        "title": "Follow-up TA uptake across centers",
        "as_of": as_of.isoformat(),
        "previous_as_of": prev.isoformat(),
        "period": {"start": start.isoformat(), "end": as_of.isoformat()},
        "min_cell_size": min_cell_size,
        "headline": headline,
        "trend": {"chart": pooled_chart, "table": pooled_table},
        "by_center": {"chart": center_chart, "table": center_table},
        "open": open_table,
        "reach": reach_table,
        "by_format": {"chart": _group_chart("by-format", "Uptake by format", fmt, "Format",
                                            fmt_table), "table": fmt_table},
        "by_outcome": {"chart": _group_chart("by-outcome", "Uptake by intended outcome",
                                             outcome, "Intended outcome", outcome_table),
                       "table": outcome_table},
        "toc": toc_table,
        "toc_summary": toc_summary,
    }
