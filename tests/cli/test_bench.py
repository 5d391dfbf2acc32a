"""``plcqi bench`` end to end at a tiny scale: every stage runs and is measured, the table and
the JSON hold the ratios. Timings are never asserted (they are figures to quote). The
incremental runs, Postgres and Airflow are left out here: each is the same five stages (or
the transform) again, tested on their own elsewhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from plcqi import bench

pytestmark = pytest.mark.slow


def test_bench_measures_every_stage_and_writes_the_table_and_json(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("plcqi")), "bench", "--scales", "0.2",
         "--no-airflow", "--no-postgres", "--no-incremental", "--out", str(out),
         "--work-dir", str(tmp_path / "w"), "--as-of", "2026-06-30"],
        capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    (scale,) = result["scales"]
    assert scale["problems"] == []
    assert scale["rows"] > 1000
    stages = [name for name, _ in bench.STAGES]
    assert list(scale["full"]) == stages
    for name, m in scale["full"].items():
        assert m["rc"] == 0 and m["seconds"] > 0 and m["peak_mb"] > 10, (name, m)
    assert scale["incremental"] == {} and scale["nothing_new"] == {}
    assert scale["scan"]["rc"] == 0
    assert scale["pages"]["pages"] >= 3
    for ratio in ("pipeline ÷ scan", "report ÷ transform"):
        assert scale["ratios"][ratio] > 0, ratio
        assert f"| {ratio} |" in proc.stdout


def test_the_table_marks_targets():
    r = bench.ScaleResult(scale=100)
    r.full = {n: bench.Measure(10.0, 100.0, 0) for n, _ in bench.STAGES}
    r.scan = bench.Measure(2.0, 50.0, 0)
    r.ratios = bench.ratios(r)
    assert r.ratios["pipeline ÷ scan"] == 25.0
    text = bench.table({"scales": [bench.asdict(r)]})
    assert "| pipeline ÷ scan | 25.00× ✗ (≤ 10×) |" in text
    assert "| report ÷ transform | 1.00× ✓ |" in text


def test_the_held_back_file_is_the_newest_full_size_one(tmp_path):
    landing = tmp_path / "landing"
    (landing / "attendance").mkdir(parents=True)
    for month, rows in (("2026-09", 300), ("2026-10", 280), ("2026-11", 310), ("2026-12", 9)):
        (landing / "attendance" / f"{month}.csv").write_text("x\n" * rows)
    held = bench.Bench._hold_back(landing, tmp_path / "held")
    assert held == tmp_path / "held" / "2026-11.csv"
    assert held.read_text() == "x\n" * 310
    assert sorted(p.name for p in (landing / "attendance").iterdir()) == [
        "2026-09.csv", "2026-10.csv", "2026-12.csv"]
