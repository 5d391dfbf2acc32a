"""``plcqi bench``: every stage of the pipeline timed at growing scale, beside the scan limit.

For each scale the benchmark generates a landing folder (``plcqi generate --scale N``) and
runs, each as its own process as a user would (``plcqi ingest``, ``plcqi validate --stage
raw``, ``plcqi transform``, ``plcqi validate --stage marts``, ``plcqi report``), measuring the
wall time and the peak memory of each process with its children (``os.wait4``). Beside them,
in the same run:

- **scan limit**: one process in which DuckDB reads every landing CSV once (the least any
  pipeline reading them could do); *pipeline ÷ scan* is the whole pipeline's wall time
  over it;
- **incremental**: one attendance file is held back from the first run, then delivered, and
  the five stages run again; *incremental ÷ full* compares that run with the first; a
  third run with nothing new gives *nothing new ÷ full*;
- **Postgres** (at the scales of ``--postgres-scales``, default those up to 10): ``plcqi
  transform --target postgres`` into a database the benchmark creates and drops, twice (the
  second proves it re-runs into the same database); *Postgres ÷ DuckDB* compares the first
  with the DuckDB transform;
- **Airflow** (at ``--airflow-scales``, default 1): the transform DAG (``dag.test()``, the
  raw gate, dbt by layer, the marts gate, the promotion) against the same work by hand
  (validate raw + transform + validate marts): *Airflow ÷ plain*.

It prints one table per scale and writes everything as JSON (``--out``). It asserts nothing:
the figures are to quote with the command that produced them (README, "Performance").
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from plcqi import settings

# The pipeline's stages, in order: (name, plcqi arguments after --data-dir).
STAGES = (
    ("ingest", ["ingest"]),
    ("validate raw", ["validate", "--stage", "raw"]),
    ("transform", ["transform"]),
    ("validate marts", ["validate", "--stage", "marts"]),
    ("report", ["report"]),
)
# The work the transform DAG does, by hand.
TRANSFORM_WORK = ("validate raw", "transform", "validate marts")
# Targets of issue 15, shown beside the measured ratios: (ratio, scale) -> at most.
TARGETS = {
    ("pipeline ÷ scan", 100): 10.0,
    ("pipeline ÷ scan", 1000): 4.0,
    ("incremental ÷ full", 100): 1.15,
    ("Postgres ÷ DuckDB", 10): 3.0,
    ("Airflow ÷ plain", 1): 1.5,
    ("report ÷ transform", None): 1.0,
}
INGEST_DAGS = ("plcqi_ingest_reference", "plcqi_ingest_ta_requests", "plcqi_ingest_attendance",
               "plcqi_ingest_polls", "plcqi_ingest_surveys")

SCAN_CODE = r"""
import sys, duckdb
from pathlib import Path
con = duckdb.connect()
rows = files = other = 0
for path in sorted(Path(sys.argv[1]).rglob("*")):
    if not path.is_file():
        continue
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        other += len(path.read_bytes()) > 0
        continue
    files += 1
    try:
        rows += con.execute(
            "select count(*) from read_csv(?, all_varchar = true, header = false, "
            "null_padding = true, ignore_errors = true, strict_mode = false)",
            [str(path)]).fetchone()[0]
    except duckdb.Error:
        other += len(path.read_bytes()) > 0   # UTF-16 and the like: read once all the same
print(rows, files, other)
"""


@dataclass
class Measure:
    """One process: wall seconds, peak resident memory (MB, with its children), exit code."""

    seconds: float
    peak_mb: float
    rc: int
    detail: str = ""


@dataclass
class ScaleResult:
    scale: float
    rows: int = 0
    files: int = 0
    generate: Measure | None = None
    scan: Measure | None = None
    full: dict[str, Measure] = field(default_factory=dict)
    incremental: dict[str, Measure] = field(default_factory=dict)
    nothing_new: dict[str, Measure] = field(default_factory=dict)
    postgres: list[Measure] = field(default_factory=list)
    airflow: Measure | None = None
    pages: dict[str, float] = field(default_factory=dict)  # largest page MB, pages count
    ratios: dict[str, float | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def run_measured(cmd: list[str], env: dict[str, str] | None = None,
                 cwd: Path | None = None, log: Path | None = None) -> Measure:
    """Run ``cmd``; its wall time, and its peak RSS with its descendants (``wait4``)."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    return Measure(round(seconds, 2), round(usage.ru_maxrss / 1024, 1), proc.returncode)


def _plcqi() -> list[str]:
    script = Path(sys.executable).with_name("plcqi")
    return [str(script)] if script.exists() else [sys.executable, "-c",
                                                  "from plcqi.cli import main; main()"]


def _sum(stages: dict[str, Measure], names: Iterable[str] | None = None) -> float:
    names = list(names) if names is not None else list(stages)
    return round(sum(stages[n].seconds for n in names if n in stages), 2)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


class Bench:
    def __init__(self, work: Path, as_of: date, *, seed: int = 7,
                 postgres_scales: set[float] | None = None,
                 airflow_scales: set[float] | None = None,
                 pg_dsn: str | None = None, incremental: bool = True,
                 echo: Callable[[str], None] = print) -> None:
        self.work = work
        self.as_of = as_of
        self.seed = seed
        self.postgres_scales = postgres_scales or set()
        self.airflow_scales = airflow_scales or set()
        self.pg_dsn = pg_dsn
        self.incremental = incremental
        self.echo = echo
        self.log = work / "bench.log"

    # -- one stage ---------------------------------------------------------------------
    def _env(self, **extra: str) -> dict[str, str]:
        return settings.child_environment(
            unset=("data_dir",), DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            **extra)

    def _stage(self, label: str, cmd: list[str], env: dict[str, str] | None = None,
               cwd: Path | None = None) -> Measure:
        with open(self.log, "a") as f:
            f.write(f"\n== {label}: {' '.join(cmd)}\n")
        m = run_measured(cmd, env=env or self._env(), cwd=cwd or self.work, log=self.log)
        status = "" if m.rc == 0 else f"  EXIT {m.rc} (see {self.log})"
        self.echo(f"  {label:<28s} {m.seconds:8.1f} s {m.peak_mb:8.0f} MB{status}")
        return m

    def _pipeline(self, data: Path, label: str) -> dict[str, Measure]:
        out: dict[str, Measure] = {}
        for name, args in STAGES:
            cmd = [*_plcqi(), *args, "--data-dir", str(data), "--as-of", self.as_of.isoformat()]
            if name == "ingest":
                cmd = cmd[:-2]  # ingestion has no as-of date
            out[name] = self._stage(f"{label}: {name}", cmd)
        return out

    # -- one scale ---------------------------------------------------------------------
    def scale(self, scale: float) -> ScaleResult:
        r = ScaleResult(scale=scale)
        root = self.work / f"scale-{scale:g}"
        shutil.rmtree(root, ignore_errors=True)
        data = root / "data"
        data.mkdir(parents=True)
        self.echo(f"scale {scale:g}")
        r.generate = self._stage("generate", [
            *_plcqi(), "generate", "--data-dir", str(data), "--scale", str(scale),
            "--seed", str(self.seed), "--as-of", self.as_of.isoformat()])
        landing = data / "landing"
        r.files = sum(1 for p in landing.rglob("*") if p.is_file())
        held = self._hold_back(landing, root / "held") if self.incremental else None
        r.scan = self._stage("scan limit", [sys.executable, "-c", SCAN_CODE, str(landing)])
        r.rows = self._scan_rows(landing)
        r.full = self._pipeline(data, "full")
        r.pages = self._pages(data)
        if held is not None:
            shutil.move(str(held), str(landing / "attendance" / held.name))
            r.incremental = self._pipeline(data, "one new file")
        elif self.incremental:
            r.problems.append("no attendance file to hold back: no incremental run")
        if self.incremental:
            r.nothing_new = self._pipeline(data, "nothing new")
        if scale in self.postgres_scales:
            r.postgres = self._postgres(data)
        if scale in self.airflow_scales:
            r.airflow = self._airflow(root)
        failed = [f"{k} ({m.rc})" for part in (r.full, r.incremental, r.nothing_new)
                  for k, m in part.items() if m.rc != 0]
        failed += [f"postgres transform ({m.rc})" for m in r.postgres if m.rc != 0]
        if r.airflow and r.airflow.rc != 0:
            failed.append(f"airflow transform DAG ({r.airflow.rc})")
        if failed:
            r.problems.append("failed: " + ", ".join(failed) + f" (log: {self.log})")
        r.ratios = ratios(r)
        return r

    @staticmethod
    def _hold_back(landing: Path, held_dir: Path) -> Path | None:
        """Move the newest full-size contract attendance CSV aside (delivered later as the
        new file): not the as-of date's month, whose few days the volume gate would refuse
        as a short load (under 10% of the median)."""
        files = sorted((landing / "attendance").glob("*.csv"), key=lambda p: p.name)
        if not files:
            return None
        sizes = sorted(p.stat().st_size for p in files)
        median = sizes[len(sizes) // 2]
        held = next(p for p in reversed(files) if p.stat().st_size >= median / 2 or p == files[0])
        held_dir.mkdir(parents=True, exist_ok=True)
        target = held_dir / held.name
        shutil.move(str(held), str(target))
        return target

    def _scan_rows(self, landing: Path) -> int:
        proc = subprocess.run([sys.executable, "-c", SCAN_CODE, str(landing)],
                              capture_output=True, text=True, check=False)
        try:
            return int(proc.stdout.split()[0])
        except (IndexError, ValueError):
            return 0

    @staticmethod
    def _pages(data: Path) -> dict[str, float]:
        pages = [p for p in (data / "reports").rglob("*.html")]
        sizes = [p.stat().st_size for p in pages]
        return {"pages": len(pages),
                "largest_page_mb": round(max(sizes, default=0) / 1e6, 2),
                "all_pages_mb": round(sum(sizes) / 1e6, 2)}

    def _postgres(self, data: Path) -> list[Measure]:
        import psycopg
        from psycopg import sql

        name = f"plcqi_bench_{os.getpid()}_{int(time.time())}"
        dsn = self.pg_dsn or "postgresql://postgres@127.0.0.1:5432/postgres"
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        info = psycopg.conninfo.conninfo_to_dict(dsn)
        env = self._env(PLCQI_PG_DBNAME=name, PLCQI_PG_HOST=str(info.get("host", "127.0.0.1")),
                        PLCQI_PG_PORT=str(info.get("port", "5432")),
                        PLCQI_PG_USER=str(info.get("user", "postgres")))
        cmd = [*_plcqi(), "transform", "--target", "postgres", "--data-dir", str(data),
               "--as-of", self.as_of.isoformat()]
        try:
            return [self._stage("postgres transform", cmd, env=env),
                    self._stage("postgres transform again", cmd, env=env)]
        finally:
            with psycopg.connect(dsn, autocommit=True) as con:
                con.execute(sql.SQL("drop database if exists {} with (force)").format(
                    sql.Identifier(name)))

    def _airflow(self, root: Path) -> Measure:
        """The transform DAG on a copy of this scale's landing folder, after its ingest DAGs
        (those are not timed): ``dag.test()`` in one process, as the demo runs it."""
        data = root / "airflow-data"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(root / "data" / "landing", data / "landing")
        shutil.copy2(root / "data" / "generator_manifest.json", data)
        home = data / "airflow"
        home.mkdir(parents=True)
        from plcqi import paths

        repo_dags = paths.dbt_project_dir().parent / "dags"
        env = self._env(
            PLCQI_DATA_DIR=str(data), AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(repo_dags), AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__EXECUTOR="LocalExecutor",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
            AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT="120", SCARF_ANALYTICS="false",
            AIRFLOW__USAGE_DATA_COLLECTION__ENABLED="False", PLCQI_WAREHOUSE_TARGET="duckdb",
            PLCQI_DBT_MANIFEST=str(data / "dbt" / "target" / "duckdb" / "manifest.json"),
            PLCQI_AIRFLOW_RETRIES="0")
        airflow = str(Path(sys.executable).with_name("airflow"))
        run_dags = [sys.executable, "-m", "plcqi.orchestration.run_dags",
                    "--as-of", self.as_of.isoformat()]
        for label, cmd in (
            ("airflow: db migrate", [airflow, "db", "migrate"]),
            ("airflow: setup", [sys.executable, "-m", "plcqi.orchestration.setup"]),
            ("airflow: pool", [airflow, "pools", "set", "plcqi_duckdb", "1", "DuckDB writer"]),
            ("airflow: ingest DAGs", [*run_dags, *INGEST_DAGS]),
        ):
            m = self._stage(label, cmd, env=env)
            if m.rc != 0:
                return m
        return self._stage("airflow: transform DAG", [*run_dags, "plcqi_transform"], env=env)

    # -- everything ----------------------------------------------------------------------
    def run(self, scales: list[float]) -> dict:
        self.work.mkdir(parents=True, exist_ok=True)
        started = datetime.now(UTC)
        results = [self.scale(s) for s in scales]
        return {
            "command": "plcqi bench --scales " + ",".join(f"{s:g}" for s in scales),
            "started": started.isoformat(timespec="seconds"),
            "as_of": self.as_of.isoformat(),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "system": platform.platform()},
            "scales": [asdict(r) for r in results],
            "targets": [check for r in results for check in target_checks(r)],
        }


def ratios(r: ScaleResult) -> dict[str, float | None]:
    full = _sum(r.full)
    out = {
        "pipeline s": full,
        "pipeline ÷ scan": _ratio(full, r.scan.seconds if r.scan else None),
        "incremental ÷ full": _ratio(_sum(r.incremental), full) if r.incremental else None,
        "nothing new ÷ full": _ratio(_sum(r.nothing_new), full) if r.nothing_new else None,
        "report ÷ transform": _ratio(r.full["report"].seconds, r.full["transform"].seconds)
        if {"report", "transform"} <= set(r.full) else None,
        "peak MB": max((m.peak_mb for m in r.full.values()), default=None),
    }
    if r.postgres and "transform" in r.full:
        out["Postgres ÷ DuckDB"] = _ratio(r.postgres[0].seconds, r.full["transform"].seconds)
    if r.airflow is not None:
        out["Airflow ÷ plain"] = _ratio(r.airflow.seconds, _sum(r.full, TRANSFORM_WORK))
    return out


def target_checks(r: ScaleResult) -> list[dict]:
    checks = []
    for (name, scale), limit in TARGETS.items():
        if scale is not None and scale != r.scale:
            continue
        value = r.ratios.get(name)
        if value is None:
            continue
        checks.append({"scale": r.scale, "ratio": name, "value": value, "at_most": limit,
                       "met": value <= limit})
    return checks


def table(result: dict) -> str:
    """The figures as a Markdown table: a row per stage, a column per scale."""
    scales = result["scales"]
    head = ["stage"] + [f"scale {s['scale']:g} ({s['rows']:,} rows)" for s in scales]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def cell(m: dict | None) -> str:
        if not m:
            return "–"
        flag = "" if m["rc"] == 0 else f" (exit {m['rc']})"
        return f"{m['seconds']:.1f} s, {m['peak_mb']:,.0f} MB{flag}"

    for name, _ in STAGES:
        lines.append("| " + " | ".join([name] + [cell(s["full"].get(name)) for s in scales])
                     + " |")
    lines.append("| scan limit | " + " | ".join(cell(s["scan"]) for s in scales) + " |")
    lines.append("| largest page | " + " | ".join(
        f"{s['pages'].get('largest_page_mb', 0):.2f} MB of {s['pages'].get('pages', 0):g}"
        for s in scales) + " |")
    names: list[str] = []
    for s in scales:
        names += [k for k in s["ratios"] if k not in names]
    for name in names:
        vals = []
        for s in scales:
            v = s["ratios"].get(name)
            if v is None:
                vals.append("–")
                continue
            unit = "" if name in ("pipeline s", "peak MB") else "×"
            limit = TARGETS.get((name, s["scale"]), TARGETS.get((name, None)))
            mark = "" if limit is None else (" ✓" if v <= limit else f" ✗ (≤ {limit:g}×)")
            vals.append(f"{v:,.2f}{unit}{mark}")
        lines.append("| " + " | ".join([name] + vals) + " |")
    problems = [f"- scale {s['scale']:g}: {p}" for s in scales for p in s["problems"]]
    return "\n".join(lines + ([""] + problems if problems else []))


def default_as_of() -> date:
    """The last day of the last complete month: the generated data then ends with a whole
    month, so no run's newest attendance file is a few days that the volume gate refuses
    as a short load.

    >>> default_as_of() < datetime.now(UTC).date().replace(day=1)
    True
    """
    return datetime.now(UTC).date().replace(day=1) - timedelta(days=1)
