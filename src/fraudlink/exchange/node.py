"""A node's home folder: who it is, its keys, whom it trusts, its store.

    HOME/node.json        organisation, role, current key ids
    HOME/keys/            private keys (0600; encrypted with the passphrase if given)
    HOME/keys/retired/    earlier keys after a rotation, kept to read late messages
    HOME/directory.json   trusted organisations' key cards
    HOME/fraudlink.db     the operational store (alerts, cases, messages, audit log)

Every key change is written to the audit log.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from sqlalchemy import Engine

from fraudlink.exchange.directory import Directory, KeyCard
from fraudlink.exchange.keys import NodeKeys
from fraudlink.store import Store, store_url
from fraudlink.store.backend import connect

ROLES = ("platform", "police")


class NodeError(ValueError):
    """A node folder that cannot be used as asked, with what to do."""


class NodeInfo(msgspec.Struct, frozen=True, kw_only=True):
    org: str
    role: str
    created: datetime
    card: KeyCard


def _now() -> datetime:
    return datetime.now(UTC)


class Node:
    def __init__(
        self, home: Path, info: NodeInfo, keys: NodeKeys, clock: Callable[[], datetime] = _now
    ) -> None:
        self.home = home
        self.info = info
        self.keys = keys
        self.clock = clock
        self._engine: Engine | None = None
        self._url = ""

    # -- paths -------------------------------------------------------------------
    @staticmethod
    def info_path(home: Path) -> Path:
        return home / "node.json"

    @property
    def directory_path(self) -> Path:
        return self.home / "directory.json"

    def store(self) -> Store:
        """The node's store; every call shares one engine (its connections stay open)."""
        if self._engine is None:
            # Resolved once with the engine: the path lookup was a tenth of a page view.
            self._url = store_url(self.home)
            self._engine = connect(self._url)
        return Store(self._engine, self._url, owns_engine=False)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def directory(self) -> Directory:
        return Directory.load(self.directory_path)

    # -- life cycle --------------------------------------------------------------
    @classmethod
    def init(
        cls,
        home: Path,
        org: str,
        role: str,
        passphrase: bytes | None,
        clock: Callable[[], datetime] = _now,
    ) -> Node:
        if role not in ROLES:
            raise NodeError(f"role {role!r}: expected one of {', '.join(ROLES)}")
        if cls.info_path(home).exists():
            raise NodeError(f"{home} already holds a node; use another --home")
        now = clock()
        keys = NodeKeys.generate(org)
        keys.save(home / "keys", passphrase)
        info = NodeInfo(org=org, role=role, created=now, card=KeyCard.of(keys, role, now))
        cls._write_info(home, info)
        node = cls(home, info, keys, clock)
        with node.store() as store:
            store.upgrade()
            store.append_audit(org, "node.init", org, {"role": role, "sign_kid": keys.sign_kid,
                                                       "enc_kid": keys.enc_kid})  # fmt: skip
        return node

    @classmethod
    def load(
        cls, home: Path, passphrase: bytes | None, clock: Callable[[], datetime] = _now
    ) -> Node:
        path = cls.info_path(home)
        if not path.exists():
            raise NodeError(f"no node in {home}: run `fraudlink node init --home {home}` first")
        info = msgspec.json.decode(path.read_bytes(), type=NodeInfo)
        keys = NodeKeys.load(info.org, home / "keys", passphrase)
        if keys.sign_kid != info.card.sign_kid:
            raise NodeError(f"{home}/keys do not match node.json: restore them from backup")
        return cls(home, info, keys, clock)

    @staticmethod
    def _write_info(home: Path, info: NodeInfo) -> None:
        tmp = home / ".node.json.tmp"
        tmp.write_bytes(msgspec.json.format(msgspec.json.encode(info)))
        tmp.replace(home / "node.json")

    # -- keys --------------------------------------------------------------------
    def trust(self, card: KeyCard) -> None:
        directory = self.directory()
        directory.trust(card, self.clock())
        directory.save(self.directory_path)
        self._audit("key.trust", card.org, {"sign_kid": card.sign_kid, "role": card.role})

    def revoke(self, sign_kid: str) -> KeyCard:
        directory = self.directory()
        entry = directory.by_sign_kid(sign_kid)
        if entry is None:
            raise NodeError(f"no trusted key {sign_kid}: `fraudlink node keys` lists them")
        directory.revoke(sign_kid, self.clock())
        directory.save(self.directory_path)
        self._audit("key.revoke", entry.card.org, {"sign_kid": sign_kid})
        return entry.card

    def rotate(self, passphrase: bytes | None) -> KeyCard:
        """New keys; the old ones move to keys/retired/ so late messages can still be read."""
        old = self.keys
        retired = self.home / "keys" / "retired" / old.sign_kid
        retired.mkdir(parents=True, exist_ok=True)
        for name in ("signing.pem", "encryption.pem"):
            shutil.move(self.home / "keys" / name, retired / name)
        now = self.clock()
        self.keys = NodeKeys.generate(self.info.org)
        self.keys.save(self.home / "keys", passphrase)
        card = KeyCard.of(self.keys, self.info.role, now)
        self.info = NodeInfo(org=self.info.org, role=self.info.role, created=self.info.created,
                             card=card)  # fmt: skip
        self._write_info(self.home, self.info)
        self._audit("key.rotate", self.info.org, {"old_sign_kid": old.sign_kid,
                                                  "sign_kid": self.keys.sign_kid})  # fmt: skip
        return card

    def _audit(self, action: str, subject: str, detail: dict[str, object]) -> None:
        with self.store() as store:
            store.append_audit(self.info.org, action, subject, detail)
