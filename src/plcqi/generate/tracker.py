"""TA requests as the Technical Assistance Tracker records them, and its Postgres table.

Every change of a request is one row (initial -> intermediate -> final -> closed, or withdrawn),
with ``submitted_at`` the same on all of a request's rows and ``updated_at`` increasing.
There is a background of requests from every grantee on every topic over the whole period (the
baseline of non-participants), plus follow-up requests after cohorts - few, as the study found
("limited"), more after communities of practice. In the last year each ACF region has one
emerging need: extra requests on a topic of its own, so its need rises faster than the nation's.

The stages follow the TA planning calendar (``shared/seeds/ta-planning-process-2016-2018.txt``):
most plans become intermediate within two weeks of the initial plan and final within two more;
some are late on a stage, a few skip intermediate, are re-opened after final (final ->
intermediate -> final), are withdrawn, or stall (no change for months while initial or
intermediate, their last change 91-360 days before the as-of date).
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
EMERGING_PER_YEAR = 1.0  # extra requests per grantee on its region's emerging topic, last year
# Days from one stage to the next: on time (the calendar's two weeks) or late.
ON_TIME_DAYS = (3, 14)
LATE_DAYS = {"intermediate": (15, 45), "final": (15, 40)}
P_LATE = 0.09  # per stage: about one plan in six late on intermediate or final
P_SKIP_INTERMEDIATE = 0.04
P_WITHDRAWN = {"initial": 0.04, "intermediate": 0.04, "final": 0.03}
P_REOPENED = 0.05
P_CLOSED = 0.82  # final plans closed once the TA is delivered (the others stay final)
STALL_DAYS = (91, 360)  # an open plan whose last change is this long before the as-of date...
P_STALL = 0.35  # ...stalls there with this probability


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
    plan_rng = random.Random(rng.getrandbits(64))
    reqs += _emerging(plan_rng, grantees, as_of)
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
        for status, t in _timeline(plan_rng, sub, as_of):
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


def _emerging(rng: random.Random, grantees: list[Grantee],
              as_of: date) -> list[tuple[datetime, str, str, str, str, str]]:
    """Each region's emerging need: extra requests on a topic of its own (no two regions
    share one, so the nation's growth on it stays below the region's) in the 365 days to
    as_of."""
    topics = [t for t in REQUEST_TOPICS if t != "tribal_ccdf"]
    emerging = dict(zip(range(1, 11), rng.sample(topics, 10), strict=True))
    start = as_of - timedelta(days=364)
    reqs = []
    for g in grantees:
        if g.region is None:
            continue
        topic = emerging[g.region]
        day = start + timedelta(days=rng.expovariate(EMERGING_PER_YEAR / 365.0))
        while day <= as_of:
            rtype = rng.choices(REQUEST_TYPES, BACKGROUND_WEIGHTS)[0]
            reqs.append((_at(rng, day), g.grantee_id, topic, rtype, REQUEST_TOPICS[topic][0], ""))
            day += timedelta(days=max(1.0, rng.expovariate(EMERGING_PER_YEAR / 365.0)))
    return reqs


def _timeline(rng: random.Random, submitted: datetime,
              as_of: date) -> list[tuple[str, datetime]]:
    """A request's plan statuses and their times, from its initial plan on (the caller drops
    the changes after the as-of date)."""
    steps = [("initial", submitted)]

    def step(status: str, days: tuple[int, int]) -> None:
        steps.append((status, steps[-1][1] + timedelta(days=rng.randint(*days),
                                                       seconds=rng.randint(0, 20000))))

    def stage_days(status: str) -> tuple[int, int]:
        return LATE_DAYS[status] if rng.random() < P_LATE else ON_TIME_DAYS

    def stalls() -> bool:
        idle = (as_of - steps[-1][1].date()).days
        return STALL_DAYS[0] <= idle <= STALL_DAYS[1] and rng.random() < P_STALL

    if rng.random() < P_WITHDRAWN["initial"]:
        step("withdrawn", (2, 40))
        return steps
    if stalls():
        return steps
    if rng.random() < P_SKIP_INTERMEDIATE:  # approved as first drafted
        step("final", stage_days("final"))
    else:
        step("intermediate", stage_days("intermediate"))
        if rng.random() < P_WITHDRAWN["intermediate"]:
            step("withdrawn", (5, 40))
            return steps
        if stalls():
            return steps
        step("final", stage_days("final"))
    if rng.random() < P_REOPENED:  # modifications asked for after approval
        step("intermediate", (10, 60))
        step("final", ON_TIME_DAYS)
    end = rng.random()
    if end < P_WITHDRAWN["final"]:
        step("withdrawn", (10, 90))
    elif end < P_WITHDRAWN["final"] + P_CLOSED:
        step("closed", (20, 120))
    return steps


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
