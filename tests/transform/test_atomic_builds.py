"""Issue 13: a warehouse build is atomic, takes turns, and reads a snapshot of its inputs.

On a private copy of the shared demo (its warehouse, built as of 2026-06-30, is the clean
build every check compares with), real ``plcqi`` processes rebuild it and are SIGKILLed:

- at 11 points: once the child holds the transform lock, while its inputs snapshot is
  linked and right after it, while dbt parses, when the 1st, 5th, 15th and 30th dbt node
  starts (a ``plcqi report`` renders meanwhile, from the previous build); after each, the
  warehouse file is byte for byte the previous one and reads as the reports read it. Then
  three times in the promotion step of a partial build (as dbt ends, half a second later,
  and right after the rename): cut before its one rename the warehouse is the previous
  file, after it the new one, and either way every marts table equals the clean build's;
- a build whose data test fails and one the check before promotion refuses are kept aside
  (``warehouse/failed.duckdb``) and replace nothing;
- then a full rerun, started while another process holds the transform lock (it waits),
  refuses a second transform in one plain line, and has an ingestion of a changed reference
  file commit during it, before dbt reads that file: it ends identical to the clean build
  (the change waits for the next build), with nothing left behind.

Children are forks of a process past the imports (``tests/transform/zygote.py``), each
running what ``plcqi <command>`` runs, killed at points found in dbt's log and in the build's
folder. Timings are never asserted: only what a kill left.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from plcqi import locks, paths
from plcqi.publish import layout
from plcqi.transform import builds
from tests.helpers import REPO
from tests.shared_demo import copy_demo
from tests.transform.rawfiles import commit_raw, session_row, uncommit_raw

pytestmark = pytest.mark.slow

AS_OF = date(2026, 6, 30)
NODE_KILLS = (1, 5, 15, 30)
# Kill points of the promotion step: seconds after dbt's last line, or right after the rename.
PROMOTION_POINTS = {"promotion + 0 s": 0.0, "promotion + 0.5 s": 0.5, "renamed": None}
START = re.compile(r"\] \[Thread-\d+ \(\]: \d+ of \d+ START ")
# A partial build in a child (what `plcqi transform` runs, with a selection and a check).
PARTIAL = """\
import sys
from datetime import date
from plcqi.transform.build import TransformError, transform
try:
    result = transform({data!r}, as_of=date.fromisoformat("{day}"), select={select!r},
                       check={check})
except TransformError as e:
    print(e)
    sys.exit(3)
print("promoted", result.promoted, "kept", result.failed_build)
"""
# `plcqi transform` that, once its inputs snapshot is taken, holds before dbt until told.
GATED = """\
import time
from pathlib import Path
import plcqi.cli
import plcqi.transform.build as build
run_dbt = build.run_dbt
def held(*args, **kwargs):
    Path({at_gate!r}).touch()
    while not Path({go!r}).exists():
        time.sleep(0.05)
    return run_dbt(*args, **kwargs)
build.run_dbt = held
plcqi.cli.main({argv!r}, prog_name="plcqi", standalone_mode=True)
"""


# -- what a build left: every marts table, independently of plcqi -----------------------


def _normal(value):
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    return value


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def marts(path: Path) -> dict[str, str]:
    """Table -> digest of its sorted rows (floats to 9 places), for every table of marts."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "order by 1"
            ).fetchall()
        ]
        out = {}
        for table in tables:
            rows = con.execute(f'select * from marts."{table}"').fetchall()
            text = "\n".join(sorted(repr(tuple(_normal(v) for v in r)) for r in rows))
            out[table] = hashlib.sha256(text.encode()).hexdigest()
        return out
    finally:
        con.close()


def tables(path: Path, schema: str) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ?", [schema]
            ).fetchall()
        }
    finally:
        con.close()


# -- children ------------------------------------------------------------------------------


class Zygote:
    def __init__(self, env: dict[str, str]):
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "transform" / "zygote.py")],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert "ready" in self._read()
        self.cpu: dict[int, float | None] = {}  # CPU seconds of each child that ended

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        assert line, "the zygote ended"
        return json.loads(line)

    def _ask(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def plcqi(self, argv: list[str], out: Path, **env: str) -> int:
        return self._start({"op": "run", "argv": argv, "env": env, "out": str(out)})

    def python(self, code: str, out: Path, **env: str) -> int:
        return self._start({"op": "python", "code": code, "env": env, "out": str(out)})

    def _start(self, request: dict) -> int:
        pid = self._ask(request)["pid"]
        self.cpu[pid] = None
        return pid

    def wait(self, pid: int, timeout: float = 600) -> int | None:
        answer = self._ask({"op": "wait", "pid": pid, "timeout": timeout})
        self.cpu[pid] = answer.get("cpu")
        return answer["returncode"]

    def close(self) -> None:
        """End the children still running (a failed test), then the zygote."""
        for pid, cpu in self.cpu.items():
            if cpu is None and alive(pid):
                os.kill(pid, signal.SIGKILL)
                self.wait(pid, timeout=30)
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


class DbtLog:
    """What dbt logged (``DATA_DIR/dbt/logs/dbt.log``) since this object was made."""

    def __init__(self, data_dir: Path):
        self.path = paths.dbt_log_dir(data_dir) / "dbt.log"
        self.start = self.path.stat().st_size if self.path.exists() else 0

    def text(self) -> str:
        if not self.path.exists():
            return ""
        with self.path.open("rb") as f:
            f.seek(self.start)
            return f.read().decode("utf-8", "replace")

    def started(self) -> int:
        return len(START.findall(self.text()))


def kill_when(pid: int, condition, timeout: float = 600) -> bool:
    """SIGKILL ``pid`` as soon as ``condition()`` holds; False if it ended before."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            os.kill(pid, signal.SIGKILL)
            return True
        if not alive(pid):
            return False
        time.sleep(0.005)
    raise AssertionError(f"{pid}: condition not met in {timeout} s")


def wait_for(condition, pid: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert alive(pid), "the child ended first"
        assert time.monotonic() < deadline
        time.sleep(0.005)


# -- the test ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("PLCQI_")}
    from tests.helpers import TEST_SECRET

    return {**out, "PLCQI_PII_SECRET": TEST_SECRET, "PYTHONPATH": str(REPO)}


def test_killed_builds_leave_the_previous_warehouse_and_a_rerun_is_the_clean_build(
    demo_warehouse, tmp_path, env
):
    data = copy_demo(demo_warehouse, tmp_path / "data")
    warehouse = paths.warehouse(data)
    building = warehouse.parent / "building"
    failed = warehouse.parent / "failed.duckdb"
    clean = marts(warehouse)
    previous = file_digest(warehouse)
    zygote = Zygote(env)
    logs = tmp_path / "logs"
    logs.mkdir()
    survived: list[str] = []
    tried: list[str] = []
    promoted: list[str] = []

    def transform(name: str, **extra: str) -> int:
        argv = ["transform", "--data-dir", str(data), "--as-of", AS_OF.isoformat()]
        return zygote.plcqi(argv, logs / f"{name}.log", **extra)

    def partial(name: str, select: str, check: str = "None") -> int:
        code = PARTIAL.format(data=str(data), day=AS_OF, select=select, check=check)
        return zygote.python(code, logs / f"{name}.log")

    def read_as_reports_do() -> None:
        """What the reports, `plcqi summary` and the API read: every mart, no personal
        column, the build's as-of date."""
        from plcqi.publish import summary
        from plcqi.publish.warehouse import built_as_of, connect

        with connect(data) as con:
            assert built_as_of(con) == AS_OF
        assert summary.marts_summary(data)
        assert not Path(f"{warehouse}.wal").exists()

    def untouched(point: str) -> None:
        read_as_reports_do()
        assert file_digest(warehouse) == previous, f"{point}: the warehouse file changed"
        survived.append(point)

    try:
        # 1. As soon as the child holds the transform lock, before the inputs snapshot.
        holder = locks.lock_file(data, "transform").with_suffix(".pid")
        pid = transform("k-lock")
        tried.append("holding the lock")
        assert kill_when(pid, lambda: holder.exists() and holder.read_text().strip() == str(pid))
        assert zygote.wait(pid) == -signal.SIGKILL
        untouched("holding the lock")

        # 2. While the inputs snapshot is being linked, and right after it.
        pid = transform("k-linking")
        tried.append("linking the snapshot")
        assert kill_when(pid, lambda: (building / "cli" / "inputs" / "raw").is_dir())
        assert zygote.wait(pid) == -signal.SIGKILL
        untouched("linking the snapshot")

        pid = transform("k-snapshot")
        tried.append("after the snapshot")
        assert kill_when(pid, lambda: (building / "cli" / "inputs" / "history").is_dir())
        assert zygote.wait(pid) == -signal.SIGKILL
        untouched("after the snapshot")

        # 3. While dbt parses the project, before its first node.
        log = DbtLog(data)
        pid = transform("k-parse")
        tried.append("dbt parsing")
        assert kill_when(pid, lambda: "Running with dbt" in log.text())
        assert zygote.wait(pid) == -signal.SIGKILL
        untouched("dbt parsing")

        # 4. When the n-th dbt node starts; a report renders from the previous build meanwhile.
        for n in NODE_KILLS:
            log = DbtLog(data)
            pid = transform(f"k-node-{n}")
            tried.append(f"dbt node {n}")
            if n == NODE_KILLS[-1]:
                wait_for(lambda log=log: log.started() >= 1, pid)
                report = zygote.plcqi(
                    ["report", "--data-dir", str(data), "--center", "SCBC"], logs / "report.log"
                )
                assert zygote.wait(report) == 0, (logs / "report.log").read_text()
                assert alive(pid), "the build ended before the report did"
                assert "Traceback" not in (logs / "report.log").read_text()
                assert (paths.reports_dir(data) / layout.center_page("SCBC", AS_OF)).is_file()
            assert kill_when(pid, lambda n=n, log=log: log.started() >= n)
            assert zygote.wait(pid) == -signal.SIGKILL
            assert (building / "cli" / paths.WAREHOUSE_FILE).is_file()  # dbt was writing
            untouched(f"dbt node {n}")

        # 5. In the promotion step of a partial build (rpt_report_period): as dbt ends, a
        # moment later, and right after the rename onto the warehouse (before the build's
        # folder is removed). Cut before its rename the warehouse is the previous file, after
        # it the new one, whole either way.
        built = building / "cli" / paths.WAREHOUSE_FILE
        for point, delay in PROMOTION_POINTS.items():
            log = DbtLog(data)
            before = warehouse.stat().st_ino
            pid = partial(f"k-{point}", "rpt_report_period")
            tried.append(point)

            def reached(delay=delay, log=log):
                if "Done. PASS=" not in log.text():
                    return False
                if delay is None:
                    return not built.exists()
                time.sleep(delay)
                return True

            kill_when(pid, reached)
            # killed, or through before the kill landed: whole either way
            assert zygote.wait(pid) in (-signal.SIGKILL, 0), point
            read_as_reports_do()
            assert marts(warehouse) == clean, point
            if warehouse.stat().st_ino != before:
                promoted.append(point)
            elif file_digest(warehouse) != previous:
                raise AssertionError(f"{point}: the previous warehouse file changed")
            survived.append(point)
        assert "renamed" in promoted
        previous = file_digest(warehouse)

        # 6. A build whose data test fails, and one dbt passes but the check before promotion
        # (the marts gate of `plcqi run`) refuses: both kept aside, the warehouse untouched.
        bad = commit_raw(
            data, "reference/sessions", [session_row(0)], datetime.now(UTC) + timedelta(days=1)
        )
        pid = partial("failing", "stg_reference__sessions")
        assert zygote.wait(pid) == 3
        said = (logs / "failing.log").read_text()
        assert "values_between_stg_reference__sessions_duration_minutes" in said, said
        assert (
            f"the warehouse keeps its previous build; the failed build is kept at {failed}" in said
        )
        assert "stg_reference__sessions" in tables(failed, "staging")
        untouched("failing build")
        uncommit_raw(data, "reference/sessions", bad)

        pid = partial("refused", "rpt_report_period", "lambda path: path.is_file() and False")
        assert zygote.wait(pid) == 0
        assert f"promoted False kept {failed}" in (logs / "refused.log").read_text()
        assert "rpt_report_period" in tables(failed, "marts")
        untouched("refused build")

        # 7. The rerun: it waits while another process holds the transform lock, refuses a
        # second transform plainly, and an ingestion between its inputs snapshot and dbt's
        # first read does not change what it builds (the child holds before dbt, to be sure).
        at_gate, go = tmp_path / "at-gate", tmp_path / "go"
        with locks.exclusive(data, "transform"):
            log = DbtLog(data)
            argv = ["transform", "--data-dir", str(data), "--as-of", AS_OF.isoformat()]
            rerun = zygote.python(GATED.format(argv=argv, at_gate=str(at_gate), go=str(go)),
                                  logs / "rerun.log", PLCQI_LOCK_TIMEOUT="300")
            time.sleep(1.5)
            assert alive(rerun)
            assert holder.read_text().strip() == str(os.getpid())
            assert not at_gate.exists()  # waiting for the lock: no snapshot yet
        # Its snapshot is taken once it holds the lock (the leftovers of the kills removed first).
        wait_for(at_gate.exists, rerun)
        assert holder.read_text().strip() == str(rerun)
        assert "Running with dbt" not in log.text()

        second = transform("second", PLCQI_LOCK_TIMEOUT="1")
        assert zygote.wait(second, timeout=300) == 1
        refused = (logs / "second.log").read_text().strip().splitlines()
        assert len(refused) == 1 and "in use by another plcqi process" in refused[0], refused

        centers = data / "landing" / "reference" / "centers.csv"
        centers.write_text(
            centers.read_text().replace(
                "Child Care State Capacity Building Center", "Renamed During The Build"
            )
        )
        ingest = zygote.plcqi(
            ["ingest", "--data-dir", str(data), "--source", "reference"], logs / "ingest.log"
        )
        assert zygote.wait(ingest, timeout=300) == 0, (logs / "ingest.log").read_text()
        assert "\n1 file(s) loaded" in (logs / "ingest.log").read_text()  # the new centers
        go.touch()  # dbt starts now, after the ingestion: a build reading raw/ would see it

        assert zygote.wait(rerun) == 0, (logs / "rerun.log").read_text()
        assert file_digest(warehouse) != previous  # a new file
        assert marts(warehouse) == clean
        survived.append("rerun")
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            rows = con.execute("select center_name from marts.dim_centers").fetchall()
        finally:
            con.close()
        names = {r[0] for r in rows}
        assert "Renamed During The Build" not in names
        assert "Child Care State Capacity Building Center" in names
        # Nothing left behind: no build folder, no snapshot; the refused build kept aside,
        # and the fingerprint of the promoted build (builds.FINGERPRINT_FILE).
        assert not building.exists()
        assert sorted(p.name for p in warehouse.parent.iterdir()) == [
            "failed.duckdb",
            builds.FINGERPRINT_FILE,
            paths.WAREHOUSE_FILE,
        ]
    finally:
        zygote.close()
        cpu = [c for c in zygote.cpu.values() if c is not None]
        kills = [p for p in survived if p in tried]
        print(
            f"\nkill points survived: {len(kills)} of {len(tried)} tried ({', '.join(tried)}); "
            f"promoted before the kill: {promoted}; children's CPU: {sum(cpu):.0f} s "
            f"({', '.join(f'{c:.0f}' for c in cpu)})"
        )
    assert len(tried) >= 10 and set(tried) <= set(survived)
