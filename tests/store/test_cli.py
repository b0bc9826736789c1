"""``fraudlink store upgrade`` and ``status`` on both backends, as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.store import Store
from fraudlink.store.tables import audit_log

runner = CliRunner()


def test_upgrade_then_status(store_url: str) -> None:
    first = runner.invoke(app, ["store", "upgrade", "--url", store_url])
    assert first.exit_code == 0, first.output
    assert f"revision {Store.head_revision()}" in first.output
    again = runner.invoke(app, ["store", "upgrade", "--url", store_url])
    assert "already at revision" in again.output
    with Store.open(store_url) as store:
        store.append_audit("operator", "store.upgrade", "schema")
    status = runner.invoke(app, ["store", "status", "--url", store_url])
    assert status.exit_code == 0, status.output
    assert "up to date" in status.output
    assert "chain intact, 1 entries" in status.output


def test_status_reports_a_broken_chain(store_url: str) -> None:
    runner.invoke(app, ["store", "upgrade", "--url", store_url])
    with Store.open(store_url) as store:
        store.append_audit("operator", "key.rotate", "signing")
        with store.engine.begin() as conn:
            conn.execute(update(audit_log).values(subject="encryption"))
    status = runner.invoke(app, ["store", "status", "--url", store_url])
    assert status.exit_code == 1
    assert "chain broken at entry 1" in status.output


def test_home_folder_default_and_helpful_errors(tmp_path: Path) -> None:
    home = tmp_path / "node"
    missing = runner.invoke(app, ["store", "status", "--home", str(home)])
    assert missing.exit_code == 2
    assert "fraudlink store upgrade" in missing.output
    assert not home.exists()  # looking did not create anything
    assert runner.invoke(app, ["store", "upgrade", "--home", str(home)]).exit_code == 0
    assert (home / "fraudlink.db").exists()
    bad = runner.invoke(app, ["store", "status", "--url", "mysql://x@y/z"])
    assert bad.exit_code == 2 and "unsupported database" in bad.output
    down = runner.invoke(app, ["store", "upgrade", "--url", "postgresql://u:pw@127.0.0.1:1/db"])
    assert down.exit_code == 2
    assert "pw" not in down.output and "***" in down.output
    assert "hint" in down.output


def test_a_folder_that_cannot_be_made_or_a_file_that_is_no_database_is_explained(
    tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    nowhere = runner.invoke(app, ["store", "upgrade", "--home", str(tmp_path / "a-file" / "x")])
    assert nowhere.exit_code == 2
    assert "cannot create the folder" in _flat(nowhere.output)
    (tmp_path / "junk" / "fraudlink.db").parent.mkdir()
    (tmp_path / "junk" / "fraudlink.db").write_bytes(b"GIF89a" + bytes(200))
    junk = runner.invoke(app, ["store", "status", "--home", str(tmp_path / "junk")])
    assert junk.exit_code == 2
    assert "not a database" in _flat(junk.output) and "writable" in _flat(junk.output)


def _flat(output: str) -> str:
    """Rich wraps long lines at the terminal width; join them back."""
    return " ".join(output.split())
