"""TA requests as the Technical Assistance Tracker records them, and its Postgres table.

Every change of a request is one row (initial -> intermediate -> final -> closed, or withdrawn),
with ``submitted_at`` the same on all of a request's rows and ``updated_at`` increasing.
There is a background of requests from every grantee on every topic over the whole period (the
baseline of non-participants), plus follow-up requests after cohorts - few, as the study found
("limited"), more after communities of practice.
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from plcqi.generate.model import Grantee, Opportunity
from plcqi.generate.reference import REQUEST_TOPICS
from plcqi.ingest.contract import dataset

COLUMNS = [c.name for c in dataset("ta_requests").columns]
TABLE = "tracker.ta_requests"
REQUEST_TYPES = ("brief_tailored", "intensive_tailored", "p2p", "one_on_one", "universal",
                 "targeted")
BACKGROUND_WEIGHTS = (35, 12, 8, 15, 12, 18)
FOLLOWUP_WEIGHTS = (35, 25, 20, 15, 0, 5)
RATE_PER_YEAR = {"state": 2.0, "territory": 1.5, "district": 2.0, "tribe": 1.0}
FOLLOWUP_P = {"CoP": 0.35, "OpenSpace": 0.2}  # others 0.08


def _at(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(rng.randint(13, 22), rng.randint(0, 59),
                                      rng.randint(0, 59)))


def requests(rng: random.Random, grantees: list[Grantee], opps: list[Opportunity],
             first_attended: dict[str, dict[str, date]], as_of: date) -> list[list[str]]:
    """All change rows, each request's rows in order; request ids increase with submission."""
    topics = list(REQUEST_TOPICS)
    begin = as_of - timedelta(days=1280)
    reqs: list[tuple[datetime, str, str, str, str, str]] = []
    for g in grantees:
        weights = [w * (8 if t == "tribal_ccdf" and g.grantee_type == "tribe" else 1)
                   for t, (_, w) in REQUEST_TOPICS.items()]
        rate = RATE_PER_YEAR[g.grantee_type] / 365.0
        day = begin + timedelta(days=rng.expovariate(rate))
        while day <= as_of:
            topic = rng.choices(topics, weights)[0]
            center = "" if rng.random() < 0.15 else REQUEST_TOPICS[topic][0]
            rtype = rng.choices(REQUEST_TYPES, BACKGROUND_WEIGHTS)[0]
            reqs.append((_at(rng, day), g.grantee_id, topic, rtype, center, ""))
            day += timedelta(days=max(1.0, rng.expovariate(rate)))
    for opp in opps:
        p = FOLLOWUP_P.get(opp.format, 0.08) * (0.6 if opp.followup_offered == "none" else 1.0)
        for cohort in opp.cohorts:
            end = cohort.end()
            for gid, first in first_attended.get(cohort.cohort_id, {}).items():
                if cohort.ongoing:
                    if (as_of - first).days > 30 and rng.random() < p:
                        day = first + timedelta(days=rng.randint(14, (as_of - first).days))
                        reqs.append(_followup(rng, opp, gid, day))
                    continue
                if end is None:
                    continue
                if rng.random() < 0.04 and end > first:  # during the series
                    day = first + timedelta(days=rng.randint(1, (end - first).days))
                    reqs.append(_followup(rng, opp, gid, day))
                if rng.random() < p:
                    day = end + timedelta(days=rng.randint(5, 175))
                    if day <= as_of:
                        reqs.append(_followup(rng, opp, gid, day))
    reqs.sort(key=lambda r: (r[0], r[1]))
    limit = datetime.combine(as_of, time(23, 59, 59))
    rows: list[list[str]] = []
    for n, (sub, gid, topic, rtype, center, source) in enumerate(reqs, 1):
        rid = f"TA-{n:07d}"
        submitted = sub.isoformat()
        t = sub
        for status in _path(rng):
            if status != "initial":
                t = t + timedelta(days=rng.randint(*{"intermediate": (2, 20), "final": (3, 30),
                                                      "closed": (20, 120),
                                                      "withdrawn": (2, 40)}[status]),
                                  seconds=rng.randint(0, 20000))
            if t > limit:
                break
            rows.append([rid, gid, submitted, topic, rtype, center, source, status,
                         t.isoformat()])
    return rows


def _followup(rng: random.Random, opp: Opportunity, gid: str,
              day: date) -> tuple[datetime, str, str, str, str, str]:
    if rng.random() < 0.8:
        topic = opp.topic
        source = opp.opportunity_id if rng.random() < 0.6 else ""
    else:  # a related need on another topic, tied to the opportunity by its source
        topic = rng.choice([t for t in REQUEST_TOPICS if t != opp.topic])
        source = opp.opportunity_id
    rtype = rng.choices(REQUEST_TYPES, FOLLOWUP_WEIGHTS)[0]
    return (_at(rng, day), gid, topic, rtype, opp.center_id, source)


def _path(rng: random.Random) -> list[str]:
    path = ["initial"]
    for status, p_next in (("intermediate", 0.9), ("final", 0.85), ("closed", 0.8)):
        if status != "closed" and rng.random() < 0.05:
            path.append("withdrawn")
            return path
        if rng.random() >= p_next:
            return path
        path.append(status)
    return path


def by_year(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """One tracker export per year of the change (updated_at), ordered by change time."""
    files: dict[str, list[list[str]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r[8], r[0])):
        files[f"ta_requests/tat_export_{row[8][:4]}.csv"].append(row)
    return dict(sorted(files.items()))


def write_postgres(dsn: str, rows: list[list[str]]) -> int:
    """Replace the rows of ``tracker.ta_requests`` with ``rows`` (created if missing), by COPY.

    The table has exactly the columns of the ta_requests CSV, datetimes as timestamptz (the
    CSV's offset-less datetimes are UTC). It is the generator's table: a re-run replaces its
    content in one transaction, so the result is the same however often it runs.
    """
    import psycopg

    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join(v if v != "" else "\\N" for v in r))
        buf.write("\n")
    with psycopg.connect(dsn) as conn:
        conn.execute("set time zone 'UTC'")
        conn.execute("create schema if not exists tracker")
        conn.execute(f"""create table if not exists {TABLE} (
            request_id text not null, grantee_id text not null,
            submitted_at timestamptz not null, topic text not null,
            request_type text not null, center_id text, source_opportunity_id text,
            plan_status text not null, updated_at timestamptz not null)""")
        conn.execute(f"create index if not exists ta_requests_updated_at on {TABLE} (updated_at)")
        conn.execute(f"delete from {TABLE}")
        with conn.cursor().copy(f"copy {TABLE} ({', '.join(COLUMNS)}) from stdin") as copy:
            copy.write(buf.getvalue())
        n = conn.execute(f"select count(*) from {TABLE}").fetchone()[0]
    return int(n)
