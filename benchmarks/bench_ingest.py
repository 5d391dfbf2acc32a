"""Ingestion throughput at growing scale, and against a row-by-row Python baseline.

    uv run python benchmarks/bench_ingest.py [--scales 1,5,20] [--work DIR]

For each scale: generate a landing folder, ingest it once, and print rows, seconds, rows per
second and the throughput relative to the smallest scale (near 1.0 or above = extraction
scales linearly). For the attendance files of the largest scale, also time a plain
``csv.DictReader`` loop that only parses and type-checks dates in Python, to show the ratio
between the vectorized path and the row-by-row one it replaces. Not a test: nothing fails on
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
from plcqi.ingest import ingest


def python_baseline(files: list[Path]) -> tuple[int, float]:
    """Parse every row and check its two datetimes in Python: the row-by-row approach."""
    start = time.perf_counter()
    rows = 0
    for f in files:
        with f.open(newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                rows += 1
                try:
                    datetime.fromisoformat(row.get("join_time") or row.get("JOIN_TIME", ""))
                    datetime.fromisoformat(row.get("leave_time") or row.get("LEAVE_TIME", ""))
                except ValueError:
                    pass
    return rows, time.perf_counter() - start


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
    base_rows, base = python_baseline(files)
    print(
        f"\nattendance at scale {scales[-1]:g}: {att_rows} rows; plcqi ingest {vec:.2f} s "
        f"(parse, type, check every rule, pseudonymize, write Parquet) vs a Python "
        f"csv.DictReader loop that only parses and checks two datetimes {base:.2f} s "
        f"({base_rows} rows): ratio {base / vec:.2f}x"
    )
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
