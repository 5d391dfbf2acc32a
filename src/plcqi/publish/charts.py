"""Charts: Vega-Lite specs built with Altair from rows that are already suppressed, rendered
at build time to inline SVG by vl-convert (no script, no network when the page opens).

A chart in a context is ``{"id", "title", "alt", "table", "spec"}``: the title, a text
alternative, the data table it is drawn from (shown under "show as table") and the spec.
``render.finalize`` adds the ``svg``. Rows given to a chart must hold ``None`` where a figure
is hidden (suppressed): the bar is then not drawn, so its length cannot leak the figure. Such a
row carries ``hidden``, the text shown instead ("n<3", see ``hidden_text``): the chart draws a
grey dashed placeholder spanning the whole scale, labelled with it, so a hidden figure never
looks like a true zero and its size is not given away.

Targets (from the opportunity's theory of change) are drawn in red: a dashed rule for one
target, a tick per row where each row has its own (field ``target``).
"""

from __future__ import annotations

import functools
import json
import re

import altair as alt
from altair.utils.schemapi import debug_mode

from plcqi.publish import cells
from plcqi.publish.safety import check_svg

WIDTH = 520
COLORS = {"bar": "#3b6ea8", "target": "#b8442f", "baseline": "#111111", "absent": "#e9edf2",
          "attended": "#2f6f4f", "suppressed": "#c9c9c9",
          "interval": "#17324f", "baseline_band": "#8a8a8a"}
VALIDATE = False  # tests/publish/test_report_charts.py turns it on and validates each chart kind
# Wide fonts first: labels measured at build time (DejaVu Sans) still fit when shown.
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"


# What vl-convert cannot take: characters XML 1.0 forbids (C0 controls but tab, line feed
# and carriage return; lone surrogates; U+FFFE, U+FFFF) make it panic and abort the whole
# process, not raise. Removed too: the other C0/C1 controls, the bidirectional overrides
# (a label must not reorder the text after it) and every other noncharacter.
_UNDRAWABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]"
)
_BREAKS = re.compile("[\t\n\r\u2028\u2029]+")


def label(text: str) -> str:
    r"""Text as a chart draws it: line breaks and tabs become a space, characters vl-convert
    cannot take (controls, lone surrogates, noncharacters, bidirectional overrides) are
    removed. Every text of a spec goes through it (``clean_spec``).

    >>> label("Was it useful?\x07"), label("two\nlines\u202e"), label("Alaska (see online=)")
    ('Was it useful?', 'two lines', 'Alaska (see online=)')
    """
    return _UNDRAWABLE.sub("", _BREAKS.sub(" ", text))


def clean_spec(node):
    r"""A copy of a spec (or any part of it) with every string through ``label``: data values,
    sort orders and scale domains alike, so they still match one another.

    >>> clean_spec({"data": {"values": [{"q": "a\x00b"}]}, "sort": ["a\x00b"], "n": 1})
    {'data': {'values': [{'q': 'ab'}]}, 'sort': ['ab'], 'n': 1}
    """
    if isinstance(node, str):
        return label(node)
    if isinstance(node, dict):
        return {clean_spec(k): clean_spec(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [clean_spec(v) for v in node]
    return node


def _shortened(most: int) -> dict:
    """Axis or legend options that shorten a label to ``most`` characters ("…" at the end;
    about 6 px a character at 10-11 px), the full text staying in the data and in the table
    under the chart. Vega's own ``labelLimit`` measures a long label again and again to cut
    it to a width (most of the time vl-convert spent on a chart of long poll questions); this
    measures it once.

    >>> _shortened(10)["labelExpr"]
    "length(datum.label) > 10 ? slice(datum.label, 0, 9) + '…' : datum.label"
    """
    return {"labelLimit": 0,
            "labelExpr": f"length(datum.label) > {most} ? slice(datum.label, 0, {most - 1}) "
                         "+ '…' : datum.label"}

def chart(chart_id: str, title: str, alt_text: str, table: dict, spec: dict) -> dict:
    return {"id": chart_id, "title": title, "alt": alt_text, "table": table, "spec": spec}


def hidden_text(cell: dict) -> str | None:
    """What a chart shows in place of a hidden figure (the cell's own text), else None.

    >>> hidden_text(cells.rate(0.5, 2, 3)), hidden_text(cells.rate(0.0, 5, 3))
    ('n<3', None)
    """
    return cell["text"] if cells.is_hidden(cell) else None


def _is_hidden(field: str = "hidden") -> str:
    return f"isValid(datum.{field})"


def _placeholder_bars(data: alt.Data, y: alt.Y, value_title: str, *, y_offset=None) -> list:
    """Grey dashed bars over the whole [0, 1] scale, labelled, for rows whose figure is
    hidden: the same for every hidden row, so they tell nothing about the figure."""
    base = alt.Chart(data).transform_filter(_is_hidden()).transform_calculate(lo="0", hi="1")
    enc = {"y": y} if y_offset is None else {"y": y, "yOffset": y_offset}
    bar = base.mark_bar(color=COLORS["suppressed"], opacity=0.45, stroke="#7a7a7a",
                        strokeDash=[3, 2], strokeWidth=1).encode(
        x=alt.X("lo:Q", title=value_title), x2="hi:Q", **enc)
    label = base.mark_text(align="left", dx=4, color="#444444", fontStyle="italic",
                           fontSize=10).encode(x=alt.X("lo:Q", title=value_title), text="hidden:N",
                                               **enc)
    return [bar, label]


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
    # tests/publish/test_report_charts.py validates each kind against the Vega-Lite schema.
    spec = c.properties(description=description, padding={"left": 12, "right": 8, "top": 4,
                                                          "bottom": 4}).configure(
        font=FONT).configure_view(
        stroke=None
    ).to_dict(validate=VALIDATE)
    spec.pop("$schema", None)  # a URL: nothing in the page should point outside it
    return clean_spec(spec)


@_fast
def rate_bars(rows: list[dict], *, category: str, category_title: str, value_title: str,
              description: str, target: float | None = None, baseline: str | None = None,
              target_field: str | None = None, sort: list[str] | None = None,
              interval: bool = False) -> dict:
    """Horizontal bars of rates in [0, 1] per category, with an optional target line (one
    target) or target ticks (field ``target_field`` of each row), baseline ticks (field
    ``baseline``), 95% interval whiskers (fields ``low`` and ``high``, when ``interval``) and
    placeholders for hidden rows (field ``hidden``)."""
    data = alt.Data(values=rows)
    y = alt.Y(f"{category}:N", title=category_title, sort=sort or None,
              axis=alt.Axis(**_shortened(42)))
    x = alt.X("value:Q", title=value_title, scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))
    height = max(40, 22 * len(rows))
    layers = [alt.Chart(data).mark_bar(color=COLORS["bar"]).encode(y=y, x=x)]
    if any(r.get("hidden") for r in rows):
        layers += _placeholder_bars(data, y, value_title)
    if interval and any(r.get("low") is not None for r in rows):
        layers.append(
            alt.Chart(data).transform_filter("isValid(datum.low)").mark_rule(
                color=COLORS["interval"], size=1.5).encode(
                y=y, x=alt.X("low:Q", title=value_title), x2="high:Q"))
    if baseline:
        layers.append(
            alt.Chart(data).mark_tick(color=COLORS["baseline"], thickness=2, size=22, opacity=1)
            .encode(y=y, x=alt.X(f"{baseline}:Q", title=value_title))
        )
    if target_field and any(r.get(target_field) is not None for r in rows):
        layers.append(
            alt.Chart(data).mark_tick(color=COLORS["target"], thickness=3, size=22, opacity=1)
            .encode(y=y, x=alt.X(f"{target_field}:Q", title=value_title))
        )
    if target is not None:
        layers.append(
            alt.Chart(alt.Data(values=[{"target": target}])).mark_rule(
                color=COLORS["target"], strokeDash=[4, 3], size=2
            ).encode(x=alt.X("target:Q", title=value_title))
        )
    c = alt.layer(*layers).properties(width=WIDTH - 200, height=height)
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
def line_by_session(rows: list[dict], *, description: str, sessions: list[str],
                    targets: list[dict] | None = None) -> dict:
    """Share of participating grantees at each delivered session (retention over time).

    ``targets``: ``{"value", "label"}`` levels drawn as dashed red rules, labelled; a session
    whose share is hidden (field ``hidden``) gets a grey dashed full-height rule and its
    label instead of a point."""
    data = alt.Data(values=rows)
    # room for the targets' labels, drawn inside the plot
    width = min(WIDTH - 120, max(40 * max(2, len(sessions)), 220 if targets else 0))
    x = alt.X("session:N", title="Delivered session", sort=sessions,
              axis=alt.Axis(labelAngle=0))
    title = "Grantees attending"
    layers = [alt.Chart(data).mark_line(point=True, color=COLORS["bar"]).encode(
        x=x,
        y=alt.Y("value:Q", title=title, scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
    )]
    if any(r.get("hidden") for r in rows):
        base = alt.Chart(data).transform_filter(_is_hidden()).transform_calculate(
            lo="0", hi="1", mid="0.5")
        layers.append(base.mark_rule(color=COLORS["suppressed"], strokeDash=[3, 2],
                                     size=8, opacity=0.8).encode(
            x=x, y=alt.Y("lo:Q", title=title), y2="hi:Q"))
        layers.append(base.mark_text(color="#444444", fontStyle="italic", fontSize=10,
                                     angle=270).encode(x=x, y=alt.Y("mid:Q", title=title),
                                                       text="hidden:N"))
    if targets:
        level = alt.Chart(alt.Data(values=targets))
        layers.append(level.mark_rule(color=COLORS["target"], strokeDash=[4, 3], size=2)
                      .encode(y=alt.Y("value:Q", title=title)))
        layers.append(level.mark_text(color=COLORS["target"], align="right", baseline="bottom",
                                      dy=-2, fontSize=10)
                      .encode(y=alt.Y("value:Q", title=title), x=alt.value(width),
                              text="label:N"))
    c = alt.layer(*layers).properties(width=width, height=160)
    return _finish(c, description)


@_fast
def grouped_bars(rows: list[dict], *, description: str, groups: list[str],
                 categories: list[str], value_title: str) -> dict:
    """Rates per category, one bar per group side by side (e.g. survey wave); a hidden
    figure (field ``hidden``) gets a labelled grey placeholder in its group's place."""
    data = alt.Data(values=rows)
    y = alt.Y("category:N", title=None, sort=categories, axis=alt.Axis(**_shortened(42)))
    y_offset = alt.YOffset("group:N", sort=groups)
    bars = alt.Chart(data).mark_bar().encode(
        y=y, yOffset=y_offset,
        x=alt.X("value:Q", title=value_title, scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        color=alt.Color("group:N", title=None, sort=groups,
                        scale=alt.Scale(range=[COLORS["bar"], "#d08c2c", "#7a5aa6"]),
                        legend=alt.Legend(orient="top")),
    )
    layers = [bars]
    if any(r.get("hidden") for r in rows):
        layers += _placeholder_bars(data, y, value_title, y_offset=y_offset)
    c = alt.layer(*layers).properties(width=WIDTH - 240, height=max(60, 30 * len(categories)))
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
                        legend=alt.Legend(orient="right", **_shortened(38))),
        strokeDash=alt.StrokeDash("kind:N", title=None,
                                  scale=alt.Scale(domain=["participants", "baseline"],
                                                  range=[[1, 0], [5, 3]]),
                                  legend=None),
    ).properties(width=WIDTH - 120, height=220)
    return _finish(c, description)


@_fast
def share_lines(rows: list[dict], *, description: str, quarters: list[str],
                topics: list[str]) -> dict:
    """A region's share of its requests per quarter on each topic (solid) against the
    nation's (dashed), one colour per topic; rows: ``quarter``, ``topic``, ``series`` (the
    region's name or "Nation"), ``value`` (a share in [0, 1], None: no request that
    quarter, not drawn)."""
    data = alt.Data(values=rows)
    regional = sorted({r["series"] for r in rows if r["series"] != "Nation"})
    c = alt.Chart(data).transform_filter("isValid(datum.value)").mark_line(point=True).encode(
        x=alt.X("quarter:O", title="Quarter submitted", sort=quarters),
        y=alt.Y("value:Q", title="Share of the requests", axis=alt.Axis(format="%")),
        color=alt.Color("topic:N", title="Topic", sort=topics,
                        legend=alt.Legend(orient="right", **_shortened(32))),
        strokeDash=alt.StrokeDash("series:N", title=None,
                                  scale=alt.Scale(domain=[*regional, "Nation"],
                                                  range=[[1, 0], [5, 3]]),
                                  legend=alt.Legend(orient="right", symbolType="stroke")),
        detail="series:N",
    ).properties(width=WIDTH - 140, height=220)
    return _finish(c, description)


SERIES = ("Participants", "Baseline (non-participants)")


@_fast
def uptake_over_time(rows: list[dict], *, description: str, panels: list[str] | None = None,
                     columns: int = 2) -> dict:
    """Uptake and its baseline per quarter on a continuous time axis (``quarter_start_on``,
    an ISO date), each with its 95% interval as a band; one panel per ``name`` when
    ``panels`` is given (small multiples on the same scales).

    A row: ``name``, ``quarter_start_on``, ``quarter``, ``series`` (one of ``SERIES``),
    ``run`` (consecutive quarters with a figure share a run: a line never joins across an
    empty or hidden quarter, which stays a gap), ``value``, ``low``, ``high`` (None where
    there is no figure) and ``hidden`` (the text shown for a suppressed quarter, drawn as a
    grey dashed rule over the whole scale, the same whatever the figure)."""
    data = alt.Data(values=rows)
    x = alt.X("quarter_start_on:T", title="Quarter the cohort ended",
              axis=alt.Axis(format="%Y-Q%q", labelAngle=-40, tickCount={"interval": "month",
                                                                          "step": 3}))
    title = None if panels else "Took up related follow-up TA"
    y = alt.Y("value:Q", title=title, scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%", tickCount=4 if panels else 5))
    color = alt.Color("series:N", title=None, sort=list(SERIES),
                      scale=alt.Scale(domain=list(SERIES),
                                      range=[COLORS["bar"], COLORS["baseline_band"]]),
                      legend=alt.Legend(orient="top", symbolType="stroke"))
    dash = alt.StrokeDash("series:N", sort=list(SERIES), title=None,
                          legend=alt.Legend(orient="top", symbolType="stroke"),
                          scale=alt.Scale(domain=list(SERIES), range=[[1, 0], [5, 3]]))
    detail = [alt.Detail("run:N")]
    shown = alt.Chart().transform_filter("isValid(datum.value)")
    # one band per series with a fixed colour (a colour scale on the bands would take the
    # lines' legend away)
    layers = [
        shown.transform_filter(alt.datum.series == name).mark_area(opacity=0.18, color=band)
        .encode(x=x, y=alt.Y("low:Q", title=title), y2="high:Q", detail=detail)
        for name, band in zip(SERIES, (COLORS["bar"], COLORS["baseline_band"]), strict=True)
    ] + [  # and a whisker per quarter: an isolated quarter has no band to show
        shown.transform_filter(alt.datum.series == name).mark_rule(
            color=band, opacity=0.55, size=1.5).encode(
            x=x, y=alt.Y("low:Q", title=title), y2="high:Q")
        for name, band in zip(SERIES, (COLORS["bar"], COLORS["baseline_band"]), strict=True)
    ] + [
        shown.mark_line(point=alt.OverlayMarkDef(size=28)).encode(
            x=x, y=y, color=color, strokeDash=dash, detail=detail),
    ]
    if any(r.get("hidden") for r in rows):
        hidden = alt.Chart().transform_filter(_is_hidden()).transform_calculate(lo="0", hi="1")
        layers.append(hidden.mark_rule(color=COLORS["suppressed"], strokeDash=[3, 2], size=4,
                                       opacity=0.6).encode(x=x, y=alt.Y("lo:Q", title=title),
                                                           y2="hi:Q"))
    width, height = (WIDTH - 140, 220) if not panels else (200, 110)
    c = alt.layer(*layers, data=data).properties(width=width, height=height)
    if panels:
        c = c.facet(facet=alt.Facet("name:N", title=None, sort=panels,
                                    header=alt.Header(labelFontWeight="bold",
                                                      labelLimit=240)),
                    columns=columns)
    return _finish(c, description)


def runs(values: list) -> list[int]:
    """A run number per point of a series in time order: a new run after every gap (None),
    so a line is drawn only between consecutive quarters that both have a figure.

    >>> runs([0.1, 0.2, None, 0.3, None, None, 0.4])
    [0, 0, 1, 2, 3, 4, 5]
    """
    out, run, gap = [], 0, False
    for v in values:
        if v is None or gap:
            run += 1 if out else 0
        gap = v is None
        out.append(run)
    return out


def to_svg(spec: dict) -> str:
    r"""Render a Vega-Lite spec to inert inline SVG (checked: no script, no external link).

    Its texts are cleaned again here, whoever built it: vl-convert aborts the process on a
    character it cannot take.

    >>> to_svg({"mark": "bar", "title": "bell\x07", "data": {"values": [{"a": "x\x0b"}]},
    ...         "encoding": {"y": {"field": "a", "type": "nominal"}}}).startswith("<svg")
    True
    """
    return _svg(json.dumps(clean_spec(spec), sort_keys=True))


@functools.lru_cache(maxsize=2048)
def _svg(spec_json: str) -> str:
    """One spec's SVG, rendered once per process: a chart shown on several pages (a
    center's, its region's) costs one vl-convert call."""
    import vl_convert as vlc

    return check_svg(vlc.vegalite_to_svg(spec_json))
