"""Display cells: a figure as the report shows it, with small-number suppression.

A cell is a plain dict so that contexts are JSON (golden files) and templates only print:
``text`` (what is shown), ``state`` (``value``, ``zero``, ``missing``, ``suppressed`` or
``complementary``; the stylesheet draws the last two hatched, so a hidden cell never looks
like a true zero), an optional ``title`` (hover help) and, for figures that are shown, ``raw``
(the number, for charts) and ``n`` (the denominator).

METRICS.md "Small numbers": a rate whose denominator is below ``min_cell_size`` is shown as
"n<3"; counts of grantees are never suppressed, counts of people are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

MISSING = {"text": "—", "state": "missing", "title": "not available yet"}


def whole_percent(value: float) -> int:
    """A rate in whole percent, halves rounded up: floor(100 x + 0.5), the rule of the marts'
    ``percent_shown`` macro, so changes computed there agree with the figures printed here.

    >>> whole_percent(0.125), whole_percent(0.135), whole_percent(-0.125)
    (13, 14, -12)
    """
    return math.floor(value * 100 + 0.5)


def pct(value: float) -> str:
    """A rate as a whole percentage.

    >>> pct(0.456), pct(0.0), pct(1), pct(0.125)
    ('46%', '0%', '100%', '13%')
    """
    return f"{whole_percent(value)}%"


def points(value: float) -> str:
    """A difference of rates in signed percentage points.

    >>> points(0.052), points(-0.1), points(0.0)
    ('+5 pts', '-10 pts', '0 pts')
    """
    p = whole_percent(value)
    return "0 pts" if p == 0 else f"{p:+d} pts"


def suppressed(min_cell_size: int) -> dict:
    return {
        "text": f"n<{min_cell_size}",
        "state": "suppressed",
        "title": f"fewer than {min_cell_size} in the denominator: not shown (small numbers)",
    }


def interval(low, high, kind: str = "rate") -> str | None:
    """A 95% interval as the reports print it (rates in %, differences in signed points).

    >>> interval(0.123, 0.456), interval(-0.17, 0.57, "difference"), interval(None, 0.5)
    ('12–46%', '−17 to +57 pts', None)
    """
    if low is None or high is None:
        return None
    if kind == "difference":
        def signed(v: float) -> str:
            p = whole_percent(v)
            return "0" if p == 0 else f"{p:+d}".replace("-", "−")
        return f"{signed(low)} to {signed(high)} pts"
    return f"{whole_percent(low)}–{whole_percent(high)}%"


def rate(value, denominator, min_cell_size: int, *, numerator=None, low=None,
         high=None) -> dict:
    """A rate read from a mart (value, its denominator, its 95% interval), suppressed when the
    denominator is below ``min_cell_size``. Nothing is computed here: the marts hold the rate.

    >>> rate(0.5, 2, 3)["text"], rate(0.0, 4, 3)["state"], rate(None, 0, 3)["state"]
    ('n<3', 'zero', 'missing')
    >>> c = rate(0.75, 4, 3, numerator=3, low=0.3, high=0.95)
    >>> c["text"], c["title"], c["ci"]
    ('75%', '3 of 4; 95% interval 30–95%', '30–95%')
    """
    if denominator is None or denominator == 0 or value is None:
        return dict(MISSING)
    if denominator < min_cell_size:
        return suppressed(min_cell_size)
    value = float(value)
    cell = {"text": pct(value), "state": "zero" if value == 0 else "value", "raw": value,
            "n": int(denominator)}
    ci = interval(low, high)
    if ci:
        cell.update(ci=ci, low=float(low), high=float(high))
    parts = ([f"{int(numerator)} of {int(denominator)}"] if numerator is not None else []) + (
        [f"95% interval {ci}"] if ci else [])
    if parts:
        cell["title"] = "; ".join(parts)
    return cell


def difference(value, denominator, min_cell_size: int, *, low=None, high=None) -> dict:
    """A difference of two rates (a lift, a change) read from a mart, in signed points with
    its 95% interval; suppressed with the rates it is the difference of.

    >>> difference(0.11, 10, 3, low=-0.17, high=0.57)["title"]
    '95% interval −17 to +57 pts'
    """
    cell = lift_cell(value, denominator, min_cell_size)
    ci = interval(low, high, "difference")
    if ci and cell["state"] in ("value", "zero"):
        cell.update(ci=ci, low=float(low), high=float(high), title=f"95% interval {ci}")
    return cell


def lift_cell(value, denominator, min_cell_size: int) -> dict:
    """Uptake lift in points; suppressed with the uptake rate it is computed from.

    >>> lift_cell(0.12, 10, 3)["text"], lift_cell(0.5, 2, 3)["text"], lift_cell(None, 5, 3)["text"]
    ('+12 pts', 'n<3', '—')
    """
    if value is None or not denominator:
        return dict(MISSING)
    if denominator < min_cell_size:
        return suppressed(min_cell_size)
    value = float(value)
    return {"text": points(value), "state": "zero" if whole_percent(value) == 0 else "value",
            "raw": value, "n": int(denominator)}


def count_cell(value, unit: str = "") -> dict:
    """A count of grantees, sessions, requests or days: never suppressed.

    >>> count_cell(0)["state"], count_cell(56, "days")["text"], count_cell(None)["text"]
    ('zero', '56 days', '—')
    """
    if value is None:
        return dict(MISSING)
    number = float(value)
    text = f"{number:.0f}" if number == int(number) else f"{number:.1f}"
    return {"text": f"{text} {unit}".strip(), "state": "zero" if number == 0 else "value",
            "raw": number}


def people_cell(value, min_cell_size: int) -> dict:
    """A count of people: 1 and 2 are shown as "<3" (a true 0 stays 0).

    >>> people_cell(2, 3)["text"], people_cell(0, 3)["text"], people_cell(7, 3)["text"]
    ('<3', '0', '7')
    """
    if value is None:
        return dict(MISSING)
    if 0 < value < min_cell_size:
        return {"text": f"<{min_cell_size}", "state": "suppressed",
                "title": f"fewer than {min_cell_size} people: not shown (small numbers)"}
    return count_cell(value)


def text_cell(text, title: str | None = None) -> dict:
    if text is None or text == "":
        return dict(MISSING)
    cell = {"text": str(text), "state": "value"}
    if title:
        cell["title"] = title
    return cell


def is_hidden(cell: dict) -> bool:
    return cell["state"] in ("suppressed", "complementary")


def complement(cells: Iterable[dict], min_cell_size: int) -> list[dict]:
    """Complementary suppression for cells whose total is shown elsewhere.

    When exactly one cell of a group is suppressed, the hidden figure could be recovered by
    subtracting the others from the group's total; so the shown cell with the smallest
    denominator is hidden too. Returns new cells (the input is not changed).

    >>> cells = [rate(0.5, 2, 3), rate(0.4, 5, 3), rate(4 / 9, 9, 3)]
    >>> [c["state"] for c in complement(cells, 3)]
    ['suppressed', 'complementary', 'value']
    >>> [c["state"] for c in complement([rate(0.5, 2, 3), rate(1.0, 1, 3)], 3)]
    ['suppressed', 'suppressed']
    """
    out = [dict(c) for c in cells]
    hidden = [c for c in out if is_hidden(c)]
    shown = [c for c in out if c["state"] in ("value", "zero") and "n" in c]
    if len(hidden) == 1 and shown:
        victim = min(shown, key=lambda c: c["n"])
        victim.clear()
        victim.update({
            "text": "suppr.",
            "state": "complementary",
            "title": "hidden as well, so that a suppressed figure cannot be recovered "
            "from the total",
        })
    return out


def raw(cell: dict) -> float | None:
    """The number behind a cell, or None when it is hidden or missing (what charts plot)."""
    return cell.get("raw") if cell["state"] in ("value", "zero") else None
