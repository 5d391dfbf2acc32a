"""DAG integrity: the DAG files import fast, without errors and without touching a database
or the network, and declare what docs/airflow.md says (owners, tags, retries, schedules,
Assets, pools, queues).

Airflow reads its configuration when first imported, so the DagBag is built in a fresh
subprocess with AIRFLOW_HOME in a temporary folder; it prints what the tests check as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.helpers import REPO

DAGS = REPO / "dags"
IMPORT_BUDGET_S = 5.0
INGEST_SOURCES = ("reference", "ta_requests", "ta_requests_db", "attendance", "polls", "surveys")


def airflow_env(root: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    """The embedded Airflow's environment (as scripts/airflow-env) in ``root``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{root / 'airflow' / 'airflow.db'}",
        "PLCQI_DATA_DIR": str(data_dir),
        "PLCQI_DBT_MANIFEST": str(data_dir / "dbt" / "target" / "duckdb" / "manifest.json"),
        "PLCQI_WAREHOUSE_TARGET": "duckdb",
        "DO_NOT_TRACK": "1",
        "SCARF_ANALYTICS": "false",
    })
    env.update(extra)
    (root / "airflow").mkdir(parents=True, exist_ok=True)
    return env


@pytest.fixture(scope="module")
def parse_env(tmp_path_factory) -> dict[str, str]:
    """A data dir with only the dbt manifest (built by the setup step, as in production)."""
    root = tmp_path_factory.mktemp("dags")
    env = airflow_env(root, root / "data")
    subprocess.run([sys.executable, "-m", "plcqi.orchestration.setup"], env=env, cwd=REPO,
                   check=True, capture_output=True, timeout=300)
    return env


PARSE = """
import json, socket, sys, time
from pathlib import Path
from airflow.dag_processing.dagbag import DagBag

class Forbidden(RuntimeError):
    pass

def forbid(what):
    def refuse(*args, **kwargs):
        raise Forbidden(f"{what} at DAG parse time")
    return refuse

# Nothing at parse time may open a connection: sockets, Postgres, DuckDB, Airflow
# Variables or Connections (which would go to the metadata DB or a secrets backend).
socket.socket.connect = forbid("socket connect")
socket.create_connection = forbid("socket connection")
import duckdb, psycopg, psycopg2
duckdb.connect = forbid("duckdb.connect")
psycopg.connect = forbid("psycopg.connect")
psycopg2.connect = forbid("psycopg2.connect")
from airflow.sdk import BaseHook, Connection, Variable
Variable.get = forbid("Variable.get")
Connection.get = forbid("Connection.get")
BaseHook.get_connection = forbid("BaseHook.get_connection")

def asset_names(condition):
    if condition is None:
        return []
    if hasattr(condition, "objects"):
        return sorted(n for o in condition.objects for n in asset_names(o))
    return [condition.name]

out = {"files": {}, "errors": {}, "dags": {}}
for path in sorted(Path(sys.argv[1]).glob("*.py")):
    started = time.perf_counter()
    bag = DagBag(dag_folder=str(path))
    out["files"][path.name] = time.perf_counter() - started
    out["errors"].update(bag.import_errors)
    for dag in bag.dags.values():
        tasks = []
        for t in dag.tasks:
            tasks.append({
                "task_id": t.task_id,
                "owner": t.owner,
                "retries": t.retries,
                "retry_exponential_backoff": t.retry_exponential_backoff,
                "execution_timeout": t.execution_timeout.total_seconds()
                    if t.execution_timeout else None,
                "on_failure_callback": bool(t.on_failure_callback),
                "pool": t.pool,
                "queue": t.queue,
                "outlets": [o.name for o in t.outlets],
                "operator": type(t).__name__,
                "upstream": sorted(t.upstream_task_ids),
                "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
                "env": {k: str(v) for k, v in (getattr(t, "env", None) or {}).items()},
                "select": getattr(t, "select", None),
                "indirect_selection": getattr(t, "indirect_selection", None),
            })
        timetable = dag.timetable
        out["dags"][dag.dag_id] = {
            "file": path.name,
            "tags": sorted(dag.tags),
            "catchup": dag.catchup,
            "max_active_runs": dag.max_active_runs,
            "start_date": dag.start_date.isoformat() if dag.start_date else None,
            "timetable": type(timetable).__name__,
            "cron": getattr(getattr(timetable, "timetable", timetable), "expression", None),
            "schedule_assets": asset_names(getattr(timetable, "asset_condition", None)),
            "asset_condition": type(getattr(timetable, "asset_condition", None)).__name__,
            "tasks": tasks,
        }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def parsed(parse_env) -> dict:
    return json.loads(_parse(parse_env))


def _parse(env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", PARSE, str(DAGS)], env=env, cwd=REPO,
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    return proc.stdout.strip().splitlines()[-1]


def test_no_import_errors(parsed):
    assert parsed["errors"] == {}


def test_each_dag_file_imports_within_budget(parsed):
    slow = {f: round(s, 2) for f, s in parsed["files"].items() if s > IMPORT_BUDGET_S}
    assert not slow, f"DAG files slower than {IMPORT_BUDGET_S} s to import: {slow}"


def test_dag_ids(parsed):
    expected = {f"plcqi_ingest_{s}" for s in INGEST_SOURCES} | {"plcqi_transform", "plcqi_report"}
    assert set(parsed["dags"]) == expected


def test_every_task_has_owner_retries_timeout_and_failure_callback(parsed):
    for dag_id, dag in parsed["dags"].items():
        assert "plcqi" in dag["tags"], dag_id
        assert not dag["catchup"], dag_id
        assert dag["max_active_runs"] == 1, dag_id
        for t in dag["tasks"]:
            where = f"{dag_id}.{t['task_id']}"
            assert t["owner"] == "plcqi-data-engineering", where
            assert t["on_failure_callback"], where
            assert t["execution_timeout"] and t["execution_timeout"] <= 3600, where
            if t["task_id"] == "check_rejections":
                assert t["retries"] == 0, where  # a rejected file stays rejected
            else:
                assert t["retries"] >= 1 and t["retry_exponential_backoff"] > 1, where


def test_ingest_dags_schedules_and_assets(parsed):
    for source in INGEST_SOURCES:
        dag = parsed["dags"][f"plcqi_ingest_{source}"]
        assert {"ingest", source} <= set(dag["tags"])
        assert dag["timetable"] == "CronTriggerTimetable"
        assert dag["cron"] == ("0 * * * *" if source == "ta_requests_db" else "0 0 * * *")
        load = next(t for t in dag["tasks"] if t["task_id"] == "load")
        asset = "plcqi_raw_ta_requests" if source == "ta_requests_db" else f"plcqi_raw_{source}"
        assert load["outlets"] == [asset]


def test_transform_dag_runs_on_every_raw_asset_and_emits_marts(parsed):
    dag = parsed["dags"]["plcqi_transform"]
    assert dag["timetable"] == "AssetTriggeredTimetable"
    assert dag["asset_condition"] == "AssetAll"
    assert dag["schedule_assets"] == sorted(
        f"plcqi_raw_{s}" for s in ("reference", "ta_requests", "attendance", "polls", "surveys")
    )
    by_id = {t["task_id"]: t for t in dag["tasks"]}
    assert {"as_of", "prepare_warehouse", "raw_quality_gate", "marts_quality_gate"} <= set(by_id)
    # The run's build becomes the warehouse last, after the marts gate validated it; the
    # marts Asset says so. After a failure anywhere, the build is set aside instead.
    assert by_id["promote"]["outlets"] == ["plcqi_marts"]
    assert by_id["marts_quality_gate"]["outlets"] == []
    assert sorted(by_id["promote"]["upstream"]) == ["as_of", "marts_quality_gate",
                                                    "prepare_warehouse"]
    assert by_id["discard_failed_build"]["upstream"] == ["promote"]
    assert by_id["discard_failed_build"]["trigger_rule"] == "one_failed"
    for task_id in ("prepare_warehouse", "marts_quality_gate", "promote",
                    "discard_failed_build"):
        assert by_id[task_id]["pool"] == "plcqi_duckdb", task_id


def test_transform_dbt_tasks_build_one_layer_each_in_the_duckdb_pool(parsed):
    tasks = parsed["dags"]["plcqi_transform"]["tasks"]
    dbt = {t["task_id"]: t for t in tasks if t["task_id"].startswith("dbt.")}
    # One `dbt build` per layer of the project, in order: about seventy models would
    # otherwise be seventy tasks of a second's overhead each.
    assert list(dbt) == ["dbt.staging", "dbt.intermediate", "dbt.marts"]
    assert dbt["dbt.staging"]["upstream"] == ["raw_quality_gate"]
    assert dbt["dbt.intermediate"]["upstream"] == ["dbt.staging"]
    assert dbt["dbt.marts"]["upstream"] == ["dbt.intermediate"]
    by_id = {t["task_id"]: t for t in tasks}
    assert by_id["marts_quality_gate"]["upstream"] == ["as_of", "dbt.marts", "prepare_warehouse"]
    for layer, t in dbt.items():
        assert t["operator"] == "DbtBuildLocalOperator", t
        assert t["select"] == f"path:models/{layer.removeprefix('dbt.')}", t
        assert t["indirect_selection"] == "buildable", t
        assert t["pool"] == "plcqi_duckdb" and t["queue"] == "plcqi_duckdb", t
        # Every dbt task of a run builds the run's new file from its inputs snapshot, as
        # prepare_warehouse made them; never the warehouse readers open.
        for name in ("PLCQI_DBT_WAREHOUSE", "PLCQI_DBT_INPUT_DIR"):
            assert t["env"][name] == (
                "{{ ti.xcom_pull(task_ids='prepare_warehouse')['build']['dbt_env']"
                f"['{name}'] }}}}"), t["env"]


def test_every_model_is_in_a_layer_task(parse_env):
    """A model outside the layers' folders would never be built by the DAG (the promote
    task would then refuse the build): every model of the manifest is in one."""
    from plcqi.orchestration.cosmos_group import LAYERS

    manifest = json.loads(Path(parse_env["PLCQI_DBT_MANIFEST"]).read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) >= 30
    outside = [m["original_file_path"] for m in models
               if m["original_file_path"].split("/")[1] not in LAYERS]
    assert outside == []


def test_report_dag_monthly_and_on_marts_with_mapped_centers_and_regions(parsed):
    dag = parsed["dags"]["plcqi_report"]
    assert dag["timetable"] == "AssetOrTimeSchedule"
    assert dag["cron"] == "0 0 1 * *"
    assert dag["schedule_assets"] == ["plcqi_marts"]
    by_id = {t["task_id"]: t for t in dag["tasks"]}
    assert by_id["center_report"]["operator"].endswith("MappedOperator")  # one per center
    assert by_id["region_report"]["operator"].endswith("MappedOperator")  # one per region
    for task_id in ("ensure_marts", "center_ids", "center_report", "leadership_report",
                    "region_ids", "region_report", "unassigned_grantee_profiles",
                    "published_history"):
        assert by_id[task_id]["pool"] == "plcqi_duckdb", task_id
    assert sorted(by_id["region_report"]["upstream"]) == ["as_of", "region_ids"]
    assert by_id["region_ids"]["upstream"] == ["ensure_marts"]
    # The history is kept once every report is written; the index follows it.
    assert sorted(by_id["published_history"]["upstream"]) == [
        "as_of", "center_report", "leadership_report", "region_report",
        "unassigned_grantee_profiles"]
    assert sorted(by_id["index"]["upstream"]) == ["data_quality_page", "published_history"]
    # The e-mails go out once the index is rebuilt, without holding the DuckDB slot.
    assert by_id["deliver"]["upstream"] == ["as_of", "index"]
    assert by_id["deliver"]["pool"] == "default_pool"


def test_the_transform_dag_parses_in_a_fresh_airflow_home(tmp_path):
    """No manifest, no data folder: the DAG file still imports (it reads no dbt output)."""
    env = airflow_env(tmp_path, tmp_path / "data",
                      PLCQI_DBT_MANIFEST=str(tmp_path / "nope" / "manifest.json"))
    parsed = json.loads(_parse(env))
    assert parsed["errors"] == {}
    assert "plcqi_transform" in parsed["dags"]
    assert not (tmp_path / "data").exists()


def test_postgres_target_uses_no_duckdb_pool(tmp_path, parse_env):
    env = dict(parse_env, PLCQI_WAREHOUSE_TARGET="postgres",
               PLCQI_DBT_MANIFEST=parse_env["PLCQI_DBT_MANIFEST"])
    parsed = json.loads(_parse(env))
    transform = {t["task_id"]: t for t in parsed["dags"]["plcqi_transform"]["tasks"]}
    assert "PLCQI_DBT_SCHEMA_SUFFIX" in transform["dbt.marts"]["env"]
    assert "PLCQI_DBT_WAREHOUSE" not in transform["dbt.marts"]["env"]
    assert parsed["errors"] == {}
    for dag in parsed["dags"].values():
        for t in dag["tasks"]:
            assert t["pool"] == "default_pool" and t["queue"] == "default", t


# -- the helpers the DAGs call -----------------------------------------------------------


class _Run:
    def __init__(self, conf=None, run_id="r"):
        self.conf, self.run_id = conf or {}, run_id


class _Event:
    def __init__(self, extra):
        self.extra = extra


def test_as_of_prefers_conf_then_asset_events_then_data_interval():
    from plcqi.orchestration.dates import as_of

    end = datetime(2026, 7, 1, tzinfo=UTC)
    start = datetime(2026, 6, 30, tzinfo=UTC)
    ctx = {"dag_run": _Run(), "data_interval_start": start, "data_interval_end": end}
    assert as_of(ctx) == date(2026, 6, 30)
    events = {"a": [_Event({"as_of": "2026-05-31"})], "b": [_Event({"as_of": "2026-06-15"})]}
    assert as_of({**ctx, "triggering_asset_events": events}) == date(2026, 6, 15)
    ctx["dag_run"] = _Run({"as_of": "2026-04-30"})
    assert as_of({**ctx, "triggering_asset_events": events}) == date(2026, 4, 30)


def test_monthly_interval_is_as_of_its_last_day():
    from plcqi.orchestration.dates import as_of

    ctx = {"dag_run": _Run(), "data_interval_start": datetime(2026, 5, 1, tzinfo=UTC),
           "data_interval_end": datetime(2026, 6, 1, tzinfo=UTC)}
    assert as_of(ctx) == date(2026, 5, 31)


def test_failure_callback_logs_one_line_and_emails_only_when_configured(monkeypatch):
    import types

    from plcqi.orchestration import callbacks

    class TI:
        dag_id, task_id, run_id, try_number, map_index, max_tries = (
            "plcqi_transform", "dbt.marts", "manual__x", 3, -1, 3)

    sent, logged = [], []

    class Notifier:  # stands in for the SMTP provider's notifier (no Airflow import here)
        def __init__(self, to, smtp_conn_id, subject, html_content):
            self.to, self.conn_id = to, smtp_conn_id

        def notify(self, context):
            sent.append((self.to, self.conn_id))

    fake = types.ModuleType("airflow.providers.smtp.notifications.smtp")
    fake.SmtpNotifier = Notifier
    monkeypatch.setitem(sys.modules, "airflow.providers.smtp.notifications.smtp", fake)
    monkeypatch.setattr(callbacks.log, "error", lambda msg, *a: logged.append(msg % a))
    monkeypatch.delenv("PLCQI_ALERT_EMAIL", raising=False)
    callbacks.on_failure({"ti": TI(), "exception": RuntimeError("dbt failed\n  details")})
    assert logged == ["plcqi task failed: plcqi_transform.dbt.marts "
                      "run=manual__x try=3/4 error=RuntimeError: dbt failed details"]
    assert sent == []
    monkeypatch.setenv("PLCQI_ALERT_EMAIL", "ops@example.org, lead@example.org")
    callbacks.on_failure({"ti": TI(), "exception": RuntimeError("boom")})
    assert sent == [(["ops@example.org", "lead@example.org"], "smtp_default")]


def test_check_rejections_fails_the_run_without_retry(parse_env):
    code = """
    from airflow.sdk.exceptions import AirflowFailException
    from plcqi.orchestration import tasks

    tasks.check_rejections({"source": "polls", "rejected": []})
    try:
        tasks.check_rejections({"source": "polls", "rejected": ["polls/x.csv: not UTF-8"]})
    except AirflowFailException as e:
        print("failed:", e)
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=parse_env,
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "failed: 1 polls file(s) rejected: polls/x.csv: not UTF-8" in proc.stdout, proc.stderr
