"""Charts: Vega-Lite specs built with Altair from rows that are already suppressed, rendered
at build time to inline SVG by vl-convert (no script, no network when the page opens).

A chart in a context is ``{"id", "title", "alt", "table", "spec"}``: the title, a text
alternative, the data table it is drawn from (shown under "show as table") and the spec.
``render.finalize`` adds the ``svg``. Rows given to a chart must hold ``None`` where a figure
is hidden (suppressed): the bar is then not drawn, so its length cannot leak the figure.
"""

from __future__ import annotations

import functools

import altair as alt
from altair.utils.schemapi import debug_mode

from plcqi.publish.safety import check_svg

WIDTH = 520
COLORS = {"bar": "#3b6ea8", "target": "#b8442f", "baseline": "#111111", "absent": "#e9edf2",
          "attended": "#2f6f4f", "suppressed": "#c9c9c9"}
VALIDATE = False
# Wide fonts first: labels measured at build time (DejaVu Sans) still fit when shown.
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"


def chart(chart_id: str, title: str, alt_text: str, table: dict, spec: dict) -> dict:
    return {"id": chart_id, "title": title, "alt": alt_text, "table": table, "spec": spec}


def _fast(build):
    """Build without Altair validating every object as it is made (that costs more than
    rendering); ``VALIDATE`` turns validation of the finished spec back on (the tests do)."""
    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with debug_mode(VALIDATE):
            return build(*args, **kwargs)
    return wrapper


def _finish(c: alt.TopLevelMixin, description: str) -> dict:
    # Schema validation costs more than the rendering; the specs are fixed shapes, and
    # tests/test_report_charts.py validates each kind once.
    spec = c.properties(description=description, padding={"left": 12, "right": 8, "top": 4,
                                                          "bottom": 4}).configure(
        font=FONT).configure_view(
        stroke=None
    ).to_dict(validate=VALIDATE)
    spec.pop("$schema", None)  # a URL: nothing in the page should point outside it
    return spec


@_fast
def rate_bars(rows: list[dict], *, category: str, category_title: str, value_title: str,
              description: str, target: float | None = None, baseline: str | None = None,
              sort: list[str] | None = None) -> dict:
    """Horizontal bars of rates in [0, 1] per category, with an optional target line and
    baseline ticks (field ``baseline`` of each row)."""
    data = alt.Data(values=rows)
    y = alt.Y(f"{category}:N", title=category_title, sort=sort or None,
              axis=alt.Axis(labelLimit=260))
    x = alt.X("value:Q", title=value_title, scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))
    height = max(40, 22 * len(rows))
    layers = [alt.Chart(data).mark_bar(color=COLORS["bar"]).encode(y=y, x=x)]
    if baseline:
        layers.append(
            alt.Chart(data).mark_tick(color=COLORS["baseline"], thickness=2, size=22, opacity=1)
            .encode(y=y, x=alt.X(f"{baseline}:Q"))
        )
    if target is not None:
        layers.append(
            alt.Chart(alt.Data(values=[{"target": target}])).mark_rule(
                color=COLORS["target"], strokeDash=[4, 3], size=2
            ).encode(x=alt.X("target:Q"))
        )
    c = alt.layer(*layers).properties(width=WIDTH - 200, height=height)
    return _finish(c, description)


@_fast
def heatmap(rows: list[dict], *, description: str, sessions: list[str],
            grantees: list[str]) -> dict:
    """Grantee x session grid: attended (dark) or not (light)."""
    data = alt.Data(values=rows)
    c = alt.Chart(data).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X("session:N", title="Delivered session", sort=sessions,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("grantee:N", title=None, sort=grantees, axis=alt.Axis(labelLimit=200)),
        color=alt.Color(
            "status:N", title="Grantee",
            scale=alt.Scale(domain=["attended", "did not attend"],
                            range=[COLORS["attended"], COLORS["absent"]]),
            legend=alt.Legend(orient="top"),
        ),
    ).properties(width=min(WIDTH - 220, 34 * max(1, len(sessions))),
                 height=max(40, 16 * len(grantees)))
    return _finish(c, description)


@_fast
def gap_bars(rows: list[dict], *, description: str, limit: int, sessions: list[str]) -> dict:
    """Days since the previous delivered session, per session, with the limit as a line."""
    data = alt.Data(values=rows)
    bars = alt.Chart(data).mark_bar(color=COLORS["bar"]).encode(
        x=alt.X("session:N", title="Delivered session", sort=sessions,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("gap_days:Q", title="Days since the previous session"),
    )
    rule = alt.Chart(alt.Data(values=[{"limit": limit}])).mark_rule(
        color=COLORS["target"], strokeDash=[4, 3], size=2
    ).encode(y="limit:Q")
    c = alt.layer(bars, rule).properties(width=min(WIDTH - 120, 40 * max(2, len(sessions))),
                                         height=160)
    return _finish(c, description)


@_fast
def line_by_session(rows: list[dict], *, description: str, sessions: list[str]) -> dict:
    """Share of participating grantees at each delivered session (retention over time)."""
    data = alt.Data(values=rows)
    c = alt.Chart(data).mark_line(point=True, color=COLORS["bar"]).encode(
        x=alt.X("session:N", title="Delivered session", sort=sessions,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title="Grantees attending", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
    ).properties(width=min(WIDTH - 120, 40 * max(2, len(sessions))), height=160)
    return _finish(c, description)


@_fast
def grouped_bars(rows: list[dict], *, description: str, groups: list[str],
                 categories: list[str], value_title: str) -> dict:
    """Rates per category, one bar per group side by side (e.g. survey wave)."""
    data = alt.Data(values=rows)
    c = alt.Chart(data).mark_bar().encode(
        y=alt.Y("category:N", title=None, sort=categories, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("group:N", sort=groups),
        x=alt.X("value:Q", title=value_title, scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        color=alt.Color("group:N", title=None, sort=groups,
                        scale=alt.Scale(range=[COLORS["bar"], "#d08c2c", "#7a5aa6"]),
                        legend=alt.Legend(orient="top")),
    ).properties(width=WIDTH - 240, height=max(60, 30 * len(categories)))
    return _finish(c, description)


@_fast
def trend_lines(rows: list[dict], *, description: str, quarters: list[str]) -> dict:
    """Uptake per quarter, one line per series (centers, and the baseline dashed)."""
    data = alt.Data(values=rows)
    c = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("quarter:O", title="Quarter the cohort ended", sort=quarters),
        y=alt.Y("value:Q", title="Took up related follow-up TA",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title=None,
                        legend=alt.Legend(orient="right", labelLimit=240)),
        strokeDash=alt.StrokeDash("kind:N", title=None,
                                  scale=alt.Scale(domain=["participants", "baseline"],
                                                  range=[[1, 0], [5, 3]]),
                                  legend=None),
    ).properties(width=WIDTH - 120, height=220)
    return _finish(c, description)


def to_svg(spec: dict) -> str:
    """Render a Vega-Lite spec to inert inline SVG (checked: no script, no external link)."""
    import vl_convert as vlc

    return check_svg(vlc.vegalite_to_svg(spec))
