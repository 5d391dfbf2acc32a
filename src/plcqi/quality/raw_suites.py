"""The raw zone's suites, derived from the input contract (``plcqi.ingest.contract``).

The JSON files under ``expectations/raw/`` are written by :func:`write_raw_suites` and kept
under version control; a test fails when they drift from what this module derives, so a
contract change shows up as a reviewed change of the suites. Regenerate with
``python -m plcqi.quality.raw_suites``.

Thresholds that are not in the contract (freshness, volume) are the tables below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from plcqi.ingest import contract
from plcqi.ingest.rawzone import LINEAGE, raw_columns, raw_name, table_name
from plcqi.quality.result import ERROR, WARNING

# Days after which a source's newest loaded file is stale (warning); three times that is an
# error. Reference snapshots and survey waves arrive yearly, attendance and the tracker
# monthly, polls quarterly.
FRESHNESS_MAX_AGE_DAYS = {
    "reference": 400,
    "ta_requests": 45,
    "attendance": 45,
    "polls": 120,
    "surveys": 400,
}
FRESHNESS_ERROR_FACTOR = 3
# Per event dataset: the timestamp whose newest value says how current the data is (warning).
DATA_FRESHNESS = {
    "ta_requests": ("updated_at", 45),
    "attendance": ("join_time", 45),
    "polls": ("submitted_at", 120),
    "surveys/midpoint": ("submitted_at", 400),
    "surveys/six_month": ("submitted_at", 400),
}
# A load with fewer rows than these shares of the median of its dataset's previous loads.
VOLUME_ERROR_RATIO = 0.1  # a day's export 90% short
VOLUME_WARNING_RATIO = 0.2
# Datasets whose files are periodic exports of comparable size (and full reference
# snapshots). The tracker and the surveys export one file per year: the current year's file
# is partial by nature, so its size says nothing.
VOLUME_DATASETS = tuple(
    d.name for d in contract.DATASETS if d.source in ("reference", "attendance", "polls")
)
QUARANTINE_WARNING_SHARE = 0.2

ROW_IDS = ["_file", "_row"]
_PAIR_CHECK = re.compile(r"^(\w+) < (\w+)$")
# Datetimes that may lie ahead by design: a scheduled session. Checked on delivered rows only.
_FUTURE_CONDITION = {"reference/sessions": {"column": "status", "value": "delivered"}}


def suite_name(ds: contract.Dataset) -> str:
    """The suite of a raw dataset.

    >>> suite_name(contract.dataset("surveys/midpoint"))
    'raw.surveys__midpoint'
    """
    return "raw." + table_name(ds)


def _exp(type_: str, severity: str, description: str, **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"severity": severity},
            "description": description}


def _eq_condition(column: str, value: str) -> dict:
    return {"type": "comparison", "column": {"name": column}, "operator": "==",
            "parameter": value}


def dataset_suite(ds: contract.Dataset) -> dict:
    """Columns present, required columns non-null, enums, ranges, row checks and timestamps
    not after their load (error) nor after the run's as-of date (warning)."""
    exps = [
        _exp("expect_table_columns_to_match_set", ERROR,
             "every column of the contract is in the raw files (extra columns are drift, allowed)",
             column_set=[name for name, _ in raw_columns(ds)], exact_match=False),
    ]
    for name, _ in LINEAGE:
        exps.append(_exp("expect_column_values_to_not_be_null", ERROR,
                         f"lineage column {name} is always set", column=name))
    for c in ds.columns:
        name = raw_name(c)
        if name is None:
            continue
        if c.required:
            exps.append(_exp("expect_column_values_to_not_be_null", ERROR,
                             f"{name} is required by the input contract", column=name))
        if c.type == contract.ENUM:
            exps.append(_exp("expect_column_values_to_be_in_set", ERROR,
                             f"{name} is one of the contract's values",
                             column=name, value_set=list(c.values)))
        if c.type == contract.ENUM_LIST:
            item = "(" + "|".join(re.escape(v) for v in c.values) + ")"
            exps.append(_exp("expect_column_values_to_match_regex", ERROR,
                             f"{name} is a ;-separated list of the contract's values",
                             column=name, regex=f"^{item}(;{item})*$"))
        if c.minimum is not None or c.maximum is not None:
            bounds = {k: v for k, v in (("min_value", c.minimum), ("max_value", c.maximum))
                      if v is not None}
            exps.append(_exp("expect_column_values_to_be_between", ERROR,
                             f"{name} within the contract's range", column=name, **bounds))
        if c.type == contract.DATETIME:
            exps += _timestamp_expectations(ds, name)
    for condition, _column, reason in ds.row_checks:
        m = _PAIR_CHECK.match(condition)
        if m:  # "a < b" marks a bad row: a must be >= b
            later, earlier = m.groups()
            exps.append(_exp("expect_column_pair_values_a_to_be_greater_than_b", ERROR,
                             f"contract row check: not {reason}", column_A=later,
                             column_B=earlier, or_equal=True,
                             ignore_row_if="either_value_is_missing"))
    if ds.source == "reference" and ds.key:
        keys = [raw_name(ds.column(k)) for k in ds.key]
        if len(keys) == 1:
            exps.append(_exp("expect_column_values_to_be_unique", ERROR,
                             "the snapshot has one row per key", column=keys[0]))
        else:
            exps.append(_exp("expect_compound_columns_to_be_unique", ERROR,
                             "the snapshot has one row per key", column_list=keys))
    return {
        "name": suite_name(ds),
        "expectations": exps,
        "meta": {
            "stage": "raw",
            "batch": f"dataset:{ds.name}",
            "row_id_columns": ROW_IDS,
            "generated_from": "src/plcqi/ingest/contract.py by plcqi.quality.raw_suites",
            "description": (
                f"Raw zone dataset {ds.name}"
                + (" (the current snapshot: its newest raw file, unless a passing raw gate "
                   "validated it)." if ds.source == "reference"
                   else " (its raw files not yet validated by a passing raw gate, and those "
                         "with a timestamp after the run's as-of date).")
            ),
        },
    }


def _timestamp_expectations(ds: contract.Dataset, name: str) -> list[dict]:
    cond = _FUTURE_CONDITION.get(ds.name)
    extra = {"row_condition": _eq_condition(cond["column"], cond["value"])} if cond else {}
    where = f" ({cond['column']} = {cond['value']})" if cond else ""
    return [
        _exp("expect_column_pair_values_a_to_be_greater_than_b", ERROR,
             f"{name} is not after the row was loaded (no timestamps from the future){where}",
             column_A="_loaded_at", column_B=name, or_equal=True,
             ignore_row_if="either_value_is_missing", **extra),
        _exp("expect_column_values_to_be_between", WARNING,
             f"{name} is not after the run's as-of date: later rows are not counted{where}",
             column=name, max_value={"$PARAMETER": "as_of_end"}, **extra),
    ]


def volume_suite() -> dict:
    return {
        "name": "raw.volume",
        "expectations": [
            _exp("expect_column_values_to_be_between", ERROR,
                 f"a new load has at least {VOLUME_ERROR_RATIO:.0%} of the median rows of its "
                 "dataset's previous loads", column="volume_ratio", min_value=VOLUME_ERROR_RATIO),
            _exp("expect_column_values_to_be_between", WARNING,
                 f"a new load has at least {VOLUME_WARNING_RATIO:.0%} of the median rows of its "
                 "dataset's previous loads", column="volume_ratio",
                 min_value=VOLUME_WARNING_RATIO),
            _exp("expect_column_values_to_be_between", WARNING,
                 f"a new load quarantines at most {QUARANTINE_WARNING_SHARE:.0%} of its rows",
                 column="quarantined_share", max_value=QUARANTINE_WARNING_SHARE),
            _exp("expect_column_values_to_be_in_set", WARNING,
                 "no landing file is still rejected (its latest version did not load)",
                 column="status", value_set=["loaded"]),
        ],
        "meta": {
            "stage": "raw",
            "batch": "volume",
            "row_id_columns": ["dataset", "file", "rows_loaded", "previous_median"],
            "generated_from": "src/plcqi/quality/raw_suites.py",
            "description": (
                "Row counts of each dataset's latest ingestion (its loads within an hour of its "
                "newest load) against the median of the previous loads, from the ingest log "
                "(volume judged for: " + ", ".join(VOLUME_DATASETS) + "; a load is compared "
                "with loads of the same layout, and a native meeting export, which holds one "
                "session, is not judged)."
            ),
        },
    }


def freshness_suite() -> dict:
    exps = []
    for source, days in FRESHNESS_MAX_AGE_DAYS.items():
        cond = _eq_condition("check", f"file:{source}")
        exps.append(_exp("expect_column_values_to_be_between", WARNING,
                         f"source {source} loaded a file in the last {days} days",
                         column="age_days", max_value=days, row_condition=cond))
        exps.append(_exp("expect_column_values_to_be_between", ERROR,
                         f"source {source} loaded a file in the last "
                         f"{days * FRESHNESS_ERROR_FACTOR} days",
                         column="age_days", max_value=days * FRESHNESS_ERROR_FACTOR,
                         row_condition=cond))
    for dataset, (column, days) in DATA_FRESHNESS.items():
        exps.append(_exp("expect_column_values_to_be_between", WARNING,
                         f"the newest {dataset}.{column} is at most {days} days old",
                         column="age_days", max_value=days,
                         row_condition=_eq_condition("check", f"data:{dataset}")))
    exps.append(_exp("expect_column_values_to_not_be_null", WARNING,
                     "every source has delivered at least once", column="newest_at"))
    return {
        "name": "raw.freshness",
        "expectations": exps,
        "meta": {
            "stage": "raw",
            "batch": "freshness",
            "row_id_columns": ["check", "newest_at"],
            "generated_from": "src/plcqi/quality/raw_suites.py",
            "description": (
                "Age in days, at the end of the as-of date (or now), of each source's newest "
                "loaded file and of each event dataset's newest timestamp."
            ),
        },
    }


def build_raw_suites() -> dict[str, dict]:
    """Suite file name -> suite, for every raw suite."""
    suites = {f"{suite_name(ds)[4:]}.json": dataset_suite(ds) for ds in contract.DATASETS}
    suites["volume.json"] = volume_suite()
    suites["freshness.json"] = freshness_suite()
    return suites


def render(suite: dict) -> str:
    return json.dumps(suite, indent=2) + "\n"


def write_raw_suites(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, suite in build_raw_suites().items():
        path = folder / name
        path.write_text(render(suite))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    from plcqi.quality.suites import expectations_dir

    for p in write_raw_suites(expectations_dir() / "raw"):
        print(p)
