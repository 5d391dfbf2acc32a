"""``plcqi report`` with the CLI runner: it parses arguments and calls plcqi.publish."""

from __future__ import annotations

from click.testing import CliRunner

from plcqi.cli.report import report_command
from plcqi.publish import render_index
from tests.fixtures import warehouse as fixtures


def test_report_all(tmp_path):
    fixtures.build(tmp_path)
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "5 page(s) as of 2026-06-30" in result.output
    for rel in ("index.html", "centers/C1/2026-06-30.html", "centers/C2/2026-06-30.html",
                "leadership/2026-06-30.html", "data-quality/2026-06-30.html"):
        assert (tmp_path / "reports" / rel).exists(), rel
    index = (tmp_path / "reports" / "index.html").read_text()
    assert 'href="centers/C1/2026-06-30.html"' in index and "No Data Docs yet" in index
    dq = (tmp_path / "reports" / "data-quality" / "2026-06-30.html").read_text()
    assert "no quality results yet" in dq


def test_report_one_center_and_data_docs_link(tmp_path):
    fixtures.build(tmp_path)
    (tmp_path / "reports" / "data-docs").mkdir(parents=True)
    (tmp_path / "reports" / "data-docs" / "index.html").write_text("<p>docs</p>")
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path), "--center", "C2",
                                                 "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "reports" / "centers" / "C1").exists()
    assert not (tmp_path / "reports" / "leadership").exists()
    c2 = (tmp_path / "reports" / "centers" / "C2" / "2026-06-30.html").read_text()
    assert 'href="../../data-docs/index.html"' in c2
    index = render_index(tmp_path).read_text()
    assert 'href="data-docs/index.html"' in index


def test_report_errors_are_clear(tmp_path):
    runner = CliRunner()
    result = runner.invoke(report_command, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "no warehouse" in result.output
    fixtures.build(tmp_path)
    result = runner.invoke(report_command, ["--data-dir", str(tmp_path), "--center", "NOPE"])
    assert result.exit_code == 1 and "no center NOPE" in result.output
    result = runner.invoke(report_command, ["--data-dir", str(tmp_path), "--as-of", "nope"])
    assert result.exit_code == 2 and "not a date" in result.output


def _store_result(data_dir, stage, as_of, findings):
    """A gate result as ``plcqi.quality.validate`` stores it."""
    from plcqi.quality import store
    from plcqi.quality.result import Finding, SuiteSummary, ValidationResult

    found = [Finding(**f) for f in findings]
    suites = {}
    for f in found:
        s = suites.setdefault(f.suite, SuiteSummary(f.suite, f.suite, 10, 0, 0, 0, 0))
        s.expectations += 1
        s.passed += f.success
        s.errors += not f.success and f.severity == "error"
        s.warnings += not f.success and f.severity == "warning"
    store.save(data_dir, ValidationResult(
        stage=stage, validated_at="2026-07-01T02:00:00+00:00", as_of=as_of,
        data_dir=str(data_dir), findings=found, suites=list(suites.values())))


RATE_ERROR = {
    "suite": "marts.rates", "expectation": "expect_column_values_to_be_between",
    "column": "value", "severity": "error", "success": False, "observed": [1.3],
    "unexpected_count": 1, "element_count": 40, "description": "rates within [0, 1]",
    "message": "marts.rates: expect_column_values_to_be_between on column 'value' failed: "
               "observed [1.3] in 1 of 40 rows (cohort_id=K9, metric=attendance_rate)",
}


def test_a_failed_gate_stops_publication_but_not_the_data_quality_page(tmp_path):
    fixtures.build(tmp_path)
    _store_result(tmp_path, "marts", "2026-06-30", [RATE_ERROR])
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "not publishing the reports as of 2026-06-30" in result.output
    assert "marts.rates: expect_column_values_to_be_between on column 'value' failed: " \
           "observed [1.3]" in result.output
    reports = tmp_path / "reports"
    assert not (reports / "centers" / "C1").exists() and not (reports / "leadership").exists()
    dq = (reports / "data-quality" / "2026-06-30.html").read_text()
    assert "1 gate error(s): publication stops" in dq and "cohort_id=K9" in dq
    assert 'href="data-quality/2026-06-30.html"' in (reports / "index.html").read_text()


def test_a_failed_gate_of_another_date_does_not_stop_publication(tmp_path):
    fixtures.build(tmp_path)
    _store_result(tmp_path, "marts", "2026-05-31", [RATE_ERROR])
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    c1 = (tmp_path / "reports" / "centers" / "C1" / "2026-06-30.html").read_text()
    assert "not validated for this as-of date: marts (validated as of 2026-05-31)" in c1


def test_warnings_show_in_every_report_without_other_centers_rows(tmp_path):
    fixtures.build(tmp_path)
    warning = {**RATE_ERROR, "severity": "warning"}
    polls = {"suite": "raw.polls", "expectation": "expect_column_values_to_be_between",
             "column": "response_value", "severity": "warning", "success": False,
             "message": "2 values outside 1-5 (ana@example.org)"}
    _store_result(tmp_path, "marts", "2026-06-30", [warning, {**warning, "success": True}])
    _store_result(tmp_path, "raw", "2026-06-30", [polls])
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    reports = tmp_path / "reports"
    dq = (reports / "data-quality" / "2026-06-30.html").read_text()
    assert "all gates passed, 2 warning(s)" in dq
    assert "2 values outside 1-5 ([email removed])" in dq
    assert "cohort_id=K9" in dq  # operators see the failing rows
    c1 = (reports / "centers" / "C1" / "2026-06-30.html").read_text()
    assert "all gates passed, 2 warning(s)" in c1
    assert "1 of 40 rows - expected: rates within [0, 1]" in c1
    assert "K9" not in c1  # a center report names no other center's cohort
