"""The bank profile writes a ledger a bank could have: loadable, device-free, in its currency."""

from __future__ import annotations

from pathlib import Path
from statistics import median

import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.detect.backtest import POSITIVE_ROLES, positives
from fraudlink.detect.ledger.book import load_ledger
from fraudlink.model.columns import table_to_events
from fraudlink.model.events import AccountRegistered, CredentialChanged, WalletTransfer
from fraudlink.sim.bank.amounts import Amounts
from fraudlink.sim.bank.profile import LOOKALIKES, TYPOLOGIES, BankConfig, simulate_bank
from tests.sim.conftest import BankWorld, load_bank


def test_events_load_as_a_ledger(bank_world: BankWorld) -> None:
    ledger = load_ledger([bank_world.path / "events.parquet"])
    assert ledger.currency == "USD"
    (transfers,) = ledger.rows("SELECT count(*) FROM transfers")[0]
    assert transfers == bank_world.events.num_rows - _count(bank_world, "account_registered") - (
        _count(bank_world, "credential_changed")
    )
    # Merchants, employers and cash desks are external: never customers to alert on.
    outside = ledger.rows(
        "SELECT count(*) FROM customers WHERE account LIKE 'M-%' OR account LIKE 'EMP-%' "
        "OR account LIKE 'ATM-%' OR account LIKE 'BRANCH-%'"
    )
    assert outside == [(0,)]
    # Several months of history: per-account baselines exist.
    assert ledger.end_us - ledger.start_us > 150 * 86_400 * 1_000_000


def test_no_ip_device_or_city_anywhere(bank_world: BankWorld) -> None:
    for column in ("ip", "device_id", "city", "ship_city"):
        assert bank_world.events[column].null_count == bank_world.events.num_rows, column
    types = set(bank_world.events["type"].to_pylist())
    assert types == {"account_registered", "wallet_transfer", "credential_changed"}


def test_channels_are_a_banks(bank_world: BankWorld) -> None:
    transfers = bank_world.events.filter(pc.equal(bank_world.events["type"], "wallet_transfer"))
    assert set(transfers["channel"].to_pylist()) == {"bank_transfer", "card_payment", "cash"}
    cards = transfers.filter(pc.equal(transfers["channel"], "card_payment"))
    assert set(cards["external"].to_pylist()) <= {"payer", "payee"}


def test_events_are_valid_canonical_events(tmp_path: Path) -> None:
    simulate_bank(BankConfig(seed=9, accounts=300, days=120), tmp_path)
    world = load_bank(tmp_path)
    kinds = {type(e) for e in table_to_events(world.events)}
    assert kinds == {AccountRegistered, WalletTransfer, CredentialChanged}


def test_every_typology_has_labelled_positive_accounts(bank_world: BankWorld) -> None:
    wanted = positives(bank_world.truth)
    for typology in TYPOLOGIES:
        assert typology in POSITIVE_ROLES, typology
        assert len(wanted[typology]) >= 2, typology
    # Every labelled account moves money in the ledger: none is a dangling label.
    seen = set(bank_world.events["from_account"].to_pylist()) | set(
        bank_world.events["to_account"].to_pylist()
    )
    assert set(bank_world.truth.accounts) <= seen


def test_laundering_is_a_small_share(bank_world: BankWorld) -> None:
    offenders = set().union(*(positives(bank_world.truth)[t] for t in TYPOLOGIES))
    customers = set(bank_world.events["account"].drop_null().to_pylist())
    assert 0.01 <= len(offenders) / len(customers) <= 0.06


def test_lookalikes_are_present_and_honest(bank_world: BankWorld) -> None:
    kinds = {lk.kind for lk in bank_world.truth.lookalikes}
    assert kinds == set(LOOKALIKES)
    for lk in bank_world.truth.lookalikes:
        for account in lk.accounts:
            label = bank_world.truth.accounts[account]
            assert label.typology == "benign_lookalike" and label.role == lk.kind


def test_currency_is_respected(bank_world: BankWorld, bank_jpy: BankWorld) -> None:
    usd = _card_amounts(bank_world)
    jpy = _card_amounts(bank_jpy)
    assert set(bank_jpy.events["currency"].drop_null().to_pylist()) == {"JPY"}
    # JPY has no minor unit: ¥150 is about a dollar, i.e. 100 US cents → 150 yen.
    ratio = median(jpy) / median(usd)
    assert 1.0 < ratio < 2.25
    threshold = Amounts("JPY").threshold
    for account, label in bank_jpy.truth.accounts.items():
        if label.role == "structurer":
            deposits = [
                r["amount"]
                for r in bank_jpy.transfers()
                if r["to_account"] == account and r["channel"] == "cash"
            ]
            assert len(deposits) >= 3 and all(0.9 * threshold <= d < threshold for d in deposits)


def test_same_seed_same_bytes_other_seed_other_world(tmp_path: Path) -> None:
    for name, seed in (("a", 4), ("b", 4), ("c", 5)):
        simulate_bank(BankConfig(seed=seed, accounts=300, days=120), tmp_path / name)
    for file in ("events.parquet", "truth.json", "manifest.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert (tmp_path / "a" / "truth.json").read_bytes() != (
        tmp_path / "c" / "truth.json"
    ).read_bytes()


def test_cli_writes_a_bank_world(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app,
        ["simulate", "--profile", "bank", "--out", str(tmp_path), "--accounts", "300",
         "--days", "120", "--currency", "EUR", "--seed", "2", "--quiet"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    world = load_bank(tmp_path)
    assert world.truth.currency == "EUR"
    assert set(world.events["currency"].drop_null().to_pylist()) == {"EUR"}


@pytest.mark.parametrize("argv", [["--currency", "XYZ"], ["--accounts", "10"]])
def test_cli_refuses_bad_options(tmp_path: Path, argv: list[str]) -> None:
    done = CliRunner().invoke(
        app, ["simulate", "--profile", "bank", "--out", str(tmp_path / "w"), *argv]
    )
    assert done.exit_code != 0
    assert ("XYZ" in done.output) or ("200" in done.output)
    assert not (tmp_path / "w" / "events.parquet").exists()


def _count(world: BankWorld, event_type: str) -> int:
    return int(pc.sum(pc.equal(world.events["type"], event_type)).as_py())


def _card_amounts(world: BankWorld) -> list[int]:
    t = world.events
    mask = pc.and_(pc.equal(t["channel"], "card_payment"), pc.equal(t["external"], "payee"))
    return [int(a) for a in t.filter(mask)["amount"].to_pylist()]
