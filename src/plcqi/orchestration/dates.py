"""The as-of date of a run: the last day its data covers. Never the wall clock.

In order:

1. ``as_of`` in the run's conf (``airflow dags trigger --conf '{"as_of": "2026-06-30"}'``);
2. for a run triggered by Assets, the latest ``as_of`` of the triggering asset events
   (producers put theirs in the event's extra);
3. the run's data interval: the day of its last instant (``data_interval_end`` minus a
   microsecond). A daily run at 2026-07-01T00:00 covers [06-30, 07-01) and is as of
   2026-06-30; the monthly report run at 2026-07-01 covers June and is as of 2026-06-30;
   a backfill of May is as of 2026-05-31.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any


def as_of_from_interval(start: datetime | None, end: datetime | None) -> date | None:
    """The last day a data interval covers.

    >>> as_of_from_interval(datetime(2026, 6, 30), datetime(2026, 7, 1))
    datetime.date(2026, 6, 30)
    >>> as_of_from_interval(datetime(2026, 6, 1), datetime(2026, 7, 1))
    datetime.date(2026, 6, 30)
    >>> as_of_from_interval(datetime(2026, 6, 30, 10), datetime(2026, 6, 30, 11))
    datetime.date(2026, 6, 30)
    """
    if end is None:
        return None
    if start is not None and start >= end:
        return end.date()
    return (end - timedelta(microseconds=1)).date()


def _parse(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def from_asset_events(events: Mapping[Any, Any] | None) -> date | None:
    """The latest ``as_of`` in the extras of triggering asset events."""
    dates = []
    for event_list in (events or {}).values():
        for event in event_list or ():
            extra = getattr(event, "extra", None) or {}
            value = _parse(extra.get("as_of"))
            if value:
                dates.append(value)
    return max(dates) if dates else None


def as_of(context: Mapping[str, Any]) -> date:
    """The as-of date of the run a task context belongs to (see the module docstring)."""
    dag_run = context.get("dag_run")
    conf = getattr(dag_run, "conf", None) or {}
    explicit = _parse(conf.get("as_of"))
    if explicit:
        return explicit
    try:
        events = context.get("triggering_asset_events")
    except Exception:  # noqa: BLE001 - only asset-triggered runs have events to look up
        events = None
    from_events = from_asset_events(events)
    if from_events:
        return from_events
    value = as_of_from_interval(context.get("data_interval_start"),
                                context.get("data_interval_end"))
    if value is None:
        value = _parse(context.get("logical_date") or getattr(dag_run, "run_after", None))
    if value is None:
        raise ValueError("the run has no as-of date: no conf as_of, asset events or data interval")
    return value
