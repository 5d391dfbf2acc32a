"""The Assets of the pipeline: one per source's raw data, and the marts.

Ingest DAGs produce ``raw(source)``; the transform DAG consumes them and produces ``marts()``;
the report DAG consumes ``marts()``. Each event carries ``{"as_of": "YYYY-MM-DD"}`` in its extra,
so a consumer run computes for the date its producers computed for.
"""

from __future__ import annotations

GROUP = "plcqi"

# Both TA request DAGs (tracker exports, tracker database) load the same raw dataset.
RAW_SOURCES = ("reference", "ta_requests", "attendance", "polls", "surveys")


def raw_dataset(source: str) -> str:
    """The raw dataset an ingest source loads.

    >>> raw_dataset("ta_requests_db")
    'ta_requests'
    """
    source = "ta_requests" if source == "ta_requests_db" else source
    if source not in RAW_SOURCES:
        raise ValueError(f"unknown source {source!r}")
    return source


def raw(source: str):
    """The Asset of a source's raw zone data, ``plcqi_raw_<dataset>``."""
    from airflow.sdk import Asset  # here: importing this module must not start Airflow

    name = raw_dataset(source)
    return Asset(name=f"plcqi_raw_{name}", uri=f"plcqi://raw/{name}", group=GROUP)


def marts():
    """The marts, built by the transform DAG once its quality gate passed."""
    from airflow.sdk import Asset

    return Asset(name="plcqi_marts", uri="plcqi://warehouse/marts", group=GROUP)


def transform_schedule():
    """When the transform runs: once every source has delivered since its last run.

    Each source is ingested daily (TA requests possibly hourly, from the tracker database),
    so the warehouse is rebuilt once a day with everything that landed, not once per source.
    """
    from airflow.sdk import AssetAll

    return AssetAll(*(raw(s) for s in RAW_SOURCES))
