"""``plcqi report`` with the CLI runner: it parses arguments and calls plcqi.publish."""

from __future__ import annotations

from click.testing import CliRunner

from plcqi.cli_report import report_command
from plcqi.publish import fixtures, render_index


def test_report_all(tmp_path):
    fixtures.build(tmp_path)
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "5 page(s) as of 2026-06-30" in result.output
    for rel in ("index.html", "C1/2026-06-30.html", "C2/2026-06-30.html",
                "leadership/2026-06-30.html", "data-quality/2026-06-30.html"):
        assert (tmp_path / "reports" / rel).exists(), rel
    index = (tmp_path / "reports" / "index.html").read_text()
    assert 'href="C1/2026-06-30.html"' in index and "No Data Docs yet" in index
    dq = (tmp_path / "reports" / "data-quality" / "2026-06-30.html").read_text()
    assert "no quality results yet" in dq


def test_report_one_center_and_data_docs_link(tmp_path):
    fixtures.build(tmp_path)
    (tmp_path / "reports" / "data-docs").mkdir(parents=True)
    (tmp_path / "reports" / "data-docs" / "index.html").write_text("<p>docs</p>")
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path), "--center", "C2",
                                                 "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "reports" / "C1").exists()
    assert not (tmp_path / "reports" / "leadership").exists()
    c2 = (tmp_path / "reports" / "C2" / "2026-06-30.html").read_text()
    assert 'href="../data-docs/index.html"' in c2
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


def test_quality_results_are_read_when_present(tmp_path):
    import json
    fixtures.build(tmp_path)
    (tmp_path / "quality").mkdir()
    (tmp_path / "quality" / "latest.json").write_text(json.dumps({
        "success": False, "run_at": "2026-06-30T01:00:00",
        "suites": [{"suite": "raw_attendance", "success": False, "expectations": [
            {"expectation": "expect_column_values_to_not_be_null", "column": "session_id",
             "success": False, "message": "3 nulls"},
            {"expectation": "expect_table_row_count_to_be_between", "success": True,
             "severity": "warning", "message": "volume low"}]}],
    }))
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    dq = (tmp_path / "reports" / "data-quality" / "2026-06-30.html").read_text()
    assert "a quality gate failed" in dq and "expect_column_values_to_not_be_null" in dq
    assert "volume low" in dq


def test_plcqi_quality_results_are_shown(tmp_path):
    import json
    fixtures.build(tmp_path)
    (tmp_path / "quality").mkdir()
    finding = {"suite": "raw_polls", "expectation": "expect_column_values_to_be_between",
               "column": "response_value", "severity": "warning", "success": False,
               "message": "2 values outside 1-5 (ana@example.org)"}
    (tmp_path / "quality" / "latest.json").write_text(json.dumps({
        "raw": {"stage": "raw", "validated_at": "2026-06-30T02:00:00+00:00",
                "findings": [finding, {**finding, "success": True, "message": "ok"}],
                "suites": [{"suite": "raw_polls", "batch": "polls", "rows": 10,
                            "expectations": 4, "passed": 3, "errors": 0, "warnings": 1}]},
    }))
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    dq = (tmp_path / "reports" / "data-quality" / "2026-06-30.html").read_text()
    assert "all gates passed, 1 warning(s)" in dq
    assert "2 values outside 1-5 ([email removed])" in dq
