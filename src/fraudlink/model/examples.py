"""A worked example of every canonical event and entity: one refund-fraud story.

The docs render these, and the tests decode them against the JSON Schema, so they
must always be valid: building them runs every constraint of the model.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import msgspec

from fraudlink.model.entities import Account, Identifier, Organisation, Party
from fraudlink.model.events import (
    AccountRegistered,
    AnyEvent,
    CredentialChanged,
    Login,
    OrderPlaced,
    ParcelScan,
    Payment,
    RefundDecided,
    RefundRequested,
    WalletTransfer,
)

_CST = timezone(timedelta(hours=8))


def example_events() -> tuple[AnyEvent, ...]:
    """One event of every type, telling one refund-fraud story.

    A buyer whose parcel was signed for asks for a refund as "not received",
    gets it, and the money leaves by wallet transfer: the pattern the refund
    rules look for. Then the account's phone number is changed, as a gang does
    before it lends the account on.
    """
    order, account, device = "O0010449007", "hx-u00022001", "dv-62c1f9d512a5"
    common = {"org": "hx-mall", "account": account}
    return (
        AccountRegistered(
            event_id="ev-0000000101",
            ts=datetime(2026, 3, 2, 20, 14, 5, tzinfo=_CST),
            city="Hangzhou",
            ip="115.192.37.18",
            device_id=device,
            **common,
        ),
        Login(
            event_id="ev-0000000102",
            ts=datetime(2026, 3, 14, 9, 12, 44, tzinfo=_CST),
            ip="115.192.37.18",
            city="Hangzhou",
            device_id=device,
            success=True,
            **common,
        ),
        OrderPlaced(
            event_id="ev-0000000103",
            ts=datetime(2026, 3, 14, 9, 20, 31, tzinfo=_CST),
            order_id=order,
            merchant="hx-m00015054",
            amount=129900,
            currency="CNY",
            item_category="electronics",
            ship_city="Hangzhou",
            **common,
        ),
        Payment(
            event_id="ev-0000000104",
            ts=datetime(2026, 3, 14, 9, 21, 2, tzinfo=_CST),
            order_id=order,
            amount=129900,
            currency="CNY",
            method="wallet",
            instrument="qb-u00014028",
            **common,
        ),
        ParcelScan(
            event_id="ev-0000000105",
            ts=datetime(2026, 3, 15, 14, 2, tzinfo=_CST),
            order_id=order,
            scan_status="signed",
            city="Hangzhou",
            carrier="SF",
            **common,
        ),
        RefundRequested(
            event_id="ev-0000000106",
            ts=datetime(2026, 3, 16, 10, 5, tzinfo=_CST),
            order_id=order,
            refund_id="R004518802",
            amount=129900,
            currency="CNY",
            reason="not_received",
            text="包裹一直没收到 (the parcel never arrived)",
            **common,
        ),
        RefundDecided(
            event_id="ev-0000000107",
            ts=datetime(2026, 3, 16, 10, 5, 9, tzinfo=_CST),
            order_id=order,
            refund_id="R004518802",
            decision="approved",
            amount=129900,
            currency="CNY",
            **common,
        ),
        WalletTransfer(
            event_id="ev-0000000108",
            ts=datetime(2026, 3, 16, 2, 31, 14, 204000, tzinfo=UTC),
            org="qb-pay",
            transfer_id="T6092285575",
            from_account="qb-u00014028",
            to_account="lt-u00031337",
            to_org="lt-pay",
            amount=127000,
            currency="CNY",
            channel="app",
            status="completed",
            initiated_at=datetime(2026, 3, 16, 2, 31, 10, 512000, tzinfo=UTC),
            completed_at=datetime(2026, 3, 16, 2, 31, 14, 204000, tzinfo=UTC),
            memo="货款",
        ),
        CredentialChanged(
            event_id="ev-0000000109",
            ts=datetime(2026, 3, 16, 10, 30, tzinfo=_CST),
            kind="phone",
            ip="115.192.37.18",
            device_id=device,
            **common,
        ),
    )


def example_entities() -> dict[type[msgspec.Struct], msgspec.Struct]:
    """One instance of every entity, the buyer of :func:`example_events`."""
    identifiers = (
        Identifier("phone", "+8613800000001"),
        Identifier("national_id_hash", "9c4e1b7a2f0d83e65b1a4c7d2e9f0a31"),
    )
    return {
        Organisation: Organisation(
            org_id="hx-mall",
            name="华夏商城 Huaxia Mall",
            kind="ecommerce",
            city="Hangzhou",
            province="Zhejiang",
        ),
        Party: Party(
            party_id="hx-p00022001",
            org="hx-mall",
            name="林晓梅",
            birth_date=date(1991, 6, 18),
            city="Hangzhou",
            identifiers=identifiers,
        ),
        Account: Account(
            account_id="hx-u00022001",
            org="hx-mall",
            party_id="hx-p00022001",
            kind="user",
            opened_at=datetime(2026, 3, 2, 20, 14, 5, tzinfo=_CST),
            city="Hangzhou",
        ),
        Identifier: identifiers[0],
    }
