"""Ingestion throughput at growing scale, and against a row-by-row Python baseline.

    uv run python benchmarks/bench_ingest.py [--scales 1,5,20] [--work DIR]

For each scale: generate a landing folder, ingest it once, and print rows, seconds, rows per
second and the throughput relative to the smallest scale (near 1.0 or above = extraction
scales linearly). For the attendance files of the largest scale, also time a plain
row-by-row Python path doing the same checks, hashing and Parquet writing, and print the
ratio between it and the vectorized path. Not a test: nothing fails on
a slow day; it prints figures to quote with this command.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from plcqi.generate import generate
from plcqi.ingest.run import ingest


def python_baseline(files: list[Path], data_dir: Path, out: Path) -> tuple[int, float]:
    """The row-by-row alternative for attendance, doing the same work as plcqi's path: trim,
    required values, ISO datetimes, leave >= join, session and participant keys checked
    against the reference, keyed hashes of ids and e-mails, good rows written to Parquet."""
    import hmac
    from hashlib import sha256

    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    key = b"benchmark-key"
    raw = data_dir / "raw" / "reference"
    sessions = {r[0] for r in duckdb.sql(
        f"select session_id from read_parquet('{raw}/sessions/2*.parquet')").fetchall()}
    people = duckdb.sql(
        f"select participant_key, email_key from read_parquet('{raw}/participants/2*.parquet')"
    ).fetchall()
    # the raw zone's keys are under another secret: re-key the ids from the landing file
    with (data_dir / "landing/reference/participants.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    ids = {hmac.new(key, r["participant_id"].encode(), sha256).hexdigest() for r in rows}
    emails = {hmac.new(key, r["email"].strip().lower().encode(), sha256).hexdigest()
              for r in rows if r["email"]}
    del people
    start = time.perf_counter()
    n = 0
    for i, f in enumerate(files):
        cols: dict[str, list] = {k: [] for k in
                                 ("session_id", "participant_key", "email_key", "join", "leave")}
        with f.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = [h.strip().lower() for h in next(reader)]
            at = {h: j for j, h in enumerate(header)}
            for row in reader:
                n += 1
                try:
                    sid = row[at["session_id"]].strip()
                    pid = row[at["participant_id"]].strip()
                    email = row[at["email"]].strip().lower() if "email" in at else ""
                    join = datetime.fromisoformat(row[at["join_time"]].strip())
                    leave = datetime.fromisoformat(row[at["leave_time"]].strip())
                except (ValueError, IndexError):
                    continue
                pk = hmac.new(key, pid.encode(), sha256).hexdigest() if pid else None
                ek = hmac.new(key, email.encode(), sha256).hexdigest() if email else None
                if sid not in sessions or leave < join:
                    continue
                if (pk and pk not in ids) or (not pk and ek not in emails):
                    continue
                for k, v in zip(cols, (sid, pk, ek, join, leave), strict=True):
                    cols[k].append(v)
        pq.write_table(pa.table(cols), out / f"{i}.parquet")
    return n, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,5,20")
    parser.add_argument("--work", default=None, help="scratch folder (default: a temp dir)")
    args = parser.parse_args()
    scales = [float(s) for s in args.scales.split(",")]
    work = Path(args.work or tempfile.mkdtemp(prefix="plcqi-bench-"))
    print(f"{'scale':>6} {'rows':>10} {'ingest s':>9} {'rows/s':>10} {'vs first':>9}")
    first = None
    last_dir = None
    for scale in scales:
        d = work / f"scale-{scale:g}"
        shutil.rmtree(d, ignore_errors=True)
        generate(d, seed=7, scale=scale, as_of=date(2026, 6, 30))
        start = time.perf_counter()
        report = ingest(d)
        seconds = time.perf_counter() - start
        rows = report.totals()["rows_read"]
        rate = rows / seconds
        first = first or rate
        print(f"{scale:>6g} {rows:>10} {seconds:>9.2f} {rate:>10.0f} {rate / first:>9.2f}")
        last_dir = d
    files = sorted((last_dir / "landing" / "attendance").glob("*.csv"))
    att = [r for r in report.records if r.dataset == "attendance"]
    att_rows = sum(r.rows_read for r in att)
    # time attendance alone through the real path, in a fresh folder
    fresh = work / "attendance-only"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(last_dir / "landing", fresh / "landing")
    ingest(fresh, sources=["reference"])
    start = time.perf_counter()
    ingest(fresh, sources=["attendance"])
    vec = time.perf_counter() - start
    out = work / "baseline-out"
    out.mkdir(exist_ok=True)
    base_rows, base = python_baseline(files, fresh, out)
    print(f"\nattendance at scale {scales[-1]:g}, {att_rows} rows in {len(files)} files:")
    print(f"{'path':<44} {'seconds':>8} {'rows/s':>10} {'ratio':>6}")
    print(f"{'plcqi ingest (Arrow + one DuckDB query)':<44} {vec:>8.2f} {att_rows / vec:>10.0f}"
          f" {1:>6.2f}")
    print(f"{'row-by-row Python (csv, hmac, pyarrow)':<44} {base:>8.2f} {base_rows / base:>10.0f}"
          f" {base / vec:>6.2f}")
    # the same rows as one large export (a platform's full history, say)
    big = work / "one-export"
    shutil.rmtree(big, ignore_errors=True)
    shutil.copytree(last_dir / "landing" / "reference", big / "landing" / "reference")
    single = big / "landing" / "attendance" / "all.csv"
    single.parent.mkdir(parents=True)
    columns = ["session_id", "participant_id", "email", "join_time", "leave_time"]
    with single.open("w", newline="", encoding="utf-8") as out_fh:
        writer = csv.writer(out_fh)
        writer.writerow(columns)
        for f in files:
            with f.open(newline="", encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    low = {k.strip().lower(): v for k, v in row.items()}
                    writer.writerow([low.get(c, "") for c in columns])
    ingest(big, sources=["reference"])
    start = time.perf_counter()
    one = ingest(big, sources=["attendance"]).totals()["rows_read"]
    vec1 = time.perf_counter() - start
    out1 = work / "baseline-one"
    out1.mkdir(exist_ok=True)
    base1_rows, base1 = python_baseline([single], big, out1)
    print(f"\nthe same attendance as one export, {one} rows:")
    print(f"{'plcqi ingest (Arrow + one DuckDB query)':<44} {vec1:>8.2f} {one / vec1:>10.0f}"
          f" {1:>6.2f}")
    print(f"{'row-by-row Python (csv, hmac, pyarrow)':<44} {base1:>8.2f} "
          f"{base1_rows / base1:>10.0f} {base1 / vec1:>6.2f}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
