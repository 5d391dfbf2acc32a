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


def status_cell(metric_row: dict, value_cell: dict, has_toc: bool) -> dict:
    """Met / not met against the opportunity's own target, or why there is no verdict.

    >>> status_cell({"target_comparator": ">=", "target_met": True}, {"state": "value"}, True)
    {'text': 'met', 'state': 'value', 'flag': 'met'}
    >>> no_target = {"target_comparator": None, "target_met": None}
    >>> status_cell(no_target, {"state": "value"}, False)["flag"]
    'no-toc'
    """
    if cells.is_hidden(value_cell):
        return {"text": value_cell["text"], "state": value_cell["state"], "flag": "hidden"}
    if not has_toc:
        return {"text": "no theory of change", "state": "value", "flag": "no-toc"}
    if metric_row.get("target_comparator") is None:
        return {"text": "no target set", "state": "missing", "flag": "none"}
    met = metric_row.get("target_met")
    if met is None:
        return {"text": "not measurable yet", "state": "missing", "flag": "pending"}
    return ({"text": "met", "state": "value", "flag": "met"} if met
            else {"text": "not met", "state": "value", "flag": "not-met"})


def scorecard(cohort_id: str, metric_rows: list[dict], value_cells: dict[str, dict],
              has_toc: bool) -> dict:
    """The six phases: value, target, met / not met (rows in METRICS.md order)."""
    order = {k: i for i, k in enumerate(m.METRICS)}
    rows = []
    for r in sorted(metric_rows, key=lambda r: (r["phase_number"], order.get(r["metric"], 99))):
        value = value_cells[r["metric"]]
        target = m.target_text(r["metric"], r.get("target_comparator"), r.get("target_value"))
        rows.append({
            "phase": cells.text_cell(f"{r['phase_number']} {m.PHASES.get(r['phase_number'], '')}"),
            "metric": cells.text_cell(m.label(r["metric"]), r["metric"]),
            "value": value,
            "target": cells.text_cell(target) if target else dict(cells.MISSING, title="no target"),
            "status": status_cell(r, value, has_toc),
        })
    return table(
        f"scorecard-{cohort_id}", f"Phase scorecard, cohort {cohort_id}",
        [column("phase", "Phase"), column("metric", "Metric"), column("value", "Value", True),
         column("target", "Target"), column("status", "Against target")],
        rows,
        note=None if has_toc else "This opportunity has no theory of change: no targets to "
        "hold its cohorts against.",
    )


def session_targets(targets: dict[str, tuple[str, float]], first_share: dict) -> list[dict]:
    """Target levels for the chart of the share of participating grantees at each session.

    The attendance rate is the mean of that share over the sessions, so its target is drawn
    as is; the retention rate is last / first session, so its target is drawn at the level the
    last session needs: target x the first session's share (only when that share is shown).

    >>> first = {"state": "value", "raw": 0.75}
    >>> [t["value"] for t in session_targets({"attendance_rate": (">=", 0.8),
    ...                                       "retention_rate": (">=", 0.8)}, first)]
    [0.8, 0.6000000000000001]
    >>> session_targets({"retention_rate": (">=", 0.8)}, {"state": "suppressed", "text": "n<3"})
    []
    """
    out = []
    if "attendance_rate" in targets:
        shown = m.target_text("attendance_rate", *targets["attendance_rate"])
        out.append({"value": float(targets["attendance_rate"][1]),
                    "label": f"attendance target {shown}",
                    "about": f"attendance target {shown} (the mean of the points)"})
    first = cells.raw(first_share)
    if "retention_rate" in targets and first:
        shown = m.target_text("retention_rate", *targets["retention_rate"])
        out.append({"value": float(targets["retention_rate"][1]) * first,
                    "label": f"retention target {shown} of first",
                    "about": f"retention target, the last session at {shown} of the first"})
    return out


def attendance(cohort_id: str, rows: list[dict], grantee_names: dict[str, str],
               min_cell_size: int, targets: dict[str, tuple[str, float]] | None = None) -> dict:
    """Heatmap (grantee x delivered session), retention by session, gaps between sessions.

    ``rows``: fct_attendance rows of the cohort (every grantee of the cohort x delivered
    session); ``targets``: the opportunity's targets by metric, ``(comparator, value)``
    (attendance_rate and retention_rate are drawn on the retention chart)."""
    sessions = sorted({(r["delivered_number"], r["session_on"]) for r in rows})
    if not sessions:
        return {"has_sessions": False}
    labels = [f"S{n}" for n, _ in sessions]
    grantees = sorted({r["grantee_id"] for r in rows},
                      key=lambda g: grantee_names.get(g, g))
    attended = {(r["grantee_id"], r["delivered_number"]): bool(r["has_attended"]) for r in rows}
    names = [grantee_names.get(g, g) for g in grantees]
    heat_rows, grid_rows = [], []
    for g, name in zip(grantees, names, strict=True):
        row = {"grantee": cells.text_cell(name)}
        total = 0
        for (n, _), label in zip(sessions, labels, strict=True):
            a = attended.get((g, n), False)
            total += a
            row[label] = {"text": "yes" if a else "no", "state": "value" if a else "zero"}
            heat_rows.append({"grantee": name, "session": label,
                              "status": "attended" if a else "did not attend"})
        row["total"] = cells.count_cell(total)
        grid_rows.append(row)
    heat_table = table(
        f"attendance-{cohort_id}", f"Attendance by grantee and session, cohort {cohort_id}",
        [column("grantee", "Grantee")] + [column(lb, lb) for lb in labels]
        + [column("total", "Sessions attended", True)], grid_rows)
    n_part = sum(1 for g in grantees if any(attended.get((g, n), False) for n, _ in sessions))
    heat = charts.chart(
        f"heatmap-{cohort_id}", f"Who attended which session — cohort {cohort_id}",
        f"Grid of {len(grantees)} grantees by {len(sessions)} delivered sessions; "
        f"{n_part} grantees attended at least one session.",
        heat_table,
        charts.heatmap(heat_rows, description="attendance heatmap", sessions=labels,
                       grantees=names),
    )
    # Retention: share of participating grantees attending each session.
    per_session, line_rows = [], []
    for (n, on), label in zip(sessions, labels, strict=True):
        k = sum(1 for g in grantees if attended.get((g, n), False))
        cell = cells.rate_cell(k, n_part, min_cell_size)
        per_session.append({"session": cells.text_cell(label), "date": cells.text_cell(str(on)),
                            "share": cell})
        line_rows.append({"session": label, "value": cells.raw(cell),
                          "hidden": charts.hidden_text(cell)})
    retention_table = table(
        f"retention-{cohort_id}", f"Participating grantees at each session, cohort {cohort_id}",
        [column("session", "Session"), column("date", "Date"),
         column("share", "Participating grantees attending", True)], per_session)
    retention = None
    if any(r["value"] is not None for r in line_rows):
        first, last = per_session[0]["share"], per_session[-1]["share"]
        levels = session_targets(targets or {}, first)
        retention = charts.chart(
            f"retention-{cohort_id}", f"Attendance across sessions — cohort {cohort_id}",
            f"Share of the {n_part} participating grantees at each of {len(sessions)} "
            f"sessions: {first['text']} at the first, {last['text']} at the last."
            + "".join(f" Dashed red line: {t['about']}." for t in levels),
            retention_table,
            charts.line_by_session(line_rows, description="retention", sessions=labels,
                                   targets=[{"value": t["value"], "label": t["label"]}
                                            for t in levels]))
    # Gaps between consecutive delivered sessions.
    gap_rows, gap_cells = [], []
    for i, ((_, on), label) in enumerate(zip(sessions, labels, strict=True)):
        gap = (on - sessions[i - 1][1]).days if i else None
        gap_cells.append({"session": cells.text_cell(label), "date": cells.text_cell(str(on)),
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
        gap_table,
        charts.gap_bars(gap_rows, description="gaps between sessions", limit=GAP_LIMIT_DAYS,
                        sessions=labels[1:]),
    ) if gap_rows else None
    return {"has_sessions": True, "heatmap": heat, "retention": retention,
            "retention_table": retention_table, "gaps": gaps, "gap_table": gap_table}


def polls(cohort_id: str, rows: list[dict], min_cell_size: int, target: float | None) -> dict:
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
            rate = cells.rate_cell(r["likert_favorable"], r["likert_answered"], min_cell_size)
            measure = "answered 4–5 of 5"
        elif scale == "yes_no":
            rate = cells.rate_cell(r["yes_no_yes"], r["yes_no_answered"], min_cell_size)
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
    if any(b["value"] is not None for b in bars):
        shown = [b for b in bars if b["value"] is not None]
        chart = charts.chart(
            f"polls-{cohort_id}", f"Favourable poll answers — cohort {cohort_id}",
            f"Share answering 4 or 5 of 5 for {len(bars)} rating questions; "
            f"{len(bars) - len(shown)} not shown (small numbers: a grey placeholder)."
            + (f" Dashed line: the target {cells.pct(target)}." if target is not None else ""),
            poll_table,
            charts.rate_bars(bars, category="question", category_title=None,
                             value_title="Answered 4–5 of 5", description="poll results",
                             target=target, sort=[b["question"] for b in bars]),
        )
    return {"has_polls": True, "table": poll_table, "chart": chart}


def surveys(cohort_id: str, rows: list[dict], min_cell_size: int) -> dict:
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
        rate_row[w] = cells.rate_cell(r.get("responding_participating_grantees"),
                                      r.get("participating_grantees"), min_cell_size)
    out.extend([responses_row, rate_row])
    for item, label in SURVEY_ITEMS:
        row = {"item": cells.text_cell(label, item)}
        for w, wave_label in WAVES:
            r = by_wave.get(w, {})
            favourable = r.get(f"{item}_favorable", r.get(f"{item}_yes"))
            row[w] = cells.rate_cell(favourable, r.get(f"{item}_answered"), min_cell_size)
            bars.append({"category": label, "group": wave_label, "value": cells.raw(row[w]),
                         "hidden": charts.hidden_text(row[w])})
        out.append(row)
    survey_table = table(
        f"surveys-{cohort_id}", f"Survey outcomes, midpoint vs six months, cohort {cohort_id}",
        [column("item", "Item")] + [column(w, label, True) for w, label in WAVES], out,
        note=f"A share is shown only with at least {min_cell_size} answers to the item.")
    chart = None
    if any(b["value"] is not None for b in bars):
        chart = charts.chart(
            f"surveys-{cohort_id}", f"Midpoint vs six-month survey — cohort {cohort_id}",
            "Share of favourable answers per survey item, midpoint and six-month waves side "
            "by side; items with too few answers show a grey placeholder instead of a bar.",
            survey_table,
            charts.grouped_bars(bars, description="survey outcomes",
                                groups=[lb for _, lb in WAVES],
                                categories=[lb for _, lb in SURVEY_ITEMS],
                                value_title="Favourable answers"),
        )
    return {"has_responses": True, "table": survey_table, "chart": chart}
