"""The account page's counterparties graph: who the account paid and who paid it.

A pure function of the account's event rows (as :mod:`fraudlink.investigate.timeline_sources`
reads them), returning JSON-ready data that ``static/graphs.js`` draws and the page's table
lists. Only completed transfers move money, so only they are counted.

A counterparty is *new* when its first completed transfer with the account falls in the
last ``NEW_DAYS`` before the account's latest one: a mule's fresh payers and payees stand
out from the people an honest account has always dealt with.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

Row = dict[str, Any]
NEW_DAYS = 7
SHOWN = 60  # counterparties drawn, most money first; the rest are summed in the table


@dataclass
class _Tie:
    org: str
    account: str
    paid: int = 0  # from the account to the counterparty
    received: int = 0  # from the counterparty to the account
    transfers: int = 0
    first: datetime | None = None
    last: datetime | None = None
    ids: set[str] = field(default_factory=set)


def counterparties(
    account: str, rows: Iterable[tuple[str, Row]], zone: tzinfo = UTC
) -> dict[str, Any]:
    """Graph and table data of the account's counterparties (see the module docstring);
    times as ISO 8601 in ``zone``."""
    transfers = [r for _, r in rows if r.get("type") == "wallet_transfer"
                 and r.get("status") == "completed" and r.get("completed_at") is not None
                 and account in (r.get("from_account"), r.get("to_account"))]  # fmt: skip
    currency = _main_currency(transfers)
    ties: dict[tuple[str, str], _Tie] = {}
    home_org = ""
    for r in sorted(transfers, key=lambda r: (r["completed_at"], str(r.get("event_id")))):
        if r.get("currency") != currency:
            continue
        outgoing = r.get("from_account") == account
        home_org = home_org or str(r.get("org") if outgoing else r.get("to_org") or "")
        org = str((r.get("to_org") or r.get("org")) if outgoing else r.get("org"))
        other = str(r.get("to_account") if outgoing else r.get("from_account"))
        tie = ties.setdefault((org, other), _Tie(org=org, account=other))
        key = f"{r.get('org')}/{r.get('transfer_id') or r.get('event_id')}"
        if key in tie.ids:
            continue  # the same transfer from two sources counts once
        tie.ids.add(key)
        amount = int(r["amount"])
        if outgoing:
            tie.paid += amount
        else:
            tie.received += amount
        tie.transfers += 1
        at: datetime = r["completed_at"]
        tie.first = at if tie.first is None else min(tie.first, at)
        tie.last = at if tie.last is None else max(tie.last, at)
    latest = max((t.last for t in ties.values() if t.last is not None), default=None)
    since = latest - timedelta(days=NEW_DAYS) if latest is not None else None
    ordered = sorted(ties.values(), key=lambda t: (-(t.paid + t.received), t.account, t.org))
    shown, rest = ordered[:SHOWN], ordered[SHOWN:]
    biggest = max((max(t.paid, t.received) for t in shown), default=0)
    centre = {"id": "self", "label": account, "org": home_org, "kind": "self"}
    nodes: list[dict[str, Any]] = [centre]
    edges: list[dict[str, Any]] = []
    table: list[dict[str, Any]] = []
    for i, t in enumerate(shown):
        new = since is not None and t.first is not None and t.first > since
        node_id = f"c{i}"
        nodes.append({"id": node_id, "label": t.account, "org": t.org,
                      "kind": "new" if new else "known"})  # fmt: skip
        for amount, source, target, way in ((t.received, node_id, "self", "in"),
                                            (t.paid, "self", node_id, "out")):  # fmt: skip
            if amount:
                edges.append({"id": f"{node_id}-{way}", "source": source, "target": target,
                              "amount": amount, "way": way,
                              "width": _width(amount, biggest)})  # fmt: skip
        table.append({"account": t.account, "org": t.org, "paid": t.paid,
                      "received": t.received, "transfers": t.transfers, "new": new,
                      "first": t.first.astimezone(zone).isoformat() if t.first else None,
                      "last": t.last.astimezone(zone).isoformat() if t.last else None})  # fmt: skip
    return {
        "account": account,
        "currency": currency,
        "new_days": NEW_DAYS,
        "nodes": nodes,
        "edges": edges,
        "table": table,
        "others": {
            "count": len(rest),
            "paid": sum(t.paid for t in rest),
            "received": sum(t.received for t in rest),
        },
    }


def _main_currency(transfers: list[Row]) -> str:
    counts = Counter(str(r.get("currency") or "CNY") for r in transfers)
    return min(counts, key=lambda c: (-counts[c], c)) if counts else "CNY"


def _width(amount: int, biggest: int) -> float:
    """Line width 1–12 px, by the square root of the amount: a ¥100 tie stays visible
    beside a ¥100,000 one, and ten times the money still looks clearly wider."""
    if biggest <= 0:
        return 1.0
    return round(1 + 11 * math.sqrt(amount / biggest), 2)
