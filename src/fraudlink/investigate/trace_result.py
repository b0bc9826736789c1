"""What a fund trace found: per account, per edge, and where the money is now.

Read forward (``direction == "forward"``), for every account the trace reached:

* ``seeded`` — traced money that starts here (the victims' payments leave from here);
* ``received`` — traced money that arrived from other accounts;
* ``passed_on`` — traced money sent on to other wallet accounts;
* ``withdrawn`` — traced money cashed out (sent to a bank card or other external account);
* ``held`` — traced money still in the account at the end: what a freeze can still save.

``seeded + received == passed_on + withdrawn + held`` for every account, and the seeded
total equals held + cashed out + sent beyond the hop horizon over the whole trace: tracing
neither creates nor loses money.

Read back (``direction == "back"``), the same fields describe the reversed flow: money
"received" is traced money this account sent toward the seed, "passed on" is where it had
come from (earlier payers), "withdrawn" is money that came in from outside the wallets
(a bank card), and "held" is money that was already in the account before the data shows
it arriving: the origins.
"""

from __future__ import annotations

import msgspec


class AccountFlow(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    org: str
    hop: int  # fewest transfers from a seed; 0 for the accounts seeds leave from
    seeded: int
    received: int
    passed_on: int
    withdrawn: int
    held: int
    first_us: int  # when traced money first reached (or left) it


class FlowEdge(msgspec.Struct, frozen=True, kw_only=True):
    """Traced money from one account to another, summed over their transfers."""

    source: str
    source_org: str
    target: str
    target_org: str
    kind: str  # transfer | cash_out | beyond_horizon
    hop: int  # the hop of the target
    amount: int
    transfers: int
    first_us: int
    last_us: int


class TracedTransfer(msgspec.Struct, frozen=True, kw_only=True):
    """One transfer that carried traced money, in the order the trace met it."""

    transfer_id: str
    source: str  # back: the payee, where the money is traced back from
    target: str  # back: the payer, where it came from
    kind: str  # transfer | cash_out | beyond_horizon
    amount: int  # the traced part of the transfer
    at_us: int
    seed: bool


class EndPoint(msgspec.Struct, frozen=True, kw_only=True):
    """An account traced money ended in: cashed out to, held in, or beyond the horizon."""

    account: str
    org: str
    amount: int


METHOD_LABELS = {
    "match": "amount matching",
    "lifo": "LIFO",
    "fifo": "FIFO",
    "proportional": "proportional shares",
}


class TraceResult(msgspec.Struct, frozen=True, kw_only=True):
    direction: str
    method: str
    max_hops: int
    currency: str
    now_us: int
    seed_transfers: list[str]
    seeded: int
    accounts: list[AccountFlow]  # by hop, then most traced money first
    edges: list[FlowEdge]
    transfers: list[TracedTransfer]  # forward in time, or backward when tracing back
    cash_outs: list[EndPoint]
    beyond_horizon: list[EndPoint]

    @property
    def method_label(self) -> str:
        """The attribution rule in words, for a heading."""
        return METHOD_LABELS.get(self.method, self.method)

    @property
    def held(self) -> int:
        return sum(a.held for a in self.accounts)

    @property
    def cashed_out(self) -> int:
        return sum(c.amount for c in self.cash_outs)

    @property
    def beyond(self) -> int:
        return sum(b.amount for b in self.beyond_horizon)

    def ends(self) -> dict[str, int]:
        """Account → traced money that ended there (held, cashed out or past the horizon)."""
        out: dict[str, int] = {}
        for end in self.cash_outs + self.beyond_horizon:
            out[end.account] = out.get(end.account, 0) + end.amount
        for a in self.accounts:
            if a.held:
                out[a.account] = out.get(a.account, 0) + a.held
        return out
