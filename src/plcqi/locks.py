"""Operating-system file locks: no two processes write the same dataset, or build the same
warehouse, at once.

Every writer takes its lock here, under ``DATA_DIR/state/locks/``. A lock is an ``flock`` on a
file (``filelock``): the kernel releases it when its process ends, however it ends, so a killed
run never leaves a stale lock. A second process waits for it, at most ``PLCQI_LOCK_TIMEOUT``
seconds, then gives up with :class:`Busy`, one plain sentence naming what holds the lock.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

from plcqi import settings


class Busy(RuntimeError):
    """Another process holds the lock longer than the wait allowed."""


def lock_dir(data_dir: Path | str) -> Path:
    """Where a data folder's lock files live.

    >>> lock_dir("/srv/plcqi").as_posix()
    '/srv/plcqi/state/locks'
    """
    return Path(data_dir) / "state" / "locks"


def lock_file(data_dir: Path | str, name: str) -> Path:
    """The lock file of ``name`` (a dataset such as ``surveys/midpoint``, or ``transform``).

    >>> lock_file("/srv/plcqi", "surveys/midpoint").name
    'surveys__midpoint.lock'
    """
    return lock_dir(data_dir) / (re.sub(r"[^A-Za-z0-9._-]", "__", name) + ".lock")


def timeout() -> float:
    """Seconds a process waits for a lock (``PLCQI_LOCK_TIMEOUT``)."""
    return float(settings.get("lock_timeout"))


@contextmanager
def exclusive(
    data_dir: Path | str, name: str, *, what: str | None = None, wait: float | None = None
) -> Iterator[Path]:
    """Hold the lock ``name`` of ``data_dir`` for the block; wait at most ``wait`` seconds
    (default :func:`timeout`), then raise :class:`Busy`.

    ``what`` says in the message what the lock protects (default: ``name``)."""
    path = lock_file(data_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    wait = timeout() if wait is None else wait
    lock = FileLock(str(path), timeout=wait, mode=0o664)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(
            f"{what or name} in {data_dir} is in use by another plcqi process "
            f"(waited {wait:g} s for {path}); try again when it has finished"
        ) from None
    try:
        _note_holder(path)
        yield path
    finally:
        lock.release()


def _note_holder(path: Path) -> None:
    """Write the holder's pid beside the lock, for an operator who wonders who holds it."""
    with suppress(OSError):
        path.with_suffix(".pid").write_text(f"{os.getpid()}\n")
