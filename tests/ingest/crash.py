"""An ingestion in a process that kills itself at a chosen moment (for the tests only).

Every file plcqi writes is committed by an ``os.replace`` of its temporary file
(``plcqi.files.atomic_path``), so the Nth call to it is a moment in the ingestion: ``before=N``
SIGKILLs the process with the Nth temporary file fully written but not renamed, ``after=N``
right after the Nth rename, ``after_match=REGEX`` right after the first rename onto a path
that matches. ``slow`` sleeps before every rename (to widen the windows that two concurrent
ingestions race in).

The tests call :func:`run` through :func:`start` in processes forked from a server that has
imported what an ingestion imports (``multiprocessing``'s forkserver; some modules are imported
lazily), so a kill point costs the ingestion, not an interpreter start. By hand::

    python -m tests.ingest.crash DATA_DIR [--before N | --after N] [--slow SECONDS]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pkgutil
import re
import resource
import signal
import sys
import time
from multiprocessing.process import BaseProcess
from pathlib import Path

from plcqi.ingest import sources

FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(
    ["tests.ingest.compiled", "tests.ingest.crash", "plcqi.ingest.run", "pyarrow.csv", "pandas"]
    + [f"plcqi.ingest.sources.{m.name}" for m in pkgutil.iter_modules(sources.__path__)]
)
CHILD_CPU: list[float] = []  # seconds used by the children, a figure to print (never asserted)


def run(
    data_dir: str,
    before: int = 0,
    after: int = 0,
    slow: float = 0.0,
    out: str | None = None,
    env: dict[str, str] | None = None,
    after_match: str | None = None,
) -> None:
    """Ingest ``data_dir`` with the kill armed; write what the run did to ``out`` (JSON:
    the rename targets, the files loaded, whether it was ok) and exit 0 when ok, else 1.
    ``out.cpu`` gets the CPU seconds the process used, killed or not."""
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    real = os.replace
    targets: list[str] = []

    def cpu() -> None:
        if out:
            used = resource.getrusage(resource.RUSAGE_SELF)
            with open(f"{out}.cpu", "w") as f:
                f.write(f"{used.ru_utime + used.ru_stime}\n")

    def kill() -> None:
        cpu()
        os.kill(os.getpid(), signal.SIGKILL)

    def replace(src, dst, *a, **kw):
        targets.append(os.fspath(dst))
        if slow:
            time.sleep(slow)
        if len(targets) == before:
            kill()
        real(src, dst, *a, **kw)
        if len(targets) == after or (after_match and re.search(after_match, targets[-1])):
            kill()

    os.replace = replace
    from plcqi.ingest.run import ingest

    report = ingest(data_dir)
    if out:
        loaded = [r.file for r in report.records if r.status == "loaded"]
        with open(out, "w") as f:
            json.dump({"targets": targets, "loaded": loaded, "ok": report.ok}, f)
    cpu()
    sys.exit(0 if report.ok else 1)


def start(
    d: Path,
    out: Path,
    before: int = 0,
    after: int = 0,
    slow: float = 0.0,
    after_match: str | None = None,
) -> BaseProcess:
    """Start :func:`run` on ``d`` in a process of its own (with this environment), reporting
    to ``out``."""
    out.unlink(missing_ok=True)
    p = FORKS.Process(
        target=run, args=(str(d), before, after, slow, str(out), dict(os.environ), after_match)
    )
    p.start()
    return p


def finished(p: BaseProcess, out: Path) -> tuple[int, dict | None]:
    """Wait for a process of :func:`start`: its exit code (``-SIGKILL`` when killed) and its
    report (None when killed)."""
    p.join(120)
    cpu = Path(f"{out}.cpu")
    if cpu.exists():
        CHILD_CPU.append(float(cpu.read_text()))
        cpu.unlink()
    return p.exitcode, json.loads(out.read_text()) if out.exists() else None


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--before", type=int, default=0)
    parser.add_argument("--after", type=int, default=0)
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    run(args.data_dir, args.before, args.after, args.slow, args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
