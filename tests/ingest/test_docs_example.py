"""docs/ingest.md's worked examples run, and say what actually comes out."""

from __future__ import annotations

import doctest
import importlib
import json
import re
import shlex
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.ingest import REASONS, read_quarantine
from fraudlink.model.columns import table_to_events
from fraudlink.model.events import WalletTransfer

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
_BLOCK = re.compile(
    r"<!-- ingest-example: (?P<name>[\w ]+) -->\n(?:```\w*\n(?P<fenced>.*?)```|(?P<table>.*?)\n\n)",
    re.S,
)
BLOCKS = {m["name"]: m["fenced"] or m["table"] for m in _BLOCK.finditer(DOC)}


def squeeze(text: str) -> str:
    """Text without any whitespace, so rich's line wrapping at any width compares equal."""
    return "".join(text.split())


def run_example(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    command = BLOCKS[f"{name} command"].splitlines()[0]
    args = shlex.split(command.removeprefix("$ "))
    assert args[0] == "fraudlink"
    out = tmp_path / args[args.index("--out") + 1]
    args[args.index("--out") + 1] = str(out)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, args[1:])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_the_blocks_are_found() -> None:
    assert set(BLOCKS) == {
        "wallet input", "wallet mapping", "wallet command", "wallet quarantine 1",
        "wallet totals", "wallet events", "shop mapping", "shop command", "shop totals",
        "bank input", "bank mapping", "bank command", "bank totals", "bank events",
        "statement input", "statement mapping", "statement command", "statement totals",
        "statement events",
    }  # fmt: skip


@pytest.mark.parametrize("name", ["wallet", "shop", "bank", "statement"])
def test_example_runs_and_prints_what_the_docs_show(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, output = run_example(name, tmp_path, monkeypatch)
    shown = BLOCKS[f"{name} command"]
    start = shown.index("Events by type")
    end = shown.index("Wrote") if "Wrote" in shown else len(shown)
    assert squeeze(shown[start:end]) in squeeze(output)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"] == json.loads(BLOCKS[f"{name} totals"])


def test_the_quarantine_record_shown_is_the_real_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = run_example("wallet", tmp_path, monkeypatch)
    first = (out / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(first) == json.loads(BLOCKS["wallet quarantine 1"])
    assert [q.row for q in read_quarantine(out / "quarantine.jsonl")] == [10, 11, 12]


def test_the_events_table_matches_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = run_example("wallet", tmp_path, monkeypatch)
    events = {e.event_id: e for e in table_to_events(pq.read_table(out / "events.parquet"))}
    rows = [line.split("|")[1:-1] for line in BLOCKS["wallet events"].splitlines()[2:]]
    checked = 0
    for ts, kind, event_id, who, amount, status in ([c.strip() for c in r] for r in rows):
        if ts == "…":
            continue
        event = events[event_id]
        assert event.ts.strftime("%Y-%m-%dT%H:%M:%SZ") == ts
        assert event.__struct_config__.tag == kind
        if isinstance(event, WalletTransfer):
            assert who == f"{event.from_account} → {event.to_account}"
            assert (str(event.amount), event.status) == (amount, status)
        checked += 1
    assert checked == 7


@pytest.mark.parametrize("name", ["bank", "statement"])
def test_the_transfer_tables_match_the_output(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = run_example(name, tmp_path, monkeypatch)
    events = list(table_to_events(pq.read_table(out / "events.parquet")))
    shown = [
        [c.strip() for c in line.split("|")[1:-1]]
        for line in BLOCKS[f"{name} events"].splitlines()[2:]
    ]
    real = [
        [
            e.ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            e.event_id,
            f"{e.from_account} → {e.to_account}",
            str(e.amount),
            e.channel,
            e.external or "",
        ]
        for e in events
        if isinstance(e, WalletTransfer)
    ]
    assert shown == real


def test_the_bank_ledger_knows_no_device_ip_or_city(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = run_example("bank", tmp_path, monkeypatch)
    table = pq.read_table(out / "events.parquet")
    for column in ("ip", "device_id", "city"):
        assert table.column(column).null_count == table.num_rows


@pytest.mark.parametrize(
    ("block", "file"),
    [
        ("wallet input", "wallet-ledger.csv"),
        ("bank input", "bank-ledger.csv"),
        ("statement input", "statements/c-1042.csv"),
    ],
)
def test_the_docs_show_the_example_inputs(block: str, file: str) -> None:
    csv_text = (ROOT / "examples" / "foreign" / file).read_text(encoding="utf-8-sig")
    for line in BLOCKS[block].splitlines():
        assert line == "…" or line in csv_text.splitlines()


def test_the_docs_show_the_example_mappings() -> None:
    for name, file in [
        ("wallet mapping", "wallet-ledger.yaml"),
        ("shop mapping", "shop-refunds.yaml"),
        ("bank mapping", "bank-ledger.yaml"),
        ("statement mapping", "statement.yaml"),
    ]:
        real = yaml.safe_load((ROOT / "examples" / "mappings" / file).read_text(encoding="utf-8"))
        assert yaml.safe_load(BLOCKS[name]) == real


def test_the_reason_table_lists_every_reason_code() -> None:
    table = DOC.split("<!-- ingest-reasons -->\n", 1)[1].split("\n\n", 1)[0]
    documented = dict(re.findall(r"^\| `(\w+)` \| (.+) \|$", table, re.M))
    assert documented == REASONS


@pytest.mark.parametrize(
    "module",
    ["fraudlink.ingest.rows", "fraudlink.ingest.statement", "fraudlink.ingest.step_time"],
)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
