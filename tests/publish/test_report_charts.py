"""Each chart kind of plcqi.publish.charts: a valid Vega-Lite spec (Altair's validation while
building, and the finished spec against the Vega-Lite JSON schema) that renders to inert SVG;
hidden figures drawn as placeholders that give nothing away; targets drawn where given."""

from __future__ import annotations

import json

import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from plcqi.publish import cells, center, charts, leadership, warehouse
from tests.fixtures import warehouse as fixtures

SCHEMA = load_schema()


@pytest.fixture(autouse=True)
def validating(monkeypatch):
    """Altair validates every chart as it is built (the reports turn this off for speed)."""
    monkeypatch.setattr(charts, "VALIDATE", True)


def valid(spec: dict) -> dict:
    validate_jsonschema(spec, SCHEMA)  # raises on a spec Vega-Lite would not accept
    return spec


def svg_of(spec: dict) -> str:
    svg = charts.to_svg(valid(spec))
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<path" in svg or "<rect" in svg or "<line" in svg
    return svg


def dicts(node):
    """Every dict in a tree of dicts and lists, the root included."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from dicts(v)
    elif isinstance(node, list):
        for v in node:
            yield from dicts(v)


def data_values(spec: dict) -> list[dict]:
    """Every inline data row of a (layered) spec."""
    found = [row for d in dicts(spec)
             if isinstance(d.get("data"), dict) and "values" in d["data"]
             for row in d["data"]["values"]]
    if isinstance(spec.get("datasets"), dict):
        for values in spec["datasets"].values():
            found.extend(values)
    return found


HIDDEN = cells.rate(0.5, 2, 3, numerator=1)  # n<3
SHOWN = cells.rate(0.6, 5, 3, numerator=3)
ZERO = cells.rate(0.0, 4, 3, numerator=0)


def bar_rows() -> list[dict]:
    return [{"name": name, "value": cells.raw(c), "hidden": charts.hidden_text(c),
             "baseline": None if cells.is_hidden(c) else 0.2, "target": 0.5}
            for name, c in (("shown", SHOWN), ("hidden", HIDDEN), ("zero", ZERO))]


def test_rate_bars_with_baseline_target_ticks_and_a_hidden_row():
    spec = charts.rate_bars(bar_rows(), category="name", category_title="Cohort",
                            value_title="Took up", description="d", baseline="baseline",
                            target_field="target", sort=["shown", "hidden", "zero"])
    svg = svg_of(spec)
    assert "n&lt;3" in svg or "n<3" in svg
    text = json.dumps(spec)
    assert charts.COLORS["suppressed"] in text and charts.COLORS["target"] in text
    hidden = [r for r in data_values(spec) if r.get("name") == "hidden"]
    assert hidden and all(r["value"] is None and r["baseline"] is None for r in hidden)


def test_rate_bars_with_one_target_line_and_nothing_hidden():
    rows = [r for r in bar_rows() if not r["hidden"]]
    spec = charts.rate_bars(rows, category="name", category_title=None, value_title="Share",
                            description="d", target=0.7)
    svg_of(spec)
    text = json.dumps(spec)
    assert charts.COLORS["suppressed"] not in text  # no placeholder without a hidden row
    assert {"target": 0.7} in data_values(spec)


def test_placeholder_is_the_same_whatever_the_hidden_figure():
    """The hidden row's spec does not depend on the figure behind it."""
    def spec_for(cell):
        rows = [{"name": "a", "value": cells.raw(cell), "hidden": charts.hidden_text(cell)},
                {"name": "b", "value": 0.5, "hidden": None}]
        return charts.rate_bars(rows, category="name", category_title=None, value_title="x",
                                description="d")
    assert spec_for(cells.rate(0.0, 2, 3)) == spec_for(cells.rate(1.0, 2, 3))


def test_gap_bars():
    rows = [{"session": "S2", "gap_days": 21}, {"session": "S3", "gap_days": 50}]
    svg_of(charts.gap_bars(rows, description="d", limit=42, sessions=["S2", "S3"]))


def test_line_by_session_with_targets_and_a_hidden_session():
    rows = [{"session": "S1", "value": 1.0, "hidden": None},
            {"session": "S2", "value": None, "hidden": "n<3"},
            {"session": "S3", "value": 0.5, "hidden": None}]
    targets = [{"value": 0.8, "label": "attendance target ≥ 80%"},
               {"value": 0.6, "label": "retention target"}]
    spec = charts.line_by_session(rows, description="d", sessions=["S1", "S2", "S3"],
                                  targets=targets)
    svg = svg_of(spec)
    assert "retention target" in svg
    text = json.dumps(spec)
    assert charts.COLORS["target"] in text and charts.COLORS["suppressed"] in text


def test_line_by_session_without_targets():
    rows = [{"session": "S1", "value": 1.0}, {"session": "S2", "value": 0.5}]
    spec = charts.line_by_session(rows, description="d", sessions=["S1", "S2"])
    svg_of(spec)
    assert charts.COLORS["target"] not in json.dumps(spec)


def test_grouped_bars_with_a_hidden_figure():
    rows = [{"category": "A", "group": "Midpoint", "value": 0.5, "hidden": None},
            {"category": "A", "group": "Six months", "value": None, "hidden": "n<3"},
            {"category": "B", "group": "Midpoint", "value": 0.0, "hidden": None},
            {"category": "B", "group": "Six months", "value": 1.0, "hidden": None}]
    spec = charts.grouped_bars(rows, description="d", groups=["Midpoint", "Six months"],
                               categories=["A", "B"], value_title="Favourable")
    svg_of(spec)
    assert charts.COLORS["suppressed"] in json.dumps(spec)


def test_trend_lines():
    rows = [{"quarter": q, "series": s, "kind": k, "value": v}
            for q, v in (("2025-Q3", 0.2), ("2025-Q4", 0.4))
            for s, k in (("All centers", "participants"), ("Baseline", "baseline"))]
    svg_of(charts.trend_lines(rows, description="d", quarters=["2025-Q3", "2025-Q4"]))


def test_every_chart_of_the_fixture_reports_is_valid(tmp_path):
    fixtures.build(tmp_path)
    with warehouse.connect(tmp_path) as con:
        contexts = [center.build(con, tmp_path, "C1", fixtures.AS_OF),
                    leadership.build(con, fixtures.AS_OF)]
    specs = [d["spec"] for d in dicts(contexts) if "spec" in d and "table" in d]
    assert len(specs) >= 8
    for spec in specs:
        valid(spec)


def uptake_rows(names=("All centers",)) -> list[dict]:
    """Q1 shown, Q2 empty (a gap), Q3 hidden (n<3), Q4 shown; the baseline alike."""
    out = []
    for name in names:
        for series in charts.SERIES:
            values = [0.2, None, None, 0.4]
            for run, (start, v) in zip(charts.runs(values), zip(
                    ("2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"), values,
                    strict=True), strict=True):
                out.append({"name": name, "series": series, "run": run,
                            "quarter_start_on": start, "quarter": start[:4], "value": v,
                            "low": None if v is None else v - 0.1,
                            "high": None if v is None else v + 0.1,
                            "hidden": "n<3" if start == "2025-07-01"
                            and series == charts.SERIES[0] else None})
    return out


def test_uptake_over_time_bands_gaps_and_a_hidden_quarter():
    spec = charts.uptake_over_time(uptake_rows(), description="d")
    svg = svg_of(spec)
    assert "Participants" in svg and "Baseline (non-participants)" in svg  # the legend
    text = json.dumps(spec)
    assert '"type": "temporal"' in text and charts.COLORS["suppressed"] in text
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "area", "rule", "rule", "line", "rule"]
    # Q1 and Q4 are in different runs: the line is never drawn across the gap
    part = [r for r in data_values(spec) if r["series"] == charts.SERIES[0]]
    assert part[0]["run"] != part[3]["run"]


def test_uptake_over_time_in_panels():
    spec = charts.uptake_over_time(uptake_rows(("A", "B", "C")), description="d",
                                   panels=["A", "B", "C"])
    svg_of(spec)
    assert spec["facet"]["field"] == "name" and spec["columns"] == 2


def test_rate_bars_with_interval_whiskers():
    rows = [dict(r, low=None if r["value"] is None else max(0, r["value"] - 0.1),
                 high=None if r["value"] is None else r["value"] + 0.1) for r in bar_rows()]
    spec = charts.rate_bars(rows, category="name", category_title=None, value_title="x",
                            description="d", baseline="baseline", interval=True)
    svg_of(spec)
    assert charts.COLORS["interval"] in json.dumps(spec)
