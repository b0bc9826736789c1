"""WalletTransfer refuses impossible timings, however it is built or decoded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pyarrow as pa
import pytest

from fraudlink.model import WalletTransfer
from fraudlink.model.columns import EVENT_SCHEMA, decode_event_json, table_to_events
from fraudlink.model.events import subject_account

CST = timezone(timedelta(hours=8))
INITIATED = datetime(2026, 3, 16, 2, 31, 10, tzinfo=UTC)


def transfer(**changes: Any) -> WalletTransfer:
    fields: dict[str, Any] = {
        "event_id": "ev-1",
        "ts": INITIATED + timedelta(seconds=4),
        "org": "qb-pay",
        "transfer_id": "T1",
        "from_account": "qb-u1",
        "to_account": "lt-u2",
        "to_org": "lt-pay",
        "amount": 127000,
        "currency": "CNY",
        "channel": "app",
        "status": "completed",
        "initiated_at": INITIATED,
        "completed_at": INITIATED + timedelta(seconds=4),
    }
    return WalletTransfer(**(fields | changes))


def as_json(**changes: Any) -> str:
    document = json.loads(msgspec.json.encode(transfer()))
    document.update({k: msgspec.to_builtins(v) for k, v in changes.items()})
    return json.dumps(document)


EARLY = INITIATED - timedelta(microseconds=1)


def test_completion_before_initiation_is_rejected() -> None:
    with pytest.raises(ValueError, match="completed_at is before initiated_at"):
        transfer(completed_at=EARLY)


def test_completion_before_initiation_is_rejected_on_decode() -> None:
    with pytest.raises(msgspec.ValidationError, match="completed_at is before initiated_at"):
        decode_event_json(as_json(completed_at=EARLY))


def test_completed_transfer_without_completion_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="a completed transfer needs completed_at"):
        transfer(completed_at=None)


def test_completed_transfer_without_completion_time_is_rejected_on_decode() -> None:
    document = json.loads(as_json())
    del document["completed_at"]
    with pytest.raises(msgspec.ValidationError, match="a completed transfer needs completed_at"):
        decode_event_json(json.dumps(document))


def test_completion_before_initiation_is_rejected_from_a_table() -> None:
    row = msgspec.structs.asdict(transfer()) | {"type": "wallet_transfer", "completed_at": EARLY}
    table = pa.Table.from_pylist([row], schema=EVENT_SCHEMA)
    with pytest.raises(msgspec.ValidationError, match="completed_at is before initiated_at"):
        list(table_to_events(table))


def test_order_is_decided_by_instant_not_wall_clock() -> None:
    # 10:31:09+08:00 reads later than 02:31:10Z but is one second earlier.
    with pytest.raises(ValueError, match="before"):
        transfer(completed_at=datetime(2026, 3, 16, 10, 31, 9, tzinfo=CST))
    later = datetime(2026, 3, 16, 10, 31, 11, tzinfo=CST)
    assert transfer(completed_at=later, ts=later).completed_at == later


def test_instant_completion_is_allowed() -> None:
    assert transfer(completed_at=INITIATED, ts=INITIATED).completed_at == INITIATED


def test_event_time_of_a_completed_transfer_is_its_completion() -> None:
    with pytest.raises(ValueError, match="must equal completed_at"):
        transfer(ts=INITIATED + timedelta(seconds=9))


def test_event_time_is_never_before_initiation() -> None:
    with pytest.raises(ValueError, match="ts is before initiated_at"):
        transfer(status="pending", completed_at=None, ts=EARLY)


@pytest.mark.parametrize("status", ["pending", "failed"])
def test_unfinished_transfer_cannot_have_a_completion_time(status: str) -> None:
    with pytest.raises(ValueError, match=f"a {status} transfer cannot have completed_at"):
        transfer(status=status)


@pytest.mark.parametrize("status", ["pending", "failed"])
def test_unfinished_transfer_needs_no_completion_time(status: str) -> None:
    unfinished = transfer(status=status, completed_at=None, ts=INITIATED)
    assert decode_event_json(msgspec.json.encode(unfinished)) == unfinished


def test_naive_completion_time_is_rejected_on_decode() -> None:
    with pytest.raises(msgspec.ValidationError, match="timezone"):
        decode_event_json(as_json(completed_at="2026-03-16T02:31:14"))


def test_external_names_a_side_and_nothing_else() -> None:
    assert transfer().external is None
    salary = transfer(from_account="ext:acme-payroll", external="payer")
    assert subject_account(salary) == "lt-u2"
    assert subject_account(transfer(external="payee")) == "qb-u1"
    with pytest.raises(msgspec.ValidationError, match="Invalid enum value 'merchant'"):
        decode_event_json(as_json(external="merchant"))
    round_trip = decode_event_json(msgspec.json.encode(salary))
    assert round_trip == salary


@pytest.mark.parametrize("channel", ["bank_transfer", "card_payment", "cash"])
def test_bank_channels(channel: str) -> None:
    event = decode_event_json(as_json(channel=channel))
    assert isinstance(event, WalletTransfer) and event.channel == channel
