"""TA requested vs delivered: the tracker's requests (``marts.fct_ta_requests``, each in its
state as of the as-of date) and attended sessions (``marts.fct_attendance``), per grantee and
period. Counts of grantees, requests and sessions are never suppressed (grantees are public
bodies; METRICS.md "Small numbers")."""

from __future__ import annotations

from datetime import date

from plcqi.publish import cells
from plcqi.publish.tables import column, table

DELIVERED = ("final", "closed")  # plan statuses that mean the TA was delivered
KEYS = ("requests", "withdrawn", "delivered", "sessions")


def counts(requests: list[dict], attendance: list[dict], lo: date, hi: date
           ) -> dict[str, dict[str, int]]:
    """Per grantee with any, in ``[lo, hi]``: requests submitted, of which withdrawn, of which
    delivered (a final or closed plan), and sessions attended.

    >>> d = date(2026, 4, 2)
    >>> reqs = [{"grantee_id": "G1", "submitted_on": d, "plan_status": "final",
    ...          "is_withdrawn": False},
    ...         {"grantee_id": "G1", "submitted_on": d, "plan_status": "withdrawn",
    ...          "is_withdrawn": True},
    ...         {"grantee_id": "G2", "submitted_on": date(2026, 3, 31), "plan_status": "closed",
    ...          "is_withdrawn": False}]
    >>> att = [{"grantee_id": "G3", "session_on": d, "has_attended": True},
    ...        {"grantee_id": "G2", "session_on": d, "has_attended": False}]
    >>> counts(reqs, att, date(2026, 4, 1), date(2026, 6, 30))
    {'G1': {'requests': 2, 'withdrawn': 1, 'delivered': 1, 'sessions': 0}, \
'G3': {'requests': 0, 'withdrawn': 0, 'delivered': 0, 'sessions': 1}}
    """
    out: dict[str, dict[str, int]] = {}

    def of(grantee_id: str) -> dict[str, int]:
        return out.setdefault(grantee_id, dict.fromkeys(KEYS, 0))

    for r in requests:
        if lo <= r["submitted_on"] <= hi:
            c = of(r["grantee_id"])
            c["requests"] += 1
            c["withdrawn"] += bool(r["is_withdrawn"])
            c["delivered"] += r["plan_status"] in DELIVERED
    for r in attendance:
        if r["has_attended"] and lo <= r["session_on"] <= hi:
            of(r["grantee_id"])["sessions"] += 1
    return out


def with_ta(requests: list[dict], attendance: list[dict], lo: date, hi: date) -> set[str]:
    """Grantees with TA in ``[lo, hi]``: a request submitted that is not withdrawn (a
    withdrawn request is never TA), or an attended session.

    >>> d = date(2026, 5, 1)
    >>> sorted(with_ta([{"grantee_id": "G1", "submitted_on": d, "is_withdrawn": True},
    ...                 {"grantee_id": "G2", "submitted_on": d, "is_withdrawn": False}],
    ...                [{"grantee_id": "G3", "session_on": d, "has_attended": True}], d, d))
    ['G2', 'G3']
    """
    found = {r["grantee_id"] for r in requests
             if lo <= r["submitted_on"] <= hi and not r["is_withdrawn"]}
    return found | {r["grantee_id"] for r in attendance
                    if r["has_attended"] and lo <= r["session_on"] <= hi}


def without_cell(grantee_ids: list[str], reached: set[str]) -> dict:
    """Grantees with no TA, out of all grantees: a count (never suppressed).

    >>> without_cell(["G1", "G2", "G3"], {"G2"})["text"]
    '2 of 3'
    """
    n = len(set(grantee_ids) - reached)
    return dict(cells.count_cell(n), text=f"{n} of {len(grantee_ids)}")


def by_grantee(now: dict[str, dict[str, int]], before: dict[str, dict[str, int]],
               names: dict[str, str]) -> dict:
    """The per-grantee table: this period's figures and the previous period's beside them,
    for every grantee with any in either period, and a total."""
    def line(label: dict, a: dict[str, int], b: dict[str, int]) -> dict:
        row = {"grantee": label}
        for k in KEYS:
            row[k] = cells.count_cell(a.get(k, 0))
            row[f"{k}_prev"] = cells.count_cell(b.get(k, 0))
        return row

    ids = sorted(set(now) | set(before), key=lambda g: (names.get(g, g), g))
    rows = [line(cells.text_cell(names.get(g, g), g), now.get(g, {}), before.get(g, {}))
            for g in ids]
    total = line(cells.text_cell("All grantees"),
                 {k: sum(c[k] for c in now.values()) for k in KEYS},
                 {k: sum(c[k] for c in before.values()) for k in KEYS})
    labels = {"requests": "TA requests", "withdrawn": "of which withdrawn",
              "delivered": "of which delivered", "sessions": "Sessions attended"}
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
