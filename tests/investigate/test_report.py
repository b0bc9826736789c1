"""The gang case report: one offline HTML file with the roles, victims, money and sources."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.sim.world import simulate


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    simulate("small", 7, out)
    return out


def test_the_report_is_self_contained_and_shows_its_working(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--events", str(world), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    # Opens offline: nothing is fetched, no script runs.
    assert "<script" not in html and not re.search(r'(src|href)="https?://', html)
    assert html.count("<svg") >= 2  # the gang picture and at least one fund flow
    assert "coordinator" in html and "Where the money went" in html
    digest = hashlib.sha256((world / "events.parquet").read_bytes()).hexdigest()
    assert digest in html  # the evidence file and its hash
    gang_id = re.search(r"Gang (GANG-\d+)", html).group(1)  # type: ignore[union-attr]
    assert gang_id in result.output


def test_an_unknown_gang_lists_the_ones_found(world: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--events", str(world), "--gang", "GANG-999",
                                      "--out", str(tmp_path / "r.html")])  # fmt: skip
    assert result.exit_code != 0 and "GANG-001" in result.output
    assert not (tmp_path / "r.html").exists()
