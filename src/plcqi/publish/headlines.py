"""The headline figures of the center and leadership reports, read from the marts.

``marts.rpt_headlines`` holds every figure (per center, and ``ALL`` for the leadership report)
with its numerator, denominator and 95% interval; ``marts.rpt_headline_changes`` holds the
previous period's figure as it was published (or recomputed from today's data where nothing
was published for that date, ``previous_source``) and the change, computed there so that it
agrees with the rounded figures shown. Nothing is computed here: this module reads, applies
the small-number rules and formats.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import duckdb

from plcqi.publish import cells
from plcqi.publish.warehouse import rows

# Metrics whose center-wide total is shown in the headline: hide a second cohort when one is
# suppressed, so the hidden figure cannot be recovered from the total.
TOTALLED = ("attendance_rate", "followup_uptake_rate")

# Counts shown out of their total ("15 of 67").
OUT_OF = ("grantees_without_ta", "opportunities_with_toc")

# The uptake figures: the baseline and the lift would give a hidden uptake rate back.
_WITH_UPTAKE = ("followup_baseline_rate", "followup_lift")


@dataclass(frozen=True)
class Figure:
    figure: str
    kind: str
    numerator: int | None
    denominator: int | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    previous_value: float | None
    previous_denominator: int | None
    previous_source: str | None
    previous_as_of: str | None
    change: float | None


def by_key(items: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in items:
        out[r[key]].append(r)
    return out


def read(con: duckdb.DuckDBPyConnection, center_id: str) -> dict[str, Figure]:
    """Every headline figure of one scope (a center id, or ``ALL``)."""
    found = rows(con, """
        select h.figure, h.kind, h.numerator, h.denominator, h.value, h.ci_low, h.ci_high,
            c.previous_value, c.previous_denominator, c.previous_source,
            cast(c.previous_as_of_date as varchar) as previous_as_of, c.change
        from marts.rpt_headlines h
        left join marts.rpt_headline_changes c using (center_id, figure)
        where h.center_id = ? and h.period = 'current'
    """, [center_id])
    return {r["figure"]: Figure(**r) for r in found}


def report_period(con: duckdb.DuckDBPyConnection) -> dict:
    """The report period of the build (``marts.rpt_report_period``), as the templates print it:
    ``{"start", "end", "previous_as_of", "previous_start"}`` (ISO dates)."""
    r = rows(con, "select * from marts.rpt_report_period")[0]
    return {"start": r["period_start_on"].isoformat(), "end": r["as_of_date"].isoformat(),
            "previous_as_of": r["previous_as_of_date"].isoformat(),
            "previous_start": r["previous_period_start_on"].isoformat()}


def _cell(kind: str, value, denominator, numerator, low, high, min_cell_size: int) -> dict:
    if kind == "rate":
        return cells.rate(value, denominator, min_cell_size, numerator=numerator, low=low,
                          high=high)
    if kind == "difference":
        return cells.difference(value, denominator, min_cell_size, low=low, high=high)
    return cells.count_cell(value)


def cells_of(f: Figure, min_cell_size: int, *, hidden: bool = False) -> tuple[dict, dict, dict]:
    """(now, previous, change) display cells of a figure. A change is hidden when either side
    is, or when the denominators differ by fewer than ``min_cell_size`` (the difference
    would reveal the few added grantees)."""
    if hidden:
        s = cells.suppressed(min_cell_size)
        return s, dict(s), dict(s)
    now = _cell(f.kind, f.value, f.denominator, f.numerator, f.ci_low, f.ci_high,
                min_cell_size)
    if f.previous_source is None:
        return now, dict(cells.MISSING, title="not tracked over time"), dict(
            cells.MISSING, title="not tracked over time")
    before = _cell(f.kind, f.previous_value, f.previous_denominator, None, None, None,
                   min_cell_size)
    if f.previous_source == "recomputed":
        before["title"] = (f"recomputed from today's data: no report was published as of "
                           f"{f.previous_as_of}")
        before["recomputed"] = True
    if now["state"] == "missing" or before["state"] == "missing":
        return now, before, dict(cells.MISSING, title="no figure for one of the periods")
    if cells.is_hidden(now) or cells.is_hidden(before):
        return now, before, cells.suppressed(min_cell_size)
    if f.kind == "count":
        d = f.change or 0
        return now, before, {"text": f"{d:+.0f}" if d else "0",
                             "state": "value" if d else "zero", "raw": d}
    n_now, n_before = f.denominator or 0, f.previous_denominator or 0
    if 0 < abs(n_now - n_before) < min_cell_size:
        return now, before, cells.suppressed(min_cell_size)
    return now, before, cells.difference(f.change, min(n_now, n_before) or min_cell_size,
                                         min_cell_size)


def headline(label: str, now: dict, before: dict | None, change: dict | None,
             note: str = "") -> dict:
    return {"label": label, "value": now, "previous": before or dict(
        cells.MISSING, title="not available for the previous period"),
            "change": change or dict(cells.MISSING, title="not tracked over time"),
            "note": note}


def block(figures: dict[str, Figure], spec: list[tuple[str, str, str]],
          min_cell_size: int) -> list[dict]:
    """The headline rows of ``spec`` — (figure, label, note) — in order. ``{total}`` in a
    note is the figure's denominator (e.g. all grantees)."""
    uptake = figures.get("followup_uptake_rate")
    uptake_hidden = uptake is not None and cells.is_hidden(
        _cell(uptake.kind, uptake.value, uptake.denominator, uptake.numerator, None, None,
              min_cell_size))
    out = []
    for figure, label, note in spec:
        f = figures.get(figure)
        if f is None:
            out.append(headline(label, dict(cells.MISSING), None, None, note))
            continue
        now, before, change = cells_of(
            f, min_cell_size, hidden=uptake_hidden and figure in _WITH_UPTAKE)
        if figure in OUT_OF:  # "12 of 24", now and before
            if f.denominator is not None and now["state"] in ("value", "zero"):
                now = dict(now, text=f"{now['text']} of {f.denominator}")
            if f.previous_denominator is not None and before["state"] in ("value", "zero"):
                before = dict(before, text=f"{before['text']} of {f.previous_denominator}")
        out.append(headline(label, now, before, change,
                            note.replace("{total}", str(f.denominator or 0))))
    return out


def recomputed(figures: dict[str, Figure]) -> str | None:
    """The previous as-of date when the comparison was recomputed (nothing published then)."""
    return next((f.previous_as_of for f in figures.values()
                 if f.previous_source == "recomputed"), None)

