"""Property: statements of many customers with step times lose no row and keep every amount."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fraudlink.ingest.statement import external_id
from fraudlink.model.events import WalletTransfer
from tests.ingest.helpers import run, write_csv

MAPPING = """\
version: 1
defaults: {timezone: UTC, currency: EUR, org: bank-e}
event_type: wallet_transfer
events:
  wallet_transfer:
    ts: {column: day, unit: day, origin: 2024-01-01}
    statement: {column: cents, unit: minor, account: {from: file_stem}, counterparty: who}
    channel: {const: card_payment}
"""
ORIGIN = datetime(2024, 1, 1, tzinfo=UTC)
# kind of row -> the reason it is quarantined; None for a good row.
KINDS: dict[str, str | None] = {
    "good": None,
    "bad_day": "bad_timestamp",
    "zero": "bad_amount",
    "no_name": "missing_field",
}
postings = st.lists(
    st.tuples(
        st.sampled_from(sorted(KINDS)),
        st.integers(0, 3650),
        st.integers(-(10**9), 10**9).filter(bool),
        st.sampled_from(["Acme Payroll", "TESCO 12", "Café Nero", "星巴克"]),
    ),
    max_size=25,
)


def _row(kind: str, day: int, cents: int, who: str) -> dict[str, str]:
    return {
        "day": "soon" if kind == "bad_day" else str(day),
        "cents": "0" if kind == "zero" else str(cents),
        "who": "" if kind == "no_name" else who,
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(postings, min_size=1, max_size=3))
def test_every_posting_is_one_transfer_or_one_quarantined_row(
    customers: list[list[tuple[str, int, int, str]]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        files = [
            write_csv(folder / f"c-{i}.csv", [_row(*p) for p in rows], ["day", "cents", "who"])
            for i, rows in enumerate(customers)
        ]
        summary, events, quarantined = run(Path(tmp), MAPPING, files)
    total = sum(len(rows) for rows in customers)
    assert summary.read == total == summary.accepted + summary.quarantined
    wanted_bad = sorted(
        (f"c-{i}", n, reason)
        for i, rows in enumerate(customers)
        for n, (kind, *_) in enumerate(rows, 1)
        if (reason := KINDS[kind]) is not None
    )
    assert sorted((Path(q.source).stem, q.row, q.reason) for q in quarantined) == wanted_bad
    expected = {
        f"c-{i}.csv:{n}": (f"c-{i}", day, cents, who)
        for i, rows in enumerate(customers)
        for n, (kind, day, cents, who) in enumerate(rows, 1)
        if KINDS[kind] is None
    }
    got = {e.event_id: e for e in events if isinstance(e, WalletTransfer)}
    assert set(got) == set(expected) and len(events) == len(got)
    for event_id, (customer, day, cents, who) in expected.items():
        event = got[event_id]
        assert event.ts == ORIGIN + timedelta(days=day)
        assert event.amount == abs(cents)
        pair = (customer, external_id(who)) if cents < 0 else (external_id(who), customer)
        assert (event.from_account, event.to_account) == pair
        assert event.external == ("payee" if cents < 0 else "payer")
    assert [e.ts for e in events] == sorted(e.ts for e in events)
