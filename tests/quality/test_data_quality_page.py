"""A run that stops still writes the data-quality page that says why: a failed raw gate
(``plcqi validate``, ``plcqi run``, the Airflow gate task), a failed dbt build (``plcqi
run``) and a warehouse the reports cannot read (``plcqi report``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from plcqi import paths, quality
from plcqi.publish import PublishError, layout, render_all

AS_OF = date(2024, 1, 31)


def dq_page(data_dir: Path, as_of: date = AS_OF) -> Path:
    return paths.reports_dir(data_dir) / layout.data_quality_page(as_of)


def _attendance_csv(rows: int, day: int) -> str:
    start = datetime(2024, 1, 15, 14, 0)
    lines = ["session_id,participant_id,email,join_time,leave_time"]
    for i in range(rows):
        join = start + timedelta(seconds=i + day * 1000)
        lines.append(
            f"S1,P00{1 + i % 4},,{join.isoformat()},{(join + timedelta(minutes=50)).isoformat()}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture
def failing_raw(ref_dir, write_csv) -> Path:
    """Four attendance exports of about a hundred rows, then one of eight: the raw gate's
    volume check refuses it, whatever the rows hold."""
    from plcqi.ingest.run import ingest

    for day, rows in enumerate([100, 110, 95, 105], start=1):
        write_csv(
            ref_dir / "landing" / "attendance" / f"2024-01-0{day}.csv", _attendance_csv(rows, day)
        )
    assert ingest(ref_dir, sources=["reference", "attendance"]).ok
    write_csv(ref_dir / "landing" / "attendance" / "2024-01-05.csv", _attendance_csv(8, 5))
    assert ingest(ref_dir, sources=["attendance"]).ok
    return ref_dir


def test_the_raw_gate_writes_the_page_before_the_airflow_task_fails(failing_raw, monkeypatch):
    """The Airflow gate task calls ``quality.validate`` as ``plcqi validate`` and ``plcqi
    run`` do: the page is written before the task raises."""
    from airflow.sdk.exceptions import AirflowFailException

    from plcqi.orchestration import tasks

    monkeypatch.setenv("PLCQI_DATA_DIR", str(failing_raw))
    assert not dq_page(failing_raw).exists()
    with pytest.raises(AirflowFailException, match="raw quality gate failed"):
        tasks.quality_gate("raw", AS_OF.isoformat())
    html = dq_page(failing_raw).read_text()
    assert "gate error(s): publication stops" in html
    assert "raw/raw.volume" in html and "volume_ratio" in html
    assert (paths.reports_dir(failing_raw) / "index.html").is_file()


def _result(data_dir: Path, ok: bool):
    from plcqi.quality import store
    from plcqi.quality.result import Finding, ValidationResult

    findings = (
        []
        if ok
        else [
            Finding(
                "raw.volume",
                "expect_column_values_to_be_between",
                "volume_ratio",
                "error",
                False,
                unexpected_count=1,
                element_count=5,
                description="volume like before",
            )
        ]
    )
    result = ValidationResult(
        stage="raw",
        validated_at="2024-02-01T00:00:00+00:00",
        as_of=AS_OF.isoformat(),
        data_dir=str(data_dir),
        findings=findings,
        suites=[],
        seconds=0.1,
    )
    store.save(data_dir, result)
    return result


def test_a_passing_gate_writes_no_page_but_refreshes_one_already_there(tmp_path):
    assert quality.explain(tmp_path, _result(tmp_path, ok=True)) is None
    assert not dq_page(tmp_path).exists()
    assert quality.explain(tmp_path, _result(tmp_path, ok=False)) == dq_page(tmp_path)
    assert "publication stops" in dq_page(tmp_path).read_text()
    assert quality.explain(tmp_path, _result(tmp_path, ok=True)) == dq_page(tmp_path)
    assert "publication stops" not in dq_page(tmp_path).read_text()
    assert "all gates passed" in dq_page(tmp_path).read_text()


# A dbt project of one model and one failing test: a real dbt build that fails in seconds.
PROJECT = {
    "dbt_project.yml": "name: plcqi\nversion: '1.0'\nprofile: plcqi\nconfig-version: 2\n"
    "model-paths: [models]\ntest-paths: [tests]\n",
    "models/only_model.sql": "select 1 as id\n",
    "tests/no_rows_expected.sql": "select * from {{ ref('only_model') }}\n",
}


@pytest.fixture
def failing_dbt(monkeypatch, tmp_path) -> Path:
    project = tmp_path / "dbt_project"
    for rel, text in PROJECT.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text)
    real = paths.dbt_project_dir() / "profiles.yml"
    (project / "profiles.yml").write_text(real.read_text())
    monkeypatch.setenv("PLCQI_DBT_PROJECT_DIR", str(project))
    return project


def test_plcqi_run_writes_the_page_when_the_gate_and_the_dbt_build_fail(failing_raw, failing_dbt):
    from plcqi.cli import main

    result = CliRunner().invoke(
        main, ["run", "--data-dir", str(failing_raw), "--as-of", AS_OF.isoformat()]
    )
    out = result.output + result.stderr
    assert result.exit_code == 1, out
    assert "dbt build (duckdb): failed; data-quality page: " in out
    assert "publish: skipped, the dbt build failed" in out
    assert "the run needs attention" in out and "no_rows_expected" in out
    html = dq_page(failing_raw).read_text()
    assert "dbt: the dbt build (duckdb) of " in html and "failed: 1 node(s) failed" in html
    assert "test no_rows_expected" in html
    assert "The run stopped" in html and "dbt build failed (failing nodes: " in html
    assert "publication stops" in html  # and the raw gate's failure beside it


def test_plcqi_report_writes_the_page_when_the_warehouse_cannot_be_read(tmp_path):
    _result(tmp_path, ok=True)
    with pytest.raises(PublishError, match="no warehouse") as e:
        render_all(tmp_path)
    assert f"Data-quality page: {dq_page(tmp_path)}" in str(e.value)
    html = dq_page(tmp_path).read_text()
    assert "all gates passed" in html
    assert "The run stopped" in html and "the reports: no warehouse at " in html
    assert (paths.reports_dir(tmp_path) / "index.html").is_file()
