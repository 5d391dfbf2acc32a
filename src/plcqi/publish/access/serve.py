"""``plcqi serve``: Debian's nginx in the foreground on loopback, serving ``reports/`` to the
users of the users file, until SIGTERM (or SIGINT).

Everything nginx writes (pid file, temporary folders, logs) is under
``DATA_DIR/access/nginx/``, never /var. While it runs, a change of the users (``plcqi access
add`` or ``remove`` rewrites ``roles.map``) reloads nginx's configuration (SIGHUP); password
changes need no reload (nginx reads the password file on every request).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from plcqi import settings
from plcqi.paths import data_dir as resolve_data_dir
from plcqi.paths import reports_dir
from plcqi.publish.access import indexes, nginx
from plcqi.publish.access import users as users_file


class ServeError(RuntimeError):
    """nginx could not be found, configured or started; the message says why."""


@dataclass(frozen=True)
class ServePaths:
    data_dir: Path

    @property
    def root(self) -> Path:
        return nginx.auth_dir(self.data_dir)

    @property
    def config(self) -> Path:
        return self.root / "serve.conf"

    @property
    def runtime(self) -> Path:
        return self.root / "run"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pid(self) -> Path:
        return self.runtime / "nginx.pid"


def find_nginx() -> str:
    name = settings.get("nginx")
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise ServeError(f"nginx not found ({settings.setting('nginx').env}={name}): install "
                         "Debian's nginx (`bash scripts/setup` does) or point "
                         f"{settings.setting('nginx').env} at it")
    return found


def worker_user(data_dir: Path) -> str | None:
    """Started as root, nginx's workers run as the data folder's owner (who can read the
    reports anyway), not as root's default ``nobody``, who may not reach them."""
    if os.geteuid() != 0:
        return None
    st = Path(data_dir).stat()
    return f"{pwd.getpwuid(st.st_uid).pw_name}:{grp.getgrgid(st.st_gid).gr_name}"


def prepare(data_dir: Path | str | None, port: int, host: str = "127.0.0.1") -> ServePaths:
    """Write the auth files, the audience indexes and ``serve.conf``; check it with
    ``nginx -t``."""
    data_dir = resolve_data_dir(data_dir)
    paths = ServePaths(data_dir)
    users = users_file.load(data_dir)
    for folder in (paths.runtime, paths.logs, reports_dir(data_dir)):
        folder.mkdir(parents=True, exist_ok=True)
    nginx.write_auth_files(data_dir, users)
    indexes.render(data_dir, users)
    layout = nginx.Layout(data_dir=data_dir, runtime=paths.runtime, logs=paths.logs)
    text = nginx.config(layout, f"{host}:{port}", user=worker_user(data_dir))
    nginx.write_config(paths.config, text)
    check = subprocess.run(_command(paths) + ["-t", "-q"], capture_output=True, text=True,
                           timeout=60)
    if check.returncode != 0:
        raise ServeError(f"nginx refuses {paths.config}:\n{check.stderr.strip()}")
    return paths


def _command(paths: ServePaths) -> list[str]:
    return [find_nginx(), "-p", f"{paths.runtime}/", "-e", str(paths.logs / "error.log"),
            "-c", str(paths.config)]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def serve(data_dir: Path | str | None, port: int, host: str = "127.0.0.1",
          echo=print, poll_seconds: float = 1.0) -> int:
    """Run nginx in the foreground until SIGTERM or SIGINT; returns nginx's exit status."""
    if not 1 <= port <= 65535:
        raise ServeError(f"port {port} is out of range (1-65535)")
    paths = prepare(data_dir, port, host)
    users = users_file.load(paths.data_dir)
    roles = nginx.auth_dir(paths.data_dir) / "roles.map"
    proc = subprocess.Popen(_command(paths) + ["-g", "daemon off;"])
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # nginx's fast shutdown

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        echo(f"plcqi: serving {paths.data_dir / 'reports'} on http://{host}:{port}/ to "
             f"{len(users)} user(s) (nginx pid {proc.pid}; logs in {paths.logs})")
        if not users:
            echo("plcqi: no users yet: every request gets 401; add one with "
                 "`plcqi access add`")
        seen = _mtime(roles)
        while proc.poll() is None:
            time.sleep(poll_seconds)
            now = _mtime(roles)
            if now != seen and proc.poll() is None and not stopping:
                seen = now
                proc.send_signal(signal.SIGHUP)
                echo("plcqi: the users changed: nginx reloaded its configuration")
        code = proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        for s, handler in previous.items():
            signal.signal(s, handler)
    if not stopping and code != 0:
        raise ServeError(f"nginx stopped with status {code}:\n{_tail(paths.logs / 'error.log')}")
    return 0 if stopping else code


def _tail(path: Path, lines: int = 10) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no error log)"


def nginx_config_for(data_dir: Path | str | None, site_dir: Path, listen: str,
                     runtime_dir: Path, user: str | None, logs_dir: Path | None) -> str:
    """The configuration for another nginx (the compose ``reports`` service) that sees
    DATA_DIR at ``site_dir``; the auth files and indexes are written first."""
    data_dir = resolve_data_dir(data_dir)
    users = users_file.load(data_dir)
    reports_dir(data_dir).mkdir(parents=True, exist_ok=True)
    nginx.write_auth_files(data_dir, users)
    indexes.render(data_dir, users)
    layout = nginx.Layout(data_dir=Path(site_dir), runtime=Path(runtime_dir), logs=logs_dir)
    return nginx.config(layout, listen, user=user)
