"""A transform with nothing new keeps the warehouse as it is (``builds.fingerprint``): real dbt
builds of a private copy of the shared demo. Whatever changes what a build reads (a raw file,
the as-of date) builds again; a warehouse copied in, or changed since its build, is never
taken as up to date; the marts gate still runs on an unchanged warehouse."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from plcqi import paths
from plcqi.transform import build as transform
from plcqi.transform import builds
from tests.transform.rawfiles import commit_raw, session_row

pytestmark = pytest.mark.slow

AS_OF = date(2026, 6, 30)


def _identity(data_dir) -> tuple[int, int]:
    st = paths.warehouse(data_dir).stat()
    return st.st_ino, st.st_mtime_ns


def _run_results_mtime(data_dir) -> int:
    return (paths.dbt_target_dir(data_dir, "duckdb") / "run_results.json").stat().st_mtime_ns


def test_nothing_new_is_not_rebuilt_and_anything_new_is(demo_copy):
    data = demo_copy
    # The copied warehouse was not built here (another file): it is rebuilt.
    first = transform.transform(data, as_of=AS_OF)
    assert first.promoted and not first.up_to_date
    assert first.status_counts.get("success", 0) > 50
    built, dbt_ran = _identity(data), _run_results_mtime(data)

    again = transform.transform(data, as_of=AS_OF)
    assert again.up_to_date and not again.promoted
    assert again.warehouse == str(paths.warehouse(data))
    assert _identity(data) == built  # the same file, not replaced
    assert _run_results_mtime(data) == dbt_ran  # dbt did not run

    # The marts gate still runs on the unchanged warehouse, and can refuse it.
    seen = []
    gated = transform.transform(data, as_of=AS_OF, check=lambda p: seen.append(p) or False)
    assert gated.up_to_date and gated.check_passed is False
    assert seen == [paths.warehouse(data)]

    # Another as-of date is another build.
    day = AS_OF - timedelta(days=1)
    other_day = transform.transform(data, as_of=day)
    assert other_day.promoted and not other_day.up_to_date
    dbt_ran = _run_results_mtime(data)

    # A raw file committed earlier than the current one of its reference dataset changes
    # nothing the build reads (a reference file replaces the one before it).
    commit_raw(data, "reference/sessions", [session_row(60)], datetime(2000, 1, 1, tzinfo=UTC))
    assert transform.transform(data, as_of=day).up_to_date
    # A newer one is a new input: dbt runs on it.
    commit_raw(data, "reference/sessions", [session_row(60)], datetime.now(UTC))
    try:
        with_file = transform.transform(data, as_of=day)
        assert with_file.promoted and not with_file.up_to_date
    except transform.TransformError:
        pass  # the build ran and failed (the one session names no known cohort)
    assert _run_results_mtime(data) != dbt_ran


def test_a_warehouse_changed_since_its_build_is_not_up_to_date(demo_copy, tmp_path):
    data = demo_copy
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    made_of = builds.fingerprint(inputs, "duckdb", {"as_of_date": "2026-06-30"}, ())
    assert not builds.is_up_to_date(data, made_of)  # nothing recorded yet
    builds.record_fingerprint(data, made_of)
    assert builds.is_up_to_date(data, made_of)
    assert not builds.is_up_to_date(data, "0" * 64)
    # The file touched after the record (a plain `dbt build` by hand writes it in place).
    paths.warehouse(data).touch()
    assert not builds.is_up_to_date(data, made_of)


def test_publications_of_the_as_of_date_or_later_are_not_inputs(tmp_path):
    """Publishing the reports writes the as-of date's history: the next transform of that
    date is still up to date. A publication before the as-of date is an input (the headline
    changes compare with it)."""
    inputs = tmp_path / "inputs"
    (inputs / "history" / "_schema").mkdir(parents=True)
    (inputs / "history" / "_schema" / "rpt_headlines.parquet").write_bytes(b"x")
    run_vars = {"as_of_date": "2026-06-30"}

    def made_of() -> str:
        return builds.fingerprint(inputs, "duckdb", run_vars, ())

    before = made_of()
    for day in ("2026-06-30", "2026-07-31"):
        (inputs / "history" / day).mkdir()
        (inputs / "history" / day / "rpt_headlines.parquet").write_bytes(b"published")
    assert made_of() == before
    (inputs / "history" / "2026-05-31").mkdir()
    (inputs / "history" / "2026-05-31" / "rpt_headlines.parquet").write_bytes(b"earlier")
    assert made_of() != before
    # The zero-row schema file is read whatever the date.
    earlier = made_of()
    (inputs / "history" / "_schema" / "rpt_headlines.parquet").write_bytes(b"xy")
    assert made_of() != earlier
