"""TA requested vs delivered per grantee and period, as ``marts.rpt_center_ta_by_grantee``
counts them (requests in their state as of the as-of date, attended sessions). Counts of
grantees, requests and sessions are never suppressed (grantees are public bodies; METRICS.md "Small
numbers")."""

from __future__ import annotations

from plcqi.publish import cells
from plcqi.publish.tables import column, table

KEYS = ("requests", "withdrawn_requests", "delivered_requests", "sessions_attended")
TOTAL = "ALL"  # grantee_id of the center's total row in rpt_center_ta_by_grantee


def by_grantee(mart_rows: list[dict], names: dict[str, str]) -> dict:
    """The per-grantee table from ``marts.rpt_center_ta_by_grantee`` (one center's rows):
    this period's figures and the previous period's beside them, for every grantee with any
    in either period, and the center's total (the mart's ``ALL`` row). Nothing is summed
    here.

    >>> rows = [{"grantee_id": g, "period": p, "requests": n, "withdrawn_requests": 0,
    ...          "delivered_requests": 0, "sessions_attended": 0}
    ...         for g, p, n in [("G1", "current", 2), ("G1", "previous", 1),
    ...                         ("ALL", "current", 2), ("ALL", "previous", 1)]]
    >>> t = by_grantee(rows, {"G1": "Alabama"})
    >>> [[c["text"] for c in r["cells"][:2]] + [r["cells"][5]["text"]] for r in t["rows"]]
    [['Alabama', '2', '1'], ['All grantees', '2', '1']]
    """
    by: dict[str, dict[str, dict]] = {}
    for r in mart_rows:
        by.setdefault(r["grantee_id"], {})[r["period"]] = r

    def line(label: dict, periods: dict[str, dict]) -> dict:
        row = {"grantee": label}
        now, before = periods.get("current", {}), periods.get("previous", {})
        for k in KEYS:
            row[k] = cells.count_cell(now.get(k, 0))
            row[f"{k}_prev"] = cells.count_cell(before.get(k, 0))
        return row

    ids = sorted((g for g in by if g != TOTAL), key=lambda g: (names.get(g, g), g))
    rows = [line(cells.text_cell(names.get(g, g), g), by[g]) for g in ids]
    total = line(cells.text_cell("All grantees"), by[TOTAL]) if TOTAL in by else None
    labels = {"requests": "TA requests", "withdrawn_requests": "of which withdrawn",
              "delivered_requests": "of which delivered",
              "sessions_attended": "Sessions attended"}
    cols = [column("grantee", "Grantee")]
    cols += [column(k, labels[k], True) for k in KEYS]
    cols += [column(f"{k}_prev", f"{labels[k]}, previous period", True) for k in KEYS]
    return table(
        "ta-by-grantee", "TA requested vs delivered, by grantee: this period and the previous",
        cols, rows, total=total if rows else None,
        note="TA requests: requests in the TA tracker submitted in the period to this center "
        "(its center, or one of its opportunities as the source); delivered: a final or closed "
        "plan; plan status as of the as-of date, for both periods. Sessions: this center's "
        "delivered sessions the grantee attended in the period.")
