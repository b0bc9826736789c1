"""``fraudlink user add|reset|disable|enable|list``: staff accounts of a node."""

from __future__ import annotations

import io
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import msgspec
import qrcode
import typer
from rich.markup import escape
from rich.table import Table

from fraudlink.auth import passwords, totp
from fraudlink.cli.app import app, console, err_console, fail
from fraudlink.cli.node_cmd import HomeOpt
from fraudlink.exchange.node import Node, NodeInfo
from fraudlink.store import DuplicateError, NotFoundError, Store, UserRecord, store_url

ROLES = ("analyst", "investigator", "supervisor", "admin")
PASSWORD_ENV = "FRAUDLINK_USER_PASSWORD"  # noqa: S105 - the name of a variable, not a secret

user_app = typer.Typer(help="Staff accounts: passwords, two-factor, roles.", no_args_is_help=True)
app.add_typer(user_app, name="user")

OrgOpt = Annotated[str | None, typer.Option(help="The user's organisation (default: this node's).")]


def _node_org(home: Path) -> str:
    path = Node.info_path(home)
    if not path.exists():
        raise fail(f"no node in {escape(str(home))}", "run `fraudlink node init` first")
    return msgspec.json.decode(path.read_bytes(), type=NodeInfo).org


def _password(username: str, org: str) -> str:
    text = os.environ.get(PASSWORD_ENV)
    if text is None:
        if not sys.stdin.isatty():
            raise fail("the new password is needed", f"set {PASSWORD_ENV} or run in a terminal")
        text = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    found = passwords.problems(text, username=username, org=org)
    if found:
        raise fail("password refused: " + "; ".join(found))
    return text


def _show_totp(secret: str, username: str, org: str) -> None:
    uri = totp.provisioning_uri(secret, username, org)
    qr = qrcode.QRCode(border=1)
    qr.add_data(uri)
    picture = io.StringIO()
    qr.print_ascii(out=picture, invert=True)
    console.print("Scan this with an authenticator app (two-factor login is required):")
    console.print(picture.getvalue(), highlight=False)
    console.print(f"or enter the key by hand: [bold]{secret}[/]")


def _roles(roles: list[str]) -> tuple[str, ...]:
    bad = sorted(set(roles) - set(ROLES))
    if bad or not roles:
        raise fail(f"roles {', '.join(bad) or '(none)'}: expected some of {', '.join(ROLES)}")
    return tuple(sorted(set(roles)))


@user_app.command("add")
def add_command(
    username: Annotated[str, typer.Argument(help="The login name, e.g. li.wei.")],
    role: Annotated[list[str], typer.Option("--role", help=f"One of {', '.join(ROLES)}.")],
    home: HomeOpt,
    org: OrgOpt = None,
) -> None:
    """Create a staff account: password (argon2id) and a TOTP secret to scan."""
    org = org or _node_org(home)
    roles = _roles(role)
    secret = totp.new_secret()
    now = datetime.now(UTC)
    record = UserRecord(org=org, username=username, roles=roles, created_at=now,
                        password_hash=passwords.hash_password(_password(username, org)),
                        totp_secret=secret, password_changed_at=now)  # fmt: skip
    with Store.open(store_url(home)) as store:
        try:
            store.add_user(record)
        except DuplicateError as exc:
            raise fail(
                escape(str(exc)), "use `fraudlink user reset` to give new credentials"
            ) from exc
        store.append_audit("cli", "user.add", f"{username}@{org}", {"roles": list(roles)})
    console.print(f"user [bold]{escape(username)}[/] of {escape(org)}: {', '.join(roles)}")
    _show_totp(secret, username, org)


@user_app.command("reset")
def reset_command(username: str, home: HomeOpt, org: OrgOpt = None) -> None:
    """New password and new two-factor key; clears a lockout."""
    org = org or _node_org(home)
    secret = totp.new_secret()
    with Store.open(store_url(home)) as store:
        if store.get_user(org, username) is None:
            raise fail(f"no user {escape(username)} in {escape(org)}", "`fraudlink user list`")
        store.update_user(org, username, password_hash=passwords.hash_password(
            _password(username, org)), totp_secret=secret, totp_last_step=None,
            failed_logins=0, locked_until=None, password_changed_at=datetime.now(UTC))  # fmt: skip
        store.append_audit("cli", "user.reset", f"{username}@{org}", {})
    console.print(f"new credentials for {escape(username)}; the old two-factor key no longer works")
    _show_totp(secret, username, org)


def _set_disabled(username: str, home: Path, org: str | None, disabled: bool) -> None:
    org = org or _node_org(home)
    with Store.open(store_url(home)) as store:
        try:
            store.set_user_disabled(org, username, disabled)
        except NotFoundError as exc:
            raise fail(escape(str(exc)), "`fraudlink user list` shows the users") from exc
        action = "user.disable" if disabled else "user.enable"
        store.append_audit("cli", action, f"{username}@{org}", {})
    console.print(f"{escape(username)} {'disabled' if disabled else 'enabled'}")


@user_app.command("disable")
def disable_command(username: str, home: HomeOpt, org: OrgOpt = None) -> None:
    """Stop a user logging in (the account and its history stay)."""
    _set_disabled(username, home, org, True)


@user_app.command("enable")
def enable_command(username: str, home: HomeOpt, org: OrgOpt = None) -> None:
    """Let a disabled user log in again."""
    _set_disabled(username, home, org, False)


@user_app.command("list")
def list_command(home: HomeOpt, org: OrgOpt = None) -> None:
    """Users with their roles and state (never their secrets)."""
    with Store.open(store_url(home)) as store:
        found = store.list_users(org)
    table = Table("organisation", "user", "roles", "state", "failed logins", "created (UTC)")
    for u in found:
        state = "disabled" if u.disabled else (
            f"locked until {u.locked_until:%H:%M}" if u.locked_until else "active")  # fmt: skip
        table.add_row(u.org, u.username, ", ".join(u.roles), state, str(u.failed_logins),
                      f"{u.created_at:%Y-%m-%d %H:%M}")  # fmt: skip
    console.print(table)
    if not found:
        err_console.print("no users yet: `fraudlink user add NAME --role analyst`")
