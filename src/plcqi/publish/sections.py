"""Per-cohort sections of the center report: phase scorecard, attendance, polls, surveys.

Each function takes rows already read from the marts (only the cohort's own) and returns a
ready context part: tables of display cells and charts whose rows hold None where a figure is
suppressed.
"""

from __future__ import annotations

from plcqi.publish import cells, charts
from plcqi.publish import metrics as m
from plcqi.publish.tables import column, table

GAP_LIMIT_DAYS = 42  # six weeks: the study's facilitator who left six weeks lost people

SURVEY_ITEMS = (
    ("knowledge_gain", "Knowledge of the topic increased"),
    ("relevance", "Relevant to my work"),
    ("within_state_connections", "Connections within my state"),
    ("across_state_connections", "Connections across states"),
    ("disseminated", "Shared what I learned"),
    ("action_plan", "Action plan complete or implementing"),
    ("continue_implementing", "Will continue implementing"),
    ("practice_or_policy_change", "Practice or policy change"),
    ("systems_change", "Systems change"),
    ("followup_interest", "Interested in follow-up TA"),
)
WAVES = (("midpoint", "Midpoint"), ("six_month", "Six months"))


def metric_cell(row: dict, min_cell_size: int) -> dict:
    """A phase metric's value as displayed, read from its ``fct_phase_metrics`` row (value,
    numerator, denominator and 95% interval ``ci_low`` / ``ci_high``): nothing is computed.

    >>> metric_cell({"metric": "max_gap_days", "value": 56}, 3)["text"]
    '56 days'
    >>> metric_cell({"metric": "retention_rate", "value": 0.5, "numerator": 1,
    ...              "denominator": 2}, 3)["text"]
    'n<3'
    >>> c = metric_cell({"metric": "attendance_rate", "value": 0.75, "numerator": 9,
    ...                  "denominator": 12, "ci_low": 0.47, "ci_high": 0.91}, 3)
    >>> c["text"], c["ci"]
    ('75%', '47–91%')
    >>> metric_cell({"metric": "has_theory_of_change", "value": 0}, 3)["text"]
    'no'
    """
    return m.value_cell(row["metric"], row.get("value"), row.get("numerator"),
                        row.get("denominator"), min_cell_size, low=row.get("ci_low"),
                        high=row.get("ci_high"))


def interval_cell(value_cell: dict) -> dict:
    """The 95% interval of a shown figure, or a dash (hidden, or no interval: counts, days).

    >>> interval_cell({"state": "value", "text": "75%", "ci": "47–91%"})["text"]
    '47–91%'
    >>> interval_cell({"state": "suppressed", "text": "n<3"})["text"]
    '—'
    """
    if value_cell.get("ci") and not cells.is_hidden(value_cell):
        return cells.text_cell(value_cell["ci"])
    return dict(cells.MISSING, title="no interval")


def status_cell(metric_row: dict, value_cell: dict, has_toc: bool) -> dict:
    """Met / not met against the opportunity's own target, or why there is no verdict.

    >>> status_cell({"target_comparator": ">=", "target_met": True}, {"state": "value"}, True)
    {'text': 'met', 'state': 'value', 'flag': 'met'}
    >>> no_target = {"target_comparator": None, "target_met": None}
    >>> status_cell(no_target, {"state": "value"}, False)["flag"]
    'no-toc'
    >>> status_cell(no_target, {"state": "value"}, True)["text"]
    'no target'
    """
    if cells.is_hidden(value_cell):
        return {"text": value_cell["text"], "state": value_cell["state"], "flag": "hidden"}
    if not has_toc:
        return {"text": "no theory of change", "state": "value", "flag": "no-toc"}
    if metric_row.get("target_comparator") is None:
        return {"text": "no target", "state": "missing", "flag": "none"}
    met = metric_row.get("target_met")
    if met is None:
        return {"text": "not measurable yet", "state": "missing", "flag": "pending"}
    return ({"text": "met", "state": "value", "flag": "met"} if met
            else {"text": "not met", "state": "value", "flag": "not-met"})


def _ordered(metric_rows: list[dict]) -> list[dict]:
    order = {k: i for i, k in enumerate(m.METRICS)}
    return sorted(metric_rows, key=lambda r: (r["phase_number"], order.get(r["metric"], 99)))


def scorecard(cohort_id: str, metric_rows: list[dict], value_cells: dict[str, dict],
              has_toc: bool) -> dict:
    """The six phases: value, interval, target, met / not met (rows in METRICS.md order)."""
    rows = []
    for r in _ordered(metric_rows):
        value = value_cells[r["metric"]]
        target = m.target_text(r["metric"], r.get("target_comparator"), r.get("target_value"))
        rows.append({
            "phase": cells.text_cell(f"{r['phase_number']} {m.PHASES.get(r['phase_number'], '')}"),
            "metric": cells.text_cell(m.label(r["metric"]), r["metric"]),
            "value": value,
            "ci": interval_cell(value),
            "target": cells.text_cell(target) if target else dict(cells.MISSING, title="no target"),
            "status": status_cell(r, value, has_toc),
        })
    return table(
        f"scorecard-{cohort_id}", f"Phase scorecard, cohort {cohort_id}",
        [column("phase", "Phase"), column("metric", "Metric"), column("value", "Value", True),
         column("ci", "95% interval", True), column("target", "Target"),
         column("status", "Against target")],
        rows,
        note=None if has_toc else "This opportunity has no theory of change: no targets to "
        "hold its cohorts against.",
    )


def targets_summary(opportunity_id: str, cohorts: list[dict], metric_rows: dict[str, list[dict]],
                    value_cells: dict[str, dict[str, dict]]) -> dict:
    """An opportunity against each of its targets: per cohort x metric the opportunity has a
    target for (in any cohort), the value, its 95% interval, the target and met / not met /
    not measurable yet / no target (a cohort without that target)."""
    targeted: dict[str, dict] = {}
    for c in cohorts:
        for r in _ordered(metric_rows.get(c["cohort_id"], [])):
            if r.get("target_comparator") is not None:
                targeted.setdefault(r["metric"], r)
    order = {k: i for i, k in enumerate(m.METRICS)}
    metrics = sorted(targeted, key=lambda k: (targeted[k]["phase_number"], order.get(k, 99)))
    rows = []
    for c in cohorts:
        cid = c["cohort_id"]
        by_metric = {r["metric"]: r for r in metric_rows.get(cid, [])}
        for metric in metrics:
            r = by_metric.get(metric, {"metric": metric, "target_comparator": None})
            value = value_cells.get(cid, {}).get(metric, dict(cells.MISSING))
            target = m.target_text(metric, r.get("target_comparator"), r.get("target_value"))
            rows.append({
                "cohort": cells.text_cell(cid),
                "metric": cells.text_cell(m.label(metric), metric),
                "value": value,
                "ci": interval_cell(value),
                "target": cells.text_cell(target) if target else dict(cells.MISSING,
                                                                      title="no target"),
                "status": status_cell(r, value, True),
            })
    return table(
        f"targets-{opportunity_id}", f"Targets of the theory of change, opportunity "
        f"{opportunity_id}: each cohort against each target",
        [column("cohort", "Cohort"), column("metric", "Metric"), column("value", "Value", True),
         column("ci", "95% interval", True), column("target", "Target"),
         column("status", "Against target")], rows,
        note="Met / not met compares the value with the target (the interval shows how sure "
        "the value is); not measurable yet: no value so far (no survey wave, an open "
        "follow-up window).")


def session_targets(targets: dict[str, tuple[str, float]], first_share: dict) -> list[dict]:
    """Target levels for the chart of the share of participating grantees at each session.

    The attendance rate is the mean of that share over the sessions, so its target is drawn
    as is. (The retention target, last / first session, is held against the retention rate
    in the scorecard: drawing it would need a product of figures, which the marts hold not.)

    >>> first = {"state": "value", "raw": 0.75}
    >>> [t["value"] for t in session_targets({"attendance_rate": (">=", 0.8),
    ...                                       "retention_rate": (">=", 0.8)}, first)]
    [0.8]
    """
    out = []
    if "attendance_rate" in targets:
        shown = m.target_text("attendance_rate", *targets["attendance_rate"])
        out.append({"value": float(targets["attendance_rate"][1]),
                    "label": f"attendance target {shown}",
                    "about": f"attendance target {shown} (the mean of the points)"})
    return out


STATUS_TEXT = {
    "participating": "participating",
    "registered_never_attended": "registered, never attended",
    "invited_never_registered": "invited, never registered",
    "not_invited": "not invited, never attended",
}
STATUS_ORDER = tuple(STATUS_TEXT)


GRID_COLUMNS = [column("cohort", "Cohort"), column("grantee_id", "Grantee id"),
                column("grantee", "Grantee"), column("status", "Status"),
                column("session", "Session"), column("date", "Date"),
                column("attended", "Attended"),
                column("total", "Sessions of the cohort attended", True)]


def attendance(cohort_id: str, grid: list[dict], sessions_rows: list[dict],
               grantee_names: dict[str, str], min_cell_size: int,
               targets: dict[str, tuple[str, float]] | None = None, *, draw: bool = True
               ) -> dict:
    """The share of participating grantees at each session (drawn), gaps between sessions,
    and the grantee x delivered session grid with each grantee's status as rows for a CSV
    file next to the page (``GRID_COLUMNS``; on the page it would grow with grantees x
    sessions).

    ``grid``: the cohort's ``rpt_attendance_grid`` rows; ``sessions_rows``: its
    ``rpt_attendance_sessions`` rows; ``targets``: the opportunity's targets by metric,
    ``(comparator, value)`` (attendance_rate is drawn on the session chart)."""
    sessions = sorted(sessions_rows, key=lambda r: r["delivered_number"])
    if not sessions:
        return {"has_sessions": False}
    labels = [f"S{r['delivered_number']}" for r in sessions]
    status = {r["grantee_id"]: r["grantee_status"] for r in grid}
    total = {r["grantee_id"]: r["grantee_sessions_attended"] for r in grid}
    grantees = sorted(status, key=lambda g: (STATUS_ORDER.index(status[g])
                                             if status[g] in STATUS_ORDER else 9,
                                             grantee_names.get(g, g), g))
    attended = {(r["grantee_id"], r["delivered_number"]): bool(r["has_attended"]) for r in grid}

    grid_rows = []  # one row per grantee and delivered session: written as a CSV file
    for g in grantees:
        for r, label in zip(sessions, labels, strict=True):
            a = attended.get((g, r["delivered_number"]), False)
            grid_rows.append({
                "cohort": cells.text_cell(cohort_id), "grantee_id": cells.text_cell(g),
                "grantee": cells.text_cell(grantee_names.get(g, g)),
                "status": cells.text_cell(STATUS_TEXT.get(status[g], status[g])),
                "session": cells.text_cell(label),
                "date": cells.text_cell(str(r["session_on"])),
                "attended": {"text": "yes" if a else "no", "state": "value" if a else "zero"},
                "total": cells.count_cell(total[g])})
    counts = {k: [g for g in grantees if status[g] == k] for k in STATUS_ORDER}
    about = "; ".join(f"{len(v)} {STATUS_TEXT[k]}" for k, v in counts.items() if v)
    # Share of participating grantees attending each session (rpt_attendance_sessions).
    per_session, line_rows = [], []
    for r, label in zip(sessions, labels, strict=True):
        cell = cells.rate(r["attending_rate"], r["participating_grantees"], min_cell_size,
                          numerator=r["attending_grantees"], low=r.get("ci_low"),
                          high=r.get("ci_high"))
        per_session.append({"session": cells.text_cell(label),
                            "date": cells.text_cell(str(r["session_on"])),
                            "share": cell, "ci": interval_cell(cell)})
        line_rows.append({"session": label, "value": cells.raw(cell),
                          "hidden": charts.hidden_text(cell)})
    n_part = sessions[0]["participating_grantees"]
    retention_table = table(
        f"retention-{cohort_id}", f"Participating grantees at each session, cohort {cohort_id}",
        [column("session", "Session"), column("date", "Date"),
         column("share", "Participating grantees attending", True),
         column("ci", "95% interval", True)], per_session)
    retention = None
    if draw and any(r["value"] is not None for r in line_rows):
        first, last = per_session[0]["share"], per_session[-1]["share"]
        levels = session_targets(targets or {}, first)
        retention = charts.chart(
            f"retention-{cohort_id}", f"Attendance across sessions — cohort {cohort_id}",
            f"Share of the {n_part} participating grantees at each of {len(sessions)} "
            f"sessions: {first['text']} at the first, {last['text']} at the last."
            + "".join(f" Dashed red line: {t['about']}." for t in levels),
            dict(retention_table, id=f"retention-table-{cohort_id}"),
            charts.line_by_session(line_rows, description="retention", sessions=labels,
                                   targets=[{"value": t["value"], "label": t["label"]}
                                            for t in levels]))
    # Gaps between consecutive delivered sessions (gap_days of the mart).
    gap_rows, gap_cells = [], []
    for r, label in zip(sessions, labels, strict=True):
        gap = r["gap_days"]
        gap_cells.append({"session": cells.text_cell(label),
                          "date": cells.text_cell(str(r["session_on"])),
                          "gap": cells.count_cell(gap, "days") if gap is not None
                          else dict(cells.MISSING, title="first session"),
                          "over": cells.text_cell("over six weeks") if gap and gap >
                          GAP_LIMIT_DAYS else dict(cells.MISSING, text="")})
        if gap is not None:
            gap_rows.append({"session": label, "gap_days": gap})
    gap_table = table(
        f"gaps-{cohort_id}", f"Days between delivered sessions, cohort {cohort_id}",
        [column("session", "Session"), column("date", "Date"),
         column("gap", "Days since previous", True), column("over", "Flag")], gap_cells)
    longest = max((r["gap_days"] for r in gap_rows), default=None)
    gaps = charts.chart(
        f"gaps-{cohort_id}", f"Gaps between sessions — cohort {cohort_id}",
        f"Days since the previous delivered session; longest gap {longest} days; the dashed "
        f"line marks six weeks ({GAP_LIMIT_DAYS} days)." if longest is not None else
        "Only one delivered session: no gap yet.",
        dict(gap_table, id=f"gaps-table-{cohort_id}"),
        charts.gap_bars(gap_rows, description="gaps between sessions", limit=GAP_LIMIT_DAYS,
                        sessions=labels[1:]),
    ) if gap_rows and draw else None
    return {"has_sessions": True, "grid_rows": grid_rows,
            "grid_about": f"{len(grantees)} grantees by {len(sessions)} delivered sessions: "
            f"{about}", "retention": retention,
            "retention_table": retention_table, "gaps": gaps, "gap_table": gap_table}


def polls(cohort_id: str, rows: list[dict], min_cell_size: int, target: float | None, *,
          draw: bool = True) -> dict:
    """Poll questions of the cohort's delivered sessions: responses and favourable share."""
    if not rows:
        return {"has_polls": False}
    session_no: dict[str, int] = {}
    for r in sorted(rows, key=lambda r: (r["session_on"], r["session_id"])):
        session_no.setdefault(r["session_id"], len(session_no) + 1)
    out, bars = [], []
    for r in sorted(rows, key=lambda r: (r["session_on"], r["session_id"], r["poll_id"],
                                         r["question_id"])):
        scale = r["scale"]
        if scale == "likert5":
            rate = cells.rate(r["favorable_rate"], r["likert_answered"], min_cell_size,
                              numerator=r["likert_favorable"])
            measure = "answered 4–5 of 5"
        elif scale == "yes_no":
            rate = cells.rate(r["yes_rate"], r["yes_no_answered"], min_cell_size,
                              numerator=r["yes_no_yes"])
            measure = "answered yes"
        else:
            rate, measure = dict(cells.MISSING, title="free text or choice"), ""
        question = r["question_text"] or r["question_id"]
        short = question if len(question) <= 48 else question[:47].rstrip() + "…"
        label = f"{r['session_on']} · {short}"
        out.append({"session": cells.text_cell(str(r["session_on"])),
                    "question": cells.text_cell(question),
                    "responses": cells.people_cell(r["responses"], min_cell_size),
                    "measure": cells.text_cell(measure) if measure else dict(cells.MISSING),
                    "rate": rate})
        if scale == "likert5":
            bars.append({"question": label, "value": cells.raw(rate),
                         "hidden": charts.hidden_text(rate)})
    poll_table = table(
        f"polls-{cohort_id}", f"Poll results, cohort {cohort_id}",
        [column("session", "Session date"), column("question", "Question"),
         column("responses", "Responses", True), column("measure", "Favourable ="),
         column("rate", "Share", True)], out)
    chart = None
    if draw and any(b["value"] is not None for b in bars):
        shown = [b for b in bars if b["value"] is not None]
        chart = charts.chart(
            f"polls-{cohort_id}", f"Favourable poll answers — cohort {cohort_id}",
            f"Share answering 4 or 5 of 5 for {len(bars)} rating questions; "
            f"{len(bars) - len(shown)} not shown (small numbers: a grey placeholder)."
            + (f" Dashed line: the target {cells.pct(target)}." if target is not None else ""),
            dict(poll_table, id=f"polls-table-{cohort_id}"),
            charts.rate_bars(bars, category="question", category_title=None,
                             value_title="Answered 4–5 of 5", description="poll results",
                             target=target, sort=[b["question"] for b in bars]),
        )
    return {"has_polls": True, "table": poll_table, "chart": chart}


def surveys(cohort_id: str, rows: list[dict], min_cell_size: int, *, draw: bool = True
            ) -> dict:
    """Midpoint vs six-month survey outcomes (percentages need min_cell_size answers)."""
    by_wave = {r["wave"]: r for r in rows}
    if not any(by_wave.get(w, {}).get("responses") for w, _ in WAVES):
        return {"has_responses": False}
    out, bars = [], []
    responses_row = {"item": cells.text_cell("Responses")}
    rate_row = {"item": cells.text_cell("Participating grantees responding")}
    for w, _ in WAVES:
        r = by_wave.get(w, {})
        responses_row[w] = cells.people_cell(r.get("responses", 0), min_cell_size)
        rate_row[w] = cells.rate(r.get("response_rate"), r.get("participating_grantees"),
                                 min_cell_size,
                                 numerator=r.get("responding_participating_grantees"))
    out.extend([responses_row, rate_row])
    for item, label in SURVEY_ITEMS:
        row = {"item": cells.text_cell(label, item)}
        for w, wave_label in WAVES:
            r = by_wave.get(w, {})
            favourable = r.get(f"{item}_favorable", r.get(f"{item}_yes"))
            row[w] = cells.rate(r.get(f"{item}_rate"), r.get(f"{item}_answered"),
                                min_cell_size, numerator=favourable)
            bars.append({"category": label, "group": wave_label, "value": cells.raw(row[w]),
                         "hidden": charts.hidden_text(row[w])})
        out.append(row)
    survey_table = table(
        f"surveys-{cohort_id}", f"Survey outcomes, midpoint vs six months, cohort {cohort_id}",
        [column("item", "Item")] + [column(w, label, True) for w, label in WAVES], out,
        note=f"A share is shown only with at least {min_cell_size} answers to the item.")
    chart = None
    if draw and any(b["value"] is not None for b in bars):
        chart = charts.chart(
            f"surveys-{cohort_id}", f"Midpoint vs six-month survey — cohort {cohort_id}",
            "Share of favourable answers per survey item, midpoint and six-month waves side "
            "by side; items with too few answers show a grey placeholder instead of a bar.",
            dict(survey_table, id=f"surveys-table-{cohort_id}"),
            charts.grouped_bars(bars, description="survey outcomes",
                                groups=[lb for _, lb in WAVES],
                                categories=[lb for _, lb in SURVEY_ITEMS],
                                value_title="Favourable answers"),
        )
    return {"has_responses": True, "table": survey_table, "chart": chart}


BARRIERS = {
    "time": "Not enough time", "turnover": "Staff turnover",
    "lead_agency_buyin": "Lead agency buy-in", "legislative": "Legislation needed",
    "cost": "Cost", "conflicting_policy": "Conflicting policy", "readiness": "Readiness",
    "other": "Other",
}


def barriers(cohort_id: str, rows: list[dict], min_cell_size: int, *, draw: bool = True
             ) -> dict:
    """Barriers named in the six-month survey (``rpt_cohort_barriers``): the responses
    naming each, a count of people (suppressed below ``min_cell_size``), and its share of
    those answering, shown only with at least ``min_cell_size`` answering."""
    rows = sorted(rows, key=lambda r: r["barrier_order"])
    if not rows or not rows[0]["barriers_answered"]:
        return {"has_answers": False}
    answered = rows[0]["barriers_answered"]
    out, bars = [], []
    for r in rows:
        share = cells.rate(r["mention_rate"], r["barriers_answered"], min_cell_size,
                           low=r.get("ci_low"), high=r.get("ci_high"))
        label = BARRIERS.get(r["barrier"], r["barrier"])
        out.append({"barrier": cells.text_cell(label, r["barrier"]),
                    "mentioned": cells.people_cell(r["mentioned"], min_cell_size),
                    "share": share, "ci": interval_cell(share)})
        bars.append({"barrier": label, "value": cells.raw(share),
                     "hidden": charts.hidden_text(share)})
    barrier_table = table(
        f"barriers-{cohort_id}", f"Barriers named in the six-month survey, cohort {cohort_id}",
        [column("barrier", "Barrier"), column("mentioned", "Responses naming it", True),
         column("share", "Share of responses", True), column("ci", "95% interval", True)],
        out, note=f"Out of {cells.people_cell(answered, min_cell_size)['text']} six-month "
        f"responses answering the item; a respondent may name several barriers. A share is "
        f"shown only with at least {min_cell_size} answers, a count only from "
        f"{min_cell_size} people.")
    chart = None
    if draw and any(b["value"] is not None for b in bars):
        chart = charts.chart(
            f"barriers-{cohort_id}", f"Barriers to implementation — cohort {cohort_id}",
            "Share of six-month responses naming each barrier (several may be named).",
            dict(barrier_table, id=f"barriers-table-{cohort_id}"),
            charts.rate_bars(bars, category="barrier", category_title=None,
                             value_title="Responses naming the barrier",
                             description="barriers", sort=[b["barrier"] for b in bars]))
    return {"has_answers": True, "table": barrier_table, "chart": chart}

