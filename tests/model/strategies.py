"""Hypothesis strategies for canonical events and entities, for any test to reuse.

``events()`` draws any ``AnyEvent``; ``event_strategy(cls)`` one type. Values
cover what the declarations allow (any Unicode id up to 128 characters, amounts
up to the 10**15 bound, offsets from -23:59 to +23:59 and DST zones), while
cities are the known ones so geo code can look them up. Transfers keep the
documented time semantics: ``completed_at`` is set exactly when the money moved,
and ``ts`` is the completion, or the initiation if it never completed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, cast, get_args
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from fraudlink.model import (
    EVENT_TYPES,
    Account,
    AccountRegistered,
    AnyEvent,
    CredentialChanged,
    Event,
    Identifier,
    Login,
    OrderPlaced,
    Organisation,
    ParcelScan,
    Party,
    Payment,
    RefundDecided,
    RefundRequested,
    WalletTransfer,
)
from fraudlink.model import entities as ent
from fraudlink.model import events as ev
from fraudlink.model.geo import CITY_BY_NAME

# Zones with DST, half- and quarter-hour offsets and a 30-minute DST shift (Lord Howe).
ZONE_NAMES = (
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/New_York",
    "America/St_Johns",
    "Europe/London",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
)
# Far enough from year 1 and 9999 that converting to UTC cannot leave datetime's range.
MIN_TIME = datetime(1970, 1, 2)
MAX_TIME = datetime(2200, 1, 1)
CURRENCIES = ("CNY", "USD", "HKD", "EUR", "JPY", "KRW", "BHD", "KWD")


def fixed_offsets() -> st.SearchStrategy[timezone]:
    """Whole-minute UTC offsets, the only ones RFC 3339 can write."""
    minutes = st.integers(-(23 * 60 + 59), 23 * 60 + 59)
    return st.one_of(st.just(UTC), minutes.map(lambda m: timezone(timedelta(minutes=m))))


def time_zones() -> st.SearchStrategy[Any]:
    return st.one_of(fixed_offsets(), st.sampled_from(ZONE_NAMES).map(ZoneInfo))


def aware_datetimes(
    min_value: datetime = MIN_TIME, max_value: datetime = MAX_TIME
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes in many offsets; never in a DST gap."""
    return st.datetimes(
        min_value=min_value, max_value=max_value, timezones=time_zones(), allow_imaginary=False
    )


def ids() -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=128)


def cities() -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(CITY_BY_NAME))


def ip_addresses() -> st.SearchStrategy[str]:
    return st.ip_addresses().map(str)


def amounts() -> st.SearchStrategy[int]:
    return st.integers(0, 10**15)


def currencies() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(CURRENCIES), st.from_regex(r"\A[A-Z]{3}\Z"))


def one_of_literal(alias: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(get_args(alias))


COMMON_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "event_id": ids(),
    "ts": aware_datetimes(),
    "org": ids(),
}
# Every field of every event type, by name; tests check this against the declarations.
EVENT_FIELDS: dict[type[Event], dict[str, st.SearchStrategy[Any]]] = {
    AccountRegistered: {
        "account": ids(),
        "city": st.none() | cities(),
        "ip": st.none() | ip_addresses(),
        "device_id": st.none() | ids(),
    },
    Login: {
        "account": ids(),
        "ip": st.none() | ip_addresses(),
        "city": st.none() | cities(),
        "device_id": st.none() | ids(),
        "success": st.booleans(),
    },
    CredentialChanged: {
        "account": ids(),
        "kind": one_of_literal(ev.CredentialKind),
        "ip": st.none() | ip_addresses(),
        "device_id": st.none() | ids(),
    },
    OrderPlaced: {
        "account": ids(),
        "order_id": ids(),
        "merchant": ids(),
        "amount": amounts(),
        "currency": currencies(),
        "item_category": st.text(),
        "ship_city": cities(),
    },
    Payment: {
        "account": ids(),
        "order_id": ids(),
        "amount": amounts(),
        "currency": currencies(),
        "method": one_of_literal(ev.PaymentMethod),
        "instrument": st.none() | ids(),
    },
    ParcelScan: {
        "account": ids(),
        "order_id": ids(),
        "scan_status": one_of_literal(ev.ScanStatus),
        "city": cities(),
        "carrier": st.none() | st.text(),
    },
    RefundRequested: {
        "account": ids(),
        "order_id": ids(),
        "refund_id": ids(),
        "amount": amounts(),
        "currency": currencies(),
        "reason": one_of_literal(ev.RefundReason),
        "text": st.text(),
    },
    RefundDecided: {
        "account": ids(),
        "order_id": ids(),
        "refund_id": ids(),
        "decision": one_of_literal(ev.RefundDecision),
        "amount": amounts(),
        "currency": currencies(),
    },
    WalletTransfer: {
        "transfer_id": ids(),
        "from_account": ids(),
        "to_account": ids(),
        "to_org": ids(),
        "amount": amounts(),
        "currency": currencies(),
        "channel": one_of_literal(ev.TransferChannel),
        "memo": st.text(),
        "external": st.none() | one_of_literal(ev.ExternalSide),
    },
}
# Drawn together by wallet_transfers() because they constrain each other.
TRANSFER_TIME_FIELDS = frozenset({"ts", "status", "initiated_at", "completed_at"})


@st.composite
def wallet_transfers(draw: st.DrawFn) -> WalletTransfer:
    initiated = draw(aware_datetimes())
    status = draw(one_of_literal(ev.TransferStatus))
    completed: datetime | None = None
    # A reversal undoes money that had arrived; pending and failed never arrived.
    if status in ("completed", "reversed"):
        delay = timedelta(microseconds=draw(st.integers(0, 3 * 24 * 3600 * 10**6)))
        # Add in UTC: aware + timedelta is wall-clock arithmetic and, across a DST fold,
        # can land an hour before the start.
        completed = (initiated.astimezone(UTC) + delay).astimezone(draw(time_zones()))
    fields = {name: draw(s) for name, s in EVENT_FIELDS[WalletTransfer].items()}
    fields |= {name: draw(s) for name, s in COMMON_FIELDS.items() if name != "ts"}
    return WalletTransfer(
        ts=completed if completed is not None else initiated,
        status=status,
        initiated_at=initiated,
        completed_at=completed,
        **fields,
    )


def event_strategy(cls: type[Event]) -> st.SearchStrategy[AnyEvent]:
    """Valid events of one type."""
    if cls is WalletTransfer:
        return wallet_transfers()
    return cast("st.SearchStrategy[AnyEvent]", st.builds(cls, **COMMON_FIELDS, **EVENT_FIELDS[cls]))


def events() -> st.SearchStrategy[AnyEvent]:
    """Any valid canonical event, of every type."""
    return st.one_of(*(event_strategy(cls) for cls in EVENT_TYPES.values()))


def identifiers() -> st.SearchStrategy[Identifier]:
    return st.builds(
        Identifier, one_of_literal(ent.IdentifierKind), st.text(min_size=1, max_size=256)
    )


def organisations() -> st.SearchStrategy[Organisation]:
    return st.builds(
        Organisation,
        org_id=ids(),
        name=st.text(min_size=1, max_size=256),
        kind=one_of_literal(ent.OrgKind),
        city=cities(),
        province=st.text(min_size=1, max_size=256),
    )


def parties() -> st.SearchStrategy[Party]:
    return st.builds(
        Party,
        party_id=ids(),
        org=ids(),
        name=st.text(min_size=1, max_size=256),
        birth_date=st.none() | st.dates(date(1900, 1, 1), date(2100, 1, 1)),
        city=st.none() | cities(),
        identifiers=st.lists(identifiers(), max_size=4).map(tuple),
    )


def accounts() -> st.SearchStrategy[Account]:
    return st.builds(
        Account,
        account_id=ids(),
        org=ids(),
        party_id=ids(),
        kind=one_of_literal(ent.AccountKind),
        opened_at=aware_datetimes(),
        city=cities(),
    )


def entities() -> st.SearchStrategy[Organisation | Party | Account | Identifier]:
    return st.one_of(organisations(), parties(), accounts(), identifiers())
