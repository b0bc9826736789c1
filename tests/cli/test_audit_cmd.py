"""``fraudlink audit verify`` finds an edited entry in a node's log; ``show`` lists entries."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from typer.testing import CliRunner

from fraudlink.cli import app

runner = CliRunner(env={"FRAUDLINK_PASSPHRASE": "a long node passphrase"})


def test_verify_passes_then_finds_the_edit(tmp_path: Path) -> None:
    home = tmp_path / "police"
    made = runner.invoke(app, ["node", "init", "--org", "hz-cyber", "--role", "police",
                               "--home", str(home)])  # fmt: skip
    assert made.exit_code == 0, made.output
    ok = runner.invoke(app, ["audit", "verify", "--home", str(home)])
    assert ok.exit_code == 0 and "chain intact, 1 entries" in ok.output
    shown = runner.invoke(app, ["audit", "show", "--home", str(home)])
    assert "node.init" in shown.output
    with closing(sqlite3.connect(home / "fraudlink.db")) as db:
        db.execute("UPDATE audit_log SET actor = 'someone' WHERE seq = 1")
        db.commit()
    broken = runner.invoke(app, ["audit", "verify", "--home", str(home)])
    assert broken.exit_code == 1
    assert "broken at entry 1" in " ".join(broken.output.split())


def test_verify_without_a_store_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--home", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "node init" in result.output
    assert not (tmp_path / "nothing").exists()
