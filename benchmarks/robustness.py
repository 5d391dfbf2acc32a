"""Races, crashes and hostile input, end to end: every finding of issue 13, rerun.

Each scenario builds a small generated data folder (``plcqi generate --scale 0.1``), does to
it what an operator or a hostile file would (two ingests at once, a SIGKILL mid-run, a formula
in a grantee's name…), runs the real commands as separate processes, and compares what is left
with a clean run. It prints one line per scenario (what was tried, what happened, ok or not)
and can write the lot as JSON::

    uv run --frozen python benchmarks/robustness.py                 # every scenario
    uv run --frozen python benchmarks/robustness.py --only kill      # names containing "kill"
    uv run --frozen python benchmarks/robustness.py --out rob.json --kills 12

It is a check to run by hand (several minutes on 2 cores), not a test: the tests under
``tests/`` cover the same behaviours one by one. The tracker scenario needs PostgreSQL
(``PLCQI_TEST_PG_DSN``, default the local server); it creates and drops its own database.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

AS_OF = "2026-06-30"
SECRET = "robustness-check-key-0123456789abcdef"  # >= 32 bytes, not a real secret
OTHER_SECRET = "robustness-check-other-key-0123456789"
NAMES_OF_PEOPLE = re.compile(r"^(full_name|name|attendee)$", re.I)
INTERNALS = re.compile(
    r"Traceback|pyarrow|ArrowInvalid|CSV parse|duckdb\.|IOException|Error:|Exception|"
    r"UnicodeDecodeError|errno|0x[0-9a-f]{2}|straddl|block size|try to increase",
    re.I,
)


@dataclass
class Outcome:
    name: str
    tried: str
    happened: str = ""
    ok: bool = False
    seconds: float = 0.0
    details: dict = field(default_factory=dict)


# --- running the real commands -------------------------------------------------------------


def env(data_dir: Path, secret: str | None = SECRET, **extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("PLCQI_")}
    e["PLCQI_DATA_DIR"] = str(data_dir)
    if secret is not None:
        e["PLCQI_PII_SECRET"] = secret
    e.update(extra)
    return e


def plcqi(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "plcqi"), *args]


def start(data_dir: Path, *args: str, secret: str | None = SECRET, **extra: str):
    return subprocess.Popen(
        plcqi(*args, "--data-dir", str(data_dir)),
        env=env(data_dir, secret, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def run(data_dir: Path, *args: str, secret: str | None = SECRET, timeout: int = 900, **extra):
    p = start(data_dir, *args, secret=secret, **extra)
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def kill(p: subprocess.Popen) -> None:
    """SIGKILL the command and every process it started (dbt runs in-process; Chromium not)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(p.pid, signal.SIGKILL)
    p.communicate()


def as_of(*args: str) -> list[str]:
    return [*args, "--as-of", AS_OF]


# --- what a data folder holds --------------------------------------------------------------


def raw_state(data_dir: Path) -> dict:
    """Per dataset: committed current raw rows, quarantine rows; log records by status; and
    the files on disk that no reader lists (leftovers)."""
    from plcqi.ingest import contract
    from plcqi.ingest.rawzone import KEY_FINGERPRINT, Zone, read_log

    zone = Zone(data_dir)
    con = duckdb.connect()
    state: dict = {"raw": {}, "quarantine": {}, "log": {}}
    listed = set()
    for ds in contract.DATASETS:
        files = zone.raw_files(ds.name)
        listed.update(files)
        state["raw"][ds.name] = _rows(con, files)
        q = zone.quarantine_files(ds.name)
        listed.update(q)
        state["quarantine"][ds.name] = _rows(con, q)
    for r in read_log(zone):
        key = f"{r.dataset} {r.status}"
        state["log"][key] = state["log"].get(key, 0) + 1
    on_disk = {
        p
        for top in ("raw", "quarantine")
        for p in (data_dir / top).rglob("*")
        if p.is_file() and not p.name.startswith("00000000T000000000000Z__empty")
    } - {data_dir / "raw" / KEY_FINGERPRINT}  # the key's record, not data
    state["unlisted_files"] = len(on_disk - listed)
    return state


def _rows(con, files: list[Path]) -> int:
    if not files:
        return 0
    from plcqi import sql

    ((n,),) = con.execute(
        f"select count(*) from read_parquet({sql.list_literal(str(f) for f in files)})"
    ).fetchall()
    return n


def comparable(state: dict) -> dict:
    return {k: v for k, v in state.items() if k != "unlisted_files"}


def marts_checksum(data_dir: Path) -> dict[str, tuple] | None:
    """Every marts table's row count and an order-free hash of its rows, read-only."""
    from plcqi import paths

    path = paths.warehouse(data_dir)
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        out = {}
        for t in tables:
            out[t] = tuple(
                con.execute(
                    f'select count(*), coalesce(sum(hash(x)), 0) from marts."{t}" x'
                ).fetchone()
            )
        return out
    finally:
        con.close()


# --- the data ------------------------------------------------------------------------------

_BASE: Path | None = None


def base(work: Path) -> Path:
    """One generated landing folder (contract files only), copied by every scenario."""
    global _BASE
    if _BASE is None:
        _BASE = work / "base"
        code, _, err = run(
            _BASE, "generate", "--scale", "0.1", "--as-of", AS_OF, "--native", "none"
        )
        assert code == 0, err
    return _BASE


def fresh(work: Path, name: str) -> Path:
    target = work / name
    shutil.copytree(base(work), target)
    return target


def csv_rows(path: Path) -> tuple[list[str], list[dict]]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    rows = [{k.strip().lower(): v for k, v in r.items()} for r in reader]
    return header, rows


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    out = io.StringIO()
    w = csv.DictWriter(out, header, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def first(data_dir: Path, folder: str) -> Path:
    return sorted((data_dir / "landing" / folder).glob("*.csv"))[-1]


# --- scenarios -----------------------------------------------------------------------------


def clean_ingest(work: Path) -> dict:
    d = fresh(work, "clean")
    code, _, err = run(d, "ingest")
    return {"code": code, "state": raw_state(d), "dir": d}


_CLEAN: dict | None = None


def clean(work: Path) -> dict:
    global _CLEAN
    if _CLEAN is None:
        _CLEAN = clean_ingest(work)
    return _CLEAN


def s_concurrent_ingests(work: Path, n: int) -> Outcome:
    o = Outcome(f"{n} ingests at once", f"{n} `plcqi ingest` on one data folder at once")
    d = fresh(work, f"concurrent{n}")
    procs = [start(d, "ingest") for _ in range(n)]
    results = [(p.wait(), *p.communicate()) for p in procs]
    state = raw_state(d)
    same = comparable(state) == comparable(clean(work)["state"])
    codes = [r[0] for r in results]
    o.ok = same and state["unlisted_files"] == 0 and all(c in (0, 1) for c in codes)
    o.happened = (
        f"exit codes {codes}; raw rows {sum(state['raw'].values())} vs clean "
        f"{sum(clean(work)['state']['raw'].values())}; "
        + ("equal to one clean ingest" if same else "DIFFERS from a clean ingest")
        + f"; {state['unlisted_files']} file(s) on disk that no reader lists"
    )
    o.details = {"codes": codes, "stderr": [r[2][-500:] for r in results]}
    return o


def s_kill_ingest(work: Path, points: int) -> Outcome:
    o = Outcome(
        "SIGKILL during ingest",
        f"kill `plcqi ingest` at {points} moments, then run it again",
    )
    d = fresh(work, "kill-timing")
    t0 = time.monotonic()
    code, _, _ = run(d, "ingest")
    duration = time.monotonic() - t0
    survived, tried, notes = 0, 0, []
    for i in range(1, points + 1):
        d = fresh(work, f"kill-ingest-{i}")
        delay = 0.8 + (duration - 0.8) * i / (points + 1)  # past the interpreter's start
        p = start(d, "ingest")
        time.sleep(delay)
        kill(p)
        code, _, err = run(d, "ingest")
        state = raw_state(d)
        tried += 1
        same = comparable(state) == comparable(clean(work)["state"])
        if code == 0 and same and state["unlisted_files"] == 0:
            survived += 1
            continue
        notes.append(f"kill at {delay:.1f}s: rerun exit {code}, {state}")
        shutil.rmtree(d, ignore_errors=True)
    o.ok = survived == tried
    o.happened = f"{survived} of {tried} kill points ended as one clean ingest"
    o.details = {"notes": notes, "ingest_seconds": duration}
    return o


def _built(work: Path, name: str, hold_back: int = 0) -> tuple[Path, list[Path]]:
    """A data folder ingested and built, with its newest ``hold_back`` attendance files kept
    aside (returned) for a later delivery."""
    d = fresh(work, name)
    held = sorted((d / "landing" / "attendance").glob("*.csv"))[-hold_back:] if hold_back else []
    aside = d.parent / f"{name}-held"
    aside.mkdir(exist_ok=True)
    for f in held:
        shutil.move(f, aside / f.name)
    for args in (("ingest",), as_of("transform")):
        code, _, err = run(d, *args)
        assert code == 0, err[-2000:]
    return d, sorted(aside.glob("*.csv"))


def s_ingest_during_transform(work: Path) -> Outcome:
    o = Outcome(
        "ingest during transform",
        "a new attendance file ingested while `plcqi transform` runs",
    )
    d, held = _built(work, "ingest-during", hold_back=3)
    reference = work / "ingest-during-ref"
    shutil.copytree(d, reference)
    code, _, err = run(reference, *as_of("transform"))
    expected = marts_checksum(reference)
    p = start(d, *as_of("transform"))
    time.sleep(4)
    for f in held:
        shutil.copy(f, d / "landing" / "attendance" / f.name)
    icode, _, ierr = run(d, "ingest")
    out, err = p.communicate()
    got = marts_checksum(d)
    o.ok = p.returncode == 0 and icode == 0 and got == expected
    o.happened = (
        f"transform exit {p.returncode}, ingest exit {icode}; the build's marts "
        + ("equal those of the raw zone as it was when it started" if got == expected
           else "MIX two states of the raw zone")
    )
    o.details = {"stderr": err[-1500:] + ierr[-500:]}
    return o


def s_kill_transform(work: Path, points: int) -> Outcome:
    o = Outcome(
        "SIGKILL during transform",
        f"kill `plcqi transform` at {points} moments, read the marts, run it again",
    )
    d, held = _built(work, "kill-transform", hold_back=3)
    before = marts_checksum(d)
    for f in held:
        shutil.copy(f, d / "landing" / "attendance" / f.name)
    code, _, err = run(d, "ingest")
    after_dir = work / "kill-transform-after"
    shutil.copytree(d, after_dir)
    t0 = time.monotonic()
    run(after_dir, *as_of("transform"))
    duration = time.monotonic() - t0
    after = marts_checksum(after_dir)
    survived, notes = 0, []
    for i in range(1, points + 1):
        k = work / f"kill-transform-{i}"
        shutil.copytree(d, k)
        delay = 1.0 + duration * i / (points + 1)
        p = start(k, *as_of("transform"))
        time.sleep(delay)
        kill(p)
        seen = marts_checksum(k)
        rcode, rout, rerr = run(k, *as_of("report"))
        code, _, err = run(k, *as_of("transform"))
        final = marts_checksum(k)
        whole = seen in (before, after)
        if whole and rcode == 0 and code == 0 and final == after:
            survived += 1
            shutil.rmtree(k, ignore_errors=True)
        else:
            notes.append(
                f"kill at {delay:.1f}s: marts {'whole' if whole else 'MIXED'}, report exit "
                f"{rcode}, rerun exit {code}, rerun {'clean' if final == after else 'DIFFERS'}"
                f" {rerr[-300:]} {err[-300:]}"
            )
    o.ok = survived == points
    o.happened = f"{survived} of {points} kill points left whole marts, a report, a clean rerun"
    o.details = {"notes": notes, "transform_seconds": duration}
    return o


def _plain_or_ok(code: int, err: str) -> bool:
    """Exit 0, or a refusal in plain words: no traceback, at most a few lines."""
    if "Traceback" in err or "IOException" in err:
        return False
    return code == 0 or len([line for line in err.splitlines() if line.strip()]) <= 3


def s_pairs(work: Path) -> Outcome:
    o = Outcome(
        "reports and transforms at once",
        "report during transform; transform during report; two transforms",
    )
    d, _ = _built(work, "pairs")
    results = {}
    for label, first_args, second_args in (
        ("report during transform", as_of("transform"), as_of("report")),
        ("transform during report", as_of("report"), as_of("transform")),
        ("two transforms", as_of("transform"), as_of("transform")),
    ):
        a = start(d, *first_args)
        time.sleep(2)
        b = start(d, *second_args)
        (_ao, ae), (_bo, be) = a.communicate(), b.communicate()
        results[label] = (a.returncode, b.returncode, _plain_or_ok(a.returncode, ae)
                          and _plain_or_ok(b.returncode, be), (ae + be)[-800:])
    o.ok = all(r[2] for r in results.values()) and marts_checksum(d) is not None
    o.happened = "; ".join(f"{k}: exits {r[0]}/{r[1]}" + ("" if r[2] else " (TRACEBACK)")
                           for k, r in results.items())
    o.details = {k: r[3] for k, r in results.items()}
    return o


def s_corrected_reexport(work: Path) -> Outcome:
    o = Outcome("corrected re-export", "a polls file re-exported with 5 rows removed")
    d = fresh(work, "reexport")
    f = first(d, "polls")
    code, _, err = run(d, "ingest")
    before = raw_state(d)["raw"]["polls"]
    header, rows = csv_rows(f)
    write_csv(f, header, rows[5:])
    code2, _, err2 = run(d, "ingest")
    after = raw_state(d)
    ref = fresh(work, "reexport-ref")
    write_csv(first(ref, "polls"), header, rows[5:])
    run(ref, "ingest")
    expected = raw_state(ref)["raw"]["polls"]
    log = after["log"].get("polls loaded", 0) + after["log"].get("polls superseded", 0)
    o.ok = after["raw"]["polls"] == expected and code2 == 0
    o.happened = (
        f"poll responses {before} -> {after['raw']['polls']} (a clean ingest of the "
        f"corrected folder: {expected}); log records for polls: {log}"
    )
    return o


def s_keys(work: Path) -> Outcome:
    o = Outcome(
        "pseudonymization keys",
        "ingest with key A, then another key, no key, a change-me key, a short key; "
        "the demo key on data that is not the generated demo",
    )
    d = fresh(work, "keys")
    run(d, "ingest", "--source", "reference")
    new = d / "landing" / "attendance" / "extra.csv"
    shutil.copy(first(d, "attendance"), new)
    rows = {}
    for label, secret in (
        ("other key", OTHER_SECRET),
        ("no key (demo key)", None),
        ("change-me key", "change-me-pii-key-0123456789abcdefgh"),
        ("short key", "too-short"),
    ):
        code, out, err = run(d, "ingest", "--source", "attendance", secret=secret)
        rows[label] = (code, (err or out).strip().splitlines()[-1:] if (err or out) else [])
    state = raw_state(d)
    nothing_loaded = state["raw"]["attendance"] == 0 and state["quarantine"]["attendance"] == 0
    undemo = fresh(work, "keys-demo")
    for marker in list(undemo.glob("*.json")) + list((undemo / "landing").glob(".*")):
        marker.unlink()
    dcode, dout, derr = run(undemo, "ingest", secret=None)
    refused = all(code != 0 for code, _ in rows.values()) and dcode != 0
    o.ok = refused and nothing_loaded
    o.happened = "; ".join(f"{k}: exit {c} {m}" for k, (c, m) in rows.items()) + (
        f"; demo key on other data: exit {dcode} {(derr or dout).strip().splitlines()[-1:]}"
        f"; attendance rows loaded or quarantined meanwhile: "
        f"{state['raw']['attendance'] + state['quarantine']['attendance']}"
    )
    return o


def _ingest_message(d: Path, file: Path) -> str:
    from plcqi.ingest.rawzone import Zone, read_log

    rel = file.relative_to(d / "landing").as_posix()
    records = [r for r in read_log(Zone(d)) if r.file == rel]
    if not records:
        return "(no log record)"
    r = records[-1]
    msg = f"{r.status}: {r.message}"
    if r.quarantine_file:  # what the quarantine says of each row set aside
        from plcqi import sql

        listing = sql.literal(str(d / r.quarantine_file))
        rows = duckdb.sql(
            f"select _row, \"column\", reason from read_parquet({listing}) order by _row limit 3"
        ).fetchall()
        msg += "".join(f" | row {n} {c}: {why}" for n, c, why in rows)
    return msg


def _with_cell(header: str, line: str, column: str, value: str) -> str:
    """A CSV line of plain cells with ``column``'s cell replaced by ``value``."""
    cells = line.split(",")
    cells[header.split(",").index(column)] = value
    return ",".join(cells)


def _workbook(header: str, body: list[str]) -> bytes:
    """The same rows saved as an Excel workbook, as a user exporting "to Excel" would."""
    from openpyxl import Workbook

    wb = Workbook()
    for line in [header, *body]:
        wb.active.append(line.split(","))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def s_messages(work: Path) -> Outcome:
    o = Outcome(
        "file rejections in plain words",
        "an open quote, CR-only lines, BOM-less UTF-16, a 3 MB cell (its row quarantined, "
        "naming row and column), an .xlsx, an empty file, NUL bytes",
    )
    d = fresh(work, "messages")
    run(d, "ingest", "--source", "reference")
    att = d / "landing" / "attendance"
    src = first(d, "attendance").read_text(encoding="utf-8-sig").splitlines()
    header, body = src[0], src[1:8]
    cases = {
        "open_quote.csv": "\n".join([header, *body[:3], body[3].replace(",", ',"', 1),
                                     *body[4:]]) + "\n",
        "cr_only.csv": "\r".join([header, *body]) + "\r",
        "utf16.csv": ("\n".join([header, *body]) + "\n").encode("utf-16-le"),
        "huge_cell.csv": "\n".join([header, _with_cell(header, body[0], "email", "x" * 3_000_000),
                                    *body[1:]]) + "\n",
        "workbook.xlsx": _workbook(header, body),
        "empty.csv": "",
        "nul.csv": "\n".join([header, body[0] + "\x00\x00", *body[1:]]) + "\n",
    }
    for name, content in cases.items():
        p = att / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    code, out, err = run(d, "ingest", "--source", "attendance")
    expect = {  # what a plain message must say, besides the file's name
        "open_quote.csv": r"rejected: .*quote.*line 5\b",
        "cr_only.csv": r"^loaded: |rejected: .*(carriage|line end)",
        "utf16.csv": r"rejected: .*UTF-16",
        "huge_cell.csv": r"^loaded: .*row 1 email: .*3,000,000 characters.*over the limit",
        "workbook.xlsx": r"rejected: [^:]*: is an Excel workbook.*CSV",
        "empty.csv": r"rejected: .*empty",
        "nul.csv": r"^loaded: ",
    }
    lines, bad = {}, []
    for name in cases:
        msg = _ingest_message(d, att / name)
        lines[name] = msg
        plain = not INTERNALS.search(msg) and name.split(".")[0] in msg or msg.startswith("loaded")
        if not plain or not re.search(expect[name], msg, re.I | re.S) or "Traceback" in err:
            bad.append(name)
    o.ok = not bad
    o.happened = f"{len(cases) - len(bad)} of {len(cases)} files get a plain, precise message" + (
        f" (not: {', '.join(bad)})" if bad else ""
    )
    o.details = lines
    return o


def _modify(d: Path, folder: str, edit: Callable[[list[str], list[dict]], None]) -> None:
    for f in sorted((d / "landing" / folder).glob("*.csv")):
        header, rows = csv_rows(f)
        edit(header, rows)
        write_csv(f, header, rows)


def _full_run(d: Path, *report_args: str) -> tuple[int, str]:
    code, out, err = run(d, *as_of("run"))
    if report_args:
        code2, out2, err2 = run(d, *as_of("report"), *report_args)
        return max(code, code2), err + err2
    return code, err


def s_hostile_labels(work: Path) -> Outcome:
    o = Outcome(
        "hostile labels",
        "a bell character in a poll question; a grantee 'Alaska (see the online= portal)'",
    )
    d = fresh(work, "labels")

    def bell(header, rows):
        for r in rows[:50]:
            r["question_text"] = "Was it \x07useful?"

    _modify(d, "polls", bell)
    g = d / "landing" / "reference" / "grantees.csv"
    header, rows = csv_rows(g)
    rows[0]["grantee_name"] = "Alaska (see the online= portal)"
    write_csv(g, header, rows)
    code, err = _full_run(d)
    pages = list((d / "reports").rglob("*.html"))
    o.ok = code == 0 and len(pages) > 3
    o.happened = f"`plcqi run` exit {code}, {len(pages)} pages written" + (
        "" if code == 0 else f": {err.strip().splitlines()[-1:]}"
    )
    return o


def s_implausible_and_ids(work: Path) -> Outcome:
    o = Outcome(
        "implausible dates and ids",
        "leave_time 9999-12-31; center ids 'index.html' and '../x'; run twice",
    )
    d = fresh(work, "implausible")
    f = first(d, "attendance")
    header, rows = csv_rows(f)
    rows[0]["leave_time"] = "9999-12-31T00:00:00"
    write_csv(f, header, rows)
    c = d / "landing" / "reference" / "centers.csv"
    header, rows = csv_rows(c)
    rows.append({**rows[0], "center_id": "index.html", "center_name": "Index Center"})
    rows.append({**rows[0], "center_id": "../x", "center_name": "Escape Center"})
    write_csv(c, header, rows)
    code1, err1 = _full_run(d)
    code2, err2 = _full_run(d)
    from plcqi.ingest.rawzone import Zone

    con = duckdb.connect()
    q = Zone(d).quarantine_files()
    reasons = [r for (r,) in con.execute(
        "select reason from read_parquet(?) where reason ilike '%implausib%' "
        "or reason ilike '%id%charact%' or reason ilike '%not a valid id%'",
        [[str(p) for p in q]]).fetchall()] if q else []
    dq = list((d / "reports" / "data-quality").glob("*.html"))
    escaped = (d / "x").exists() or (d / "reports" / "index.html").is_dir()
    o.ok = code2 == 0 and len(reasons) >= 2 and bool(dq) and not escaped
    o.happened = (
        f"run exits {code1}, {code2}; {len(reasons)} rows quarantined as implausible or "
        f"bad ids; data-quality pages {len(dq)}; "
        + ("a report path escaped or collided" if escaped else "no report path collided")
    )
    o.details = {"reasons": reasons[:5], "stderr": (err1 + err2)[-800:]}
    return o


def s_quote_in_path(work: Path) -> Outcome:
    o = Outcome("a quote in the data folder's path", "`plcqi run` in a folder named o'brien")
    d = work / "o'brien"
    shutil.copytree(base(work), d)
    code, err = _full_run(d)
    o.ok = code == 0
    o.happened = f"exit {code}" + ("" if code == 0 else f": {err.strip().splitlines()[-3:]}")
    return o


_FORMULAS = ("-1+cmd|' /C calc'!A0", '+1+HYPERLINK("http://example.invalid","x")',
             "=2+5", "@SUM(1)")
_DANGER = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


def csv_cells(reports: Path) -> list[str]:
    """Every cell of every CSV the reports offer: files, and data: URIs inside pages."""
    cells: list[str] = []
    texts = [p.read_text(encoding="utf-8-sig") for p in reports.rglob("*.csv")]
    for page in reports.rglob("*.html"):
        for m in re.finditer(r"data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)",
                             page.read_text(encoding="utf-8")):
            texts.append(base64.b64decode(m.group(1)).decode("utf-8-sig"))
    for t in texts:
        for row in csv.reader(io.StringIO(t)):
            cells.extend(row)
    return cells


def s_csv_formulas(work: Path) -> Outcome:
    o = Outcome("formulas in CSV downloads",
                "grantee names, cohort labels and poll questions that are spreadsheet formulas")
    d = fresh(work, "formulas")
    g = d / "landing" / "reference" / "grantees.csv"
    header, rows = csv_rows(g)
    for i, r in enumerate(rows[:8]):
        r["grantee_name"] = _FORMULAS[i % len(_FORMULAS)]
    write_csv(g, header, rows)
    c = d / "landing" / "reference" / "cohorts.csv"
    header, rows = csv_rows(c)
    for i, r in enumerate(rows):
        r["label"] = _FORMULAS[i % len(_FORMULAS)]
    write_csv(c, header, rows)
    code, err = _full_run(d)
    cells = csv_cells(d / "reports")
    dangerous = [x for x in cells if _DANGER.match(x) and not _NUMBER.match(x.strip())]
    o.ok = code == 0 and not dangerous and len(cells) > 100
    o.happened = (f"exit {code}; {len(cells)} CSV cells, {len(dangerous)} start with = + - @ "
                  "tab or CR and are not numbers")
    o.details = {"examples": dangerous[:10]}
    return o


def s_personal_data(work: Path) -> Outcome:
    o = Outcome(
        "personal data",
        "an extra 'attendee' column of full names; names and e-mails in survey comments; "
        "reports with --include-comments",
    )
    d = fresh(work, "pii")
    _, people = csv_rows(d / "landing" / "reference" / "participants.csv")
    by_id = {p["participant_id"]: p for p in people}
    names = sorted({p["full_name"] for p in people if p.get("full_name")}, key=len)
    emails = sorted({p["email"] for p in people if p.get("email")})

    def attendee(header, rows):
        if "attendee" not in header:
            header.append("attendee")
        for r in rows:
            p = by_id.get(r.get("participant_id") or "")
            r["attendee"] = p["full_name"] if p else ""

    def comment(header, rows):
        for r in rows:
            p = by_id.get(r.get("participant_id") or "")
            if p:
                r["comments"] = (f"Thanks to {p['full_name']} ({p['email']}), call "
                                 "202-555-0143. Great session!")

    _modify(d, "attendance", attendee)
    _modify(d, "surveys/midpoint", comment)
    _modify(d, "surveys/six_month", comment)
    code, err = _full_run(d, "--include-comments")
    hits = scan(d, names, emails)
    o.ok = code == 0 and not hits
    o.happened = (f"exit {code}; {len(names)} names and {len(emails)} e-mails looked for in "
                  f"every output: {sum(hits.values())} hits in {len(hits)} files")
    o.details = {"hits": dict(list(hits.items())[:10])}
    return o


def scan(d: Path, names: list[str], emails: list[str]) -> dict[str, int]:
    """Occurrences of each name or e-mail in every file under the data folder except the
    landing zone (Parquet and DuckDB files decoded: their text columns read back)."""
    needles = [n.lower() for n in names + emails if len(n) >= 5]
    pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
    hits: dict[str, int] = {}
    con = duckdb.connect()
    for p in d.rglob("*"):
        if not p.is_file() or "landing" in p.relative_to(d).parts:
            continue
        if p.suffix == ".parquet":
            text = "\n".join(
                str(row) for row in con.execute("select * from read_parquet(?)", [str(p)])
                .fetchall()
            )
        elif p.suffix == ".duckdb":
            text = _duckdb_text(p)
        elif p.name == "generator_manifest.json":
            continue
        else:
            text = p.read_bytes().decode("utf-8", "replace")
            for m in re.finditer(r"base64,([A-Za-z0-9+/=]{8,})", text):
                text += base64.b64decode(m.group(1) + "==").decode("utf-8", "replace")
        n = len(pattern.findall(text.lower()))
        if n:
            hits[p.relative_to(d).as_posix()] = n
    return hits


def _duckdb_text(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        parts = []
        for schema, table, column in rows:
            parts += [str(v) for (v,) in con.execute(
                f'select distinct "{column}" from "{schema}"."{table}"').fetchall()]
        return "\n".join(parts)
    finally:
        con.close()


def s_tracker_lookback(work: Path) -> Outcome:
    o = Outcome(
        "tracker pull, late commit",
        "a change row committed after a pull with an updated_at older than the watermark",
    )
    import psycopg

    dsn = os.environ.get("PLCQI_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
    db = f"plcqi_rob_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'create database "{db}"')
    tracker = re.sub(r"/[^/]*$", f"/{db}", dsn)
    try:
        d = fresh(work, "tracker")
        code, _, err = run(d, "generate", "--scale", "0.1", "--as-of", AS_OF,
                           "--native", "none", "--tracker-dsn", tracker)
        run(d, "ingest", "--source", "reference")
        code1, _, err1 = run(d, "ingest", "--source", "ta_requests_db", "--tracker-dsn", tracker)
        first_rows = raw_state(d)["raw"]["ta_requests"]
        table = os.environ.get("PLCQI_TRACKER_TABLE", "tracker.ta_requests")
        with psycopg.connect(tracker, autocommit=True) as c:
            cols = [r[0] for r in c.execute(f"select * from {table} limit 0").description]
            (maxu,) = c.execute(f"select max(updated_at) from {table}").fetchone()
            row = c.execute(f"select * from {table} order by updated_at desc limit 1").fetchone()
            late = dict(zip(cols, row, strict=True))
            late["request_id"] = late["request_id"] + "-late"
            late["updated_at"] = maxu - __import__("datetime").timedelta(minutes=5)
            late["submitted_at"] = late["updated_at"]
            c.execute(
                f"insert into {table} ({', '.join(late)}) values "
                f"({', '.join(['%s'] * len(late))})", list(late.values()))
        code2, _, err2 = run(d, "ingest", "--source", "ta_requests_db", "--tracker-dsn", tracker)
        code3, _, err3 = run(d, "ingest", "--source", "ta_requests_db", "--tracker-dsn", tracker)
        rows = raw_state(d)["raw"]["ta_requests"]
        o.ok = rows == first_rows + 1 and code2 == 0 and code3 == 0
        o.happened = (f"first pull {first_rows} change rows; after the late commit and two "
                      f"more pulls {rows} (expected {first_rows + 1})")
        o.details = {"stderr": (err1 + err2 + err3)[-800:]}
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'drop database if exists "{db}" with (force)')
    return o


def scenarios(kills: int) -> list[tuple[str, Callable[[Path], Outcome]]]:
    return [
        ("concurrent-2", lambda w: s_concurrent_ingests(w, 2)),
        ("concurrent-3", lambda w: s_concurrent_ingests(w, 3)),
        ("kill-ingest", lambda w: s_kill_ingest(w, kills)),
        ("ingest-during-transform", s_ingest_during_transform),
        ("kill-transform", lambda w: s_kill_transform(w, kills)),
        ("pairs", s_pairs),
        ("reexport", s_corrected_reexport),
        ("keys", s_keys),
        ("messages", s_messages),
        ("labels", s_hostile_labels),
        ("implausible-ids", s_implausible_and_ids),
        ("quote-in-path", s_quote_in_path),
        ("csv-formulas", s_csv_formulas),
        ("personal-data", s_personal_data),
        ("tracker-lookback", s_tracker_lookback),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="run the scenarios whose name contains this")
    ap.add_argument("--kills", type=int, default=10, help="kill points per kill scenario")
    ap.add_argument("--out", type=Path, help="write the outcomes as JSON")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="plcqi-robustness-"))
    work.mkdir(parents=True, exist_ok=True)
    outcomes = []
    try:
        for name, fn in scenarios(args.kills):
            if args.only and args.only not in name:
                continue
            t0 = time.monotonic()
            try:
                o = fn(work)
            except Exception as e:  # noqa: BLE001 - a scenario that breaks is a finding
                o = Outcome(name, "(see the scenario)", f"the check itself failed: {e!r}")
            o.seconds = round(time.monotonic() - t0, 1)
            outcomes.append(o)
            print(f"{'ok ' if o.ok else 'NO '} {o.name}: {o.happened}  [{o.seconds}s]",
                  flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{sum(o.ok for o in outcomes)} of {len(outcomes)} scenarios end as a clean run "
          "would or with a clear message")
    if args.out:
        args.out.write_text(json.dumps([asdict(o) for o in outcomes], indent=2, default=str))
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
