"""The shared deployment's files, checked without a Docker engine: docker-compose.yml parses,
every ${VAR} it uses is in .env.example, the environment names match what plcqi and the DAGs
read, Airflow 3's shared JWT secret and Execution API URL reach every component, and the
Celery workers serve every queue the DAGs' tasks are sent to."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.helpers import REPO
from tests.orchestration.test_dags import _parse, parse_env  # noqa: F401 - parse_env is a fixture

COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
AIRFLOW_SERVICES = {
    "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
    "airflow-triggerer", "airflow-worker", "airflow-worker-duckdb",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def env_example() -> dict[str, str]:
    out = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def service_env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {k: str(v) for k, v in env.items()}


def test_services(compose):
    services = set(compose["services"])
    assert AIRFLOW_SERVICES | {"postgres", "redis", "reports"} <= services
    for name in AIRFLOW_SERVICES:
        assert compose["services"][name]["image"] == "plcqi-airflow:latest", name
        assert compose["services"][name]["env_file"] == ".env", name


def test_every_interpolated_variable_is_in_env_example():
    text = COMPOSE.read_text().replace("$$", "")
    used = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}", text))
    with_default = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?-", text))
    missing = used - with_default - set(env_example())
    assert not missing, f"docker-compose.yml uses variables .env.example lacks: {missing}"


def test_env_file_is_not_committed():
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert ".env" in ignored
    assert not (REPO / ".env").exists() or ".env" in ignored


def test_plcqi_variables_are_ones_plcqi_reads(compose):
    from plcqi import settings

    known = {s.env for s in settings.SETTINGS}
    named = set(env_example())
    for name in AIRFLOW_SERVICES:
        named |= set(service_env(compose["services"][name]))
    unknown = {n for n in named if n.startswith("PLCQI_")} - known
    assert not unknown, f"PLCQI_ variables nothing reads: {unknown}"


def test_airflow3_shared_secret_and_execution_api(compose):
    api = compose["services"]["airflow-apiserver"]
    assert api["command"] == "api-server"
    for name in AIRFLOW_SERVICES:
        env = service_env(compose["services"][name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == "${AIRFLOW__API_AUTH__JWT_SECRET}", name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
            "http://airflow-apiserver:8080/execution/"), name
        assert "redis:6379" in env["AIRFLOW__CELERY__BROKER_URL"], name
        assert "@postgres:5432/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
    assert "AIRFLOW__API_AUTH__JWT_SECRET" in env_example()
    commands = {n: compose["services"][n].get("command") for n in AIRFLOW_SERVICES}
    assert commands["airflow-scheduler"] == "scheduler"
    assert commands["airflow-dag-processor"] == "dag-processor"
    assert commands["airflow-triggerer"] == "triggerer"


def _queues(command: str) -> set[str]:
    match = re.search(r"--queues[ =](\S+)", command)
    return set(match.group(1).split(",")) if match else {"default"}


def test_workers_serve_every_queue_of_the_dags(compose, parse_env):  # noqa: F811
    workers = {n: s for n, s in compose["services"].items() if "celery worker" in
               str(s.get("command", ""))}
    assert {"airflow-worker", "airflow-worker-duckdb"} <= set(workers)
    served = {n: _queues(s["command"]) for n, s in workers.items()}
    assert served["airflow-worker-duckdb"] == {"plcqi_duckdb"}
    assert "--concurrency 1" in workers["airflow-worker-duckdb"]["command"]
    env = service_env(compose["services"]["airflow-worker-duckdb"])
    assert env["PLCQI_DUCKDB_QUEUE"] == "plcqi_duckdb"
    assert env["PLCQI_DUCKDB_POOL"] == "plcqi_duckdb"
    all_served = set().union(*served.values())
    for target in ("duckdb", "postgres"):
        parsed = json.loads(_parse(dict(parse_env, PLCQI_WAREHOUSE_TARGET=target)))
        used = {t["queue"] for d in parsed["dags"].values() for t in d["tasks"]}
        assert used <= all_served, (target, used - all_served)


def test_init_creates_the_pool_and_the_manifest(compose):
    script = "\n".join(compose["services"]["airflow-init"]["command"])
    assert "airflow db migrate" in script
    assert 'airflow pools set plcqi_duckdb 1' in script
    assert "python -m plcqi.orchestration.setup" in script


def test_dockerfile_uses_the_official_image_and_the_lock():
    text = (REPO / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM apache/airflow:3.3.2-python3.11" in text
    assert "uv export --frozen" in text and "uv.lock" in text


def test_reports_are_served_read_only_behind_the_generated_configuration(compose):
    reports = compose["services"]["reports"]
    assert any(v == "plcqi-data:/srv/plcqi:ro" for v in reports["volumes"])
    assert reports["command"][:3] == ["nginx", "-c", "/srv/plcqi/access/nginx/compose.conf"]
    assert reports["depends_on"]["airflow-init"]["condition"] == (
        "service_completed_successfully")
    # airflow-init generates that file for an nginx that sees the data volume at /srv/plcqi
    init = compose["services"]["airflow-init"]
    script = "\n".join(init["command"]).replace("\\\n", " ")
    assert any(v.startswith("plcqi-data:/opt/plcqi/data") for v in init["volumes"])
    generate = next(line for line in script.splitlines() if "plcqi access nginx-config" in line)
    for arg in ("--data-dir /opt/plcqi/data", "--site-dir /srv/plcqi",
                "--output /opt/plcqi/data/access/nginx/compose.conf", "--listen 8080"):
        assert arg in " ".join(generate.split()), arg
    health = reports["healthcheck"]["test"][1]
    assert "127.0.0.1:8080/" in health and "401" in health


def test_reports_are_published_on_loopback_by_default(compose):
    [port] = compose["services"]["reports"]["ports"]
    assert port.endswith(":${REPORTS_PORT}:8080"), port
    bind = port.removesuffix(":${REPORTS_PORT}:8080")
    assert bind in ("127.0.0.1", "${REPORTS_BIND:-127.0.0.1}"), port
    assert env_example().get("REPORTS_BIND", "127.0.0.1") == "127.0.0.1"


def test_the_generated_compose_configuration_is_valid_nginx(tmp_path):
    """The exact command of airflow-init, on a fresh data folder, gives a configuration that
    Debian's nginx accepts (paths moved to this machine: there is no container here)."""
    import shutil
    import subprocess

    from click.testing import CliRunner

    from plcqi.cli import main

    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if not nginx:
        pytest.skip("nginx is not installed (bash scripts/setup installs it)")
    data, runtime = tmp_path / "data", tmp_path / "run"
    runtime.mkdir()
    out = data / "access" / "nginx" / "compose.conf"
    result = CliRunner().invoke(main, [
        "access", "nginx-config", "--data-dir", str(data), "--site-dir", str(data),
        "--listen", "127.0.0.1:8080", "--runtime-dir", str(runtime), "--output", str(out)])
    assert result.exit_code == 0, result.output
    check = subprocess.run([nginx, "-t", "-q", "-p", f"{runtime}/", "-e", "stderr",
                            "-c", str(out)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
