"""Report contexts on the tiny hand-written warehouse (``tests/fixtures/warehouse.py``).

The specification is the hand-computed assertions below (each figure worked out from the
fixture's rows). The golden files in ``golden/`` are snapshots of the whole context: they
catch unintended changes anywhere in it. After an intended change, rewrite them with
``uv run pytest --update-goldens tests/publish/test_report_context.py`` and review the diff;
a snapshot never replaces a hand-computed assertion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plcqi.publish import center, leadership, warehouse
from plcqi.publish.cells import is_hidden
from tests.fixtures import warehouse as fixtures
from tests.helpers import check_snapshot

GOLDEN = Path(__file__).parent / "golden"


def plain(node):
    """The context as JSON, without rendered artefacts (chart specs, SVG, CSV URIs)."""
    if isinstance(node, dict):
        return {k: plain(v) for k, v in node.items() if k not in ("spec", "svg", "csv_href")}
    if isinstance(node, list | tuple):
        return [plain(v) for v in node]
    return json.loads(json.dumps(node, default=str))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("tiny")
    fixtures.build(d)
    return d


@pytest.fixture(scope="module")
def c1(tiny) -> dict:
    with warehouse.connect(tiny) as con:
        return center.build(con, tiny, "C1", fixtures.AS_OF)


@pytest.fixture(scope="module")
def lead(tiny) -> dict:
    with warehouse.connect(tiny) as con:
        return leadership.build(con, fixtures.AS_OF)


def texts(table: dict) -> list[list[str]]:
    return [[c["text"] for c in row["cells"]] for row in table["rows"]]


def test_center_context_matches_its_snapshot(c1, update_goldens):
    check_snapshot(plain(c1), GOLDEN / "center_C1_2026-06-30.json", update_goldens)


def test_leadership_context_matches_its_snapshot(lead, update_goldens):
    check_snapshot(plain(lead), GOLDEN / "leadership_2026-06-30.json", update_goldens)


def test_headline_figures_by_hand(c1):
    # read from marts.rpt_headlines / rpt_headline_changes for C1 (fixtures.HEADLINES)
    h = {x["label"]: x for x in c1["headline"]}
    # K1 2/4 + K3 1/2 took up; baseline 4 of 20; no window had closed by 2026-03-31.
    uptake = h["Follow-up TA uptake, complete windows"]
    assert (uptake["value"]["text"], uptake["previous"]["state"]) == ("50%", "missing")
    assert h["Uptake lift over the baseline"]["value"]["text"] == "+30 pts"
    assert h["Baseline: non-participants' uptake"]["value"]["text"] == "20%"
    # 15 of 20 grantee-sessions now (Wilson 53–89%); 12 of 16 = 75% at the previous as-of
    # date, recomputed from today's data (nothing was published for C1 then).
    att = h["Attendance, all cohorts to date"]
    assert (att["value"]["title"], att["previous"]["text"], att["change"]["text"]) == (
        "15 of 20; 95% interval 53–89%", "75%", "0 pts")
    assert att["previous"]["recomputed"] is True
    assert h["Grantees reached in the period"]["value"]["text"] == "2"
    assert h["Grantees with no TA at all in the period"]["value"]["text"] == "1 of 5"
    assert h["Opportunities with a theory of change"]["value"]["text"] == "1 of 2"


def test_ta_by_grantee_by_hand(c1):
    # fixtures.TA_REQUESTS; period 2026-04-01..06-30, previous 2026-01-01..03-31. To C1:
    # center C1 or source O1/O2 (T3 via O1, T4 via O2); T5 is C2's only, T9 predates both.
    # Sessions: K2-S1 (Apr 7: G1, G5), K2-S2 (May 5: G1); none of C1's in the previous one.
    t = c1["ta_by_grantee"]
    assert [c["key"] for c in t["columns"]] == [
        "grantee", "requests", "withdrawn_requests", "delivered_requests", "sessions_attended",
        "requests_prev", "withdrawn_requests_prev", "delivered_requests_prev",
        "sessions_attended_prev"]
    rows = {r["cells"][0].get("title", r["cells"][0]["text"]): [c["text"] for c in
                                                                  r["cells"][1:]]
            for r in t["rows"]}
    assert rows == {
        "G5": ["0", "0", "0", "1", "0", "0", "0", "0"],  # a session, no request
        "G1": ["1", "0", "0", "2", "1", "0", "1", "0"],  # T7 (first day) now; T6 (last day)
        "G2": ["2", "1", "1", "0", "0", "0", "0", "0"],  # T1 final, T2 withdrawn
        "G3": ["1", "0", "1", "0", "1", "0", "0", "0"],  # T3 closed via O1; T4 via O2
        "G4": ["1", "1", "0", "0", "0", "0", "0", "0"],  # T8 withdrawn; T5 (C2) left out
        "All grantees": ["5", "2", "2", "3", "2", "0", "1", "0"],
    }
    assert t["rows"][-1]["kind"] == "total"


def test_which_grantees_took_up_follow_up_by_hand(c1, tiny):
    # C1: K3's rate (1 of 2) is suppressed and K1's hidden with it, so are their grantees'
    # outcomes; K2's window is open, so its grantees have no row.
    rows = texts(c1["uptake"]["by_grantee"])
    assert sorted((r[1], r[0]) for r in rows) == [
        ("K1", "Alabama"), ("K1", "Alaska"), ("K1", "Arizona"), ("K1", "Guam"),
        ("K3", "Arizona"), ("K3", "Guam")]
    assert {r[2] for r in rows if r[1] == "K1"} == {"suppr."}
    assert {r[2] for r in rows if r[1] == "K3"} == {"n<3"}
    # C2: K9's 1 of 3 is shown; Alaska asked 10 days after the cohort ended on 2025-06-01.
    with warehouse.connect(tiny) as con:
        c2 = center.build(con, tiny, "C2", fixtures.AS_OF)
    assert sorted(texts(c2["uptake"]["by_grantee"])) == [
        ["Alaska", "K9", "yes", "2025-06-11", "10", "2"],
        ["Arizona", "K9", "no", "—", "—", "0"],
        ["Guam", "K9", "no", "—", "—", "0"],
    ]


def test_no_ta_headline_by_hand(c1, lead):
    h = {x["label"]: x for x in c1["headline"]}["Grantees with no TA at all in the period"]
    # Now: G1 (T7, sessions), G2 (T1), G3 (T3), G5 (session); G4 only withdrawn T8 -> 1.
    # Before: G1 (T6), G3 (T4) -> G2, G4, G5 without: 3.
    assert (h["value"]["text"], h["previous"]["text"], h["change"]["text"]) == (
        "1 of 5", "3 of 5", "-2")
    h = {x["label"]: x for x in lead["headline"]}["Grantees with no TA at all in the period"]
    # Any center: G4 has T5 (to C2) now, so nobody is without; before as for C1 (K9 is 2025).
    assert (h["value"]["text"], h["value"]["state"], h["previous"]["text"],
            h["change"]["text"]) == ("0 of 5", "zero", "3 of 5", "-3")


def test_leadership_reach_by_hand(lead):
    # dim_cohorts: C1 K1 5/4, K3 2/2, K2 3/2 -> 8 of 10; C2 K9 3/3; all 11 of 13.
    assert texts(lead["reach"]) == [["Center One", "3", "10", "8", "80%"],
                                    ["Center Two", "1", "3", "3", "100%"],
                                    ["All centers", "4", "13", "11", "85%"]]


def test_a_verdict_on_a_hidden_figure_is_hidden(tmp_path):
    import duckdb
    fixtures.build(tmp_path)
    con = duckdb.connect(str(tmp_path / "warehouse" / "plcqi.duckdb"))
    # Verdicts on K3's uptake (n<3) and K1's (hidden as its complement): both met, both hidden.
    con.execute("update marts.fct_phase_metrics set target_comparator = '>=', "
                "target_value = 0.4, target_met = true where metric = 'followup_uptake_rate' "
                "and cohort_id in ('K1', 'K3')")
    con.close()
    with warehouse.connect(tmp_path) as con:
        ctx = center.build(con, tmp_path, "C1", fixtures.AS_OF)
    k1 = next(k for o in ctx["opportunities"] for k in o["cohorts"] if k["id"] == "K1")
    tick = next(b for b in k1["scorecard"]["rows"] if b["cells"][1]["title"]
                == "followup_uptake_rate")["cells"][5]
    assert tick["flag"] == "hidden"
    # the targets summary hides them the same way, and no recommendation names them
    o1 = next(t for t in ctx["targets"] if t["id"] == "O1")
    uptake = [r for r in texts(o1["table"]) if r[1].startswith("Follow-up TA uptake")]
    assert uptake == [["K1", uptake[0][1], "suppr.", "—", "≥ 40%", "suppr."],
                      ["K3", uptake[0][1], "n<3", "—", "≥ 40%", "n<3"]]
    figures = [t["figure"] for r in ctx["recommendations"] for t in r["triggers"]]
    assert not [f for f in figures if "uptake" in f.lower()]
    # the headline's "targets met" is the mart's (rpt_headlines: 1 of 4 shown verdicts)
    met = {x["label"]: x for x in ctx["headline"]}["Targets met (cohort × metric)"]
    assert met["value"]["text"] == "25%"


def test_retention_chart_draws_the_attendance_target(c1):
    k1 = next(k for o in c1["opportunities"] for k in o["cohorts"] if k["id"] == "K1")
    chart = k1["attendance"]["retention"]
    assert {"value": 0.8, "label": "attendance target ≥ 80%"} in chart["spec"]["layer"][-1][
        "data"]["values"]
    assert chart["alt"].endswith("Dashed red line: attendance target ≥ 80% (the mean of the "
                                 "points).")
    # K1's uptake is hidden (complementary suppression): no uptake chart to draw a target on.
    assert c1["uptake"]["chart"] is None


def test_denominator_under_minimum_is_suppressed(c1):
    k3 = next(k for o in c1["opportunities"] for k in o["cohorts"] if k["id"] == "K3")
    row = next(r for r in k3["scorecard"]["rows"] if r["cells"][1]["title"]
               == "followup_uptake_rate")
    value, ci, status = row["cells"][2], row["cells"][3], row["cells"][5]
    assert value["text"] == "n<3" and value["state"] == "suppressed"
    assert "raw" not in value and status["text"] == "n<3"
    assert ci["text"] == "—"  # the interval of a hidden figure is hidden with it


def test_complementary_suppression_hides_a_second_cohort(c1):
    rows = texts(c1["uptake"]["table"])
    assert rows[0][:5] == ["K1", "2025-11-20", "2026-05-21", "4", "suppr."]
    assert rows[1][4] == "n<3"
    # the center's total (headline) stays; neither cohort can be recovered from it
    h = {x["label"]: x for x in c1["headline"]}
    assert h["Follow-up TA uptake, complete windows"]["value"]["text"] == "50%"
    k1_cells = c1["uptake"]["table"]["rows"][0]["cells"]
    # uptake, its interval, baseline and lift (and its interval), days: all hidden;
    # the count of non-participants compared (grantees, never suppressed) stays.
    assert [c["text"] for c in k1_cells[4:]] == ["suppr.", "—", "10", "suppr.", "suppr.", "—",
                                                 "suppr."]
    assert all(is_hidden(c) for i, c in enumerate(k1_cells) if i in (4, 7, 8, 10))


def test_suppressed_cell_differs_from_true_zero():
    from plcqi.publish.cells import rate
    zero, hidden = rate(0.0, 5, 3, numerator=0), rate(0.0, 2, 3, numerator=0)
    assert (zero["text"], zero["state"]) == ("0%", "zero")
    assert (hidden["text"], hidden["state"]) == ("n<3", "suppressed")


def test_open_windows_are_shown_apart(c1):
    assert texts(c1["uptake"]["open"]) == [
        ["K2", "ongoing", "after the cohort ends", "2", "window still open"]]
    assert "K2" not in [r[0] for r in texts(c1["uptake"]["table"])]


def test_center_report_holds_only_its_own_cohorts(c1):
    dumped = json.dumps(plain(c1))
    assert "K9" not in dumped and "O3" not in dumped and "Other Center" not in dumped
    ids = [k["id"] for o in c1["opportunities"] for k in o["cohorts"]]
    assert ids == ["K1", "K3", "K2"]


def test_opportunity_without_theory_of_change_is_flagged(c1):
    o2 = next(o for o in c1["opportunities"] if o["id"] == "O2")
    assert o2["has_toc"] is False
    statuses = {r["cells"][5]["text"] for r in o2["cohorts"][0]["scorecard"]["rows"]}
    assert "no theory of change" in statuses
    t = next(t for t in c1["targets"] if t["id"] == "O2")
    assert (t["has_toc"], t["table"]) == (False, None)


def test_recommendations_name_their_figures(c1):
    # In the period: K2 (sessions in it), K1 and K3 (windows closed in it). O1 has targets on
    # attendance (>= 80%) and the longest gap (<= 42 days): K1 misses both (75%, 50 days),
    # K3 misses attendance (75%) and meets the gap (30 days). So the six-week rule, whose
    # metric O1 has a target for, does not fire on its own: the missed target says it.
    found = {r["rule_id"]: r["triggers"] for r in c1["recommendations"]}
    assert set(found) == {"target_not_met", "no_theory_of_change", "intake_before_launch",
                          "kickoff_sets_expectations", "team_lead_agency"}
    assert [(t["cohort_ids"], t["figure"]) for t in found["target_not_met"]] == [
        (["K1"], "Attendance (grantee-sessions attended): 75% (95% interval 47–91%) against "
                 "the target ≥ 80%: not met"),
        (["K1"], "Longest gap between sessions: 50 days against the target ≤ 42 days: "
                 "not met"),
        (["K3"], "Attendance (grantee-sessions attended): 75% (95% interval 30–95%) against "
                 "the target ≥ 80%: not met"),
    ]
    assert found["target_not_met"][1]["advice"].startswith("Schedule every session")
    assert found["no_theory_of_change"][0]["cohort_ids"] == ["K2"]
    assert c1["nothing_to_report"] is None


def test_targets_summary_by_hand(c1):
    # O1's targets: attendance >= 80% and longest gap <= 42 days, for K1 and K3 (PHASE).
    o1 = next(t for t in c1["targets"] if t["id"] == "O1")
    assert texts(o1["table"]) == [
        ["K1", "Attendance (grantee-sessions attended)", "75%", "47–91%", "≥ 80%", "not met"],
        ["K1", "Longest gap between sessions", "50 days", "—", "≤ 42 days", "not met"],
        ["K3", "Attendance (grantee-sessions attended)", "75%", "30–95%", "≥ 80%", "not met"],
        ["K3", "Longest gap between sessions", "30 days", "—", "≤ 42 days", "met"],
    ]


def test_reach_and_attendance_across_by_hand(c1):
    # rpt_cohort_summary: K1 4 of 5 (Wilson 38–96%), K3 2 of 2 (n<3), K2 2 of 3 (21–94%).
    assert texts(c1["reach"]) == [["K1", "5", "5", "4", "80%", "38–96%"],
                                  ["K3", "2", "2", "2", "n<3", "—"],
                                  ["K2", "3", "2", "2", "67%", "21–94%"]]
    # rpt_attendance_pooled: O1 12 of 16, O2 3 of 4, the center 15 of 20.
    assert texts(c1["attendance_across"]) == [
        ["K1", "cohort", "9", "12", "75%", "47–91%"],
        ["K3", "cohort", "3", "4", "75%", "30–95%"],
        ["Licensing PLC (O1)", "opportunity, pooled", "12", "16", "75%", "51–90%"],
        ["K2", "cohort", "3", "4", "75%", "30–95%"],
        ["Workforce CoP (O2)", "opportunity, pooled", "3", "4", "75%", "30–95%"],
        ["All cohorts of the center", "center, pooled", "15", "20", "75%", "53–89%"],
    ]


def test_attendance_grid_tells_never_registered_and_never_attended_apart(c1):
    k1, k3, k2 = (k for o in c1["opportunities"] for k in o["cohorts"])
    # K1: G5 registered and never came; K2: G3 invited and never registered. Both last.
    # The grid is one CSV file of the page (one row per grantee-session), not a chart.
    grid = texts(c1["attendance_grid"])
    k1_rows = [r for r in grid if r[0] == "K1"]
    assert [r[1:4] for r in k1_rows[::3]] == [
        ["G1", "Alabama", "participating"], ["G2", "Alaska", "participating"],
        ["G3", "Arizona", "participating"], ["G4", "Guam", "participating"],
        ["G5", f"{fixtures.XSS} Nation", "registered, never attended"]]
    assert [r[4:] for r in k1_rows if r[1] == "G3"] == [
        ["S1", "2025-09-10", "yes", "2"], ["S2", "2025-10-01", "yes", "2"],
        ["S3", "2025-11-20", "no", "2"]]
    assert [r[6:] for r in k1_rows if r[1] == "G5"] == [["no", "0"]] * 3
    assert [r[1:4] for r in grid if r[0] == "K2"][-1] == [
        "G3", "Arizona", "invited, never registered"]
    assert len(grid) == 5 * 3 + 2 * 2 + 3 * 2  # K1, K3, K2: grantees x delivered sessions
    assert "1 registered, never attended" in k1["attendance"]["grid_about"]
    assert "heatmap" not in k1["attendance"] and "grid_rows" not in k1["attendance"]
    assert c1["attendance_csv"] == {"href": "2026-06-30-attendance.csv",
                                    "name": "2026-06-30-attendance.csv", "rows": len(grid)}
    # the share at each session: rpt_attendance_sessions (K1: 4, 3, 2 of 4)
    assert texts(k1["attendance"]["retention_table"]) == [
        ["S1", "2025-09-10", "100%", "51–100%"], ["S2", "2025-10-01", "75%", "30–95%"],
        ["S3", "2025-11-20", "50%", "15–85%"]]
    assert [r[2] for r in texts(k1["attendance"]["gap_table"])] == ["—", "21 days", "50 days"]


def test_barriers_by_hand(c1):
    k1 = next(k for o in c1["opportunities"] for k in o["cohorts"] if k["id"] == "K1")
    rows = texts(k1["barriers"]["table"])
    # 3 answers: time 3 of 3; turnover 1 person (shown as <3), its share of 3 answers shown.
    assert rows[:2] == [["Not enough time", "3", "100%", "44–100%"],
                        ["Staff turnover", "<3", "33%", "6–79%"]]
    assert rows[2] == ["Lead agency buy-in", "0", "0%", "0–56%"]
    k2 = next(k for o in c1["opportunities"] for k in o["cohorts"] if k["id"] == "K2")
    assert k2["barriers"] == {"has_answers": False}


def test_a_center_with_nothing_in_the_period_says_why(tmp_path):
    fixtures.build(tmp_path, "update marts.rpt_cohort_summary set is_active_in_period = false, "
                             "window_closed_in_period = false")
    with warehouse.connect(tmp_path) as con:
        ctx = center.build(con, tmp_path, "C1", fixtures.AS_OF)
        c2 = center.build(con, tmp_path, "C2", fixtures.AS_OF)
    assert ctx["recommendations"] == []
    assert ctx["nothing_to_report"] == (
        "No cohort of this center had a delivered session in the period (2026-04-01 to "
        "2026-06-30) or a follow-up window closing in it: the rules looked at no cohort.")
    # C2's K9: no session or window closing in the period either
    assert c2["nothing_to_report"].startswith("No cohort of this center")


def test_a_cohort_with_nothing_in_the_period_keeps_its_key_figures_only(tmp_path, c1):

    from plcqi.publish import render
    fixtures.build(tmp_path, "update marts.rpt_cohort_summary set is_active_in_period = false, "
                             "window_closed_in_period = false where cohort_id = 'K3'")
    with warehouse.connect(tmp_path) as con:
        ctx = center.build(con, tmp_path, "C1", fixtures.AS_OF)
    by_id = {k["id"]: k for o in ctx["opportunities"] for k in o["cohorts"]}
    before = {k["id"]: k for o in c1["opportunities"] for k in o["cohorts"]}
    assert sorted(by_id) == sorted(before)  # every cohort still listed
    k3 = by_id["K3"]
    assert k3["in_full"] is False and by_id["K1"]["in_full"] is True
    assert "attendance" not in k3 and "polls" not in k3 and "barriers" not in k3
    assert texts(k3["scorecard"]) == texts(before["K3"]["scorecard"])
    # and in the reach and attendance-across tables, unchanged
    assert "K3" in [r[0] for r in texts(ctx["reach"])]
    def html(cohort):
        page = render.finalize({"cohort": cohort, "comments_enabled": False,
                                "min_cell_size": 3, "attendance_csv": ctx["attendance_csv"]})
        return render.environment().get_template("_cohort.html").render(**page)
    assert "key figures only" in html(k3) and "<svg" not in html(k3)
    assert "Six phases" in html(k3)
    assert "key figures only" not in html(by_id["K1"]) and "<svg" in html(by_id["K1"])


def test_comments_are_off_by_default(c1, tiny):
    assert c1["comments_enabled"] is False
    assert all(k["comments"] == [] for o in c1["opportunities"] for k in o["cohorts"])
    with warehouse.connect(tiny) as con:
        on = center.build(con, tiny, "C1", fixtures.AS_OF, include_comments=True)
    k1 = next(k for o in on["opportunities"] for k in o["cohorts"] if k["id"] == "K1")
    assert [c["text"] for c in k1["comments"]] == [
        "Great! Mail me at [email removed]",
        "Call [phone removed] about <script>alert('x')</script>",
        "Too many sessions",
    ]


def test_leadership_open_windows_and_lift(lead):
    assert texts(lead["open"]) == [["Center One", "ongoing (no end yet)", "2",
                                    "window still open"]]
    # marts.rpt_headlines (ALL): 4 of 9 now, Wilson 0.1888-0.7334; the previous figure is the
    # one published as of 2026-03-31 (2 of 5), not the 1 of 3 recomputed today: 44% - 40%.
    h = {x["label"]: x for x in lead["headline"]}["Follow-up TA uptake, all centers"]
    assert h["value"]["title"] == "4 of 9; 95% interval 19–73%"
    assert (h["previous"]["text"], h["change"]["text"]) == ("40%", "+4 pts")


def test_warehouse_as_of_must_match(tiny):
    from datetime import date

    from plcqi.publish import PublishError, render_center
    with pytest.raises(PublishError, match="built as of 2026-06-30"):
        render_center(tiny, "C1", date(2026, 3, 31))


def test_missing_warehouse_is_a_clear_error(tmp_path):
    from plcqi.publish import PublishError, render_all
    with pytest.raises(PublishError, match="no warehouse"):
        render_all(tmp_path)


def test_only_the_most_recent_cohorts_are_drawn(tiny, c1):
    """``report_charted_cohorts`` bounds the charts of a center report: the cohorts shown in
    full beyond it carry the same sections as tables, with no chart."""
    blocks = [b for o in c1["opportunities"] for b in o["cohorts"] if b["in_full"]]
    assert len(blocks) >= 2, "the fixture needs two cohorts shown in full"
    assert all(b["charted"] for b in blocks)  # the default draws them all here
    with warehouse.connect(tiny) as con:
        capped = center.build(con, tiny, "C1", fixtures.AS_OF, charted_cohorts=1)
    assert capped["charted_cohorts"] == 1
    shown = [b for o in capped["opportunities"] for b in o["cohorts"] if b["in_full"]]
    drawn = [b for b in shown if b["charted"]]
    assert len(drawn) == 1
    for b in shown:
        sections = [b["attendance"], b["polls"], b["surveys"], b["barriers"]]
        charts_in = [v for s in sections for v in s.values()
                     if isinstance(v, dict) and "spec" in v]
        if b["charted"]:
            assert charts_in, b["id"]
        else:
            assert not charts_in, b["id"]
            # the figures are still there, as tables
            assert b["attendance"].get("retention_table") or not b["attendance"]["has_sessions"]
