"""`fraudlink user`: accounts with a refused weak password, a QR code, and no secrets listed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.store import Store, store_url

runner = CliRunner()
PASS_ENV = {"FRAUDLINK_PASSPHRASE": "a node passphrase for tests"}


def test_add_reset_disable_list(tmp_path: Path) -> None:
    home = tmp_path / "node"
    assert runner.invoke(app, ["node", "init", "--org", "hx-mall", "--role", "platform",
                               "--home", str(home)], env=PASS_ENV).exit_code == 0  # fmt: skip
    weak = runner.invoke(app, ["user", "add", "li.wei", "--role", "analyst", "--home", str(home)],
                         env={"FRAUDLINK_USER_PASSWORD": "password1234"})  # fmt: skip
    assert weak.exit_code != 0 and "most common" in weak.output
    env = {"FRAUDLINK_USER_PASSWORD": "a long and quiet river"}
    added = runner.invoke(app, ["user", "add", "li.wei", "--role", "analyst", "--role",
                                "supervisor", "--home", str(home)], env=env)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "authenticator" in added.output and "█" in added.output  # the QR code
    with Store.open(store_url(home)) as store:
        user = store.get_user("hx-mall", "li.wei")
        assert user is not None and user.roles == ("analyst", "supervisor")
        assert user.totp_secret and user.totp_secret in added.output
        first_secret = user.totp_secret
    again = runner.invoke(app, ["user", "add", "li.wei", "--role", "analyst", "--home",
                                str(home)], env=env)  # fmt: skip
    assert again.exit_code != 0 and "user reset" in again.output
    bad_role = runner.invoke(app, ["user", "add", "x.y", "--role", "boss", "--home", str(home)],
                             env=env)  # fmt: skip
    assert bad_role.exit_code != 0 and "investigator" in bad_role.output
    reset = runner.invoke(app, ["user", "reset", "li.wei", "--home", str(home)],
                          env={"FRAUDLINK_USER_PASSWORD": "another long quiet river"})  # fmt: skip
    assert reset.exit_code == 0, reset.output
    assert runner.invoke(app, ["user", "disable", "li.wei", "--home", str(home)]).exit_code == 0
    listed = runner.invoke(app, ["user", "list", "--home", str(home)], env={"COLUMNS": "200"})
    assert "disabled" in listed.output and "li.wei" in listed.output
    assert first_secret not in listed.output
    with Store.open(store_url(home)) as store:
        user = store.get_user("hx-mall", "li.wei")
        assert user is not None and user.totp_secret != first_secret and user.disabled
        actions = [e.action for e in store.audit_entries()]
    assert actions[-3:] == ["user.add", "user.reset", "user.disable"]
    missing = runner.invoke(app, ["user", "disable", "nobody", "--home", str(home)])
    assert missing.exit_code != 0 and "no user nobody" in missing.output
