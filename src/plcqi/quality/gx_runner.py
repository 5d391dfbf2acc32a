"""Running suites on DataFrames with Great Expectations 1.x (an ephemeral context: nothing is
written by GX itself; ``plcqi.quality.store`` keeps the results).

The only module that imports ``great_expectations``, lazily, with its logging, progress bars
and usage statistics turned off.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
import warnings
from datetime import date, datetime
from typing import Any

from plcqi import progress
from plcqi.quality.result import Finding, SuiteSummary

MAX_UNEXPECTED_ROWS = 20  # unexpected rows kept per failed expectation
_NATIVE_SEVERITY = {"error": "critical", "warning": "warning"}


def _quiet() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    for name in ("great_expectations", "great_expectations.core", "posthog", "tzlocal"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # GX's own regex metric warns about match groups in every pattern it is given.
    warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")


def context():
    """An ephemeral GX context: no files, no analytics, no progress bars."""
    _quiet()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    _quiet()
    return gx.get_context(mode="ephemeral", project_config=config)


def gx_suite(suite: dict):
    """A GX ``ExpectationSuite`` from our suite JSON (severity mirrored to GX's own field)."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    expectations = []
    for e in suite["expectations"]:
        config = ExpectationConfiguration(
            type=e["type"], kwargs=dict(e["kwargs"]), meta=dict(e.get("meta") or {}),
            description=e.get("description"),
        )
        exp = config.to_domain_obj()
        exp.severity = _NATIVE_SEVERITY[e["meta"]["severity"]]
        expectations.append(exp)
    return gx.ExpectationSuite(name=suite["name"], expectations=expectations,
                               meta={k: v for k, v in suite["meta"].items()})


def run_suites(
    suites: list[dict], frames: dict[str, Any], parameters: dict[str, Any]
) -> tuple[list[Finding], list[SuiteSummary]]:
    """Validate each suite on the frame of its ``meta.batch``; a missing frame (None) fails
    every expectation of the suite at its severity."""
    ctx = context()
    import great_expectations as gx

    source = ctx.data_sources.add_pandas("plcqi")
    findings: list[Finding] = []
    summaries: list[SuiteSummary] = []
    with progress.steps("validate", total=len(suites)) as step:
        for suite in suites:
            step(suite["name"])
            _run_one(ctx, gx, source, suite, frames, parameters, findings, summaries)
    return findings, summaries


def _run_one(ctx, gx, source, suite, frames, parameters, findings, summaries) -> None:
    t0 = time.perf_counter()
    batch = suite["meta"]["batch"]
    df = frames.get(batch)
    if df is None:
        found = [_missing(suite, e, batch) for e in suite["expectations"]]
        rows = 0
    else:
        asset = source.add_dataframe_asset(name=suite["name"])
        definition = asset.add_batch_definition_whole_dataframe("whole")
        gsuite = ctx.suites.add(gx_suite(suite))
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=suite["name"], data=definition, suite=gsuite)
        )
        # A batch read in parts (plcqi.quality.batches_raw.Parts) is validated part by part,
        # one part in memory at a time, and the parts' findings merged.
        parts = [df] if hasattr(df, "columns") else df
        del df
        per_part: list[list[Finding]] = []
        rows = 0
        for part in parts:
            part = nanosecond_times(part)
            ids = [c for c in suite["meta"].get("row_id_columns", []) if c in part.columns]
            result_format = {"result_format": "COMPLETE", "partial_unexpected_count": 5}
            if ids:
                result_format["unexpected_index_column_names"] = ids
            result = vd.run(batch_parameters={"dataframe": part},
                            expectation_parameters=parameters, result_format=result_format)
            per_part.append([_finding(suite, r) for r in result.results])
            rows += len(part)
            del part, result
        found = [merge(list(fs)) for fs in zip(*per_part, strict=True)]
    findings += found
    summaries.append(SuiteSummary(
        suite=suite["name"], batch=batch, rows=rows, expectations=len(found),
        passed=sum(f.success for f in found),
        errors=sum(not f.success and f.severity == "error" for f in found),
        warnings=sum(not f.success and f.severity == "warning" for f in found),
        seconds=round(time.perf_counter() - t0, 3),
    ))


def nanosecond_times(df):
    """``df`` with its date-time columns in nanoseconds: GX's pandas range expectations
    compare a ``datetime64[ns]`` column in one vectorised step and any other unit value by
    value (pandas 3 reads DuckDB's timestamps in microseconds). Values are unchanged.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": pd.Series(["2026-01-02 03:04:05"], dtype="datetime64[us]"),
    ...                    "n": [1]})
    >>> out = nanosecond_times(df)
    >>> str(out["t"].dtype), out["t"].iloc[0] == df["t"].iloc[0], out["n"].tolist()
    ('datetime64[ns]', True, [1])
    >>> nanosecond_times(out) is out
    True
    >>> far = pd.DataFrame({"t": pd.Series(["2300-01-01"], dtype="datetime64[us]")})
    >>> str(nanosecond_times(far)["t"].dtype)
    'datetime64[us]'
    """
    import numpy as np
    import pandas as pd

    changes = {}
    for name, dtype in df.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            unit = dtype.unit
        elif pd.api.types.is_datetime64_dtype(dtype):
            unit = np.datetime_data(dtype)[0]
        else:
            continue
        # a value past 2262 has no nanosecond form: that column is compared value by value
        if unit != "ns":
            with contextlib.suppress(OverflowError, ValueError):
                changes[name] = df[name].dt.as_unit("ns")
    return df.assign(**changes) if changes else df


def merge(parts: list[Finding]) -> Finding:
    """One expectation's finding over a batch from its findings over the batch's parts (in
    row order): what the whole batch in one DataFrame would have given.

    A table expectation sees the same columns in every part (the parts are read with the
    batch's columns): its first failed part, else its first. A column expectation adds up its
    counts; its observed values and unexpected rows are the first ones of the parts in order.
    A part that could not be evaluated makes the finding that part's.

    >>> a = Finding("s", "expect_column_values_to_not_be_null", "c", "error", True, [],
    ...             unexpected_count=0, element_count=3)
    >>> b = Finding("s", "expect_column_values_to_not_be_null", "c", "error", False, [None],
    ...             unexpected_count=1, element_count=2, unexpected_rows=[{"_row": 7}])
    >>> m = merge([a, b])
    >>> (m.success, m.unexpected_count, m.element_count, m.unexpected_rows)
    (False, 1, 5, [{'_row': 7}])
    >>> m.message.split(" failed: ")[1]
    'observed [None] in 1 of 5 rows (_row=7)'
    """
    if len(parts) == 1:
        return parts[0]
    if "unique" in parts[0].expectation:  # rows of different parts are not compared
        raise ValueError(f"{parts[0].suite}: {parts[0].expectation} cannot run in parts")
    broken = [f for f in parts if isinstance(f.observed, str)
              and f.observed.startswith("could not evaluate")]
    if broken:
        return broken[0]
    if parts[0].expectation.startswith("expect_table_"):
        return next((f for f in parts if not f.success), parts[0])
    first = parts[0]
    counts = [f.unexpected_count for f in parts]
    elements = [f.element_count for f in parts]
    f = Finding(
        suite=first.suite, expectation=first.expectation, column=first.column,
        severity=first.severity, success=all(p.success for p in parts),
        observed=[v for p in parts for v in (p.observed if isinstance(p.observed, list)
                                             else [p.observed])][:5],
        description=first.description, kwargs=first.kwargs,
        unexpected_count=None if None in counts else sum(counts),
        element_count=None if None in elements else sum(elements),
        unexpected_rows=[r for p in parts for r in p.unexpected_rows][:MAX_UNEXPECTED_ROWS],
    )
    f.message = message(f)
    return f


def _column(kwargs: dict) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return None


def _missing(suite: dict, e: dict, batch: str) -> Finding:
    f = Finding(
        suite=suite["name"], expectation=e["type"], column=_column(e["kwargs"]),
        severity=e["meta"]["severity"], success=False, observed=f"batch {batch} is missing",
        description=e.get("description") or "", kwargs=plain(e["kwargs"]),
    )
    f.message = (f"{f.suite}: {f.expectation} on column {f.column!r} could not run: "
                 f"batch {batch} is missing (table not built?)")
    return f


def _finding(suite: dict, r) -> Finding:
    config = r.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    meta = config.meta or {}
    result = r.result or {}
    column = _column(kwargs)
    f = Finding(
        suite=suite["name"], expectation=config.type, column=column,
        severity=meta.get("severity", "error"), success=bool(r.success),
        description=config.description or "", kwargs=plain(kwargs),
        unexpected_count=result.get("unexpected_count"),
        element_count=result.get("element_count"),
    )
    error = _exception_message(r.exception_info or {})
    if error:
        f.success = False
        f.observed = f"could not evaluate: {error}"
    elif "observed_value" in result:
        f.observed = plain(result["observed_value"])
        if isinstance(f.observed, dict) and "details" in result:
            f.observed = plain(result["details"])
    else:
        f.observed = plain(result.get("partial_unexpected_list", [])[:5])
    rows = result.get("unexpected_index_list") or []
    if not isinstance(rows, list):
        rows = []
    ids = suite["meta"].get("row_id_columns", [])
    f.unexpected_rows = [_ids_first(plain(x), ids) if isinstance(x, dict) else {"value": plain(x)}
                         for x in rows[:MAX_UNEXPECTED_ROWS]]
    if not f.unexpected_rows and not f.success and result.get("unexpected_list"):
        f.unexpected_rows = [{"value": plain(v)}
                             for v in result["unexpected_list"][:MAX_UNEXPECTED_ROWS]]
    f.message = message(f)
    return f


def _ids_first(row: dict, ids: list[str]) -> dict:
    """The row's identifying columns first, in the suite's order, then the checked ones."""
    return {**{k: row[k] for k in ids if k in row}, **row}


def _exception_message(info: dict) -> str | None:
    """GX reports an exception flat, or per metric when a metric failed to resolve."""
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def message(f: Finding) -> str:
    """``suite: expectation on column 'c' failed: observed X in n of N rows (ids) - why``."""
    state = "passed" if f.success else "failed"
    text = f"{f.suite}: {f.expectation}"
    if f.column:
        text += f" on column {f.column!r}"
    text += f" {state}: observed {_short(f.observed)}"
    if f.unexpected_count is not None and f.element_count is not None and not f.success:
        text += f" in {f.unexpected_count} of {f.element_count} rows"
    if f.unexpected_rows and not f.success:
        shown = "; ".join(
            ", ".join(f"{k}={_short(v)}" for k, v in row.items()) for row in f.unexpected_rows[:3]
        )
        more = len(f.unexpected_rows) - 3
        text += f" ({shown}{f'; +{more} more' if more > 0 else ''})"
    if f.description:
        text += f" - expected: {f.description}"
    return text


def _short(value: Any, limit: int = 120) -> str:
    s = value if isinstance(value, str) else repr(value)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def plain(value: Any) -> Any:
    """JSON-safe copy: numpy/pandas scalars to Python, timestamps to ISO text, NaN to None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):  # numpy's float64 too: made a plain float
        return None if math.isnan(value) else float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        try:
            return value.isoformat()
        except (TypeError, ValueError):
            return str(value)
    if hasattr(value, "item"):
        try:
            return plain(value.item())
        except (TypeError, ValueError):
            pass
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    return str(value)
