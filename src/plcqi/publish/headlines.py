"""The headline figures of the center and leadership reports: a figure as of a cutoff, the
change since the previous period, and the headline row that shows them.

They are pooled in Python from mart rows today; METRICS.md 1.1 moves them into marts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from plcqi.publish import cells

# Metrics whose center-wide total is shown in the headline: hide a second cohort when one is
# suppressed, so the hidden figure cannot be recovered from the total.
TOTALLED = ("attendance_rate", "followup_uptake_rate")


def by_key(items: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in items:
        out[r[key]].append(r)
    return out


def attendance_at(att: list[dict], cutoff: date, min_cell_size: int) -> dict:
    """Pooled attendance rate over the sessions delivered on or before ``cutoff``: attended
    grantee-sessions / (participating grantees x delivered sessions), per cohort then summed."""
    num = den = 0
    for cohort_rows in by_key(att, "cohort_id").values():
        upto = [r for r in cohort_rows if r["session_on"] <= cutoff]
        sessions = {r["session_id"] for r in upto}
        participating = {r["grantee_id"] for r in upto if r["has_attended"]}
        num += sum(1 for r in upto if r["has_attended"] and r["grantee_id"] in participating)
        den += len(participating) * len(sessions)
    return cells.rate_cell(num, den, min_cell_size)


def uptake_at(uptake: list[dict], baselines: dict[str, float], cutoff: date,
               min_cell_size: int) -> tuple[dict, dict, dict]:
    """Uptake over windows complete by ``cutoff``, its baseline (cohort baselines weighted by
    their participating grantees) and the lift."""
    done = [r for r in uptake if r["window_end_on"] is not None and r["window_end_on"] <= cutoff]
    n = len(done)
    took = sum(1 for r in done if r["took_up_related"])
    rate = cells.rate_cell(took, n, min_cell_size)
    if rate["state"] == "missing":
        return rate, dict(cells.MISSING), dict(cells.MISSING)
    if cells.is_hidden(rate):  # baseline and lift together would give the rate back
        return rate, cells.suppressed(min_cell_size), cells.suppressed(min_cell_size)
    weighted = [baselines[r["cohort_id"]] for r in done if r["cohort_id"] in baselines]
    if not weighted:
        return rate, dict(cells.MISSING), dict(cells.MISSING)
    b = sum(weighted) / len(weighted)
    return (rate, cells.rate_cell(None, n, min_cell_size, b),
            cells.lift_cell(took / n - b, n, min_cell_size))


def change(now: dict, before: dict, min_cell_size: int, kind: str = "rate") -> dict:
    """The change since the previous period; hidden when either side is hidden, or when the
    denominators differ by fewer than ``min_cell_size`` (the difference would reveal the few
    added grantees).

    >>> change(cells.rate_cell(6, 10, 3), cells.rate_cell(3, 8, 3), 3)["state"]
    'suppressed'
    >>> change(cells.rate_cell(6, 10, 3), cells.rate_cell(2, 5, 3), 3)["text"]
    '+20 pts'
    """
    if now["state"] == "missing" or before["state"] == "missing":
        return dict(cells.MISSING, title="no figure for one of the periods")
    if cells.is_hidden(now) or cells.is_hidden(before):
        return cells.suppressed(min_cell_size)
    if kind == "count":
        d = now["raw"] - before["raw"]
        return {"text": f"{d:+.0f}" if d else "0", "state": "value" if d else "zero", "raw": d}
    if "n" in now and "n" in before and 0 < abs(now["n"] - before["n"]) < min_cell_size:
        return cells.suppressed(min_cell_size)
    return cells.lift_cell(now["raw"] - before["raw"], min(now.get("n", 0), before.get("n", 0))
                           or min_cell_size, min_cell_size)


def headline(label: str, now: dict, before: dict | None, change: dict | None,
              note: str = "") -> dict:
    return {"label": label, "value": now, "previous": before or dict(
        cells.MISSING, title="not available for the previous period"),
            "change": change or dict(cells.MISSING, title="not tracked over time"),
            "note": note}
