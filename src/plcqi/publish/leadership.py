"""The leadership report's context: is follow-up TA uptake rising, where, for which formats,
and how sure — read from the marts, never computed here.

- the verdict per center and for all centers: ``marts.rpt_uptake_change`` (agg_uptake_change
  worded, with the rates and their change in whole percent as shown);
- uptake and its baseline per quarter, on a continuous time axis with empty quarters as gaps,
  for all centers and per center, ACF region, format, intended outcome and grantee type:
  ``marts.rpt_uptake_segments``; the same over the recent period with the verdict per
  segment: ``marts.rpt_uptake_segment_totals``;
- open windows apart (``marts.agg_uptake_trend``), reach (``marts.rpt_uptake_reach``), theories
  of change (``marts.rpt_uptake_theories_of_change``, ``marts.dim_opportunities``).

Python here only reads, suppresses (small numbers, complementary suppression where a total is
shown) and formats. The unit of every uptake figure is the grantee-cohort: one participating
grantee in one cohort (a grantee in two cohorts counts twice).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import duckdb

from plcqi.publish import cells, charts, headlines
from plcqi.publish.tables import column, table
from plcqi.publish.warehouse import rows

UNIT = ("Unit: the grantee-cohort — one participating grantee in one cohort (a grantee in two "
        "cohorts counts twice).")
UPTAKE_NOTE = ("Complete six-month windows only, by the quarter the cohort ended. Baseline: "
               "the related-request rate of non-participating grantees of the same types in "
               "the same window (grantees treated by a sibling cohort excluded). "
               "95% intervals: Wilson for rates, Newcombe for differences. " + UNIT)
SEGMENTS = {  # segment -> (heading, label of its values, "by ..." in a sentence)
    "center": ("By center", "Center", "by center"),
    "acf_region": ("By ACF region", "ACF region", "by ACF region"),
    "opportunity_format": ("By format", "Format", "by format"),
    "intended_outcome": ("By intended outcome", "Intended outcome", "by intended outcome"),
    "grantee_type": ("By grantee type", "Grantee type", "by grantee type"),
}


# ---------------------------------------------------------------- formatting helpers


def _label(segment: str, value: str, names: dict[str, str]) -> str:
    if segment == "all":
        return "All centers"
    if segment == "center":
        return names.get(value, value)
    if segment == "acf_region":
        return value if value == "unknown" else f"Region {value}"
    return value.replace("_", " ")


def _short(segment: str, value: str, names: dict[str, str]) -> str:
    """The label in a chart: a center by its id (the tables give its name)."""
    return value if segment == "center" else _label(segment, value, names)


def _order(segment: str, value: str) -> tuple:
    """Display order of segment values: regions by number, the rest by name."""
    if segment == "acf_region" and value.isdigit():
        return (0, int(value), "")
    return (1, 0, value)


def _signed(points: int) -> str:
    return "0 pts" if points == 0 else f"{points:+d} pts".replace("-", "−")


def _shown_points(row: dict, value_key: str, n: int, min_cell_size: int,
                  points_key: str = "change_points_shown") -> dict:
    """A change cell whose text is the mart's change in whole points as shown (the difference
    of the two rounded rates), with the Newcombe interval; suppressed like any difference."""
    cell = cells.difference(row[value_key], n, min_cell_size, low=row["change_ci_low"],
                            high=row["change_ci_high"])
    if cell["state"] in ("value", "zero") and row.get(points_key) is not None:
        cell["text"] = _signed(int(row[points_key]))
        cell["state"] = "zero" if row[points_key] == 0 else "value"
    return cell


def _verdict_cell(direction: str | None, n_recent: int, n_earlier: int,
                  min_cell_size: int) -> dict:
    if direction:
        flag = {"rising": "met", "falling": "not-met"}.get(direction)
        cell = {"text": direction, "state": "value"}
        if flag:
            cell["flag"] = flag
        return cell
    if not n_recent or not n_earlier:
        return dict(cells.MISSING, title="no grantee-cohort with a complete window in a period")
    return dict(cells.suppressed(min_cell_size),
                title=f"fewer than {min_cell_size} grantee-cohorts in a period: no verdict")


def _sentence(r: dict, min_cell_size: int) -> str:
    """The verdict in words, e.g. 'no clear change: 25% vs 14%, +11 pts, 95% interval −17 to
    +57 pts' — every figure from the mart, the change the difference of the rounded rates."""
    n1, n2 = r["recent_grantee_cohorts"], r["earlier_grantee_cohorts"]
    periods_text = (f"grantee-cohorts whose cohort ended {r['recent_from_quarter']}–"
                    f"{r['recent_to_quarter']} (n = {n1}) against "
                    f"{r['earlier_from_quarter']}–{r['earlier_to_quarter']} (n = {n2})")
    if not n1 or not n2:
        return f"no verdict: no grantee-cohort with a complete window in a period ({periods_text})"
    if r["direction"] is None:
        return (f"no verdict: fewer than {min_cell_size} grantee-cohorts in a period "
                f"({periods_text})")
    ci = cells.interval(r["change_ci_low"], r["change_ci_high"], "difference")
    return (f"{r['direction']}: {r['recent_percent_shown']}% vs {r['earlier_percent_shown']}%, "
            f"{_signed(int(r['change_points_shown']))}, 95% interval {ci} ({periods_text})")


# ---------------------------------------------------------------- sections


def _verdicts(con: duckdb.DuckDBPyConnection, min_cell_size: int) -> dict:
    found = rows(con, "select * from marts.rpt_uptake_change order by sort_order, center_name")
    sentences = [{"name": r["center_name"], "id": r["center_id"],
                  "direction": r["direction"] or "none",
                  "text": _sentence(r, min_cell_size)}
                 for r in found if r["direction"] or r["center_id"] == "ALL"]
    none = [r["center_name"] for r in found if not r["direction"] and r["center_id"] != "ALL"]
    no_verdict = (f"No verdict yet for {', '.join(none)}: fewer than {min_cell_size} "
                  "grantee-cohorts with a complete window in one of the periods." if none
                  else None)
    body = []
    for r in found:
        n1, n2 = r["recent_grantee_cohorts"], r["earlier_grantee_cohorts"]
        both = min(n1, n2)
        body.append({
            "center": cells.text_cell(r["center_name"], r["center_id"]),
            "recent": cells.rate(r["recent_rate"], n1, min_cell_size,
                                 numerator=r["recent_took_up_related"]),
            "earlier": cells.rate(r["earlier_rate"], n2, min_cell_size,
                                  numerator=r["earlier_took_up_related"]),
            "change": _shown_points(r, "rate_change", both, min_cell_size),
            "ci": (dict(cells.MISSING) if not both else
                   cells.text_cell(cells.interval(r["change_ci_low"], r["change_ci_high"],
                                                  "difference"))
                   if both >= min_cell_size else cells.suppressed(min_cell_size)),
            "verdict": _verdict_cell(r["direction"], n1, n2, min_cell_size),
        })
    first = found[0] if found else None
    caption = "Is follow-up TA uptake rising? Recent four quarters against the four before"
    if first:
        caption += (f" ({first['recent_from_quarter']}–{first['recent_to_quarter']} vs "
                    f"{first['earlier_from_quarter']}–{first['earlier_to_quarter']})")
    t = table("uptake-change", caption,
              [column("center", "Center"), column("recent", "Recent", True),
               column("earlier", "Earlier", True), column("change", "Change", True),
               column("ci", "95% interval of the change", True),
               column("verdict", "Verdict")], body,
              note="Rising: the whole 95% interval of the change is above 0; falling: below "
              "0; otherwise no clear change. The change is the difference of the rounded "
              f"rates shown. No verdict with fewer than {min_cell_size} grantee-cohorts in a "
              "period. The recent period is the last four quarters whose six-month windows "
              "have all closed. " + UNIT)
    return {"sentences": sentences, "no_verdict": no_verdict, "table": t}


def _segment_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows(con, "select * from marts.rpt_uptake_segments "
                  "order by segment, segment_value, quarter_start_on"):
        out[r["segment"]].append(r)
    return out


def _quarter_cells(r: dict, min_cell_size: int) -> dict:
    n = r["grantee_cohorts"]
    return {
        "uptake": cells.rate(r["uptake_rate"], n, min_cell_size,
                             numerator=r["took_up_related"], low=r["uptake_ci_low"],
                             high=r["uptake_ci_high"]),
        # the baseline and lift are hidden with the uptake rate (together they give it back)
        "baseline": cells.rate(r["baseline_rate"], r["baseline_grantees"], min_cell_size,
                               numerator=r["baseline_took_up"], low=r["baseline_ci_low"],
                               high=r["baseline_ci_high"]),
        "lift": cells.difference(r["lift"], n, min_cell_size, low=r["lift_ci_low"],
                                 high=r["lift_ci_high"]),
    }


def _hide_with_uptake(c: dict) -> None:
    if cells.is_hidden(c["uptake"]):
        c["baseline"], c["lift"] = dict(c["uptake"]), dict(c["uptake"])


def _over_time(segment: str, found: list[dict], names: dict[str, str], min_cell_size: int,
               *, complement: bool) -> dict:
    """Chart and table of one segment's quarters; with ``complement`` the values of a quarter
    are suppressed together so that a hidden one cannot be recovered from the all-centers
    figure of that quarter."""
    by_value: dict[str, list[dict]] = defaultdict(list)
    for r in found:
        by_value[r["segment_value"]].append(r)
    values = sorted(by_value, key=lambda v: _order(segment, v))
    shown = {(r["segment_value"], r["quarter_start_on"]): _quarter_cells(r, min_cell_size)
             for r in found}
    if complement:
        by_quarter: dict[date, list[tuple]] = defaultdict(list)
        for v, q in shown:
            by_quarter[q].append((v, q))
        for keys in by_quarter.values():
            hidden = cells.complement([shown[k]["uptake"] for k in keys], min_cell_size)
            for k, cell in zip(keys, hidden, strict=True):
                shown[k]["uptake"] = cell
    for c in shown.values():
        _hide_with_uptake(c)

    points, body = [], []
    for v in values:
        name = _label(segment, v, names)
        series = {s: [] for s in charts.SERIES}
        for r in by_value[v]:
            c = shown[(v, r["quarter_start_on"])]
            for s, cell in zip(charts.SERIES, (c["uptake"], c["baseline"]), strict=True):
                series[s].append((r, cell))
            body.append({
                "name": cells.text_cell(name, v), "quarter": cells.text_cell(r["quarter"]),
                "cohorts": cells.count_cell(r["cohorts"]),
                "n": cells.count_cell(r["grantee_cohorts"]),
                "uptake": c["uptake"],
                "uptake_ci": cells.text_cell(c["uptake"].get("ci")),
                "baseline": c["baseline"],
                "baseline_ci": cells.text_cell(c["baseline"].get("ci")),
                "lift": c["lift"], "lift_ci": cells.text_cell(c["lift"].get("ci")),
                "small": ({"text": "small group", "state": "value", "flag": "hidden",
                           "title": f"fewer than {min_cell_size} grantee-cohorts"}
                          if r["is_small_group"] and r["grantee_cohorts"] else
                          cells.text_cell(None)),
            })
        for s, items in series.items():
            run_ids = charts.runs([cells.raw(cell) for _, cell in items])
            for (r, cell), run in zip(items, run_ids, strict=True):
                points.append({
                    "name": _short(segment, v, names), "series": s, "run": run,
                    "quarter_start_on": r["quarter_start_on"].isoformat(),
                    "quarter": r["quarter"], "value": cells.raw(cell),
                    "low": cell.get("low") if cells.raw(cell) is not None else None,
                    "high": cell.get("high") if cells.raw(cell) is not None else None,
                    "hidden": (charts.hidden_text(cell) if s == charts.SERIES[0]
                               and r["grantee_cohorts"] else None),
                })
    heading, label, by = SEGMENTS.get(segment, ("All centers", "Group", "all centers"))
    t = table(
        f"uptake-quarters-{segment.replace('_', '-')}",
        "Follow-up TA uptake by quarter, all centers" if segment == "all"
        else f"Follow-up TA uptake by quarter, {by}",
        ([] if segment == "all" else [column("name", label)])
        + [column("quarter", "Quarter"), column("cohorts", "Cohorts", True),
           column("n", "Grantee-cohorts", True), column("uptake", "Took up related TA", True),
           column("uptake_ci", "95% interval", True), column("baseline", "Baseline", True),
           column("baseline_ci", "95% interval", True), column("lift", "Lift", True),
           column("lift_ci", "95% interval", True), column("small", "Flag")],
        [{k: v for k, v in b.items() if segment != "all" or k != "name"} for b in body],
        note="Every quarter from the first to the last with a complete window is listed; "
             "a quarter with no grantee-cohort is a gap in the chart. " + UPTAKE_NOTE)
    if not any(p["value"] is not None for p in points):
        return {"chart": None, "table": t}
    panel_names = None if segment == "all" else [_short(segment, v, names) for v in values]
    alt_text = (
        "Solid line and blue band: share of participating grantee-cohorts taking up related "
        "follow-up TA, with its 95% interval, by the quarter the cohort ended; dashed line and "
        "grey band: the non-participant baseline. Quarters on a continuous time axis: a "
        "quarter with no grantee-cohort is a gap, never joined across"
        + ("; grey dashed rules: too few grantee-cohorts to show." if any(
            p["hidden"] for p in points) else ".")
        + ("" if segment == "all" else f" One panel per {by[3:]} "
           f"({len(values)}), on the same scales."))
    c = charts.chart(f"trend-{segment.replace('_', '-')}",
                     "Follow-up TA uptake by quarter, against the baseline" if segment == "all"
                     else f"Uptake by quarter, {by}", alt_text, t,
                     charts.uptake_over_time(points, description=f"uptake over time, {segment}",
                                             panels=panel_names))
    return {"chart": c, "table": t}


def _totals(con: duckdb.DuckDBPyConnection, names: dict[str, str],
            min_cell_size: int) -> dict[str, dict]:
    """Per segment: the recent period's uptake, baseline and lift per value, its change
    against the earlier period and the verdict; a bar chart of the uptake with its interval
    and the baseline."""
    by_segment: dict[str, list[dict]] = defaultdict(list)
    for r in rows(con, "select * from marts.rpt_uptake_segment_totals"):
        by_segment[r["segment"]].append(r)
    out = {}
    for segment, found in by_segment.items():
        found.sort(key=lambda r: _order(segment, r["segment_value"]))
        uptake = [cells.rate(r["uptake_rate"], r["grantee_cohorts"], min_cell_size,
                             numerator=r["took_up_related"], low=r["uptake_ci_low"],
                             high=r["uptake_ci_high"]) for r in found]
        if segment != "all":  # the all-centers figure is shown beside them
            uptake = cells.complement(uptake, min_cell_size)
        body, bars = [], []
        for r, up in zip(found, uptake, strict=True):
            name = _label(segment, r["segment_value"], names)
            hidden = cells.is_hidden(up)
            base = cells.rate(r["baseline_rate"], r["baseline_grantees"], min_cell_size,
                              numerator=r["baseline_took_up"], low=r["baseline_ci_low"],
                              high=r["baseline_ci_high"])
            lift = cells.difference(r["lift"], r["grantee_cohorts"], min_cell_size,
                                    low=r["lift_ci_low"], high=r["lift_ci_high"])
            n_change = min(r["grantee_cohorts"], r["earlier_grantee_cohorts"])
            change = _shown_points(r, "rate_change", n_change, min_cell_size)
            if hidden:
                base, lift, change = dict(up), dict(up), dict(up)
            body.append({
                "name": cells.text_cell(name, r["segment_value"]),
                "cohorts": cells.count_cell(r["cohorts"]),
                "n": cells.count_cell(r["grantee_cohorts"]),
                "uptake": up, "baseline": base, "lift": lift,
                "earlier": (dict(up) if hidden else cells.rate(
                    r["earlier_rate"], r["earlier_grantee_cohorts"], min_cell_size,
                    numerator=r["earlier_took_up_related"])),
                "change": change,
                "verdict": (dict(up) if hidden else _verdict_cell(
                    r["direction"], r["grantee_cohorts"], r["earlier_grantee_cohorts"],
                    min_cell_size)),
                "open": cells.count_cell(r["open_window_grantee_cohorts"]),
            })
            if not r["grantee_cohorts"]:
                continue  # in the table, not drawn: nothing ended in the period
            cohorts = f"{r['cohorts']} cohort{'' if r['cohorts'] == 1 else 's'}"
            short = _short(segment, r["segment_value"], names)
            bars.append({"name": f"{short} ({cohorts}, n = {r['grantee_cohorts']})",
                         "value": cells.raw(up), "hidden": charts.hidden_text(up),
                         "low": up.get("low") if cells.raw(up) is not None else None,
                         "high": up.get("high") if cells.raw(up) is not None else None,
                         "baseline": cells.raw(base)})
        heading, label, by = SEGMENTS.get(segment, ("All centers", "Group", "all centers"))
        first = found[0]
        period = f"{first['recent_from_quarter']}–{first['recent_to_quarter']}"
        t = table(
            f"uptake-recent-{segment.replace('_', '-')}",
            f"Follow-up TA uptake in {period}, {by}, against "
            f"{first['earlier_from_quarter']}–{first['earlier_to_quarter']}",
            [column("name", label), column("cohorts", "Cohorts", True),
             column("n", "Grantee-cohorts", True), column("uptake", "Took up related TA", True),
             column("baseline", "Baseline", True), column("lift", "Lift", True),
             column("earlier", "Earlier period", True), column("change", "Change", True),
             column("verdict", "Verdict"), column("open", "Window still open", True)],
            body, note="Hover a figure for its count and 95% interval. " + UPTAKE_NOTE)
        chart = None
        if any(b["value"] is not None for b in bars):
            chart = charts.chart(
                f"recent-{segment.replace('_', '-')}", f"Uptake in {period}, {by}",
                f"Bars: follow-up TA uptake per {by[3:]} over {period} ({len(bars)} "
                f"group{'' if len(bars) == 1 else 's'} with a cohort that ended then, complete "
                "windows; n: grantee-cohorts), whiskers: its 95% interval; black ticks: the "
                "non-participant baseline."
                + (" Grey placeholders: too few grantee-cohorts to show." if any(
                    b["hidden"] for b in bars) else ""),
                t, charts.rate_bars(bars, category="name", category_title=None,
                                    value_title="Took up related follow-up TA",
                                    description=f"recent uptake, {segment}",
                                    baseline="baseline", sort=[b["name"] for b in bars],
                                    interval=True))
        out[segment] = {"chart": chart, "table": t}
    return out


def _reach(con: duckdb.DuckDBPyConnection, min_cell_size: int) -> dict:
    found = rows(con, "select * from marts.rpt_uptake_reach order by sort_order, center_id")
    body = {r["center_id"]: {
        "center": cells.text_cell(r["center_name"], None if r["center_id"] == "ALL"
                                  else r["center_id"]),
        "cohorts": cells.count_cell(r["cohorts"]),
        "invited": cells.count_cell(r["invited_grantee_cohorts"]),
        "participating": cells.count_cell(r["participating_grantee_cohorts"]),
        "reach": cells.rate(r["reach_rate"], r["invited_grantee_cohorts"], min_cell_size,
                            numerator=r["participating_grantee_cohorts"],
                            low=r["reach_ci_low"], high=r["reach_ci_high"]),
    } for r in found}
    total = body.pop("ALL", None)
    return table(
        "reach-by-center", "Grantees reached out of those invited, by center",
        [column("center", "Center"), column("cohorts", "Cohorts", True),
         column("invited", "Invited grantee-cohorts", True),
         column("participating", "Participating grantee-cohorts", True),
         column("reach", "Participating / invited", True)], list(body.values()),
        total=total,
        note="Summed over each center's cohorts (a grantee in two cohorts counts twice). "
        "Participating: at least one participant attended at least one delivered session "
        "(registration alone is not participation). Hover a rate for its 95% interval.")


def _theories(con: duckdb.DuckDBPyConnection) -> tuple[dict, dict]:
    found = rows(con, "select * from marts.rpt_uptake_theories_of_change "
                 "order by sort_order, center_id")
    body = {r["center_id"]: {
        "center": cells.text_cell(r["center_name"], None if r["center_id"] == "ALL"
                                  else r["center_id"]),
        "opportunities": cells.count_cell(r["opportunities"]),
        "with": cells.count_cell(r["with_theory_of_change"]),
        "without": cells.count_cell(r["without_theory_of_change"]),
    } for r in found}
    total = body.pop("ALL", None)
    summary = table(
        "toc-by-center", "Theories of change by center",
        [column("center", "Center"), column("opportunities", "Opportunities", True),
         column("with", "With a theory of change", True),
         column("without", "Without", True)], list(body.values()), total=total)
    opportunities = rows(con, "select * from marts.dim_opportunities "
                         "order by center_id, opportunity_id")
    listing = table(
        "theories-of-change", "Opportunities with a theory of change (measurable targets)",
        [column("center", "Center"), column("opportunity", "Opportunity"),
         column("format", "Format"), column("toc", "Theory of change"),
         column("targets", "Targets", True)],
        [{"center": cells.text_cell(o["center_id"]),
          "opportunity": cells.text_cell(o["opportunity_title"], o["opportunity_id"]),
          "format": cells.text_cell(o["opportunity_format"]),
          "toc": ({"text": "yes", "state": "value", "flag": "met"} if o["has_theory_of_change"]
                  else {"text": "no theory of change", "state": "value", "flag": "no-toc"}),
          "targets": cells.count_cell(o["toc_targets"])} for o in opportunities])
    return summary, listing


def _open_windows(con: duckdb.DuckDBPyConnection, names: dict[str, str]) -> dict:
    found = rows(con, "select center_id, quarter, open_window_grantee_cohorts "
                 "from marts.agg_uptake_trend where open_window_grantee_cohorts > 0 "
                 "order by quarter_start_on nulls last, center_id")
    return table(
        "uptake-open", "Grantee-cohorts whose follow-up window is still open",
        [column("center", "Center"), column("quarter", "Quarter the cohort ended"),
         column("open", "Grantee-cohorts", True), column("status", "Status")],
        [{"center": cells.text_cell(names.get(r["center_id"], r["center_id"]), r["center_id"]),
          "quarter": cells.text_cell(r["quarter"] or "ongoing (no end yet)"),
          "open": cells.count_cell(r["open_window_grantee_cohorts"]),
          "status": cells.text_cell("window still open")} for r in found],
        note="No uptake rate is reported until the six-month window closes, so recent "
        "quarters are not understated.")


# ---------------------------------------------------------------- headline


HEADLINE = [  # (figure of marts.rpt_headlines, label, note); {total}: the denominator
    ("followup_uptake_rate", "Follow-up TA uptake, all centers",
     "complete six-month windows closed by the cutoff; unit: the grantee-cohort"),
    ("followup_baseline_rate", "Baseline: non-participants' uptake",
     "pooled over the non-participants of those cohorts"),
    ("followup_lift", "Uptake lift over the baseline", "uptake minus the baseline"),
    ("open_window_grantee_cohorts", "Grantee-cohorts with a window still open",
     "shown apart: no final rate until the window closes"),
    ("cohorts_active", "Cohorts active in the period", "a delivered session in the period"),
    ("grantees_reached", "Grantees reached in the period",
     "attended at least one session of any center, out of {total}"),
    ("grantees_without_ta", "Grantees with no TA at all in the period",
     "out of all {total} grantees: neither a TA request to any center (withdrawn ones do "
     "not count) nor an attended session"),
    ("opportunities_with_toc", "Opportunities with a theory of change",
     "reference data: current state only"),
]


def _headline(con: duckdb.DuckDBPyConnection, min_cell_size: int) -> list[dict]:
    """The headline block of all centers (``ALL`` in marts.rpt_headlines)."""
    return headlines.block(headlines.read(con, "ALL"), HEADLINE, min_cell_size)


def build(con: duckdb.DuckDBPyConnection, as_of: date, *, min_cell_size: int = 3) -> dict:
    names = {c["center_id"]: c["center_name"]
             for c in rows(con, "select center_id, center_name from marts.dim_centers")}
    period = headlines.report_period(con)

    segments = _segment_rows(con)
    over_time = {seg: _over_time(seg, found, names, min_cell_size,
                                 complement=seg != "all")
                 for seg, found in segments.items()}
    totals = _totals(con, names, min_cell_size)
    toc_summary, toc = _theories(con)
    empty = {"chart": None, "table": None}
    return {
        "kind": "leadership",
        "title": "Follow-up TA uptake across centers",
        "as_of": as_of.isoformat(),
        "previous_as_of": period["previous_as_of"],
        "period": {"start": period["start"], "end": period["end"]},
        "min_cell_size": min_cell_size,
        "unit": UNIT,
        "headline": _headline(con, min_cell_size),
        "verdict": _verdicts(con, min_cell_size),
        "trend": over_time.get("all", empty),
        "segments": [
            {"id": seg.replace("_", "-"), "heading": SEGMENTS[seg][0],
             "over_time": over_time.get(seg, empty), "recent": totals.get(seg, empty)}
            for seg in SEGMENTS if seg in over_time or seg in totals
        ],
        "open": _open_windows(con, names),
        "reach": _reach(con, min_cell_size),
        "toc": toc,
        "toc_summary": toc_summary,
    }
