"""The center report's context: everything the template prints, built from the marts.

Only the center's own opportunities and cohorts are read (``where center_id = ?`` in every
query): a center's report holds no other center's cohorts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from plcqi.publish import (
    cells,
    charts,
    comments,
    headlines,
    periods,
    quality,
    rules,
    sections,
    ta,
)
from plcqi.publish import metrics as m
from plcqi.publish.tables import column, table
from plcqi.publish.warehouse import PublishError, rows


def build(con: duckdb.DuckDBPyConnection, data_dir: Path, center_id: str, as_of: date, *,
          min_cell_size: int = 3, include_comments: bool = False,
          quality_context: dict | None = None) -> dict:
    """The full context of one center's report."""
    found = rows(con, "select * from marts.dim_centers where center_id = ?", [center_id])
    if not found:
        raise PublishError(f"no center {center_id!r} in the marts")
    center = found[0]
    q = [center_id]
    opportunities = rows(con, "select * from marts.dim_opportunities where center_id = ? "
                         "order by opportunity_id", q)
    cohorts = rows(con, "select * from marts.dim_cohorts where center_id = ? "
                   "order by opportunity_id, cohort_number, cohort_id", q)
    phase = rows(con, "select * from marts.fct_phase_metrics where center_id = ? "
                 "order by cohort_id, phase_number, metric", q)
    att = rows(con, "select a.*, g.grantee_name from marts.fct_attendance a left join "
               "marts.dim_grantees g using (grantee_id) where a.center_id = ? "
               "order by a.cohort_id, a.delivered_number, a.grantee_id", q)
    uptake = rows(con, "select u.*, g.grantee_name from marts.fct_followup_uptake u left join "
                  "marts.dim_grantees g using (grantee_id) where u.center_id = ? "
                  "order by u.cohort_id, u.grantee_id", q)
    poll_rows = rows(con, "select * from marts.fct_poll_results where center_id = ?", q)
    survey_rows = rows(con, "select * from marts.fct_survey_outcomes where center_id = ?", q)
    # TA requests to this center: its own, or with one of its opportunities as the source.
    requests = rows(con, "select * from marts.fct_ta_requests where center_id = ? or "
                    "source_opportunity_id in (select opportunity_id from "
                    "marts.dim_opportunities where center_id = ?) order by request_id",
                    [center_id, center_id])
    grantees = rows(con, "select grantee_id, grantee_name, grantee_type from marts.dim_grantees "
                    "order by grantee_id")
    names = {g["grantee_id"]: g["grantee_name"] for g in grantees}

    prev = periods.previous_as_of(as_of)
    start, _ = periods.period(as_of)
    prev_start, _ = periods.period(prev)

    # ---- phase metric cells, with complementary suppression of the totalled metrics
    metric_rows = headlines.by_key(phase, "cohort_id")
    value_cells: dict[str, dict[str, dict]] = {}
    for cid, mrs in metric_rows.items():
        value_cells[cid] = {r["metric"]: m.value_cell(r["metric"], r["value"], r["numerator"],
                                                       r["denominator"], min_cell_size)
                            for r in mrs}
    cids = [c["cohort_id"] for c in cohorts if c["cohort_id"] in value_cells]
    for metric in headlines.TOTALLED:
        group = [value_cells[c][metric] for c in cids if metric in value_cells[c]]
        done = iter(cells.complement(group, min_cell_size))
        for c in cids:
            if metric in value_cells[c]:
                value_cells[c][metric] = next(done)
    for c in cids:  # the lift is hidden with the uptake it is computed from
        if "followup_lift" in value_cells[c] and cells.is_hidden(
                value_cells[c].get("followup_uptake_rate", cells.MISSING)):
            value_cells[c]["followup_lift"] = dict(value_cells[c]["followup_uptake_rate"])

    baselines = {}
    for r in phase:
        if r["metric"] == "followup_lift" and r["value"] is not None:
            rate = next((x["value"] for x in metric_rows[r["cohort_id"]]
                         if x["metric"] == "followup_uptake_rate"), None)
            if rate is not None:
                baselines[r["cohort_id"]] = rate - r["value"]

    # ---- headline figures
    def reached(lo: date, hi: date) -> set[str]:
        return {r["grantee_id"] for r in att if r["has_attended"] and lo <= r["session_on"] <= hi}

    def active(lo: date, hi: date) -> int:
        return len({r["cohort_id"] for r in att if lo <= r["session_on"] <= hi})

    reach_now, reach_prev = reached(start, as_of), reached(prev_start, prev)
    att_now = headlines.attendance_at(att, as_of, min_cell_size)
    att_prev = headlines.attendance_at(att, prev, min_cell_size)
    up_now, base_now, lift_now = headlines.uptake_at(uptake, baselines, as_of, min_cell_size)
    up_prev, base_prev, lift_prev = headlines.uptake_at(uptake, baselines, prev, min_cell_size)
    with_toc = sum(1 for o in opportunities if o["has_theory_of_change"])
    # A verdict on a hidden figure would tell whether it met its target: left out.
    verdicts = [r["target_met"] for r in phase if r["target_met"] is not None
                and not cells.is_hidden(value_cells[r["cohort_id"]][r["metric"]])]
    a_now, a_prev = cells.count_cell(active(start, as_of)), cells.count_cell(
        active(prev_start, prev))
    r_now, r_prev = cells.count_cell(len(reach_now)), cells.count_cell(len(reach_prev))
    ids = [g["grantee_id"] for g in grantees]
    no_now = ta.without_cell(ids, ta.with_ta(requests, att, start, as_of))
    no_prev = ta.without_cell(ids, ta.with_ta(requests, att, prev_start, prev))
    headline = [
        headlines.headline("Cohorts with sessions in the period", a_now, a_prev,
                  headlines.change(a_now, a_prev, min_cell_size, "count")),
        headlines.headline("Grantees reached in the period", r_now, r_prev,
                  headlines.change(r_now, r_prev, min_cell_size, "count"),
                  "attended at least one of this center's sessions in the period"),
        headlines.headline("Grantees with no TA at all in the period", no_now, no_prev,
                  headlines.change(no_now, no_prev, min_cell_size, "count"),
                  f"out of all {len(grantees)} grantees: neither a TA request to this center "
                  "(withdrawn ones do not count) nor an attended session of this center"),
        headlines.headline("Attendance, all cohorts to date", att_now, att_prev,
                  headlines.change(att_now, att_prev, min_cell_size),
                  "attended grantee-sessions / (participating grantees × delivered sessions)"),
        headlines.headline("Follow-up TA uptake, complete windows", up_now, up_prev,
                  headlines.change(up_now, up_prev, min_cell_size),
                  "participating grantees with a related TA request within six months of the "
                  "cohort's end"),
        headlines.headline("Baseline: non-participants' uptake", base_now, base_prev,
                  headlines.change(base_now, base_prev, min_cell_size)),
        headlines.headline("Uptake lift over the baseline", lift_now, lift_prev,
                  headlines.change(lift_now, lift_prev, min_cell_size)),
        headlines.headline("Targets met (cohort × metric)",
                  cells.rate_cell(sum(verdicts), len(verdicts), min_cell_size), None, None,
                  "targets from the opportunities' theories of change; figures suppressed "
                  "for small numbers are left out; the marts hold one as-of date, so no "
                  "previous figure"),
        headlines.headline("Opportunities with a theory of change",
                  {"text": f"{with_toc} of {len(opportunities)}", "state": "value",
                   "raw": with_toc}, None, None, "reference data: current state only"),
    ]

    # ---- reach per cohort (grantees reached out of those invited)
    reach_rows = []
    for c in cohorts:
        reach_rows.append({
            "cohort": cells.text_cell(c["cohort_id"]),
            "invited": cells.count_cell(c["invited_grantees"]),
            "registered": cells.count_cell(c["registered_grantees"]),
            "participating": cells.count_cell(c["participating_grantees"]),
            "reach": cells.rate_cell(c["participating_grantees"], c["invited_grantees"],
                                     min_cell_size),
        })
    reach = table(
        "reach", "Grantees reached out of those invited, by cohort",
        [column("cohort", "Cohort"), column("invited", "Invited", True),
         column("registered", "Registered", True),
         column("participating", "Participating", True),
         column("reach", "Participating / invited", True)], reach_rows,
        note="Participating: at least one participant attended at least one delivered session "
        "(registration alone is not participation).")

    # ---- opportunities and cohorts
    att_by = headlines.by_key(att, "cohort_id")
    polls_by = headlines.by_key(poll_rows, "cohort_id")
    surveys_by = headlines.by_key(survey_rows, "cohort_id")
    found_comments = (comments.survey_comments(data_dir, [c["cohort_id"] for c in cohorts],
                                               as_of, min_cell_size)
                      if include_comments else {})
    cohorts_by_opp = headlines.by_key(cohorts, "opportunity_id")
    opp_blocks, facts = [], []
    for o in opportunities:
        has_toc = bool(o["has_theory_of_change"])
        blocks = []
        for c in cohorts_by_opp.get(o["opportunity_id"], []):
            cid = c["cohort_id"]
            mrs = metric_rows.get(cid, [])
            targets = {r["metric"]: (r["target_comparator"], r["target_value"]) for r in mrs
                       if r["target_comparator"] is not None and r["target_value"] is not None}
            poll_target = targets.get("poll_favorable_rate", (None, None))[1]
            if c["first_delivered_on"] is None:
                status = "not started"
            elif c["is_ongoing"]:
                status = f"ongoing since {c['first_delivered_on']}"
            else:
                status = f"{c['first_delivered_on']} to {c['cohort_end_on']}"
            blocks.append({
                "id": cid,
                "label": c["cohort_label"] or f"Cohort {c['cohort_number']}",
                "status": status,
                "sessions": f"{c['delivered_sessions']} of {c['planned_sessions']} planned "
                f"sessions delivered" if c["planned_sessions"] else
                f"{c['delivered_sessions']} sessions delivered",
                "scorecard": sections.scorecard(cid, mrs, value_cells.get(cid, {}), has_toc),
                "attendance": sections.attendance(cid, att_by.get(cid, []), names,
                                                  min_cell_size, targets),
                "polls": sections.polls(cid, polls_by.get(cid, []), min_cell_size,
                                        poll_target),
                "surveys": sections.surveys(cid, surveys_by.get(cid, []), min_cell_size),
                "comments": found_comments.get(cid, []),
            })
            facts.append(rules.CohortFacts(
                cohort_id=cid, opportunity_id=o["opportunity_id"],
                opportunity_title=o["opportunity_title"],
                participation_mode=o["participation_mode"],
                attendance_expectation=o["attendance_expectation"],
                has_theory_of_change=has_toc, window_complete=bool(c["window_complete"]),
                metrics={r["metric"]: rules.Metric(r["value"], r["numerator"], r["denominator"])
                         for r in mrs},
                min_cell_size=min_cell_size,
            ))
        opp_blocks.append({
            "id": o["opportunity_id"],
            "title": o["opportunity_title"],
            "facts": [
                ("Format", o["opportunity_format"]), ("Topic", o["topic"]),
                ("Intended outcome", o["intended_outcome"]),
                ("Participation", o["participation_mode"]),
                ("Attendance expected", o["attendance_expectation"]),
                ("Follow-up offered", o["followup_offered"]),
                ("Runs", f"{o['start_on']} to {o['end_on'] or 'ongoing'}"),
            ],
            "has_toc": has_toc,
            "toc_targets": o["toc_targets"],
            "cohorts": blocks,
        })

    # ---- follow-up uptake: complete windows (with baseline and lift) and open ones apart
    up_by = headlines.by_key(uptake, "cohort_id")
    complete_rows, bars, open_rows = [], [], []
    for c in cohorts:
        cid = c["cohort_id"]
        if not up_by.get(cid):
            continue
        n = len(up_by[cid])
        if c["window_complete"]:
            vc = value_cells.get(cid, {})
            rate = vc.get("followup_uptake_rate", cells.rate_cell(None, 0, min_cell_size))
            base = cells.rate_cell(None, n, min_cell_size, baselines.get(cid)) \
                if cid in baselines else dict(cells.MISSING)
            if cells.is_hidden(rate):
                base = dict(rate)
            complete_rows.append({
                "cohort": cells.text_cell(cid), "ended": cells.text_cell(str(c["cohort_end_on"])),
                "window": cells.text_cell(str(c["window_end_on"])),
                "grantees": cells.count_cell(n), "uptake": rate, "baseline": base,
                "lift": vc.get("followup_lift", dict(cells.MISSING)),
                "days": vc.get("median_days_to_followup", dict(cells.MISSING))
                if not cells.is_hidden(rate) else dict(rate),
            })
            bars.append({"cohort": cid, "value": cells.raw(rate),
                         "hidden": charts.hidden_text(rate),
                         "baseline": None if cells.is_hidden(rate) else baselines.get(cid),
                         "target": next((r["target_value"] for r in metric_rows.get(cid, [])
                                         if r["metric"] == "followup_uptake_rate"), None)})
        else:
            open_rows.append({
                "cohort": cells.text_cell(cid),
                "ended": cells.text_cell(str(c["cohort_end_on"])) if c["cohort_end_on"]
                else cells.text_cell("ongoing"),
                "window": cells.text_cell(str(c["window_end_on"])) if c["window_end_on"]
                else cells.text_cell("after the cohort ends"),
                "grantees": cells.count_cell(n),
                "status": cells.text_cell("window still open"),
            })
    uptake_cols = [column("cohort", "Cohort"), column("ended", "Cohort ended"),
                   column("window", "Window closed"),
                   column("grantees", "Participating grantees", True),
                   column("uptake", "Took up related TA", True),
                   column("baseline", "Baseline", True), column("lift", "Lift", True),
                   column("days", "Median days to first request", True)]
    total = {"cohort": cells.text_cell("All complete windows"), "ended": dict(cells.MISSING),
             "window": dict(cells.MISSING),
             "grantees": cells.count_cell(sum(r["grantees"]["raw"] for r in complete_rows)),
             "uptake": up_now, "baseline": base_now, "lift": lift_now,
             "days": dict(cells.MISSING)}
    uptake_table = table("uptake", "Follow-up TA uptake by cohort (complete six-month windows)",
                         uptake_cols, complete_rows, total=total if complete_rows else None,
                         note="Baseline: the same related-request rate among grantees of the "
                         "same types that did not take part in the cohort.")
    uptake_chart = None
    if any(b["value"] is not None for b in bars):
        uptake_chart = charts.chart(
            "uptake-chart", "Follow-up TA uptake vs baseline, by cohort",
            f"Bars: share of participating grantees that requested related TA within six months "
            f"of the cohort's end, for {len(bars)} cohorts with complete windows; black ticks: "
            f"the non-participant baseline."
            + (" Red ticks: the opportunity's target." if any(b["target"] is not None
                                                              for b in bars) else "")
            + (" Grey placeholders: too few grantees to show." if any(b["hidden"] for b in bars)
               else "")
            + f" Overall {up_now['text']} against a baseline of {base_now['text']}.",
            uptake_table,
            charts.rate_bars(bars, category="cohort", category_title="Cohort",
                             value_title="Took up related follow-up TA",
                             description="uptake vs baseline", baseline="baseline",
                             target_field="target", sort=[b["cohort"] for b in bars]),
        )
    # ---- which grantees took it up: complete windows only, hidden where the cohort's rate is
    shown_rates = {r["cohort"]["text"]: r["uptake"] for r in complete_rows}
    grantee_rows = []
    for r in uptake:
        rate = shown_rates.get(r["cohort_id"])
        if rate is None:
            continue  # window still open: listed apart, no outcome yet
        if cells.is_hidden(rate):
            took = first = days = other = dict(rate)
        else:
            took = cells.text_cell("yes" if r["took_up_related"] else "no")
            first = cells.text_cell(r["first_followup_on"] and str(r["first_followup_on"]))
            days = (cells.count_cell(r["days_to_first_followup"])
                    if r["days_to_first_followup"] is not None else dict(cells.MISSING))
            other = cells.count_cell(r["requests_after_any"])
        grantee_rows.append({
            "grantee": cells.text_cell(names.get(r["grantee_id"], r["grantee_id"]),
                                       r["grantee_id"]),
            "cohort": cells.text_cell(r["cohort_id"]), "took_up": took, "first": first,
            "days": days, "any": other,
        })
    grantee_table = table(
        "uptake-by-grantee", "Which participating grantees took up related follow-up TA "
        "(complete windows)",
        [column("grantee", "Grantee"), column("cohort", "Cohort"),
         column("took_up", "Related TA requested within six months"),
         column("first", "First related request"),
         column("days", "Days after the cohort's end", True),
         column("any", "Requests on any topic in the window", True)], grantee_rows,
        note="Compare with the baseline in the table above: the same rate among grantees of "
        "the same types that did not take part. Outcomes are hidden where the cohort's rate "
        "is hidden (small numbers).")

    open_table = table(
        "uptake-open", "Cohorts whose follow-up window is still open (no final rate yet)",
        [column("cohort", "Cohort"), column("ended", "Cohort ended"),
         column("window", "Window closes"), column("grantees", "Participating grantees", True),
         column("status", "Status")], open_rows)

    # ---- TA requested vs delivered, per grantee, this period and the previous one
    ta_table = ta.by_grantee(ta.counts(requests, att, start, as_of),
                             ta.counts(requests, att, prev_start, prev), names)

    return {
        "kind": "center",
        "title": f"CQI report: {center['center_name']}",
        "center": {"id": center_id, "name": center["center_name"],
                   "funding_office": center["funding_office"]},
        "as_of": as_of.isoformat(),
        "previous_as_of": prev.isoformat(),
        "period": {"start": start.isoformat(), "end": as_of.isoformat()},
        "min_cell_size": min_cell_size,
        "comments_enabled": include_comments,
        "headline": headline,
        "reach": reach,
        "opportunities": opp_blocks,
        "uptake": {"table": uptake_table, "chart": uptake_chart, "open": open_table,
                   "by_grantee": grantee_table},
        "ta_by_grantee": ta_table,
        "recommendations": rules.evaluate(facts),
        "rules": [{"id": r.id, "title": r.title, "evidence": r.evidence} for r in rules.RULES],
        "quality": quality_context if quality_context is not None
        else quality.context(data_dir, as_of, prefix="dq"),
    }
