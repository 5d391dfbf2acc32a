"""Atomic writes: every file plcqi writes goes to a temporary name in the target folder
first and is renamed into place, so a reader never sees half a file and a crash leaves no
partial one behind."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path next to ``target`` that is renamed onto it if the block succeeds.

    The path does not exist yet: writers such as DuckDB's COPY want to create the file."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is one of :func:`atomic_path`'s temporary files (a process killed
    before its rename leaves one behind).

    >>> is_temporary(Path("raw/polls/.x.parquet.k2j4.tmp")), is_temporary(Path("raw/x.parquet"))
    (True, False)
    """
    return path.name.startswith(".") and path.name.endswith(".tmp")


def write_atomic(target: Path, data: str | bytes, mode: int = 0o644,
                 owner: tuple[int, int] | None = None) -> Path:
    """Write text (UTF-8) or bytes to ``target`` atomically; return ``target``.

    ``mode`` whatever the umask (default: readable by the report server and other readers;
    0o600 for secrets); ``owner`` (uid, gid) when given."""
    with atomic_path(target) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, mode)
        if owner is not None:
            os.chown(tmp, *owner)
    return Path(target)


def write_json(target: Path, data: dict) -> Path:
    return write_atomic(target, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
