"""Small ledgers written as canonical events, for the ledger rules' tests.

A test says what moved (``pay("a", "b", 500_00, at=hours(3))``) and gets the
ledger the rules read, through the same Parquet and DuckDB path a user's events take.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from fraudlink.detect.ledger.book import Ledger, load_ledger
from fraudlink.model.columns import events_to_table
from fraudlink.model.events import AccountRegistered, AnyEvent, CredentialChanged, WalletTransfer

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def days(n: float) -> timedelta:
    return timedelta(days=n)


@dataclass
class LedgerBuilder:
    """Collects events; :meth:`ledger` writes them and opens the ledger."""

    currency: str = "USD"
    events: list[AnyEvent] = field(default_factory=list)

    def pay(
        self,
        payer: str,
        payee: str,
        amount: int,
        at: timedelta,
        *,
        external: str | None = None,
        channel: str = "bank_transfer",
        status: str = "completed",
    ) -> str:
        """A transfer of ``amount`` minor units at ``T0 + at``; returns its event id."""
        n = len(self.events)
        ts = T0 + at
        event_id = f"e{n:07d}"
        self.events.append(
            WalletTransfer(
                event_id=event_id,
                ts=ts,
                org="bank",
                transfer_id=f"t{n:07d}",
                from_account=payer,
                to_account=payee,
                to_org="bank",
                amount=amount,
                currency=self.currency,
                channel=channel,  # type: ignore[arg-type]
                status=status,  # type: ignore[arg-type]
                initiated_at=ts,
                completed_at=ts if status == "completed" else None,
                external=external,  # type: ignore[arg-type]
            )
        )
        return event_id

    def open(self, account: str, at: timedelta) -> None:
        n = len(self.events)
        self.events.append(
            AccountRegistered(event_id=f"e{n:07d}", ts=T0 + at, org="bank", account=account)
        )

    def credential(self, account: str, at: timedelta, kind: str = "password") -> None:
        n = len(self.events)
        self.events.append(
            CredentialChanged(
                event_id=f"e{n:07d}",
                ts=T0 + at,
                org="bank",
                account=account,
                kind=kind,  # type: ignore[arg-type]
            )
        )

    def ledger(self, folder: Path) -> Ledger:
        path = folder / "events.parquet"
        ordered = sorted(self.events, key=lambda e: (e.ts, e.event_id))
        pq.write_table(events_to_table(ordered), path)
        return load_ledger([path])


def background(
    builder: LedgerBuilder, accounts: Iterable[str], months: int = 3, salary: int = 3_000_00
) -> None:
    """Ordinary customers: a monthly salary in, rent and a few shop payments out."""
    for i, account in enumerate(accounts):
        for month in range(months):
            start = days(30 * month + (i % 5))
            builder.pay("employer", account, salary + 10_00 * (i % 7), start)
            builder.pay(account, f"landlord-{i % 9}", 1_100_00, start + days(1))
            for k in range(3):
                builder.pay(
                    account, f"shop-{(i + k) % 11}", 40_00 + 7_00 * k, start + days(5 + 7 * k)
                )
