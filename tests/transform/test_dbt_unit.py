"""The dbt project's unit tests (``unit_tests:`` in the models' YAML) and its wiring.

The unit tests need no data: the raw zone holds only the empty schema files, the models are
built empty and every metric is checked against hand-computed fixtures.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from plcqi import paths, settings
from plcqi.ingest.contract import METRIC_KEYS
from plcqi.transform import build as transform

PROJECT = paths.dbt_project_dir()


def _yaml_files() -> list[Path]:
    return sorted((PROJECT / "models").rglob("*.yml"))


def _unit_tests() -> list[dict]:
    tests = []
    for path in _yaml_files():
        tests += (yaml.safe_load(path.read_text()) or {}).get("unit_tests") or []
    return tests


@pytest.fixture(scope="module")
def unit_run(tmp_path_factory) -> transform.TransformResult:
    return transform.run_unit_tests(tmp_path_factory.mktemp("dbt_unit"))


def test_every_dbt_unit_test_passes(unit_run):
    assert unit_run.success, unit_run.failed_nodes
    unit_nodes = [n for n in unit_run.nodes if n["resource_type"] == "unit_test"]
    assert len(unit_nodes) == len(_unit_tests()) >= 20
    assert {n["status"] for n in unit_nodes} == {"pass"}


def test_every_metric_has_a_unit_test_with_an_expected_value():
    """A metric definition without a unit test is not done (STYLE.md)."""
    expected = set()
    for test in _unit_tests():
        for row in test["expect"].get("rows") or []:
            if isinstance(row, dict) and "metric" in row:
                expected.add(row["metric"])
    assert set(METRIC_KEYS) <= expected, set(METRIC_KEYS) - expected


def test_the_phase_metric_list_is_the_contract_list():
    macro = (PROJECT / "macros" / "phase_metrics.sql").read_text()
    keys = re.findall(r"\{'metric': '(\w+)', 'phase_number': (\d)", macro)
    assert tuple(k for k, _ in keys) == METRIC_KEYS
    assert [int(p) for _, p in keys] == sorted(int(p) for _, p in keys)


def test_unit_test_names_fit_postgres_identifiers():
    # dbt names a relation after the unit test; Postgres truncates identifiers at 63 bytes.
    assert all(len(t["name"]) <= 50 for t in _unit_tests())


def test_dbt_args_point_outside_the_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("PLCQI_MIN_ATTENDED_MINUTES", "20")
    args = transform.dbt_args("build", tmp_path, as_of=date(2026, 6, 30), select="marts")
    assert args[0] == "build"
    assert args[args.index("--project-dir") + 1] == str(PROJECT)
    assert args[args.index("--target-path") + 1].startswith(str(tmp_path.resolve()))
    assert args[args.index("--log-path") + 1].startswith(str(tmp_path.resolve()))
    assert '"as_of_date": "2026-06-30"' in args[args.index("--vars") + 1]
    assert '"min_attended_minutes": 20' in args[args.index("--vars") + 1]
    assert args[-2:] == ["--select", "marts"]


def test_setting_vars_are_the_dbt_vars_with_the_same_defaults(monkeypatch):
    """Every setting passed as a dbt var has the settings table's default in dbt_project.yml
    (the TA planning calendar's 14 / 14 / 90 days among them), and the environment overrides
    it."""
    project_vars = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]
    for name in transform.SETTING_VARS:
        assert project_vars[name] == int(settings.setting(name).default), name
    assert {"plan_intermediate_target_days", "plan_final_target_days",
            "plan_stalled_days"} <= set(transform.SETTING_VARS)
    monkeypatch.setenv("PLCQI_PLAN_STALLED_DAYS", "60")
    monkeypatch.delenv("PLCQI_PLAN_FINAL_TARGET_DAYS", raising=False)
    assert transform.dbt_vars()["plan_stalled_days"] == 60
    assert "plan_final_target_days" not in transform.dbt_vars()


def test_project_dir_can_be_overridden(monkeypatch, tmp_path):
    monkeypatch.setenv("PLCQI_DBT_PROJECT_DIR", str(tmp_path))
    assert paths.dbt_project_dir() == tmp_path.resolve()


def test_unknown_target_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown dbt target"):
        transform.transform(tmp_path, target="sqlite")


def test_parse_writes_a_manifest(tmp_path):
    manifest = transform.parse(tmp_path)
    assert manifest.exists() and manifest.is_relative_to(tmp_path.resolve())
