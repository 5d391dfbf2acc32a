"""``plcqi access``: the report readers (add, list, remove) and the nginx configuration of
another server (``nginx-config``); parses arguments and calls ``plcqi.publish.access``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from plcqi.cli.options import DATA_DIR, table
from plcqi.publish.access.roles import ROLE_HELP


def _fail(e: Exception):
    raise click.ClickException(str(e)) from None


def _read_password() -> str:
    """The password: prompted twice on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line:
        raise click.UsageError("no password on standard input (pipe it in, one line)")
    return line.rstrip("\r\n")


@click.group("access")
def access_group() -> None:
    """Who may read which reports: users, roles, passwords (bcrypt), nginx's files."""


@access_group.command("add")
@DATA_DIR
@click.option("--user", "name", required=True, help="User name (letters, digits, . _ @ + -).")
@click.option("--role", required=True, metavar="ROLE", help=f"One of {ROLE_HELP}.")
@click.option("--email", default=None, metavar="ADDR",
              help="Where the report DAG and `plcqi deliver` send this user's report link.")
@click.option("--replace", is_flag=True, help="Change an existing user (role, e-mail, "
              "password).")
@click.option("--rounds", type=int, default=None, help="bcrypt cost (default 10, 10-14).")
def add_command(data_dir, name, role, email, replace, rounds) -> None:
    """Add a user; the password is read from standard input and stored as a bcrypt hash."""
    from plcqi.publish.access import AccessError, users

    try:
        user = users.add(data_dir, name, role, _read_password(), email, replace=replace,
                         rounds=rounds or users.DEFAULT_ROUNDS)
    except AccessError as e:
        _fail(e)
    click.echo(f"{'changed' if replace else 'added'} {user.name} ({user.role})"
               + (f", reports e-mailed to {user.email}" if user.email else ", no e-mail"))


@access_group.command("list")
@DATA_DIR
def list_command(data_dir) -> None:
    """The users: name, role, e-mail, when added (never the hashes)."""
    from plcqi.publish.access import AccessError, users

    try:
        found = users.load(data_dir)
    except AccessError as e:
        _fail(e)
    if not found:
        click.echo("no users yet: add one with `plcqi access add`")
        return
    rows = [{"user": u.name, "role": u.role, "email": u.email or "-", "added": u.added_at}
            for u in found]
    click.echo(table(rows, ["user", "role", "email", "added"]))


@access_group.command("remove")
@DATA_DIR
@click.option("--user", "name", required=True, help="User name.")
def remove_command(data_dir, name) -> None:
    """Remove a user: their password stops working at once."""
    from plcqi.publish.access import AccessError, users

    try:
        user = users.remove(data_dir, name)
    except AccessError as e:
        _fail(e)
    click.echo(f"removed {user.name} ({user.role})")


@access_group.command("nginx-config")
@DATA_DIR
@click.option("--site-dir", type=click.Path(), default=None,
              help="Where that nginx sees DATA_DIR (default: DATA_DIR itself).")
@click.option("--listen", default="127.0.0.1:8081", show_default=True,
              help="PORT, IPv4:PORT or [IPv6]:PORT.")
@click.option("--runtime-dir", type=click.Path(), required=True,
              help="Folder for nginx's pid file and temporary files (writable by it).")
@click.option("--logs-dir", type=click.Path(), default=None,
              help="Folder for access.log and error.log (default: standard output/error).")
@click.option("--worker-user", default=None, metavar="USER[:GROUP]",
              help="nginx's worker processes' user (when its master runs as root).")
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="Write the configuration there (default: standard output).")
def nginx_config_command(data_dir, site_dir, listen, runtime_dir, logs_dir, worker_user,
                         output) -> None:
    """Write the password file, the user-to-role map, the audience indexes and an nginx
    configuration for a server of your own (the compose `reports` service)."""
    from plcqi import paths
    from plcqi.publish.access import AccessError, nginx
    from plcqi.publish.access.serve import nginx_config_for

    try:
        text = nginx_config_for(data_dir, Path(site_dir or paths.data_dir(data_dir)),
                                listen, Path(runtime_dir), worker_user,
                                Path(logs_dir) if logs_dir else None)
    except AccessError as e:
        _fail(e)
    if output:
        click.echo(f"wrote {nginx.write_config(Path(output), text)}")
    else:
        click.echo(text, nl=False)
