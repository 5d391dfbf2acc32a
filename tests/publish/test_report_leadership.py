"""The leadership report on the tiny hand-written warehouse (``tests/fixtures/warehouse.py``):
is uptake rising, where, for which formats, and how sure — every figure read from the
rpt_uptake_* marts, only suppressed and formatted. Expected values worked out by hand from the
fixture's rows (the comments say how)."""

from __future__ import annotations

import pytest

from plcqi.publish import leadership, warehouse
from tests.fixtures import warehouse as fixtures


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny-lead")
    fixtures.build(d)
    return d


@pytest.fixture(scope="module")
def lead(tiny) -> dict:
    with warehouse.connect(tiny) as con:
        return leadership.build(con, fixtures.AS_OF)


def texts(table: dict) -> list[list[str]]:
    return [[c["text"] for c in row["cells"]] for row in table["rows"]]


def segment(ctx: dict, seg_id: str) -> dict:
    return next(s for s in ctx["segments"] if s["id"] == seg_id)


def test_verdict_in_words_all_centers_first(lead):
    # fixtures.UPTAKE_CHANGE: ALL the example; C1 7/8 vs 1/8 rising (88% vs 13%, as
    # printed: halves up); C2 25% vs 33% -> -8 pts from the rounded rates shown.
    periods = "grantee-cohorts whose cohort ended 2024-Q4–2025-Q3 (n = {}) against " \
              "2023-Q4–2024-Q3 (n = {})"
    assert [(s["name"], s["text"]) for s in lead["verdict"]["sentences"]] == [
        ("All centers", "no clear change: 25% vs 14%, +11 pts, 95% interval −17 to +57 pts ("
         + periods.format(4, 7) + ")"),
        ("Center One", "rising: 88% vs 13%, +75 pts, 95% interval +26 to +90 pts ("
         + periods.format(8, 8) + ")"),
        ("Center Two", "no clear change: 25% vs 33%, −8 pts, 95% interval −20 to +2 pts ("
         + periods.format(200, 99) + ")"),
    ]
    assert lead["verdict"]["no_verdict"] is None


def test_verdict_table_agrees_with_the_sentences(lead):
    t = lead["verdict"]["table"]
    assert t["caption"].endswith("(2024-Q4–2025-Q3 vs 2023-Q4–2024-Q3)")
    assert texts(t) == [
        ["All centers", "25%", "14%", "+11 pts", "−17 to +57 pts", "no clear change"],
        ["Center One", "88%", "13%", "+75 pts", "+26 to +90 pts", "rising"],
        # the change is the mart's change in shown points, not round(100 x -0.0883) = -9
        ["Center Two", "25%", "33%", "−8 pts", "−20 to +2 pts", "no clear change"],
    ]
    assert "grantee-cohort" in t["note"]


def test_no_verdict_with_too_few_grantee_cohorts(tmp_path):
    fixtures.build(tmp_path, "update marts.rpt_uptake_change set recent_grantee_cohorts = 2, "
                             "direction = null where center_id = 'C2'")
    with warehouse.connect(tmp_path) as con:
        ctx = leadership.build(con, fixtures.AS_OF)
    assert [s["id"] for s in ctx["verdict"]["sentences"]] == ["ALL", "C1"]
    assert ctx["verdict"]["no_verdict"] == (
        "No verdict yet for Center Two: fewer than 3 grantee-cohorts with a complete window "
        "in one of the periods.")
    row = texts(ctx["verdict"]["table"])[2]
    assert row == ["Center Two", "n<3", "33%", "n<3", "n<3", "n<3"]


def test_quarters_on_a_continuous_axis_with_an_empty_quarter(lead):
    # ALL: 2025-Q2 K9 1 of 3 (Wilson 6-79%), baseline 7 of 30 = 23%, lift +10 pts; 2025-Q3
    # no cohort (a row, a gap); 2025-Q4 K1 + K3 3 of 6 = 50%, baseline 4 of 20, lift +30.
    assert texts(lead["trend"]["table"]) == [
        ["2025-Q2", "1", "3", "33%", "6–79%", "23%", "12–41%", "+10 pts", "−22 to +57 pts",
         "—"],
        ["2025-Q3", "0", "0", "—", "—", "—", "—", "—", "—", "—"],
        ["2025-Q4", "2", "6", "50%", "19–81%", "20%", "8–42%", "+30 pts", "−8 to +63 pts",
         "—"],
    ]
    spec = lead["trend"]["chart"]["spec"]
    values = spec["data"]["values"]
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    assert line["mark"]["type"] == "line"
    assert line["encoding"]["x"] == {**line["encoding"]["x"], "field": "quarter_start_on",
                                     "type": "temporal"}
    assert {"field": "run", "type": "nominal"} in line["encoding"]["detail"]
    part = [v for v in values if v["series"] == "Participants"]
    # the empty quarter has no value and Q2 and Q4 are in different runs: never joined
    assert [(v["quarter_start_on"], v["value"] is None) for v in part] == [
        ("2025-04-01", False), ("2025-07-01", True), ("2025-10-01", False)]
    assert part[0]["run"] != part[2]["run"]
    assert (part[2]["low"], part[2]["high"]) == pytest.approx((0.1876, 0.8124), abs=1e-4)


def test_small_groups_flagged_and_complementary_suppression(lead):
    rows = {(r[0], r[1]): r for r in texts(segment(lead, "grantee-type")["over_time"]["table"])}
    # 2025-Q4: territory 2 grantee-cohorts (n<3); state (4) hidden with it, as the quarter's
    # all-centers figure is shown; their baselines and lifts hidden too.
    assert rows[("territory", "2025-Q4")][4:] == ["n<3", "—", "n<3", "—", "n<3", "—",
                                                  "small group"]
    assert rows[("state", "2025-Q4")][4:] == ["suppr.", "—", "suppr.", "—", "suppr.", "—", "—"]
    regions = texts(segment(lead, "acf-region")["over_time"]["table"])
    assert [r[0] for r in regions][::3] == ["Region 4", "Region 9", "Region 10"]
    nine = {r[1]: r for r in regions if r[0] == "Region 9"}
    # 2025-Q4: 2 of 4, baseline of region 9 only: 2 of 8 -> +25 pts
    assert nine["2025-Q4"][3:9] == ["4", "50%", "15–85%", "25%", "7–59%", "+25 pts"]
    hidden = [p for p in segment(lead, "acf-region")["over_time"]["chart"]["spec"]["data"][
        "values"] if p["hidden"]]
    assert all(p["value"] is None and p["low"] is None for p in hidden)


def test_recent_period_by_format_and_center(lead):
    # Recent period 2024-Q4..2025-Q3: only K9 (C2, PLG); C1 and PLC ended in 2025-Q4. No
    # cohort in the earlier period: no change, no verdict. Open windows: K2's 2 (C1).
    fmt = texts(segment(lead, "opportunity-format")["recent"]["table"])
    assert fmt == [["PLC", "0", "0", "—", "—", "—", "—", "—", "—", "0"],
                   ["PLG", "1", "3", "33%", "23%", "+10 pts", "—", "—", "—", "0"]]
    center = texts(segment(lead, "center")["recent"]["table"])
    assert center[0][0] == "Center One" and center[0][-1] == "2"
    chart = segment(lead, "opportunity-format")["recent"]["chart"]
    assert chart["title"] == "Uptake in 2024-Q4–2025-Q3, by format"
    assert any(layer["mark"]["type"] == "rule" for layer in chart["spec"]["layer"])  # whiskers


def test_reach_and_theories_of_change_from_the_marts(lead):
    assert texts(lead["reach"]) == [["Center One", "3", "10", "8", "80%"],
                                    ["Center Two", "1", "3", "3", "100%"],
                                    ["All centers", "4", "13", "11", "85%"]]
    assert lead["reach"]["rows"][-1]["kind"] == "total"
    assert lead["reach"]["rows"][0]["cells"][4]["title"].startswith("8 of 10; 95% interval")
    assert texts(lead["toc_summary"]) == [["Center One", "2", "1", "1"],
                                          ["Center Two", "1", "0", "1"],
                                          ["All centers", "3", "1", "2"]]
