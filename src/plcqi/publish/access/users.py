"""The users file, ``DATA_DIR/access/users.json``: who may read the reports, their role,
their e-mail address (for delivery) and a bcrypt hash of their password, never the password.

Every change rewrites the files nginx reads (``nginx.write_auth_files``): the password file
and the user-to-role map. The users file is written atomically, readable by its owner only.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import bcrypt
from filelock import FileLock

from plcqi import paths
from plcqi.files import write_atomic
from plcqi.publish.access.roles import AccessError, Role, parse_role

VERSION = 1
# nginx checks the password with crypt(3) on every request (basic auth has no session), so
# the cost is paid per page view: 10 rounds is about 80 ms here, OWASP's minimum for bcrypt.
DEFAULT_ROUNDS = 10
MIN_ROUNDS, MAX_ROUNDS = 10, 14
MIN_PASSWORD = 12
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further; a longer one is refused, not cut
# Names appear in nginx's user-to-role map and its password file (name:hash): no quotes,
# spaces, colons, semicolons or braces. '@' is allowed: a single sign-on proxy in front
# passes e-mail addresses as user names.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    email: str | None
    password_hash: str
    added_at: str

    @property
    def parsed_role(self) -> Role:
        return parse_role(self.role)


def access_dir(data_dir: Path | str | None) -> Path:
    return paths.access_dir(data_dir)


def users_path(data_dir: Path | str | None) -> Path:
    return access_dir(data_dir) / "users.json"


def lock(data_dir: Path | str | None) -> FileLock:
    folder = access_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(str(folder / ".users.lock"), timeout=60)


def load(data_dir: Path | str | None) -> list[User]:
    """Every user, by name; none when there is no users file yet."""
    path = users_path(data_dir)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        users = [User(name=name, **fields) for name, fields in data["users"].items()]
    except (ValueError, KeyError, TypeError) as e:
        raise AccessError(f"{path} is not a plcqi users file ({e}); restore it from a "
                          "backup or remove it and add the users again") from None
    return sorted(users, key=lambda u: u.name)


def _save(data_dir: Path | str | None, users: list[User]) -> None:
    from plcqi.publish.access import indexes, nginx

    path = users_path(data_dir)
    body = {"version": VERSION,
            "users": {u.name: {k: v for k, v in asdict(u).items() if k != "name"}
                      for u in sorted(users, key=lambda u: u.name)}}
    write_atomic(path, json.dumps(body, indent=2) + "\n", mode=0o600)
    nginx.write_auth_files(data_dir, users)
    indexes.render(data_dir, users)


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    """A bcrypt hash (``$2b$``) that both the bcrypt library and nginx (glibc's libxcrypt)
    verify."""
    check_password(password)
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        raise AccessError(f"bcrypt rounds must be between {MIN_ROUNDS} and {MAX_ROUNDS}")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccessError(f"the password is too short: at least {MIN_PASSWORD} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AccessError(f"the password is too long: bcrypt reads at most "
                          f"{MAX_PASSWORD_BYTES} bytes")
    if any(ch in password for ch in "\r\n\0"):
        raise AccessError("the password holds a line break or a NUL character")


def check_name(name: str) -> None:
    if not NAME_RE.match(name or ""):
        raise AccessError(f"{name!r} cannot be a user name: 1 to 64 letters, digits and "
                          "'.', '_', '@', '+', '-', starting with a letter or digit")


def check_email(email: str) -> None:
    if not EMAIL_RE.match(email or ""):
        raise AccessError(f"{email!r} is not an e-mail address (one address, like "
                          "evaluator@center.org)")


def known_centers(data_dir: Path | str | None) -> set[str]:
    """Centers a user may be given: the marts' (when there is a warehouse) and those with a
    report folder."""
    import duckdb

    from plcqi.publish import layout
    from plcqi.publish.api import reports_dir
    from plcqi.publish.warehouse import PublishError, connect, rows

    found: set[str] = set()
    try:
        with connect(paths.data_dir(data_dir)) as con:
            found |= {r["center_id"] for r in rows(con, "select center_id from marts.dim_centers")}
    except (PublishError, duckdb.Error):
        pass
    root = reports_dir(data_dir) / layout.CENTERS
    if root.is_dir():
        found |= {p.name for p in root.iterdir() if p.is_dir() and layout.is_center_id(p.name)}
    return found


def add(data_dir: Path | str | None, name: str, role: str, password: str,
        email: str | None = None, *, replace: bool = False,
        rounds: int = DEFAULT_ROUNDS) -> User:
    """Add a user (or, with ``replace``, change one); refuses an unknown center or role."""
    check_name(name)
    if email is not None:
        check_email(email)
    parsed = parse_role(role, known_centers(data_dir))
    user = User(name=name, role=str(parsed), email=email,
                password_hash=hash_password(password, rounds),
                added_at=datetime.now(UTC).isoformat(timespec="seconds"))
    with lock(data_dir):
        users = load(data_dir)
        if any(u.name == name for u in users) and not replace:
            raise AccessError(f"there is already a user {name!r}: `plcqi access remove` it "
                              "first, or add it again with --replace")
        _save(data_dir, [u for u in users if u.name != name] + [user])
    return user


def remove(data_dir: Path | str | None, name: str) -> User:
    with lock(data_dir):
        users = load(data_dir)
        found = next((u for u in users if u.name == name), None)
        if found is None:
            names = ", ".join(u.name for u in users) or "none"
            raise AccessError(f"no user {name!r} (the users are: {names})")
        _save(data_dir, [u for u in users if u.name != name])
    return found
