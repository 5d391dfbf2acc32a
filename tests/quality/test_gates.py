"""The data quality gates on real files: generated data passes, broken batches fail with a
message naming suite, expectation, column and observed value."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, datetime, timedelta

import duckdb
import pytest
from click.testing import CliRunner

from plcqi import quality
from plcqi.ingest import contract
from plcqi.quality import docs, raw_suites, store
from plcqi.quality.result import Finding, SuiteSummary, ValidationResult
from plcqi.quality.suites import expectations_dir, load_suites

AS_OF = date(2026, 6, 30)


def _messages(findings) -> str:
    return "\n".join(f.message for f in findings)


# --- the suites themselves --------------------------------------------------------------


def test_raw_suites_are_derived_from_the_contract():
    folder = expectations_dir() / "raw"
    built = raw_suites.build_raw_suites()
    assert sorted(p.name for p in folder.glob("*.json")) == sorted(built)
    for name, suite in built.items():
        assert (folder / name).read_text() == raw_suites.render(suite), (
            f"expectations/raw/{name} is stale: run python -m plcqi.quality.raw_suites"
        )


def test_every_expectation_has_a_severity():
    for stage in quality.STAGES:
        for suite in load_suites(stage):
            for e in suite["expectations"]:
                assert e["meta"]["severity"] in ("error", "warning"), (suite["name"], e)


def test_phase_metric_groups_cover_every_contract_metric_once():
    (suite,) = [s for s in load_suites("marts") if s["name"] == "marts.fct_phase_metrics"]
    groups = suite["meta"]["metric_groups"]
    listed = [m for metrics in groups.values() for m in metrics]
    assert sorted(listed) == sorted(contract.METRIC_KEYS)


def test_importing_quality_does_not_import_great_expectations():
    code = (
        "import sys, plcqi.quality, plcqi.cli.validate; "
        "print('great_expectations' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- generated data passes ---------------------------------------------------------------


def test_generated_data_passes_both_stages(demo_copy):
    raw = quality.validate(demo_copy, "raw", AS_OF)
    assert raw.ok, _messages(raw.errors)
    # The generator's seasonal lows may come near the 20% volume warning, never the error.
    assert not [f for f in raw.warnings if f.suite != "raw.volume"], _messages(raw.warnings)
    marts = quality.validate(demo_copy, "marts", AS_OF)
    assert marts.ok, _messages(marts.errors)
    assert not marts.warnings, _messages(marts.warnings)
    names = {s.suite for s in raw.suites + marts.suites}
    assert {"raw.attendance", "raw.volume", "raw.freshness", "marts.fct_followup_uptake",
            "marts.agg_uptake_trend", "marts.fct_phase_metrics",
            "marts.personal_data"} <= names
    assert all(s.expectations > 0 for s in raw.suites + marts.suites)

    latest = json.loads((demo_copy / "quality" / "latest.json").read_text())
    assert set(latest) == {"raw", "marts"} and latest["marts"]["ok"] is True
    assert len(list((demo_copy / "quality" / "results" / "raw").glob("*.json"))) == 1
    rows = marts.summary_for_reports()
    assert {r["status"] for r in rows} == {"passed"}
    assert {"stage", "suite", "status", "errors", "warnings", "messages"} <= set(rows[0])


# --- broken batches fail -----------------------------------------------------------------


def _attendance_csv(rows: int, day: int) -> str:
    start = datetime(2024, 1, 15, 14, 0)
    lines = ["session_id,participant_id,email,join_time,leave_time"]
    for i in range(rows):
        join = start + timedelta(seconds=i + day * 1000)
        lines.append(f"S1,P00{1 + i % 4},,{join.isoformat()},"
                     f"{(join + timedelta(minutes=50)).isoformat()}")
    return "\n".join(lines) + "\n"


def test_attendance_export_90_percent_short_fails_volume(ref_dir, write_csv):
    from plcqi.ingest.run import ingest

    for day, rows in enumerate([100, 110, 95, 105], start=1):
        write_csv(ref_dir / "landing" / "attendance" / f"2024-01-0{day}.csv",
                  _attendance_csv(rows, day))
    assert ingest(ref_dir, sources=["reference", "attendance"]).ok
    write_csv(ref_dir / "landing" / "attendance" / "2024-01-05.csv", _attendance_csv(8, 5))
    assert ingest(ref_dir, sources=["attendance"]).ok

    result = quality.validate(ref_dir, "raw", date(2024, 1, 31))
    assert not result.ok
    (error,) = [f for f in result.errors if f.suite == "raw.volume"]
    assert error.expectation == "expect_column_values_to_be_between"
    assert error.column == "volume_ratio"
    assert error.observed == [0.078]  # 8 rows vs the median 102.5 of the previous loads
    assert "attendance/2024-01-05.csv" in error.message
    assert error.message.startswith(
        "raw.volume: expect_column_values_to_be_between on column 'volume_ratio' failed: "
        "observed [0.078] in 1 of "
    )
    assert "file=attendance/2024-01-05.csv, rows_loaded=8, previous_median=102.5" in error.message
    assert error.unexpected_rows[0]["file"] == "attendance/2024-01-05.csv"


def test_rate_above_one_in_a_mart_fails(demo_copy):
    con = duckdb.connect(str(demo_copy / "warehouse" / "plcqi.duckdb"))
    con.execute(
        "update marts.fct_phase_metrics set value = 1.3 "
        "where metric = 'attendance_rate' and cohort_id = "
        "(select min(cohort_id) from marts.fct_phase_metrics)"
    )
    cohort = con.execute("select min(cohort_id) from marts.fct_phase_metrics").fetchone()[0]
    con.close()

    result = quality.validate(demo_copy, "marts", AS_OF)
    assert not result.ok
    rate_errors = [f for f in result.errors if f.description.startswith("proportion metrics")]
    assert len(rate_errors) == 1
    msg = rate_errors[0].message
    assert msg.startswith(
        "marts.fct_phase_metrics: expect_column_values_to_be_between on column 'value' "
        "failed: observed [1.3] in 1 of "
    )
    assert f"cohort_id={cohort}, metric=attendance_rate" in msg


def test_duplicate_key_in_a_mart_fails(demo_copy):
    con = duckdb.connect(str(demo_copy / "warehouse" / "plcqi.duckdb"))
    con.execute("insert into marts.dim_grantees select * from marts.dim_grantees "
                "order by grantee_id limit 1")
    grantee = con.execute("select min(grantee_id) from marts.dim_grantees").fetchone()[0]
    con.close()

    result = quality.validate(demo_copy, "marts", AS_OF)
    (error,) = result.errors
    assert error.suite == "marts.dim_grantees"
    assert error.expectation == "expect_column_values_to_be_unique"
    assert error.column == "grantee_id"
    assert error.observed == [grantee, grantee]
    assert f"grantee_id={grantee}" in error.message


MART_BREAKS = {
    # what breaks: (SQL on one row of the built warehouse, suite, expectation, column)
    "window not 182 days after the cohort's end": (
        "update marts.fct_followup_uptake set window_end_on = window_end_on + 1 "
        "where rowid = (select min(rowid) from marts.fct_followup_uptake "
        "where window_end_on is not null)",
        "marts.fct_followup_uptake", "expect_column_values_to_be_between",
        "check_window_days"),
    "numerator above its denominator": (
        "update marts.fct_phase_metrics set numerator = denominator + 1, value = null "
        "where rowid = (select min(rowid) from marts.fct_phase_metrics "
        "where metric = 'registration_rate' and denominator > 0)",
        "marts.fct_phase_metrics", "expect_column_pair_values_a_to_be_greater_than_b",
        "denominator"),
    "an open window counted in the trend": (
        "update marts.agg_uptake_trend set participating_grantee_cohorts = "
        "participating_grantee_cohorts + 1 where rowid = (select min(rowid) from "
        "marts.agg_uptake_trend where quarter_start_on is not null)",
        "marts.agg_uptake_trend", "expect_column_pair_values_to_be_equal",
        "participating_grantee_cohorts"),
}


@pytest.mark.parametrize("broken", sorted(MART_BREAKS))
def test_broken_mart_logic_fails_naming_the_check(demo_copy, broken):
    sql, suite, expectation, col = MART_BREAKS[broken]
    con = duckdb.connect(str(demo_copy / "warehouse" / "plcqi.duckdb"))
    con.execute(sql)
    con.close()
    result = quality.validate(demo_copy, "marts", AS_OF)
    assert not result.ok
    hits = [f for f in result.errors if (f.suite, f.expectation) == (suite, expectation)
            and col in (f.column or "")]
    assert len(hits) == 1, _messages(result.errors)
    assert hits[0].unexpected_count == 1
    assert hits[0].message.startswith(f"{suite}: {expectation} on column ")
    assert " failed: observed " in hits[0].message and " in 1 of " in hits[0].message


def test_attendance_from_the_future_fails(ref_dir, write_csv):
    """Hours after the load: plausible for ingestion (INPUTS.md 1.1 quarantines only times more
    than a day after it), so loaded, and the raw gate's error."""
    from datetime import UTC, datetime, timedelta

    from plcqi.ingest.run import ingest

    soon = (datetime.now(UTC) + timedelta(hours=6)).replace(tzinfo=None, microsecond=0)
    join, leave = soon.isoformat(), (soon + timedelta(hours=1)).isoformat()
    write_csv(ref_dir / "landing" / "attendance" / "future.csv",
              "session_id,participant_id,email,join_time,leave_time\n"
              "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
              f"S1,P002,,{join},{leave}\n")
    assert ingest(ref_dir, sources=["reference", "attendance"]).ok
    result = quality.validate(ref_dir, "raw", date(2024, 1, 31))
    future = [f for f in result.errors if f.suite == "raw.attendance"
              and f.expectation == "expect_column_pair_values_a_to_be_greater_than_b"]
    assert {f.kwargs["column_B"] for f in future} == {"join_time", "leave_time"}
    assert all(f.unexpected_count == 1 for f in future)
    assert join in next(f.message for f in future if f.kwargs["column_B"] == "join_time")


def test_a_rejected_landing_file_warns_until_it_is_fixed_or_removed(ref_dir, write_csv):
    from plcqi.ingest.run import ingest

    bad = write_csv(ref_dir / "landing" / "attendance" / "bad.csv", "session_id\nS1\n")
    assert not ingest(ref_dir, sources=["reference", "attendance"]).ok

    def still_rejected():
        result = quality.validate(ref_dir, "raw", date(2024, 1, 31))
        return [r["file"] for f in result.warnings if f.column == "status"
                for r in f.unexpected_rows]

    assert still_rejected() == ["attendance/bad.csv"]
    bad.unlink()
    assert still_rejected() == []


def test_stale_sources_fail_freshness(demo_copy):
    result = quality.validate(demo_copy, "raw", date.today() + timedelta(days=5 * 365))
    assert not result.ok
    stale = [f for f in result.errors if f.suite == "raw.freshness"]
    assert {r["check"] for f in stale for r in f.unexpected_rows} == {
        f"file:{s}" for s in contract.SOURCES
    }
    attendance = next(f for f in stale if "source attendance" in f.description)
    assert "on column 'age_days' failed" in attendance.message
    assert "check=file:attendance" in attendance.message


def test_a_warning_does_not_fail_the_gate(demo_copy):
    # 60 days on: attendance and the tracker are past their 45-day freshness (a warning),
    # nowhere near three times that (an error).
    result = quality.validate(demo_copy, "raw", date.today() + timedelta(days=60))
    assert result.ok, _messages(result.errors)
    warned = {r["check"] for f in result.warnings for r in f.unexpected_rows}
    assert {"file:attendance", "file:ta_requests"} <= warned
    rows = {r["suite"]: r for r in result.summary_for_reports()}
    assert rows["raw.freshness"]["status"] == "warning"
    assert rows["raw.freshness"]["messages"][0].startswith("warning: raw.freshness")


def test_missing_mart_table_is_an_error(demo_copy):
    con = duckdb.connect(str(demo_copy / "warehouse" / "plcqi.duckdb"))
    con.execute("drop table marts.agg_uptake_trend")
    con.close()
    result = quality.validate(demo_copy, "marts", AS_OF)
    assert not result.ok
    assert all(f.suite == "marts.agg_uptake_trend" for f in result.errors)
    assert "batch table:agg_uptake_trend is missing" in result.errors[0].message


def test_personal_data_column_in_a_mart_fails(demo_copy):
    con = duckdb.connect(str(demo_copy / "warehouse" / "plcqi.duckdb"))
    con.execute("alter table marts.dim_grantees add column contact_email varchar")
    con.close()
    result = quality.validate(demo_copy, "marts", AS_OF)
    (error,) = result.errors
    assert error.suite == "marts.personal_data"
    assert "table_name=dim_grantees, column_name=contact_email" in error.message


# --- Data Docs and the command -----------------------------------------------------------


def test_data_docs_open_offline(demo_copy):
    quality.validate(demo_copy, "marts", AS_OF)
    index = demo_copy / "reports" / "data-docs" / "index.html"
    html = index.read_text()
    assert "marts.fct_phase_metrics" in html
    assert not re.search(r"https?://", html), "Data Docs must not reference the network"
    assert "<script" not in html and "<link" not in html


def test_data_docs_escape_what_they_show(tmp_path):
    payload = "<script>alert(1)</script>"
    finding = Finding(suite="raw.x", expectation="expect_x", column=payload, severity="error",
                      success=False, observed=payload, message=payload,
                      unexpected_rows=[{"value": payload}])
    result = ValidationResult(stage="raw", validated_at="2026-06-30T00:00:00+00:00",
                              as_of=None, data_dir=str(tmp_path), findings=[finding],
                              suites=[SuiteSummary("raw.x", "dataset:x", 1, 1, 0, 1, 0)])
    store.save(tmp_path, result)
    html = docs.publish(tmp_path).read_text()
    assert payload not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_validate_command(demo_copy):
    from plcqi.cli.validate import validate_command

    runner = CliRunner()
    ok = runner.invoke(validate_command, ["--data-dir", str(demo_copy), "--stage", "marts"])
    assert ok.exit_code == 0, ok.output
    assert "marts: passed" in ok.output and "Data Docs:" in ok.output

    con = duckdb.connect(str(demo_copy / "warehouse" / "plcqi.duckdb"))
    con.execute("update marts.agg_uptake_trend set took_up_related_rate = 1.3 "
                "where took_up_related_rate is not null")
    con.close()
    bad = runner.invoke(validate_command, ["--data-dir", str(demo_copy), "--stage", "marts"])
    assert bad.exit_code == 1
    assert "ERROR   marts.agg_uptake_trend: expect_column_values_to_be_between on column " \
           "'took_up_related_rate' failed: observed [1.3" in bad.output


# --- only what no passing gate validated is validated again ------------------------------


def _future_rows_csv(day: int) -> str:
    """Two attendance rows of 15 January 2024, the second one joined six hours from now (loaded,
    and the raw gate's error: a timestamp after its load)."""
    from datetime import UTC

    soon = (datetime.now(UTC) + timedelta(hours=6)).replace(tzinfo=None, microsecond=0)
    return ("session_id,participant_id,email,join_time,leave_time\n"
            f"S1,P001,,2024-01-{day:02d}T14:00:00,2024-01-{day:02d}T15:00:00\n"
            f"S1,P002,,{soon.isoformat()},{(soon + timedelta(hours=1)).isoformat()}\n")


def _raw_file(data_dir, landing_file: str):
    from plcqi.ingest.rawzone import Zone

    (record,) = [r for r in Zone(data_dir).current_records("attendance")
                 if r.file == landing_file]
    return data_dir / record.raw_file


def _null_session(raw_file, row: int) -> None:
    """Rewrite a raw file with one row's required session_id missing."""
    tmp = raw_file.with_suffix(".tmp")
    duckdb.sql(
        f"copy (select * replace (case when _row = {row} then null else session_id end "
        f"as session_id) from read_parquet('{raw_file}')) to '{tmp}' (format parquet)"
    )
    tmp.replace(raw_file)


def _attendance(result):
    (summary,) = [s for s in result.suites if s.suite == "raw.attendance"]
    errors = [f for f in result.errors if f.suite == "raw.attendance"]
    return summary.rows, errors


def test_a_second_raw_gate_validates_only_the_new_files(ref_dir, write_csv):
    from plcqi.ingest.run import ingest

    for day in (1, 2):
        write_csv(ref_dir / "landing" / "attendance" / f"2024-01-0{day}.csv",
                  _attendance_csv(10, day))
    assert ingest(ref_dir, sources=["reference", "attendance"]).ok
    first = quality.validate(ref_dir, "raw", AS_OF)
    assert first.ok, _messages(first.errors)
    assert _attendance(first) == (20, [])

    # A bad row in a file the passing gate validated is not read again...
    _null_session(_raw_file(ref_dir, "attendance/2024-01-01.csv"), row=3)
    # ...a bad row in a new file is.
    write_csv(ref_dir / "landing" / "attendance" / "2024-01-03.csv", _future_rows_csv(3))
    assert ingest(ref_dir, sources=["attendance"]).ok
    second = quality.validate(ref_dir, "raw", AS_OF)
    rows, errors = _attendance(second)
    assert rows == 2
    assert {(f.column, r["_file"], r["_row"]) for f in errors for r in f.unexpected_rows} == {
        ("_loaded_at, join_time", "attendance/2024-01-03.csv", 2),
        ("_loaded_at, leave_time", "attendance/2024-01-03.csv", 2),
    }
    assert all(f.unexpected_count == 1 and f.element_count == 2 for f in errors)
    assert "_file=attendance/2024-01-03.csv, _row=2" in errors[0].message
    # The reference snapshot the first gate validated is not read again either.
    centers = [(s.rows > 0, s.expectations > 0) for r in (first, second) for s in r.suites
               if s.suite == "raw.reference__centers"]
    assert centers == [(True, True), (False, True)]

    # The failed gate recorded nothing: its files are checked again, with the same findings.
    third = quality.validate(ref_dir, "raw", AS_OF)
    assert _attendance(third)[0] == 2
    assert _messages(_attendance(third)[1]) == _messages(errors)

    # Without the record of what passed, every file is validated: the tampered row shows.
    store.covered_path(ref_dir).unlink()
    full = quality.validate(ref_dir, "raw", AS_OF)
    rows, errors = _attendance(full)
    assert rows == 22
    nulls = [f for f in errors if f.expectation == "expect_column_values_to_not_be_null"]
    assert [(f.column, f.unexpected_rows) for f in nulls] == [
        ("session_id", [{"_file": "attendance/2024-01-01.csv", "_row": 3, "session_id": None}])
    ]


def test_a_validated_file_is_checked_again_for_an_earlier_as_of_date(ref_dir, write_csv):
    """The as-of warning depends on the run: a covered file with a timestamp after this run's
    as-of date is read again."""
    from plcqi.ingest.run import ingest

    write_csv(ref_dir / "landing" / "attendance" / "2024-01-01.csv", _attendance_csv(10, 1))
    assert ingest(ref_dir, sources=["reference", "attendance"]).ok
    assert quality.validate(ref_dir, "raw", AS_OF).ok
    again = quality.validate(ref_dir, "raw", AS_OF)
    assert _attendance(again) == (0, [])
    earlier = quality.validate(ref_dir, "raw", date(2024, 1, 10))
    assert _attendance(earlier)[0] == 10
    late = [f for f in earlier.warnings if f.suite == "raw.attendance"]
    assert {f.column for f in late} == {"join_time", "leave_time"}
    assert all(f.unexpected_count == 10 for f in late)


def test_a_changed_suite_validates_every_file_again(ref_dir, write_csv, tmp_path, monkeypatch):
    import shutil

    from plcqi.ingest.run import ingest

    write_csv(ref_dir / "landing" / "attendance" / "2024-01-01.csv", _attendance_csv(10, 1))
    assert ingest(ref_dir, sources=["reference", "attendance"]).ok
    assert quality.validate(ref_dir, "raw", AS_OF).ok
    folder = tmp_path / "expectations"
    shutil.copytree(expectations_dir(), folder)
    suite_file = folder / "raw" / "attendance.json"
    suite = json.loads(suite_file.read_text())
    suite["expectations"] = suite["expectations"][:-1]
    suite_file.write_text(json.dumps(suite))
    monkeypatch.setenv("PLCQI_EXPECTATIONS_DIR", str(folder))
    assert _attendance(quality.validate(ref_dir, "raw", AS_OF))[0] == 10


def test_a_batch_read_in_parts_gives_the_findings_of_the_whole(ref_dir, write_csv, tmp_path,
                                                               monkeypatch):
    """The first run over a long history reads it in parts of PART_ROWS rows: the findings
    (counts, observed values, the rows named) are those of one DataFrame of every file."""
    import shutil

    from plcqi.ingest.run import ingest
    from plcqi.quality import batches_raw

    for day in range(1, 6):
        body = _future_rows_csv(day) if day in (2, 4) else _attendance_csv(3, day)
        write_csv(ref_dir / "landing" / "attendance" / f"2024-01-0{day}.csv", body)
    assert ingest(ref_dir, sources=["reference", "attendance"]).ok
    copy = tmp_path / "parts"
    shutil.copytree(ref_dir, copy)

    whole = quality.validate(ref_dir, "raw", AS_OF)
    monkeypatch.setattr(batches_raw, "PART_ROWS", 1)
    parts = quality.validate(copy, "raw", AS_OF)

    def attendance(result):
        return [f for f in result.to_dict()["findings"] if f["suite"] == "raw.attendance"]

    assert attendance(parts) == attendance(whole)
    rows, errors = _attendance(parts)
    assert rows == 13
    assert {r["_file"] for f in errors for r in f.unexpected_rows} == {
        "attendance/2024-01-02.csv", "attendance/2024-01-04.csv"}
    assert all(f.unexpected_count == 2 and f.element_count == 13 for f in errors)
    assert all(" in 2 of 13 rows " in f.message for f in errors)
