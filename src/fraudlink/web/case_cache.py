"""What the case pages keep between requests: the ledger and gangs over a node's evidence
store, and each case's computed views.

The ledger and the gangs are built over every evidence folder (seconds on a city's data),
so they are built once per *version* of the store (each folder's events file by name,
size and change time) and kept per node. When a referral arrives the version changes;
pages whose case is already in the last build keep being served from it while the new
one is built in the background (they say so), and only a page that needs the new
folder waits for it. However many requests arrive together, one build runs at a time.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fraudlink.investigate.gang_result import GangReport
from fraudlink.investigate.gangs import GangSettings, find_gangs
from fraudlink.investigate.ledger import Ledger
from fraudlink.investigate.ledger_parquet import load_ledger

T = TypeVar("T")
Version = tuple[tuple[str, int, int], ...]
log = logging.getLogger("fraudlink.web")


def store_version(folders: Sequence[Path]) -> Version:
    """Each folder's events file by name, size and change time: any import changes it."""
    version = []
    for folder in folders:
        stat = (folder / "events.parquet").stat()
        version.append((folder.name, stat.st_size, stat.st_mtime_ns))
    return tuple(version)


@dataclass(frozen=True)
class Analysis:
    """Everything built over one version of the evidence store."""

    folders: tuple[Path, ...]
    version: Version
    ledger: Ledger
    gangs: GangReport


def build_analysis(folders: tuple[Path, ...], version: Version) -> Analysis:
    log.info("building the ledger and gangs over %d evidence folders", len(folders))
    return Analysis(folders=folders, version=version, ledger=load_ledger(list(folders)),
                    gangs=find_gangs(list(folders), GangSettings()))  # fmt: skip


class Memo:
    """A small LRU of computed values, one computation per key at a time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.gates: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                found: T = self.values[key]
                return found
            gate = self.gates.setdefault(key, threading.Lock())
        with gate:
            with self.lock:
                if key in self.values:
                    again: T = self.values[key]
                    return again
            value = build()
            with self.lock:
                self.values[key] = value
                while len(self.values) > self.size:
                    self.values.popitem(last=False)
                self.gates.pop(key, None)
            return value


class LatestAnalyses:
    """Per node home, the newest analysis built, refreshed as the module docstring says."""

    def __init__(self, build: Callable[[tuple[Path, ...], Version], Analysis]) -> None:
        self.build = build
        self.lock = threading.Lock()
        self.latest: dict[Path, tuple[int, Analysis]] = {}  # home → (build number, analysis)
        self.refreshing: dict[Path, Version] = {}
        self.gates: dict[Path, threading.Lock] = {}
        self.builds = 0

    def get(self, home: Path, folders: tuple[Path, ...], need: Path | None) -> Analysis:
        """An analysis of ``folders`` — or of the version before, if it holds ``need``."""
        version = store_version(folders)
        with self.lock:
            held = self.latest.get(home)
            if held is not None and held[1].version == version:
                return held[1]
            if held is not None and (need is None or need in held[1].folders):
                if self.refreshing.get(home) != version:
                    self.refreshing[home] = version
                    job = (home, folders, version, self._number())
                    threading.Thread(target=self._refresh, args=job, name="evidence-refresh",
                                     daemon=True).start()  # fmt: skip
                return held[1]
            gate = self.gates.setdefault(home, threading.Lock())
        with gate:  # one synchronous build per node at a time; the others then find it
            with self.lock:
                held = self.latest.get(home)
                if held is not None and held[1].version == version:
                    return held[1]
                number = self._number()
            return self._build(home, folders, version, number)

    def _number(self) -> int:
        """Builds are numbered when asked for (under the lock), not when they start."""
        self.builds += 1
        return self.builds

    def _build(
        self, home: Path, folders: tuple[Path, ...], version: Version, number: int
    ) -> Analysis:
        built = self.build(folders, version)
        with self.lock:
            # A slow build of an older version must not replace a newer one.
            if home not in self.latest or self.latest[home][0] < number:
                self.latest[home] = (number, built)
        return built

    def _refresh(
        self, home: Path, folders: tuple[Path, ...], version: Version, number: int
    ) -> None:
        try:
            self._build(home, folders, version, number)
        except Exception:  # a page will build it again, and show the error, when it must
            log.exception("rebuilding the evidence analysis of %s failed", home)
        finally:
            with self.lock:
                if self.refreshing.get(home) == version:
                    del self.refreshing[home]
