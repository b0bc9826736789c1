"""Same people in other cases: the cases on this node that share an account, a device or a
person's identifiers with this one.

Only cases this node holds a package of (received, or referred by it) are looked at, so the
links never reveal another organisation's case. Each package gives its *marks*:

* its subject accounts, and the accounts its evidence links to them directly (the same
  device or IP, or money at one hop);
* the devices its subjects logged in from;
* its holders' identifiers (hashed national id, phone, e-mail), which tie the same person's
  accounts across platforms.

Two cases are linked by the marks they share, each shown with what it is in either case,
so a common big merchant at one hop is seen for what it is. Packages are read once per
version of their manifest (they are written whole and renamed into place).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from fraudlink import file_versions
from fraudlink.cases import package
from fraudlink.interop import source

Json = dict[str, Any]
Marks = dict[tuple[str, str], str]  # (kind, value) → what it is in the case
IDENTIFIERS = (("holder_national_id_hash", "national id (hashed)"), ("holder_phone", "phone"),
               ("holder_email", "e-mail"))  # fmt: skip
_lock = threading.Lock()


def marks(data: source.CaseData) -> Marks:
    """What ties a case to people (module docstring); the strongest reason per mark."""
    found: Marks = {}
    for row in data.rows("linked"):
        if int(row.get("hops", 0)) <= 1 and row.get("account"):
            link = str(row.get("link", ""))
            what = "counterparty" if link == "counterparty" else f"shares {link}"
            found[("account", str(row["account"]))] = f"{what} of {row.get('subject', '?')}"
    for row in data.rows("logins"):
        if row.get("device_id"):
            found[("device", str(row["device_id"]))] = f"device of {row.get('subject', '?')}"
    for row in data.rows("account"):
        for column, label in IDENTIFIERS:
            if row.get(column):
                holder = row.get("holder_name") or row.get("account_id")
                found[("person", str(row[column]))] = f"{label} of {holder}"
    for account in data.manifest.subject_accounts:
        found[("account", account)] = "subject"
    return found


def packages(home: Path) -> Iterator[tuple[str, Path]]:
    """Every case package on the node: received (``inbox``) and referred (``cases``)."""
    for name, folder, _ in _manifests(home):
        yield name, Path(folder)


def packages_version(home: Path) -> tuple[tuple[str, int, int], ...]:
    """Every package's manifest by case, size and change time: what :func:`related_cases`
    read, by version (packages are written whole and renamed into place)."""
    return file_versions.sizes_and_times(_manifests(home))


def _manifests(home: Path) -> list[tuple[str, str, os.stat_result]]:
    received = file_versions.files_in_subfolders(home / "inbox", "", "manifest.json")
    referred = file_versions.files_in_subfolders(home / "cases", "package", "manifest.json")
    return received + referred


@lru_cache(maxsize=1024)
def _marks_of(folder: str, stamp: tuple[int, int]) -> tuple[Json, Marks] | None:
    try:
        data = source.read(Path(folder))
    except (package.PackageError, OSError, ValueError):
        return None  # a package that no longer verifies links nothing
    m = data.manifest
    return {"case_id": m.case_id, "title": m.title, "sender": m.sender}, marks(data)


def _cached(folder: Path) -> tuple[Json, Marks] | None:
    stat = (folder / "manifest.json").stat()
    with _lock:  # one reader per package at a time; the cache does the rest
        return _marks_of(str(folder), (stat.st_size, stat.st_mtime_ns))


def related_cases(home: Path, case_id: str, mine: Marks) -> list[Json]:
    """Other cases on this node sharing marks with ``mine``, most shared first."""
    out: list[Json] = []
    for other_id, folder in packages(home):
        if other_id == case_id:
            continue
        found = _cached(folder)
        if found is None:
            continue
        info, theirs = found
        shared = [{"kind": kind, "value": value, "here": mine[(kind, value)],
                   "there": theirs[(kind, value)]}
                  for kind, value in sorted(mine.keys() & theirs.keys())]  # fmt: skip
        if shared:
            out.append({**info, "shared": shared})
    # Shared subjects first, then by how much is shared.
    out.sort(key=lambda c: (-sum(s["here"] == s["there"] == "subject" for s in c["shared"]),
                            -len(c["shared"]), c["case_id"]))  # fmt: skip
    return out
