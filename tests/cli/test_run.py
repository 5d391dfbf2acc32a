"""``plcqi run`` through the CLI runner: the whole pipeline on generated data, its output and
its exit status."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from plcqi import paths
from plcqi.cli import main
from plcqi.generate import generate
from tests.helpers import write_csv

pytestmark = pytest.mark.slow
AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    d = tmp_path_factory.mktemp("run")
    generate(d, seed=5, scale=0.3, as_of=AS_OF)
    return d


def test_run_ingests_builds_validates_and_publishes(landing, pii_secret):
    result = CliRunner().invoke(main, ["run", "--data-dir", str(landing), "--as-of", "2026-06-30"])
    out = result.output
    assert result.exit_code == 0, out
    for line in ("ingest: ", "quality (raw): ", "dbt build (duckdb): ", "quality (marts): "):
        assert line in out, line
    assert "error" not in out.split("dbt build (duckdb): ")[1].splitlines()[0]
    index = paths.reports_dir(landing) / "index.html"
    assert f"reports: {index}" in out and index.is_file()
    # the summary table names every center of the reference data
    centers = (landing / "landing" / "reference" / "centers.csv").read_text().splitlines()[1:]
    for row in centers:
        assert row.split(",")[0] in out
    assert f"warehouse: {paths.warehouse(landing)}" in out


def test_a_rejected_file_fails_the_run_after_everything_else(landing, pii_secret):
    write_csv(landing / "landing" / "polls" / "zz-broken.csv", "nothing,useful\n1,2\n")
    result = CliRunner().invoke(main, ["run", "--data-dir", str(landing), "--as-of", "2026-06-30"])
    assert result.exit_code == 1, result.output
    assert "the run needs attention" in result.output
    assert "polls/zz-broken.csv: missing required column" in result.output
    # a rejected file stops nothing else: the reports were still published
    assert "reports: " in result.output


def test_a_bad_date_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["run", "--data-dir", str(tmp_path), "--as-of", "30/06"])
    assert result.exit_code == 2
    assert "'30/06' is not a date (YYYY-MM-DD)" in result.output
