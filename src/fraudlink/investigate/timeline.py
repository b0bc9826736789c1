"""One account's story across every source: registration, logins, orders, parcels, refunds,
transfers with their start and finish, alerts — in time order, with what stands out.

The core (:func:`build`) takes plain rows and returns entries and flags, so it is the same
for event files, received case packages and (later) the police store. Reading the rows is
:mod:`.timeline_sources`.

Flags make gaps and overlaps visible:

* ``city_jump`` — two places further apart than travel allows (above 800 km/h), e.g.
  logins from Hangzhou and Chengdu 30 minutes apart;
* ``quick_pass_on`` — money sent on within 30 minutes of arriving, most of it;
* ``silence`` — a gap of more than 7 days with nothing, then activity again;
* ``overlap`` — a transfer started before the previous one from the account completed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import msgspec

from fraudlink.model.geo import CITY_BY_NAME, distance_km
from fraudlink.model.money import format_money

Row = dict[str, Any]
MAX_KMH = 800.0
PASS_ON = timedelta(minutes=30)
SILENCE = timedelta(days=7)


class Entry(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    ts: datetime
    kind: str  # registered, login, login_failed, order, payment, parcel, refund, …
    what: str  # one line a person reads
    org: str | None = None
    source: str | None = None
    event_id: str | None = None
    city: str | None = None
    ip: str | None = None
    device: str | None = None
    amount: int | None = None
    currency: str | None = None
    counterparty: str | None = None
    ends: datetime | None = None  # a transfer's completion time


class Flag(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    at: datetime
    what: str
    event_ids: list[str]


class Timeline(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    entries: list[Entry]
    flags: list[Flag]
    sources: list[str]
    orgs: list[str]
    cities: list[str]


def _money(row: Row) -> str:
    return format_money(int(row["amount"]), str(row.get("currency") or "CNY"))


def _whence(row: Row, with_city: bool = False) -> str:
    """`` from Hangzhou (1.2.3.4, device d-1)``; ``—`` for what the source did not record.

    Bank ledgers record no IP, device or city at all: then nothing is said rather
    than "from — (—, device —)".
    """
    city, ip, device = row.get("city") if with_city else None, row.get("ip"), row.get("device_id")
    if city is None and ip is None and device is None:
        return ""
    if not with_city:
        return f" (IP {ip or '—'}, device {device or '—'})"
    return f" from {city or '—'} ({ip or '—'}, device {device or '—'})"


def _entry(account: str, row: Row, source: str) -> Entry | None:
    kind, ts = row.get("type"), row["ts"]
    common: dict[str, Any] = {"ts": ts, "org": row.get("org"), "source": source,
                              "event_id": row.get("event_id")}  # fmt: skip
    if kind in ("account_registered", "login"):
        failed = kind == "login" and row.get("success") is False
        label = "registered" if kind == "account_registered" else (
            "login_failed" if failed else "login")  # fmt: skip
        verb = {"registered": "registered", "login": "logged in",
                "login_failed": "failed to log in"}[label]  # fmt: skip
        return Entry(kind=label, what=f"{verb}{_whence(row, with_city=True)}",
                     city=row.get("city"), ip=row.get("ip"), device=row.get("device_id"),
                     **common)  # fmt: skip
    if kind == "credential_changed":
        return Entry(kind="credential", what=f"changed its {row.get('kind')}{_whence(row)}",
                     ip=row.get("ip"), device=row.get("device_id"), **common)  # fmt: skip
    if kind == "order_placed":
        return Entry(kind="order", what=f"ordered {row.get('item_category')} for {_money(row)} "
                     f"from {row.get('merchant')}, to {row.get('ship_city')} "
                     f"(order {row.get('order_id')})", amount=row.get("amount"),
                     currency=row.get("currency"), counterparty=row.get("merchant"),
                     **common)  # fmt: skip
    if kind == "payment":
        return Entry(kind="payment", what=f"paid {_money(row)} by {row.get('method')} for order "
                     f"{row.get('order_id')}", amount=row.get("amount"),
                     currency=row.get("currency"), **common)  # fmt: skip
    if kind == "parcel_scan":
        return Entry(kind="parcel", what=f"parcel of order {row.get('order_id')} "
                     f"{row.get('scan_status')} in {row.get('city')}", city=row.get("city"),
                     **common)  # fmt: skip
    if kind == "refund_requested":
        return Entry(kind="refund", what=f"asked a refund of {_money(row)} on order "
                     f"{row.get('order_id')}: {row.get('reason')}", amount=row.get("amount"),
                     currency=row.get("currency"), **common)  # fmt: skip
    if kind == "refund_decided":
        return Entry(kind="refund_decided", what=f"refund {row.get('refund_id')} "
                     f"{row.get('decision')} ({_money(row)})", amount=row.get("amount"),
                     currency=row.get("currency"), **common)  # fmt: skip
    if kind == "wallet_transfer":
        incoming = row.get("to_account") == account
        other = row.get("from_account") if incoming else row.get("to_account")
        status = row.get("status")
        done = row.get("completed_at")
        took = f", completed {_span(done - row['initiated_at'])} later" if done else ""
        elsewhere = row.get("to_org") != row.get("org")
        where = f" at {row.get('to_org')}" if elsewhere else ""
        arrow = (f"received {_money(row)} from {other}" if incoming
                 else f"sent {_money(row)} to {other}{where}")  # fmt: skip
        tail = "" if status == "completed" else f" — {status}"
        return Entry(kind="transfer_in" if incoming else "transfer_out",
                     what=f"{arrow} by {row.get('channel')}{took}{tail}",
                     amount=row.get("amount"), currency=row.get("currency"),
                     counterparty=other, ends=done,
                     **{**common, "ts": row["initiated_at"]})  # fmt: skip
    return None


def alert_entry(alert: Row, source: str) -> Entry:
    reasons = "; ".join(alert.get("reasons") or [])
    return Entry(ts=datetime.fromisoformat(str(alert["ts"])), kind="alert",
                 what=f"alert {alert.get('rule_id')} (risk {alert.get('score')}): {reasons}",
                 source=source, event_id=str(alert.get("alert_id")))  # fmt: skip


def build(account: str, sourced_rows: Iterable[tuple[str, Row]],
          alerts: Iterable[tuple[str, Row]] = ()) -> Timeline:  # fmt: skip
    """The timeline of ``account`` from ``(source, event row)`` pairs; duplicates merged."""
    seen: set[str] = set()
    entries: list[Entry] = []
    for source, row in sourced_rows:
        key = str(row.get("event_id"))
        if key in seen:
            continue  # the same event from two sources (a file and a case package) once
        seen.add(key)
        entry = _entry(account, row, source)
        if entry is not None:
            entries.append(entry)
    entries += [alert_entry(a, s) for s, a in alerts]
    entries.sort(key=lambda e: (e.ts, e.kind, e.event_id or ""))
    return Timeline(account=account, entries=entries, flags=flags(entries),
                    sources=sorted({e.source for e in entries if e.source}),
                    orgs=sorted({e.org for e in entries if e.org}),
                    cities=sorted({e.city for e in entries if e.city}))  # fmt: skip


def flags(entries: list[Entry]) -> list[Flag]:
    found = _city_jumps(entries) + _pass_on(entries) + _silences(entries) + _overlaps(entries)
    return sorted(found, key=lambda f: (f.at, f.kind))


def _city_jumps(entries: list[Entry]) -> list[Flag]:
    out, last = [], None
    for e in entries:
        if e.kind not in ("registered", "login", "login_failed") or e.city not in CITY_BY_NAME:
            continue
        if last is not None and last.city != e.city:
            km = distance_km(str(last.city), str(e.city))
            hours = max((e.ts - last.ts).total_seconds() / 3600, 1 / 3600)
            if km / hours > MAX_KMH:
                out.append(Flag(kind="city_jump", at=e.ts, what=(
                    f"{last.city} → {e.city}: {km:,.0f} km in {_span(e.ts - last.ts)} "
                    f"({km / hours:,.0f} km/h)"),
                    event_ids=[str(last.event_id), str(e.event_id)]))  # fmt: skip
        last = e
    return out


def _pass_on(entries: list[Entry]) -> list[Flag]:
    out = []
    ins = [e for e in entries if e.kind == "transfer_in" and e.ends is not None]
    outs = [e for e in entries if e.kind == "transfer_out"]
    for arrival in ins:
        assert arrival.ends is not None
        onward = [o for o in outs if arrival.ends <= o.ts <= arrival.ends + PASS_ON]
        sent = sum(o.amount or 0 for o in onward)
        if arrival.amount and sent >= 0.8 * arrival.amount:
            out.append(Flag(kind="quick_pass_on", at=arrival.ts, what=(
                f"{format_money(arrival.amount, arrival.currency or 'CNY')} from "
                f"{arrival.counterparty} passed on within "
                f"{_span(onward[-1].ts - arrival.ends)} to "
                f"{', '.join(sorted({str(o.counterparty) for o in onward}))}"),
                event_ids=[str(arrival.event_id)] + [str(o.event_id) for o in onward]))  # fmt: skip
    return out


def _silences(entries: list[Entry]) -> list[Flag]:
    out = []
    for before, after in itertools.pairwise(entries):
        if after.ts - before.ts > SILENCE:
            out.append(Flag(kind="silence", at=after.ts, what=(
                f"nothing for {_span(after.ts - before.ts)}, then {after.kind}"),
                event_ids=[str(before.event_id), str(after.event_id)]))  # fmt: skip
    return out


def _overlaps(entries: list[Entry]) -> list[Flag]:
    out, open_until = [], None
    last: Entry | None = None
    for e in entries:
        if e.kind != "transfer_out":
            continue
        if open_until is not None and last is not None and e.ts < open_until:
            out.append(Flag(kind="overlap", at=e.ts, what=(
                f"transfer to {e.counterparty} started before the one to "
                f"{last.counterparty} completed"),
                event_ids=[str(last.event_id), str(e.event_id)]))  # fmt: skip
        if e.ends is not None:
            open_until, last = e.ends, e
    return out


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} m" if minutes and not days else "",
             f"{secs} s" if secs and not days and not hours else ""]  # fmt: skip
    return " ".join(p for p in parts if p) or "0 s"
