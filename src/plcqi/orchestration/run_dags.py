"""Run DAGs one after the other with ``dag.test()`` in one process (what ``airflow dags
test`` does, without paying Airflow's start-up once per DAG). Used by ``scripts/demo``
and the end-to-end tests; needs a migrated metadata database (``airflow db migrate``).

    python -m plcqi.orchestration.run_dags --as-of 2026-06-30 plcqi_ingest_reference ...

Each run gets the logical date ``<as_of + 1 day>T00:00Z`` (a run covers the day before its
logical date) and the conf ``{"as_of": "<as_of>"}``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

INGEST_DAGS = tuple(
    f"plcqi_ingest_{s}" for s in ("reference", "ta_requests", "attendance", "polls", "surveys")
)
PIPELINE = (*INGEST_DAGS, "plcqi_transform", "plcqi_report")


def logical_date(as_of: date) -> datetime:
    """
    >>> logical_date(date(2026, 6, 30)).isoformat()
    '2026-07-01T00:00:00+00:00'
    """
    return datetime.combine(as_of + timedelta(days=1), dtime.min, tzinfo=UTC)


def run(dag_ids: list[str], as_of: date, echo=print) -> dict[str, str]:
    """``dag.test()`` each DAG in order; stop at the first that does not succeed. Returns
    the state of each run."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.settings import DAGS_FOLDER

    bag = DagBag(dag_folder=DAGS_FOLDER)
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    states: dict[str, str] = {}
    for dag_id in dag_ids:
        dag = bag.dags.get(dag_id)
        if dag is None:
            raise KeyError(f"no DAG {dag_id!r} in {DAGS_FOLDER}")
        started = time.perf_counter()
        echo(f"plcqi: dags test {dag_id} as of {as_of}")
        dr = dag.test(logical_date=logical_date(as_of), run_conf={"as_of": as_of.isoformat()})
        state = str(getattr(dr.state, "value", dr.state))
        states[dag_id] = state
        echo(f"plcqi: {dag_id}: {state} in {time.perf_counter() - started:.1f} s")
        if state != "success":
            break
    return states


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", required=True, type=date.fromisoformat)
    parser.add_argument("dag_ids", nargs="*", help=f"default: {' '.join(PIPELINE)}")
    args = parser.parse_args(argv)
    dag_ids = args.dag_ids or list(PIPELINE)
    states = run(dag_ids, args.as_of)
    ok = len(states) == len(dag_ids) and all(s == "success" for s in states.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
