"""Progress of a long stage, for any stage to call.

On a terminal (stderr a TTY) a ``rich`` progress bar on stderr; otherwise (pipes, Airflow task
logs) one plain line per step on stderr, e.g. ``ingest: 3/12 attendance/2026-05.csv``.

    with progress.steps("ingest", total=len(files)) as step:
        for f in files:
            step(f.name)          # a step starts: advances the count and names it
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def steps(stage: str, total: int | None = None, stream=None) -> Iterator[Callable[[str], None]]:
    """Yield ``step(label)``, called as each step starts; ends with a line of the elapsed time."""
    stream = stream if stream is not None else sys.stderr
    t0 = time.perf_counter()
    if stream.isatty():
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        bar = Progress(TextColumn(f"{stage}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TextColumn("{task.description}"),
                       console=Console(file=stream), transient=True)
        with bar:
            task = bar.add_task("", total=total)
            started = False

            def step(label: str) -> None:
                nonlocal started
                if started:
                    bar.advance(task)
                started = True
                bar.update(task, description=label)

            yield step
    else:
        n = 0

        def step(label: str) -> None:
            nonlocal n
            n += 1
            of = f"/{total}" if total is not None else ""
            print(f"{stage}: {n}{of} {label}", file=stream, flush=True)

        yield step
    print(f"{stage}: done in {time.perf_counter() - t0:.1f} s", file=stream, flush=True)
