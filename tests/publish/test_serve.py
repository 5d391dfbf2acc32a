"""``plcqi serve``: Debian's nginx, started by the real command on a free loopback port,
serving a small report folder to real users (bcrypt hashes checked by nginx itself).

Who reads what, 401 without credentials, the index of each user, gzip, no version in the
headers, no escape by symlink or '..', a reload when the users change, 200 concurrent
requests, and a clean stop on SIGTERM.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from plcqi.publish.access import parse_role
from tests.publish.report_site import AS_OF, EARLIER, PASSWORD, free_port, make_site

PLCQI = str(Path(sys.executable).parent / "plcqi")
pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
    reason="nginx is not installed (bash scripts/setup installs it)")


class Server:
    def __init__(self, data_dir: Path, port: int, proc: subprocess.Popen, log: Path):
        self.data_dir, self.port, self.proc, self.log = data_dir, port, proc, log

    def request(self, path: str, user: str | None = None, password: str = PASSWORD,
                method: str = "GET", headers: dict | None = None, timeout: float = 30):
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            h = dict(headers or {})
            if user is not None:
                token = base64.b64encode(f"{user}:{password}".encode()).decode()
                h["Authorization"] = f"Basic {token}"
            con.request(method, path, headers=h)
            resp = con.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            con.close()

    def status(self, path: str, user: str | None = None, **kw) -> int:
        return self.request(path, user, **kw)[0]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def start(data_dir: Path, tmp: Path) -> Server:
    port = free_port()
    log = tmp / f"serve-{port}.log"
    out = log.open("w")
    proc = subprocess.Popen([PLCQI, "serve", "--data-dir", str(data_dir), "--port", str(port)],
                            stdout=out, stderr=subprocess.STDOUT)
    server = Server(data_dir, port, proc, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"plcqi serve exited {proc.returncode}: {log.read_text()}")
        try:
            server.status("/")
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise AssertionError(f"plcqi serve did not answer within 30 s: {log.read_text()}")


def _nginx_pid(data_dir: Path) -> int | None:
    pid = data_dir / "access" / "nginx" / "run" / "nginx.pid"
    return int(pid.read_text()) if pid.exists() else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    data = make_site(tmp / "data")
    reports = data / "reports"
    # Ways out of the reports folder and into another center's: none may work.
    c1 = reports / "centers" / "C1"
    (c1 / "to-c2.html").symlink_to(reports / "centers" / "C2" / f"{AS_OF}.html")
    (c1 / "passwd.html").symlink_to("/etc/passwd")
    (c1 / "access").symlink_to(data / "access", target_is_directory=True)
    (c1 / ".hidden.html").write_text("hidden")
    s = start(data, tmp)
    yield s
    s.stop()
    assert _nginx_pid(data) is None or not _alive(_nginx_pid(data))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


REPORT_PATHS = [f"/centers/C1/{AS_OF}.html", f"/centers/C1/{EARLIER}.html",
                f"/centers/C2/{AS_OF}.html",
                f"/leadership/{AS_OF}.html", f"/data-quality/{AS_OF}.html",
                "/data-docs/index.html", f"/regions/1/{AS_OF}.html",
                f"/regions/1/grantees/MA/{AS_OF}.html", f"/regions/10/{AS_OF}.html",
                f"/regions/10/grantees/WA/{AS_OF}.html"]
# Written out by hand rather than derived: the server must agree with this table.
EXPECTED = {
    "ana": [200, 200, 403, 403, 403, 403, 403, 403, 403, 403],
    "ben": [403, 403, 200, 403, 403, 403, 403, 403, 403, 403],
    "lee": [200, 200, 200, 200, 403, 403, 200, 200, 200, 200],
    "eng": [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    "rae": [403, 403, 403, 403, 403, 403, 200, 200, 403, 403],
}
ROLES = {"ana": "center:C1", "ben": "center:C2", "lee": "leadership", "eng": "engineer",
         "rae": "region:1"}


@pytest.mark.parametrize("user", sorted(EXPECTED))
def test_each_role_reads_its_own_pages_only(server, user):
    got = [server.status(p, user) for p in REPORT_PATHS]
    assert got == EXPECTED[user], dict(zip(REPORT_PATHS, got, strict=True))
    role = parse_role(ROLES[user])  # and the Python rule says the same
    assert [200 if role.may_read(p) else 403 for p in REPORT_PATHS] == EXPECTED[user]


def test_no_or_wrong_credentials_get_401(server):
    for path in ["/", *REPORT_PATHS]:
        status, headers, _ = server.request(path)
        assert status == 401, path
        assert headers.get("WWW-Authenticate", "").startswith("Basic"), path
        assert server.status(path, "ana", password="not the password") == 401, path
        assert server.status(path, "nobody") == 401, path


def test_missing_page_of_ones_own_is_404_and_another_centers_is_403(server):
    assert server.status("/centers/C1/2020-01-31.html", "ana") == 404
    assert server.status("/centers/C2/2020-01-31.html", "ana") == 403
    assert server.status("/C9/2020-01-31.html", "ana") == 403


def _links(body: bytes) -> list[str]:
    return re.findall(r'href="([^"]+)"', body.decode())


def test_each_users_index_lists_what_they_may_read(server):
    for path in ("/", "/index.html"):
        status, _, body = server.request(path, "ana")
        assert status == 200
        assert _links(body) == [f"centers/C1/{AS_OF}.html", f"centers/C1/{EARLIER}.html"]
        assert b"C2" not in body and b"leadership/" not in body
        status, _, body = server.request(path, "cy")  # the same audience
        assert status == 200
        assert _links(body) == [f"centers/C1/{AS_OF}.html", f"centers/C1/{EARLIER}.html"]
    _, _, body = server.request("/", "ben")
    assert _links(body) == [f"centers/C2/{AS_OF}.html"]
    _, _, body = server.request("/", "lee")
    assert sorted(_links(body)) == sorted([
        f"leadership/{AS_OF}.html", f"centers/C1/{AS_OF}.html", f"centers/C1/{EARLIER}.html",
        f"centers/C2/{AS_OF}.html", f"regions/1/{AS_OF}.html",
        f"regions/1/grantees/MA/{AS_OF}.html", f"regions/10/{AS_OF}.html",
        f"regions/10/grantees/WA/{AS_OF}.html"])
    _, _, body = server.request("/", "rae")  # a region: its report and its grantees' only
    assert _links(body) == [f"regions/1/{AS_OF}.html", f"regions/1/grantees/MA/{AS_OF}.html"]
    assert b"regions/10" not in body and b"WA" not in body and b"centers/" not in body
    _, _, body = server.request("/", "eng")
    assert {f"data-quality/{AS_OF}.html", "data-docs/index.html"} <= set(_links(body))
    for user in ("ana", "ben", "lee", "eng", "rae"):  # every link of an index opens for it
        _, _, body = server.request("/", user)
        for link in _links(body):
            assert server.status("/" + link, user) == 200, (user, link)


def test_gzip_and_no_server_version(server):
    status, headers, body = server.request(f"/centers/C1/{AS_OF}.html", "ana",
                                           headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert b"Center One report" in gzip.decompress(body)
    for path, user in ((f"/centers/C1/{AS_OF}.html", "ana"), (f"/centers/C2/{AS_OF}.html", "ana"),
                       ("/", None)):
        _, headers, body = server.request(path, user)
        assert headers.get("Server") == "nginx", headers
        assert not re.search(rb"nginx/\d", body)
        assert headers.get("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(("path", "users"), [
    ("/centers/C1/to-c2.html", ("ana", "eng")),  # a symlink to another center's report
    ("/centers/C1/passwd.html", ("ana", "eng")),  # a symlink out of the reports folder
    ("/centers/C1/access/users.json", ("ana", "eng")),  # a symlinked folder into DATA_DIR/access
    ("/centers/C1/.hidden.html", ("ana", "eng")),
    # '..' resolves inside the root first: into another center's folder, still refused
    (f"/centers/C1/../C2/{AS_OF}.html", ("ana",)),
    (f"/centers/C1/%2e%2e/C2/{AS_OF}.html", ("ana",)),
    (f"/centers/C1%2f..%2fC2/{AS_OF}.html", ("ana",)),
    (f"/centers/C1/../leadership/{AS_OF}.html", ("ana",)),
    # and never above it
    ("/../access/users.json", ("ana", "eng")),
    ("/%2e%2e/access/nginx/htpasswd", ("ana", "eng")),
    ("/centers/C1/../../access/users.json", ("ana", "eng")),
    ("/centers/C1/%2e%2e/%2e%2e/access/nginx/htpasswd", ("ana", "eng")),
])
def test_no_escape_by_symlink_or_dot_dot(server, path, users):
    for user in users:
        status, _, body = server.request(path, user)
        assert status in (400, 403, 404), (user, path, status)
        assert b"$2b$" not in body and b"root:" not in body and b"Center Two" not in body


def test_only_get_and_head(server):
    assert server.status(f"/centers/C1/{AS_OF}.html", "ana", method="HEAD") == 200
    assert server.status(f"/centers/C1/{AS_OF}.html", "ana", method="POST") == 405
    assert server.status(f"/centers/C1/{AS_OF}.html", "ana", method="DELETE") == 405


def test_200_concurrent_requests_without_error(server):
    n, started = 200, threading.Barrier(200, timeout=30)
    cases = [(u, p, EXPECTED[u][i]) for u in EXPECTED for i, p in enumerate(REPORT_PATHS)]
    cases += [(None, "/", 401)]

    def one(k: int):
        user, path, expected = cases[k % len(cases)]
        started.wait()
        t = time.perf_counter()
        status = server.status(path, user, timeout=60)
        return status == expected, time.perf_counter() - t

    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(one, range(n)))
    elapsed = time.perf_counter() - begin
    wrong = sum(not ok for ok, _ in results)
    slowest = max(s for _, s in results)
    print(f"\n200 concurrent requests: {wrong} wrong, {elapsed:.1f} s in all, "
          f"slowest {slowest:.2f} s")
    assert wrong == 0
    assert elapsed < 90, elapsed


def test_a_new_user_is_served_without_a_restart(server):
    from plcqi.publish import access

    assert server.status("/", "dee") == 401
    access.add(server.data_dir, "dee", "center:C2", PASSWORD)
    deadline = time.monotonic() + 15
    while server.status(f"/centers/C2/{AS_OF}.html", "dee") != 200 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert server.status(f"/centers/C2/{AS_OF}.html", "dee") == 200
    assert server.status(f"/centers/C1/{AS_OF}.html", "dee") == 403
    access.remove(server.data_dir, "dee")
    assert server.status(f"/centers/C2/{AS_OF}.html", "dee") == 401  # at once: no reload needed


def test_centers_named_like_site_files_read_their_own_folder_only(server):
    """A center id may be ``index.html`` or ``leadership``: its reports are under
    ``centers/`` and nginx gives its readers that folder and their index, nothing else."""
    from plcqi.publish import access, render_index

    reports = server.data_dir / "reports"
    made = []
    for center in ("index.html", "leadership"):
        folder = reports / "centers" / center
        folder.mkdir(parents=True)
        (folder / f"{AS_OF}.html").write_text(f"<p>{center} center report</p>")
        made.append(folder)
    render_index(server.data_dir)
    access.add(server.data_dir, "ida", "center:index.html", PASSWORD)
    access.add(server.data_dir, "leo", "center:leadership", PASSWORD)
    try:
        own = f"/centers/index.html/{AS_OF}.html"
        theirs = f"/centers/leadership/{AS_OF}.html"
        deadline = time.monotonic() + 15
        while (server.status(own, "ida"), server.status(theirs, "leo")) != (200, 200) \
                and time.monotonic() < deadline:
            time.sleep(0.3)
        status, _, body = server.request(own, "ida")
        assert status == 200 and b"index.html center report" in body
        status, _, body = server.request("/index.html", "ida")  # her index, not a report
        assert status == 200 and _links(body) == [own.lstrip("/")]
        for path in (f"/leadership/{AS_OF}.html", f"/centers/leadership/{AS_OF}.html",
                     f"/centers/C1/{AS_OF}.html", f"/data-quality/{AS_OF}.html"):
            assert server.status(path, "ida") == 403, path
        assert server.status(f"/centers/leadership/{AS_OF}.html", "leo") == 200
        assert server.status(f"/leadership/{AS_OF}.html", "leo") == 403
        assert server.status(own, "leo") == 403
        assert server.status(own, "lee") == 200  # leadership reads every center
    finally:
        access.remove(server.data_dir, "ida")
        access.remove(server.data_dir, "leo")
        for folder in made:
            shutil.rmtree(folder)
        render_index(server.data_dir)


def test_sigterm_stops_nginx_and_frees_the_port(tmp_path):
    data = make_site(tmp_path / "data", readers=[("ana", "center:C1", None)])
    s = start(data, tmp_path)
    pid = _nginx_pid(data)
    assert pid and _alive(pid)
    assert s.status(f"/centers/C1/{AS_OF}.html", "ana") == 200
    assert s.stop() == 0
    assert not _alive(pid)
    with pytest.raises(OSError):
        s.status("/")
    assert "serving" in s.log.read_text()
    for leftover in ("/var/log/nginx/access.log",):
        assert not Path(leftover).exists() or str(data) not in Path(leftover).read_text()


def test_a_busy_port_is_a_clear_error(tmp_path):
    import socket

    data = make_site(tmp_path / "data", readers=[])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([PLCQI, "serve", "--data-dir", str(data), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "nginx stopped with status 1" in proc.stderr
    assert "Address already in use" in proc.stderr
