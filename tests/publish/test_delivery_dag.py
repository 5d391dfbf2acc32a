"""The report DAG with its ``deliver`` task, run with ``dag.test()`` (a temporary
AIRFLOW_HOME, SQLite metadata) over the tiny test warehouse of ``tests/fixtures/warehouse.py``,
e-mailing through Airflow's SMTP provider (connection ``smtp_default``) to a real SMTP server
on loopback: each reader gets one message with the link to their own report; a second run of
the DAG for the same as-of date sends nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from plcqi.publish import access
from plcqi.publish.delivery import log
from tests.fixtures import warehouse as fixtures
from tests.helpers import REPO
from tests.orchestration.test_dags import DAGS, airflow_env
from tests.publish.smtp_server import SmtpServer

pytestmark = pytest.mark.slow
AS_OF = fixtures.AS_OF
BASE = "https://reports.example.org"
READERS = {"ana": ("center:C1", "ana@center-one.example.org", f"centers/C1/{AS_OF}.html"),
           "lee": ("leadership", "lee@occ.example.gov", f"leadership/{AS_OF}.html"),
           "eng": ("engineer", "eng@plcqi.example.org", f"data-quality/{AS_OF}.html")}

# One process for both runs (Airflow's start-up is paid once).
RUN = """
import json, sys
from datetime import UTC, datetime
from airflow.dag_processing.dagbag import DagBag

bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
dag = bag.dags["plcqi_report"]
for logical in sys.argv[3:]:
    dr = dag.test(logical_date=datetime.fromisoformat(logical).replace(tzinfo=UTC),
                  run_conf={"as_of": sys.argv[2]})
    states = {ti.task_id: str(getattr(ti.state, "value", ti.state))
              for ti in dr.get_task_instances()}
    print("RESULT " + json.dumps({"state": str(getattr(dr.state, "value", dr.state)),
                                   "tasks": states}), flush=True)
"""


def _dag_test(env: dict, logical_dates: list[str], logfile: Path) -> list[dict]:
    with logfile.open("a") as out:
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(RUN),
                               str(DAGS / "plcqi_report.py"), AS_OF.isoformat(),
                               *logical_dates],
                              env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                              timeout=400)
    text = logfile.read_text()
    results = [json.loads(line.removeprefix("RESULT ")) for line in text.splitlines()
               if line.startswith("RESULT ")]
    assert proc.returncode == 0 and len(results) == len(logical_dates), text[-6000:]
    return results


def test_report_dag_delivers_each_reader_their_report_once(tmp_path):
    data = tmp_path / "data"
    fixtures.build(data)
    for name, (role, email, _) in READERS.items():
        access.add(data, name, role, "correct horse battery staple", email)
    access.add(data, "cy", "center:C2", "correct horse battery staple")  # no e-mail
    with SmtpServer() as smtp:
        conn = {"conn_type": "smtp", "host": "127.0.0.1", "port": smtp.port,
                "extra": {"disable_ssl": True, "disable_tls": True, "retry_limit": 1,
                          "from_email": "airflow@plcqi.example.org"}}
        env = airflow_env(tmp_path, data, PLCQI_AIRFLOW_RETRIES="0",
                          AIRFLOW_CONN_SMTP_DEFAULT=json.dumps(conn),
                          PLCQI_REPORTS_URL=BASE, PLCQI_DELIVERY_ATTACH="true",
                          PLCQI_SMTP_FROM="cqi-reports@plcqi.example.org")
        logfile = tmp_path / "airflow.log"
        airflow = str(Path(sys.executable).parent / "airflow")
        with logfile.open("w") as out:
            subprocess.run([airflow, "db", "migrate"], env=env, cwd=REPO, stdout=out,
                           stderr=subprocess.STDOUT, timeout=300, check=True)
        # The scheduled run, then another for the same as-of date (a re-run, a retry).
        first, second = _dag_test(env, ["2026-07-01T00:00:00", "2026-07-02T00:00:00"],
                                  logfile)
        assert first["state"] == "success", first
        assert first["tasks"]["deliver"] == "success", first
        assert second["state"] == "success" and second["tasks"]["deliver"] == "success"
        assert len(smtp.handler.messages) == 3
        for name, (_, email, report) in READERS.items():
            [got] = smtp.handler.to(email)
            msg = got.message
            assert msg["From"] == "cqi-reports@plcqi.example.org"
            html = next(p for p in msg.walk() if p.get_content_type() == "text/html"
                        and not p.get_filename()).get_content()
            assert f"{BASE}/{report}" in html
            if name == "ana":
                assert "C2" not in html and "Center Two" not in html
            [attached] = [p for p in msg.walk() if p.get_filename()]
            assert attached.get_payload(decode=True) == (data / "reports" / report).read_bytes()
        records = log.read(data, AS_OF)
        assert {(r["user"], r["status"], r["via"]) for r in records} == {
            (n, "sent", "airflow:smtp_default") for n in READERS}
        assert {r["message_id"] for r in records} == {
            m.message["Message-ID"] for m in smtp.handler.messages}

    text = logfile.read_text()
    assert "delivery as of 2026-06-30: 3 sent, 0 already sent" in text
    assert "delivery as of 2026-06-30: 0 sent, 3 already sent" in text  # nothing twice


def test_deliver_task_fails_without_retry_on_a_setting_to_fix(tmp_path):
    from tests.publish.report_site import make_site

    data = make_site(tmp_path / "data")  # readers with addresses, reports as of 2026-06-30
    env = airflow_env(tmp_path, data)
    env.pop("PLCQI_REPORTS_URL", None)
    code = """
    from airflow.sdk.exceptions import AirflowFailException
    from plcqi.orchestration import tasks
    try:
        tasks.deliver("2026-06-30")
    except AirflowFailException as e:
        print("failed:", e)
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert "failed: report e-mails as of 2026-06-30 not sent: PLCQI_REPORTS_URL must be set" \
        in proc.stdout, proc.stdout + proc.stderr[-3000:]
    assert not log.read(data, AS_OF)  # nothing was attempted
