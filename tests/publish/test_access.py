"""``plcqi access`` (add, list, remove, nginx-config) with the CLI runner, the users file and
the files nginx reads, and the index page of each audience."""

from __future__ import annotations

import json
import re
import stat

import bcrypt
import pytest
from click.testing import CliRunner

from plcqi.cli import main
from plcqi.publish import access, render_index
from plcqi.publish.access import indexes, parse_role
from tests.publish.report_site import AS_OF, EARLIER, PASSWORD, write_reports


def run(*args: str, password: str | None = PASSWORD):
    return CliRunner().invoke(main, ["access", *args],
                              input=None if password is None else password + "\n")


@pytest.fixture
def reports(tmp_path):
    data = tmp_path / "data"
    write_reports(data)
    return data


def test_add_list_remove(reports):
    d = str(reports)
    added = run("add", "--data-dir", d, "--user", "ana", "--role", "center:C1",
                "--email", "ana@center-one.example.org")
    assert added.exit_code == 0, added.output
    assert "added ana (center:C1), reports e-mailed to ana@center-one.example.org" in added.output
    assert run("add", "--data-dir", d, "--user", "lee", "--role", "leadership").exit_code == 0
    listed = run("list", "--data-dir", d, password=None)
    assert listed.exit_code == 0, listed.output
    assert re.search(r"ana\s+center:C1\s+ana@center-one.example.org", listed.output)
    assert re.search(r"lee\s+leadership\s+-", listed.output)
    assert "$2b$" not in listed.output
    removed = run("remove", "--data-dir", d, "--user", "ana", password=None)
    assert removed.exit_code == 0 and "removed ana (center:C1)" in removed.output
    assert [u.name for u in access.load(reports)] == ["lee"]
    assert (reports / "access" / "nginx" / "roles.map").read_text() == '"lee" "leadership";\n'


def test_password_is_stored_only_as_a_bcrypt_hash(reports):
    assert run("add", "--data-dir", str(reports), "--user", "eng", "--role",
               "engineer").exit_code == 0
    users_file = reports / "access" / "users.json"
    text = users_file.read_text()
    assert PASSWORD not in text
    stored = json.loads(text)["users"]["eng"]
    assert stored["role"] == "engineer" and stored["email"] is None
    assert stored["password_hash"].startswith("$2b$10$")
    assert bcrypt.checkpw(PASSWORD.encode(), stored["password_hash"].encode())
    assert not bcrypt.checkpw(b"another password", stored["password_hash"].encode())
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    htpasswd = reports / "access" / "nginx" / "htpasswd"
    assert htpasswd.read_text() == f"eng:{stored['password_hash']}\n"
    assert stat.S_IMODE(htpasswd.stat().st_mode) & 0o007 == 0  # not world-readable


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "x", "--role", "center:C9"],
     "unknown center 'C9': the centers are C1, C2"),
    (["--user", "x", "--role", "admin"],
     "unknown role 'admin': a role is center:<CENTER_ID>, region:<N> (ACF region 1-10), "
     "leadership or engineer"),
    (["--user", "x", "--role", "region:11"], "'11' is not an ACF region"),
    (["--user", "x", "--role", "region:01"], "'01' is not an ACF region"),
    (["--user", "x", "--role", "center:../C1"], "'../C1' is not a center id"),
    (["--user", "x", "--role", "center:.hidden"], "'.hidden' is not a center id"),
    (["--user", "a b", "--role", "leadership"], "'a b' cannot be a user name"),
    (["--user", "x:y", "--role", "leadership"], "'x:y' cannot be a user name"),
    (["--user", "x", "--role", "leadership", "--email", "x@y.org, z@w.org"],
     "is not an e-mail address"),
    (["--user", "x", "--role", "leadership", "--rounds", "4"],
     "bcrypt rounds must be between 10 and 14"),
])
def test_refusals_are_plain(reports, args, message):
    result = run("add", "--data-dir", str(reports), *args)
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert not (reports / "access" / "users.json").exists()


def test_password_rules_and_duplicates(reports):
    d = str(reports)
    short = run("add", "--data-dir", d, "--user", "x", "--role", "leadership", password="short")
    assert short.exit_code != 0 and "too short: at least 12 characters" in short.output
    long = run("add", "--data-dir", d, "--user", "x", "--role", "leadership", password="é" * 40)
    assert long.exit_code != 0 and "at most 72 bytes" in long.output
    empty = CliRunner().invoke(main, ["access", "add", "--data-dir", d, "--user", "x",
                                      "--role", "leadership"], input="")
    assert empty.exit_code != 0 and "no password on standard input" in empty.output
    assert run("add", "--data-dir", d, "--user", "x", "--role", "leadership").exit_code == 0
    again = run("add", "--data-dir", d, "--user", "x", "--role", "engineer")
    assert again.exit_code != 0 and "already a user 'x'" in again.output
    replaced = run("add", "--data-dir", d, "--user", "x", "--role", "engineer", "--replace")
    assert replaced.exit_code == 0 and access.load(reports)[0].role == "engineer"
    missing = run("remove", "--data-dir", d, "--user", "nobody", password=None)
    assert missing.exit_code != 0 and "no user 'nobody' (the users are: x)" in missing.output


def test_a_center_from_the_marts_is_known_before_it_has_reports(tmp_path):
    from tests.fixtures import warehouse as fixtures

    fixtures.build(tmp_path)  # centers C1 and C2 in marts.dim_centers, no report yet
    assert access.known_centers(tmp_path) == {"C1", "C2"}
    access.add(tmp_path, "ben", "center:C2", PASSWORD)
    assert (tmp_path / "access" / "indexes" / "center-C2.html").is_file()


def _links(path) -> list[str]:
    return re.findall(r'href="([^"]+)"', path.read_text())


def test_each_audience_index_lists_exactly_what_it_may_read(reports):
    render_index(reports)  # renders the audience indexes too
    folder = indexes.indexes_dir(reports)
    assert sorted(p.name for p in folder.glob("*.html")) == [
        "center-C1.html", "center-C2.html", "engineer.html", "leadership.html",
        "region-1.html", "region-10.html"]
    c1 = _links(folder / "center-C1.html")
    assert c1 == [f"centers/C1/{AS_OF}.html", f"centers/C1/{EARLIER}.html"]
    text = (folder / "center-C1.html").read_text()
    for other in ("C2", "leadership", "data-quality", "Data Docs", "Data quality", "regions/"):
        assert other not in text, other
    assert _links(folder / "center-C2.html") == [f"centers/C2/{AS_OF}.html"]
    assert sorted(_links(folder / "leadership.html")) == sorted(
        [f"leadership/{AS_OF}.html", f"centers/C1/{AS_OF}.html", f"centers/C1/{EARLIER}.html",
         f"centers/C2/{AS_OF}.html", f"regions/1/{AS_OF}.html",
         f"regions/1/grantees/MA/{AS_OF}.html", f"regions/10/{AS_OF}.html",
         f"regions/10/grantees/WA/{AS_OF}.html"])
    assert _links(folder / "region-1.html") == [f"regions/1/{AS_OF}.html",
                                                f"regions/1/grantees/MA/{AS_OF}.html"]
    text = (folder / "region-1.html").read_text()
    for other in ("regions/10", "WA", "centers/", "leadership/", "data-quality"):
        assert other not in text, other
    assert set(_links(folder / "engineer.html")) == set(_links(reports / "reports" /
                                                               "index.html"))
    assert {f"data-quality/{AS_OF}.html", "data-docs/index.html"} <= set(
        _links(folder / "engineer.html"))
    for path in folder.glob("*.html"):  # every link is one its role may read
        role = parse_role({"center-C1": "center:C1", "center-C2": "center:C2",
                           "region-1": "region:1", "region-10": "region:10"}.get(
            path.stem, path.stem))
        assert all(role.may_read(link) for link in _links(path)), path.name


def test_audience_index_escapes_names(reports):
    index = {"title": "t", "as_of": None, "min_cell_size": 3, "crumbs": [],
             "centers": [{"id": "C1", "name": "<script>alert(1)</script>", "reports": []}],
             "leadership": [], "data_quality": [], "data_docs": None}
    indexes.render(reports, users=[], index=index)
    text = (indexes.indexes_dir(reports) / "center-C1.html").read_text()
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text


def test_nginx_config_command(reports):
    out = reports / "compose.conf"
    result = run("nginx-config", "--data-dir", str(reports), "--site-dir", "/srv/plcqi",
                 "--listen", "8080", "--runtime-dir", "/var/cache/nginx",
                 "--worker-user", "nginx:root", "--output", str(out), password=None)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for line in ("listen 8080;", 'root "/srv/plcqi/reports";', "user nginx root;",
                 'auth_basic_user_file "/srv/plcqi/access/nginx/htpasswd";',
                 'include "/srv/plcqi/access/nginx/roles.map";', "server_tokens off;",
                 "gzip on;", "disable_symlinks on from=$document_root;", "error_log stderr"):
        assert line in text, line
    assert str(reports) not in text
    assert (reports / "access" / "nginx" / "roles.map").exists()
    bad = run("nginx-config", "--data-dir", str(reports), "--site-dir", "/srv/$x",
              "--runtime-dir", "/tmp", password=None)
    assert bad.exit_code != 0 and "cannot be used in the nginx configuration" in bad.output
    bad = run("nginx-config", "--data-dir", str(reports), "--listen", "0.0.0.0:99999",
              "--runtime-dir", "/tmp", password=None)
    assert bad.exit_code != 0 and "port 99999 is out of range" in bad.output

