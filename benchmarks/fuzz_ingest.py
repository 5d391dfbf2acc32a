"""Ingest N generated malformed landing files and report what happened.

    uv run --frozen python benchmarks/fuzz_ingest.py --examples 10000 [--seed 1]

The files and the checks are those of the property test (``tests/ingest/fuzz.py``); here with
as many examples as asked and, without ``--seed``, fresh randomness each run. Prints the
examples run by kind and outcome, then the first failure hypothesis found (shrunk to a
minimal file) or "failures: 0". Exits non-zero on a failure.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.ingest.fuzz

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    os.environ.setdefault("PLCQI_PII_SECRET", "fuzz-secret-for-plcqi-malformed-files")

    from tests.ingest import fuzz

    from plcqi.ingest.run import connect

    outcomes: Counter[tuple[str, str]] = Counter()
    with tempfile.TemporaryDirectory(prefix="plcqi-fuzz-") as root:
        zone = fuzz.make_zone(Path(root))
        con = connect()
        con.execute("set threads = 1")  # tiny files: worker threads would only add overhead

        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(fuzz.landing_files())
        def ingest_one(case):
            outcomes[(case.kind, fuzz.check(con, zone, case))] += 1

        if args.seed is not None:
            ingest_one = seed(args.seed)(ingest_one)
        start = time.perf_counter()
        failure = None
        try:
            ingest_one()
        except Exception:  # noqa: BLE001 - report the falsifying example, then fail
            failure = traceback.format_exc()
        finally:
            con.close()
        seconds = time.perf_counter() - start
    total = sum(outcomes.values())
    print(f"examples run: {total} in {seconds:.0f} s")
    for (kind, outcome), n in sorted(outcomes.items()):
        print(f"  {kind:8} {outcome:8} {n}")
    if failure:
        print("failures: 1 (hypothesis stops at the first and shrinks it)\n" + failure)
        return 1
    print("failures: 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
