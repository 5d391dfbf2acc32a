"""Exactly once (INPUTS.md "Bad input"): an ingestion killed at any moment and run again, or two
or three at once on one data folder, end as one clean ingestion: the same raw rows, quarantine
rows and log records, and nothing left on disk that no record names.

The kills are real: ``tests/ingest/crash.py`` runs ``plcqi ingest`` in a child process that
SIGKILLs itself before or after its Nth rename (every file plcqi writes is committed by one).
"""

from __future__ import annotations

import re
import shutil
import signal
from dataclasses import asdict
from pathlib import Path

import duckdb

from plcqi.files import is_temporary
from plcqi.ingest import contract
from plcqi.ingest.rawzone import EMPTY_FILE, Zone, parquet_list, read_log
from plcqi.ingest.run import ingest
from tests.helpers import REFERENCE, write_csv, write_reference
from tests.ingest.crash import CHILD_CPU, finished
from tests.ingest.crash import start as crash

ATT = "session_id,participant_id,email,join_time,leave_time\n"
SURVEY = "response_id,cohort_id,grantee_id,participant_id,submitted_at,knowledge_gain\n"
TA = "request_id,grantee_id,submitted_at,topic,request_type,plan_status,updated_at\n"
B = ATT + "S2,P001,,2024-02-15T19:00:00,2024-02-15T20:00:00\n"
EVENTS = {
    # two good rows, one with an unknown session: quarantined
    "attendance/a.csv": ATT
    + "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
    + "S1,P002,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"
    + "S9,P003,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    "attendance/b.csv": B,
    "attendance/b_again.csv": B,  # the same bytes at another path: not loaded twice
    "attendance/broken.csv": "session_id,participant_id\nS1,P001\n",  # rejected
    "surveys/midpoint/m.csv": SURVEY + "M1,K1,G01,P001,2024-03-01T12:00:00,4\n",
    "ta_requests/t.csv": TA
    + "R1,G01,2024-01-02T10:00:00,licensing,p2p,initial,2024-01-02T10:00:00\n",
}
# What a clean ingestion of that landing folder holds, counted by hand.
RAW_ROWS = {"attendance": 3, "surveys/midpoint": 1, "ta_requests": 1, "reference/sessions": 4}
QUARANTINED = {"attendance": 1}


def landing(d: Path) -> Path:
    write_reference(d)
    for rel, text in EVENTS.items():
        write_csv(d / "landing" / rel, text)
    return d


def _rows(con, files: list[Path]) -> list[tuple]:
    if not files:
        return []
    return con.execute(
        f"select * exclude (_loaded_at) from read_parquet({parquet_list(files)}, "
        "union_by_name = true) order by all"
    ).fetchall()


def zone_state(d: Path) -> dict:
    """What the data folder holds, but the load times (and the names made of them)."""
    zone = Zone(d)
    records = []
    for r in read_log(zone):
        rec = asdict(r)
        rec.pop("loaded_at")
        rec["raw_file"], rec["quarantine_file"] = bool(r.raw_file), bool(r.quarantine_file)
        records.append(rec)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        return {
            "raw": {ds.name: _rows(con, zone.raw_files(ds.name)) for ds in contract.DATASETS},
            "quarantine": {
                ds.name: _rows(con, zone.quarantine_files(ds.name)) for ds in contract.DATASETS
            },
            "log": sorted(records, key=lambda x: (x["dataset"], x["file"], x["status"])),
        }
    finally:
        con.close()


def leftovers(d: Path) -> list[str]:
    """Files on disk that no committed record names, and temporary files."""
    named = {d / f for r in read_log(Zone(d)) for f in (r.raw_file, r.quarantine_file) if f}
    data = [p for top in ("raw", "quarantine") for p in (d / top).rglob("*.parquet")]
    orphans = [p for p in data if p.name != EMPTY_FILE and p not in named]
    tmp = [p for p in d.rglob("*") if is_temporary(p)]
    return sorted(p.relative_to(d).as_posix() for p in orphans + tmp)


def clean_run(tmp_path: Path) -> tuple[dict, dict]:
    d = landing(tmp_path / "clean")
    out = tmp_path / "clean.json"
    code, did = finished(crash(d, out), out)
    assert code == 1 and not did["ok"]  # broken.csv is rejected
    state = zone_state(d)
    # the clean run itself, against hand counts
    references = {f"reference/{n[:-4]}": len(t.splitlines()) - 1 for n, t in REFERENCE.items()}
    assert {ds: len(rows) for ds, rows in state["raw"].items() if rows} == {
        **references,
        **RAW_ROWS,
    }
    assert {ds: len(rows) for ds, rows in state["quarantine"].items() if rows} == QUARANTINED
    assert len(state["log"]) == len(REFERENCE) + len(EVENTS)
    assert leftovers(d) == []
    did["targets"] = [Path(t).relative_to(d).as_posix() for t in did["targets"]]
    return state, did


def kill_points(targets: list[str]) -> list[tuple[str, int]]:
    """Moments to kill at, before or after the rename of: the key fingerprint, the first
    schema file, a reference snapshot's record, and the attendance files' data files and
    records (a file with bad rows, the same bytes again, a rejected file), and the last."""

    def at(pattern: str) -> int:
        return next(i for i, t in enumerate(targets, 1) if re.search(pattern, t))

    att = "ingest_log/attendance/"
    records = [i for i, t in enumerate(targets, 1) if t.startswith(att)]
    a_record, b_again, broken = records[0], records[2], records[3]
    return [
        ("before", at("_key_fingerprint")),
        ("after", at(EMPTY_FILE)),
        ("before", at("^ingest_log/reference/centers/")),
        ("after", at("^ingest_log/reference/centers/")),
        ("after", at("^raw/attendance/2")),
        ("before", at("^quarantine/attendance/2")),
        ("after", at("^quarantine/attendance/2")),
        ("before", a_record),
        ("after", a_record),
        ("before", b_again),
        ("after", b_again),
        ("before", broken),
        ("after", broken),
        ("after", len(targets)),
    ]


def test_killed_ingestion_run_again_ends_as_one_clean_run(tmp_path):
    clean, did = clean_run(tmp_path)
    targets = did["targets"]
    points = kill_points(targets)
    template = tmp_path / "clean" / "landing"
    survived, failed = 0, []
    for i, (when, n) in enumerate(points):
        d = tmp_path / f"kill{i}"
        shutil.copytree(template, d / "landing")
        out = tmp_path / "kill.json"
        code, _ = finished(crash(d, out, **{when: n}), out)
        assert code == -signal.SIGKILL, (when, n, code)
        report = ingest(d)
        assert [r.file for r in report.rejected] == ["attendance/broken.csv"]
        left = leftovers(d)
        if zone_state(d) == clean and not left:
            survived += 1
        else:
            failed.append((when, n, targets[n - 1], left))
        shutil.rmtree(d)
    print(f"\nkill points survived: {survived} of {len(points)} (child CPU {sum(CHILD_CPU):.1f} s)")
    assert len(points) >= 10
    assert failed == []


def test_two_and_three_concurrent_ingestions_equal_one_clean_run(tmp_path):
    clean, did = clean_run(tmp_path)
    assert len(did["loaded"]) == len(REFERENCE) + len(EVENTS) - 1
    for n in (2, 3):
        d = landing(tmp_path / f"race{n}")
        outs = [tmp_path / f"race{n}_{i}.json" for i in range(n)]
        procs = [crash(d, out, slow=0.02) for out in outs]
        results = [finished(p, out) for p, out in zip(procs, outs, strict=True)]
        assert [code for code, _ in results] == [1] * n  # each sees broken.csv rejected
        assert zone_state(d) == clean
        assert leftovers(d) == []
        # every file was loaded by exactly one of them; the others found nothing left to do
        loaded = sorted(f for _, did_i in results for f in did_i["loaded"])
        assert loaded == sorted(did["loaded"])
    print(f"\nraces of 2 and 3: as one clean run (child CPU {sum(CHILD_CPU):.1f} s)")
