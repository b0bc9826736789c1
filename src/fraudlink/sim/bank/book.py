"""The bank's ledger as it is being written: transfers, openings and credential changes.

Background and planted stories add columns (numpy arrays or single rows) here; the
book turns them into one canonical event table in event-time order at the end, so
no generator has to emit in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fraudlink.model.columns import EVENT_SCHEMA
from fraudlink.sim.ids import IdSource
from fraudlink.sim.sink import frame

Array = npt.NDArray[Any]


@dataclass
class Book:
    org: str
    currency: str
    _transfers: list[dict[str, Array]] = field(default_factory=list)
    _rows: list[tuple[int, str, str, int, str, str, str]] = field(default_factory=list)
    _opened: list[tuple[int, str]] = field(default_factory=list)
    _credentials: list[tuple[int, str, str]] = field(default_factory=list)

    def transfers(
        self,
        ts: Array,
        src: Array,
        dst: Array,
        amount: Array,
        channel: Array | str,
        external: Array | str = "",
        memo: Array | str = "",
    ) -> None:
        """Many completed transfers at once; ``external`` is ``payer``, ``payee`` or ''."""
        n = len(ts)
        self._transfers.append(
            {
                "ts": np.asarray(ts, dtype=np.int64),
                "src": np.asarray(src, dtype=str),
                "dst": np.asarray(dst, dtype=str),
                "amount": np.asarray(amount, dtype=np.int64),
                "channel": np.broadcast_to(np.asarray(channel, dtype=str), (n,)),
                "external": np.broadcast_to(np.asarray(external, dtype=str), (n,)),
                "memo": np.broadcast_to(np.asarray(memo, dtype=str), (n,)),
            }
        )

    def transfer(
        self,
        ts: int,
        src: str,
        dst: str,
        amount: int,
        channel: str = "bank_transfer",
        external: str = "",
        memo: str = "",
    ) -> None:
        if amount <= 0:
            raise ValueError(f"transfer {src} → {dst} of {amount}: amounts are positive")
        self._rows.append((int(ts), src, dst, int(amount), channel, external, memo))

    def opened(self, ts: int, account: str) -> None:
        self._opened.append((int(ts), account))

    def opened_many(self, ts: Array, accounts: Array) -> None:
        self._opened.extend(zip(ts.tolist(), accounts.tolist(), strict=True))

    def credential_changed(self, ts: int, account: str, kind: str) -> None:
        self._credentials.append((int(ts), account, kind))

    def table(self, end_us: int) -> pa.Table:
        """Every event before ``end_us`` in event-time order, ids ``ev-…`` in that order."""
        parts = [self._transfer_table()]
        if self._opened:
            ts = np.array([t for t, _ in self._opened], dtype=np.int64)
            parts.append(
                frame(
                    "account_registered",
                    ts,
                    {"org": self.org, "account": [a for _, a in self._opened]},
                )
            )
        if self._credentials:
            ts = np.array([t for t, _, _ in self._credentials], dtype=np.int64)
            parts.append(
                frame(
                    "credential_changed",
                    ts,
                    {
                        "org": self.org,
                        "account": [a for _, a, _ in self._credentials],
                        "kind": [k for _, _, k in self._credentials],
                    },
                )
            )
        table = pa.concat_tables(parts)
        ts_all = table["ts"].cast(pa.int64()).to_numpy()
        keep = np.flatnonzero(ts_all < end_us)
        # Ties broken by position, so the order is the same for the same seed.
        order = keep[np.argsort(ts_all[keep], kind="stable")]
        table = table.take(pa.array(order))
        seq = pa.array(np.arange(len(order), dtype=np.int64))
        ids = pc.binary_join_element_wise(
            "ev-", pc.utf8_lpad(pc.cast(seq, pa.string()), width=10, padding="0"), ""
        )
        return table.set_column(0, EVENT_SCHEMA.field("event_id"), ids)

    def _transfer_table(self) -> pa.Table:
        chunks = list(self._transfers)
        if self._rows:
            cols = list(zip(*self._rows, strict=True))
            chunks.append(
                {
                    "ts": np.array(cols[0], dtype=np.int64),
                    "src": np.array(cols[1], dtype=str),
                    "dst": np.array(cols[2], dtype=str),
                    "amount": np.array(cols[3], dtype=np.int64),
                    "channel": np.array(cols[4], dtype=str),
                    "external": np.array(cols[5], dtype=str),
                    "memo": np.array(cols[6], dtype=str),
                }
            )
        col = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
        if (col["amount"] <= 0).any():
            raise ValueError("a transfer with a non-positive amount was generated")
        ts = col["ts"]
        external = pa.array(col["external"].tolist(), type=pa.string())
        external = pc.if_else(pc.equal(external, ""), pa.scalar(None, pa.string()), external)
        tids = IdSource().take("t", len(ts))
        return frame(
            "wallet_transfer",
            ts,
            {
                "org": self.org,
                "transfer_id": tids,
                "from_account": col["src"].tolist(),
                "to_account": col["dst"].tolist(),
                "to_org": self.org,
                "amount": col["amount"],
                "currency": self.currency,
                "channel": col["channel"].tolist(),
                "status": "completed",
                "initiated_at": pa.array(ts, type=EVENT_SCHEMA.field("ts").type),
                "completed_at": pa.array(ts, type=EVENT_SCHEMA.field("ts").type),
                "memo": col["memo"].tolist(),
                "external": external,
            },
        )
