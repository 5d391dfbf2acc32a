"""The center report's context: everything the template prints, read from the marts.

Only the center's own opportunities and cohorts are read (``where center_id = ?`` in every
query): a center's report holds no other center's cohorts. Every figure is a column of a mart
(``fct_phase_metrics``, ``rpt_cohort_summary``, ``rpt_attendance_*``, ``rpt_cohort_barriers``,
``rpt_center_ta_by_grantee``): this module reads, suppresses and formats.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from plcqi import settings
from plcqi.publish import (
    cells,
    charts,
    comments,
    headlines,
    layout,
    quality,
    rules,
    sections,
    ta,
)
from plcqi.publish.tables import column, table
from plcqi.publish.warehouse import PublishError, rows


def build(con: duckdb.DuckDBPyConnection, data_dir: Path, center_id: str, as_of: date, *,
          min_cell_size: int = 3, include_comments: bool = False,
          quality_context: dict | None = None, charted_cohorts: int | None = None) -> dict:
    """The full context of one center's report."""
    found = rows(con, "select * from marts.dim_centers where center_id = ?", [center_id])
    if not found:
        raise PublishError(f"no center {center_id!r} in the marts")
    center = found[0]
    q = [center_id]
    opportunities = rows(con, "select * from marts.dim_opportunities where center_id = ? "
                         "order by opportunity_id", q)
    cohorts = rows(con, "select c.*, s.reach_rate, s.reach_ci_low, s.reach_ci_high, "
                   "s.is_active_in_period, s.window_closed_in_period "
                   "from marts.dim_cohorts c left join marts.rpt_cohort_summary s "
                   "using (cohort_id) where c.center_id = ? "
                   "order by c.opportunity_id, c.cohort_number, c.cohort_id", q)
    phase = rows(con, "select * from marts.fct_phase_metrics where center_id = ? "
                 "order by cohort_id, phase_number, metric", q)
    grid = rows(con, "select * from marts.rpt_attendance_grid where center_id = ? "
                "order by cohort_id, delivered_number, grantee_id", q)
    session_rows = rows(con, "select * from marts.rpt_attendance_sessions where center_id = ? "
                        "order by cohort_id, delivered_number", q)
    pooled = rows(con, "select * from marts.rpt_attendance_pooled where center_id = ?", q)
    barrier_rows = rows(con, "select * from marts.rpt_cohort_barriers where center_id = ? "
                        "order by cohort_id, barrier_order", q)
    uptake = rows(con, "select u.*, g.grantee_name from marts.fct_followup_uptake u left join "
                  "marts.dim_grantees g using (grantee_id) where u.center_id = ? "
                  "order by u.cohort_id, u.grantee_id", q)
    poll_rows = rows(con, "select * from marts.fct_poll_results where center_id = ?", q)
    survey_rows = rows(con, "select * from marts.fct_survey_outcomes where center_id = ?", q)
    ta_rows = rows(con, "select * from marts.rpt_center_ta_by_grantee where center_id = ?", q)
    grantees = rows(con, "select grantee_id, grantee_name, grantee_type from marts.dim_grantees "
                    "order by grantee_id")
    names = {g["grantee_id"]: g["grantee_name"] for g in grantees}
    period_row = rows(con, "select * from marts.rpt_report_period")[0]
    start, prev = period_row["period_start_on"], period_row["previous_as_of_date"]

    # ---- phase metric cells, with complementary suppression of the totalled metrics
    metric_rows = headlines.by_key(phase, "cohort_id")
    value_cells: dict[str, dict[str, dict]] = {}
    for cid, mrs in metric_rows.items():
        value_cells[cid] = {r["metric"]: sections.metric_cell(r, min_cell_size) for r in mrs}
    cids = [c["cohort_id"] for c in cohorts if c["cohort_id"] in value_cells]
    for metric in headlines.TOTALLED:
        group = [value_cells[c][metric] for c in cids if metric in value_cells[c]]
        done = iter(cells.complement(group, min_cell_size))
        for c in cids:
            if metric in value_cells[c]:
                value_cells[c][metric] = next(done)
    for c in cids:  # the baseline and lift are hidden with the uptake they go with
        for dependent in ("followup_baseline_rate", "followup_lift"):
            if dependent in value_cells[c] and cells.is_hidden(
                    value_cells[c].get("followup_uptake_rate", cells.MISSING)):
                value_cells[c][dependent] = dict(value_cells[c]["followup_uptake_rate"])
    baseline_rows = {r["cohort_id"]: r for r in phase if r["metric"] == "followup_baseline_rate"}

    headline = _headline(con, center_id, min_cell_size)

    # ---- reach per cohort (grantees reached out of those invited; rpt_cohort_summary)
    reach_rows = []
    for c in cohorts:
        reach_cell = cells.rate(c["reach_rate"], c["invited_grantees"], min_cell_size,
                                numerator=c["participating_grantees"], low=c["reach_ci_low"],
                                high=c["reach_ci_high"])
        reach_rows.append({
            "cohort": cells.text_cell(c["cohort_id"]),
            "invited": cells.count_cell(c["invited_grantees"]),
            "registered": cells.count_cell(c["registered_grantees"]),
            "participating": cells.count_cell(c["participating_grantees"]),
            "reach": reach_cell,
            "ci": sections.interval_cell(reach_cell),
        })
    reach = table(
        "reach", "Grantees reached out of those invited, by cohort",
        [column("cohort", "Cohort"), column("invited", "Invited", True),
         column("registered", "Registered", True),
         column("participating", "Participating", True),
         column("reach", "Participating / invited", True),
         column("ci", "95% interval", True)], reach_rows,
        note="Participating: at least one participant attended at least one delivered session "
        "(registration alone is not participation).")

    # ---- attendance across cohorts (rpt_attendance_pooled)
    attendance_table = _attendance_across(opportunities, cohorts, pooled, min_cell_size)

    # ---- opportunities and cohorts
    grid_by = headlines.by_key(grid, "cohort_id")
    sessions_by = headlines.by_key(session_rows, "cohort_id")
    polls_by = headlines.by_key(poll_rows, "cohort_id")
    surveys_by = headlines.by_key(survey_rows, "cohort_id")
    barriers_by = headlines.by_key(barrier_rows, "cohort_id")
    found_comments = (comments.survey_comments(data_dir, [c["cohort_id"] for c in cohorts],
                                               as_of, min_cell_size)
                      if include_comments else {})
    cohorts_by_opp = headlines.by_key(cohorts, "opportunity_id")
    if charted_cohorts is None:
        charted_cohorts = int(settings.get("report_charted_cohorts"))
    drawn = charted(cohorts, charted_cohorts)
    opp_blocks, facts, target_tables, grid_rows = [], [], [], []
    for o in opportunities:
        has_toc = bool(o["has_theory_of_change"])
        opp_cohorts = cohorts_by_opp.get(o["opportunity_id"], [])
        blocks = []
        for c in opp_cohorts:
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
            block = {
                "id": cid,
                "label": c["cohort_label"] or f"Cohort {c['cohort_number']}",
                "status": status,
                "sessions": f"{c['delivered_sessions']} of {c['planned_sessions']} planned "
                f"sessions delivered" if c["planned_sessions"] else
                f"{c['delivered_sessions']} sessions delivered",
                "scorecard": sections.scorecard(cid, mrs, value_cells.get(cid, {}), has_toc),
                "in_full": in_full(c),
                "charted": cid in drawn,
            }
            # Cohorts with nothing new in the period keep their scorecard (key figures of
            # every phase) without the per-session charts: the page stays small at any scale.
            if block["in_full"]:
                draw = block["charted"]  # the others: the same figures, as tables
                attendance = sections.attendance(cid, grid_by.get(cid, []),
                                                 sessions_by.get(cid, []), names,
                                                 min_cell_size, targets, draw=draw)
                grid_rows.extend(attendance.pop("grid_rows", []))
                block.update({
                    "attendance": attendance,
                    "polls": sections.polls(cid, polls_by.get(cid, []), min_cell_size,
                                            poll_target, draw=draw),
                    "surveys": sections.surveys(cid, surveys_by.get(cid, []), min_cell_size,
                                                draw=draw),
                    "barriers": sections.barriers(cid, barriers_by.get(cid, []),
                                                  min_cell_size, draw=draw),
                    "comments": found_comments.get(cid, []),
                })
            blocks.append(block)
            shown = value_cells.get(cid, {})
            facts.append(rules.CohortFacts(
                cohort_id=cid, opportunity_id=o["opportunity_id"],
                opportunity_title=o["opportunity_title"],
                participation_mode=o["participation_mode"],
                attendance_expectation=o["attendance_expectation"],
                has_theory_of_change=has_toc, window_complete=bool(c["window_complete"]),
                metrics={r["metric"]: rules.Metric(
                    r["value"], r["numerator"], r["denominator"], r.get("ci_low"),
                    r.get("ci_high"), r["target_comparator"], r["target_value"],
                    r["target_met"]) for r in mrs},
                min_cell_size=min_cell_size,
                active_in_period=bool(c["is_active_in_period"]),
                window_closed_in_period=bool(c["window_closed_in_period"]),
                hidden=frozenset(k for k, v in shown.items() if cells.is_hidden(v)),
            ))
        targets_table = (sections.targets_summary(o["opportunity_id"], opp_cohorts,
                                                  metric_rows, value_cells)
                         if has_toc else None)
        target_tables.append({"id": o["opportunity_id"], "title": o["opportunity_title"],
                              "has_toc": has_toc, "table": targets_table,
                              "cohorts": len(opp_cohorts)})
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

    uptake_ctx = _uptake(cohorts, uptake, metric_rows, value_cells, baseline_rows, names,
                         min_cell_size)

    # ---- TA requested vs delivered, per grantee, this period and the previous one
    ta_table = ta.by_grantee(ta_rows, names)

    # Who attended which session: grantees x sessions, a CSV file next to the page
    # (plcqi.publish.api writes it), not a table of the page.
    csv_path = layout.center_attendance_csv(center_id, as_of)
    attendance_grid = table(
        "attendance-grid", f"Who attended which session, cohorts shown in full, as of {as_of}",
        sections.GRID_COLUMNS, grid_rows)
    attendance_grid["csv_name"] = csv_path.rsplit("/", 1)[-1]
    attendance_csv = {"href": layout.link(layout.center_page(center_id, as_of), csv_path),
                      "name": attendance_grid["csv_name"], "rows": len(grid_rows)}

    period_text = f"{start} to {as_of}"
    recommendations = rules.evaluate(facts)
    global_quality = quality_context if quality_context is not None else quality.for_center(
        quality.context(data_dir, as_of, prefix="dq"))
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
        "charted_cohorts": charted_cohorts,
        "headline": headline,
        "targets": target_tables,
        "reach": reach,
        "attendance_across": attendance_table,
        "attendance_grid": attendance_grid,
        "attendance_csv": attendance_csv,
        "opportunities": opp_blocks,
        "uptake": uptake_ctx,
        "ta_by_grantee": ta_table,
        "recommendations": recommendations,
        "nothing_to_report": rules.nothing_to_report(facts, len(opportunities), period_text),
        "rules": [{"id": r.id, "title": r.title, "evidence": r.evidence}
                  for r in (rules.TARGET_RULE, *rules.RULES)],
        "quality": quality.center_section(data_dir, con, center_id, global_quality),
    }


HEADLINE = [  # (figure of marts.rpt_headlines, label, note); {total}: the denominator
    ("cohorts_active", "Cohorts with sessions in the period",
     "a delivered session of this center in the period"),
    ("grantees_reached", "Grantees reached in the period",
     "attended at least one of this center's sessions in the period"),
    ("grantees_without_ta", "Grantees with no TA at all in the period",
     "out of all {total} grantees: neither a TA request to this center (withdrawn ones do "
     "not count) nor an attended session of this center"),
    ("attendance_rate", "Attendance, all cohorts to date",
     "attended grantee-sessions / (participating grantees × delivered sessions), pooled"),
    ("followup_uptake_rate", "Follow-up TA uptake, complete windows",
     "participating grantees with a related TA request within six months of the cohort's "
     "end; unit: the grantee-cohort"),
    ("followup_baseline_rate", "Baseline: non-participants' uptake",
     "the same request rate among comparable grantees that took part in no related cohort"),
    ("followup_lift", "Uptake lift over the baseline", "uptake minus the baseline"),
    ("open_window_grantee_cohorts", "Grantee-cohorts with a window still open",
     "shown apart: no final rate until the window closes"),
    ("targets_met", "Targets met (cohort × metric)",
     "targets from the opportunities' theories of change, assessed as of the as-of date"),
    ("opportunities_with_toc", "Opportunities with a theory of change",
     "reference data: current state only"),
]


def charted(cohorts: list[dict], most: int | None = None) -> set[str]:
    """The cohorts shown in full whose sections are drawn as charts: at most ``most``
    (``report_charted_cohorts``), those with the latest delivered sessions first; the other
    cohorts shown in full get the same figures as tables.

    >>> cs = [{"cohort_id": c, "is_active_in_period": a, "window_closed_in_period": False,
    ...        "last_delivered_on": d} for c, a, d in
    ...       [("a", True, "2026-01-05"), ("b", True, "2026-03-01"), ("c", False, "2026-04-01"),
    ...        ("d", True, None)]]
    >>> sorted(charted(cs, 2)), sorted(charted(cs, 5))
    (['a', 'b'], ['a', 'b', 'd'])
    """
    most = int(settings.get("report_charted_cohorts")) if most is None else most
    shown = [c for c in cohorts if in_full(c)]
    shown.sort(key=lambda c: (str(c.get("last_delivered_on") or ""), c["cohort_id"]),
               reverse=True)
    return {c["cohort_id"] for c in shown[:max(0, most)]}


def in_full(cohort: dict) -> bool:
    """Whether a cohort is shown in full (charts of attendance, polls, surveys, barriers):
    a session delivered in the period, or its follow-up window closed in it
    (``rpt_cohort_summary``). The others keep their scorecard row.

    >>> in_full({"is_active_in_period": True, "window_closed_in_period": False})
    True
    >>> in_full({"is_active_in_period": False, "window_closed_in_period": None})
    False
    """
    return bool(cohort.get("is_active_in_period") or cohort.get("window_closed_in_period"))


def _headline(con: duckdb.DuckDBPyConnection, center_id: str, min_cell_size: int
              ) -> list[dict]:
    """The center's headline block (``marts.rpt_headlines`` / ``rpt_headline_changes``)."""
    return headlines.block(headlines.read(con, center_id), HEADLINE, min_cell_size)


def _attendance_across(opportunities: list[dict], cohorts: list[dict], pooled: list[dict],
                       min_cell_size: int) -> dict:
    """Attendance per cohort, pooled per opportunity and for the center
    (``rpt_attendance_pooled``): attended grantee-sessions out of possible ones."""
    by_scope = {(r["scope"], r["opportunity_id"], r["cohort_id"]): r for r in pooled}

    def line(label: dict, r: dict | None, kind: str) -> dict:
        if r is None:
            return {"what": label, "kind": cells.text_cell(kind),
                    "attended": dict(cells.MISSING), "possible": dict(cells.MISSING),
                    "rate": dict(cells.MISSING), "ci": dict(cells.MISSING)}
        rate = cells.rate(r["attendance_rate"], r["possible_grantee_sessions"], min_cell_size,
                          numerator=r["attended_grantee_sessions"], low=r["ci_low"],
                          high=r["ci_high"])
        return {"what": label, "kind": cells.text_cell(kind),
                "attended": cells.count_cell(r["attended_grantee_sessions"]),
                "possible": cells.count_cell(r["possible_grantee_sessions"]),
                "rate": rate, "ci": sections.interval_cell(rate)}

    out = []
    for o in opportunities:
        oid = o["opportunity_id"]
        for c in cohorts:
            if c["opportunity_id"] == oid:
                out.append(line(cells.text_cell(c["cohort_id"]),
                                by_scope.get(("cohort", oid, c["cohort_id"])), "cohort"))
        out.append(line(cells.text_cell(f"{o['opportunity_title']} ({oid})", oid),
                        by_scope.get(("opportunity", oid, None)), "opportunity, pooled"))
    center_row = next((r for r in pooled if r["scope"] == "center"), None)
    return table(
        "attendance-across", "Attendance across cohorts: each cohort, each opportunity pooled, "
        "and the center",
        [column("what", "Cohort or opportunity"), column("kind", "Level"),
         column("attended", "Grantee-sessions attended", True),
         column("possible", "Possible (participating grantees × delivered sessions)", True),
         column("rate", "Attendance", True), column("ci", "95% interval", True)],
        out, total=line(cells.text_cell("All cohorts of the center"), center_row,
                        "center, pooled") if out else None,
        note="Pooled: the opportunity's (or center's) attended grantee-sessions over its "
        "possible ones, so a large cohort weighs more than a small one.")


def _uptake(cohorts: list[dict], uptake: list[dict], metric_rows: dict[str, list[dict]],
            value_cells: dict[str, dict[str, dict]], baseline_rows: dict[str, dict],
            names: dict[str, str], min_cell_size: int) -> dict:
    """Follow-up uptake: complete windows (uptake, baseline, lift from fct_phase_metrics)
    and open ones apart; which grantees took it up."""
    up_by = headlines.by_key(uptake, "cohort_id")
    complete_rows, bars, open_rows = [], [], []
    for c in cohorts:
        cid = c["cohort_id"]
        if not up_by.get(cid):
            continue
        if c["window_complete"]:
            vc = value_cells.get(cid, {})
            rate = vc.get("followup_uptake_rate", dict(cells.MISSING))
            base = vc.get("followup_baseline_rate", dict(cells.MISSING))
            base_row = baseline_rows.get(cid)
            complete_rows.append({
                "cohort": cells.text_cell(cid), "ended": cells.text_cell(str(c["cohort_end_on"])),
                "window": cells.text_cell(str(c["window_end_on"])),
                "grantees": cells.count_cell(c["participating_grantees"]), "uptake": rate,
                "uptake_ci": sections.interval_cell(rate),
                "baseline_n": cells.count_cell(base_row["denominator"]) if base_row
                else dict(cells.MISSING),
                "baseline": base,
                "lift": vc.get("followup_lift", dict(cells.MISSING)),
                "lift_ci": sections.interval_cell(vc.get("followup_lift", cells.MISSING)),
                "days": vc.get("median_days_to_followup", dict(cells.MISSING))
                if not cells.is_hidden(rate) else dict(rate),
            })
            bars.append({"cohort": cid, "value": cells.raw(rate),
                         "hidden": charts.hidden_text(rate),
                         "baseline": cells.raw(base),
                         "target": next((r["target_value"] for r in metric_rows.get(cid, [])
                                         if r["metric"] == "followup_uptake_rate"), None)})
        else:
            open_rows.append({
                "cohort": cells.text_cell(cid),
                "ended": cells.text_cell(str(c["cohort_end_on"])) if c["cohort_end_on"]
                else cells.text_cell("ongoing"),
                "window": cells.text_cell(str(c["window_end_on"])) if c["window_end_on"]
                else cells.text_cell("after the cohort ends"),
                "grantees": cells.count_cell(c["participating_grantees"]),
                "status": cells.text_cell("window still open"),
            })
    uptake_cols = [column("cohort", "Cohort"), column("ended", "Cohort ended"),
                   column("window", "Window closed"),
                   column("grantees", "Participating grantees", True),
                   column("uptake", "Took up related TA", True),
                   column("uptake_ci", "95% interval", True),
                   column("baseline_n", "Non-participants compared", True),
                   column("baseline", "Baseline", True), column("lift", "Lift", True),
                   column("lift_ci", "95% interval of the lift", True),
                   column("days", "Median days to first request", True)]
    uptake_table = table("uptake", "Follow-up TA uptake by cohort (complete six-month windows)",
                         uptake_cols, complete_rows,
                         note="Baseline: the same related-request rate in the same window "
                         "among grantees of the same types that took part neither in this "
                         "cohort nor in another cohort of the opportunity or of one on the "
                         "same topic. The center-wide figure is in the headline.")
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
               else ""),
            dict(uptake_table, id="uptake-chart-table"),
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
    return {"table": uptake_table, "chart": uptake_chart, "open": open_table,
            "by_grantee": grantee_table}
