"""Where a trace starts: transfer ids, a victim's payments, or an account.

A trace's seeds are ledger positions of transfers. Whatever names the starting money
(a police report's payments, a victim in the simulator's truth, an account under
suspicion) is turned into transfer ids and then positions here, so a new source of
reports only needs to yield the transfer ids of the payments it lists.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.trace import Direction
from fraudlink.investigate.trace_result import TraceResult
from fraudlink.sim.truth import Truth, Victim


class SeedError(LookupError):
    """The starting point of a trace is not in the ledger (or not in the truth)."""


def seeds_from_transfers(ledger: Ledger, transfer_ids: Sequence[str]) -> list[int]:
    """Positions of these transfers; every id must be a completed transfer in the ledger."""
    positions = ledger.transfer_positions(transfer_ids)
    found = {str(ledger.transfer_ids[k].as_py()) for k in positions}
    missing = [t for t in transfer_ids if t not in found]
    if missing:
        raise SeedError(f"no completed transfer {', '.join(missing[:5])} in the events")
    return positions


def seeds_from_account(
    ledger: Ledger,
    account: str,
    *,
    direction: Direction = "forward",
    org: str | None = None,
    since_us: int | None = None,
    until_us: int | None = None,
) -> list[int]:
    """The account's outgoing transfers (forward) or incoming ones (back), in a time range.

    Forward follows everything the account sent; back asks where everything it received
    came from, which is how a cash-out card is traced to its victims.
    """
    codes = ledger.account_codes(account, org)
    if not codes:
        raise SeedError(f"account {account} has no completed transfers in the events")
    if len(codes) > 1:
        orgs = ", ".join(ledger.org(c) for c in codes)
        raise SeedError(f"account id {account} is held at several organisations ({orgs})")
    code = codes[0]
    mine = ledger.transfers_of(code)
    side = ledger.src if direction == "forward" else ledger.dst
    mine = mine[side[mine] == code]
    times = ledger.time_us[mine]
    keep = np.ones(len(mine), dtype=np.bool_)
    if since_us is not None:
        keep &= times >= since_us
    if until_us is not None:
        keep &= times <= until_us
    positions = [int(k) for k in mine[keep]]
    if not positions:
        what = "sent" if direction == "forward" else "received"
        raise SeedError(f"account {account} {what} nothing in that time")
    return positions


def find_victim(truth: Truth, victim: str) -> Victim | None:
    """The victim with this person id, or the one who made the payment with this id."""
    for v in truth.victims:
        if v.person_id == victim or any(p.transfer_id == victim for p in v.payments):
            return v
    return None


def victim_destinations(victim: Victim) -> dict[str, int]:
    """Where all of the victim's payments ended, by account (the answer key)."""
    out: dict[str, int] = {}
    for payment in victim.payments:
        for account, amount in payment.destinations.items():
            out[account] = out.get(account, 0) + amount
    return out


def traced_share(result: TraceResult, destinations: dict[str, int]) -> float:
    """Share of the traced money that ended in one of the true end accounts.

    This is the tracker's measure: did the trace lead to the right accounts to freeze
    and the right cards to subpoena.
    """
    total = sum(destinations.values())
    if total == 0:
        return 1.0
    ends = result.ends()
    return sum(amount for acc, amount in ends.items() if acc in destinations) / total


def exact_share(result: TraceResult, destinations: dict[str, int]) -> float:
    """Share of the true end amounts the trace put in the right account, to the amount.

    Stricter than :func:`traced_share`: each account counts at most its true amount, so
    two victims' money swapped between the same gang's accounts counts as wrong.
    """
    total = sum(destinations.values())
    if total == 0:
        return 1.0
    ends = result.ends()
    return sum(min(ends.get(acc, 0), amount) for acc, amount in destinations.items()) / total
