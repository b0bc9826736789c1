"""Completed transfers as compact arrays, sorted by completion time and indexed by account.

Fund tracing follows money through a handful of accounts among millions, so the ledger is
laid out for that: transfers sit in columns (payer, payee, amount, completion time) in the
order money moved, and a CSR index (``offsets``/``entries``) lists each account's transfers,
in and out, in that same order. A trace reads only the slices of the accounts it reaches.

Transfer *position* (the row in these arrays) is the ledger's clock: a lower position moved
first. Ties in completion time are broken by the order the ledger was built from, so
positions are a total order and every trace is deterministic.

An account is (org, account id), as in the data model. *External* accounts are held
outside the wallets (bank cards): money sent there has been cashed out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Int64s = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Ledger:
    """Completed transfers, positions 0..n-1 in the order money moved."""

    account_ids: pa.Array  # string, per account code
    account_orgs: pa.Array  # string, per account code
    external: Bools  # per account: a bank card or other account outside the wallets
    src: Int32s  # payer account code, per transfer position
    dst: Int32s  # payee account code
    amount: Int64s  # minor units
    time_us: Int64s  # completion, µs since the epoch (UTC), non-decreasing
    currency: Int32s  # index into ``currencies``
    currencies: tuple[str, ...]
    transfer_ids: pa.Array  # string
    offsets: Int64s  # CSR: account a's entries are entries[offsets[a]:offsets[a + 1]]
    entries: Int64s  # transfer positions, ascending within each account
    outgoing: Bools  # per entry: the account paid (rather than received) that transfer

    @property
    def n_transfers(self) -> int:
        return len(self.amount)

    @property
    def n_accounts(self) -> int:
        return len(self.external)

    def account(self, code: int) -> str:
        return str(self.account_ids[code].as_py())

    def org(self, code: int) -> str:
        return str(self.account_orgs[code].as_py())

    def account_codes(self, account: str, org: str | None = None) -> list[int]:
        """Codes of the accounts with this id (one per org holding it, or just ``org``'s)."""
        hits = pc.equal(self.account_ids, pa.scalar(account, pa.string()))
        if org is not None:
            hits = pc.and_(hits, pc.equal(self.account_orgs, pa.scalar(org, pa.string())))
        return [int(i) for i in np.flatnonzero(hits.to_numpy(zero_copy_only=False))]

    def transfer_positions(self, transfer_ids: Sequence[str]) -> list[int]:
        """Positions of the completed transfers with these ids, in ledger order."""
        found = pc.is_in(self.transfer_ids, value_set=pa.array(list(transfer_ids), pa.string()))
        return [int(i) for i in np.flatnonzero(found.to_numpy(zero_copy_only=False))]

    def transfers_of(self, code: int) -> Int64s:
        """Positions of every transfer account ``code`` sent or received, in time order."""
        return self.entries[self.offsets[code] : self.offsets[code + 1]]

    @property
    def last_time_us(self) -> int:
        return int(self.time_us[-1]) if self.n_transfers else 0


def build_ledger(
    account_ids: Sequence[str] | pa.Array,
    account_orgs: Sequence[str] | pa.Array,
    external: npt.ArrayLike,
    src: npt.ArrayLike,
    dst: npt.ArrayLike,
    amount: npt.ArrayLike,
    time_us: npt.ArrayLike,
    currency: Sequence[str] | pa.Array,
    transfer_ids: Sequence[str] | pa.Array,
) -> Ledger:
    """A ledger from transfer columns in any order (ties in time keep the given order).

    Transfers from an account to itself move nothing and are left out: they would list
    the same transfer twice in that account's index.
    """
    src_a = np.asarray(src, dtype=np.int32)
    dst_a = np.asarray(dst, dtype=np.int32)
    time_a = np.asarray(time_us, dtype=np.int64)
    keep = np.flatnonzero(src_a != dst_a)
    order = keep[np.argsort(time_a[keep], kind="stable")]
    amount_a = np.asarray(amount, dtype=np.int64)[order]
    if len(amount_a) and int(amount_a.min()) < 0:
        raise ValueError("transfer amounts must not be negative")
    currency_codes = pa.array(currency, pa.string()).take(pa.array(order)).dictionary_encode()
    ids = pa.array(account_ids, pa.string())
    n_accounts = len(ids)
    src_a, dst_a = src_a[order], dst_a[order]
    if len(order) and (max(int(src_a.max()), int(dst_a.max())) >= n_accounts):
        raise ValueError("a transfer names an account code outside account_ids")
    offsets, entries, outgoing = _account_index(src_a, dst_a, n_accounts)
    return Ledger(
        account_ids=ids,
        account_orgs=pa.array(account_orgs, pa.string()),
        external=np.asarray(external, dtype=np.bool_).reshape(n_accounts),
        src=src_a,
        dst=dst_a,
        amount=amount_a,
        time_us=time_a[order],
        currency=np.asarray(currency_codes.indices.to_numpy(zero_copy_only=False), np.int32),
        currencies=tuple(str(c) for c in currency_codes.dictionary.to_pylist()),
        transfer_ids=pa.array(transfer_ids, pa.string()).take(pa.array(order)),
        offsets=offsets,
        entries=entries,
        outgoing=outgoing,
    )


def _account_index(src: Int32s, dst: Int32s, n_accounts: int) -> tuple[Int64s, Int64s, Bools]:
    """CSR offsets and entries (each account's transfer positions, ascending), and which
    entries are the account paying.

    One sort of ``account * n + position`` orders by account, then by time; it is faster
    than an argsort and needs no second pass to keep positions in order.
    """
    n = len(src)
    positions = np.arange(n, dtype=np.int64)
    stride = max(n, 1)
    keys = np.concatenate([src * np.int64(stride) + positions, dst * np.int64(stride) + positions])
    keys.sort()
    owner = keys // stride
    entries = keys % stride
    offsets = np.zeros(n_accounts + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n_accounts), out=offsets[1:])
    return offsets, entries, src[entries] == owner
